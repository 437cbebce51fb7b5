#pragma once

#include "workspace.h"

#include <QMainWindow>

#include <chrono>

namespace astra {

class BackgroundCycle;
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

    WorkspaceWatcher *m_watcher = nullptr;
    BackgroundCycle *m_cycle = nullptr;
    StatusPage *m_statusPage = nullptr;
};

} // namespace astra
