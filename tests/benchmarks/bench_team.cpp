// Tasks per second from one shared queue: 1, 2 and 4 worker processes (astra-test-worker: the
// product's Scheduler, claims, leases and fencing, with executors that only record or sleep)
// on PostgreSQL, beside the single-process scheduler on SQLite, which is what one person's
// `astra run` is. Two kinds of task: persisted no-op tasks (what the queue itself costs: claim,
// lease, run row, ledger entries, end) and tasks that sleep a second (what scaling out buys
// when the work itself takes time). The time runs from the workers' start to the last task
// recorded as succeeded; a worker's start-up (opening the workspace, its recovery scan) is in it.
//
//   bench_team [--tasks=N] [--sleep-tasks=N] [google benchmark flags]
//   (the PostgreSQL rows need ASTRA_TEST_PG_URL naming a server)

#include "scheduling/scheduler.h"
#include "store/database.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "testsupport.h"
#include "workspace/taskexecutors.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <benchmark/benchmark.h>
#include <memory>

using namespace astra;

namespace {
int g_tasks = 400;
int g_sleepTasks = 16;
QString g_postgresUrl;

// A workspace whose queue holds `count` approved one-task plans of "step" tasks.
struct Queue
{
    test::TempRepo repo;
    QTemporaryDir scratch;
    WorkspaceOptions options;
    std::unique_ptr<Workspace> workspace;
    QString error;

    Queue(bool postgres, int count, int sleepMs)
    {
        repo.write(QStringLiteral("src/a.txt"), "a\n");
        repo.commitAll(QStringLiteral("initial"));
        options.repoPath = repo.path();
        if (postgres) {
            const auto databases = test::testDatabases(scratch.path());
            if (databases.size() < 2) {
                error = QStringLiteral("the PostgreSQL server is not reachable");
                return;
            }
            options.dbUrl = test::databaseUrl(databases.at(1).second);
        }
        if (auto made = Workspace::init(options); !made) {
            error = made.message();
            return;
        }
        auto opened = Workspace::open(options);
        if (!opened) {
            error = opened.message();
            return;
        }
        workspace = std::move(*opened);
        for (int i = 0; i < count && error.isEmpty(); ++i) {
            auto goal = workspace->addUserGoal(QStringLiteral("queued work %1").arg(i), {});
            if (!goal || !workspace->applyGoalAction(goal->id, GoalAction::Approve, {})
                || !workspace->moveGoal(goal->id,
                                        GoalState::Planned,
                                        QStringLiteral("bench"),
                                        QStringLiteral("bench"))) {
                error = QStringLiteral("cannot add goal %1").arg(i);
                return;
            }
            PlanRecord plan;
            plan.goalId = goal->id;
            plan.domain = QStringLiteral("bench");
            plan.outcome = QStringLiteral("solved");
            TaskRecord task;
            task.kind = QStringLiteral("step");
            task.input.insert(QStringLiteral("sleep_ms"), sleepMs);
            Database &db = workspace->database();
            Status done = db.writeTransaction([&]() -> Status {
                PlanRepository plans(db);
                auto stored = plans.insert(plan, {task}, {});
                if (!stored) {
                    return stored.error();
                }
                auto approved = plans.updateState(*stored, PlanState::Approved, {}, QStringLiteral("bench"));
                return approved ? Status() : Status(approved.error());
            });
            if (!done) {
                error = done.message();
            }
        }
    }

    int succeeded()
    {
        auto done = TaskRepository(workspace->database()).list(TaskState::Succeeded);
        return done ? int(done->size()) : -1;
    }
};

void runWorkers(benchmark::State &state, bool postgres, int tasks, int sleepMs)
{
    const int workers = int(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        Queue queue(postgres, tasks, sleepMs);
        if (!queue.error.isEmpty()) {
            state.SkipWithError(qPrintable(queue.error));
            return;
        }
        QTemporaryDir records;
        std::vector<std::unique_ptr<QProcess>> processes;
        state.ResumeTiming();
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < workers; ++i) {
            auto process = std::make_unique<QProcess>();
            process->start(QStringLiteral(ASTRA_TEST_WORKER_PATH),
                           {QStringLiteral("--repo"),
                            queue.repo.path(),
                            QStringLiteral("--db"),
                            queue.options.dbUrl,
                            QStringLiteral("--record"),
                            records.filePath(QStringLiteral("record")),
                            QStringLiteral("--idle-exit-ms"),
                            QStringLiteral("500")});
            processes.push_back(std::move(process));
        }
        while (queue.succeeded() < tasks && clock.elapsed() < 600000) {
            QThread::msleep(10);
        }
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        state.SetIterationTime(seconds);
        state.PauseTiming();
        for (auto &process : processes) {
            process->waitForFinished(60000);
        }
        state.counters["tasks_per_s"] = double(tasks) / seconds;
        state.counters["workers"] = workers;
        state.ResumeTiming();
    }
}

// The single-process scheduler on SQLite, as `astra run` runs it: one dispatcher, a runner per
// plan on a pool of the machine's cores.
void runInProcess(benchmark::State &state, int tasks, int sleepMs)
{
    for (auto _ : state) {
        state.PauseTiming();
        Queue queue(false, tasks, sleepMs);
        if (!queue.error.isEmpty()) {
            state.SkipWithError(qPrintable(queue.error));
            return;
        }
        ExecutorRegistry executors;
        executors.add(QStringLiteral("step"), [](TaskContext &context) {
            QThread::msleep(quint64(context.task.input.value(QStringLiteral("sleep_ms")).toInt()));
            return TaskOutcome::succeeded(QStringLiteral("done"));
        });
        SchedulerOptions options;
        options.openSession = workspaceTaskSessions(queue.options);
        options.poll = std::chrono::milliseconds(20);
        state.ResumeTiming();
        QElapsedTimer clock;
        clock.start();
        Scheduler scheduler(options, executors);
        auto report = scheduler.runUntilIdle();
        const double seconds = double(clock.nsecsElapsed()) / 1e9;
        state.SetIterationTime(seconds);
        if (!report || report->succeeded != tasks) {
            state.SkipWithError(report ? "not every task succeeded" : qPrintable(report.message()));
            return;
        }
        state.counters["tasks_per_s"] = double(tasks) / seconds;
    }
}

void BM_WorkersPostgresNoop(benchmark::State &state)
{
    if (g_postgresUrl.isEmpty()) {
        state.SkipWithError("ASTRA_TEST_PG_URL is not set");
        return;
    }
    runWorkers(state, true, g_tasks, 0);
}

void BM_WorkersPostgresSleep(benchmark::State &state)
{
    if (g_postgresUrl.isEmpty()) {
        state.SkipWithError("ASTRA_TEST_PG_URL is not set");
        return;
    }
    runWorkers(state, true, g_sleepTasks, 1000);
}

void BM_WorkersSqliteNoop(benchmark::State &state)
{
    runWorkers(state, false, g_tasks, 0);
}

void BM_SchedulerSqliteNoop(benchmark::State &state)
{
    runInProcess(state, g_tasks, 0);
}

void BM_SchedulerSqliteSleep(benchmark::State &state)
{
    runInProcess(state, g_sleepTasks, 1000);
}

} // namespace

BENCHMARK(BM_WorkersPostgresNoop)
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorkersPostgresSleep)
    ->Arg(1)
    ->Arg(2)
    ->Arg(4)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorkersSqliteNoop)->Arg(1)->Arg(2)->Arg(4)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchedulerSqliteNoop)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SchedulerSqliteSleep)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    g_postgresUrl = qEnvironmentVariable("ASTRA_TEST_PG_URL");
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg.startsWith("--tasks=")) {
            g_tasks = arg.mid(8).toInt();
        } else if (arg.startsWith("--sleep-tasks=")) {
            g_sleepTasks = arg.mid(14).toInt();
        } else {
            rest.push_back(argv[i]);
        }
    }
    int restCount = int(rest.size());
    benchmark::Initialize(&restCount, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
