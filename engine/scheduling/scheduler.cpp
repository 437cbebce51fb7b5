#include "scheduler.h"

#include "crashpoint.h"
#include "goals/goalstatemachine.h"
#include "logging.h"
#include "processid.h"
#include "store/goalrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <mutex>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Scheduler)
};

QJsonObject taskMeta(const TaskRecord &task)
{
    QJsonObject meta;
    meta.insert(QStringLiteral("task"), double(task.id));
    meta.insert(QStringLiteral("plan"), double(task.planId));
    meta.insert(QStringLiteral("goal"), double(task.goalId));
    meta.insert(QStringLiteral("kind"), task.kind);
    meta.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(task.arguments));
    meta.insert(QStringLiteral("attempt"), task.attempts);
    return meta;
}

Status appendLedger(Workspace &workspace,
                    const QString &actor,
                    const QString &event,
                    const QString &subject,
                    const QJsonObject &meta)
{
    auto entry = workspace.ledger().append(LedgerRecord{actor, event, subject, meta});
    return entry ? Status() : Status(entry.error());
}

Status
moveGoalInTransaction(Workspace &workspace, qint64 goalId, GoalState to, const QString &reason, const QString &actor)
{
    GoalRepository goals(workspace.database());
    auto goal = goals.find(goalId);
    if (!goal) {
        return goal.error();
    }
    if (goal->state == to || !GoalStateMachine::legalNextStates(goal->state).contains(to)) {
        return {};
    }
    auto moved = goals.updateState(*goal, to, reason);
    if (!moved) {
        return moved.error();
    }
    QJsonObject meta;
    meta.insert(QStringLiteral("from"), toString(goal->state));
    meta.insert(QStringLiteral("to"), toString(to));
    meta.insert(QStringLiteral("reason"), reason);
    return appendLedger(workspace, actor, GoalStateMachine::eventFor(to), QStringLiteral("goal:%1").arg(goalId), meta);
}
} // namespace

QJsonObject SchedulerReport::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("started"), started);
    object.insert(QStringLiteral("succeeded"), succeeded);
    object.insert(QStringLiteral("failed"), failed);
    object.insert(QStringLiteral("retried"), retried);
    object.insert(QStringLiteral("cancelled"), cancelled);
    object.insert(QStringLiteral("errors"), QJsonArray::fromStringList(errors));
    return object;
}

Status failPlanAfter(Workspace &workspace,
                     const TaskRecord &task,
                     TaskState taskState,
                     const QString &reason,
                     const QString &actor)
{
    Database &db = workspace.database();
    auto skipped = TaskRepository(db).skipAfter(task.planId,
                                                task.ordinal,
                                                Tr::tr("skipped: task %1 %2").arg(task.id).arg(toString(taskState)));
    if (!skipped) {
        return skipped.error();
    }
    PlanRepository plans(db);
    auto plan = plans.header(task.planId);
    if (!plan) {
        return plan.error();
    }
    if (plan->state == PlanState::Approved || plan->state == PlanState::Proposed) {
        auto failed = plans.updateState(*plan, PlanState::Failed, reason);
        if (!failed) {
            return failed.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("goal"), double(task.goalId));
        meta.insert(QStringLiteral("task"), double(task.id));
        meta.insert(QStringLiteral("reason"), reason);
        meta.insert(QStringLiteral("skipped_tasks"), *skipped);
        if (Status logged = appendLedger(workspace,
                                         actor,
                                         QStringLiteral("plan_failed"),
                                         QStringLiteral("plan:%1").arg(task.planId),
                                         meta);
            !logged) {
            return logged;
        }
    }
    return moveGoalInTransaction(workspace, task.goalId, GoalState::Failed, reason, actor);
}

Scheduler::Scheduler(SchedulerOptions options, ExecutorRegistry executors, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_executors(std::move(executors))
{
    m_options.workspace.recover = false;
    if (m_options.maxThreads > 0) {
        m_pool.setMaxThreadCount(m_options.maxThreads);
    }
}

Scheduler::~Scheduler()
{
    stop();
    m_pool.waitForDone();
}

void Scheduler::stop()
{
    QMutexLocker locker(&m_mutex);
    m_stop = true;
    for (const Running &running : std::as_const(m_running)) {
        running.stop->store(true);
    }
    m_changed.wakeAll();
}

void Scheduler::cancelTask(qint64 taskId)
{
    QMutexLocker locker(&m_mutex);
    m_cancelRequests.insert(taskId);
    if (auto it = m_running.find(taskId); it != m_running.end()) {
        it->stop->store(true);
    }
    m_changed.wakeAll();
}

void Scheduler::recordError(const QString &message)
{
    qCWarning(lcScheduler) << message;
    QMutexLocker locker(&m_mutex);
    m_report.errors.append(message);
}

Result<SchedulerReport> Scheduler::runUntilIdle()
{
    WorkspaceOptions dispatcherOptions = m_options.workspace;
    dispatcherOptions.recover = true; // requeues the tasks of runners that died
    auto workspace = Workspace::open(dispatcherOptions);
    if (!workspace) {
        return workspace.error();
    }
    TaskRepository tasks((*workspace)->database());
    {
        QMutexLocker locker(&m_mutex);
        m_report = {};
    }
    while (!m_stop) {
        auto runnable = tasks.runnable(m_options.goalId);
        if (!runnable) {
            stop();
            m_pool.waitForDone();
            return runnable.error();
        }
        // Cancellations asked for by other processes (`astra task cancel`) reach running tasks here.
        QSet<qint64> cancelAsked;
        if (auto running = tasks.list(TaskState::Running)) {
            for (const TaskRecord &task : std::as_const(*running)) {
                if (task.cancelRequested) {
                    cancelAsked.insert(task.id);
                }
            }
        }
        const QString now = isoNow();
        QString earliest;
        QMutexLocker locker(&m_mutex);
        for (qint64 id : std::as_const(cancelAsked)) {
            m_cancelRequests.insert(id);
            if (auto it = m_running.find(id); it != m_running.end()) {
                it->stop->store(true);
            }
        }
        for (const RunnableTask &task : std::as_const(*runnable)) {
            if (m_activePlans.contains(task.planId)) {
                continue;
            }
            if (!task.notBefore.isEmpty() && task.notBefore > now) {
                if (earliest.isEmpty() || task.notBefore < earliest) {
                    earliest = task.notBefore;
                }
                continue;
            }
            m_activePlans.insert(task.planId);
            const qint64 planId = task.planId;
            m_pool.start([this, planId] {
                runPlan(planId);
                QMutexLocker done(&m_mutex);
                m_activePlans.remove(planId);
                m_changed.wakeAll();
            });
        }
        if (m_activePlans.isEmpty() && earliest.isEmpty()) {
            break;
        }
        // Deadlines: a task past its timeout is asked to stop.
        for (const Running &running : std::as_const(m_running)) {
            if (running.deadline.hasExpired()) {
                running.stop->store(true);
            }
        }
        qint64 waitMs = m_options.poll.count();
        if (!earliest.isEmpty() && m_activePlans.isEmpty()) {
            const QDateTime due = QDateTime::fromString(earliest, Qt::ISODateWithMs);
            waitMs = qBound(qint64(1), QDateTime::currentDateTimeUtc().msecsTo(due), qint64(m_options.poll.count()));
        }
        m_changed.wait(&m_mutex, QDeadlineTimer(waitMs));
    }
    m_pool.waitForDone();
    QMutexLocker locker(&m_mutex);
    return m_report;
}

void Scheduler::runPlan(qint64 planId)
{
    auto workspace = Workspace::open(m_options.workspace);
    if (!workspace) {
        recordError(Tr::tr("Plan %1: %2").arg(planId).arg(workspace.message()));
        return;
    }
    Workspace &ws = **workspace;
    TaskRepository repository(ws.database());
    while (!m_stop) {
        auto planTasks = repository.forPlan(planId);
        if (!planTasks) {
            recordError(planTasks.message());
            return;
        }
        int index = 0;
        while (index < planTasks->size() && planTasks->at(index).state == TaskState::Succeeded) {
            ++index;
        }
        if (index == planTasks->size()) {
            return;
        }
        TaskRecord task = planTasks->at(index);
        if (task.state != TaskState::Queued || (!task.notBefore.isEmpty() && task.notBefore > isoNow())) {
            return;
        }
        bool cancelRequested = task.cancelRequested;
        {
            QMutexLocker locker(&m_mutex);
            cancelRequested = cancelRequested || m_cancelRequests.contains(task.id);
        }
        if (cancelRequested) {
            if (Status cancelled =
                    cancelQueued(ws, task, Tr::tr("task %1 was cancelled before it started").arg(task.id));
                !cancelled) {
                recordError(cancelled.message());
            }
            return;
        }

        std::unique_lock<QMutex> writerLock(m_writer, std::defer_lock);
        if (m_executors.writes(task.kind)) {
            writerLock.lock();
        }
        qint64 runId = 0;
        auto claimed = claim(ws, task, &runId);
        if (!claimed) {
            recordError(claimed.message());
            return;
        }
        if (*claimed == Claim::Lost) {
            continue;
        }
        if (*claimed == Claim::Busy) {
            writerLock = {};
            // The writer may belong to a process that died since this run started.
            if (Status recovered = ws.recoverDeadTasks(); !recovered) {
                recordError(recovered.message());
                return;
            }
            QThread::msleep(quint64(m_options.poll.count()));
            continue;
        }
        if (*claimed == Claim::Refused) {
            return;
        }
        {
            QMutexLocker locker(&m_mutex);
            ++m_report.started;
        }
        Q_EMIT taskStarted(task.id, task.planId, task.kind, task.attempts);
        crashPoint("task-running");

        auto stopFlag = std::make_shared<std::atomic<bool>>(false);
        const QDeadlineTimer deadline(qint64(task.timeoutS) * 1000);
        {
            QMutexLocker locker(&m_mutex);
            m_running.insert(task.id, Running{stopFlag, deadline});
            if (m_stop) {
                stopFlag->store(true);
            }
        }
        TaskContext context{ws, task, planTasks->mid(0, index), deadline, stopFlag.get(), {}};
        const qint64 taskId = task.id;
        context.progress = [this, taskId](int percent, const QString &message) {
            Q_EMIT taskProgress(taskId, percent, message);
        };
        QElapsedTimer timer;
        timer.start();
        TaskOutcome outcome;
        if (const TaskExecutor *executor = m_executors.find(task.kind)) {
            outcome = (*executor)(context);
        } else {
            outcome =
                TaskOutcome::failed(makeError(Tr::tr("No executor runs tasks of kind '%1'; this program runs: %2.")
                                                  .arg(task.kind, m_executors.kinds().join(QStringLiteral(", "))),
                                              ErrorKind::Invalid));
        }
        const qint64 elapsed = timer.elapsed();
        bool cancelled = false;
        {
            QMutexLocker locker(&m_mutex);
            m_running.remove(task.id);
            cancelled = m_stop || m_cancelRequests.contains(task.id);
        }
        const bool timedOut = outcome.kind != TaskOutcome::Kind::Succeeded && deadline.hasExpired() && !cancelled;
        cancelled = cancelled && outcome.kind != TaskOutcome::Kind::Succeeded;
        if (!cancelled && !timedOut && outcome.kind == TaskOutcome::Kind::Cancelled) {
            cancelled = true;
        }
        auto state = finish(ws, task, runId, outcome, elapsed, timedOut, cancelled);
        writerLock = {};
        if (!state) {
            recordError(state.message());
            return;
        }
        Q_EMIT taskFinished(task.id, toString(*state), outcome.summary);
        if (*state != TaskState::Succeeded) {
            return;
        }
    }
}

Result<Scheduler::Claim> Scheduler::claim(Workspace &workspace, TaskRecord &task, qint64 *runId)
{
    Database &db = workspace.database();
    Claim result = Claim::Claimed;
    TaskRecord claimed;
    Status done = db.writeTransaction([&]() -> Status {
        if (auto locked = workspace.ledger().lockHead(); !locked) {
            return locked.error();
        }
        // The executor's own check: an unapproved plan never runs, whoever asks.
        auto plan = PlanRepository(db).header(task.planId);
        if (!plan) {
            return plan.error();
        }
        if (plan->state != PlanState::Approved) {
            qCInfo(lcScheduler) << "plan" << task.planId << "is" << toString(plan->state) << "; task" << task.id
                                << "does not run";
            result = Claim::Refused;
            return {};
        }
        TaskRepository tasks(db);
        auto fresh = tasks.find(task.id);
        if (!fresh) {
            return fresh.error();
        }
        if (fresh->version != task.version || fresh->state != TaskState::Queued) {
            result = Claim::Lost;
            return {};
        }
        auto goal = GoalRepository(db).find(task.goalId);
        if (!goal) {
            return goal.error();
        }
        if (goal->state != GoalState::Planned && goal->state != GoalState::Executing) {
            result = Claim::Refused;
            const QString reason = Tr::tr("goal %1 is '%2'").arg(goal->id).arg(toString(goal->state));
            TaskRecord changed = *fresh;
            changed.state = TaskState::Cancelled;
            changed.summary = reason;
            auto updated = tasks.update(*fresh, changed);
            if (!updated) {
                return updated.error();
            }
            QJsonObject meta = taskMeta(*updated);
            meta.insert(QStringLiteral("reason"), reason);
            if (Status logged = appendLedger(workspace,
                                             QStringLiteral("astra"),
                                             QStringLiteral("task_cancelled"),
                                             QStringLiteral("task:%1").arg(task.id),
                                             meta);
                !logged) {
                return logged;
            }
            return failPlanAfter(workspace, *updated, TaskState::Cancelled, reason, QStringLiteral("astra"));
        }
        if (m_executors.writes(task.kind)) {
            auto writers = tasks.countRunning(m_executors.writerKinds());
            if (!writers) {
                return writers.error();
            }
            if (*writers > 0) {
                result = Claim::Busy;
                return {};
            }
        }
        TaskRecord changed = *fresh;
        changed.state = TaskState::Running;
        changed.attempts = fresh->attempts + 1;
        changed.claimedBy = currentProcessId();
        changed.claimedAt = isoNow();
        changed.notBefore.clear();
        changed.summary = Tr::tr("attempt %1 running").arg(changed.attempts);
        auto updated = tasks.update(*fresh, changed);
        if (!updated) {
            if (updated.error().kind == ErrorKind::Conflict) {
                result = Claim::Lost;
                return {};
            }
            return updated.error();
        }
        claimed = *updated;
        TaskRunRecord run;
        run.taskId = task.id;
        run.kind = task.kind;
        run.attempt = claimed.attempts;
        run.outcome = QStringLiteral("running");
        run.startedAt = claimed.claimedAt;
        run.worker = claimed.claimedBy;
        auto inserted = tasks.insertRun(run);
        if (!inserted) {
            return inserted.error();
        }
        *runId = *inserted;
        if (goal->state == GoalState::Planned) {
            if (Status moved = moveGoalInTransaction(workspace,
                                                     goal->id,
                                                     GoalState::Executing,
                                                     Tr::tr("plan %1 started").arg(task.planId),
                                                     QStringLiteral("astra"));
                !moved) {
                return moved;
            }
        }
        QJsonObject meta = taskMeta(claimed);
        meta.insert(QStringLiteral("run"), double(*runId));
        meta.insert(QStringLiteral("worker"), claimed.claimedBy);
        return appendLedger(workspace,
                            QStringLiteral("astra"),
                            QStringLiteral("task_started"),
                            QStringLiteral("task:%1").arg(task.id),
                            meta);
    });
    if (!done) {
        return done.error();
    }
    if (result == Claim::Claimed) {
        task = claimed;
    }
    return result;
}

Result<TaskState> Scheduler::finish(Workspace &workspace,
                                    const TaskRecord &task,
                                    qint64 runId,
                                    const TaskOutcome &outcome,
                                    qint64 elapsedMs,
                                    bool timedOut,
                                    bool cancelled)
{
    Database &db = workspace.database();
    TaskState finalState = TaskState::Failed;
    bool retried = false;
    Status done = db.writeTransaction([&]() -> Status {
        if (auto locked = workspace.ledger().lockHead(); !locked) {
            return locked.error();
        }
        TaskRepository tasks(db);
        TaskRunRecord run;
        run.id = runId;
        run.finishedAt = isoNow();
        run.durationMs = elapsedMs;
        QString summary = outcome.summary;
        if (timedOut) {
            summary = Tr::tr("stopped after its timeout of %1 s: %2").arg(task.timeoutS).arg(outcome.summary);
        } else if (cancelled) {
            summary = Tr::tr("cancelled: %1").arg(outcome.summary);
        }
        run.summary = summary;
        TaskRecord changed = task;
        changed.summary = summary;
        changed.claimedBy.clear();
        changed.claimedAt.clear();
        if (outcome.kind == TaskOutcome::Kind::Succeeded && !cancelled && !timedOut) {
            finalState = TaskState::Succeeded;
            run.outcome = QStringLiteral("succeeded");
            changed.output = outcome.output;
        } else if (outcome.kind == TaskOutcome::Kind::Transient && !cancelled && !timedOut
                   && task.attempts < task.maxAttempts) {
            finalState = TaskState::Queued;
            retried = true;
            run.outcome = QStringLiteral("failed");
            const qint64 backoff = m_options.retryBase.count() * (qint64(1) << qMin(task.attempts - 1, 16));
            changed.notBefore = QDateTime::currentDateTimeUtc().addMSecs(backoff).toString(Qt::ISODateWithMs);
            changed.summary = Tr::tr("attempt %1 of %2 failed, retry after %3: %4")
                                  .arg(task.attempts)
                                  .arg(task.maxAttempts)
                                  .arg(changed.notBefore, outcome.summary);
            run.summary = changed.summary;
        } else {
            finalState = cancelled ? TaskState::Cancelled : TaskState::Failed;
            run.outcome = timedOut ? QStringLiteral("timeout")
                : cancelled        ? QStringLiteral("cancelled")
                                   : QStringLiteral("failed");
            changed.output = outcome.output;
        }
        run.report = finalState == TaskState::Succeeded ? QJsonObject() : outcome.output;
        changed.state = finalState;
        if (Status finished = tasks.finishRun(run); !finished) {
            return finished;
        }
        auto updated = tasks.update(task, changed);
        if (!updated) {
            return updated.error();
        }
        QJsonObject meta = taskMeta(*updated);
        meta.insert(QStringLiteral("run"), double(runId));
        meta.insert(QStringLiteral("outcome"), run.outcome);
        meta.insert(QStringLiteral("duration_ms"), double(elapsedMs));
        meta.insert(QStringLiteral("summary"), changed.summary);
        const QString event = finalState == TaskState::Succeeded ? QStringLiteral("task_succeeded")
            : retried                                            ? QStringLiteral("task_retry_scheduled")
            : cancelled                                          ? QStringLiteral("task_cancelled")
                                                                 : QStringLiteral("task_failed");
        if (Status logged =
                appendLedger(workspace, QStringLiteral("astra"), event, QStringLiteral("task:%1").arg(task.id), meta);
            !logged) {
            return logged;
        }
        if (finalState == TaskState::Failed || finalState == TaskState::Cancelled) {
            return failPlanAfter(
                workspace,
                *updated,
                finalState,
                Tr::tr("task %1 (%2) %3: %4").arg(task.id).arg(task.kind, toString(finalState), changed.summary),
                QStringLiteral("astra"));
        }
        return {};
    });
    if (!done) {
        return done.error();
    }
    QMutexLocker locker(&m_mutex);
    switch (finalState) {
    case TaskState::Succeeded:
        ++m_report.succeeded;
        break;
    case TaskState::Queued:
        ++m_report.retried;
        break;
    case TaskState::Cancelled:
        ++m_report.cancelled;
        break;
    default:
        ++m_report.failed;
        break;
    }
    return finalState;
}

Status Scheduler::cancelQueued(Workspace &workspace, const TaskRecord &task, const QString &reason)
{
    Database &db = workspace.database();
    Status done = db.writeTransaction([&]() -> Status {
        if (auto locked = workspace.ledger().lockHead(); !locked) {
            return locked.error();
        }
        TaskRepository tasks(db);
        TaskRecord changed = task;
        changed.state = TaskState::Cancelled;
        changed.summary = reason;
        auto updated = tasks.update(task, changed);
        if (!updated) {
            return updated.error();
        }
        QJsonObject meta = taskMeta(*updated);
        meta.insert(QStringLiteral("reason"), reason);
        if (Status logged = appendLedger(workspace,
                                         QStringLiteral("astra"),
                                         QStringLiteral("task_cancelled"),
                                         QStringLiteral("task:%1").arg(task.id),
                                         meta);
            !logged) {
            return logged;
        }
        return failPlanAfter(workspace, *updated, TaskState::Cancelled, reason, QStringLiteral("astra"));
    });
    if (done) {
        QMutexLocker locker(&m_mutex);
        ++m_report.cancelled;
        Q_EMIT taskFinished(task.id, toString(TaskState::Cancelled), reason);
    }
    return done;
}

} // namespace astra
