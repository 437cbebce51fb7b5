#pragma once

#include "base/result.h"
#include "model/task.h"

#include <chrono>
#include <optional>

namespace astra {

class Database;

// A task that may start: the first unfinished task of an approved plan.
struct RunnableTask
{
    qint64 taskId = 0;
    qint64 planId = 0;
    qint64 goalId = 0;
    QString kind;
    QString notBefore; // empty: now
};

class TaskRepository
{
public:
    explicit TaskRepository(Database &db);

    Result<TaskRecord> find(qint64 id) const;
    Result<QList<TaskRecord>> forPlan(qint64 planId) const;
    Result<QList<TaskRecord>> list(std::optional<TaskState> state = std::nullopt) const;
    // For each approved plan (of `goalId` when given), its first task that is not done, if that
    // task is queued and not cancelled; the caller compares notBefore with the clock.
    Result<QList<RunnableTask>> runnable(std::optional<qint64> goalId) const;
    // How many tasks of these kinds are running (anywhere).
    Result<int> countRunning(const QStringList &kinds) const;

    // Compare-and-swap on the version: state, attempts, claim, not_before, output, summary.
    // The versioned row update behind Transitions (store/transitions.h), which checks the state
    // machine and writes the ledger entry: state changes go through Transitions, not here.
    Result<TaskRecord> update(const TaskRecord &task, const TaskRecord &changed);
    // Locks a queued task at `version` for the claim being made in this transaction. False when
    // it is not queued at that version any more, or when another transaction holds it (on
    // PostgreSQL it is skipped rather than waited for: FOR UPDATE SKIP LOCKED).
    Result<bool> lockQueued(qint64 id, int version);
    // The lease of a task just claimed: `lease` from now by the database's clock.
    Status startLease(const TaskClaim &claim, std::chrono::milliseconds lease);
    // Renews the leases of the tasks these claims hold, `lease` from now; returns the tasks
    // whose claim is gone (taken back after the lease ran out, or ended): a lease that ran out
    // is never renewed.
    Result<QList<qint64>> renewLeases(const QList<TaskClaim> &claims, std::chrono::milliseconds lease);
    // Running tasks whose lease ran out (by the database's clock).
    Result<QList<qint64>> expiredLeases() const;
    // Inside a write transaction: whether `claim` still holds its task with a lease that has not
    // run out; a Conflict naming the task otherwise. Every write made for a running task checks
    // its claim here first, so a worker that lost its task writes nothing.
    Status checkClaim(const TaskClaim &claim) const;

    // Marks every queued task of a plan after `ordinal` skipped.
    Result<int> skipAfter(qint64 planId, int ordinal, const QString &reason);
    // Sets the flag a runner polls; the version stays, so the runner can still record the end.
    Status requestCancel(qint64 id);

    Result<qint64> insertRun(const TaskRunRecord &run);
    Status finishRun(const TaskRunRecord &run);
    // Where a running task writes its log (kept when the run finishes).
    Status setRunOutput(qint64 runId, const QString &path);
    Result<QList<TaskRunRecord>> runs(qint64 taskId) const;
    // The runs of every task of a plan, in one query, oldest first.
    Result<QList<TaskRunRecord>> planRuns(qint64 planId) const;
    // A job's runs started at or after `since` (all when empty), oldest first.
    Result<QList<TaskRunRecord>> jobRuns(const QString &jobName, const QString &since) const;
    // Job runs still marked running (by any process).
    Result<QList<TaskRunRecord>> openJobRuns() const;
    // Runs still marked running of a task (left by a dead runner).
    Result<QList<TaskRunRecord>> openRuns(qint64 taskId) const;

private:
    Database &m_db;
};

QString isoNow();

} // namespace astra
