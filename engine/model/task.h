#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace astra {

enum class TaskState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Skipped, // an earlier task of the plan failed or was cancelled
};

QString toString(TaskState state);
std::optional<TaskState> taskStateFromString(const QString &name);
bool isFinal(TaskState state);

// queued -> running (claimed), cancelled or skipped; running -> succeeded, failed, cancelled, or
// queued again (a retry, or a runner that died).
namespace TaskStateMachine {
QList<TaskState> legalNextStates(TaskState from);
} // namespace TaskStateMachine

// What a runner holds while it runs a task: the task at the version its claim wrote, claimed by
// it. Renewing the lease keeps the version; anything else that changes the task (a recovery
// after the lease ran out, a finish) changes it, so a runner whose claim is gone cannot finish
// the task or write for it: every write made for a task checks its claim in the same transaction.
struct TaskClaim
{
    qint64 taskId = 0;
    int version = 0;
    QString holder;
};

// A primitive task of an approved plan: persisted before it runs, claimed by one runner.
struct TaskRecord
{
    qint64 id = 0;
    qint64 planId = 0;
    qint64 planNodeId = 0;
    qint64 goalId = 0;
    int ordinal = 0;
    QString kind; // the primitive action: code_read, code_analyze, ...
    QStringList arguments; // the action's arguments as planned ("g1", "file1")
    QJsonObject input; // what the executor needs: goal, paths of file objects, proposer
    QJsonObject output;
    TaskState state = TaskState::Queued;
    QString summary; // the last outcome in one line
    int attempts = 0;
    int maxAttempts = 3;
    int timeoutS = 600;
    QString notBefore; // ISO time before which a retry must not start
    QString claimedBy; // host:pid:start of the runner
    QString claimedAt;
    QString leaseUntil; // while running: when the runner's lease runs out (the database's clock)
    bool cancelRequested = false;
    // False while its plan waits for a person's approval: queued, but nothing will run it yet.
    bool planApproved = true;
    int version = 1;
    QString createdAt;
    QString updatedAt;

    QJsonObject toJson() const;
    // The claim of the runner that holds this task as read (meaningful while it runs).
    TaskClaim claim() const;
};

// Whether any task of a plan has been claimed or tried: such a plan can no longer be replaced.
bool hasStarted(const QList<TaskRecord> &tasks);

// One attempt at a task (or one run of a job): what happened, how long it took.
struct TaskRunRecord
{
    qint64 id = 0;
    std::optional<qint64> taskId;
    QString jobName;
    QString kind;
    int attempt = 1;
    QString outcome; // running, succeeded, failed, timeout, cancelled, error
    std::optional<int> exitCode;
    QString startedAt;
    QString finishedAt;
    qint64 durationMs = -1;
    QString worker;
    QString outputPath;
    QString summary;
    QJsonObject report;

    QJsonObject toJson() const;
};

} // namespace astra
