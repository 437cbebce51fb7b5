#pragma once

#include "workspace.h"

#include <QMainWindow>

namespace astra {

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

Q_SIGNALS:
    // The status page shows a loaded status or an error (for --screenshot and tests).
    void settled();

private:
    void chooseWorkspace();
    void showAbout();

    WorkspaceWatcher *m_watcher = nullptr;
    StatusPage *m_statusPage = nullptr;
};

} // namespace astra
