#pragma once

#include "workspace.h"
#include "workspacestatus.h"

#include <QObject>
#include <QThreadPool>

namespace astra {

// Loads a workspace's status on a worker thread and hands it to the caller's thread through a
// queued signal, so the UI thread never waits on the database or git. A newer refresh()
// supersedes an older one still running: only the latest result is delivered.
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
    // Waits for the background work to end (for shutdown and tests; never from a slot).
    void waitForIdle();

Q_SIGNALS:
    void statusLoaded(const astra::WorkspaceStatus &status);
    void loadFailed(const QString &message);
    void busyChanged(bool busy);

private:
    WorkspaceOptions m_options;
    QThreadPool m_pool;
    quint64 m_generation = 0;
    int m_running = 0;
};

} // namespace astra
