#include "model/goalstatemachine.h"
#include "store/goalrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "store/transitions.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QRegularExpression>
#include <QtTest>

#include <memory>

using namespace astra;

namespace {
struct Fixture
{
    std::unique_ptr<test::TempRepo> repo;
    std::unique_ptr<Workspace> workspace;
};

std::unique_ptr<Fixture> open(const DatabaseLocation &location)
{
    auto fixture = std::make_unique<Fixture>();
    fixture->repo = std::make_unique<test::TempRepo>();
    fixture->repo->write(QStringLiteral("src/a.txt"), "a\n");
    fixture->repo->commitAll(QStringLiteral("first"));
    WorkspaceOptions options;
    options.repoPath = fixture->repo->path();
    options.dbUrl = test::databaseUrl(location);
    if (!Workspace::init(options)) {
        return nullptr;
    }
    auto opened = Workspace::open(options);
    if (!opened) {
        return nullptr;
    }
    fixture->workspace = std::move(*opened);
    return fixture;
}

qint64 ledgerSize(Workspace &workspace)
{
    auto entries = workspace.ledger().entries();
    return entries ? entries->size() : -1;
}
} // namespace

// The one transition primitive: state machine, optimistic version and ledger entry together,
// on SQLite and on PostgreSQL.
class TestTransitions : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_databases = test::testDatabases(m_dir.path());
    }

    void goalMovesWithItsLedgerEntry()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Workspace &workspace = *fixture->workspace;
            auto goal = workspace.addUserGoal(QStringLiteral("move me"), {});
            QVERIFY(goal);
            Database &db = workspace.database();
            Ledger ledger = workspace.ledger();
            auto moved = db.writeTransaction([&] {
                return Transitions(db, ledger)
                    .goal(*goal,
                          GoalState::Active,
                          TransitionCause{QStringLiteral("tester"), QStringLiteral("looks right"), {}});
            });
            QVERIFY2(moved, qPrintable(moved.message()));
            QCOMPARE(toString(moved->state), toString(GoalState::Active));
            QCOMPARE(moved->version, goal->version + 1);
            auto entries = ledger.entries();
            QVERIFY(entries);
            const LedgerEntry last = entries->constLast();
            QCOMPARE(last.event, QStringLiteral("goal_approved"));
            QCOMPARE(last.subject, QStringLiteral("goal:%1").arg(goal->id));
            QCOMPARE(last.actor, QStringLiteral("tester"));
            QCOMPARE(last.meta.value(QStringLiteral("from")).toString(), QStringLiteral("proposed"));
            QCOMPARE(last.meta.value(QStringLiteral("to")).toString(), QStringLiteral("active"));
            QCOMPARE(last.meta.value(QStringLiteral("reason")).toString(), QStringLiteral("looks right"));
            QCOMPARE(qint64(last.meta.value(QStringLiteral("version")).toDouble()), moved->version);
        }
    }

    void illegalMovesAreRefusedAndWriteNothing()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Workspace &workspace = *fixture->workspace;
            auto goal = workspace.addUserGoal(QStringLiteral("stay proposed"), {});
            QVERIFY(goal);
            Database &db = workspace.database();
            Ledger ledger = workspace.ledger();
            const qint64 before = ledgerSize(workspace);
            auto refused = db.writeTransaction([&] {
                return Transitions(db, ledger).goal(*goal, GoalState::Completed, TransitionCause{QStringLiteral("t")});
            });
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, ErrorKind::Refused);
            QVERIFY2(refused.message().contains(QStringLiteral("'proposed' and cannot move to 'completed'")),
                     qPrintable(refused.message()));

            // A plan that failed cannot be approved; a queued task cannot succeed without running.
            PlanRecord plan;
            plan.goalId = goal->id;
            plan.domain = QStringLiteral("test");
            plan.outcome = QStringLiteral("solved");
            TaskRecord task;
            task.kind = QStringLiteral("step");
            auto stored = db.writeTransaction([&] { return PlanRepository(db).insert(plan, {task}, {}); });
            QVERIFY2(stored, qPrintable(stored.message()));
            auto failed = db.writeTransaction([&] {
                return Transitions(db, ledger).plan(*stored, PlanState::Failed, TransitionCause{QStringLiteral("t")});
            });
            QVERIFY2(failed, qPrintable(failed.message()));
            QCOMPARE(ledger.entries()->constLast().event, QStringLiteral("plan_failed"));
            const qint64 afterFailing = ledgerSize(workspace);
            auto approved = db.writeTransaction([&] {
                return Transitions(db, ledger).plan(*failed, PlanState::Approved, TransitionCause{QStringLiteral("t")});
            });
            QVERIFY(!approved);
            QVERIFY2(approved.message().contains(QStringLiteral("Plan %1 is 'failed'").arg(stored->id)),
                     qPrintable(approved.message()));
            auto tasks = TaskRepository(db).forPlan(stored->id);
            QVERIFY(tasks && tasks->size() == 1);
            TaskRecord done = tasks->first();
            done.state = TaskState::Succeeded;
            auto skipped = db.writeTransaction([&] {
                return Transitions(db, ledger)
                    .task(tasks->first(),
                          done,
                          TransitionCause{QStringLiteral("t"), {}, {}, QStringLiteral("task_succeeded")});
            });
            QVERIFY(!skipped);
            QCOMPARE(skipped.error().kind, ErrorKind::Refused);
            QCOMPARE(ledgerSize(workspace), afterFailing);
            QVERIFY(before < afterFailing);
            auto reread = GoalRepository(db).find(goal->id);
            QVERIFY(reread);
            QCOMPARE(toString(reread->state), toString(GoalState::Proposed));
            QCOMPARE(reread->version, goal->version);
        }
    }

    void staleVersionIsAConflict()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Workspace &workspace = *fixture->workspace;
            auto goal = workspace.addUserGoal(QStringLiteral("raced"), {});
            QVERIFY(goal);
            QVERIFY(workspace.applyGoalAction(goal->id, GoalAction::Approve, {}));
            const qint64 before = ledgerSize(workspace);
            Database &db = workspace.database();
            Ledger ledger = workspace.ledger();
            // `goal` is the proposed goal as read before someone else approved it.
            auto lost = db.writeTransaction([&] {
                return Transitions(db, ledger)
                    .goal(*goal, GoalState::Rejected, TransitionCause{QStringLiteral("late")});
            });
            QVERIFY(!lost);
            QCOMPARE(lost.error().kind, ErrorKind::Conflict);
            QCOMPARE(ledgerSize(workspace), before);
            QCOMPARE(toString(GoalRepository(db).find(goal->id)->state), toString(GoalState::Active));
        }
    }

    void aLaterFailureRollsBackTheMoveAndItsEntry()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Workspace &workspace = *fixture->workspace;
            auto goal = workspace.addUserGoal(QStringLiteral("rolled back"), {});
            QVERIFY(goal);
            const qint64 before = ledgerSize(workspace);
            Database &db = workspace.database();
            Ledger ledger = workspace.ledger();
            auto failed = db.writeTransaction([&]() -> Result<Goal> {
                auto moved =
                    Transitions(db, ledger).goal(*goal, GoalState::Active, TransitionCause{QStringLiteral("t")});
                if (!moved) {
                    return moved.error();
                }
                return makeError(QStringLiteral("the next step failed"));
            });
            QVERIFY(!failed);
            QCOMPARE(failed.message(), QStringLiteral("the next step failed"));
            QCOMPARE(ledgerSize(workspace), before);
            QCOMPARE(toString(GoalRepository(db).find(goal->id)->state), toString(GoalState::Proposed));
            QVERIFY(workspace.verifyLedger()->intact);
        }
    }

    void outsideATransactionNothingIsWritten()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Workspace &workspace = *fixture->workspace;
            auto goal = workspace.addUserGoal(QStringLiteral("no transaction"), {});
            QVERIFY(goal);
            Database &db = workspace.database();
            Ledger ledger = workspace.ledger();
            QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("soft assertion failed")));
            auto moved = Transitions(db, ledger).goal(*goal, GoalState::Active, TransitionCause{QStringLiteral("t")});
            QVERIFY(!moved);
            QVERIFY2(moved.message().contains(QStringLiteral("nothing was written")), qPrintable(moved.message()));
            QCOMPARE(toString(GoalRepository(db).find(goal->id)->state), toString(GoalState::Proposed));
        }
    }

    void writeTransactionReturnsTheBodysValue()
    {
        for (const auto &database : std::as_const(m_databases)) {
            const QString &name = database.first;
            auto fixture = open(database.second);
            QVERIFY2(fixture, qPrintable(name));
            Database &db = fixture->workspace->database();
            auto value = db.writeTransaction([]() -> Result<int> { return 42; });
            QVERIFY(value);
            QCOMPARE(*value, 42);
            Status status = db.writeTransaction([]() -> Status { return {}; });
            QVERIFY(status);
        }
    }

private:
    QTemporaryDir m_dir;
    QList<QPair<QString, DatabaseLocation>> m_databases;
};

QTEST_GUILESS_MAIN(TestTransitions)
#include "tst_transitions.moc"
