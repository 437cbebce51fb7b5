#include "model/task.h"

#include <QJsonArray>

#include <algorithm>

namespace astra {

namespace {
const char *const taskStateNames[] = {"queued", "running", "succeeded", "failed", "cancelled", "skipped"};
} // namespace

QString toString(TaskState state)
{
    return QString::fromLatin1(taskStateNames[int(state)]);
}

std::optional<TaskState> taskStateFromString(const QString &name)
{
    for (int i = 0; i < 6; ++i) {
        if (name == QLatin1String(taskStateNames[i])) {
            return TaskState(i);
        }
    }
    return std::nullopt;
}

bool isFinal(TaskState state)
{
    return state != TaskState::Queued && state != TaskState::Running;
}

bool hasStarted(const QList<TaskRecord> &tasks)
{
    return std::any_of(tasks.cbegin(), tasks.cend(), [](const TaskRecord &task) {
        return task.state != TaskState::Queued || task.attempts > 0;
    });
}

TaskClaim TaskRecord::claim() const
{
    return TaskClaim{id, version, claimedBy};
}

QJsonObject TaskRecord::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("plan"), double(planId));
    object.insert(QStringLiteral("goal"), double(goalId));
    object.insert(QStringLiteral("ordinal"), ordinal);
    object.insert(QStringLiteral("kind"), kind);
    object.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(arguments));
    object.insert(QStringLiteral("state"), toString(state));
    object.insert(QStringLiteral("summary"), summary);
    object.insert(QStringLiteral("attempts"), attempts);
    object.insert(QStringLiteral("max_attempts"), maxAttempts);
    object.insert(QStringLiteral("timeout_s"), timeoutS);
    object.insert(QStringLiteral("input"), input);
    object.insert(QStringLiteral("output"), output);
    object.insert(QStringLiteral("claimed_by"), claimedBy);
    if (!leaseUntil.isEmpty()) {
        object.insert(QStringLiteral("lease_until"), leaseUntil);
    }
    object.insert(QStringLiteral("not_before"), notBefore);
    object.insert(QStringLiteral("cancel_requested"), cancelRequested);
    object.insert(QStringLiteral("plan_approved"), planApproved);
    return object;
}

QJsonObject TaskRunRecord::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    if (taskId) {
        object.insert(QStringLiteral("task"), double(*taskId));
    }
    if (!jobName.isEmpty()) {
        object.insert(QStringLiteral("job"), jobName);
    }
    object.insert(QStringLiteral("kind"), kind);
    object.insert(QStringLiteral("attempt"), attempt);
    object.insert(QStringLiteral("outcome"), outcome);
    if (exitCode) {
        object.insert(QStringLiteral("exit_code"), *exitCode);
    }
    object.insert(QStringLiteral("started_at"), startedAt);
    object.insert(QStringLiteral("finished_at"), finishedAt);
    if (durationMs >= 0) {
        object.insert(QStringLiteral("duration_ms"), double(durationMs));
    }
    object.insert(QStringLiteral("worker"), worker);
    object.insert(QStringLiteral("summary"), summary);
    object.insert(QStringLiteral("report"), report);
    return object;
}

namespace TaskStateMachine {

QList<TaskState> legalNextStates(TaskState from)
{
    switch (from) {
    case TaskState::Queued:
        return {TaskState::Running, TaskState::Cancelled, TaskState::Skipped};
    case TaskState::Running:
        return {TaskState::Succeeded, TaskState::Failed, TaskState::Cancelled, TaskState::Queued};
    case TaskState::Succeeded:
    case TaskState::Failed:
    case TaskState::Cancelled:
    case TaskState::Skipped:
        return {};
    }
    return {};
}

} // namespace TaskStateMachine

} // namespace astra
