#include "common/mainwindow.h"
#include "common/sourceview.h"
#include "diff/diffmodel.h"
#include "diff/diffview.h"
#include "diff/highlighting.h"
#include "kanban/goalboardmodel.h"
#include "kanban/kanbanview.h"
#include "plan/plangraphview.h"
#include "plan/plantreemodel.h"
#include "plan/planview.h"
#include "workspace/demo.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFileInfo>
#include <QImage>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTreeView>
#include <QUrl>
#include <QXmlStreamReader>

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
            "Fix the failing job: Job daily_backup failed 3 times in the last 1d | done\n"
            "  → Read, change, then test | done\n"
            "    Read the goal's files | done\n"
            "      → Read snapback/remote.py next | done\n"
            "        1. Read snapback/remote.py | succeeded\n"
            "        Read the goal's files | done\n"
            "          → Read scripts/daily_backup.py next | done\n"
            "            2. Read scripts/daily_backup.py | succeeded\n"
            "            Read the goal's files | nothing to do\n"
            "              ✗ Read snapback/remote.py next | not taken\n"
            "              → All files are read | chosen\n"
            "    Change the files | done\n"
            "      ✗ Use the analyzer's fix-its | not taken\n"
            "      → Ask the proposer command for the change | done\n"
            "        3. Work out the change with command | succeeded\n"
            "        4. Write the change on the goal's branch | succeeded\n"
            "    Check the change | done\n"
            "      → Run the tests, then ask for a review | done\n"
            "        5. Run the tests | succeeded\n"
            "        6. Ask for a review | succeeded\n");
        QCOMPARE(model.dump(), expected);
        // The root costs what its six steps cost in the domain (@cost: 5 for working out the
        // change, 3 for the tests, 1 for the others); rejected methods say why.
        const QModelIndex root = model.index(0, PlanTreeModel::CostColumn);
        QCOMPARE(root.data().toString(), QStringLiteral("12"));
        const QModelIndex change = model.index(1, 0, model.index(0, 0, model.index(0, 0)));
        const QModelIndex rejected = model.index(0, PlanTreeModel::NoteColumn, change);
        QCOMPARE(rejected.data().toString(), QStringLiteral("no fix-its were found for this goal"));
        QCOMPARE(rejected.sibling(0, 0).data(PlanTreeModel::SourceRole).toString().section(u':', 0, 0),
                 QStringLiteral("code-maintenance.hddl"));
        // The planner's symbols one toggle away, the tree's shape unchanged.
        model.setSymbolic(true);
        QVERIFY2(rejected.data().toString().contains(QStringLiteral("(has-fixits g1) is false")),
                 qPrintable(rejected.data().toString()));
        QVERIFY(model.dump().startsWith(QStringLiteral("fix-job-failure g1 | done\n  → m-fix-job-failure ?g=g1")));
        QVERIFY(model.dump().contains(QStringLiteral("1. code_read g1 file1 | succeeded")));
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
                                                     QStringLiteral("3. Work out the change with command"),
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

    // The picture and the tree show the same plan and select together, both ways.
    void pictureAndTreeSelectTogether()
    {
        PlanView view;
        view.resize(1400, 900);
        view.show();
        view.setSnapshot(load(1));
        PlanGraphView *graph = view.graph();
        QCOMPARE(graph->nodeCount(), view.model()->snapshot().plan.nodes.size());
        // Tree -> picture.
        const QModelIndexList rejected = view.model()->match(view.model()->index(0, 0),
                                                             PlanTreeModel::KindRole,
                                                             QStringLiteral("rejected_method"),
                                                             1,
                                                             Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(rejected.size(), 1);
        view.tree()->setCurrentIndex(rejected.constFirst());
        const qint64 rejectedId = rejected.constFirst().data(PlanTreeModel::NodeIdRole).toLongLong();
        QCOMPARE(graph->selectedNode(), rejectedId);
        // Picture -> tree: a click on a step's box.
        const PlanGraphNode *step = nullptr;
        for (const PlanGraphNode &node : graph->graph().nodes) {
            if (node.kind == PlanNodeRecord::Kind::Action) {
                step = &node;
                break;
            }
        }
        QVERIFY(step);
        graph->resetZoom();
        graph->centerOn(step->box.center());
        QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->mapFromScene(step->box.center()));
        QCOMPARE(graph->selectedNode(), step->nodeId);
        QCOMPARE(view.tree()->currentIndex().data(PlanTreeModel::NodeIdRole).toLongLong(), step->nodeId);
        QVERIFY(view.detail()->toPlainText().contains(QStringLiteral("Read snapback/remote.py")));
        // The steps are drawn in their live state.
        QVERIFY(graph->svg(QStringLiteral("t")).contains(QStringLiteral("class=\"action succeeded\"")));
    }

    // What a step read, wrote and tested is loaded off the UI thread and shown: the file as read,
    // highlighted; the files written, each opening the diff there; the test run with its log.
    void whatAStepReadWroteAndTested()
    {
        PlanView view;
        view.resize(1500, 900);
        WorkspaceWatcher watcher;
        watcher.setOptions(m_options);
        connect(&view, &PlanView::stepWanted, &watcher, &WorkspaceWatcher::loadStep);
        connect(&watcher, &WorkspaceWatcher::stepLoaded, &view, &PlanView::setStepDetail);
        view.setSnapshot(load(1));
        const auto select = [&](const QString &name) {
            const QModelIndexList found = view.model()->match(view.model()->index(0, 0),
                                                              Qt::DisplayRole,
                                                              name,
                                                              1,
                                                              Qt::MatchExactly | Qt::MatchRecursive);
            QVERIFY2(found.size() == 1, qPrintable(name));
            view.tree()->setCurrentIndex(found.constFirst());
        };
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::stepLoaded);
        select(QStringLiteral("1. Read snapback/remote.py"));
        QVERIFY(loaded.wait(30000));
        QVERIFY(!view.fileView()->isHidden());
        QVERIFY2(view.fileView()->toPlainText().contains(QStringLiteral("class TargetLock")),
                 qPrintable(view.fileView()->toPlainText().left(300)));
        if (Highlighting::available()) {
            QCOMPARE(view.fileView()->language(), QStringLiteral("Python"));
        }

        select(QStringLiteral("4. Write the change on the goal's branch"));
        QVERIFY(loaded.wait(30000));
        QVERIFY(view.fileView()->isHidden());
        QVERIFY2(view.detail()->toPlainText().contains(QStringLiteral("Files written")),
                 qPrintable(view.detail()->toPlainText()));
        const QString html = view.detail()->toHtml();
        // The first file's link (the one before it opens the whole change).
        const int file = int(html.indexOf(QStringLiteral("?file=")));
        QVERIFY(file > 0);
        const int link = int(html.lastIndexOf(QStringLiteral("astra-modification:"), file));
        QString href = html.mid(link, html.indexOf(u'"', link) - link);
        href.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
        QSignalSpy opened(&view, &PlanView::modificationRequested);
        Q_EMIT view.detail()->anchorClicked(QUrl(href));
        QCOMPARE(opened.size(), 1);
        QVERIFY(opened.at(0).at(0).toLongLong() > 0);
        QVERIFY2(opened.at(0).at(1).toString().endsWith(QStringLiteral(".py")), qPrintable(href));

        select(QStringLiteral("5. Run the tests"));
        QVERIFY(loaded.wait(30000));
        const QString tested = view.detail()->toPlainText();
        QVERIFY2(tested.contains(QStringLiteral("Test run")) && tested.contains(QStringLiteral("passed")),
                 qPrintable(tested));
        QVERIFY(tested.contains(QStringLiteral("Log (end)")));
        watcher.waitForIdle();
    }

    // A file a step wrote opens the diff at that file.
    void aFileWrittenOpensTheDiffThere()
    {
        qint64 modification = 0;
        QString path;
        {
            auto workspace = Workspace::open(m_options);
            QVERIFY2(workspace.ok(), qPrintable(workspace.message()));
            auto modifications = (*workspace)->modifications();
            QVERIFY(modifications.ok());
            for (const Modification &listed : std::as_const(*modifications)) {
                auto m = (*workspace)->modification(listed.id); // with its files
                QVERIFY(m.ok());
                if (m->files.size() > 1) {
                    modification = m->id;
                    path = m->files.constLast().path; // not the first file, where the diff starts
                }
            }
        }
        QVERIFY(modification > 0);
        MainWindow window(m_options);
        QSignalSpy settled(&window, &MainWindow::settled);
        window.show();
        QVERIFY(settled.wait(30000));
        Q_EMIT window.planView()->modificationRequested(modification, path);
        QCOMPARE(window.currentView(), QStringLiteral("diff"));
        DiffView *diff = window.diffView();
        QTRY_VERIFY_WITH_TIMEOUT(diff->currentRow() > 0
                                     && diff->model()->file(diff->model()->row(diff->currentRow()).file).path == path,
                                 30000);
        window.watcher()->waitForIdle();
    }

    // A way not taken says why and opens the domain's source at the condition.
    void aWayNotTakenOpensTheDomainAtItsCondition()
    {
        PlanView view;
        view.setSnapshot(load(1));
        const QModelIndexList rejected = view.model()->match(view.model()->index(0, 0),
                                                             Qt::DisplayRole,
                                                             QStringLiteral("✗ Use the analyzer's fix-its"),
                                                             1,
                                                             Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(rejected.size(), 1);
        view.tree()->setCurrentIndex(rejected.constFirst());
        const QString html = view.detail()->toHtml();
        QVERIFY2(view.detail()->toPlainText().contains(QStringLiteral("no fix-its were found for this goal")),
                 qPrintable(view.detail()->toPlainText()));
        const int line = rejected.constFirst().data(PlanTreeModel::SourceLineRole).toInt();
        QVERIFY(line > 0);
        QVERIFY(html.contains(QStringLiteral("astra-source:code-maintenance.hddl?line=%1").arg(line)));
        Q_EMIT view.detail()->anchorClicked(
            QUrl(QStringLiteral("astra-source:code-maintenance.hddl?line=%1").arg(line)));
        auto *source = view.findChild<QPlainTextEdit *>(QStringLiteral("domainSourceText"));
        QVERIFY(source);
        QCOMPARE(source->textCursor().blockNumber(), line - 1);
        QVERIFY2(source->textCursor().block().text().contains(QStringLiteral("has-fixits")),
                 qPrintable(source->textCursor().block().text()));
    }

    void exportWritesWholeFilesOrNothing()
    {
        PlanView view;
        view.resize(1200, 800);
        view.setSnapshot(load(1));
        QSignalSpy exported(&view, &PlanView::exported);
        const QString svg = m_dir.filePath(QStringLiteral("plan.svg"));
        view.exportPicture(svg);
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.takeFirst().at(1).toString(), QString());
        QFile file(svg);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&file);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        int groups = 0;
        while (!xml.atEnd()) {
            if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("g")) {
                ++groups;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(groups, view.graph()->nodeCount());

        const QString png = m_dir.filePath(QStringLiteral("plan.png"));
        view.exportPicture(png);
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.takeFirst().at(1).toString(), QString());
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), qRound(view.graph()->graph().size.width() * 2));

        // A folder that does not exist: an error that says so, and no file anywhere.
        const QString nowhere = m_dir.filePath(QStringLiteral("missing/plan.svg"));
        view.exportPicture(nowhere);
        QVERIFY(exported.wait(30000));
        QVERIFY(!exported.takeFirst().at(1).toString().isEmpty());
        QVERIFY(!QFileInfo::exists(nowhere));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("missing"))));
    }

    // A replanned goal lists its plans; an earlier one is shown as it was decided and compared.
    void replansAreListedAndCompared()
    {
        qint64 dryRun = 0;
        {
            auto workspace = Workspace::open(m_options);
            QVERIFY2(workspace.ok(), qPrintable(workspace.message()));
            auto goals = (*workspace)->goals(GoalState::Planned);
            QVERIFY(goals.ok() && !goals->isEmpty());
            dryRun = goals->constFirst().id;
            auto replanned = (*workspace)->planGoal(dryRun);
            QVERIFY2(replanned.ok(), qPrintable(replanned.message()));
        }
        PlanView view;
        const PlanSnapshot snapshot = load(dryRun);
        QCOMPARE(snapshot.plans.size(), 2);
        view.setSnapshot(snapshot);
        QCOMPARE(view.planChooser()->count(), 2);
        QVERIFY(view.canApprove());
        view.compareWithPrevious();
        QVERIFY2(view.detail()->toPlainText().contains(QStringLiteral("The same decomposition.")),
                 qPrintable(view.detail()->toPlainText()));
        const qint64 earlier = snapshot.plans.at(1).id;
        view.showPlan(earlier);
        QVERIFY(view.headerText().contains(QStringLiteral("An earlier plan")));
        QVERIFY(view.headerText().contains(QStringLiteral("Plan %1 ").arg(earlier)));
        QVERIFY(!view.canApprove()); // only the current plan is approved
        QCOMPARE(view.graph()->nodeCount(), snapshot.plans.at(1).nodes.size());
        // A refresh keeps the earlier plan shown.
        view.setSnapshot(snapshot);
        QVERIFY(view.headerText().contains(QStringLiteral("Plan %1 ").arg(earlier)));
        view.showPlan(snapshot.plan.id);
        QVERIFY(view.canApprove());
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
