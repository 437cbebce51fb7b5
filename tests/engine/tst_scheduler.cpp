#include "base/processid.h"
#include "scheduling/scheduler.h"
#include "store/goalrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "testsupport.h"
#include "workspace/taskexecutors.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QMutex>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTest>
#include <QThread>

#include <memory>

using namespace astra;

namespace {

// What the test executors saw: when each task ran, and how many ran at once.
struct Recorder
{
    struct Interval
    {
        qint64 task = 0;
        qint64 plan = 0;
        int ordinal = 0;
        qint64 start = 0;
        qint64 end = 0;
    };
    QMutex mutex;
    QElapsedTimer clock;
    QList<Interval> intervals;
    int running = 0;
    int maxRunning = 0;
    int writers = 0;
    int maxWriters = 0;

    Recorder()
    {
        clock.start();
    }

    TaskOutcome work(TaskContext &context, bool writer)
    {
        Interval interval{context.task.id, context.task.planId, context.task.ordinal, 0, 0};
        {
            QMutexLocker locker(&mutex);
            interval.start = clock.elapsed();
            maxRunning = qMax(maxRunning, ++running);
            if (writer) {
                maxWriters = qMax(maxWriters, ++writers);
            }
        }
        const int sleepMs = context.task.input.value(QStringLiteral("sleep_ms")).toInt(0);
        QThread::msleep(quint64(sleepMs));
        QMutexLocker locker(&mutex);
        interval.end = clock.elapsed();
        --running;
        if (writer) {
            --writers;
        }
        intervals.append(interval);
        QJsonObject output;
        output.insert(QStringLiteral("ran"), true);
        return TaskOutcome::succeeded(QStringLiteral("step %1").arg(context.task.ordinal), output);
    }
};

ExecutorRegistry testExecutors(Recorder &recorder)
{
    ExecutorRegistry registry;
    registry.add(QStringLiteral("step"), [&recorder](TaskContext &context) { return recorder.work(context, false); });
    registry.add(
        QStringLiteral("write"),
        [&recorder](TaskContext &context) { return recorder.work(context, true); },
        true);
    registry.add(QStringLiteral("hang"), [](TaskContext &context) {
        while (!context.stopRequested()) {
            QThread::msleep(10);
        }
        return TaskOutcome::failed(makeError(QStringLiteral("stopped while hanging")));
    });
    registry.add(QStringLiteral("flaky"), [](TaskContext &context) {
        if (context.task.attempts < context.task.input.value(QStringLiteral("succeed_at")).toInt()) {
            return TaskOutcome::failed(makeError(QStringLiteral("service busy"), ErrorKind::Transient));
        }
        return TaskOutcome::succeeded(QStringLiteral("worked at attempt %1").arg(context.task.attempts));
    });
    registry.add(QStringLiteral("broken"), [](TaskContext &) {
        return TaskOutcome::failed(makeError(QStringLiteral("the input is wrong"), ErrorKind::Invalid));
    });
    // Replaces its own plan while it runs: the next task must then not start.
    registry.add(QStringLiteral("supersede"), [](TaskContext &context) {
        Database &db = context.session.database();
        Status done = db.writeTransaction([&]() -> Status {
            PlanRepository plans(db);
            auto plan = plans.find(context.task.planId);
            if (!plan) {
                return plan.error();
            }
            auto changed = plans.updateState(*plan, PlanState::Superseded, QStringLiteral("replaced in the test"));
            return changed ? Status() : Status(changed.error());
        });
        return done ? TaskOutcome::succeeded(QStringLiteral("superseded")) : TaskOutcome::failed(done.error());
    });
    return registry;
}

struct Fixture
{
    std::unique_ptr<test::TempRepo> repo;
    WorkspaceOptions options;
    std::unique_ptr<Workspace> workspace;
};

std::unique_ptr<Fixture> makeFixture(const DatabaseLocation &location)
{
    auto fixture = std::make_unique<Fixture>();
    fixture->repo = std::make_unique<test::TempRepo>();
    fixture->repo->write(QStringLiteral("src/a.txt"), "a\n");
    fixture->repo->commitAll(QStringLiteral("first"));
    fixture->options.repoPath = fixture->repo->path();
    fixture->options.dbUrl = test::databaseUrl(location);
    auto init = Workspace::init(fixture->options);
    if (!init) {
        qWarning("%s", qPrintable(init.message()));
        return nullptr;
    }
    auto opened = Workspace::open(fixture->options);
    if (!opened) {
        qWarning("%s", qPrintable(opened.message()));
        return nullptr;
    }
    fixture->workspace = std::move(*opened);
    return fixture;
}

struct TaskSpec
{
    QString kind;
    QJsonObject input = {};
    int timeoutS = 60;
    int maxAttempts = 3;
};

// A planned goal with a plan of these tasks, approved or not. Returns the plan id.
qint64 addPlan(Workspace &workspace, const QList<TaskSpec> &specs, bool approve)
{
    auto goal = workspace.addUserGoal(QStringLiteral("scheduled work"), {});
    if (!goal || !workspace.applyGoalAction(goal->id, GoalAction::Approve, {})
        || !workspace.moveGoal(goal->id, GoalState::Planned, QStringLiteral("test plan"), QStringLiteral("test"))) {
        return 0;
    }
    PlanRecord plan;
    plan.goalId = goal->id;
    plan.domain = QStringLiteral("test");
    plan.outcome = QStringLiteral("solved");
    QList<TaskRecord> tasks;
    for (int i = 0; i < specs.size(); ++i) {
        TaskRecord task;
        task.ordinal = i;
        task.kind = specs.at(i).kind;
        task.input = specs.at(i).input;
        task.timeoutS = specs.at(i).timeoutS;
        task.maxAttempts = specs.at(i).maxAttempts;
        tasks.append(task);
    }
    qint64 planId = 0;
    Database &db = workspace.database();
    Status done = db.writeTransaction([&]() -> Status {
        PlanRepository plans(db);
        auto stored = plans.insert(plan, tasks, {});
        if (!stored) {
            return stored.error();
        }
        planId = stored->id;
        if (approve) {
            auto approved = plans.updateState(*stored, PlanState::Approved, {}, QStringLiteral("tester"));
            return approved ? Status() : Status(approved.error());
        }
        return {};
    });
    if (!done) {
        qWarning("%s", qPrintable(done.message()));
        return 0;
    }
    return planId;
}

QJsonObject sleepFor(int ms)
{
    QJsonObject input;
    input.insert(QStringLiteral("sleep_ms"), ms);
    return input;
}

QList<TaskRecord> tasksOf(Workspace &workspace, qint64 planId)
{
    auto tasks = workspace.planTasks(planId);
    return tasks ? *tasks : QList<TaskRecord>();
}

QStringList states(const QList<TaskRecord> &tasks)
{
    QStringList names;
    for (const TaskRecord &task : tasks) {
        names.append(toString(task.state));
    }
    return names;
}

SchedulerOptions optionsFor(const Fixture &fixture)
{
    SchedulerOptions options;
    options.openSession = workspaceTaskSessions(fixture.options);
    options.maxThreads = 4;
    options.retryBase = std::chrono::milliseconds(60);
    options.poll = std::chrono::milliseconds(20);
    return options;
}

} // namespace

#define FIXTURE_OR_FAIL(location)                                                                                      \
    auto fixture = makeFixture(location);                                                                              \
    QVERIFY(fixture);                                                                                                  \
    Workspace &workspace = *fixture->workspace

class TestScheduler : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    // A plan's tasks run one after another in their order; every run is a task_runs row and
    // a pair of ledger entries; the goal moves to executing.
    void tasksOfAPlanRunInOrder()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 plan = addPlan(workspace,
                                        {{QStringLiteral("step"), sleepFor(30)},
                                         {QStringLiteral("step"), sleepFor(10)},
                                         {QStringLiteral("step"), sleepFor(20)},
                                         {QStringLiteral("step"), sleepFor(0)}},
                                        true);
            QVERIFY(plan > 0);
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            QSignalSpy started(&scheduler, &Scheduler::taskStarted);
            QSignalSpy finished(&scheduler, &Scheduler::taskFinished);
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->started, 4);
            QCOMPARE(report->succeeded, 4);
            QCOMPARE(started.count(), 4);
            QCOMPARE(finished.count(), 4);
            QCOMPARE(recorder.intervals.size(), 4);
            for (int i = 0; i < 4; ++i) {
                QCOMPARE(recorder.intervals.at(i).ordinal, i);
                if (i > 0) {
                    QVERIFY(recorder.intervals.at(i).start >= recorder.intervals.at(i - 1).end);
                }
            }
            const QList<TaskRecord> tasks = tasksOf(workspace, plan);
            QCOMPARE(states(tasks), test::repeated(4, QStringLiteral("succeeded")));
            for (const TaskRecord &task : tasks) {
                QCOMPARE(task.attempts, 1);
                QVERIFY(task.claimedBy.isEmpty());
                QCOMPARE(task.output.value(QStringLiteral("ran")).toBool(), true);
                auto runs = workspace.taskRuns(task.id);
                QVERIFY(runs.ok());
                QCOMPARE(runs->size(), 1);
                QCOMPARE(runs->first().outcome, QStringLiteral("succeeded"));
                QVERIFY(runs->first().durationMs >= 0);
                QCOMPARE(runs->first().worker.section(u':', 1, 1), QString::number(QCoreApplication::applicationPid()));
            }
            auto goal = workspace.goal(tasks.first().goalId);
            QCOMPARE(toString(goal->state), QStringLiteral("executing"));
            auto entries = workspace.ledger().entries();
            QVERIFY(entries.ok());
            int startedEntries = 0;
            int succeededEntries = 0;
            for (const LedgerEntry &ledgerEntry : std::as_const(*entries)) {
                startedEntries += ledgerEntry.event == u"task_started" ? 1 : 0;
                succeededEntries += ledgerEntry.event == u"task_succeeded" ? 1 : 0;
            }
            QCOMPARE(startedEntries, 4);
            QCOMPARE(succeededEntries, 4);
            auto verified = workspace.verifyLedger();
            QVERIFY(verified.ok() && verified->intact);
        }
    }

    void plansRunInParallel()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const QList<TaskSpec> specs = {{QStringLiteral("step"), sleepFor(250)},
                                           {QStringLiteral("step"), sleepFor(250)}};
            QVERIFY(addPlan(workspace, specs, true) > 0);
            QVERIFY(addPlan(workspace, specs, true) > 0);
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->succeeded, 4);
            QCOMPARE(recorder.maxRunning, 2);
        }
    }

    void oneWriterAtATime()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            for (int i = 0; i < 3; ++i) {
                QVERIFY(addPlan(workspace,
                                {{QStringLiteral("write"), sleepFor(120)}, {QStringLiteral("step"), sleepFor(120)}},
                                true)
                        > 0);
            }
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->succeeded, 6);
            QCOMPARE(recorder.maxWriters, 1);
            QVERIFY(recorder.maxRunning >= 2); // readers still ran beside a writer
        }
    }

    // Another process holding the writer slot (a running writer row) keeps writers waiting.
    void aWriterRunningElsewhereBlocksWriters()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 other = addPlan(workspace, {{QStringLiteral("write"), sleepFor(0)}}, true);
            const qint64 mine = addPlan(workspace, {{QStringLiteral("write"), sleepFor(0)}}, true);
            QVERIFY(other > 0 && mine > 0);
            // The other writer: a claim by a live process (this one's id, as another worker of it).
            TaskRecord otherTask = tasksOf(workspace, other).first();
            TaskRecord claimed = otherTask;
            claimed.state = TaskState::Running;
            claimed.claimedBy = currentProcessId();
            Database &db = workspace.database();
            QVERIFY(db.writeTransaction([&]() -> Status {
                          auto updated = TaskRepository(db).update(otherTask, claimed);
                          return updated ? Status() : Status(updated.error());
                      }).ok());
            Recorder recorder;
            SchedulerOptions options = optionsFor(*fixture);
            Scheduler scheduler(options, testExecutors(recorder));
            QThread *releaser = QThread::create([&] {
                QThread::msleep(300);
                auto reopened = Workspace::open(fixture->options);
                if (!reopened) {
                    return;
                }
                Database &otherDb = (*reopened)->database();
                auto current = TaskRepository(otherDb).find(otherTask.id);
                TaskRecord done = *current;
                done.state = TaskState::Succeeded;
                done.claimedBy.clear();
                (void)otherDb.writeTransaction([&]() -> Status {
                    auto updated = TaskRepository(otherDb).update(*current, done);
                    return updated ? Status() : Status(updated.error());
                });
            });
            QElapsedTimer timer;
            timer.start();
            releaser->start();
            auto report = scheduler.runUntilIdle();
            releaser->wait();
            delete releaser;
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->succeeded, 1);
            QVERIFY2(timer.elapsed() >= 250, qPrintable(QString::number(timer.elapsed())));
            QCOMPARE(states(tasksOf(workspace, mine)), QStringList{QStringLiteral("succeeded")});
        }
    }

    // The executor checks approval itself: a proposed plan never runs, and a plan replaced
    // while it runs stops before its next task.
    void unapprovedPlansNeverRun()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 proposed = addPlan(workspace, {{QStringLiteral("step")}}, false);
            const qint64 replaced = addPlan(workspace, {{QStringLiteral("supersede")}, {QStringLiteral("step")}}, true);
            QVERIFY(proposed > 0 && replaced > 0);
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->started, 1);
            QCOMPARE(recorder.intervals.size(), 0);
            QCOMPARE(states(tasksOf(workspace, proposed)), QStringList{QStringLiteral("queued")});
            QCOMPARE(states(tasksOf(workspace, replaced)),
                     (QStringList{QStringLiteral("succeeded"), QStringLiteral("queued")}));
            const TaskRecord second = tasksOf(workspace, replaced).at(1);
            QCOMPARE(second.attempts, 0);
            auto runs = workspace.taskRuns(second.id);
            QVERIFY(runs.ok() && runs->isEmpty());
        }
    }

    void timeoutStopsTheTaskAndFailsThePlan()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 plan =
                addPlan(workspace,
                        {{QStringLiteral("hang"), {}, 1}, {QStringLiteral("step")}, {QStringLiteral("step")}},
                        true);
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->failed, 1);
            const QList<TaskRecord> tasks = tasksOf(workspace, plan);
            QCOMPARE(states(tasks),
                     (QStringList{QStringLiteral("failed"), QStringLiteral("skipped"), QStringLiteral("skipped")}));
            QVERIFY2(tasks.first().summary.contains(QStringLiteral("timeout of 1 s")),
                     qPrintable(tasks.first().summary));
            auto runs = workspace.taskRuns(tasks.first().id);
            QCOMPARE(runs->size(), 1);
            QCOMPARE(runs->first().outcome, QStringLiteral("timeout"));
            QVERIFY(runs->first().durationMs >= 1000);
            auto stored = PlanRepository(workspace.database()).find(plan);
            QCOMPARE(toString(stored->state), QStringLiteral("failed"));
            auto goal = workspace.goal(tasks.first().goalId);
            QCOMPARE(toString(goal->state), QStringLiteral("failed"));
            QVERIFY(goal->stateReason.contains(QStringLiteral("timeout")));
        }
    }

    void cancellation()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 running = addPlan(workspace, {{QStringLiteral("hang")}, {QStringLiteral("step")}}, true);
            const qint64 queued = addPlan(workspace, {{QStringLiteral("step")}}, true);
            QVERIFY(running > 0 && queued > 0);
            // A queued task cancelled through the workspace never starts.
            const TaskRecord queuedTask = tasksOf(workspace, queued).first();
            QVERIFY(workspace.cancelTask(queuedTask.id).ok());
            QCOMPARE(states(tasksOf(workspace, queued)), QStringList{QStringLiteral("cancelled")});
            QCOMPARE(workspace.cancelTask(queuedTask.id).error().kind, ErrorKind::Refused);

            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            // A running task cancelled from another process: the flag in the database.
            QObject::connect(
                &scheduler,
                &Scheduler::taskStarted,
                &scheduler,
                [&](qint64 taskId) {
                    auto other = Workspace::open(fixture->options);
                    if (other) {
                        (void)(*other)->cancelTask(taskId);
                    }
                },
                Qt::DirectConnection);
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->cancelled, 1);
            const QList<TaskRecord> tasks = tasksOf(workspace, running);
            QCOMPARE(states(tasks), (QStringList{QStringLiteral("cancelled"), QStringLiteral("skipped")}));
            auto runs = workspace.taskRuns(tasks.first().id);
            QCOMPARE(runs->first().outcome, QStringLiteral("cancelled"));
            QCOMPARE(recorder.intervals.size(), 0);
            auto goal = workspace.goal(tasks.first().goalId);
            QCOMPARE(toString(goal->state), QStringLiteral("failed"));
        }
    }

    void transientFailuresAreRetriedWithBackoff()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            QJsonObject thirdTime;
            thirdTime.insert(QStringLiteral("succeed_at"), 3);
            QJsonObject never;
            never.insert(QStringLiteral("succeed_at"), 99);
            const qint64 recovers =
                addPlan(workspace, {{QStringLiteral("flaky"), thirdTime}, {QStringLiteral("step")}}, true);
            const qint64 exhausted = addPlan(workspace, {{QStringLiteral("flaky"), never, 60, 2}}, true);
            const qint64 broken = addPlan(workspace, {{QStringLiteral("broken")}, {QStringLiteral("step")}}, true);
            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));

            const QList<TaskRecord> first = tasksOf(workspace, recovers);
            QCOMPARE(states(first), (QStringList{QStringLiteral("succeeded"), QStringLiteral("succeeded")}));
            QCOMPARE(first.first().attempts, 3);
            auto runs = workspace.taskRuns(first.first().id);
            QCOMPARE(runs->size(), 3);
            QCOMPARE(runs->at(0).outcome, QStringLiteral("failed"));
            QCOMPARE(runs->at(1).outcome, QStringLiteral("failed"));
            QCOMPARE(runs->at(2).outcome, QStringLiteral("succeeded"));
            // Backoff: 60 ms after the first failure, 120 ms after the second.
            const auto gap = [&](int a, int b) {
                return QDateTime::fromString(runs->at(a).finishedAt, Qt::ISODateWithMs)
                    .msecsTo(QDateTime::fromString(runs->at(b).startedAt, Qt::ISODateWithMs));
            };
            QVERIFY2(gap(0, 1) >= 60, qPrintable(QString::number(gap(0, 1))));
            QVERIFY2(gap(1, 2) >= 120, qPrintable(QString::number(gap(1, 2))));

            const TaskRecord gaveUp = tasksOf(workspace, exhausted).first();
            QCOMPARE(toString(gaveUp.state), QStringLiteral("failed"));
            QCOMPARE(gaveUp.attempts, 2);
            QCOMPARE(workspace.taskRuns(gaveUp.id)->size(), 2);

            const QList<TaskRecord> third = tasksOf(workspace, broken);
            QCOMPARE(states(third), (QStringList{QStringLiteral("failed"), QStringLiteral("skipped")}));
            QCOMPARE(third.first().attempts, 1);
            QCOMPARE(third.first().summary, QStringLiteral("the input is wrong"));
            QCOMPARE(report->retried, 3);
        }
    }

    // Tasks left running by a process that died are requeued when the workspace is opened;
    // finished tasks are never run again.
    void recoveryRequeuesTasksOfDeadRunners()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            FIXTURE_OR_FAIL(entry.second);
            const qint64 plan = addPlan(workspace, {{QStringLiteral("step")}, {QStringLiteral("step")}}, true);
            const qint64 spent = addPlan(workspace, {{QStringLiteral("step"), {}, 60, 1}}, true);
            QList<TaskRecord> tasks = tasksOf(workspace, plan);
            const QString deadRunner = QSysInfo::machineHostName() + QStringLiteral(":999999999:0");
            QVERIFY(isDeadLocalProcess(deadRunner));
            Database &db = workspace.database();
            const auto markRunning = [&](const TaskRecord &task, TaskState state, int attempts) -> Status {
                TaskRecord changed = task;
                changed.state = state;
                changed.attempts = attempts;
                changed.claimedBy = state == TaskState::Running ? deadRunner : QString();
                auto updated = TaskRepository(db).update(task, changed);
                if (!updated) {
                    return updated.error();
                }
                TaskRunRecord run;
                run.taskId = task.id;
                run.kind = task.kind;
                run.outcome = QStringLiteral("running");
                run.startedAt = isoNow();
                run.worker = deadRunner;
                auto inserted = TaskRepository(db).insertRun(run);
                if (!inserted) {
                    return inserted.error();
                }
                if (state == TaskState::Succeeded) {
                    run.id = *inserted;
                    run.outcome = QStringLiteral("succeeded");
                    run.finishedAt = isoNow();
                    run.durationMs = 1;
                    return TaskRepository(db).finishRun(run);
                }
                return {};
            };
            QVERIFY(db.writeTransaction([&] { return markRunning(tasks.at(0), TaskState::Succeeded, 1); }).ok());
            QVERIFY(db.writeTransaction([&] { return markRunning(tasks.at(1), TaskState::Running, 1); }).ok());
            QVERIFY(db.writeTransaction([&] {
                          return markRunning(tasksOf(workspace, spent).first(), TaskState::Running, 1);
                      }).ok());

            auto reopened = Workspace::open(fixture->options);
            QVERIFY2(reopened.ok(), qPrintable(reopened.message()));
            tasks = tasksOf(workspace, plan);
            QCOMPARE(states(tasks), (QStringList{QStringLiteral("succeeded"), QStringLiteral("queued")}));
            QVERIFY(tasks.at(1).summary.contains(QStringLiteral("died")));
            QCOMPARE(workspace.taskRuns(tasks.at(1).id)->first().outcome, QStringLiteral("error"));
            // Out of attempts: failed, with its plan.
            QCOMPARE(states(tasksOf(workspace, spent)), QStringList{QStringLiteral("failed")});

            Recorder recorder;
            Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
            auto report = scheduler.runUntilIdle();
            QVERIFY2(report.ok(), qPrintable(report.message()));
            QCOMPARE(report->started, 1);
            QCOMPARE(recorder.intervals.size(), 1);
            QCOMPARE(recorder.intervals.first().task, tasks.at(1).id);
            tasks = tasksOf(workspace, plan);
            QCOMPARE(states(tasks), (QStringList{QStringLiteral("succeeded"), QStringLiteral("succeeded")}));
            QCOMPARE(workspace.taskRuns(tasks.at(0).id)->size(), 1);
            auto runs = workspace.taskRuns(tasks.at(1).id);
            QCOMPARE(runs->size(), 2);
            QCOMPARE(runs->at(1).outcome, QStringLiteral("succeeded"));
            auto entries = workspace.ledger().entries();
            int recovered = 0;
            for (const LedgerEntry &ledgerEntry : std::as_const(*entries)) {
                recovered += ledgerEntry.event == u"recovered" && ledgerEntry.subject.startsWith(u"task:") ? 1 : 0;
            }
            QCOMPARE(recovered, 2);
            QVERIFY(workspace.verifyLedger()->intact);
        }
    }

    // A goal abandoned after its plan was approved: nothing of the plan runs.
    void abandonedGoalStopsItsPlan()
    {
        QTemporaryDir dir;
        FIXTURE_OR_FAIL(test::testDatabases(dir.path()).first().second);
        const qint64 plan = addPlan(workspace, {{QStringLiteral("step")}, {QStringLiteral("step")}}, true);
        const qint64 goalId = tasksOf(workspace, plan).first().goalId;
        QVERIFY(workspace.applyGoalAction(goalId, GoalAction::Abandon, QStringLiteral("not needed")).ok());
        Recorder recorder;
        Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
        auto report = scheduler.runUntilIdle();
        QVERIFY2(report.ok(), qPrintable(report.message()));
        QCOMPARE(report->started, 0);
        QCOMPARE(recorder.intervals.size(), 0);
        QCOMPARE(states(tasksOf(workspace, plan)),
                 (QStringList{QStringLiteral("cancelled"), QStringLiteral("skipped")}));
        auto stored = PlanRepository(workspace.database()).find(plan);
        QCOMPARE(toString(stored->state), QStringLiteral("failed"));
        QCOMPARE(toString(workspace.goal(goalId)->state), QStringLiteral("abandoned"));
        QVERIFY(workspace.verifyLedger()->intact);
    }

    void noExecutorIsAClearFailure()
    {
        QTemporaryDir dir;
        FIXTURE_OR_FAIL(test::testDatabases(dir.path()).first().second);
        const qint64 plan = addPlan(workspace, {{QStringLiteral("teleport")}}, true);
        Recorder recorder;
        Scheduler scheduler(optionsFor(*fixture), testExecutors(recorder));
        auto report = scheduler.runUntilIdle();
        QVERIFY(report.ok());
        const TaskRecord task = tasksOf(workspace, plan).first();
        QCOMPARE(toString(task.state), QStringLiteral("failed"));
        QVERIFY2(task.summary.contains(QStringLiteral("'teleport'")) && task.summary.contains(QStringLiteral("step")),
                 qPrintable(task.summary));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
