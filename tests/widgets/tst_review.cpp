#include "common/appearance.h"
#include "common/mainwindow.h"
#include "common/settingsdialog.h"
#include "common/shortcuts.h"
#include "common/shortcutsdialog.h"
#include "common/workspacechooser.h"
#include "diff/difffiles.h"
#include "diff/diffview.h"
#include "kanban/goalboardmodel.h"
#include "kanban/goalcolumnview.h"
#include "kanban/kanbanview.h"
#include "ledger/ledgerview.h"
#include "review/inboxview.h"
#include "review/reviewview.h"
#include "tasks/taskqueueview.h"
#include "testsupport.h"
#include "workspace/demo.h"
#include "workspace/workspacewatcher.h"

#include <QAbstractButton>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileInfo>
#include <QInputDialog>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QTreeView>

#include <algorithm>

using namespace astra;

// The review workstation on the demo workspace, end to end through the engine: review panel
// and diff of the waiting modification, approve by keyboard, a merge refused by a local edit
// (the engine's message in full, nothing moved), merge, rollback after its impact, task cancel,
// ledger verification (and a tampered ledger), settings that refuse an invalid file, recent
// workspaces, layout memory, themes, the shortcut list and the tray notification.
class TestReview : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demo;
    WorkspaceOptions m_options;
    std::unique_ptr<MainWindow> m_window;

    std::unique_ptr<Workspace> workspace()
    {
        auto opened = Workspace::open(m_options);
        if (!opened) {
            qFatal("%s", qPrintable(opened.message()));
        }
        return std::move(*opened);
    }

    Modification modification(qint64 id)
    {
        auto found = workspace()->modification(id);
        if (!found) {
            qFatal("%s", qPrintable(found.message()));
        }
        return *found;
    }

    QString git(const QStringList &args)
    {
        return test::runProgram(QStringLiteral("git"), args, m_demo).out.trimmed();
    }

    // The visible dialog named `name`, once it shows (null after 10 s).
    template<typename T>
    T *waitForChild(const QString &name)
    {
        T *found = nullptr;
        // A closed dialog may linger until its deferred deletion: take the visible one.
        [[maybe_unused]] const bool shown = QTest::qWaitFor(
            [&] {
                for (T *child : m_window->findChildren<T *>(name)) {
                    if (child->isVisible()) {
                        found = child;
                        return true;
                    }
                }
                return false;
            },
            10000);
        if (!found) {
            qWarning("no dialog %s", qPrintable(name));
        }
        return found;
    }

    // Shortcuts work in the active window's focused view: give them both back after a dialog.
    static bool focusOn(QWidget *widget)
    {
        widget->window()->activateWindow();
        if (!QTest::qWaitForWindowActive(widget->window())) {
            return false;
        }
        widget->setFocus();
        return true;
    }

    qint64 waitingModification() const
    {
        return m_window->reviewView()->modificationId();
    }

    void reloadReview()
    {
        QSignalSpy loaded(m_window->watcher(), &WorkspaceWatcher::reviewLoaded);
        m_window->watcher()->loadReview(waitingModification());
        QVERIFY(loaded.wait(30000));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_demo = m_dir.filePath(QStringLiteral("demo"));
        auto report = createDemoWorkspace(m_demo);
        QVERIFY2(report.ok(), qPrintable(report.message()));
        m_options.repoPath = m_demo;
        m_window = std::make_unique<MainWindow>(m_options);
        QSignalSpy settled(m_window.get(), &MainWindow::settled);
        m_window->resize(1500, 900);
        m_window->show();
        m_window->activateWindow();
        QVERIFY(settled.wait(30000));
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    }

    void cleanupTestCase()
    {
        if (m_window) {
            m_window->watcher()->waitForIdle();
        }
        m_window.reset();
    }

    // Changes wait in the demo: the workstation opens on the inbox, which lists exactly them,
    // sorts, filters, and shows the review of the row chosen.
    void inboxListsWhatWaits()
    {
        QCOMPARE(m_window->currentView(), QStringLiteral("review"));
        InboxView *inbox = m_window->inboxView();
        QAbstractItemModelTester tester(inbox->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<qint64> waiting;
        const auto opened = workspace();
        const QList<Modification> all = opened->modifications().value();
        for (const Modification &m : all) {
            if (m.status == ModificationStatus::AwaitingApproval || m.status == ModificationStatus::Approved
                || m.status == ModificationStatus::Pending || m.status == ModificationStatus::TestsFailed
                || m.status == ModificationStatus::Conflicted) {
                waiting.append(m.id);
            }
        }
        QVERIFY(waiting.size() >= 2);
        QCOMPARE(inbox->model()->rowCount(), waiting.size());
        for (qint64 id : std::as_const(waiting)) {
            QVERIFY(inbox->model()->rowOf(id) >= 0);
        }
        // The first one is selected and its review shown.
        QTRY_VERIFY_WITH_TIMEOUT(inbox->currentModification() > 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), inbox->currentModification(), 30000);

        // Sorted by any column: by number, highest first.
        inbox->table()->sortByColumn(InboxModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(
            inbox->table()->model()->index(0, InboxModel::IdColumn).data(InboxModel::ModificationRole).toLongLong(),
            *std::max_element(waiting.cbegin(), waiting.cend()));
        // Filtered by a file's name.
        inbox->filterEdit()->setText(QStringLiteral("remote.py"));
        QVERIFY(inbox->shownCount() >= 1 && inbox->shownCount() < waiting.size());
        inbox->filterEdit()->clear();
        QCOMPARE(inbox->shownCount(), waiting.size());
        // By what the change waits for.
        inbox->statusFilter()->setCurrentIndex(inbox->statusFilter()->findData(QStringLiteral("awaiting_approval")));
        for (int row = 0; row < inbox->shownCount(); ++row) {
            QCOMPARE(inbox->table()->model()->index(row, 0).data(InboxModel::StatusRole).toString(),
                     QStringLiteral("awaiting_approval"));
        }
        inbox->statusFilter()->setCurrentIndex(0);
        inbox->table()->sortByColumn(InboxModel::AgeColumn, Qt::AscendingOrder);

        // Assigned to me: only what someone asked this person to review, after another process
        // asked (the workstation hears of it by itself), with who was asked in the review.
        const qint64 shownBefore = inbox->currentModification();
        const qint64 asked = waiting.constLast();
        const QString me = workspace()->person();
        QVERIFY(!me.isEmpty());
        QVERIFY(workspace()->assignReviewers(asked, {me, QStringLiteral("carol@example.org")}, true).ok());
        QTRY_VERIFY_WITH_TIMEOUT(
            inbox->model()->items().at(inbox->model()->rowOf(asked)).modification.assignees.contains(me),
            10000);
        inbox->assignedToMe()->setChecked(true);
        QCOMPARE(inbox->shownCount(), 1);
        QCOMPARE(inbox->table()->model()->index(0, 0).data(InboxModel::ModificationRole).toLongLong(), asked);
        inbox->assignedToMe()->setChecked(false);
        QCOMPARE(inbox->shownCount(), waiting.size());
        QVERIFY(inbox->selectModification(asked));
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->reviewView()->modificationId() == asked
                && m_window->reviewView()->detailsText().contains(QStringLiteral("Reviewers asked"))
                && m_window->reviewView()->detailsText().contains(QStringLiteral("%1, carol@example.org").arg(me)),
            30000);
        QVERIFY(inbox->selectModification(shownBefore));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), shownBefore, 30000);

        // Choosing another row shows its review.
        const qint64 other = inbox->nextAfter(inbox->currentModification());
        QVERIFY(other > 0);
        QVERIFY(inbox->selectModification(other));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), other, 30000);

        // Double-clicking a card on the board opens its review.
        QVERIFY(m_window->showView(QStringLiteral("kanban")));
        const qint64 goal = inbox->model()->items().at(inbox->model()->rowOf(other)).goal.id;
        bool clicked = false;
        for (GoalColumnView *column : m_window->kanbanView()->findChildren<GoalColumnView *>()) {
            for (int row = 0; row < column->model()->rowCount() && !clicked; ++row) {
                const QModelIndex card = column->model()->index(row, 0);
                if (card.data(GoalBoardModel::IdRole).toLongLong() == goal) {
                    column->scrollTo(card);
                    const QPoint at = column->visualRect(card).center();
                    QTest::mouseClick(column->viewport(), Qt::LeftButton, {}, at);
                    QTest::mouseDClick(column->viewport(), Qt::LeftButton, {}, at);
                    clicked = true;
                }
            }
        }
        QVERIFY(clicked);
        QTRY_COMPARE(m_window->currentView(), QStringLiteral("review"));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), other, 30000);
    }

    // `astra-review --view diff --modification N`: a window opens on modification N whatever its
    // state (a merged one here), keeps it through reloads, and lets go when another goal is
    // chosen; without a number it opens the first change that waits; an unknown one is said.
    void opensTheModificationAskedFor()
    {
        const QList<Modification> all = workspace()->modifications().value();
        const auto merged = std::find_if(all.cbegin(), all.cend(), [](const Modification &m) {
            return m.status == ModificationStatus::Merged;
        });
        QVERIFY(merged != all.cend());
        MainWindow window(m_options);
        window.showView(QStringLiteral("diff"));
        window.openModification(merged->id);
        QSignalSpy settled(&window, &MainWindow::settled);
        window.show();
        QVERIFY(settled.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.reviewView()->snapshot().modification.id, merged->id, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(
            window.diffView()->model()->diff().isNull() ? QString() : window.diffView()->model()->diff()->toCommit,
            merged->headCommit,
            30000);
        QCOMPARE(window.diffView()->fileModel()->rowCount(), modification(merged->id).files.size());
        QCOMPARE(window.currentView(), QStringLiteral("diff"));
        QCOMPARE(window.kanbanView()->currentGoal(), merged->goalId);
        // A reload keeps it, though its goal's newest modification may be another.
        QSignalSpy reloaded(window.watcher(), &WorkspaceWatcher::goalsLoaded);
        window.watcher()->refresh();
        QVERIFY(reloaded.wait(30000));
        window.watcher()->waitForIdle();
        QTest::qWait(50);
        QCOMPARE(window.reviewView()->snapshot().modification.id, merged->id);

        // Without a number: the first change that waits, the diff still in front.
        const qint64 first = window.inboxView()->nextAfter(0);
        QVERIFY(first > 0 && first != merged->id);
        window.openModification(0);
        QTRY_COMPARE_WITH_TIMEOUT(window.reviewView()->snapshot().modification.id, first, 30000);
        QCOMPARE(window.currentView(), QStringLiteral("diff"));

        // An unknown number: both views say so.
        QSignalSpy failed(window.watcher(), &WorkspaceWatcher::reviewLoadFailed);
        window.openModification(9999);
        QVERIFY(failed.wait(30000));
        QVERIFY2(window.reviewView()->detailsText().contains(QStringLiteral("Modification 9999 does not exist")),
                 qPrintable(window.reviewView()->detailsText()));
        const QList<QLabel *> labels = window.diffView()->findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *label) {
            return label->text().contains(QStringLiteral("Modification 9999 does not exist"));
        }));
        window.watcher()->waitForIdle();
    }

    // Selecting the goal whose change waits shows its provenance, tests and diff.
    void reviewPanelShowsTheWaitingChange()
    {
        QSignalSpy loaded(m_window->watcher(), &WorkspaceWatcher::reviewLoaded);
        m_window->kanbanView()->selectGoal(1);
        QVERIFY(loaded.wait(30000));
        ReviewView *review = m_window->reviewView();
        const Modification &m = review->snapshot().modification;
        QVERIFY(m.status == ModificationStatus::AwaitingApproval);
        QVERIFY(review->canApprove());
        QVERIFY(!review->canMerge());
        QVERIFY(!review->canRollback());
        const QString details = review->detailsText();
        QVERIFY2(details.contains(QStringLiteral("the job_failure detector")), qPrintable(details));
        QVERIFY(details.contains(QStringLiteral("passed: 9 passed, 0 failed, 0 skipped")));
        QVERIFY(details.contains(QStringLiteral("the exact commit under review")));
        QVERIFY(details.contains(QStringLiteral("Checks passed")));
        QVERIFY(details.contains(QStringLiteral("upload() holds the target lock")));
        QVERIFY2(!details.contains(QStringLiteral("Unsandboxed")), qPrintable(details)); // the demo's ran in bwrap

        DiffView *diff = m_window->diffView();
        QTRY_COMPARE_WITH_TIMEOUT(diff->fileModel()->rowCount(), 2, 10000);
        QCOMPARE(diff->fileModel()->index(0, DiffFileListModel::PathColumn).data().toString(),
                 QStringLiteral("snapback/remote.py"));
        QVERIFY2(diff->headerText().startsWith(QStringLiteral("2 file")), qPrintable(diff->headerText()));
        QVERIFY(diff->model()->hunkCount() >= 2);

        // The agent also wrote a test its goal did not name: the panel names it with its lines, and
        // the file list shows it in a group of its own, first.
        QVERIFY2(details.contains(QStringLiteral("Asked to change: snapback/remote.py (the goal)")),
                 qPrintable(details));
        QVERIFY2(details.contains(QStringLiteral("Beyond its scope: 1 file")), qPrintable(details));
        QVERIFY(details.contains(QStringLiteral("tests/test_remote.py (+20 −0)")));
        QTRY_COMPARE(diff->filesPanel()->beyondScope(), QStringList{QStringLiteral("tests/test_remote.py")});
        const QAbstractItemModel *list = diff->fileView()->model();
        QCOMPARE(list->rowCount(), 2);
        const QModelIndex beyond = list->index(0, 0);
        QVERIFY2(beyond.data().toString().startsWith(QStringLiteral("⚠ Beyond the scope")),
                 qPrintable(beyond.data().toString()));
        QCOMPARE(list->rowCount(beyond), 1);
        QCOMPARE(list->index(0, 0, beyond).data().toString(), QStringLiteral("tests/test_remote.py"));
        QCOMPARE(list->rowCount(list->index(1, 0)), 1);
        QCOMPARE(list->index(0, 0, list->index(1, 0)).data().toString(), QStringLiteral("snapback/remote.py"));
        // Choosing it in its group shows it.
        diff->fileView()->setCurrentIndex(list->index(0, 0, beyond));
        QCOMPARE(diff->model()->row(diff->currentRow()).file, 1);
        QCOMPARE(diff->filesPanel()->currentFile(), 1);
        // Folders keep the groups.
        diff->filesPanel()->setTree(true);
        QCOMPARE(diff->fileView()->model()->rowCount(), 2);
        QCOMPARE(diff->filesPanel()->shownFiles(), 2);
        diff->filesPanel()->setTree(false);
    }

    // The panel says what the scope is in each case, and never flags files when there is none.
    void scopeIsSaidInEveryState()
    {
        ReviewSnapshot snapshot;
        snapshot.goal.id = 7;
        snapshot.modification.goalId = 7;
        ModificationFile calc;
        calc.path = QStringLiteral("src/calc.py");
        calc.additions = 1;
        calc.deletions = 1;
        ModificationFile extra;
        extra.path = QStringLiteral("src/extra.py");
        extra.additions = 12;
        extra.flags = QStringList{QStringLiteral("beyond_scope")};
        snapshot.modification.files = {calc, extra};
        const auto text = [&snapshot] {
            QTextDocument document;
            document.setHtml(ReviewView::detailsHtml(snapshot));
            return document.toPlainText();
        };
        ModificationScope &scope = snapshot.modification.scope;
        scope.state = ModificationScope::State::Stated;
        scope.entries = {ScopeEntry{QStringLiteral("src/calc.py"), QStringLiteral("goal")},
                         ScopeEntry{QStringLiteral("src/parser/"), QStringLiteral("comment")}};
        scope.beyondFiles = QStringList{QStringLiteral("src/extra.py")};
        scope.beyondLines = 12;
        QString shown = text();
        QVERIFY2(
            shown.contains(QStringLiteral("Asked to change: src/calc.py (the goal), src/parser/ (a review comment)")),
            qPrintable(shown));
        QVERIFY2(shown.contains(QStringLiteral("Beyond its scope: 1 file")), qPrintable(shown));
        QVERIFY(shown.contains(QStringLiteral("src/extra.py (+12 −0)")));
        QVERIFY(shown.contains(QStringLiteral("src/extra.py is beyond the scope of the change")));

        scope.beyondFiles.clear();
        snapshot.modification.files.removeLast();
        QVERIFY(text().contains(QStringLiteral("Every changed file is in scope.")));

        scope = ModificationScope();
        scope.state = ModificationScope::State::NoFiles;
        shown = text();
        QVERIFY2(shown.contains(QStringLiteral("No scope to check: goal #7 names no files")), qPrintable(shown));
        QVERIFY(!shown.contains(QStringLiteral("Beyond")));

        scope.state = ModificationScope::State::Unstated;
        snapshot.modification.flags = QStringList{QStringLiteral("no_stated_scope")};
        shown = text();
        QVERIFY2(shown.contains(QStringLiteral("No stated scope: this change was imported without --files")),
                 qPrintable(shown));
        QVERIFY(shown.contains(QStringLiteral("No stated scope: read every file")));
    }

    // A test run without the sandbox (sandbox = "none") is called out above its details.
    void unsandboxedTestsAreMarked()
    {
        m_window->watcher()->waitForIdle();
        {
            auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("unsandboxed"));
            db.setDatabaseName(m_demo + QStringLiteral("/.git/astra/state.db"));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.prepare(QStringLiteral("UPDATE test_results SET sandbox = ? WHERE modification_id = ?")));
            query.addBindValue(QStringLiteral("none (sandbox = \"none\": weaker isolation)"));
            query.addBindValue(waitingModification());
            QVERIFY(query.exec());
            QVERIFY(query.numRowsAffected() > 0);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("unsandboxed"));
        reloadReview();
        QVERIFY2(m_window->reviewView()->detailsText().contains(QStringLiteral("Unsandboxed: these tests ran without "
                                                                               "isolation")),
                 qPrintable(m_window->reviewView()->detailsText()));
    }

    // Every button is enabled exactly where the engine allows its action.
    void buttonsFollowTheStateMachine()
    {
        ReviewView view;
        ReviewSnapshot snapshot;
        snapshot.modificationId = 7;
        snapshot.modification.id = 7;
        const auto button = [&view](const char *name) {
            return view.findChild<QPushButton *>(QString::fromLatin1(name));
        };
        for (ModificationStatus status : {ModificationStatus::Pending,
                                          ModificationStatus::Testing,
                                          ModificationStatus::AwaitingApproval,
                                          ModificationStatus::TestsFailed,
                                          ModificationStatus::Approved,
                                          ModificationStatus::Conflicted,
                                          ModificationStatus::Merged,
                                          ModificationStatus::Rejected,
                                          ModificationStatus::RolledBack}) {
            snapshot.modification.status = status;
            view.setSnapshot(snapshot);
            const QList<ModificationStatus> legal = ModificationStateMachine::legalNextStates(status);
            const QString name = toString(status);
            QVERIFY2(button("rejectModification")->isEnabled() == legal.contains(ModificationStatus::Rejected),
                     qPrintable(name));
            QVERIFY2(button("approveModification")->isEnabled() == (status == ModificationStatus::AwaitingApproval),
                     qPrintable(name));
            QVERIFY2(button("mergeModification")->isEnabled() == (status == ModificationStatus::Approved),
                     qPrintable(name));
            QVERIFY2(button("retestModification")->isEnabled()
                         == (status != ModificationStatus::Testing && legal.contains(ModificationStatus::Testing)),
                     qPrintable(name));
        }
        // An import nobody tested yet: its tests can be run from here, and it can be rejected.
        snapshot.modification.status = ModificationStatus::Pending;
        view.setSnapshot(snapshot);
        QVERIFY(button("retestModification")->isEnabled());
        QCOMPARE(button("retestModification")->text().remove(u'&'), QStringLiteral("Run tests"));
        QVERIFY(button("rejectModification")->isEnabled());
    }

    void approveByKeyboard()
    {
        QVERIFY(m_window->showView(QStringLiteral("review")));
        ReviewView *review = m_window->reviewView();
        const qint64 id = waitingModification();
        QVERIFY(focusOn(review));
        // The keyboard focus on Approve itself, which disables itself once approved.
        auto *approve = review->findChild<QPushButton *>(QStringLiteral("approveModification"));
        QTRY_VERIFY_WITH_TIMEOUT(approve->isEnabled(), 30000);
        approve->setFocus();
        QTRY_VERIFY(approve->hasFocus());
        QTest::keyClick(approve, Qt::Key_A, Qt::ControlModifier | Qt::AltModifier);
        // No hunk of it was marked seen: approving asks first, saying how many.
        const int hunks = m_window->diffView()->model()->hunkCount();
        QVERIFY(hunks > 0);
        auto *unseen = waitForChild<QMessageBox>(QStringLiteral("unseenHunks"));
        QVERIFY(unseen);
        QVERIFY2(unseen->text().contains(QStringLiteral("%1 hunk").arg(hunks)), qPrintable(unseen->text()));
        // "Read the changes" approves nothing and opens them.
        unseen->buttons().constLast()->click();
        delete unseen;
        QTRY_COMPARE(m_window->currentView(), QStringLiteral("diff"));
        QVERIFY(modification(id).status == ModificationStatus::AwaitingApproval);
        // Decisions work from the diff: the keys are the window's.
        QVERIFY(focusOn(m_window->diffView()->listView()));
        m_window->diffView()->listView()->setCurrentIndex(m_window->diffView()->listView()->model()->index(1, 0));
        QTest::keyClick(m_window->diffView()->listView(), Qt::Key_Space, Qt::ControlModifier); // one seen
        QTest::keyClick(m_window->diffView()->listView(), Qt::Key_A, Qt::ControlModifier | Qt::AltModifier);
        unseen = waitForChild<QMessageBox>(QStringLiteral("unseenHunks"));
        QVERIFY(unseen);
        QVERIFY2(unseen->text().contains(QStringLiteral("%1 hunk").arg(hunks - 1)), qPrintable(unseen->text()));
        unseen->buttons().constFirst()->click(); // approve anyway
        delete unseen;
        QTRY_VERIFY_WITH_TIMEOUT(review->snapshot().modification.status == ModificationStatus::Approved, 30000);
        QVERIFY(modification(id).status == ModificationStatus::Approved);
        QVERIFY(review->canMerge());
        // Ctrl+Alt+M merges next, from where the focus is, without a click first.
        QVERIFY(focusOn(m_window->diffView()->listView()));
        QTest::keyClick(m_window->diffView()->listView(), Qt::Key_M, Qt::ControlModifier | Qt::AltModifier);
        auto *confirm = waitForChild<QMessageBox>(QStringLiteral("confirmMerge"));
        QVERIFY(confirm);
        confirm->reject();
        delete confirm;
        // Approving moved no commit: the diff was not computed again, and the view kept it.
        QVERIFY(review->snapshot().diffUnchanged);
        QVERIFY(!review->snapshot().diff);
        QCOMPARE(m_window->diffView()->fileModel()->rowCount(), 2);
    }

    // main moves after the approval: "Test again" withdraws it, tests the merge the change
    // would make onto the new head and says so; approving again makes it mergeable.
    void retestAfterTheTargetMoved()
    {
        const qint64 id = waitingModification();
        ReviewView *review = m_window->reviewView();
        QVERIFY(review->canMerge());
        QFile notes(m_demo + QStringLiteral("/NOTES.md"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("Moved on after the review.\n");
        notes.close();
        git({QStringLiteral("add"), QStringLiteral("NOTES.md")});
        git({QStringLiteral("-c"),
             QStringLiteral("user.name=Someone Else"),
             QStringLiteral("-c"),
             QStringLiteral("user.email=else@example.org"),
             QStringLiteral("commit"),
             QStringLiteral("-q"),
             QStringLiteral("-m"),
             QStringLiteral("notes")});
        const QString moved = git({QStringLiteral("rev-parse"), QStringLiteral("main")});
        auto *retest = review->findChild<QAbstractButton *>(QStringLiteral("retestModification"));
        QVERIFY(retest);
        QVERIFY(retest->isEnabled());
        retest->click();
        QTRY_VERIFY_WITH_TIMEOUT(review->snapshot().modification.status == ModificationStatus::AwaitingApproval, 60000);
        QVERIFY(!review->canMerge());
        QTRY_VERIFY_WITH_TIMEOUT(
            review->detailsText().contains(QStringLiteral("merged onto main at %1").arg(moved.left(10))),
            30000);
        QVERIFY(focusOn(review));
        QTest::keyClick(review, Qt::Key_A, Qt::ControlModifier | Qt::AltModifier);
        auto *unseen = waitForChild<QMessageBox>(QStringLiteral("unseenHunks"));
        QVERIFY(unseen);
        unseen->buttons().constFirst()->click(); // approve anyway
        delete unseen;
        QTRY_VERIFY_WITH_TIMEOUT(review->snapshot().modification.status == ModificationStatus::Approved, 30000);
        QVERIFY(modification(id).status == ModificationStatus::Approved);
    }

    // A local edit to one of its files stops the merge before anything moves, and the message
    // box shows the engine's message whole.
    void mergeBlockedByALocalEdit()
    {
        const qint64 id = waitingModification();
        const QString mainBefore = git({QStringLiteral("rev-parse"), QStringLiteral("main")});
        QFile remote(m_demo + QStringLiteral("/snapback/remote.py"));
        QVERIFY(remote.open(QIODevice::Append));
        remote.write("# a local edit that is not committed yet\n");
        remote.close();
        QVERIFY(focusOn(m_window->reviewView()));
        QTest::keyClick(m_window->reviewView(), Qt::Key_M, Qt::ControlModifier | Qt::AltModifier);
        auto *confirm = waitForChild<QMessageBox>(QStringLiteral("confirmMerge"));
        QVERIFY(confirm);
        QVERIFY2(confirm->text().contains(QStringLiteral("snapback/remote.py")), qPrintable(confirm->text()));
        confirm->button(QMessageBox::Yes)->click();
        auto *failed = waitForChild<QMessageBox>(QStringLiteral("actionFailed"));
        QVERIFY(failed);
        QVERIFY2(failed->text().contains(QStringLiteral("snapback/remote.py")), qPrintable(failed->text()));
        QVERIFY(failed->windowTitle().contains(QStringLiteral("Merge modification")));
        failed->accept();
        delete failed;
        m_window->watcher()->waitForIdle();
        QVERIFY(modification(id).status == ModificationStatus::Approved);
        QCOMPARE(git({QStringLiteral("rev-parse"), QStringLiteral("main")}), mainBefore);
        QVERIFY(git({QStringLiteral("status"), QStringLiteral("--porcelain")}).contains(QStringLiteral("remote.py")));
        git({QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral("snapback/remote.py")});
    }

    void mergeAfterConfirmation()
    {
        const qint64 id = waitingModification();
        QVERIFY(focusOn(m_window->reviewView()));
        QTest::keyClick(m_window->reviewView(), Qt::Key_M, Qt::ControlModifier | Qt::AltModifier);
        auto *confirm = waitForChild<QMessageBox>(QStringLiteral("confirmMerge"));
        QVERIFY(confirm);
        const qint64 next = m_window->inboxView()->nextAfter(id);
        QVERIFY(next > 0 && next != id);
        confirm->button(QMessageBox::Yes)->click();
        // The next change that waits comes up by itself.
        QTRY_COMPARE_WITH_TIMEOUT(m_window->inboxView()->currentModification(), next, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), next, 30000);
        QCOMPARE(m_window->inboxView()->model()->rowOf(id), -1); // merged: no longer waiting
        const Modification merged = modification(id);
        // Back to the merged one, for what follows.
        QSignalSpy loaded(m_window->watcher(), &WorkspaceWatcher::reviewLoaded);
        m_window->kanbanView()->selectGoal(merged.goalId);
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), id, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->reviewView()->snapshot().modification.status == ModificationStatus::Merged,
                                 30000);
        QVERIFY(merged.status == ModificationStatus::Merged);
        QCOMPARE(git({QStringLiteral("rev-parse"), QStringLiteral("main")}), merged.mergeCommit);
        QVERIFY(m_window->reviewView()->canRollback());
    }

    // Rollback shows what it touches first: the files, and local edits in the way.
    void rollbackShowsItsImpact()
    {
        const qint64 id = waitingModification();
        QFile remote(m_demo + QStringLiteral("/snapback/remote.py"));
        QVERIFY(remote.open(QIODevice::Append));
        remote.write("# edited after the merge\n");
        remote.close();
        reloadReview();
        const RollbackImpact impact = *m_window->reviewView()->snapshot().rollback;
        QCOMPARE(impact.paths,
                 (QStringList{QStringLiteral("snapback/remote.py"), QStringLiteral("tests/test_remote.py")}));
        QCOMPARE(impact.localEdits, QStringList{QStringLiteral("snapback/remote.py")});
        QVERIFY(impact.laterCommits.isEmpty());
        const QString text = ReviewView::impactText(impact);
        QVERIFY2(text.contains(QStringLiteral("restore 2 file")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("Uncommitted local edits are in the way: snapback/remote.py")));

        // Cancelling the confirmation changes nothing.
        QVERIFY(focusOn(m_window->reviewView()));
        QTest::keyClick(m_window->reviewView(), Qt::Key_B, Qt::ControlModifier | Qt::AltModifier);
        auto *dialog = waitForChild<QInputDialog>(QStringLiteral("rollbackConfirm"));
        QVERIFY(dialog);
        QVERIFY(dialog->labelText().contains(QStringLiteral("snapback/remote.py")));
        dialog->reject();
        delete dialog; // closed: its deferred deletion would keep it the active window offscreen
        m_window->watcher()->waitForIdle();
        QVERIFY(modification(id).status == ModificationStatus::Merged);

        git({QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral("snapback/remote.py")});
        reloadReview();
        QVERIFY(m_window->reviewView()->snapshot().rollback->localEdits.isEmpty());
        QVERIFY(m_window->reviewView()->canRollback());
        QVERIFY(focusOn(m_window->reviewView()));
        QTest::keyClick(m_window->reviewView(), Qt::Key_B, Qt::ControlModifier | Qt::AltModifier);
        dialog = waitForChild<QInputDialog>(QStringLiteral("rollbackConfirm"));
        QVERIFY(dialog);
        // No rollback without a reason: OK waits for one.
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(!ok->isEnabled());
        dialog->setTextValue(QStringLiteral("   "));
        QVERIFY(!ok->isEnabled());
        dialog->setTextValue(QStringLiteral("the timeout is too short for the NAS"));
        QVERIFY(ok->isEnabled());
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->reviewView()->snapshot().modification.status
                                     == ModificationStatus::RolledBack,
                                 30000);
        const Modification rolledBack = modification(id);
        QCOMPARE(git({QStringLiteral("rev-parse"), QStringLiteral("main")}), rolledBack.revertCommit);
        QVERIFY(git({QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%B")})
                    .contains(QStringLiteral("the timeout is too short for the NAS")));
    }

    // A running task says how long it has run, and the time moves on while it runs; a queued
    // task of an unapproved plan says that it waits for the approval.
    void taskQueueShowsElapsedAndWaiting()
    {
        TaskQueueView view;
        TaskRecord running;
        running.id = 1;
        running.planId = 1;
        running.kind = QStringLiteral("code_test");
        running.state = TaskState::Running;
        running.claimedAt = QDateTime::currentDateTimeUtc().addSecs(-65).toString(Qt::ISODateWithMs);
        TaskRecord waiting;
        waiting.id = 2;
        waiting.planId = 2;
        waiting.kind = QStringLiteral("code_read");
        waiting.planApproved = false;
        view.setTasks({running, waiting});
        const auto stateOf = [&view](int row) {
            return view.model()->index(row, TaskQueueModel::StateColumn).data().toString();
        };
        QVERIFY2(stateOf(0).contains(QStringLiteral("running for 1:0")), qPrintable(stateOf(0)));
        QCOMPARE(stateOf(1), QStringLiteral("waiting for plan approval"));
        QSignalSpy ticked(view.model(), &QAbstractItemModel::dataChanged);
        QVERIFY(ticked.wait(3000)); // the elapsed time moves on by itself
        QCOMPARE(TaskQueueModel::elapsedText(3725), QStringLiteral("1:02:05"));
        QCOMPARE(TaskQueueModel::elapsedText(59), QStringLiteral("0:59"));
        // The selected running task's log is asked for, shown, and asked for again while it runs.
        view.show();
        QSignalSpy wanted(&view, &TaskQueueView::logWanted);
        view.selectTask(1);
        QCOMPARE(wanted.count(), 1);
        QCOMPARE(wanted.first().first().toLongLong(), qint64(1));
        view.showLog(1, QStringLiteral("Ran 3 tests\n"), true);
        QCOMPARE(view.logView()->toPlainText(), QStringLiteral("Ran 3 tests\n"));
        QVERIFY(wanted.wait(3000)); // following
        view.showLog(1, QStringLiteral("Ran 3 tests\nOK\n"), false);
        QVERIFY(view.logView()->toPlainText().endsWith(QStringLiteral("OK\n")));
        wanted.clear();
        QTest::qWait(1500);
        QCOMPARE(wanted.count(), 0); // finished: no more asking
        view.showLog(2, QStringLiteral("another task's"), true); // not the selected one: ignored
        QVERIFY(!view.logView()->toPlainText().contains(QStringLiteral("another")));
        // Nothing runs: nothing ticks.
        view.setTasks({waiting});
        ticked.clear();
        QTest::qWait(1500);
        QCOMPARE(ticked.count(), 0);
    }

    void taskQueueCancels()
    {
        QVERIFY(m_window->showView(QStringLiteral("tasks")));
        TaskQueueView *tasks = m_window->taskView();
        QAbstractItemModelTester tester(tasks->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        qint64 queued = 0;
        for (int row = 0; row < tasks->model()->rowCount(); ++row) {
            if (tasks->model()->task(row).state == TaskState::Queued) {
                queued = tasks->model()->task(row).id;
                QVERIFY(tasks->model()
                            ->index(row, TaskQueueModel::ProgressColumn)
                            .data()
                            .toString()
                            .contains(QStringLiteral("task")));
                break;
            }
        }
        QVERIFY2(queued != 0, "the demo's goal 5 has a plan whose tasks are queued");
        tasks->selectTask(queued);
        QVERIFY(focusOn(tasks->table()));
        QTest::keyClick(tasks->table(), Qt::Key_X, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (int row = 0; row < tasks->model()->rowCount(); ++row) {
                    const TaskRecord &task = tasks->model()->task(row);
                    if (task.id == queued) {
                        return task.state == TaskState::Cancelled || task.cancelRequested;
                    }
                }
                return false;
            }(),
            30000);
    }

    void ledgerVerifies()
    {
        QVERIFY(m_window->showView(QStringLiteral("ledger")));
        LedgerView *ledger = m_window->ledgerView();
        QAbstractItemModelTester tester(ledger->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY_WITH_TIMEOUT(ledger->model()->rowCount() > 50, 30000);
        QCOMPARE(ledger->model()->index(0, LedgerModel::EventColumn).data().toString(),
                 ledger->model()->entry(0).event);
        QVERIFY(ledger->model()->entry(0).seq > ledger->model()->entry(1).seq); // newest first
        QSignalSpy loaded(m_window->watcher(), &WorkspaceWatcher::ledgerLoaded);
        QVERIFY(focusOn(ledger->table()));
        QTest::keyClick(ledger->table(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(ledger->verificationText().startsWith(QStringLiteral("Intact")), 30000);
        QVERIFY(ledger->verificationText().contains(QStringLiteral("git checkpoint")));
    }

    void settingsRefuseAnInvalidFile()
    {
        const QString path = m_demo + QStringLiteral("/.astra.toml");
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray before = file.readAll();
        file.close();
        SettingsDialog dialog(path);
        QSignalSpy loaded(&dialog, &SettingsDialog::loaded);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(dialog.editor()->toPlainText().toUtf8(), before);
        dialog.editor()->setPlainText(QString::fromUtf8(before) + QStringLiteral("\n[policy\n"));
        QSignalSpy failed(&dialog, &SettingsDialog::saveFailed);
        dialog.save();
        QCOMPARE(failed.size(), 1);
        QVERIFY2(dialog.problemText().startsWith(QStringLiteral("Not saved: ")), qPrintable(dialog.problemText()));
        QVERIFY(dialog.problemText().contains(QStringLiteral(".astra.toml")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), before);
        file.close();

        dialog.editor()->setPlainText(QString::fromUtf8(before) + QStringLiteral("\n# reviewed in the settings\n"));
        QSignalSpy saved(&dialog, &SettingsDialog::saved);
        dialog.save();
        QVERIFY(saved.wait(10000));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().endsWith("# reviewed in the settings\n"));
        file.close();

        // A file that cannot be written says so and leaves nothing behind.
        const QString nowhere = m_dir.filePath(QStringLiteral("missing/.astra.toml"));
        SettingsDialog unwritable(nowhere);
        QSignalSpy unwritableLoaded(&unwritable, &SettingsDialog::loaded);
        QVERIFY(unwritableLoaded.wait(10000));
        unwritable.editor()->setPlainText(QString::fromUtf8(before));
        QSignalSpy writeFailed(&unwritable, &SettingsDialog::saveFailed);
        unwritable.save();
        QVERIFY(writeFailed.wait(10000));
        QVERIFY2(writeFailed.first().first().toString().startsWith(QStringLiteral("Cannot write ")),
                 qPrintable(writeFailed.first().first().toString()));
        QVERIFY(writeFailed.first().first().toString().contains(QStringLiteral("Nothing was changed")));
        QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("missing"))));
    }

    void shortcutsAreListedAndDistinct()
    {
        const QList<QStringList> rows = ShortcutsDialog::shortcuts(m_window.get());
        QStringList names;
        QHash<QString, QString> taken; // keys -> where
        for (const QStringList &row : rows) {
            names.append(row.at(0));
            for (const QString &other : {row.at(2), QStringLiteral("Everywhere")}) {
                const QString key = row.at(1) + u'@' + other;
                QVERIFY2(
                    !taken.contains(key) || taken.value(key) == row.at(0),
                    qPrintable(QStringLiteral("%1 is both %2 and %3").arg(row.at(1), taken.value(key), row.at(0))));
            }
            taken.insert(row.at(1) + u'@' + row.at(2), row.at(0));
        }
        for (const QString &expected : {QStringLiteral("Next hunk"),
                                        QStringLiteral("Previous file"),
                                        QStringLiteral("Approve change"),
                                        QStringLiteral("Merge change"),
                                        QStringLiteral("Roll back change"),
                                        QStringLiteral("Next waiting change"),
                                        QStringLiteral("Verify the ledger"),
                                        QStringLiteral("Cancel the selected task"),
                                        QStringLiteral("Approve plan"),
                                        QStringLiteral("Keyboard shortcuts"),
                                        QStringLiteral("Settings")}) {
            QVERIFY2(names.contains(expected), qPrintable(expected + u" missing from " + names.join(u'|')));
        }
        ShortcutsDialog dialog(m_window.get());
        QCOMPARE(dialog.table()->rowCount(), rows.size());

        // Keys can be changed, not to keys another action has where this one works.
        auto *nextFile = m_window->diffView()->findChild<QAction *>(QStringLiteral("nextFile"));
        QVERIFY(nextFile);
        const QKeySequence original(int(Qt::ALT) | int(Qt::Key_PageDown));
        QCOMPARE(Shortcuts::defaultOf(nextFile), original);
        QVERIFY(Shortcuts::reset(m_window.get(), nextFile).isEmpty()); // whatever an earlier run left
        int row = -1;
        for (int r = 0; r < dialog.table()->rowCount(); ++r) {
            if (dialog.table()->item(r, 0)->text() == u"Next file") {
                row = r;
            }
        }
        QVERIFY(row >= 0);
        dialog.table()->setCurrentCell(row, 0);
        QVERIFY(dialog.assignButton()->isEnabled());
        dialog.keysEdit()->setKeySequence(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_A));
        dialog.assignButton()->click();
        QVERIFY2(dialog.messageLabel()->text().contains(QStringLiteral("Approve change")),
                 qPrintable(dialog.messageLabel()->text()));
        QCOMPARE(nextFile->shortcut(), original);
        const QKeySequence chosen(int(Qt::ALT) | int(Qt::Key_F9));
        dialog.keysEdit()->setKeySequence(chosen);
        dialog.assignButton()->click();
        QCOMPARE(nextFile->shortcut(), chosen);
        QCOMPARE(QSettings().value(QStringLiteral("shortcuts/nextFile")).toString(),
                 chosen.toString(QKeySequence::PortableText));
        QVERIFY(nextFile->toolTip().contains(chosen.toString(QKeySequence::NativeText)));
        // The next window starts with it; Default gives the original back.
        {
            MainWindow another(m_options);
            QCOMPARE(another.diffView()->findChild<QAction *>(QStringLiteral("nextFile"))->shortcut(), chosen);
        }
        QVERIFY(dialog.resetButton()->isEnabled());
        dialog.resetButton()->click();
        QCOMPARE(nextFile->shortcut(), original);
        QVERIFY(!QSettings().contains(QStringLiteral("shortcuts/nextFile")));

        // A saved choice that a default now also has (settings from an earlier version, or
        // edited by hand): the person's choice keeps the keys, the other action has none and the
        // window says so; keys are never shared, so neither would work.
        QSettings().setValue(QStringLiteral("shortcuts/nextFile"), QStringLiteral("A"));
        {
            MainWindow another(m_options);
            QCOMPARE(another.diffView()->findChild<QAction *>(QStringLiteral("nextFile"))->shortcut(),
                     QKeySequence(Qt::Key_A));
            QVERIFY(another.diffView()->findChild<QAction *>(QStringLiteral("acceptHunk"))->shortcut().isEmpty());
            QVERIFY2(another.statusBar()->currentMessage().contains(QStringLiteral("Accept hunk and Next file")),
                     qPrintable(another.statusBar()->currentMessage()));
        }
        QSettings().remove(QStringLiteral("shortcuts/nextFile"));
    }

    void trayNotifiesNewWork()
    {
        QSignalSpy notified(m_window.get(), &MainWindow::reviewNotified);
        {
            auto ws = workspace();
            const QByteArray patch =
                "diff --git a/docs/notes.md b/docs/notes.md\nnew file mode 100644\n--- /dev/null\n"
                "+++ b/docs/notes.md\n@@ -0,0 +1 @@\n+Restore with `snapback restore`.\n";
            auto proposed = ws->proposePatch(patch, std::nullopt, QStringLiteral("Notes on restoring"));
            QVERIFY2(proposed.ok(), qPrintable(proposed.message()));
            auto tested = ws->testModification(proposed->id);
            QVERIFY2(tested.ok(), qPrintable(tested.message()));
            QVERIFY(tested->status == ModificationStatus::AwaitingApproval);
        }
        m_window->refresh();
        QVERIFY(notified.wait(30000));
        QVERIFY2(notified.first().first().toString().contains(QStringLiteral("wait for your review")),
                 qPrintable(notified.first().first().toString()));
    }

    void layoutIsRemembered()
    {
        QVERIFY(m_window->showView(QStringLiteral("ledger")));
        m_window->diffView()->setMode(DiffModel::Mode::Unified);
        m_window->saveLayout();
        MainWindow other(m_options);
        other.restoreLayout();
        QCOMPARE(other.findChild<QTabWidget *>(QStringLiteral("views"))->currentWidget(),
                 static_cast<QWidget *>(other.ledgerView()));
        QVERIFY(other.diffView()->model()->mode() == DiffModel::Mode::Unified);
        other.watcher()->waitForIdle();
        m_window->diffView()->setMode(DiffModel::Mode::SideBySide);
    }

    void recentWorkspaces()
    {
        // The workspace the window opened is remembered.
        QVERIFY(WorkspaceChooser::recentWorkspaces().contains(QFileInfo(m_demo).canonicalFilePath())
                || WorkspaceChooser::recentWorkspaces().contains(m_demo));
        for (int i = 0; i < 12; ++i) {
            WorkspaceChooser::rememberWorkspace(QStringLiteral("/work/repo%1").arg(i));
        }
        const QStringList recent = WorkspaceChooser::recentWorkspaces();
        QCOMPARE(recent.size(), 10);
        QCOMPARE(recent.first(), QStringLiteral("/work/repo11"));
        WorkspaceChooser::rememberWorkspace(QStringLiteral("/work/repo5"));
        QCOMPARE(WorkspaceChooser::recentWorkspaces().first(), QStringLiteral("/work/repo5"));
        QCOMPARE(WorkspaceChooser::recentWorkspaces().size(), 10);
        WorkspaceChooser chooser{QString()};
        QCOMPARE(chooser.list()->count(), 10);
        QSignalSpy chosen(&chooser, &WorkspaceChooser::workspaceChosen);
        chooser.list()->setCurrentRow(1);
        Q_EMIT chooser.list()->itemActivated(chooser.list()->currentItem());
        QCOMPARE(chosen.size(), 1);
        QCOMPARE(chosen.first().first().toString(), QStringLiteral("/work/repo11"));
    }

    void themesAndAbout()
    {
        applyTheme(Theme::Dark);
        QVERIFY(QApplication::palette().color(QPalette::Base).lightnessF() < 0.3);
        applyTheme(Theme::Light);
        QVERIFY(QApplication::palette().color(QPalette::Base).lightnessF() > 0.9);
        applyTheme(Theme::System);
        const QString about = MainWindow::aboutText();
        QVERIFY(about.contains(QStringLiteral("libgit2")));
        QVERIFY(about.contains(QStringLiteral("Qt ")));
        QVERIFY(about.contains(QStringLiteral("KSyntaxHighlighting")));
    }

    // Changing an entry in the table is found by verification, from the view.
    void tamperedLedgerIsReported()
    {
        m_window->watcher()->waitForIdle();
        {
            auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
            db.setDatabaseName(m_demo + QStringLiteral("/.git/astra/state.db"));
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("UPDATE ledger SET actor = 'mallory' WHERE seq = 10")));
            QCOMPARE(query.numRowsAffected(), 1);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
        QVERIFY(m_window->showView(QStringLiteral("ledger")));
        QVERIFY(focusOn(m_window->ledgerView()->table()));
        QTest::keyClick(m_window->ledgerView()->table(), Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_window->ledgerView()->verificationText().startsWith(QStringLiteral("Broken at entry 10")),
            30000);
    }
};

QTEST_MAIN(TestReview)
#include "tst_review.moc"
