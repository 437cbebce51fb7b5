#include "model/goalstatemachine.h"
#include "store/goalrepository.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QTemporaryDir>
#include <QTest>

using namespace astra;

class TestGoals : public QObject
{
    Q_OBJECT
    QTemporaryDir m_scratch;

    // A row per database: an empty URL (SQLite beside the repository), and a fresh PostgreSQL
    // database when the test script started a server.
    void databases()
    {
        QTest::addColumn<QString>("dbUrl");
        for (const auto &database : test::testDatabases(m_scratch.path())) {
            QTest::newRow(qPrintable(database.first))
                << (database.first == u"sqlite" ? QString() : test::databaseUrl(database.second));
        }
    }

private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<GoalState>("from");
        QTest::addColumn<GoalState>("to");
        QTest::addColumn<bool>("legal");
        using S = GoalState;
        const QMap<S, QList<S>> legal = {
            {S::Proposed, {S::Active, S::Rejected, S::Abandoned}},
            // An imported change is the work without a plan.
            {S::Active, {S::Planned, S::AwaitingReview, S::Failed, S::Abandoned}},
            {S::Planned, {S::Executing, S::Active, S::AwaitingReview, S::Failed, S::Abandoned}},
            {S::Executing, {S::AwaitingReview, S::Failed, S::Abandoned}},
            {S::AwaitingReview, {S::Completed, S::Executing, S::Failed, S::Abandoned}},
            {S::Completed, {S::Proposed}}, // reopened by a rollback
            {S::Rejected, {}},
            {S::Failed, {}},
            {S::Abandoned, {}},
        };
        for (S from : allGoalStates()) {
            for (S to : allGoalStates()) {
                QTest::addRow("%s -> %s", qPrintable(toString(from)), qPrintable(toString(to)))
                    << from << to << legal.value(from).contains(to);
            }
        }
    }
    void transitions()
    {
        QFETCH(GoalState, from);
        QFETCH(GoalState, to);
        QFETCH(bool, legal);
        Goal goal;
        goal.id = 7;
        goal.state = from;
        const Status checked = GoalStateMachine::check(goal, to);
        QCOMPARE(checked.ok(), legal);
        if (!legal) {
            QCOMPARE(checked.error().kind, ErrorKind::Refused);
            QVERIFY(checked.message().contains(QStringLiteral("Goal 7")));
            QVERIFY(checked.message().contains(toString(from)));
            QVERIFY(checked.message().contains(toString(to)));
            for (GoalState next : GoalStateMachine::legalNextStates(from)) {
                QVERIFY2(checked.message().contains(toString(next)), qPrintable(checked.message()));
            }
        }
    }

    void stateNamesRoundTrip()
    {
        for (GoalState state : allGoalStates()) {
            QCOMPARE(goalStateFromString(toString(state)), std::optional<GoalState>(state));
        }
        QVERIFY(!goalStateFromString(QStringLiteral("done")));
    }

    // The store's goal life cycle on SQLite and on PostgreSQL.
    void workspaceGoalLifeCycle_data()
    {
        databases();
    }
    void workspaceGoalLifeCycle()
    {
        QFETCH(QString, dbUrl);
        test::TempRepo repo;
        QVERIFY(repo.isValid());
        repo.write(QStringLiteral("src/a.cpp"), "int a;\n");
        repo.commitAll(QStringLiteral("first"));
        WorkspaceOptions options;
        options.repoPath = repo.path();
        options.dbUrl = dbUrl;
        auto init = Workspace::init(options);
        QVERIFY2(init.ok(), qPrintable(init.message()));
        auto opened = Workspace::open(options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        Workspace &workspace = **opened;
        const qint64 entriesAfterInit = workspace.ledger().head()->seq;
        QCOMPARE(entriesAfterInit, qint64(1));

        auto goal = workspace.addUserGoal(QStringLiteral("  Tidy   a.cpp "), {QStringLiteral("src/a.cpp")});
        QVERIFY2(goal.ok(), qPrintable(goal.message()));
        QCOMPARE(goal->title, QStringLiteral("Tidy   a.cpp"));
        QCOMPARE(toString(goal->state), toString(GoalState::Proposed));
        QCOMPARE(toString(goal->source), toString(GoalSource::User));
        QCOMPARE(goal->files(), QStringList{QStringLiteral("src/a.cpp")});
        QVERIFY(goal->createdBy.contains(QStringLiteral("Test Person <test@example.org>")));

        auto approved = workspace.applyGoalAction(goal->id, GoalAction::Approve, QString());
        QVERIFY2(approved.ok(), qPrintable(approved.message()));
        QCOMPARE(toString(approved->state), toString(GoalState::Active));
        QCOMPARE(approved->version, 2);

        auto entries = workspace.ledger().entries(entriesAfterInit).value();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).event, QStringLiteral("goal_created"));
        QCOMPARE(entries.at(0).subject, QStringLiteral("goal:%1").arg(goal->id));
        QCOMPARE(entries.at(1).event, QStringLiteral("goal_approved"));
        QCOMPARE(entries.at(1).meta.value(QStringLiteral("from")).toString(), QStringLiteral("proposed"));
        QCOMPARE(entries.at(1).meta.value(QStringLiteral("to")).toString(), QStringLiteral("active"));

        // An illegal transition is refused and leaves no trace.
        auto again = workspace.applyGoalAction(goal->id, GoalAction::Reject, QStringLiteral("no"));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Refused);
        QVERIFY2(again.message().contains(QStringLiteral("planned, awaiting_review, failed, abandoned")),
                 qPrintable(again.message()));
        QCOMPARE(workspace.ledger().head()->seq, entriesAfterInit + 2);
        QCOMPARE(toString(workspace.goal(goal->id)->state), toString(GoalState::Active));

        // The checkpoint follows every decision.
        auto verified = workspace.verifyLedger();
        QVERIFY(verified.ok());
        QVERIFY(verified->intact);
        QVERIFY(verified->checkpoint.has_value());
        QCOMPARE(verified->checkpoint->seq, entriesAfterInit + 2);

        auto missing = workspace.applyGoalAction(999, GoalAction::Approve, QString());
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);

        auto noTitle = workspace.addUserGoal(QStringLiteral("   "), {});
        QCOMPARE(noTitle.error().kind, ErrorKind::Invalid);
        auto outside = workspace.addUserGoal(QStringLiteral("x"), {QStringLiteral("../etc/passwd")});
        QCOMPARE(outside.error().kind, ErrorKind::Invalid);
        QVERIFY(outside.message().contains(QStringLiteral("../etc/passwd")));
        QCOMPARE(workspace.goals()->size(), 1);
    }

    void optimisticLocking_data()
    {
        databases();
    }
    void optimisticLocking()
    {
        QFETCH(QString, dbUrl);
        test::TempRepo repo;
        repo.write(QStringLiteral("README"), "x\n");
        repo.commitAll(QStringLiteral("first"));
        WorkspaceOptions options;
        options.repoPath = repo.path();
        options.dbUrl = dbUrl;
        QVERIFY(Workspace::init(options).ok());
        auto opened = Workspace::open(options);
        QVERIFY(opened.ok());
        Workspace &workspace = **opened;
        auto goal = workspace.addUserGoal(QStringLiteral("Something"), {});
        QVERIFY(goal.ok());
        const Goal stale = *goal;
        QVERIFY(workspace.applyGoalAction(goal->id, GoalAction::Approve, QString()).ok());
        const qint64 head = workspace.ledger().head()->seq;

        // A second reviewer acting on what they read before the first one's change.
        Database &db = workspace.database();
        Result<Goal> lost = makeError(QString());
        Status done = db.writeTransaction([&]() -> Status {
            GoalRepository repository(db);
            lost = repository.updateState(stale, GoalState::Rejected, QStringLiteral("late"));
            return lost ? Status() : Status(lost.error());
        });
        QVERIFY(!done.ok());
        QCOMPARE(lost.error().kind, ErrorKind::Conflict);
        QVERIFY(lost.message().contains(QStringLiteral("changed by someone else")));
        QCOMPARE(toString(workspace.goal(goal->id)->state), toString(GoalState::Active));
        QCOMPARE(workspace.ledger().head()->seq, head);
    }

    void fingerprintIgnoresFileOrderAndSpacing()
    {
        QCOMPARE(
            goalFingerprint(QStringLiteral("k"), QStringLiteral("Fix  It"), {QStringLiteral("b"), QStringLiteral("a")}),
            goalFingerprint(QStringLiteral("k"), QStringLiteral("fix it"), {QStringLiteral("a"), QStringLiteral("b")}));
        QVERIFY(goalFingerprint(QStringLiteral("k"), QStringLiteral("x"), {})
                != goalFingerprint(QStringLiteral("k"), QStringLiteral("y"), {}));
    }
};

QTEST_GUILESS_MAIN(TestGoals)
#include "tst_goals.moc"
