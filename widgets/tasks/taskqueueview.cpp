#include "taskqueueview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace astra {

namespace {
QString stateText(const TaskRecord &task)
{
    if (task.state == TaskState::Queued && !task.planApproved) {
        return TaskQueueModel::tr("waiting for plan approval");
    }
    if (task.state == TaskState::Running && !task.claimedAt.isEmpty()) {
        const QDateTime claimed = QDateTime::fromString(task.claimedAt, Qt::ISODateWithMs);
        if (claimed.isValid()) {
            const qint64 seconds = qMax<qint64>(0, claimed.secsTo(QDateTime::currentDateTimeUtc()));
            return TaskQueueModel::tr("running for %1").arg(TaskQueueModel::elapsedText(seconds));
        }
    }
    switch (task.state) {
    case TaskState::Queued:
        return TaskQueueModel::tr("queued");
    case TaskState::Running:
        return TaskQueueModel::tr("running");
    case TaskState::Succeeded:
        return TaskQueueModel::tr("succeeded");
    case TaskState::Failed:
        return TaskQueueModel::tr("failed");
    case TaskState::Cancelled:
        return TaskQueueModel::tr("cancelled");
    case TaskState::Skipped:
        return TaskQueueModel::tr("skipped");
    }
    return {};
}

// The plan's progress as a progress bar, drawn by the style.
class ProgressDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 3, -2, -3);
        bar.minimum = 0;
        bar.maximum = 100;
        bar.progress = index.data(TaskQueueModel::ProgressRole).toInt();
        bar.text = index.data().toString();
        bar.textVisible = true;
        bar.state = option.state | QStyle::State_Horizontal;
        bar.palette = option.palette;
        QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter);
    }
};
} // namespace

void TaskQueueModel::setTasks(const QList<TaskRecord> &tasks)
{
    beginResetModel();
    m_tasks = tasks;
    m_planProgress.clear();
    for (const TaskRecord &task : tasks) {
        auto &progress = m_planProgress[task.planId];
        progress.second += 1;
        progress.first += isFinal(task.state) ? 1 : 0;
    }
    endResetModel();
}

int TaskQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tasks.size());
}

int TaskQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TaskQueueModel::elapsedText(qint64 seconds)
{
    const qint64 hours = seconds / 3600;
    const qint64 minutes = (seconds % 3600) / 60;
    const qint64 rest = seconds % 60;
    return hours > 0
        ? QStringLiteral("%1:%2:%3").arg(hours).arg(minutes, 2, 10, QLatin1Char('0')).arg(rest, 2, 10, QLatin1Char('0'))
        : QStringLiteral("%1:%2").arg(minutes).arg(rest, 2, 10, QLatin1Char('0'));
}

bool TaskQueueModel::anyRunning() const
{
    return std::any_of(m_tasks.cbegin(), m_tasks.cend(), [](const TaskRecord &task) {
        return task.state == TaskState::Running;
    });
}

void TaskQueueModel::tick()
{
    if (!m_tasks.isEmpty()) {
        Q_EMIT dataChanged(index(0, StateColumn), index(int(m_tasks.size()) - 1, StateColumn), {Qt::DisplayRole});
    }
}

QString TaskQueueModel::progressText(qint64 planId) const
{
    const auto progress = m_planProgress.value(planId);
    return tr("plan %1: %2 of %n task(s) done", nullptr, progress.second).arg(planId).arg(progress.first);
}

QVariant TaskQueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_tasks.size()) {
        return {};
    }
    const TaskRecord &t = m_tasks.at(index.row());
    if (role == ProgressRole) {
        const auto progress = m_planProgress.value(t.planId);
        return progress.second > 0 ? progress.first * 100 / progress.second : 0;
    }
    if (role == ActiveRole) {
        return t.state == TaskState::Queued || t.state == TaskState::Running;
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case IdColumn:
            return t.id;
        case GoalColumn:
            return tr("#%1").arg(t.goalId);
        case KindColumn:
            return t.arguments.isEmpty() ? t.kind : tr("%1 %2").arg(t.kind, t.arguments.join(u' '));
        case StateColumn:
            return t.cancelRequested && !isFinal(t.state) ? tr("%1, cancel requested").arg(stateText(t)) : stateText(t);
        case ProgressColumn:
            return progressText(t.planId);
        case AttemptsColumn:
            return tr("%1/%2").arg(t.attempts).arg(t.maxAttempts);
        case SummaryColumn:
            return t.summary;
        case UpdatedColumn:
            return t.updatedAt;
        }
    }
    return {};
}

QVariant TaskQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case IdColumn:
        return tr("Task");
    case GoalColumn:
        return tr("Goal");
    case KindColumn:
        return tr("Action");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Plan progress");
    case AttemptsColumn:
        return tr("Attempts");
    case SummaryColumn:
        return tr("Outcome");
    case UpdatedColumn:
        return tr("Updated (UTC)");
    }
    return {};
}

TaskQueueView::TaskQueueView(QWidget *parent)
    : QWidget(parent)
    , m_model(new TaskQueueModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_activeOnly(new QCheckBox(tr("&Queued and running only"), this))
    , m_summary(new QLabel(this))
    , m_cancel(new QPushButton(tr("&Cancel task"), this))
    , m_logTitle(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
{
    m_log->setObjectName(QStringLiteral("taskLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_log->setPlaceholderText(tr("Select a task to see its log."));
    m_follow.setInterval(1000);
    connect(&m_follow, &QTimer::timeout, this, [this] {
        if (m_logTask > 0 && isVisible()) {
            Q_EMIT logWanted(m_logTask);
        }
    });
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, m_model, &TaskQueueModel::tick);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(TaskQueueModel::ActiveRole);
    m_table->setModel(m_proxy);
    m_table->setObjectName(QStringLiteral("taskTable"));
    m_table->setItemDelegateForColumn(TaskQueueModel::ProgressColumn, new ProgressDelegate(this));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(TaskQueueModel::SummaryColumn, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_cancel->setObjectName(QStringLiteral("cancelTask"));
    connect(m_activeOnly, &QCheckBox::toggled, this, [this](bool on) {
        m_proxy->setFilterFixedString(on ? QStringLiteral("true") : QString());
    });
    connect(m_cancel, &QPushButton::clicked, this, &TaskQueueView::cancelCurrent);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TaskQueueView::updateButtons);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        const qint64 task = currentTask();
        if (task != m_logTask) {
            m_logTask = task;
            m_log->clear();
            m_logTitle->setText(task > 0 ? tr("Log of task %1: loading…").arg(task) : QString());
            if (task > 0) {
                Q_EMIT logWanted(task);
            } else {
                m_follow.stop();
            }
        }
    });
    auto *cancel = new QAction(tr("Cancel the selected task"), this);
    cancel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    cancel->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(cancel, &QAction::triggered, this, &TaskQueueView::cancelCurrent);
    addAction(cancel);
    m_cancel->setToolTip(tr("A queued task does not start; a running one stops at its next check (%1)")
                             .arg(cancel->shortcut().toString(QKeySequence::NativeText)));

    setFocusProxy(m_table);
    auto *top = new QHBoxLayout;
    top->addWidget(m_summary, 1);
    top->addWidget(m_activeOnly);
    top->addWidget(m_cancel);
    auto *logPane = new QWidget(this);
    auto *logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addWidget(m_logTitle);
    logLayout->addWidget(m_log, 1);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("taskSplitter"));
    split->addWidget(m_table);
    split->addWidget(logPane);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    updateButtons();
}

void TaskQueueView::setTasks(const QList<TaskRecord> &tasks)
{
    const qint64 selected = currentTask();
    m_model->setTasks(tasks);
    int queued = 0;
    int waiting = 0;
    int running = 0;
    for (const TaskRecord &task : tasks) {
        queued += task.state == TaskState::Queued && task.planApproved ? 1 : 0;
        waiting += task.state == TaskState::Queued && !task.planApproved ? 1 : 0;
        running += task.state == TaskState::Running ? 1 : 0;
    }
    QString summary =
        tr("%n task(s) running", nullptr, running) + QStringLiteral(" · ") + tr("%n queued", nullptr, queued);
    if (waiting > 0) {
        summary += QStringLiteral(" · ") + tr("%n waiting for plan approval", nullptr, waiting);
    }
    m_summary->setText(summary + QStringLiteral(" · ") + tr("%n in all", nullptr, int(tasks.size())));
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->resizeSection(TaskQueueModel::ProgressColumn, 260);
    // A running task's elapsed time moves on every second; nothing ticks while none runs.
    if (m_model->anyRunning()) {
        m_tick.start();
    } else {
        m_tick.stop();
    }
    if (selected > 0) {
        selectTask(selected);
    }
    updateButtons();
}

qint64 TaskQueueView::currentTask() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->task(m_proxy->mapToSource(current).row()).id : 0;
}

void TaskQueueView::selectTask(qint64 taskId)
{
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->task(row).id == taskId) {
            m_table->setCurrentIndex(m_proxy->mapFromSource(m_model->index(row, 0)));
            return;
        }
    }
}

void TaskQueueView::showLog(qint64 taskId, const QString &text, bool running)
{
    if (taskId != m_logTask) {
        return; // another task was selected meanwhile
    }
    m_logTitle->setText(running ? tr("Log of task %1, as it runs:").arg(taskId) : tr("Log of task %1:").arg(taskId));
    if (text.isEmpty()) {
        m_log->clear();
        m_log->setPlaceholderText(running ? tr("Nothing written yet.") : tr("This task wrote no log."));
    } else if (m_log->toPlainText() != text) {
        // Following the end, unless the person scrolled up to read.
        QScrollBar *bar = m_log->verticalScrollBar();
        const bool atEnd = bar->value() >= bar->maximum() - 2;
        const int kept = bar->value();
        m_log->setPlainText(text);
        bar->setValue(atEnd ? bar->maximum() : kept);
    }
    if (running) {
        m_follow.start();
    } else {
        m_follow.stop();
    }
}

void TaskQueueView::cancelCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        return;
    }
    const TaskRecord &task = m_model->task(m_proxy->mapToSource(current).row());
    if (!isFinal(task.state) && !task.cancelRequested) {
        Q_EMIT cancelRequested(task.id);
    }
}

void TaskQueueView::updateButtons()
{
    const QModelIndex current = m_table->currentIndex();
    bool cancellable = false;
    if (current.isValid()) {
        const TaskRecord &task = m_model->task(m_proxy->mapToSource(current).row());
        cancellable = !isFinal(task.state) && !task.cancelRequested;
    }
    m_cancel->setEnabled(cancellable);
}

} // namespace astra
