#include "mainwindow.h"

#include "appearance.h"
#include "diff/diffview.h"
#include "diff/highlighting.h"
#include "kanban/goalboardmodel.h"
#include "kanban/kanbanview.h"
#include "ledger/ledgerview.h"
#include "plan/planview.h"
#include "reasondialog.h"
#include "review/inboxview.h"
#include "review/reviewview.h"
#include "settingsdialog.h"
#include "shortcuts.h"
#include "shortcutsdialog.h"
#include "statuspage.h"
#include "tasks/taskqueueview.h"
#include "workspace/backgroundcycle.h"
#include "workspace/version.h"
#include "workspace/workspacewatcher.h"
#include "workspacechooser.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonObject>
#include <QKeySequence>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QToolTip>

#include <utility>

namespace astra {

MainWindow::MainWindow(const WorkspaceOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , m_watcher(new WorkspaceWatcher(this))
    , m_filler(new DiffFiller(this))
    , m_cycle(new BackgroundCycle(this))
    , m_statusPage(new StatusPage(this))
    , m_kanban(new KanbanView(this))
    , m_plan(new PlanView(this))
    , m_inbox(new InboxView(this))
    , m_review(new ReviewView(this))
    , m_diff(new DiffView(this))
    , m_tasks(new TaskQueueView(this))
    , m_ledger(new LedgerView(this))
    , m_tabs(new QTabWidget(this))
    , m_activity(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_statusPage, tr("&Overview"));
    m_tabs->addTab(m_kanban, tr("&Goals"));
    m_tabs->addTab(m_plan, tr("&Plan"));
    // The Review tab: the inbox of what waits for a decision beside the selected change.
    m_reviewPage = new QSplitter(Qt::Horizontal, this);
    m_reviewPage->setObjectName(QStringLiteral("reviewSplitter"));
    m_reviewPage->addWidget(m_inbox);
    m_reviewPage->addWidget(m_review);
    m_reviewPage->setStretchFactor(0, 2);
    m_reviewPage->setStretchFactor(1, 3);
    m_reviewPage->setSizes({560, 840});
    m_tabs->addTab(m_reviewPage, tr("&Review"));
    m_tabs->addTab(m_diff, tr("&Changes"));
    m_tabs->addTab(m_tasks, tr("&Tasks"));
    m_tabs->addTab(m_ledger, tr("&Ledger"));
    setCentralWidget(m_tabs);
    resize(1280, 800);
    m_activity->setObjectName(QStringLiteral("schedulerActivity"));
    statusBar()->addPermanentWidget(m_activity);
    m_background = new QLabel(this);
    m_background->setObjectName(QStringLiteral("backgroundState"));
    statusBar()->addPermanentWidget(m_background);
    m_connection = new QLabel(this);
    m_connection->setObjectName(QStringLiteral("connectionState"));
    m_connection->hide();
    statusBar()->addPermanentWidget(m_connection);

    QMenu *fileMenu = menuBar()->addMenu(tr("&Workspace"));
    QAction *open = fileMenu->addAction(tr("&Open…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseWorkspace);
    m_recentMenu = fileMenu->addMenu(tr("Open &recent"));
    rebuildRecentMenu();
    QAction *reload = fileMenu->addAction(tr("&Refresh"));
    reload->setShortcut(QKeySequence::Refresh);
    connect(reload, &QAction::triggered, this, &MainWindow::refresh);
    m_backgroundAction = fileMenu->addAction(tr("&Background work"));
    m_backgroundAction->setObjectName(QStringLiteral("backgroundWork"));
    m_backgroundAction->setCheckable(true);
    m_backgroundAction->setChecked(QSettings().value(QStringLiteral("background/enabled"), true).toBool());
    m_backgroundAction->setToolTip(
        tr("Runs due jobs, the detectors and approved plans on a timer; off, nothing happens until you act"));
    connect(m_backgroundAction, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue(QStringLiteral("background/enabled"), on);
        if (on && m_backgroundTick.count() > 0) {
            m_cycle->start(m_backgroundTick);
        } else {
            m_cycle->stop();
        }
        updateBackground();
    });
    m_backgroundNow = fileMenu->addAction(tr("Run background work &now"));
    m_backgroundNow->setObjectName(QStringLiteral("backgroundNow"));
    connect(m_backgroundNow, &QAction::triggered, this, [this] { m_cycle->runNow(); });
    QAction *settings = fileMenu->addAction(tr("&Settings…"));
    settings->setShortcut(QKeySequence(int(Qt::CTRL) | int(Qt::Key_Comma)));
    connect(settings, &QAction::triggered, this, &MainWindow::showSettings);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *show = viewMenu->addAction(m_tabs->tabText(i).remove(u'&'));
        show->setShortcut(QKeySequence(Qt::CTRL | (Qt::Key_1 + i)));
        connect(show, &QAction::triggered, this, [this, i] {
            m_tabs->setCurrentIndex(i);
            m_tabs->currentWidget()->setFocus(Qt::ShortcutFocusReason);
        });
    }
    viewMenu->addSeparator();
    QMenu *themeMenu = viewMenu->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const Theme savedTheme = themeFromString(QSettings().value(QStringLiteral("appearance/theme")).toString());
    for (const auto &[theme, text] : {std::pair{Theme::System, tr("&System")},
                                      std::pair{Theme::Light, tr("&Light")},
                                      std::pair{Theme::Dark, tr("&Dark")}}) {
        QAction *choice = themeMenu->addAction(text);
        choice->setCheckable(true);
        choice->setChecked(theme == savedTheme);
        themes->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, theme = theme] { setTheme(theme); });
    }

    // Decisions on the change in the review panel, from every view (the diff included): the
    // keys are the window's, so they work wherever the focus is.
    QMenu *reviewMenu = menuBar()->addMenu(tr("&Review"));
    const auto decision = [this, reviewMenu](const QString &text, const char *id, const QKeySequence &keys) {
        QAction *action = reviewMenu->addAction(text);
        action->setObjectName(QString::fromLatin1(id));
        action->setShortcut(keys);
        action->setEnabled(false);
        return action;
    };
    QAction *approve = decision(tr("&Approve change"), "approveChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_A));
    QAction *reject = decision(tr("Re&ject change…"), "rejectChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_J));
    QAction *merge = decision(tr("&Merge change…"), "mergeChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_M));
    QAction *retest = decision(tr("&Test again"), "retestChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_T));
    QAction *rollback =
        decision(tr("Roll &back change…"), "rollbackChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_B));
    m_review->bindDecisions(approve, reject, merge, retest, rollback);
    reviewMenu->addSeparator();
    m_review->bindConversation(
        decision(tr("&Comment on the change…"), "commentChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_K)),
        decision(tr("Apply &decisions"), "applyDecisionsOfChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_D)),
        decision(tr("Re&quest changes"), "requestChangesToChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Q)),
        decision(tr("&Update onto the target"), "updateChange", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_U)));
    reviewMenu->addSeparator();
    QAction *next = reviewMenu->addAction(tr("&Next waiting change"));
    next->setObjectName(QStringLiteral("nextWaitingChange"));
    next->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_N));
    connect(next, &QAction::triggered, this, [this] {
        const qint64 following = m_inbox->nextAfter(m_inbox->currentModification());
        if (following == 0 || !m_inbox->selectModification(following)) {
            showTransient(tr("Nothing else waits for a decision."));
        }
    });
    QAction *inbox = reviewMenu->addAction(tr("Review &inbox"));
    inbox->setObjectName(QStringLiteral("showInbox"));
    inbox->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_I));
    connect(inbox, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_reviewPage);
        m_inbox->table()->setFocus(Qt::ShortcutFocusReason);
    });

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *keys = helpMenu->addAction(tr("&Keyboard shortcuts"));
    keys->setShortcut(QKeySequence(int(Qt::CTRL) | int(Qt::Key_Slash)));
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction *about = helpMenu->addAction(tr("&About Astra Review"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
    m_tray->setToolTip(tr("Astra Review"));
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray->show();
    }
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
        showNormal();
        raise();
        activateWindow();
        m_tabs->setCurrentWidget(m_reviewPage);
    });

    connect(m_watcher, &WorkspaceWatcher::statusLoaded, this, [this](const WorkspaceStatus &status) {
        m_statusPage->showStatus(status);
        m_inbox->setPerson(status.person);
        m_configPath = status.configPath;
        if (m_workDir != status.workDir) {
            m_workDir = status.workDir;
            m_inbox->model()->setReviewKeyPrefix(repositoryKey());
            m_awaitingReview = -1;
            m_inboxOpened = false;
            m_ledgerHead.clear();
            m_diffKey.clear();
            WorkspaceChooser::rememberWorkspace(status.workDir);
            rebuildRecentMenu();
            statusBar()->showMessage(tr("Loaded %1").arg(status.workDir), 5000);
        }
        m_activity->setText(tr("Scheduler %1 · %2 running · %3 queued · %n awaiting review",
                               nullptr,
                               status.modificationsAwaitingReview)
                                .arg(status.scheduler == u"running" ? tr("running") : tr("idle"))
                                .arg(status.tasksRunning)
                                .arg(status.tasksQueued));
        notifyAwaitingReview(status);
        // The ledger view reloads only when the chain grew.
        if (status.ledgerHead != m_ledgerHead) {
            m_ledgerHead = status.ledgerHead;
            m_watcher->loadLedger(false);
        }
        setWindowTitle(tr("%1 — Astra Review").arg(QFileInfo(status.workDir).fileName()));
        Q_EMIT settled();
    });
    connect(m_watcher, &WorkspaceWatcher::goalsLoaded, this, [this](const QList<GoalCard> &cards) {
        m_kanban->setCards(cards);
        // The plan of the selected goal follows every reload (task states change as plans run).
        if (m_kanban->currentGoal() > 0) {
            m_watcher->loadPlan(m_kanban->currentGoal());
            showReviewOf(m_kanban->currentGoal(), false);
        }
    });
    connect(m_watcher, &WorkspaceWatcher::tasksLoaded, m_tasks, &TaskQueueView::setTasks);
    connect(m_watcher, &WorkspaceWatcher::inboxLoaded, this, &MainWindow::showInbox);
    connect(m_inbox, &InboxView::modificationSelected, this, [this](qint64, qint64 goalId) {
        m_kanban->selectGoal(goalId, false);
    });
    connect(m_inbox, &InboxView::modificationActivated, this, [this](qint64, qint64 goalId) {
        m_kanban->selectGoal(goalId, false);
        m_tabs->setCurrentWidget(m_diff);
        m_diff->setFocus(Qt::OtherFocusReason);
    });
    connect(m_kanban, &KanbanView::goalActivated, this, [this](qint64 goalId) {
        showReviewOf(goalId, false);
        m_tabs->setCurrentWidget(m_reviewPage);
        m_inbox->selectModification(m_review->modificationId());
    });
    // Another process changed the state: every view follows, without F5.
    connect(m_watcher, &WorkspaceWatcher::stateChanged, this, &MainWindow::refresh);
    connect(m_kanban, &KanbanView::currentGoalChanged, this, [this](qint64 goalId) {
        m_inbox->showGoal(goalId); // the inbox marks the change shown, wherever it was chosen
        m_plan->showLoading(goalId);
        m_watcher->loadPlan(goalId);
        showReviewOf(goalId, true);
    });
    connect(m_watcher, &WorkspaceWatcher::reviewLoaded, this, [this](const ReviewSnapshot &snapshot) {
        if (m_pinnedModification == snapshot.modificationId && m_pinnedGoal == 0) {
            m_pinnedGoal = snapshot.modification.goalId;
            m_inbox->selectModification(snapshot.modificationId);
            m_kanban->selectGoal(m_pinnedGoal, false);
        }
        m_review->setSnapshot(snapshot);
        // The comments on the revision shown stand beside their lines; hunks are decided on the
        // change against its base only.
        QList<ReviewComment> onRevision;
        for (const ReviewComment &comment : snapshot.comments) {
            // An interdiff's old side is an older revision, not the base an old-side comment is on.
            const bool onShownSide = snapshot.compareFrom == 0 || comment.side != u"old";
            if (comment.revision == snapshot.currentRevision && !comment.outdated && onShownSide) {
                onRevision.append(comment);
            }
        }
        const auto showReview = [this, snapshot, onRevision] {
            m_diff->setRevisions(snapshot.currentRevision, snapshot.compareFrom);
            m_diff->setReview(snapshot.decisions, onRevision, snapshot.compareFrom == 0);
            m_diff->setBeyondScope(snapshot.modification.scope.beyondFiles);
            if (snapshot.compareFrom > 0) {
                m_diff->setCaption(tr("Changes since revision %1").arg(snapshot.compareFrom));
            }
        };
        if (snapshot.diffUnchanged) {
            if (!m_showingConflicts) {
                showReview();
            }
            return; // the diff shown is the one of these commits (or the conflicts of an update)
        }
        m_showingConflicts = false;
        if (!snapshot.diff) {
            m_diffKey.clear();
            m_diffModification = 0;
            m_filler->stop();
            m_diff->showMessage(snapshot.diffError);
            return;
        }
        m_diffKey = snapshot.diff->fromCommit + u".." + snapshot.diff->toCommit;
        m_filler->start(m_workDir, snapshot.diff);
        // Seen marks are kept per modification (of this repository) and name the hunks by their
        // content: they outlive its new revisions and rebases.
        m_diff->setDiff(snapshot.diff,
                        QStringLiteral("%1/modification-%2").arg(repositoryKey()).arg(snapshot.modificationId),
                        snapshot.compareFrom == 0 ? snapshot.modification.headCommit : QString());
        m_diffModification = snapshot.modificationId;
        showReview();
    });
    connect(m_filler, &DiffFiller::outlineChanged, m_diff, &DiffView::replaceOutline);
    connect(m_filler, &DiffFiller::filesLoaded, m_diff, &DiffView::addFiles);
    connect(m_diff, &DiffView::filesWanted, m_filler, &DiffFiller::want);
    connect(m_diff, &DiffView::readRequested, this, [this](const TreeDiffPtr &outline, const TreeDiffOptions &options) {
        m_filler->start(m_workDir, outline, options);
    });
    connect(m_filler, &DiffFiller::failed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("The rest of the diff could not be read: %1").arg(message), 30000);
    });
    connect(m_watcher, &WorkspaceWatcher::reviewLoadFailed, this, [this](qint64 id, const QString &message) {
        if (id == m_pinnedModification) {
            m_pinnedModification = m_pinnedGoal = 0;
        }
        m_review->showError(id, message);
        m_diffKey.clear();
        m_filler->stop();
        m_diff->showMessage(message);
    });
    connect(m_watcher, &WorkspaceWatcher::ledgerLoaded, m_ledger, &LedgerView::setSnapshot);
    connect(m_watcher, &WorkspaceWatcher::ledgerLoadFailed, m_ledger, &LedgerView::showError);
    connect(m_ledger, &LedgerView::verifyRequested, this, [this] { m_watcher->loadLedger(true); });
    connect(m_review, &ReviewView::approveRequested, this, [this](qint64 id) {
        const auto approve = [this, id] {
            m_watcher->perform(tr("Approve modification %1").arg(id), [id](Workspace &workspace) -> Status {
                auto done = workspace.approveModification(id, QString());
                return done ? Status() : Status(done.error());
            });
        };
        const int unseen = unseenHunks(id);
        if (unseen <= 0) {
            approve();
            return;
        }
        // Approving what was not looked at is a choice to make knowingly.
        auto *box =
            new QMessageBox(QMessageBox::Question,
                            tr("Approve modification %1").arg(id),
                            tr("%n hunk(s) of this change are not marked seen. Approve it anyway?", nullptr, unseen),
                            QMessageBox::NoButton,
                            this);
        box->setObjectName(QStringLiteral("unseenHunks"));
        box->setInformativeText(tr("Mark each hunk seen in Changes with %1 as you read it.")
                                    .arg(m_diff->findChild<QAction *>(QStringLiteral("markHunkSeen"))
                                             ->shortcut()
                                             .toString(QKeySequence::NativeText)));
        QPushButton *anyway = box->addButton(tr("&Approve anyway"), QMessageBox::AcceptRole);
        QPushButton *read = box->addButton(tr("&Read the changes"), QMessageBox::RejectRole);
        box->setDefaultButton(read);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, box, anyway, approve] {
            if (box->clickedButton() == anyway) {
                approve();
            } else {
                m_tabs->setCurrentWidget(m_diff);
                m_diff->setFocus(Qt::OtherFocusReason);
            }
        });
        box->open();
    });
    connect(m_review, &ReviewView::rejectRequested, this, [this](qint64 id, const QString &reason) {
        m_nextAfterDecision = m_inbox->nextAfter(id);
        m_watcher->perform(tr("Reject modification %1").arg(id), [id, reason](Workspace &workspace) -> Status {
            auto done = workspace.rejectModification(id, reason);
            return done ? Status() : Status(done.error());
        });
    });
    connect(m_review, &ReviewView::mergeRequested, this, [this](qint64 id) {
        m_nextAfterDecision = m_inbox->nextAfter(id);
        m_watcher->perform(tr("Merge modification %1").arg(id), [id](Workspace &workspace) -> Status {
            auto done = workspace.mergeModification(id);
            return done ? Status() : Status(done.error());
        });
    });
    connect(m_review, &ReviewView::retestRequested, this, [this](qint64 id) {
        m_watcher->perform(tr("Test modification %1 again").arg(id), [id](Workspace &workspace) -> Status {
            auto done = workspace.retestModification(id);
            return done ? Status() : Status(done.error());
        });
    });
    connect(m_review, &ReviewView::rollbackRequested, this, [this](qint64 id, const QString &reason) {
        m_watcher->perform(tr("Roll back modification %1").arg(id), [id, reason](Workspace &workspace) -> Status {
            auto done = workspace.rollbackModification(id, reason);
            return done ? Status() : Status(done.error());
        });
    });
    connectConversation();
    connect(m_diff->model(), &DiffModel::seenChanged, m_inbox, [this] { m_inbox->table()->viewport()->update(); });
    connect(m_tasks, &TaskQueueView::logWanted, m_watcher, &WorkspaceWatcher::loadTaskLog);
    connect(m_watcher, &WorkspaceWatcher::taskLogLoaded, m_tasks, &TaskQueueView::showLog);
    connect(m_tasks, &TaskQueueView::cancelRequested, this, [this](qint64 taskId) {
        m_watcher->perform(tr("Cancel task %1").arg(taskId),
                           [taskId](Workspace &workspace) { return workspace.cancelTask(taskId); });
    });
    connect(m_watcher, &WorkspaceWatcher::planLoaded, m_plan, &PlanView::setSnapshot);
    connect(m_watcher, &WorkspaceWatcher::planLoadFailed, m_plan, &PlanView::showError);
    connect(m_plan, &PlanView::modificationRequested, this, [this](qint64 id, const QString &path) {
        m_diffFileOnLoad = path;
        showView(QStringLiteral("diff"));
        openModification(id);
    });
    connect(m_plan, &PlanView::stepWanted, m_watcher, &WorkspaceWatcher::loadStep);
    connect(m_watcher, &WorkspaceWatcher::stepLoaded, m_plan, &PlanView::setStepDetail);
    // A file asked for from the plan is shown once its diff is on screen.
    connect(m_diff, &DiffView::diffPainted, this, [this] {
        if (!m_diffFileOnLoad.isEmpty() && m_diff->showFile(m_diffFileOnLoad)) {
            m_diffFileOnLoad.clear();
        }
    });
    connect(m_plan, &PlanView::exported, this, [this](const QString &path, const QString &error) {
        if (error.isEmpty()) {
            statusBar()->showMessage(tr("Exported the plan to %1").arg(path), 8000);
        } else {
            showTransient(tr("Could not export the plan to %1: %2. Nothing was written.").arg(path, error));
        }
    });
    connect(m_plan, &PlanView::approveRequested, this, [this](qint64 goalId) {
        m_watcher->perform(tr("Approve the plan of goal %1").arg(goalId), [goalId](Workspace &workspace) -> Status {
            auto approved = workspace.approvePlan(goalId, QString());
            return approved ? Status() : Status(approved.error());
        });
    });
    connect(m_kanban, &KanbanView::actionRequested, this, &MainWindow::performGoalAction);
    connect(m_kanban, &KanbanView::dropRefused, this, &MainWindow::showTransient);
    connect(m_watcher, &WorkspaceWatcher::actionSucceeded, this, [this](const QString &what) {
        statusBar()->showMessage(tr("Done: %1").arg(what), 5000);
        // A decision, a comment or a new revision may leave the status as it was: the review
        // (its decisions, comments and revisions) is read again; the diff only if its commits moved.
        reloadReview();
    });
    connect(m_watcher, &WorkspaceWatcher::actionFailed, this, [this](const QString &what, const QString &message) {
        m_nextAfterDecision = 0; // the change still waits: it stays selected
        // The engine's message in full: it names the thing, the rule and what to do.
        auto *box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(what), message, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("actionFailed"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    // A shared database that went away: the views keep what they show, the status bar says so
    // until the watcher is back (it tries by itself), then everything reloads.
    connect(m_watcher, &WorkspaceWatcher::connectionLost, this, [this](const QString &message) {
        m_connection->setText(tr("⚠ Database unreachable since %1 — reconnecting…")
                                  .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        m_connection->setToolTip(message);
        m_connection->show();
    });
    connect(m_watcher, &WorkspaceWatcher::connectionRestored, this, [this] {
        m_connection->hide();
        statusBar()->showMessage(tr("Reconnected to the database; showing what changed meanwhile"), 8000);
    });
    connect(m_watcher, &WorkspaceWatcher::loadFailed, this, [this](const QString &message) {
        if (m_watcher->isAway()) {
            Q_EMIT settled(); // the status bar says why; the views keep what they showed
            return;
        }
        m_statusPage->showError(message);
        setWindowTitle(tr("Astra Review"));
        statusBar()->showMessage(tr("The workspace could not be opened"));
        Q_EMIT settled();
    });
    // "Loading…" only for a load that takes a while: live refreshes are quick and quiet.
    auto *loadingHint = new QTimer(this);
    loadingHint->setSingleShot(true);
    loadingHint->setInterval(400);
    connect(loadingHint, &QTimer::timeout, this, [this] {
        if (m_watcher->isBusy()) {
            statusBar()->showMessage(tr("Loading…"));
        }
    });
    connect(m_watcher, &WorkspaceWatcher::busyChanged, this, [this, loadingHint](bool busy) {
        if (busy) {
            loadingHint->start();
            return;
        }
        loadingHint->stop();
        if (statusBar()->currentMessage() == tr("Loading…")) {
            statusBar()->clearMessage(); // loaded; a message shown meanwhile stays
        }
    });

    connect(m_cycle, &BackgroundCycle::turnFinished, this, [this](const CycleReport &report) {
        const int jobs = int(report.jobRuns.size());
        const int tasks = report.scheduler.started;
        const int review = int(report.modificationsAwaitingReview.size());
        statusBar()->showMessage(
            tr("Background: %n job run(s); %1 task(s) run; %2 awaiting review", nullptr, jobs).arg(tasks).arg(review),
            10000);
        if (jobs > 0 || tasks > 0 || !report.decisions.isEmpty()) {
            refresh();
        }
    });
    connect(m_cycle, &BackgroundCycle::turnFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Background work failed: %1").arg(message), 10000);
    });
    connect(m_cycle, &BackgroundCycle::runningChanged, this, &MainWindow::updateBackground);
    updateBackground();

    if (const QStringList notes = Shortcuts::applySaved(this); !notes.isEmpty()) {
        statusBar()->showMessage(notes.join(u' '), 30000);
    }
    openWorkspace(options);
}

void MainWindow::showInbox(const QList<InboxItem> &items)
{
    m_inbox->setItems(items);
    // After a merge or a rejection, the next change that waits comes up.
    const qint64 next = std::exchange(m_nextAfterDecision, 0);
    if (next > 0) {
        const qint64 shown = m_inbox->selectModification(next) ? next : m_inbox->nextAfter(0);
        if (shown > 0 && m_inbox->selectModification(shown)) {
            m_kanban->selectGoal(m_inbox->goalOf(shown), false);
        }
    }
    // Opening a workspace where changes wait starts on them.
    if (!m_inboxOpened) {
        m_inboxOpened = true;
        const qint64 first = m_inbox->nextAfter(0);
        if (const qint64 asked = std::exchange(m_openOnLoad, -1); asked > 0) {
            pinModification(asked);
        } else if (asked == 0) {
            if (first > 0) {
                m_inbox->selectModification(first);
                m_kanban->selectGoal(m_inbox->goalOf(first), false);
            } else {
                const QString none = tr("No change waits for review.");
                m_review->showNone(none);
                m_filler->stop();
                m_diff->showMessage(none);
            }
        } else if (m_openInboxOnStart && first > 0) {
            m_tabs->setCurrentWidget(m_reviewPage);
            m_inbox->selectModification(first);
            m_kanban->selectGoal(m_inbox->goalOf(first), false);
        }
    }
}

int MainWindow::unseenHunks(qint64 modificationId) const
{
    if (m_diffModification != modificationId) {
        return -1; // its diff was never shown: the panel's own rules apply
    }
    // A file not read yet has at least one hunk nobody saw.
    const DiffModel *model = m_diff->model();
    const int unread = model->diff() ? int(model->diff()->files.size()) - model->loadedCount() : 0;
    return model->hunkCount() - model->seenCount() + unread;
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/view"), viewNames().value(m_tabs->currentIndex()));
    settings.setValue(QStringLiteral("diff/unified"), m_diff->model()->mode() == DiffModel::Mode::Unified);
    for (QSplitter *splitter : findChildren<QSplitter *>()) {
        if (!splitter->objectName().isEmpty()) {
            settings.setValue(QStringLiteral("splitters/") + splitter->objectName(), splitter->saveState());
        }
    }
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const bool openInbox = m_openInboxOnStart; // the last session's view gives way to waiting changes
    showView(settings.value(QStringLiteral("window/view")).toString());
    m_openInboxOnStart = openInbox;
    if (settings.value(QStringLiteral("diff/unified")).toBool()) {
        m_diff->setMode(DiffModel::Mode::Unified);
    }
    for (QSplitter *splitter : findChildren<QSplitter *>()) {
        const QByteArray state = settings.value(QStringLiteral("splitters/") + splitter->objectName()).toByteArray();
        if (!splitter->objectName().isEmpty() && !state.isEmpty()) {
            splitter->restoreState(state);
        }
    }
}

void MainWindow::setTheme(Theme theme)
{
    QSettings().setValue(QStringLiteral("appearance/theme"), toString(theme));
    applyTheme(theme);
}

QString MainWindow::repositoryKey() const
{
    return QString::fromLatin1(
        QCryptographicHash::hash(m_workDir.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
}

void MainWindow::reloadReview()
{
    if (const qint64 id = m_review->modificationId(); id > 0) {
        m_watcher->loadReview(id, m_diffKey, m_compareFrom);
    }
}

void MainWindow::connectConversation()
{
    connect(m_diff, &DiffView::decisionRequested, this, [this](const QString &path, int hunk, const QString &decision) {
        const qint64 id = m_diffModification;
        if (id <= 0) {
            return;
        }
        const QString what = decision.isEmpty()
            ? (hunk > 0 ? tr("Clear the decision on hunk %1 of %2").arg(hunk).arg(path)
                        : tr("Clear the decision on %1").arg(path))
            : decision == u"accepted"
            ? (hunk > 0 ? tr("Accept hunk %1 of %2").arg(hunk).arg(path) : tr("Accept %1").arg(path))
            : (hunk > 0 ? tr("Reject hunk %1 of %2").arg(hunk).arg(path) : tr("Reject %1").arg(path));
        m_watcher->perform(what, [id, path, hunk, decision](Workspace &workspace) -> Status {
            auto made =
                workspace.revisions().decide(id, path, hunk > 0 ? std::optional<int>(hunk) : std::nullopt, decision);
            return made ? Status() : Status(made.error());
        });
    });
    const auto comment = [this](qint64 id, const QString &path, int line, const QString &side) {
        const QString title = path.isEmpty() ? tr("Comment on modification %1").arg(id)
            : line > 0                       ? tr("Comment on %1, line %2").arg(path).arg(line)
                                             : tr("Comment on %1").arg(path);
        askForReason(this,
                     QStringLiteral("reviewComment"),
                     title,
                     tr("What should change, and why? The comment is kept with the revision and goes to the agent "
                        "with Request changes."),
                     [this, id, path, line, side, title](const QString &text) {
                         m_watcher->perform(title, [id, path, line, side, text](Workspace &workspace) -> Status {
                             auto made = workspace.revisions().comment(id, path, line, side, text);
                             return made ? Status() : Status(made.error());
                         });
                     });
    };
    connect(m_diff,
            &DiffView::commentRequested,
            this,
            [this, comment](const QString &path, int line, const QString &side) {
                if (m_diffModification > 0) {
                    comment(m_diffModification, path, line, side);
                }
            });
    connect(m_review, &ReviewView::commentRequested, this, [comment](qint64 id) {
        comment(id, QString(), 0, QString());
    });
    const auto resolve = [this](qint64 commentId, bool resolved) {
        m_watcher->perform(resolved ? tr("Resolve comment %1").arg(commentId) : tr("Reopen comment %1").arg(commentId),
                           [commentId, resolved](Workspace &workspace) -> Status {
                               auto done = workspace.revisions().resolveComment(commentId, resolved);
                               return done ? Status() : Status(done.error());
                           });
    };
    connect(m_review, &ReviewView::resolveRequested, this, resolve);
    connect(m_diff, &DiffView::commentActivated, this, [this, resolve](qint64 commentId) {
        const QList<ReviewComment> &comments = m_review->snapshot().comments;
        const auto found = std::find_if(comments.cbegin(), comments.cend(), [commentId](const ReviewComment &c) {
            return c.id == commentId;
        });
        if (found == comments.cend()) {
            return;
        }
        auto *box = new QMessageBox(QMessageBox::NoIcon,
                                    tr("Comment %1").arg(commentId),
                                    found->body,
                                    QMessageBox::Close,
                                    this);
        box->setObjectName(QStringLiteral("reviewCommentShown"));
        box->setInformativeText(
            tr("%1, revision %2%3")
                .arg(found->author)
                .arg(found->revision)
                .arg(found->isResolved() ? tr("; resolved by %1").arg(found->resolvedBy) : QString()));
        const bool resolved = found->isResolved();
        QPushButton *toggle = box->addButton(resolved ? tr("&Reopen") : tr("&Resolve"), QMessageBox::AcceptRole);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [box, toggle, resolve, commentId, resolved] {
            if (box->clickedButton() == toggle) {
                resolve(commentId, !resolved);
            }
        });
        box->open();
    });
    connect(m_diff, &DiffView::compareRequested, this, [this](int from) {
        m_compareFrom = from;
        m_showingConflicts = false;
        if (const qint64 id = m_review->modificationId(); id > 0) {
            m_filler->stop();
            m_diff->showMessage(tr("Loading the changes…"));
            m_diffKey.clear();
            m_watcher->loadReview(id, QString(), from);
        }
    });
    connect(m_review, &ReviewView::applyDecisionsRequested, this, [this](qint64 id) {
        m_compareFrom = -1;
        m_watcher->perform(tr("Apply the decisions on modification %1").arg(id), [id](Workspace &workspace) -> Status {
            auto done = workspace.revisions().applyDecisions(id);
            return done ? Status() : Status(done.error());
        });
    });
    connect(m_review, &ReviewView::restoreRequested, this, [this](qint64 id) {
        m_watcher->perform(tr("Restore the left-out hunks of modification %1").arg(id),
                           [id](Workspace &workspace) -> Status {
                               auto done = workspace.revisions().restoreRejected(id);
                               return done ? Status() : Status(done.error());
                           });
    });
    connect(m_review, &ReviewView::requestChangesRequested, this, [this](qint64 id) {
        statusBar()->showMessage(tr("The agent works on the comments of modification %1…").arg(id));
        // An agent's run takes minutes: on a thread of its own, so that the views stay live.
        m_watcher->performLong(tr("Request changes to modification %1").arg(id), [id](Workspace &workspace) -> Status {
            auto done = workspace.revisions().requestChanges(id);
            return done ? Status() : Status(done.error());
        });
    });
    connect(m_review, &ReviewView::updateRequested, this, [this](qint64 id) {
        auto outcome = std::make_shared<std::optional<UpdateOutcome>>();
        m_watcher->perform(
            tr("Update modification %1").arg(id),
            [id, outcome](Workspace &workspace) -> Status {
                auto done = workspace.revisions().update(id);
                if (!done) {
                    return done.error();
                }
                *outcome = *done;
                if (done->conflicted()) {
                    return makeError(tr("%1 conflicts with the change in %n file(s); nothing was changed. Both sides "
                                        "are in Changes; the conflicts are comments, and Request changes sends them "
                                        "to the agent.",
                                        nullptr,
                                        int(done->conflicts.size()))
                                         .arg(done->modification.targetBranch),
                                     ErrorKind::Conflict);
                }
                return {};
            },
            [this, outcome](const Status &) {
                if (!*outcome || !(*outcome)->conflicted()) {
                    return;
                }
                // Both sides of each conflict, in the viewer: the target's version against the change's.
                QSharedPointer<TreeDiff> conflicts(new TreeDiff);
                conflicts->files = (*outcome)->conflicts;
                for (const FileDiff &file : std::as_const(conflicts->files)) {
                    conflicts->additions += file.additions;
                    conflicts->deletions += file.deletions;
                }
                m_showingConflicts = true;
                m_filler->stop();
                m_diff->setDiff(conflicts);
                m_diff->setRevisions(0, 0);
                m_diff->setReview({}, {}, false); // nothing to decide on here: it is not the change
                m_diff->setCaption(tr("Conflicts: %1 at %2 (left) against the change (right)")
                                       .arg((*outcome)->modification.targetBranch, (*outcome)->targetHead.left(12)));
                m_tabs->setCurrentWidget(m_diff);
                // The conflicts were recorded as comments: the panel shows them (the diff stays).
                reloadReview();
            });
    });
}

void MainWindow::openModification(qint64 id)
{
    if (m_inboxOpened) {
        if (id > 0) {
            pinModification(id);
        } else if (const qint64 first = m_inbox->nextAfter(0); first > 0) {
            m_inbox->selectModification(first);
            m_kanban->selectGoal(m_inbox->goalOf(first), false);
        }
        return;
    }
    m_openOnLoad = id;
}

void MainWindow::pinModification(qint64 id)
{
    m_pinnedModification = id;
    m_pinnedGoal = 0; // known when its review loads
    m_compareFrom = -1;
    m_diffKey.clear();
    m_review->showLoading(id);
    m_filler->stop();
    m_diff->showMessage(tr("Loading modification %1…").arg(id));
    m_watcher->loadReview(id, QString(), m_compareFrom);
}

void MainWindow::showReviewOf(qint64 goalId, bool reload)
{
    const int row = m_kanban->model()->rowOf(goalId);
    const GoalCard *card = row >= 0 ? &m_kanban->model()->cards().at(row) : nullptr;
    if (m_pinnedModification > 0 && m_pinnedGoal > 0 && goalId != m_pinnedGoal) {
        m_pinnedModification = m_pinnedGoal = 0; // another goal was chosen
    }
    if (m_pinnedModification > 0) {
        if (m_pinnedGoal == goalId && reload) {
            m_watcher->loadReview(m_pinnedModification, m_diffKey, m_compareFrom);
        }
        return;
    }
    if (!card || card->modificationId == 0) {
        m_review->showNone(tr("Goal %1 has no modification yet: its plan writes one when it runs.").arg(goalId));
        m_diffKey.clear();
        m_filler->stop();
        m_diff->showMessage(tr("Goal %1 has no changes to show yet.").arg(goalId));
        return;
    }
    // Reload when another goal or modification is selected, or when its status moved.
    const bool changed = m_review->modificationId() != card->modificationId
        || toString(m_review->snapshot().modification.status) != card->modificationStatus;
    if (m_review->modificationId() != card->modificationId) {
        m_compareFrom = -1; // another change: from the revision its reviewer last saw
    }
    if (reload && m_showingConflicts) {
        m_diffKey.clear(); // chosen again: its diff instead of the conflicts
    }
    if (reload || changed) {
        m_review->showLoading(card->modificationId);
        m_watcher->loadReview(card->modificationId, m_diffKey, m_compareFrom);
    }
}

void MainWindow::notifyAwaitingReview(const WorkspaceStatus &status)
{
    const int waiting = status.modificationsAwaitingReview;
    const bool more = m_awaitingReview >= 0 && waiting > m_awaitingReview;
    m_awaitingReview = waiting;
    if (!more) {
        return;
    }
    const QString message = tr("%n modification(s) wait for your review in %1.", nullptr, waiting)
                                .arg(QFileInfo(status.workDir).fileName());
    if (m_tray->isVisible()) {
        m_tray->showMessage(tr("Astra Review"), message, QSystemTrayIcon::Information, 10000);
    }
    Q_EMIT reviewNotified(message);
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = WorkspaceChooser::recentWorkspaces();
    for (const QString &path : recent) {
        QAction *item = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        connect(item, &QAction::triggered, this, [this, path] {
            WorkspaceOptions options;
            options.repoPath = path;
            openWorkspace(options);
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(this, this);
    dialog->setObjectName(QStringLiteral("shortcutsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showSettings()
{
    if (m_configPath.isEmpty()) {
        showTransient(tr("Open a workspace first: the settings are its .astra.toml."));
        return;
    }
    auto *dialog = new SettingsDialog(m_configPath, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SettingsDialog::saved, this, [this] {
        statusBar()->showMessage(tr("Saved %1").arg(m_configPath), 5000);
        refresh();
    });
    dialog->open();
}

void MainWindow::startBackgroundWork(std::chrono::milliseconds tick)
{
    m_backgroundTick = tick;
    if (m_backgroundAction->isChecked()) {
        m_cycle->start(tick);
    }
    updateBackground();
}

QString MainWindow::backgroundText() const
{
    if (m_cycle->isRunning()) {
        return tr("Background work: running");
    }
    if (m_backgroundTick.count() <= 0) {
        return tr("Background work: off");
    }
    if (!m_cycle->isActive()) {
        return tr("Background work: paused");
    }
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(m_backgroundTick).count();
    return minutes >= 1 ? tr("Background work: every %n min", nullptr, int(minutes))
                        : tr("Background work: every %n s",
                             nullptr,
                             int(std::chrono::duration_cast<std::chrono::seconds>(m_backgroundTick).count()));
}

void MainWindow::updateBackground()
{
    m_background->setText(backgroundText());
    m_backgroundAction->setEnabled(m_backgroundTick.count() > 0);
    m_backgroundNow->setEnabled(!m_cycle->isRunning());
}

void MainWindow::openWorkspace(const WorkspaceOptions &options)
{
    m_watcher->setOptions(options);
    m_cycle->setOptions(options);
    m_statusPage->showLoading(options.repoPath.isEmpty() ? QDir::currentPath() : options.repoPath);
    refresh();
}

void MainWindow::refresh()
{
    m_watcher->refresh();
}

QStringList MainWindow::viewNames()
{
    return {QStringLiteral("status"),
            QStringLiteral("kanban"),
            QStringLiteral("plan"),
            QStringLiteral("review"),
            QStringLiteral("diff"),
            QStringLiteral("tasks"),
            QStringLiteral("ledger")};
}

bool MainWindow::showView(const QString &name)
{
    const int at = int(viewNames().indexOf(name));
    if (at < 0) {
        return false;
    }
    m_tabs->setCurrentIndex(at);
    m_openInboxOnStart = false; // a view asked for wins
    return true;
}

QString MainWindow::currentView() const
{
    return viewNames().value(m_tabs->currentIndex());
}

void MainWindow::showTransient(const QString &message)
{
    statusBar()->showMessage(message, 15000);
    if (isVisible()) {
        QToolTip::showText(QCursor::pos(), message, this);
    }
}

void MainWindow::performGoalAction(qint64 goalId, GoalAction action)
{
    const auto run = [this, goalId, action](const QString &reason) {
        QString what;
        switch (action) {
        case GoalAction::Approve:
            what = tr("Approve goal %1").arg(goalId);
            break;
        case GoalAction::Reject:
            what = tr("Reject goal %1").arg(goalId);
            break;
        case GoalAction::Abandon:
            what = tr("Abandon goal %1").arg(goalId);
            break;
        }
        m_watcher->perform(what, [goalId, action, reason](Workspace &workspace) -> Status {
            auto moved = workspace.applyGoalAction(goalId, action, reason);
            return moved ? Status() : Status(moved.error());
        });
    };
    if (action == GoalAction::Approve) {
        run(QString());
        return;
    }
    // Rejecting and abandoning say why; the ledger keeps it.
    askForReason(this,
                 QStringLiteral("goalReason"),
                 action == GoalAction::Reject ? tr("Reject goal %1").arg(goalId) : tr("Abandon goal %1").arg(goalId),
                 tr("Why? The reason is kept in the goal and the audit ledger."),
                 run);
}

void MainWindow::chooseWorkspace()
{
    auto *chooser = new WorkspaceChooser(m_workDir, this);
    chooser->setAttribute(Qt::WA_DeleteOnClose);
    connect(chooser, &WorkspaceChooser::workspaceChosen, this, [this](const QString &path) {
        WorkspaceOptions options;
        options.repoPath = path;
        openWorkspace(options);
    });
    chooser->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this,
                       tr("About Astra Review"),
                       tr("<p><b>Astra Review %1</b></p><p>Review, approve and merge the changes an autonomous agent "
                          "proposes to your git repository.</p><pre>%2</pre>")
                           .arg(astraVersion(), aboutText().toHtmlEscaped()));
}

QString MainWindow::aboutText()
{
    return versionReport(QStringLiteral("astra-review"))
        + (Highlighting::available()
               ? tr("KSyntaxHighlighting %1: %2\n").arg(Highlighting::version(), Highlighting::description())
               : tr("KSyntaxHighlighting: %1\n").arg(Highlighting::description()));
}

} // namespace astra
