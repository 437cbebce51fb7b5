// Planning and scheduling throughput:
// - plans per second for goals on the built-in code-maintenance domain (problem made from the
//   workspace facts, parsed, solved, turned into stored nodes and tasks);
// - solve time on small hand-written total-order HDDL problems (tests/data/hddl);
// - persisted no-op tasks per second through the scheduler (claim, task_runs row, ledger
//   entries, finish), against the same no-op work on a bare QThreadPool in the same run.
//
//   bench_planning [google benchmark flags]      (ASTRA_TEST_DATA names tests/data)

#include "planning/goalplanning.h"
#include "policy/pathpolicy.h"
#include "scheduling/scheduler.h"
#include "store/planrepository.h"
#include "testsupport.h"
#include "workspace/taskexecutors.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QThreadPool>

#include <benchmark/benchmark.h>

using namespace astra;

namespace {

hddl::Domain g_domain;

Goal goalWithFiles(int files)
{
    Goal goal;
    goal.id = 1;
    goal.kind = QStringLiteral("fix-failing-test");
    goal.title = QStringLiteral("benchmark");
    QStringList paths;
    for (int i = 0; i < files; ++i) {
        paths.append(QStringLiteral("src/file%1.cpp").arg(i));
    }
    QJsonObject evidence;
    evidence.insert(QStringLiteral("files"), QJsonArray::fromStringList(paths));
    goal.evidence = evidence;
    return goal;
}

void BM_PlanGoal(benchmark::State &state)
{
    auto config = parseConfig(
        "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"make check\"\n"
        "[proposer]\nkind = \"command\"\ncommand = \"agent\"\n",
        QStringLiteral("bench.toml"),
        configChecks());
    auto policy = PathPolicy::create(config->policy);
    const Goal goal = goalWithFiles(int(state.range(0)));
    const WorkspaceFacts facts = workspaceFacts(goal, *config, *policy, {QStringLiteral("command")});
    qint64 tasks = 0;
    for (auto _ : state) {
        auto plan = planForGoal(goal, *config, g_domain, facts);
        if (!plan || !plan->solved) {
            state.SkipWithError("no plan");
            return;
        }
        tasks = plan->tasks.size();
        benchmark::DoNotOptimize(plan->plan.nodes.size());
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["actions"] = double(tasks);
}
BENCHMARK(BM_PlanGoal)->Arg(1)->Arg(5)->Arg(20)->Arg(100)->Unit(benchmark::kMicrosecond);

struct SmallProblem
{
    const char *domain;
    const char *problem;
};
const SmallProblem smallProblems[] = {
    {"delivery-domain", "delivery-problem"},
    {"delivery-domain", "delivery-five-problem"},
    {"assign-domain", "assign-problem"},
};

QByteArray readData(const char *name)
{
    QFile file(qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/hddl/") + QLatin1String(name)
               + QStringLiteral(".hddl"));
    if (!file.open(QIODevice::ReadOnly)) {
        qFatal("cannot read %s: set ASTRA_TEST_DATA to tests/data", name);
    }
    return file.readAll();
}

void BM_SolveSmall(benchmark::State &state)
{
    const SmallProblem &small = smallProblems[state.range(0)];
    state.SetLabel(small.problem);
    auto domain = hddl::parseDomain(readData(small.domain), QLatin1String(small.domain));
    auto problem = hddl::parseProblem(readData(small.problem), QLatin1String(small.problem), *domain);
    if (!domain || !problem) {
        state.SkipWithError("does not parse");
        return;
    }
    qint64 expansions = 0;
    for (auto _ : state) {
        const hddl::PlanResult result = hddl::solve(*domain, *problem);
        if (result.outcome != hddl::PlanResult::Outcome::Solved) {
            state.SkipWithError("not solved");
            return;
        }
        expansions = result.expansions;
    }
    state.counters["expansions"] = double(expansions);
}
BENCHMARK(BM_SolveSmall)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

// A workspace on SQLite with plans of no-op tasks.
struct SchedulingBench
{
    test::TempRepo repo;
    WorkspaceOptions options;
    std::unique_ptr<Workspace> workspace;

    explicit SchedulingBench(const QString &dbUrl = {})
    {
        repo.write(QStringLiteral("a.txt"), "a\n");
        repo.commitAll(QStringLiteral("first"));
        options.repoPath = repo.path();
        options.dbUrl = dbUrl;
        if (!Workspace::init(options)) {
            qFatal("init failed");
        }
        workspace = std::move(*Workspace::open(options));
    }

    void addPlans(int plans, int tasksPerPlan)
    {
        for (int p = 0; p < plans; ++p) {
            auto goal = workspace->addUserGoal(QStringLiteral("noop"), {});
            (void)workspace->applyGoalAction(goal->id, GoalAction::Approve, {});
            (void)workspace->moveGoal(goal->id, GoalState::Planned, {}, QStringLiteral("bench"));
            PlanRecord plan;
            plan.goalId = goal->id;
            plan.domain = QStringLiteral("bench");
            QList<TaskRecord> tasks;
            for (int t = 0; t < tasksPerPlan; ++t) {
                TaskRecord task;
                task.ordinal = t;
                task.kind = QStringLiteral("noop");
                tasks.append(task);
            }
            Database &db = workspace->database();
            Status done = db.writeTransaction([&]() -> Status {
                PlanRepository repository(db);
                auto stored = repository.insert(plan, tasks, {});
                if (!stored) {
                    return stored.error();
                }
                auto approved = repository.updateState(*stored, PlanState::Approved, {}, QStringLiteral("bench"));
                return approved ? Status() : Status(approved.error());
            });
            if (!done) {
                qFatal("%s", qPrintable(done.message()));
            }
        }
    }
};

constexpr int benchPlans = 4;
constexpr int benchTasks = 25;

QString g_postgresUrl; // a database on the test server, when ASTRA_TEST_PG_URL names one

void BM_SchedulerPersistedNoop(benchmark::State &state)
{
    const bool postgres = state.range(1) != 0;
    state.SetLabel(postgres ? "postgresql" : "sqlite");
    SchedulingBench bench(postgres ? g_postgresUrl : QString());
    ExecutorRegistry registry;
    registry.add(QStringLiteral("noop"), [](TaskContext &) { return TaskOutcome::succeeded({}); });
    SchedulerOptions options;
    options.openSession = workspaceTaskSessions(bench.options);
    options.maxThreads = int(state.range(0));
    options.poll = std::chrono::milliseconds(5);
    for (auto _ : state) {
        state.PauseTiming();
        bench.addPlans(benchPlans, benchTasks);
        state.ResumeTiming();
        Scheduler scheduler(options, registry);
        auto report = scheduler.runUntilIdle();
        if (!report || report->succeeded != benchPlans * benchTasks) {
            state.SkipWithError("the scheduler did not run every task");
            return;
        }
    }
    state.SetItemsProcessed(state.iterations() * benchPlans * benchTasks);
}
BENCHMARK(BM_SchedulerPersistedNoop)->Args({1, 0})->Args({2, 0})->Unit(benchmark::kMillisecond)->UseRealTime();

// The obvious alternative: the same plans of no-op tasks on a QThreadPool, nothing persisted.
void BM_ThreadPoolNoop(benchmark::State &state)
{
    QThreadPool pool;
    pool.setMaxThreadCount(int(state.range(0)));
    std::atomic<int> done{0};
    for (auto _ : state) {
        done = 0;
        for (int p = 0; p < benchPlans; ++p) {
            pool.start([&done] {
                for (int t = 0; t < benchTasks; ++t) {
                    benchmark::DoNotOptimize(t);
                    ++done;
                }
            });
        }
        pool.waitForDone();
    }
    state.SetItemsProcessed(state.iterations() * benchPlans * benchTasks);
}
BENCHMARK(BM_ThreadPoolNoop)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    auto domain = builtinDomain();
    if (!domain) {
        qFatal("%s", qPrintable(domain.message()));
    }
    g_domain = *domain;
    QTemporaryDir scratch;
    const auto databases = test::testDatabases(scratch.path());
    if (databases.size() > 1) {
        g_postgresUrl = test::databaseUrl(databases.at(1).second);
        for (int threads : {1, 2}) {
            benchmark::RegisterBenchmark("BM_SchedulerPersistedNoop", BM_SchedulerPersistedNoop)
                ->Args({threads, 1})
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
