#pragma once

#include "goals/goalstatemachine.h"
#include "workspace.h"

#include <QMainWindow>

class QTabWidget;

#include <chrono>

namespace astra {

class BackgroundCycle;
class KanbanView;
class PlanView;
class StatusPage;
class WorkspaceWatcher;

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
    // The views --screenshot can show: "status", "kanban", "plan".
    static QStringList viewNames();
    // Brings a view to the front; false for an unknown name.
    bool showView(const QString &name);
    WorkspaceWatcher *watcher() const
    {
        return m_watcher;
    }
    // Due jobs, detection and approved plans on a timer, off the UI thread (off until started;
    // --screenshot leaves it off).
    void startBackgroundWork(std::chrono::milliseconds tick);
    BackgroundCycle *backgroundCycle() const
    {
        return m_cycle;
    }

Q_SIGNALS:
    // The status page shows a loaded status or an error (for --screenshot and tests).
    void settled();

private:
    void chooseWorkspace();
    void showAbout();
    void performGoalAction(qint64 goalId, GoalAction action);
    void showTransient(const QString &message);

    WorkspaceWatcher *m_watcher = nullptr;
    BackgroundCycle *m_cycle = nullptr;
    StatusPage *m_statusPage = nullptr;
    KanbanView *m_kanban = nullptr;
    PlanView *m_plan = nullptr;
    QTabWidget *m_tabs = nullptr;
};

} // namespace astra
