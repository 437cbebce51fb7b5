#pragma once

#include "model/goalstatemachine.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QMainWindow>

class QLabel;
class QSplitter;
class QSystemTrayIcon;
class QTabWidget;

#include <chrono>

namespace astra {

class BackgroundCycle;
class DiffFiller;
class DiffView;
class InboxView;
class KanbanView;
class LedgerView;
class PlanView;
class ReviewView;
class StatusPage;
class TaskQueueView;
class WorkspaceWatcher;
enum class Theme;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(const WorkspaceOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    void openWorkspace(const WorkspaceOptions &options);
    void refresh();

    StatusPage *statusPage() const
    {
        return m_statusPage;
    }
    KanbanView *kanbanView() const
    {
        return m_kanban;
    }
    PlanView *planView() const
    {
        return m_plan;
    }
    ReviewView *reviewView() const
    {
        return m_review;
    }
    InboxView *inboxView() const
    {
        return m_inbox;
    }
    DiffView *diffView() const
    {
        return m_diff;
    }
    TaskQueueView *taskView() const
    {
        return m_tasks;
    }
    LedgerView *ledgerView() const
    {
        return m_ledger;
    }
    // The views, in tab order: "status", "kanban", "plan", "review", "diff", "tasks", "ledger".
    static QStringList viewNames();
    // Astra Review's version with those of Qt, libgit2 and KSyntaxHighlighting (or its absence).
    static QString aboutText();
    // The window's geometry, current view, splitters and diff layout, kept between sessions.
    void saveLayout() const;
    void restoreLayout();
    // Brings a view to the front; false for an unknown name.
    bool showView(const QString &name);
    // The name of the view in front.
    QString currentView() const;
    // Opens modification `id` in the review and the diff when the workspace has loaded, whatever
    // its state; 0: the first one waiting for review (the review or the diff, whichever is in
    // front, stays in front). An unknown id is said in both views.
    void openModification(qint64 id);
    WorkspaceWatcher *watcher() const
    {
        return m_watcher;
    }
    // Due jobs, detection and approved plans on a timer, off the UI thread (off until started;
    // --screenshot leaves it off). The first turn comes a tick after the start, so opening a
    // workspace changes nothing in it; Workspace → Background work pauses it (kept between
    // sessions) and the status bar says whether it is on, paused or running.
    void startBackgroundWork(std::chrono::milliseconds tick);
    QAction *backgroundAction() const
    {
        return m_backgroundAction;
    }
    QString backgroundText() const;
    BackgroundCycle *backgroundCycle() const
    {
        return m_cycle;
    }

Q_SIGNALS:
    // The status page shows a loaded status or an error (for --screenshot and tests).
    void settled();
    // A modification began waiting for review (the tray shows it when there is a tray).
    void reviewNotified(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void chooseWorkspace();
    void showAbout();
    void performGoalAction(qint64 goalId, GoalAction action);
    void showTransient(const QString &message);
    void showReviewOf(qint64 goalId, bool reload);
    void pinModification(qint64 id);
    // Hunk decisions, comments, requested changes and updates, from the diff and the review panel.
    void connectConversation();
    // Names this repository in the diff viewer's settings (seen marks, progress).
    QString repositoryKey() const;
    // Loads the shown modification's review again (its decisions and comments changed).
    void reloadReview();
    void showShortcuts();
    void showSettings();
    void setTheme(Theme theme);
    void notifyAwaitingReview(const WorkspaceStatus &status);
    void rebuildRecentMenu();
    void updateBackground();
    void showInbox(const QList<InboxItem> &items);
    // Hunks of the modification's diff not marked seen; -1 when its diff was not shown.
    int unseenHunks(qint64 modificationId) const;

    WorkspaceWatcher *m_watcher;
    DiffFiller *m_filler; // reads the rest of the diff shown from its outline
    BackgroundCycle *m_cycle = nullptr;
    StatusPage *m_statusPage = nullptr;
    KanbanView *m_kanban = nullptr;
    PlanView *m_plan = nullptr;
    InboxView *m_inbox = nullptr;
    ReviewView *m_review = nullptr;
    QSplitter *m_reviewPage = nullptr;
    DiffView *m_diff = nullptr;
    TaskQueueView *m_tasks = nullptr;
    LedgerView *m_ledger = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_activity = nullptr;
    QLabel *m_background = nullptr;
    QLabel *m_connection = nullptr; // shown while the shared database is out of reach
    QAction *m_backgroundAction = nullptr;
    QAction *m_backgroundNow = nullptr;
    std::chrono::milliseconds m_backgroundTick{0}; // 0: not started by the caller
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_recentMenu = nullptr;
    QString m_configPath;
    QString m_workDir;
    int m_awaitingReview = -1; // -1: not loaded yet
    QString m_ledgerHead; // the head hash the ledger view shows
    QString m_diffKey; // the commits of the diff shown
    bool m_showingConflicts = false; // Changes shows an update's conflicts, not the diff of m_diffKey
    int m_compareFrom = -1; // the revision the diff starts from (0: the base; -1: the one last reviewed)
    qint64 m_diffModification = 0; // whose diff is shown
    qint64 m_nextAfterDecision = 0; // to select when the inbox reloads after a merge or rejection
    bool m_openInboxOnStart = true; // false once a view was asked for
    qint64 m_openOnLoad = -1; // openModification() before the workspace loaded
    QString m_diffFileOnLoad; // the file of the next diff to go to (asked for from the plan)
    // A modification chosen by id rather than by its goal (openModification()): the review of its
    // goal shows it, not the goal's newest, until another goal is chosen.
    qint64 m_pinnedModification = 0;
    qint64 m_pinnedGoal = 0;
    bool m_inboxOpened = false; // the inbox of this workspace was shown once
};

} // namespace astra
