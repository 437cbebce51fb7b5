#pragma once

#include "goals/goalboard.h"
#include "workspace.h"
#include "workspacestatus.h"

#include <QObject>
#include <QThreadPool>

#include <functional>

namespace astra {

// Loads a workspace's status and goal cards on a worker thread and hands them to the caller's
// thread through a queued signal, so the UI thread never waits on the database or git. A newer
// refresh() supersedes an older one still running: only the latest result is delivered.
// perform() runs an action (approve, reject, ...) on the same single worker thread, so a
// refresh queued after it sees its result.
class WorkspaceWatcher : public QObject
{
    Q_OBJECT
public:
    explicit WorkspaceWatcher(QObject *parent = nullptr);
    ~WorkspaceWatcher() override;

    void setOptions(const WorkspaceOptions &options);
    WorkspaceOptions options() const
    {
        return m_options;
    }
    bool isBusy() const
    {
        return m_running > 0;
    }

    void refresh();

    using Action = std::function<Status(Workspace &)>;
    // Runs `action` on a workspace opened on the worker thread, then refreshes. `what` names
    // the action in the signals ("Approve goal 3").
    void perform(const QString &what, Action action);
    // Waits for the background work to end (for shutdown and tests; never from a slot).
    void waitForIdle();

Q_SIGNALS:
    void statusLoaded(const astra::WorkspaceStatus &status);
    // Right after statusLoaded, from the same load.
    void goalsLoaded(const QList<astra::GoalCard> &cards);
    void actionSucceeded(const QString &what);
    void actionFailed(const QString &what, const QString &message);
    void loadFailed(const QString &message);
    void busyChanged(bool busy);

private:
    WorkspaceOptions m_options;
    QThreadPool m_pool;
    quint64 m_generation = 0;
    int m_running = 0;
};

} // namespace astra
