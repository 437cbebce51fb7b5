#pragma once

#include "model/task.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace astra {

// Every task of every plan, newest first, with its plan's progress.
class TaskQueueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        GoalColumn,
        KindColumn,
        StateColumn,
        ProgressColumn,
        AttemptsColumn,
        SummaryColumn,
        UpdatedColumn,
        ColumnCount,
    };
    enum Roles
    {
        ProgressRole = Qt::UserRole + 1, // 0..100: finished tasks of the task's plan
        ActiveRole, // queued or running
    };
    using QAbstractTableModel::QAbstractTableModel;
    void setTasks(const QList<TaskRecord> &tasks);
    const TaskRecord &task(int row) const
    {
        return m_tasks.at(row);
    }
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // "2 of 5 tasks done" for a plan.
    QString progressText(qint64 planId) const;
    // The time since a running task was claimed, as "1:05" (minutes and seconds, or h:mm:ss).
    static QString elapsedText(qint64 seconds);
    // Whether a task runs: its elapsed time then changes every second.
    bool anyRunning() const;
    // Tells the view that the running tasks' elapsed times moved on.
    void tick();

private:
    QList<TaskRecord> m_tasks;
    QHash<qint64, QPair<int, int>> m_planProgress; // plan -> (finished, total)
};

// The task queue: tasks with their plan's progress as a bar, and cancel for queued and running
// ones (a running task stops at its next check).
class TaskQueueView : public QWidget
{
    Q_OBJECT
public:
    explicit TaskQueueView(QWidget *parent = nullptr);
    void setTasks(const QList<TaskRecord> &tasks);
    TaskQueueModel *model() const
    {
        return m_model;
    }
    QTableView *table() const
    {
        return m_table;
    }
    qint64 currentTask() const;
    void selectTask(qint64 taskId);
    void cancelCurrent();
    // The end of the selected task's log; `running` keeps it following (logWanted every second).
    void showLog(qint64 taskId, const QString &text, bool running);
    QPlainTextEdit *logView() const
    {
        return m_log;
    }

Q_SIGNALS:
    void cancelRequested(qint64 taskId);
    // The selected task's log is wanted: when it is selected, and every second while it runs.
    void logWanted(qint64 taskId);

private:
    void updateButtons();

    TaskQueueModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QCheckBox *m_activeOnly;
    QLabel *m_summary;
    QPushButton *m_cancel;
    QTimer m_tick; // while a task runs: its elapsed time
    QLabel *m_logTitle;
    QPlainTextEdit *m_log;
    QTimer m_follow; // while the selected task runs: its log
    qint64 m_logTask = 0;
};

} // namespace astra
