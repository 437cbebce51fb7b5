// A team on one database: workers in processes of their own claiming from one queue under
// leases, a worker killed or frozen mid-task, two people deciding on one change at the same
// moment, approvals a team requires, and separation of duties. On SQLite and on the
// PostgreSQL server the test script starts.

#include "store/database.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "testsupport.h"
#include "workspace/revisionservice.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <atomic>
#include <barrier>
#include <csignal>
#include <memory>

using namespace astra;

namespace {

const char teamConfig[] =
    "[workspace]\n"
    "target_branch = \"main\"\n"
    "[policy]\n"
    "allowed = [\"src/\"]\n"
    "[tests]\n"
    "command = \"test -d src\"\n"
    "timeout_s = 60\n";

FileChange writeFile(const QByteArray &path, const QByteArray &content)
{
    FileChange change;
    change.kind = FileChange::Kind::Write;
    change.path = path;
    change.content = content;
    change.mode = 0100644;
    return change;
}

// What the workers wrote: per task, the processes that started it and those that ended it.
struct Record
{
    QHash<qint64, QList<qint64>> starts;
    QHash<qint64, QList<qint64>> ends;
};

Record readRecord(const QString &path)
{
    Record record;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return record;
    }
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() < 3) {
            continue;
        }
        (parts.at(0) == "start" ? record.starts : record.ends)[parts.at(1).toLongLong()].append(
            parts.at(2).toLongLong());
    }
    return record;
}

int countEvents(Workspace &workspace, const QString &event, const QString &subject = {})
{
    auto entries = workspace.ledger().entries();
    if (!entries) {
        return -1;
    }
    int count = 0;
    for (const LedgerEntry &entry : std::as_const(*entries)) {
        count += entry.event == event && (subject.isEmpty() || entry.subject == subject) ? 1 : 0;
    }
    return count;
}

} // namespace

class TestTeam : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::TempRepo> m_repo;
    WorkspaceOptions m_options;
    std::unique_ptr<Workspace> m_workspace;
    QString m_record;
    QList<QProcess *> m_workers;

    void makeWorkspace(const QString &database, const QByteArray &extraConfig = {})
    {
        m_workspace.reset();
        m_repo = std::make_unique<test::TempRepo>();
        QVERIFY(m_repo->isValid());
        m_repo->write(QStringLiteral(".astra.toml"), QByteArray(teamConfig) + extraConfig);
        m_repo->write(QStringLiteral("src/a.txt"), "a\n");
        m_repo->commitAll(QStringLiteral("initial"));
        m_options = WorkspaceOptions();
        m_options.repoPath = m_repo->path();
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            if (entry.first == database) {
                m_options.dbUrl = test::databaseUrl(entry.second);
            }
        }
        QVERIFY2(!m_options.dbUrl.isEmpty(), qPrintable(database + QStringLiteral(" is not reachable")));
        auto init = Workspace::init(m_options);
        QVERIFY2(init.ok(), qPrintable(init.message()));
        auto opened = Workspace::open(m_options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        m_workspace = std::move(*opened);
        m_record =
            QDir(m_dir.path()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".record"));
    }

    // A goal with a plan of `tasks` "step" tasks sleeping `sleepMs` each, not approved yet.
    qint64 addPlan(int tasks, int sleepMs)
    {
        auto goal = m_workspace->addUserGoal(QStringLiteral("queued work"), {});
        if (!goal || !m_workspace->applyGoalAction(goal->id, GoalAction::Approve, {})
            || !m_workspace->moveGoal(goal->id,
                                      GoalState::Planned,
                                      QStringLiteral("test plan"),
                                      QStringLiteral("test"))) {
            return 0;
        }
        PlanRecord plan;
        plan.goalId = goal->id;
        plan.domain = QStringLiteral("test");
        plan.outcome = QStringLiteral("solved");
        QList<TaskRecord> records;
        for (int i = 0; i < tasks; ++i) {
            TaskRecord task;
            task.ordinal = i;
            task.kind = QStringLiteral("step");
            task.input.insert(QStringLiteral("sleep_ms"), sleepMs);
            task.timeoutS = 120;
            records.append(task);
        }
        Database &db = m_workspace->database();
        Status done = db.writeTransaction([&]() -> Status {
            auto stored = PlanRepository(db).insert(plan, records, {});
            return stored ? Status() : Status(stored.error());
        });
        return done ? goal->id : 0;
    }

    QProcess *startWorker(int leaseMs, int idleExitMs = 3000)
    {
        auto *worker = new QProcess(this);
        worker->setProcessChannelMode(QProcess::ForwardedOutputChannel);
        worker->start(QStringLiteral(ASTRA_TEST_WORKER_PATH),
                      {QStringLiteral("--repo"),
                       m_repo->path(),
                       QStringLiteral("--db"),
                       m_options.dbUrl,
                       QStringLiteral("--record"),
                       m_record,
                       QStringLiteral("--lease-ms"),
                       QString::number(leaseMs),
                       QStringLiteral("--idle-exit-ms"),
                       QString::number(idleExitMs)});
        m_workers.append(worker);
        return worker;
    }

    // Waits until the record shows `task` started `times` times.
    bool waitForStart(qint64 task, int times)
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 60000) {
            if (readRecord(m_record).starts.value(task).size() >= times) {
                return true;
            }
            QTest::qWait(20);
        }
        return false;
    }

    QList<TaskRecord> allTasks()
    {
        auto tasks = m_workspace->tasks();
        return tasks ? *tasks : QList<TaskRecord>();
    }

    static void databases_data()
    {
        QTest::addColumn<QString>("database");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        if (!qEnvironmentVariableIsEmpty("ASTRA_TEST_PG_URL")) {
            QTest::addRow("postgresql") << QStringLiteral("postgresql");
        }
    }

private Q_SLOTS:
    void cleanup()
    {
        for (QProcess *worker : std::as_const(m_workers)) {
            if (worker->state() != QProcess::NotRunning) {
                ::kill(pid_t(worker->processId()), SIGCONT);
                worker->kill();
                worker->waitForFinished(10000);
            }
            delete worker;
        }
        m_workers.clear();
        m_workspace.reset();
    }

    // Three workers in processes of their own and two people approving plans at the same
    // moment, over 200 tasks: every plan approved once, every task run once and recorded once.
    void everyTaskRunsOnce_data()
    {
        databases_data();
    }
    void everyTaskRunsOnce()
    {
        QFETCH(QString, database);
        makeWorkspace(database);
        QList<qint64> goals;
        for (int i = 0; i < 100; ++i) {
            const qint64 goal = addPlan(2, 5);
            QVERIFY(goal > 0);
            goals.append(goal);
        }
        for (int i = 0; i < 3; ++i) {
            startWorker(5000);
        }
        // Two workstation-side clients, each with its own connection, approve every plan.
        std::atomic<int> approvals{0};
        std::atomic<int> refusals{0};
        std::barrier start(2);
        auto client = [&] {
            auto workspace = Workspace::open(m_options);
            start.arrive_and_wait();
            if (!workspace) {
                return;
            }
            for (qint64 goal : std::as_const(goals)) {
                auto approved = (*workspace)->approvePlan(goal, {});
                (approved ? approvals : refusals)++;
            }
        };
        // QThreads: a connection is closed and forgotten when its thread finishes.
        std::unique_ptr<QThread> first(QThread::create(client));
        std::unique_ptr<QThread> second(QThread::create(client));
        first->start();
        second->start();
        first->wait();
        second->wait();
        QCOMPARE(approvals.load(), 100);
        QCOMPARE(refusals.load(), 100);
        for (QProcess *worker : std::as_const(m_workers)) {
            QVERIFY(worker->waitForFinished(240000));
            QCOMPARE(worker->exitCode(), 0);
        }
        const QList<TaskRecord> tasks = allTasks();
        QCOMPARE(tasks.size(), 200);
        const Record record = readRecord(m_record);
        QSet<qint64> processes;
        for (const TaskRecord &task : tasks) {
            QCOMPARE(toString(task.state), QStringLiteral("succeeded"));
            QCOMPARE(task.attempts, 1);
            QCOMPARE(record.starts.value(task.id).size(), 1);
            QCOMPARE(record.ends.value(task.id).size(), 1);
            QCOMPARE(record.ends.value(task.id), record.starts.value(task.id));
            processes.insert(record.starts.value(task.id).constFirst());
            auto runs = m_workspace->taskRuns(task.id);
            QVERIFY(runs.ok());
            QCOMPARE(runs->size(), 1);
        }
        QVERIFY2(processes.size() >= 2, "the work was not shared between the workers");
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("plan_approved")), 100);
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("task_started")), 200);
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("task_succeeded")), 200);
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("recovered")), 0);
        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified.ok() && verified->intact);
    }

    // kill -9 of a worker mid-task: another worker takes the task back and it finishes once.
    void killedWorkersTaskFinishesOnce_data()
    {
        databases_data();
    }
    void killedWorkersTaskFinishesOnce()
    {
        QFETCH(QString, database);
        makeWorkspace(database);
        const qint64 goal = addPlan(1, 3000);
        QVERIFY(goal > 0);
        QVERIFY(m_workspace->approvePlan(goal, {}).ok());
        const qint64 task = allTasks().constFirst().id;
        QProcess *doomed = startWorker(2000);
        QVERIFY(waitForStart(task, 1));
        ::kill(pid_t(doomed->processId()), SIGKILL);
        QVERIFY(doomed->waitForFinished(10000));
        QProcess *survivor = startWorker(2000);
        const qint64 survivorPid = survivor->processId();
        QVERIFY(survivor->waitForFinished(120000));
        const Record record = readRecord(m_record);
        QCOMPARE(record.starts.value(task).size(), 2);
        QCOMPARE(record.ends.value(task), QList<qint64>{survivorPid});
        auto done = m_workspace->task(task);
        QVERIFY(done.ok());
        QCOMPARE(toString(done->state), QStringLiteral("succeeded"));
        QCOMPARE(done->attempts, 2);
        auto runs = m_workspace->taskRuns(task);
        QVERIFY(runs.ok());
        QCOMPARE(runs->size(), 2);
        QCOMPARE(runs->at(0).outcome, QStringLiteral("error"));
        QCOMPARE(runs->at(1).outcome, QStringLiteral("succeeded"));
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("recovered")), 1);
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("task_succeeded")), 1);
    }

    // A worker frozen past its lease (alive, so no dead-process check finds it) loses the task
    // to another worker, and when it wakes up it cannot finish it or write for it.
    void aLostLeaseIsFenced_data()
    {
        databases_data();
    }
    void aLostLeaseIsFenced()
    {
        QFETCH(QString, database);
        makeWorkspace(database);
        const qint64 goal = addPlan(1, 2500);
        QVERIFY(goal > 0);
        QVERIFY(m_workspace->approvePlan(goal, {}).ok());
        const qint64 task = allTasks().constFirst().id;
        QProcess *frozen = startWorker(2000, 8000);
        QVERIFY(waitForStart(task, 1));
        ::kill(pid_t(frozen->processId()), SIGSTOP);
        auto held = m_workspace->task(task);
        QVERIFY(held.ok());
        const TaskClaim lostClaim = held->claim();
        QVERIFY(!held->leaseUntil.isEmpty());

        QProcess *other = startWorker(2000, 8000);
        const qint64 otherPid = other->processId();
        QVERIFY(waitForStart(task, 2));
        // The frozen worker's claim is gone: a write for the task in its name is refused.
        Database &db = m_workspace->database();
        Status fenced = db.writeTransaction([&] { return TaskRepository(db).checkClaim(lostClaim); });
        QVERIFY(!fenced);
        QCOMPARE(fenced.error().kind, ErrorKind::Conflict);
        ::kill(pid_t(frozen->processId()), SIGCONT);
        QVERIFY(other->waitForFinished(120000));
        QVERIFY(frozen->waitForFinished(120000));

        auto done = m_workspace->task(task);
        QVERIFY(done.ok());
        QCOMPARE(toString(done->state), QStringLiteral("succeeded"));
        QCOMPARE(done->attempts, 2);
        QVERIFY(done->leaseUntil.isEmpty());
        auto runs = m_workspace->taskRuns(task);
        QVERIFY(runs.ok());
        QCOMPARE(runs->size(), 2);
        QCOMPARE(runs->at(0).outcome, QStringLiteral("error"));
        QVERIFY2(runs->at(0).summary.contains(QStringLiteral("lease")), qPrintable(runs->at(0).summary));
        QCOMPARE(runs->at(1).outcome, QStringLiteral("succeeded"));
        QCOMPARE(runs->at(1).worker.section(u':', 1, 1), QString::number(otherPid));
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("task_succeeded")), 1);
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("recovered")), 1);
        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified.ok() && verified->intact);
    }

    // Two people approve, merge (and now and then roll back) the same modification at the same
    // moment, 50 times: each decision is made once, the other is told who made it, and the
    // ledger has one entry per decision.
    void concurrentDecisionsHappenOnce_data()
    {
        databases_data();
    }
    void concurrentDecisionsHappenOnce()
    {
        QFETCH(QString, database);
        makeWorkspace(database);
        auto goal = m_workspace->addUserGoal(QStringLiteral("Many small changes"), {QStringLiteral("src/")});
        QVERIFY(goal.ok());
        constexpr int rounds = 50;
        std::barrier together(3); // the two people and the test, which sets each round up
        qint64 current = 0;
        QString action;
        QStringList outcomes[2];
        auto person = [&](int index) {
            auto workspace = Workspace::open(m_options);
            for (int round = 0; round < rounds * 3; ++round) {
                together.arrive_and_wait(); // the round is set up
                Result<Modification> done = makeError(QStringLiteral("no workspace"));
                if (workspace) {
                    done = action == u"approve" ? (*workspace)->approveModification(current, {})
                        : action == u"merge"    ? (*workspace)->mergeModification(current)
                                                : (*workspace)->rollbackModification(current, QStringLiteral("undo"));
                }
                outcomes[index].append(done ? QStringLiteral("ok") : done.message());
                together.arrive_and_wait(); // both decided
            }
        };
        std::unique_ptr<QThread> first(QThread::create(person, 0));
        std::unique_ptr<QThread> second(QThread::create(person, 1));
        first->start();
        second->start();
        // Problems are collected rather than failing at once: the two people wait for every round.
        QStringList problems;
        for (int round = 0; round < rounds; ++round) {
            ChangeSet changes;
            changes.files = {writeFile("src/f" + QByteArray::number(round) + ".txt", "round\n")};
            auto created = m_workspace->createModification(goal->id, changes, QStringLiteral("agent"));
            if (!created || !m_workspace->testModification(created->id)) {
                problems.append(QStringLiteral("round %1 could not be set up").arg(round));
            } else {
                current = created->id;
            }
            const QString subject = QStringLiteral("modification:%1").arg(current);
            const bool rollBack = round % 10 == 9;
            for (const QString &step :
                 {QStringLiteral("approve"), QStringLiteral("merge"), QStringLiteral("rollback")}) {
                action = step == u"rollback" && !rollBack ? QStringLiteral("approve") : step;
                together.arrive_and_wait();
                together.arrive_and_wait();
                const QString a = outcomes[0].constLast();
                const QString b = outcomes[1].constLast();
                if (step == u"rollback" && !rollBack) {
                    // A decision on a merged change: refused to both, naming who merged it.
                    if (a == u"ok" || b == u"ok" || !a.contains(QStringLiteral("merged it"))) {
                        problems.append(QStringLiteral("round %1, approve when merged: %2 | %3").arg(round).arg(a, b));
                    }
                    continue;
                }
                // Exactly one of the two made the decision; the other was told who did.
                const QString loser = a == u"ok" ? b : a;
                const QString event = step == u"approve" ? QStringLiteral("modification_approved")
                    : step == u"merge"                   ? QStringLiteral("modification_merged")
                                                         : QStringLiteral("modification_rolled_back");
                const int entries = countEvents(*m_workspace, event, subject);
                if ((a == u"ok") == (b == u"ok") || entries != 1
                    || !loser.contains(QStringLiteral("test@example.org"))) {
                    problems.append(QStringLiteral("round %1, %2: %3 | %4 (%5 ledger entries)")
                                        .arg(round)
                                        .arg(step, a, b)
                                        .arg(entries));
                }
            }
        }
        first->wait();
        second->wait();
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        // Every change landed on main once.
        const QString log = m_repo->git({QStringLiteral("log"), QStringLiteral("--format=%B"), QStringLiteral("main")});
        QStringList miscounted;
        for (int id = 1; id <= rounds; ++id) {
            const auto landed = log.count(QStringLiteral("Astra-Modification: %1\n").arg(id));
            if (landed != (id % 10 == 0 ? 2 : 1)) {
                miscounted.append(QStringLiteral("modification %1 in %2 commits").arg(id).arg(landed));
            }
        }
        QVERIFY2(miscounted.isEmpty(),
                 qPrintable(miscounted.join(u'\n') + u'\n'
                            + m_repo->git({QStringLiteral("log"),
                                           QStringLiteral("--graph"),
                                           QStringLiteral("--format=%h %s (%an, %cn)"),
                                           QStringLiteral("main")})));
        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified.ok() && verified->intact);
    }

    // A workstation sees another process's change within a second, by notification; the
    // database restarted under it: it says so, reconnects by itself and catches up on what
    // happened while it was away. On a server of its own, since it is stopped.
    void liveAcrossARestart()
    {
        if (qEnvironmentVariableIsEmpty("ASTRA_TEST_PG_URL")) {
            QSKIP("ASTRA_TEST_PG_URL is not set; the test script starts PostgreSQL and sets it");
        }
        const QString script = QStringLiteral(ASTRA_SOURCE_DIR "/tests/scripts/pg-server.sh");
        // Reachable by the postgres user the script runs the server as when the test runs as root.
        QTemporaryDir serverParent;
        QVERIFY(QFile::setPermissions(serverParent.path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                          | QFileDevice::ExeGroup | QFileDevice::ExeOther));
        const QString serverDir = QDir(serverParent.path()).filePath(QStringLiteral("server"));
        // The script chooses a port no outgoing connection can hold, and keeps it for the restart.
        auto started = test::runProgram(QStringLiteral("bash"), {script, QStringLiteral("start"), serverDir});
        QVERIFY2(started.exitCode == 0, qPrintable(test::describe(started)));
        const auto stopServer = qScopeGuard([&] {
            test::runProgram(QStringLiteral("bash"), {script, QStringLiteral("stop"), serverDir});
        });
        m_repo = std::make_unique<test::TempRepo>();
        m_repo->write(QStringLiteral(".astra.toml"), teamConfig);
        m_repo->commitAll(QStringLiteral("initial"));
        m_options = WorkspaceOptions();
        m_options.repoPath = m_repo->path();
        m_options.dbUrl = started.out.trimmed();
        QVERIFY(Workspace::init(m_options).ok());

        WorkspaceWatcher watcher;
        watcher.setOptions(m_options);
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::statusLoaded);
        QSignalSpy changed(&watcher, &WorkspaceWatcher::stateChanged);
        QSignalSpy lost(&watcher, &WorkspaceWatcher::connectionLost);
        QSignalSpy restored(&watcher, &WorkspaceWatcher::connectionRestored);
        watcher.refresh();
        QVERIFY(loaded.wait(30000));

        // Another process decides: the workstation hears of it within a second of it ending.
        auto added = test::runAstra({QStringLiteral("--db"),
                                     m_options.dbUrl,
                                     QStringLiteral("goal"),
                                     QStringLiteral("add"),
                                     QStringLiteral("From another process")},
                                    m_repo->path());
        QCOMPARE(added.exitCode, 0);
        QElapsedTimer sinceExit;
        sinceExit.start();
        QVERIFY(changed.count() > 0 || changed.wait(5000));
        QVERIFY2(sinceExit.elapsed() < 1000, qPrintable(QString::number(sinceExit.elapsed())));

        // The server goes away: said, while the views keep what they show.
        auto paused = test::runProgram(QStringLiteral("bash"), {script, QStringLiteral("pause"), serverDir});
        QVERIFY2(paused.exitCode == 0, qPrintable(test::describe(paused)));
        QVERIFY(lost.wait(15000));
        QVERIFY(watcher.isAway());
        QVERIFY(!lost.constFirst().constFirst().toString().isEmpty());

        // Back, and a change made before the workstation noticed: it reconnects and catches up.
        auto resumed = test::runProgram(QStringLiteral("bash"), {script, QStringLiteral("resume"), serverDir});
        QVERIFY2(resumed.exitCode == 0, qPrintable(test::describe(resumed)));
        auto other = Workspace::open(m_options);
        QVERIFY2(other.ok(), qPrintable(other.message()));
        QVERIFY((*other)->addUserGoal(QStringLiteral("While the workstation was away"), {}).ok());
        changed.clear();
        loaded.clear();
        QVERIFY(restored.wait(15000));
        QVERIFY(!watcher.isAway());
        QVERIFY(changed.count() > 0 || changed.wait(5000));
        watcher.refresh();
        QVERIFY(loaded.wait(30000));
        const auto status = loaded.constLast().constFirst().value<WorkspaceStatus>();
        QCOMPARE(status.openGoals, 2);
        // And it hears of changes again: the notifications were set up anew.
        changed.clear();
        QVERIFY((*other)->addUserGoal(QStringLiteral("After the return"), {}).ok());
        QVERIFY(changed.wait(5000));
        watcher.waitForIdle();
    }

    // A worker on a machine that reaches the team's repository only by URL works in a clone of
    // its own that follows it (git config astra.remote): it fetches the target and the
    // modification branches, moves its target only forward to the team's, and pushes every
    // branch and revision it writes before the database names it. When the push is refused or
    // the team's repository cannot be reached, nothing is recorded and nothing is left.
    void aWorkerFollowsTheTeamRepositoryByUrl_data()
    {
        databases_data();
    }
    void aWorkerFollowsTheTeamRepositoryByUrl()
    {
        QFETCH(QString, database);
        makeWorkspace(database);
        // The team's repository served on loopback by git's own server, as a git host would.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        const QFileInfo served(m_repo->path());
        QProcess daemon;
        daemon.setProcessChannelMode(QProcess::ForwardedChannels);
        daemon.start(QStringLiteral("git"),
                     {QStringLiteral("daemon"),
                      QStringLiteral("--reuseaddr"),
                      QStringLiteral("--export-all"),
                      QStringLiteral("--enable=receive-pack"),
                      QStringLiteral("--listen=127.0.0.1"),
                      QStringLiteral("--port=%1").arg(port),
                      QStringLiteral("--base-path=") + served.absolutePath()});
        QVERIFY(daemon.waitForStarted());
        const auto stopDaemon = qScopeGuard([&] {
            daemon.terminate();
            daemon.waitForFinished();
        });
        const QString url = QStringLiteral("git://127.0.0.1:%1/%2").arg(port).arg(served.fileName());
        QTemporaryDir cloneDir;
        const QString clonePath = cloneDir.filePath(QStringLiteral("clone"));
        QElapsedTimer listening;
        listening.start();
        QProcess clone;
        for (;;) {
            clone.start(QStringLiteral("git"), {QStringLiteral("clone"), QStringLiteral("-q"), url, clonePath});
            QVERIFY(clone.waitForFinished());
            if (clone.exitCode() == 0 || listening.elapsed() > 10000) {
                break;
            }
            QThread::msleep(100); // the server is not listening yet
        }
        QVERIFY2(clone.exitCode() == 0, clone.readAllStandardError().constData());
        auto inClone = [&](const QStringList &args) {
            return m_repo->git(QStringList{QStringLiteral("-C"), clonePath} + args).trimmed();
        };
        inClone({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Build Machine")});
        inClone({QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("build@example.org")});
        inClone({QStringLiteral("config"), QStringLiteral("astra.remote"), QStringLiteral("origin")});
        WorkspaceOptions cloneOptions = m_options;
        cloneOptions.repoPath = clonePath;
        auto worker = Workspace::open(cloneOptions);
        QVERIFY2(worker.ok(), qPrintable(worker.message()));
        auto moved = (*worker)->followTeamRepository();
        QVERIFY2(moved.ok(), qPrintable(moved.message()));
        QVERIFY(!*moved);
        auto teamHead = [&](const QString &ref) {
            return m_repo->git({QStringLiteral("for-each-ref"), QStringLiteral("--format=%(objectname)"), ref})
                .trimmed();
        };

        // A branch written in the clone is in the team's repository before its row.
        auto goal = m_workspace->addUserGoal(QStringLiteral("Change by a remote worker"), {QStringLiteral("src/")});
        QVERIFY(goal.ok());
        ChangeSet changes;
        changes.files = {writeFile("src/b.txt", "b\n"), writeFile("src/c.txt", "c\n")};
        auto created = (*worker)->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(teamHead(QStringLiteral("refs/heads/") + created->branch), created->headCommit);

        // A revision made there (a reviewer's rejected file taken out) is pushed with its refs.
        QVERIFY((*worker)->revisions().decide(created->id,
                                              QStringLiteral("src/c.txt"),
                                              std::nullopt,
                                              QStringLiteral("rejected")));
        auto revised = (*worker)->revisions().applyDecisions(created->id);
        QVERIFY2(revised.ok(), qPrintable(revised.message()));
        QVERIFY(revised->headCommit != created->headCommit);
        QCOMPARE(teamHead(QStringLiteral("refs/heads/") + created->branch), revised->headCommit);
        QCOMPARE(teamHead(QStringLiteral("refs/astra/modifications/%1/1").arg(created->id)), created->headCommit);
        QCOMPARE(teamHead(QStringLiteral("refs/astra/modifications/%1/2").arg(created->id)), revised->headCommit);

        // Decided in the team's repository; the worker's target follows, and its next change is
        // made on the merged head.
        QVERIFY2(m_workspace->testModification(created->id).ok(), "testing in the team's repository");
        QVERIFY(m_workspace->approveModification(created->id, {}).ok());
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        moved = (*worker)->followTeamRepository();
        QVERIFY2(moved.ok(), qPrintable(moved.message()));
        QVERIFY(*moved);
        QCOMPARE(inClone({QStringLiteral("rev-parse"), QStringLiteral("main")}), merged->mergeCommit);
        QVERIFY(QFile::exists(clonePath + QStringLiteral("/src/b.txt"))); // checked out, safely
        worker = Workspace::open(cloneOptions);
        QVERIFY(worker.ok());
        changes.files = {writeFile("src/d.txt", "d\n")};
        auto second = (*worker)->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY2(second.ok(), qPrintable(second.message()));
        QCOMPARE(second->baseCommit, merged->mergeCommit);

        // A change made in the team's repository since this clone last followed it is fetched
        // when the worker needs it (here, to test it).
        changes.files = {writeFile("src/t.txt", "t\n")};
        auto elsewhere = m_workspace->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY(elsewhere.ok());
        auto tested = (*worker)->testModification(elsewhere->id);
        QVERIFY2(tested.ok(), qPrintable(tested.message()));
        QCOMPARE(toString(tested->status), QStringLiteral("awaiting_approval"));
        // Decisions that move the target are made in the team's repository, not here.
        QVERIFY((*worker)->approveModification(elsewhere->id, {}).ok());
        auto mergedHere = (*worker)->mergeModification(elsewhere->id);
        QVERIFY(!mergedHere.ok());
        QCOMPARE(mergedHere.error().kind, ErrorKind::Refused);
        QVERIFY2(mergedHere.message().contains(QStringLiteral("git config astra.remote")),
                 qPrintable(mergedHere.message()));
        QCOMPARE(toString((*worker)->modification(elsewhere->id)->status), QStringLiteral("approved"));

        // The team's repository refuses the branch (it has one of that name elsewhere): no row,
        // no branch left in the clone, no ledger entry, and the error says what was refused.
        auto before = m_workspace->modifications(std::nullopt);
        QVERIFY(before.ok());
        const qint64 nextId = elsewhere->id + 1;
        const QString taken = QStringLiteral("astra/goal-%1-%2").arg(goal->id).arg(nextId);
        const QString unrelated = m_repo
                                      ->git({QStringLiteral("commit-tree"),
                                             QStringLiteral("main^{tree}"),
                                             QStringLiteral("-m"),
                                             QStringLiteral("unrelated")})
                                      .trimmed();
        m_repo->git({QStringLiteral("branch"), taken, unrelated});
        const int createdEntries = countEvents(*m_workspace, QStringLiteral("modification_created"));
        changes.files = {writeFile("src/e.txt", "e\n")};
        auto refused = (*worker)->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.message().contains(QStringLiteral("team's repository origin")), qPrintable(refused.message()));
        QCOMPARE(m_workspace->modifications(std::nullopt)->size(), before->size());
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("modification_created")), createdEntries);
        QVERIFY(inClone({QStringLiteral("branch"), QStringLiteral("--list"), taken}).isEmpty());
        m_repo->git({QStringLiteral("branch"), QStringLiteral("-D"), taken});

        // A clone whose target has commits the team's has not: refused, nothing moved.
        QFile local(clonePath + QStringLiteral("/src/local.txt"));
        QVERIFY(local.open(QIODevice::WriteOnly) && local.write("mine\n") == 5);
        local.close();
        inClone({QStringLiteral("add"), QStringLiteral("src/local.txt")});
        inClone({QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("local work")});
        const QString localHead = inClone({QStringLiteral("rev-parse"), QStringLiteral("main")});
        moved = (*worker)->followTeamRepository();
        QVERIFY(!moved.ok());
        QVERIFY2(moved.message().contains(QStringLiteral("git reset --keep")), qPrintable(moved.message()));
        QCOMPARE(inClone({QStringLiteral("rev-parse"), QStringLiteral("main")}), localHead);
        inClone({QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--keep"), QStringLiteral("HEAD~1")});

        // The team's repository out of reach: the fetch says where and what to check, and a
        // change is not recorded, since it could not be pushed.
        inClone({QStringLiteral("remote"),
                 QStringLiteral("set-url"),
                 QStringLiteral("origin"),
                 QStringLiteral("git://127.0.0.1:%1/gone").arg(port)});
        moved = (*worker)->followTeamRepository();
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().kind, ErrorKind::Transient);
        QVERIFY2(moved.message().contains(QStringLiteral("git fetch origin")), qPrintable(moved.message()));
        auto unpushed = (*worker)->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY(!unpushed.ok());
        QCOMPARE(m_workspace->modifications(std::nullopt)->size(), before->size());
        QVERIFY(
            inClone({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/*")}).split(u'\n').size()
            == 3);
        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified.ok() && verified->intact);
    }

    // [team] required_approvals and separate_duties: the importer cannot approve, nobody
    // approves twice, a merge short of the approvals is refused; people are asked to review.
    void separationOfDuties()
    {
        makeWorkspace(QStringLiteral("sqlite"), "[team]\nrequired_approvals = 2\nseparate_duties = true\n");
        const auto actAs = [&](const char *email) {
            m_repo->git({QStringLiteral("config"), QStringLiteral("user.email"), QString::fromLatin1(email)});
        };
        actAs("alice@example.org");
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent")});
        m_repo->write(QStringLiteral("src/b.txt"), "b\n");
        m_repo->commitAll(QStringLiteral("Add b"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto imported = m_workspace->proposeBranch(QStringLiteral("agent"), std::nullopt, QString());
        QVERIFY2(imported.ok(), qPrintable(imported.message()));
        const qint64 id = imported->id;
        QVERIFY(m_workspace->testModification(id).ok());

        auto assigned =
            m_workspace->assignReviewers(id,
                                         {QStringLiteral("Bob@Example.org"), QStringLiteral("carol@example.org")},
                                         true);
        QVERIFY2(assigned.ok(), qPrintable(assigned.message()));
        QCOMPARE(assigned->assignees,
                 (QStringList{QStringLiteral("bob@example.org"), QStringLiteral("carol@example.org")}));
        QVERIFY(!m_workspace->assignReviewers(id, {QStringLiteral("bob@example.org")}, true).ok());
        QVERIFY(!m_workspace->assignReviewers(id, {QStringLiteral("two words")}, true).ok());

        const int before = countEvents(*m_workspace, QStringLiteral("modification_approval_recorded"));
        auto self = m_workspace->approveModification(id, {});
        QVERIFY(!self.ok());
        QVERIFY2(self.message().contains(QStringLiteral("alice@example.org cannot approve"))
                     && self.message().contains(QStringLiteral("separate_duties")),
                 qPrintable(self.message()));

        actAs("bob@example.org");
        auto first = m_workspace->approveModification(id, {});
        QVERIFY2(first.ok(), qPrintable(first.message()));
        QCOMPARE(toString(first->status), QStringLiteral("awaiting_approval"));
        QCOMPARE(countEvents(*m_workspace, QStringLiteral("modification_approval_recorded")), before + 1);
        auto twice = m_workspace->approveModification(id, {});
        QVERIFY(!twice.ok());
        QVERIFY2(twice.message().contains(QStringLiteral("already")), qPrintable(twice.message()));
        auto early = m_workspace->mergeModification(id);
        QVERIFY(!early.ok());

        actAs("carol@example.org");
        auto second = m_workspace->approveModification(id, {});
        QVERIFY2(second.ok(), qPrintable(second.message()));
        QCOMPARE(toString(second->status), QStringLiteral("approved"));
        auto shown = m_workspace->modification(id);
        QVERIFY(shown.ok());
        QCOMPARE(shown->approvers.size(), 2);
        auto merged = m_workspace->mergeModification(id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        const QString message = m_repo->git(
            {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%B"), QStringLiteral("main")});
        QVERIFY2(message.contains(QStringLiteral("Approved-by: Test Person <bob@example.org>"))
                     && message.contains(QStringLiteral("Approved-by: Test Person <carol@example.org>")),
                 qPrintable(message));
    }

    // A merge short of the approvals: refused, naming the setting, and nothing moved.
    void aMergeShortOfApprovalsIsRefused()
    {
        makeWorkspace(QStringLiteral("sqlite"));
        auto goal = m_workspace->addUserGoal(QStringLiteral("Change"), {QStringLiteral("src/")});
        QVERIFY(goal.ok());
        ChangeSet changes;
        changes.files = {writeFile("src/c.txt", "c\n")};
        auto created = m_workspace->createModification(goal->id, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, {}).ok());
        // The team raises the bar after the approval.
        m_repo->write(QStringLiteral(".astra.toml"), QByteArray(teamConfig) + "[team]\nrequired_approvals = 2\n");
        m_repo->commitAll(QStringLiteral("Two approvals"));
        auto reopened = Workspace::open(m_options);
        QVERIFY(reopened.ok());
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")});
        auto refused = (*reopened)->mergeModification(created->id);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.message().contains(QStringLiteral("1 of the 2"))
                     && refused.message().contains(QStringLiteral("required_approvals")),
                 qPrintable(refused.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}), head);
    }
};

QTEST_GUILESS_MAIN(TestTeam)
#include "tst_team.moc"
