#pragma once

#include "base/result.h"
#include "model/cyclereport.h"
#include "scheduling/executors.h"
#include "scheduling/tasksession.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QThreadPool>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace astra {

struct SchedulerOptions
{
    TaskSessionFactory openSession; // one session for the dispatcher, one per plan runner
    std::optional<qint64> goalId; // only this goal's plans
    int maxThreads = 0; // 0: QThread::idealThreadCount()
    std::chrono::milliseconds retryBase{2000}; // backoff: base * 2^(attempt - 1)
    std::chrono::milliseconds poll{250}; // how often deadlines, backoffs and other processes are looked at
    // How long a claim holds a running task without being renewed; renewed every third of it.
    // A task whose lease ran out (its worker died, hung or lost the database) is taken back by
    // any process sharing the database and run again.
    std::chrono::milliseconds lease{30000};
};

// Runs the tasks of approved plans: tasks are rows first and work second. Each plan's tasks
// run in order on a QThreadPool thread (one runner per plan, plans in parallel), each runner
// with its own session (connection). Before a task starts it is claimed in a transaction that
// locks the task row (skipping a row another worker is claiming), checks the plan is approved,
// takes the task by compare-and-swap, starts its lease, writes a running task_runs row and a
// ledger entry; at most one task that writes the repository runs at a time, in this process and
// across processes sharing the database. The dispatcher renews the leases of the running tasks
// and takes back tasks whose lease ran out; a runner whose lease is gone is stopped and records
// nothing (its claim is checked in every write for the task). Transient failures are
// retried with exponential backoff up to the task's max_attempts; any other failure, a
// timeout or a cancellation ends the task, skips the rest of the plan and fails the goal.
// Signals are emitted from pool threads; connect with queued connections.
class Scheduler : public QObject
{
    Q_OBJECT
public:
    Scheduler(SchedulerOptions options, ExecutorRegistry executors, QObject *parent = nullptr);
    ~Scheduler() override;

    // Runs until no approved plan has a task that can start now or later. Blocks the calling
    // thread (never call it on the UI thread); the dispatching itself runs on a thread of its own.
    Result<SchedulerReport> runUntilIdle();

    // Thread-safe. stop() cancels the running tasks and starts no new ones.
    void stop();
    void cancelTask(qint64 taskId);

Q_SIGNALS:
    void taskStarted(qint64 taskId, qint64 planId, const QString &kind, int attempt);
    void taskProgress(qint64 taskId, int percent, const QString &message);
    void taskFinished(qint64 taskId, const QString &state, const QString &summary);
    // Emitted just before taskFinished, once per warning of the task's outcome.
    void taskWarning(qint64 taskId, const QString &warning);

private:
    enum class Claim
    {
        Claimed,
        Lost, // someone else took it, or it changed
        Busy, // another writer runs
        Refused, // the plan is not approved or the goal is finished
    };
    struct Running
    {
        std::shared_ptr<std::atomic<bool>> stop;
        QDeadlineTimer deadline;
        TaskClaim claim;
        std::shared_ptr<std::atomic<bool>> lost; // the lease is gone: record nothing
    };

    Result<SchedulerReport> dispatch();
    // Renews this process's leases and takes back tasks whose lease ran out (any process's).
    Status keepLeases(TaskSession &session);
    void runPlan(qint64 planId);
    Result<Claim> claim(TaskSession &session, TaskRecord &task, qint64 *runId);
    Result<TaskState> finish(TaskSession &session,
                             const TaskRecord &task,
                             qint64 runId,
                             const TaskOutcome &outcome,
                             qint64 elapsedMs,
                             bool timedOut,
                             bool cancelled);
    Status cancelQueued(TaskSession &session, const TaskRecord &task, const QString &reason);
    void recordError(const QString &message);

    SchedulerOptions m_options;
    ExecutorRegistry m_executors;
    QThreadPool m_pool;
    // Standard synchronisation rather than QMutex and QWaitCondition: ThreadSanitizer sees it
    // without an instrumented Qt (the tsan preset).
    std::mutex m_mutex;
    std::condition_variable m_changed;
    QSet<qint64> m_activePlans;
    // Counts plans whose runner ended, so the dispatcher knows its view of the tasks is stale.
    quint64 m_plansFinished = 0;
    QSet<qint64> m_cancelRequests;
    QHash<qint64, Running> m_running;
    SchedulerReport m_report;
    std::mutex m_writer;
    std::atomic<bool> m_stop{false};
    QElapsedTimer m_sinceRenewal;
};

// Fails every unfinished task of a plan and the plan and goal with it (used on failure,
// cancellation and recovery). Runs inside the caller's write transaction.
Status failPlanAfter(Database &db,
                     Ledger &ledger,
                     const TaskRecord &task,
                     TaskState taskState,
                     const QString &reason,
                     const QString &actor);

// Cancels a queued task (it never ran) and fails its plan and goal, ledgered as done by `actor`.
// Runs inside the caller's write transaction.
Status
cancelQueuedTask(Database &db, Ledger &ledger, const TaskRecord &task, const QString &reason, const QString &actor);

// Tasks left running by a dead process of this machine, or by any process whose lease ran out,
// are requeued (or failed after their last attempt), and job runs a dead process of this machine
// left open are closed as errors; each repair is ledgered. Cheap when there are none.
Status recoverDeadTasks(Database &db, Ledger &ledger);

} // namespace astra
