#pragma once

#include "base/result.h"
#include "model/task.h"
#include "scheduling/tasksession.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QJsonObject>

#include <atomic>
#include <functional>

namespace astra {

// What one attempt at a task ended with. Transient failures are retried with backoff (up to
// the task's max_attempts); every other failure ends the task and its plan.
struct TaskOutcome
{
    enum class Kind
    {
        Succeeded,
        Failed,
        Transient,
        Cancelled,
    };
    Kind kind = Kind::Succeeded;
    QString summary;
    QJsonObject output;
    // What did not make it fail but a person must hear (it ran unsandboxed, ...).
    QStringList warnings;

    static TaskOutcome succeeded(const QString &summary, const QJsonObject &output = {});
    static TaskOutcome failed(const Error &error);
};

QString toString(TaskOutcome::Kind kind);

// Given to an executor while it runs on a pool thread. The session belongs to that thread.
struct TaskContext
{
    TaskSession &session;
    const TaskRecord &task;
    QList<TaskRecord> earlier; // the plan's earlier tasks (all succeeded), with their outputs
    QDeadlineTimer deadline;
    const std::atomic<bool> *stop = nullptr; // cancellation or the deadline
    std::function<void(int, const QString &)> progress;
    qint64 runId = 0; // the task_runs row of this attempt

    bool stopRequested() const
    {
        return (stop && stop->load()) || deadline.hasExpired();
    }
    // The output of the latest earlier task of `kind`, or nothing.
    const TaskRecord *earlierOf(const QString &kind) const;
};

using TaskExecutor = std::function<TaskOutcome(TaskContext &)>;

// Which executor runs which primitive, and which primitives write to the repository (at most
// one of those runs at a time per workspace).
class ExecutorRegistry
{
public:
    void add(const QString &kind, TaskExecutor executor, bool writesRepository = false);
    const TaskExecutor *find(const QString &kind) const;
    bool writes(const QString &kind) const;
    QStringList writerKinds() const;
    QStringList kinds() const;

private:
    struct Entry
    {
        TaskExecutor executor;
        bool writes = false;
    };
    QHash<QString, Entry> m_entries;
};

} // namespace astra
