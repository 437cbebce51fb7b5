#include "scheduling/scheduler.h"

#include "base/crashpoint.h"
#include "base/logging.h"
#include "base/processid.h"
#include "base/sharedtext.h"
#include "model/goalstatemachine.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "store/transitions.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <condition_variable>
#include <memory>
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

} // namespace

Status failPlanAfter(Database &db,
                     Ledger &ledger,
                     const TaskRecord &task,
                     TaskState taskState,
                     const QString &reason,
                     const QString &actor)
{
    auto skipped = TaskRepository(db).skipAfter(task.planId,
                                                task.ordinal,
                                                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "skipped: task %1 %2"),
                                                           {QString::number(task.id), toString(taskState)})
                                                    .text);
    if (!skipped) {
        return skipped.error();
    }
    Transitions transitions(db, ledger);
    auto plan = PlanRepository(db).header(task.planId);
    if (!plan) {
        return plan.error();
    }
    if (!PlanStateMachine::legalNextStates(plan->state).isEmpty()) {
        QJsonObject meta;
        meta.insert(QStringLiteral("goal"), double(task.goalId));
        meta.insert(QStringLiteral("task"), double(task.id));
        meta.insert(QStringLiteral("skipped_tasks"), *skipped);
        if (auto failed = transitions.plan(*plan, PlanState::Failed, TransitionCause{actor, reason, meta}); !failed) {
            return failed.error();
        }
    }
    auto goal = GoalRepository(db).find(task.goalId);
    if (!goal) {
        return goal.error();
    }
    if (GoalStateMachine::isTerminal(goal->state)) {
        return {}; // a goal that already ended (abandoned, say) keeps its end
    }
    auto moved = transitions.goal(*goal, GoalState::Failed, TransitionCause{actor, reason, {}});
    return moved ? Status() : Status(moved.error());
}

Status
cancelQueuedTask(Database &db, Ledger &ledger, const TaskRecord &task, const QString &reason, const QString &actor)
{
    TaskRecord changed = task;
    changed.state = TaskState::Cancelled;
    changed.summary = reason;
    auto updated =
        Transitions(db, ledger)
            .task(task, changed, TransitionCause{actor, reason, taskMeta(task), QStringLiteral("task_cancelled")});
    if (!updated) {
        return updated.error();
    }
    return failPlanAfter(db, ledger, *updated, TaskState::Cancelled, reason, actor);
}

Scheduler::Scheduler(SchedulerOptions options, ExecutorRegistry executors, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_executors(std::move(executors))
{
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
    std::unique_lock locker(m_mutex);
    m_stop = true;
    for (const Running &running : std::as_const(m_running)) {
        running.stop->store(true);
    }
    m_changed.notify_all();
}

void Scheduler::cancelTask(qint64 taskId)
{
    std::unique_lock locker(m_mutex);
    m_cancelRequests.insert(taskId);
    if (auto it = m_running.find(taskId); it != m_running.end()) {
        it->stop->store(true);
    }
    m_changed.notify_all();
}

void Scheduler::recordError(const QString &message)
{
    qCWarning(lcScheduler) << message;
    std::unique_lock locker(m_mutex);
    m_report.errors.append(message);
}

Result<SchedulerReport> Scheduler::runUntilIdle()
{
    if (!m_options.openSession) {
        return makeError(Tr::tr("The scheduler was given no way to open the workspace's state."), ErrorKind::Invalid);
    }
    // The dispatcher gets a thread of its own, with its own session, rather than the caller's:
    // the caller's thread may be the main thread and may have started processes (jobs) before.
    // On Qt 6.4, QProcess starts a child with vfork semantics on the caller's stack, after which
    // ThreadSanitizer no longer sees that main thread's locks and reports the scheduler's own
    // locked state as racy; on a fresh thread the tsan preset checks the dispatcher for real.
    // A QThread, so that its database connection is closed when it finishes; the result is
    // handed over under a standard lock that ThreadSanitizer follows (Qt's own wait it cannot).
    std::mutex doneMutex;
    std::condition_variable done;
    std::optional<Result<SchedulerReport>> result;
    std::unique_ptr<QThread> dispatcher(QThread::create([&] {
        auto report = dispatch();
        std::unique_lock locker(doneMutex);
        result.emplace(std::move(report));
        done.notify_all();
    }));
    dispatcher->start();
    {
        std::unique_lock locker(doneMutex);
        done.wait(locker, [&] { return result.has_value(); });
    }
    dispatcher->wait();
    return std::move(*result);
}

Result<SchedulerReport> Scheduler::dispatch()
{
    auto session = m_options.openSession(SessionRole::Dispatcher); // requeues the tasks of runners that died
    if (!session) {
        return session.error();
    }
    TaskRepository tasks((*session)->database());
    {
        std::unique_lock locker(m_mutex);
        m_report = {};
    }
    m_sinceRenewal.invalidate();
    while (!m_stop) {
        if (!m_sinceRenewal.isValid() || m_sinceRenewal.elapsed() >= m_options.lease.count() / 3) {
            m_sinceRenewal.start();
            if (Status kept = keepLeases(**session); !kept) {
                // The database may be away for a moment; the leases last until it is back, and a
                // lease that ran out meanwhile stops its task at the next renewal.
                recordError(kept.message());
            }
        }
        // A runner that ends after the tasks were read may have queued a retry they do not show.
        quint64 finishedBefore = 0;
        {
            std::unique_lock locker(m_mutex);
            finishedBefore = m_plansFinished;
        }
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
        std::unique_lock locker(m_mutex);
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
                std::unique_lock done(m_mutex);
                m_activePlans.remove(planId);
                ++m_plansFinished;
                m_changed.notify_all();
            });
        }
        if (m_activePlans.isEmpty() && earliest.isEmpty()) {
            if (m_plansFinished == finishedBefore) {
                break;
            }
            continue; // read the tasks again: what ended meanwhile may have left work
        }
        // Deadlines: a task past its timeout is asked to stop.
        for (const Running &running : std::as_const(m_running)) {
            if (running.deadline.hasExpired()) {
                running.stop->store(true);
            }
        }
        qint64 waitMs = qMin(qint64(m_options.poll.count()), qMax(qint64(1), qint64(m_options.lease.count() / 3)));
        if (!earliest.isEmpty() && m_activePlans.isEmpty()) {
            const QDateTime due = QDateTime::fromString(earliest, Qt::ISODateWithMs);
            waitMs = qBound(qint64(1), QDateTime::currentDateTimeUtc().msecsTo(due), qint64(m_options.poll.count()));
        }
        // system_clock: libstdc++ waits with pthread_cond_timedwait then, which ThreadSanitizer
        // follows (steady waits use pthread_cond_clockwait, which it does not). A clock jump only
        // shortens or stretches one poll.
        m_changed.wait_until(locker, std::chrono::system_clock::now() + std::chrono::milliseconds(waitMs));
    }
    m_pool.waitForDone();
    std::unique_lock locker(m_mutex);
    return m_report;
}

Status Scheduler::keepLeases(TaskSession &session)
{
    QList<TaskClaim> claims;
    {
        std::unique_lock locker(m_mutex);
        for (const Running &running : std::as_const(m_running)) {
            claims.append(running.claim);
        }
    }
    TaskRepository tasks(session.database());
    if (!claims.isEmpty()) {
        auto lost = tasks.renewLeases(claims, m_options.lease);
        if (!lost) {
            return lost.error();
        }
        std::unique_lock locker(m_mutex);
        for (qint64 id : std::as_const(*lost)) {
            if (auto it = m_running.find(id); it != m_running.end()) {
                qCWarning(lcScheduler) << "task" << id << "lost its lease; stopping it";
                it->lost->store(true);
                it->stop->store(true);
            }
        }
    }
    auto expired = tasks.expiredLeases();
    if (!expired) {
        return expired.error();
    }
    return expired->isEmpty() ? Status() : recoverDeadTasks(session.database(), session.ledger());
}

void Scheduler::runPlan(qint64 planId)
{
    auto opened = m_options.openSession(SessionRole::Runner);
    if (!opened) {
        recordError(Tr::tr("Plan %1: %2").arg(planId).arg(opened.message()));
        return;
    }
    TaskSession &session = **opened;
    TaskRepository repository(session.database());
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
            std::unique_lock locker(m_mutex);
            cancelRequested = cancelRequested || m_cancelRequests.contains(task.id);
        }
        if (cancelRequested) {
            if (Status cancelled = cancelQueued(
                    session,
                    task,
                    sharedText(QT_TRANSLATE_NOOP("astra::Shared", "task %1 was cancelled before it started"),
                               {QString::number(task.id)})
                        .text);
                !cancelled) {
                recordError(cancelled.message());
            }
            return;
        }

        std::unique_lock writerLock(m_writer, std::defer_lock);
        if (m_executors.writes(task.kind)) {
            writerLock.lock();
        }
        qint64 runId = 0;
        auto claimed = claim(session, task, &runId);
        if (!claimed) {
            recordError(claimed.message());
            return;
        }
        if (*claimed == Claim::Lost) {
            // Another worker is claiming it this moment: look again once its claim is in.
            writerLock = {};
            QThread::msleep(5);
            continue;
        }
        if (*claimed == Claim::Busy) {
            writerLock = {};
            // The writer may belong to a process that died since this run started.
            if (Status recovered = recoverDeadTasks(session.database(), session.ledger()); !recovered) {
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
            std::unique_lock locker(m_mutex);
            ++m_report.started;
        }
        Q_EMIT taskStarted(task.id, task.planId, task.kind, task.attempts);
        crashPoint("task-running");

        auto stopFlag = std::make_shared<std::atomic<bool>>(false);
        auto lostFlag = std::make_shared<std::atomic<bool>>(false);
        const QDeadlineTimer deadline(qint64(task.timeoutS) * 1000);
        {
            std::unique_lock locker(m_mutex);
            m_running.insert(task.id, Running{stopFlag, deadline, task.claim(), lostFlag});
            if (m_stop) {
                stopFlag->store(true);
            }
        }
        TaskContext context{session, task, planTasks->mid(0, index), deadline, stopFlag.get(), {}};
        context.runId = runId;
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
            std::unique_lock locker(m_mutex);
            m_running.remove(task.id);
            cancelled = m_stop || m_cancelRequests.contains(task.id);
        }
        const bool timedOut = outcome.kind != TaskOutcome::Kind::Succeeded && deadline.hasExpired() && !cancelled;
        cancelled = cancelled && outcome.kind != TaskOutcome::Kind::Succeeded;
        if (!cancelled && !timedOut && outcome.kind == TaskOutcome::Kind::Cancelled) {
            cancelled = true;
        }
        auto state = lostFlag->load() ? Result<TaskState>(makeError(QString(), ErrorKind::Conflict))
                                      : finish(session, task, runId, outcome, elapsed, timedOut, cancelled);
        writerLock = {};
        if (!state && state.error().kind == ErrorKind::Conflict) {
            // The lease ran out and the task was taken back: whoever holds it now records it.
            const QString why = Tr::tr(
                                    "Task %1: this worker's lease on it ran out while it ran, so its result "
                                    "was not recorded; the task runs again elsewhere.")
                                    .arg(task.id);
            qCWarning(lcScheduler) << why;
            {
                std::unique_lock locker(m_mutex);
                ++m_report.lost;
            }
            Q_EMIT taskWarning(task.id, why);
            return;
        }
        if (!state) {
            recordError(state.message());
            return;
        }
        for (const QString &warning : std::as_const(outcome.warnings)) {
            Q_EMIT taskWarning(task.id, warning);
        }
        Q_EMIT taskFinished(task.id, toString(*state), outcome.summary);
        if (*state != TaskState::Succeeded) {
            return;
        }
    }
}

Result<Scheduler::Claim> Scheduler::claim(TaskSession &session, TaskRecord &task, qint64 *runId)
{
    Database &db = session.database();
    Claim result = Claim::Claimed;
    TaskRecord claimed;
    Status done = db.writeTransaction([&]() -> Status {
        // The task first, before the ledger: a worker never waits behind another's claim of it.
        auto queued = TaskRepository(db).lockQueued(task.id, task.version);
        if (!queued) {
            return queued.error();
        }
        if (!*queued) {
            result = Claim::Lost;
            return {};
        }
        if (auto locked = session.ledger().lockHead(); !locked) {
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
            const QString reason = sharedText(QT_TRANSLATE_NOOP("astra::Shared", "goal %1 is '%2'"),
                                              {QString::number(goal->id), toString(goal->state)})
                                       .text;
            return cancelQueuedTask(db, session.ledger(), *fresh, reason, QStringLiteral("astra"));
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
        changed.summary =
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "attempt %1 running"), {QString::number(changed.attempts)})
                .text;
        Transitions transitions(db, session.ledger());
        if (goal->state == GoalState::Planned) {
            auto moved =
                transitions.goal(*goal,
                                 GoalState::Executing,
                                 TransitionCause{QStringLiteral("astra"),
                                                 sharedText(QT_TRANSLATE_NOOP("astra::Shared", "plan %1 started"),
                                                            {QString::number(task.planId)})
                                                     .text,
                                                 {}});
            if (!moved) {
                return moved.error();
            }
        }
        TaskRunRecord run;
        run.taskId = task.id;
        run.kind = task.kind;
        run.attempt = changed.attempts;
        run.outcome = QStringLiteral("running");
        run.startedAt = changed.claimedAt;
        run.worker = changed.claimedBy;
        auto inserted = tasks.insertRun(run);
        if (!inserted) {
            return inserted.error();
        }
        *runId = *inserted;
        QJsonObject meta = taskMeta(changed);
        meta.insert(QStringLiteral("run"), double(*runId));
        meta.insert(QStringLiteral("worker"), changed.claimedBy);
        // A conflict here rolls back the goal's move and the run with it: the task was lost.
        auto updated =
            transitions.task(*fresh,
                             changed,
                             TransitionCause{QStringLiteral("astra"), {}, meta, QStringLiteral("task_started")});
        if (!updated) {
            return updated.error();
        }
        claimed = *updated;
        return tasks.startLease(claimed.claim(), m_options.lease);
    });
    if (!done && done.error().kind == ErrorKind::Conflict) {
        result = Claim::Lost;
        return result;
    }
    if (!done) {
        return done.error();
    }
    if (result == Claim::Claimed) {
        task = claimed;
    }
    return result;
}

Result<TaskState> Scheduler::finish(TaskSession &session,
                                    const TaskRecord &task,
                                    qint64 runId,
                                    const TaskOutcome &outcome,
                                    qint64 elapsedMs,
                                    bool timedOut,
                                    bool cancelled)
{
    Database &db = session.database();
    TaskState finalState = TaskState::Failed;
    bool retried = false;
    Status done = db.writeTransaction([&]() -> Status {
        if (auto locked = session.ledger().lockHead(); !locked) {
            return locked.error();
        }
        TaskRepository tasks(db);
        // Only the holder of the claim records the end: a Conflict when the lease was lost.
        if (Status held = tasks.checkClaim(task.claim()); !held) {
            return held;
        }
        TaskRunRecord run;
        run.id = runId;
        run.finishedAt = isoNow();
        run.durationMs = elapsedMs;
        QString summary = outcome.summary;
        if (timedOut) {
            summary = sharedText(QT_TRANSLATE_NOOP("astra::Shared", "stopped after its timeout of %1 s: %2"),
                                 {QString::number(task.timeoutS), outcome.summary})
                          .text;
        } else if (cancelled) {
            summary = sharedText(QT_TRANSLATE_NOOP("astra::Shared", "cancelled: %1"), {outcome.summary}).text;
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
            changed.summary =
                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "attempt %1 of %2 failed, retry after %3: %4"),
                           {QString::number(task.attempts),
                            QString::number(task.maxAttempts),
                            changed.notBefore,
                            outcome.summary})
                    .text;
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
        QJsonObject meta = taskMeta(changed);
        meta.insert(QStringLiteral("run"), double(runId));
        meta.insert(QStringLiteral("outcome"), run.outcome);
        meta.insert(QStringLiteral("duration_ms"), double(elapsedMs));
        meta.insert(QStringLiteral("summary"), changed.summary);
        const QString event = finalState == TaskState::Succeeded ? QStringLiteral("task_succeeded")
            : retried                                            ? QStringLiteral("task_retry_scheduled")
            : cancelled                                          ? QStringLiteral("task_cancelled")
                                                                 : QStringLiteral("task_failed");
        auto updated = Transitions(db, session.ledger())
                           .task(task, changed, TransitionCause{QStringLiteral("astra"), {}, meta, event});
        if (!updated) {
            return updated.error();
        }
        if (finalState == TaskState::Failed || finalState == TaskState::Cancelled) {
            return failPlanAfter(
                db,
                session.ledger(),
                *updated,
                finalState,
                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "task %1 (%2) %3: %4"),
                           {QString::number(task.id), task.kind, toString(finalState), changed.summary})
                    .text,
                QStringLiteral("astra"));
        }
        return {};
    });
    if (!done) {
        return done.error();
    }
    std::unique_lock locker(m_mutex);
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

Status Scheduler::cancelQueued(TaskSession &session, const TaskRecord &task, const QString &reason)
{
    Database &db = session.database();
    Status done = db.writeTransaction([&]() -> Status {
        if (auto locked = session.ledger().lockHead(); !locked) {
            return locked.error();
        }
        return cancelQueuedTask(db, session.ledger(), task, reason, QStringLiteral("astra"));
    });
    if (done) {
        std::unique_lock locker(m_mutex);
        ++m_report.cancelled;
        Q_EMIT taskFinished(task.id, toString(TaskState::Cancelled), reason);
    }
    return done;
}

Status recoverDeadTasks(Database &db, Ledger &ledger)
{
    TaskRepository repository(db);
    auto running = repository.list(TaskState::Running);
    if (!running) {
        return running.error();
    }
    auto expired = repository.expiredLeases();
    if (!expired) {
        return expired.error();
    }
    QList<qint64> dead;
    for (const TaskRecord &task : std::as_const(*running)) {
        if (isDeadLocalProcess(task.claimedBy) || expired->contains(task.id)) {
            dead.append(task.id);
        }
    }
    auto openJobs = repository.openJobRuns();
    if (!openJobs) {
        return openJobs.error();
    }
    QList<TaskRunRecord> deadJobRuns;
    for (const TaskRunRecord &run : std::as_const(*openJobs)) {
        if (isDeadLocalProcess(run.worker)) {
            deadJobRuns.append(run);
        }
    }
    if (dead.isEmpty() && deadJobRuns.isEmpty()) {
        return {};
    }
    return db.writeTransaction([&]() -> Status {
        if (auto locked = ledger.lockHead(); !locked) {
            return locked.error();
        }
        // Looked at again under the lock: another process may have taken them back meanwhile.
        auto stillExpired = repository.expiredLeases();
        if (!stillExpired) {
            return stillExpired.error();
        }
        // A job run whose process died is closed as an error; the job runs again when due.
        for (TaskRunRecord run : std::as_const(deadJobRuns)) {
            run.outcome = QStringLiteral("error");
            run.finishedAt = isoNow();
            run.summary =
                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "the process running it (%1) died"), {run.worker}).text;
            const QDateTime startedAt = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
            run.durationMs = startedAt.isValid() ? startedAt.msecsTo(QDateTime::currentDateTimeUtc()) : 0;
            if (Status finished = repository.finishRun(run);
                !finished && finished.error().kind != ErrorKind::Conflict) {
                return finished;
            }
        }
        for (qint64 id : std::as_const(dead)) {
            auto task = repository.find(id);
            if (!task) {
                return task.error();
            }
            const bool died = isDeadLocalProcess(task->claimedBy);
            if (task->state != TaskState::Running || (!died && !stillExpired->contains(id))) {
                continue; // finished or taken over since the look above
            }
            const QString reason = died
                ? sharedText(QT_TRANSLATE_NOOP("astra::Shared", "the process running it (%1) died"), {task->claimedBy})
                      .text
                : sharedText(QT_TRANSLATE_NOOP("astra::Shared", "the lease of %1 on it ran out at %2"),
                             {task->claimedBy, task->leaseUntil})
                      .text;
            auto open = repository.openRuns(id);
            if (!open) {
                return open.error();
            }
            for (TaskRunRecord run : std::as_const(*open)) {
                run.outcome = QStringLiteral("error");
                run.finishedAt = isoNow();
                run.summary = reason;
                const QDateTime startedAt = QDateTime::fromString(run.startedAt, Qt::ISODateWithMs);
                run.durationMs = startedAt.isValid() ? startedAt.msecsTo(QDateTime::currentDateTimeUtc()) : 0;
                if (Status finished = repository.finishRun(run); !finished) {
                    return finished;
                }
            }
            const bool requeue = task->attempts < task->maxAttempts;
            TaskRecord changed = *task;
            changed.state = requeue ? TaskState::Queued : TaskState::Failed;
            changed.claimedBy.clear();
            changed.claimedAt.clear();
            changed.summary = requeue
                ? sharedText(QT_TRANSLATE_NOOP("astra::Shared", "requeued: %1"), {reason}).text
                : sharedText(QT_TRANSLATE_NOOP("astra::Shared", "failed: %1, and it had used its %2 attempts"),
                             {reason, QString::number(task->maxAttempts)})
                      .text;
            QJsonObject meta;
            meta.insert(QStringLiteral("plan"), double(task->planId));
            meta.insert(QStringLiteral("goal"), double(task->goalId));
            meta.insert(QStringLiteral("kind"), task->kind);
            meta.insert(QStringLiteral("runner"), task->claimedBy);
            if (!died) {
                meta.insert(QStringLiteral("lease_until"), task->leaseUntil);
            }
            meta.insert(QStringLiteral("attempts"), task->attempts);
            meta.insert(QStringLiteral("requeued"), requeue);
            auto updated = Transitions(db, ledger)
                               .task(*task,
                                     changed,
                                     TransitionCause{QStringLiteral("astra"), {}, meta, QStringLiteral("recovered")});
            if (!updated) {
                return updated.error();
            }
            if (!requeue) {
                if (Status failed = failPlanAfter(db,
                                                  ledger,
                                                  *updated,
                                                  TaskState::Failed,
                                                  changed.summary,
                                                  QStringLiteral("astra"));
                    !failed) {
                    return failed;
                }
            }
            qCInfo(lcScheduler) << "task" << id << changed.summary;
        }
        return {};
    });
}

} // namespace astra
