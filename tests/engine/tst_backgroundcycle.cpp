#include "testsupport.h"
#include "workspace/backgroundcycle.h"

#include <QSignalSpy>
#include <QTest>

using namespace astra;

// The workstation's timer-driven turns: due jobs run, detection waits for its interval, and
// turns never overlap; results arrive through a signal on the caller's thread.
class TestBackgroundCycle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void turnsRunDueJobsAndDetectOnTheirInterval()
    {
        test::TempRepo repo;
        repo.write(QStringLiteral(".astra.toml"),
                   "[tests]\ncommand = \"true\"\nsandbox = \"none\"\n[[jobs]]\nname = \"check\"\ncommand = \"true\"\n"
                   "every = \"1h\"\n[generator]\ninterval = \"1h\"\n");
        repo.commitAll(QStringLiteral("initial"));
        WorkspaceOptions options;
        options.repoPath = repo.path();
        QVERIFY(Workspace::init(options).ok());

        BackgroundCycle cycle;
        cycle.setOptions(options);
        QSignalSpy finished(&cycle, &BackgroundCycle::turnFinished);
        QSignalSpy running(&cycle, &BackgroundCycle::runningChanged);
        QVERIFY(cycle.runNow());
        QVERIFY(cycle.isRunning());
        QVERIFY(!cycle.runNow()); // never two at once
        QVERIFY(finished.wait(60000));
        QList<QVariant> turn = finished.takeFirst();
        QCOMPARE(turn.at(0).value<CycleReport>().jobRuns.size(), 1);
        QCOMPARE(turn.at(0).value<CycleReport>().jobRuns.first().jobName, QStringLiteral("check"));
        QCOMPARE(turn.at(1).toBool(), true);
        QCOMPARE(running.size(), 2);

        QVERIFY(cycle.runNow());
        QVERIFY(finished.wait(60000));
        turn = finished.takeFirst();
        QCOMPARE(turn.at(0).value<CycleReport>().jobRuns.size(), 0); // not due within the hour
        QCOMPARE(turn.at(1).toBool(), false); // nor the detectors

        auto workspace = Workspace::open(options);
        QVERIFY(workspace.ok());
        QCOMPARE((*workspace)->jobRuns(QStringLiteral("check"))->size(), 1);
    }

    void aBrokenWorkspaceIsReported()
    {
        QTemporaryDir dir;
        BackgroundCycle cycle;
        WorkspaceOptions options;
        options.repoPath = dir.path();
        cycle.setOptions(options);
        QSignalSpy failed(&cycle, &BackgroundCycle::turnFailed);
        QVERIFY(cycle.runNow());
        QVERIFY(failed.wait(30000));
        QVERIFY(!failed.first().at(0).toString().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBackgroundCycle)
#include "tst_backgroundcycle.moc"
