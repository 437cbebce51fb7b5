#include "testsupport.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace astra;

// The workstation's watcher keeps one workspace open on one thread of its own, and opens it
// again when .astra.toml changes or a load failed.
class TestWatcher : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_repo->write(QStringLiteral("src/a.txt"), "a\n");
        m_repo->commitAll(QStringLiteral("first"));
        m_options.repoPath = m_repo->path();
        QVERIFY(Workspace::init(m_options).ok());
    }

    void actionsRunOnOneThreadWithOneWorkspace()
    {
        WorkspaceWatcher watcher;
        watcher.setOptions(m_options);
        QSignalSpy done(&watcher, &WorkspaceWatcher::actionSucceeded);
        QList<QThread *> threads;
        QList<Workspace *> workspaces;
        for (int i = 0; i < 3; ++i) {
            watcher.perform(QStringLiteral("look %1").arg(i), [&](Workspace &workspace) -> Status {
                threads.append(QThread::currentThread());
                workspaces.append(&workspace);
                return {};
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 30000);
        watcher.waitForIdle();
        QCOMPARE(threads.size(), 3);
        QVERIFY(threads.at(0) != QThread::currentThread());
        QCOMPARE(threads.at(1), threads.at(0));
        QCOMPARE(threads.at(2), threads.at(0));
        QCOMPARE(workspaces.at(1), workspaces.at(0));
        QCOMPARE(workspaces.at(2), workspaces.at(0));

        // The recovery scan runs when the workspace opens, not per action: a branch it would
        // remove (one no modification records) survives the next action.
        const QString orphan = m_repo
                                   ->git({QStringLiteral("commit-tree"),
                                          QStringLiteral("HEAD^{tree}"),
                                          QStringLiteral("-p"),
                                          QStringLiteral("HEAD"),
                                          QStringLiteral("-m"),
                                          QStringLiteral("never recorded\n\nAstra-Goal: 99\nAstra-Modification: 99")})
                                   .trimmed();
        m_repo->git({QStringLiteral("branch"), QStringLiteral("astra/goal-99-99"), orphan});
        watcher.perform(QStringLiteral("look again"), [](Workspace &) -> Status { return {}; });
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 4, 30000);
        watcher.waitForIdle();
        QVERIFY(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/goal-99-99")})
                    .contains(QStringLiteral("astra/goal-99-99")));
        // A workspace opened anew does run it.
        QVERIFY(Workspace::open(m_options).ok());
        QVERIFY(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/goal-99-99")})
                    .trimmed()
                    .isEmpty());
    }

    void aChangedConfigurationIsReadAgain()
    {
        WorkspaceWatcher watcher;
        watcher.setOptions(m_options);
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::statusLoaded);
        QSignalSpy failed(&watcher, &WorkspaceWatcher::loadFailed);
        watcher.refresh();
        QVERIFY(loaded.wait(30000));
        QCOMPARE(loaded.takeFirst().at(0).value<WorkspaceStatus>().targetBranch, QStringLiteral("main"));

        // A broken file is reported, naming the key, and nothing stale is shown.
        m_repo->write(QStringLiteral(".astra.toml"), "[workspace]\ntarget_branch = \"HEAD\"\n");
        watcher.refresh();
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("workspace.target_branch")),
                 qPrintable(failed.first().at(0).toString()));

        // Fixed, it is read again: the next load shows the new target.
        m_repo->write(QStringLiteral(".astra.toml"), "[workspace]\ntarget_branch = \"release\"\n");
        watcher.refresh();
        QVERIFY(loaded.wait(30000));
        QCOMPARE(loaded.takeFirst().at(0).value<WorkspaceStatus>().targetBranch, QStringLiteral("release"));
    }

    // A change committed by another connection (another process, the background cycle) is
    // announced without polling, on SQLite and on PostgreSQL; the watcher's own actions are not.
    void otherConnectionsChangesAreAnnounced_data()
    {
        QTest::addColumn<QString>("dbUrl");
        for (const auto &database : test::testDatabases(m_scratch.path())) {
            QTest::newRow(qPrintable(database.first)) << test::databaseUrl(database.second);
        }
    }
    void otherConnectionsChangesAreAnnounced()
    {
        QFETCH(QString, dbUrl);
        WorkspaceOptions options = m_options;
        options.dbUrl = dbUrl;
        if (!dbUrl.isEmpty()) {
            QVERIFY(Workspace::init(options).ok());
        }
        WorkspaceWatcher watcher;
        watcher.setOptions(options);
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::statusLoaded);
        QSignalSpy changed(&watcher, &WorkspaceWatcher::stateChanged);
        watcher.refresh();
        QVERIFY(loaded.wait(30000));

        // The watcher's own action refreshes by itself and is not announced again.
        QSignalSpy done(&watcher, &WorkspaceWatcher::actionSucceeded);
        watcher.perform(QStringLiteral("add"), [](Workspace &workspace) -> Status {
            auto goal = workspace.addUserGoal(QStringLiteral("Own"), {});
            return goal ? Status() : Status(goal.error());
        });
        QVERIFY(done.wait(30000));
        QTest::qWait(300);
        QCOMPARE(changed.count(), 0);

        auto other = Workspace::open(options);
        QVERIFY2(other.ok(), qPrintable(other.message()));
        QVERIFY((*other)->addUserGoal(QStringLiteral("From elsewhere"), {}).ok());
        QVERIFY(changed.wait(10000));
        // Nothing else changes: no more announcements (no polling behind them), not even for the
        // commit that records the ledger checkpoint after the decision, however late it comes.
        changed.clear();
        QTest::qWait(500);
        QCOMPARE(changed.count(), 0);
        // A commit that only keeps books changes nothing a view shows: not announced either.
        QVERIFY((*other)->checkpointLedger().ok());
        QTest::qWait(500);
        QCOMPARE(changed.count(), 0);
    }

private:
    QTemporaryDir m_scratch;
    std::unique_ptr<test::TempRepo> m_repo;
    WorkspaceOptions m_options;
};

QTEST_GUILESS_MAIN(TestWatcher)
#include "tst_watcher.moc"
