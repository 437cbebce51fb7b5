#include "common/labels.h"
#include "common/mainwindow.h"
#include "kanban/goalboardmodel.h"
#include "kanban/goalcarddelegate.h"
#include "kanban/goalcolumnproxy.h"
#include "kanban/goalcolumnview.h"
#include "kanban/kanbanview.h"
#include "workspace/demo.h"
#include "workspace/workspacewatcher.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDropEvent>
#include <QJsonArray>
#include <QJsonObject>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QUrl>

using namespace astra;

Q_DECLARE_METATYPE(std::optional<astra::GoalAction>)

namespace {
GoalCard card(qint64 id, GoalState state, const QString &title, const QStringList &files, const QString &detector = {})
{
    GoalCard card;
    card.goal.id = id;
    card.goal.state = state;
    card.goal.title = title;
    card.goal.kind = detector.isEmpty() ? QStringLiteral("user-request") : QStringLiteral("fix-job-failure");
    card.goal.source = detector.isEmpty() ? GoalSource::User : GoalSource::System;
    card.goal.createdAt = QStringLiteral("2026-11-20T10:00:00.000Z");
    card.detector = detector;
    QJsonArray array;
    for (const QString &file : files) {
        array.append(file);
    }
    card.goal.evidence.insert(QStringLiteral("files"), array);
    return card;
}

QList<GoalCard> sampleCards()
{
    return {card(1,
                 GoalState::Proposed,
                 QStringLiteral("Fix the upload lock"),
                 {QStringLiteral("a.py")},
                 QStringLiteral("job_failure")),
            card(2, GoalState::Active, QStringLiteral("Document restore"), {QStringLiteral("docs/r.md")}),
            card(3, GoalState::AwaitingReview, QStringLiteral("Encrypt archives"), {QStringLiteral("a.py")}),
            card(4,
                 GoalState::Completed,
                 QStringLiteral("Lint fixes"),
                 {QStringLiteral("a.py")},
                 QStringLiteral("analyzer")),
            card(5, GoalState::Proposed, QStringLiteral("Rewrite in Rust"), {})};
}

// Drops what `from` would drag on `to`, as a person's drop would arrive.
void dropOn(GoalColumnView *to, const QModelIndex &sourceIndex, GoalBoardModel *model)
{
    std::unique_ptr<QMimeData> data(model->mimeData({sourceIndex}));
    const QPoint at = to->viewport()->rect().center();
    QDragEnterEvent enter(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(to->viewport(), &enter);
    QDropEvent drop(at, Qt::MoveAction, data.get(), Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(to->viewport(), &drop);
}
} // namespace

class TestKanban : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void modelAndProxiesAreConsistent()
    {
        GoalBoardModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<std::unique_ptr<GoalColumnProxy>> proxies;
        std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;
        for (GoalState state : allGoalStates()) {
            proxies.push_back(std::make_unique<GoalColumnProxy>(toString(state)));
            proxies.back()->setSourceModel(&model);
            testers.push_back(
                std::make_unique<QAbstractItemModelTester>(proxies.back().get(),
                                                           QAbstractItemModelTester::FailureReportingMode::QtTest));
        }
        model.setCards(sampleCards());
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(proxies.at(0)->rowCount(), 2); // proposed
        QCOMPARE(proxies.at(0)->index(0, 0).data(GoalBoardModel::IdRole).toLongLong(), 1);
        // Open goals 1 and 3 share a.py; the completed goal 4 is not a conflict risk.
        QCOMPARE(model.index(0).data(GoalBoardModel::OverlapRole).value<QList<qint64>>(), (QList<qint64>{3}));
        QCOMPARE(model.index(2).data(GoalBoardModel::OverlapRole).value<QList<qint64>>(), (QList<qint64>{1}));
        QVERIFY(model.index(3).data(GoalBoardModel::OverlapRole).value<QList<qint64>>().isEmpty());
        QVERIFY(model.index(0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("open goal")));
        // Drag only what a person can still move.
        QVERIFY(model.flags(model.index(0)) & Qt::ItemIsDragEnabled);
        QVERIFY(!(model.flags(model.index(3)) & Qt::ItemIsDragEnabled));

        proxies.at(0)->setText(QStringLiteral("RUST"));
        QCOMPARE(proxies.at(0)->rowCount(), 1);
        proxies.at(0)->setText(QString());
        proxies.at(0)->setDetector(QStringLiteral("job_failure"));
        QCOMPARE(proxies.at(0)->rowCount(), 1);
        proxies.at(0)->setDetector(QString());
        proxies.at(0)->setSource(QStringLiteral("user"));
        QCOMPARE(proxies.at(0)->rowCount(), 1);

        model.setCards({}); // and back to nothing
        QCOMPARE(proxies.at(0)->rowCount(), 0);
        model.setCards(sampleCards());
        QCOMPARE(model.rowOf(4), 3);
    }

    void cardLines()
    {
        GoalBoardModel model;
        QList<GoalCard> cards = sampleCards();
        cards[2].planState = QStringLiteral("approved");
        cards[2].modificationStatus = QStringLiteral("awaiting_approval");
        model.setCards(cards);
        GoalCardDelegate delegate;
        delegate.setNow(QDateTime::fromString(QStringLiteral("2026-11-22T10:00:00Z"), Qt::ISODate));
        QCOMPARE(delegate.metaLine(model.index(0)), QStringLiteral("#1 · job_failure · confidence 1.00 · 2 d"));
        QCOMPARE(delegate.metaLine(model.index(1)), QStringLiteral("#2 · by hand · 2 d"));
        QCOMPARE(delegate.statusLine(model.index(2)), QStringLiteral("change awaits approval · plan approved"));
        QCOMPARE(delegate.statusLine(model.index(1)), QStringLiteral("no plan yet"));
    }

    void dropRules_data()
    {
        QTest::addColumn<GoalState>("from");
        QTest::addColumn<GoalState>("to");
        QTest::addColumn<std::optional<GoalAction>>("action");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("approve") << GoalState::Proposed << GoalState::Active << std::optional(GoalAction::Approve)
                                 << QString();
        QTest::newRow("reject") << GoalState::Proposed << GoalState::Rejected << std::optional(GoalAction::Reject)
                                << QString();
        QTest::newRow("abandon planned") << GoalState::Planned << GoalState::Abandoned
                                         << std::optional(GoalAction::Abandon) << QString();
        QTest::newRow("plan by dragging")
            << GoalState::Active << GoalState::Planned << std::optional<GoalAction>() << QStringLiteral("planning it");
        QTest::newRow("merge by dragging") << GoalState::AwaitingReview << GoalState::Completed
                                           << std::optional<GoalAction>() << QStringLiteral("merging");
        QTest::newRow("skip ahead") << GoalState::Proposed << GoalState::Completed << std::optional<GoalAction>()
                                    << QStringLiteral("it can go to active, rejected, abandoned");
        QTest::newRow("final") << GoalState::Abandoned << GoalState::Active << std::optional<GoalAction>()
                               << QStringLiteral("final");
        QTest::newRow("completed") << GoalState::Completed << GoalState::Proposed << std::optional<GoalAction>()
                                   << QStringLiteral("rolling back its merged modification");
        QTest::newRow("same column") << GoalState::Active << GoalState::Active << std::optional<GoalAction>()
                                     << QString();
    }
    void dropRules()
    {
        QFETCH(GoalState, from);
        QFETCH(GoalState, to);
        QFETCH(std::optional<GoalAction>, action);
        QFETCH(QString, mentions);
        const DropDecision decision = decideDrop(7, from, to);
        QVERIFY(decision.action == action);
        if (mentions.isEmpty()) {
            QVERIFY(decision.refusal.isEmpty());
        } else {
            QVERIFY2(decision.refusal.contains(mentions), qPrintable(decision.refusal));
            QVERIFY(decision.refusal.contains(QStringLiteral("Goal 7")));
        }
    }

    void initTestCase()
    {
        qRegisterMetaType<astra::GoalAction>();
    }

    // Evidence reads as text: each field by name, a run per line; the JSON is one click away.
    void evidenceReadsAsText()
    {
        QJsonObject run;
        run.insert(QStringLiteral("run"), 2);
        run.insert(QStringLiteral("outcome"), QStringLiteral("timeout"));
        run.insert(QStringLiteral("excerpt"), QString(500, u'x'));
        QJsonObject evidence;
        evidence.insert(QStringLiteral("job"), QStringLiteral("daily_backup"));
        evidence.insert(QStringLiteral("failed_runs"), QJsonArray{run, run});
        evidence.insert(QStringLiteral("files"), QJsonArray{QStringLiteral("a.py"), QStringLiteral("b.py")});
        const QString html = evidenceHtml(evidence);
        QVERIFY2(html.contains(QStringLiteral("Failed runs")), qPrintable(html));
        QVERIFY(html.contains(QStringLiteral("Outcome <i>timeout</i>")));
        QCOMPARE(html.count(QStringLiteral("<li>")), 2);
        QVERIFY(html.contains(QStringLiteral("a.py, b.py")));
        QVERIFY(!html.contains(QString(200, u'x'))); // long texts are cut
        QVERIFY(!html.contains(QStringLiteral("{")));

        KanbanView view;
        GoalCard card;
        card.goal.id = 3;
        card.goal.title = QStringLiteral("Job daily_backup failed");
        card.goal.evidence = evidence;
        view.setCards({card});
        view.selectGoal(3);
        QVERIFY(!view.detailPanel()->toPlainText().contains(QStringLiteral("\"failed_runs\"")));
        Q_EMIT view.detailPanel()->anchorClicked(QUrl(QStringLiteral("astra:evidence")));
        QVERIFY(view.detailPanel()->toPlainText().contains(QStringLiteral("\"failed_runs\"")));
        Q_EMIT view.detailPanel()->anchorClicked(QUrl(QStringLiteral("astra:evidence")));
        QVERIFY(!view.detailPanel()->toPlainText().contains(QStringLiteral("\"failed_runs\"")));
    }

    void dropsOnColumns()
    {
        KanbanView view;
        view.resize(1400, 700);
        view.show();
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        view.setCards(sampleCards());
        QCOMPARE(view.columnTitle(GoalState::Proposed), QStringLiteral("Proposed (2)"));
        QSignalSpy actions(&view, &KanbanView::actionRequested);
        QSignalSpy refused(&view, &KanbanView::dropRefused);
        GoalBoardModel *model = view.model();

        dropOn(view.column(GoalState::Active), model->index(0), model); // approve goal 1
        QCOMPARE(actions.count(), 1);
        QCOMPARE(actions.at(0).at(0).toLongLong(), 1);
        QVERIFY(actions.at(0).at(1).value<GoalAction>() == GoalAction::Approve);

        dropOn(view.column(GoalState::Completed), model->index(2), model); // merge by dragging: no
        QCOMPARE(refused.count(), 1);
        QVERIFY(refused.at(0).at(0).toString().contains(QStringLiteral("merging")));
        QCOMPARE(actions.count(), 1);
        // Nothing moved on the board: cards move when the engine has acted and the board reloads.
        QCOMPARE(view.columnTitle(GoalState::Completed), QStringLiteral("Completed (1)"));

        // By keyboard: select goal 5 and reject it.
        view.selectGoal(5);
        QCOMPARE(view.currentGoal(), 5);
        QVERIFY(view.detailPanel()->toHtml().contains(QStringLiteral("Rewrite in Rust")));
        QTest::keyClick(view.column(GoalState::Proposed), Qt::Key_R, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(actions.count(), 2);
        QVERIFY(actions.at(1).at(1).value<GoalAction>() == GoalAction::Reject);
        // Approving a completed goal by keyboard is refused with the reason.
        view.selectGoal(4);
        QTest::keyClick(view.column(GoalState::Completed), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(refused.count(), 2);
        QVERIFY(refused.at(1).at(0).toString().contains(QStringLiteral("final")));

        view.setFilterText(QStringLiteral("lock"));
        QCOMPARE(view.columnTitle(GoalState::Proposed), QStringLiteral("Proposed (1)"));
        QCOMPARE(view.columnTitle(GoalState::AwaitingReview), QStringLiteral("Awaiting review (0)"));
    }

    // On the demo workspace: the board shows the columns, and approving by keyboard goes through
    // the engine and moves the card.
    void approveOnTheDemo()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        auto report = createDemoWorkspace(demo);
        QVERIFY2(report.ok(), qPrintable(report.message()));
        WorkspaceOptions options;
        options.repoPath = demo;
        MainWindow window(options);
        QSignalSpy settled(&window, &MainWindow::settled);
        window.show();
        window.activateWindow();
        QVERIFY(settled.wait(30000));
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.showView(QStringLiteral("kanban")));
        KanbanView *board = window.kanbanView();
        QCOMPARE(board->columnTitle(GoalState::Proposed), QStringLiteral("Proposed (1)"));
        QCOMPARE(board->columnTitle(GoalState::AwaitingReview), QStringLiteral("Awaiting review (2)"));
        QCOMPARE(board->columnTitle(GoalState::Completed), QStringLiteral("Completed (1)"));
        // "Encrypt archives" touches snapback/remote.py, as goal 1 does.
        const QModelIndex encrypt = board->columnProxy(GoalState::Proposed)->index(0, 0);
        QVERIFY(encrypt.data(Qt::DisplayRole).toString().contains(QStringLiteral("Encrypt")));
        QVERIFY(encrypt.data(GoalBoardModel::OverlapRole).value<QList<qint64>>().contains(1));

        const qint64 id = encrypt.data(GoalBoardModel::IdRole).toLongLong();
        board->selectGoal(id);
        QTest::keyClick(board->column(GoalState::Proposed), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_COMPARE_WITH_TIMEOUT(board->columnTitle(GoalState::Active), QStringLiteral("Active (2)"), 30000);
        QCOMPARE(board->columnTitle(GoalState::Proposed), QStringLiteral("Proposed (0)"));
        QCOMPARE(board->currentGoal(), id); // the selection follows the card
        window.watcher()->waitForIdle();
    }
};

QTEST_MAIN(TestKanban)
#include "tst_kanban.moc"
