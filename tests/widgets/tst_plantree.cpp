#include "common/mainwindow.h"
#include "kanban/goalboardmodel.h"
#include "kanban/kanbanview.h"
#include "plan/plantreemodel.h"
#include "plan/planview.h"
#include "workspace/demo.h"
#include "workspace/workspacewatcher.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>

using namespace astra;

// The plan view over a real workspace: the demo's plans, made by the planner and run by the
// scheduler.
class TestPlanTree : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    WorkspaceOptions m_options;

    PlanSnapshot load(qint64 goalId)
    {
        WorkspaceWatcher watcher;
        watcher.setOptions(m_options);
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::planLoaded);
        watcher.loadPlan(goalId);
        if (!loaded.wait(30000)) {
            return {};
        }
        return loaded.at(0).at(0).value<PlanSnapshot>();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<astra::PlanSnapshot>();
        const QString demo = m_dir.filePath(QStringLiteral("demo"));
        auto report = createDemoWorkspace(demo);
        QVERIFY2(report.ok(), qPrintable(report.message()));
        m_options.repoPath = demo;
    }

    void treeOfARunPlan()
    {
        PlanTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const PlanSnapshot snapshot = load(1);
        QVERIFY(snapshot.hasPlan);
        model.setSnapshot(snapshot);
        const QString expected = QStringLiteral(
            "fix-job-failure g1 | compound\n"
            "  → m-fix-job-failure ?g=g1 | chosen\n"
            "    read-files g1 | compound\n"
            "      → m-read-next ?g=g1 ?f=file1 | chosen\n"
            "        code_read g1 file1 (snapback/remote.py) | succeeded\n"
            "        read-files g1 | compound\n"
            "          → m-read-next ?g=g1 ?f=file2 | chosen\n"
            "            code_read g1 file2 (scripts/daily_backup.py) | succeeded\n"
            "            read-files g1 | compound\n"
            "              ✗ m-read-next ?g=g1 ?f=file1 | not applicable\n"
            "              → m-read-done ?g=g1 | chosen\n"
            "    change g1 | compound\n"
            "      ✗ m-change-with-fixits ?g=g1 | not applicable\n"
            "      → m-change-with-proposer ?g=g1 ?p=command | chosen\n"
            "        code_analyze g1 command | succeeded\n"
            "        code_modify g1 | succeeded\n"
            "    verify g1 | compound\n"
            "      → m-verify-with-tests ?g=g1 | chosen\n"
            "        code_test g1 | succeeded\n"
            "        request_review g1 | succeeded\n");
        QCOMPARE(model.dump(), expected);
        // The root costs six primitive tasks; rejected methods say why.
        const QModelIndex root = model.index(0, PlanTreeModel::CostColumn);
        QCOMPARE(root.data().toString(), QStringLiteral("6"));
        const QModelIndex change = model.index(1, 0, model.index(0, 0, model.index(0, 0)));
        const QModelIndex rejected = model.index(0, PlanTreeModel::NoteColumn, change);
        QVERIFY2(rejected.data().toString().contains(QStringLiteral("has-fixits")),
                 qPrintable(rejected.data().toString()));
        QCOMPARE(model.index(0, 0, change).data(PlanTreeModel::KindRole).toString(), QStringLiteral("rejected_method"));
    }

    void whatATaskProduced()
    {
        PlanView view;
        view.setSnapshot(load(1));
        QVERIFY(!view.canApprove()); // already approved
        PlanTreeModel *model = view.model();
        const QModelIndexList analyze = model->match(model->index(0, 0),
                                                     Qt::DisplayRole,
                                                     QStringLiteral("code_analyze g1 command"),
                                                     1,
                                                     Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(analyze.size(), 1);
        view.tree()->setCurrentIndex(analyze.constFirst());
        const QString shown = view.detail()->toPlainText();
        QVERIFY2(shown.contains(QStringLiteral("Request")) && shown.contains(QStringLiteral("Answer")),
                 qPrintable(shown));
        QVERIFY(shown.contains(QStringLiteral("Stop upload() from waiting for its own lock")));
        // The demo's agent ran contained: where, and how it ended.
        QVERIFY2(shown.contains(QStringLiteral("Sandbox bwrap")) && shown.contains(QStringLiteral("Exit code 0")),
                 qPrintable(shown));
        QVERIFY(!shown.contains(QStringLiteral("Unsandboxed")));
    }

    // The dry-run goal's plan waits for approval; approving it in the view goes through the engine.
    void approveFromTheView()
    {
        MainWindow window(m_options);
        QSignalSpy settled(&window, &MainWindow::settled);
        window.show();
        QVERIFY(settled.wait(30000));
        QVERIFY(window.showView(QStringLiteral("plan")));
        qint64 dryRun = 0;
        for (const GoalCard &card : window.kanbanView()->model()->cards()) {
            if (card.planState == u"proposed") {
                dryRun = card.goal.id;
            }
        }
        QVERIFY(dryRun > 0);
        window.kanbanView()->selectGoal(dryRun);
        QTRY_VERIFY_WITH_TIMEOUT(window.planView()->canApprove(), 30000);
        QVERIFY(window.planView()->headerText().contains(QStringLiteral("Waiting for approval")));
        window.planView()->findChild<QPushButton *>(QStringLiteral("approvePlan"))->click();
        QTRY_VERIFY_WITH_TIMEOUT(window.planView()->headerText().contains(QStringLiteral("Approved by")), 30000);
        QVERIFY(!window.planView()->canApprove());
        window.watcher()->waitForIdle();
    }
};

QTEST_MAIN(TestPlanTree)
#include "tst_plantree.moc"
