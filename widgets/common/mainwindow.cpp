#include "mainwindow.h"

#include "backgroundcycle.h"
#include "kanban/kanbanview.h"
#include "plan/planview.h"
#include "statuspage.h"
#include "version.h"
#include "workspacewatcher.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonObject>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolTip>

namespace astra {

MainWindow::MainWindow(const WorkspaceOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , m_watcher(new WorkspaceWatcher(this))
    , m_cycle(new BackgroundCycle(this))
    , m_statusPage(new StatusPage(this))
    , m_kanban(new KanbanView(this))
    , m_plan(new PlanView(this))
    , m_tabs(new QTabWidget(this))
{
    m_tabs->setObjectName(QStringLiteral("views"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_statusPage, tr("&Overview"));
    m_tabs->addTab(m_kanban, tr("&Goals"));
    m_tabs->addTab(m_plan, tr("&Plan"));
    setCentralWidget(m_tabs);
    resize(1280, 800);

    QMenu *fileMenu = menuBar()->addMenu(tr("&Workspace"));
    QAction *open = fileMenu->addAction(tr("&Open…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, &MainWindow::chooseWorkspace);
    QAction *reload = fileMenu->addAction(tr("&Refresh"));
    reload->setShortcut(QKeySequence::Refresh);
    connect(reload, &QAction::triggered, this, &MainWindow::refresh);
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *about = helpMenu->addAction(tr("&About Astra Review"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    connect(m_watcher, &WorkspaceWatcher::statusLoaded, this, [this](const WorkspaceStatus &status) {
        m_statusPage->showStatus(status);
        setWindowTitle(tr("%1 — Astra Review").arg(QFileInfo(status.workDir).fileName()));
        statusBar()->showMessage(tr("Loaded %1").arg(status.workDir), 5000);
        Q_EMIT settled();
    });
    connect(m_watcher, &WorkspaceWatcher::goalsLoaded, this, [this](const QList<GoalCard> &cards) {
        m_kanban->setCards(cards);
        // The plan of the selected goal follows every reload (task states change as plans run).
        if (m_kanban->currentGoal() > 0) {
            m_watcher->loadPlan(m_kanban->currentGoal());
        }
    });
    connect(m_kanban, &KanbanView::currentGoalChanged, this, [this](qint64 goalId) {
        m_plan->showLoading(goalId);
        m_watcher->loadPlan(goalId);
    });
    connect(m_watcher, &WorkspaceWatcher::planLoaded, m_plan, &PlanView::setSnapshot);
    connect(m_watcher, &WorkspaceWatcher::planLoadFailed, m_plan, &PlanView::showError);
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
    });
    connect(m_watcher, &WorkspaceWatcher::actionFailed, this, [this](const QString &what, const QString &message) {
        // The engine's message in full: it names the thing, the rule and what to do.
        auto *box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(what), message, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("actionFailed"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    connect(m_watcher, &WorkspaceWatcher::loadFailed, this, [this](const QString &message) {
        m_statusPage->showError(message);
        setWindowTitle(tr("Astra Review"));
        statusBar()->showMessage(tr("The workspace could not be opened"));
        Q_EMIT settled();
    });
    connect(m_watcher, &WorkspaceWatcher::busyChanged, this, [this](bool busy) {
        if (busy) {
            statusBar()->showMessage(tr("Loading…"));
        }
    });

    connect(m_cycle, &BackgroundCycle::turnFinished, this, [this](const QJsonObject &report) {
        const int jobs = int(report.value(QStringLiteral("job_runs")).toArray().size());
        const int tasks = report.value(QStringLiteral("scheduler")).toObject().value(QStringLiteral("started")).toInt();
        const int review = int(report.value(QStringLiteral("modifications_awaiting_review")).toArray().size());
        statusBar()->showMessage(
            tr("Background: %n job run(s); %1 task(s) run; %2 awaiting review", nullptr, jobs).arg(tasks).arg(review),
            10000);
        if (jobs > 0 || tasks > 0 || !report.value(QStringLiteral("proposals")).toArray().isEmpty()) {
            refresh();
        }
    });
    connect(m_cycle, &BackgroundCycle::turnFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Background work failed: %1").arg(message), 10000);
    });

    openWorkspace(options);
}

MainWindow::~MainWindow() = default;

void MainWindow::startBackgroundWork(std::chrono::milliseconds tick)
{
    m_cycle->start(tick);
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
    return {QStringLiteral("status"), QStringLiteral("kanban"), QStringLiteral("plan")};
}

bool MainWindow::showView(const QString &name)
{
    const int at = int(viewNames().indexOf(name));
    if (at < 0) {
        return false;
    }
    m_tabs->setCurrentIndex(at);
    return true;
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
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("goalReason"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(action == GoalAction::Reject ? tr("Reject goal %1").arg(goalId)
                                                        : tr("Abandon goal %1").arg(goalId));
    dialog->setLabelText(tr("Why? The reason is kept in the goal and the audit ledger."));
    connect(dialog, &QInputDialog::textValueSelected, this, run);
    dialog->open();
}

void MainWindow::chooseWorkspace()
{
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open a git repository"), m_watcher->options().repoPath);
    if (dir.isEmpty()) {
        return;
    }
    WorkspaceOptions options;
    options.repoPath = dir;
    openWorkspace(options);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this,
                       tr("About Astra Review"),
                       tr("<p><b>Astra Review %1</b></p><p>Review, approve and merge the changes an autonomous agent "
                          "proposes to your git repository.</p><pre>%2</pre>")
                           .arg(astraVersion(), versionReport(QStringLiteral("astra-review")).toHtmlEscaped()));
}

} // namespace astra
