#include "store/taskrepository.h"

#include "base/canonicaljson.h"
#include "store/database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <utility>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TaskRepository)
};

const char *const taskColumns =
    "id, plan_id, plan_node_id, goal_id, ordinal, kind, state, input, output, summary, "
    "attempts, max_attempts, timeout_s, not_before, claimed_by, claimed_at, "
    "cancel_requested, version, created_at, updated_at, "
    "(SELECT p.state FROM plans p WHERE p.id = tasks.plan_id), lease_until";

const char *const runColumns =
    "id, task_id, job_name, kind, attempt, outcome, exit_code, started_at, finished_at, "
    "duration_ms, worker, output_path, summary, report";

QJsonObject objectFrom(const QVariant &value)
{
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

TaskRecord taskFromQuery(const QSqlQuery &query)
{
    TaskRecord task;
    task.id = query.value(0).toLongLong();
    task.planId = query.value(1).toLongLong();
    task.planNodeId = query.value(2).isNull() ? 0 : query.value(2).toLongLong();
    task.goalId = query.value(3).toLongLong();
    task.ordinal = query.value(4).toInt();
    task.kind = query.value(5).toString();
    task.state = taskStateFromString(query.value(6).toString()).value_or(TaskState::Failed);
    task.input = objectFrom(query.value(7));
    task.output = objectFrom(query.value(8));
    task.summary = query.value(9).toString();
    task.attempts = query.value(10).toInt();
    task.maxAttempts = query.value(11).toInt();
    task.timeoutS = query.value(12).toInt();
    task.notBefore = query.value(13).toString();
    task.claimedBy = query.value(14).toString();
    task.claimedAt = query.value(15).toString();
    task.cancelRequested = query.value(16).toInt() != 0;
    task.version = query.value(17).toInt();
    task.createdAt = query.value(18).toString();
    task.updatedAt = query.value(19).toString();
    task.planApproved = query.value(20).toString() != u"proposed";
    task.leaseUntil = query.value(21).toString();
    for (const QJsonValue &value : task.input.value(QStringLiteral("arguments")).toArray()) {
        task.arguments.append(value.toString());
    }
    return task;
}

TaskRunRecord runFromQuery(const QSqlQuery &query)
{
    TaskRunRecord run;
    run.id = query.value(0).toLongLong();
    if (!query.value(1).isNull()) {
        run.taskId = query.value(1).toLongLong();
    }
    run.jobName = query.value(2).toString();
    run.kind = query.value(3).toString();
    run.attempt = query.value(4).toInt();
    run.outcome = query.value(5).toString();
    if (!query.value(6).isNull()) {
        run.exitCode = query.value(6).toInt();
    }
    run.startedAt = query.value(7).toString();
    run.finishedAt = query.value(8).toString();
    run.durationMs = query.value(9).isNull() ? -1 : query.value(9).toLongLong();
    run.worker = query.value(10).toString();
    run.outputPath = query.value(11).toString();
    run.summary = query.value(12).toString();
    run.report = objectFrom(query.value(13));
    return run;
}

QVariant orNull(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}
} // namespace

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

TaskRepository::TaskRepository(Database &db)
    : m_db(db)
{}

Result<TaskRecord> TaskRepository::find(qint64 id) const
{
    return m_db.readOne(Tr::tr("Reading task %1").arg(id),
                        QStringLiteral("SELECT %1 FROM tasks WHERE id = ?").arg(QLatin1String(taskColumns)),
                        {id},
                        Tr::tr("Task %1 does not exist; `astra tasks` lists them.").arg(id),
                        taskFromQuery);
}

Result<QList<TaskRecord>> TaskRepository::forPlan(qint64 planId) const
{
    return m_db.readAll(
        Tr::tr("Reading the tasks of plan %1").arg(planId),
        QStringLiteral("SELECT %1 FROM tasks WHERE plan_id = ? ORDER BY ordinal").arg(QLatin1String(taskColumns)),
        {planId},
        taskFromQuery);
}

Result<QList<TaskRecord>> TaskRepository::list(std::optional<TaskState> state) const
{
    QString sql = QStringLiteral("SELECT %1 FROM tasks").arg(QLatin1String(taskColumns));
    QVariantList binds;
    if (state) {
        sql += QStringLiteral(" WHERE state = ?");
        binds.append(toString(*state));
    }
    sql += QStringLiteral(" ORDER BY plan_id, ordinal");
    return m_db.readAll(Tr::tr("Listing tasks"), sql, binds, taskFromQuery);
}

Result<QList<RunnableTask>> TaskRepository::runnable(std::optional<qint64> goalId) const
{
    QString sql = QStringLiteral(
        "SELECT t.id, t.plan_id, t.goal_id, t.kind, t.not_before FROM tasks t JOIN plans p ON p.id = t.plan_id "
        "WHERE p.state = 'approved' AND t.state = 'queued' AND t.cancel_requested = 0 "
        "AND NOT EXISTS (SELECT 1 FROM tasks e WHERE e.plan_id = t.plan_id AND e.ordinal < t.ordinal "
        "AND e.state <> 'succeeded')");
    QVariantList binds;
    if (goalId) {
        sql += QStringLiteral(" AND t.goal_id = ?");
        binds.append(*goalId);
    }
    sql += QStringLiteral(" ORDER BY t.plan_id");
    auto query = m_db.exec(Tr::tr("Looking for tasks to run"), sql, binds);
    if (!query) {
        return query.error();
    }
    QList<RunnableTask> tasks;
    while (query->next()) {
        tasks.append(RunnableTask{query->value(0).toLongLong(),
                                  query->value(1).toLongLong(),
                                  query->value(2).toLongLong(),
                                  query->value(3).toString(),
                                  query->value(4).toString()});
    }
    return tasks;
}

Result<int> TaskRepository::countRunning(const QStringList &kinds) const
{
    if (kinds.isEmpty()) {
        return 0;
    }
    QStringList marks;
    QVariantList binds;
    for (const QString &kind : kinds) {
        marks.append(QStringLiteral("?"));
        binds.append(kind);
    }
    auto query = m_db.exec(
        Tr::tr("Counting running tasks"),
        QStringLiteral("SELECT COUNT(*) FROM tasks WHERE state = 'running' AND kind IN (%1)").arg(marks.join(u',')),
        binds);
    if (!query) {
        return query.error();
    }
    return query->next() ? query->value(0).toInt() : 0;
}

Result<TaskRecord> TaskRepository::update(const TaskRecord &task, const TaskRecord &changed)
{
    TaskRecord updated = changed;
    updated.version = task.version + 1;
    updated.updatedAt = isoNow();
    if (Status written = m_db.execVersioned(
            Tr::tr("Updating task %1").arg(task.id),
            // A task that leaves 'running' gives up its lease; a claim sets it (startLease).
            QStringLiteral("UPDATE tasks SET state = ?, output = ?, summary = ?, attempts = ?, not_before = ?, "
                           "claimed_by = ?, claimed_at = ?, version = ?, updated_at = ?, lease_until = CASE WHEN "
                           "? = 'running' THEN lease_until ELSE NULL END WHERE id = ? AND version = ?"),
            {toString(updated.state),
             QString::fromUtf8(canonicalJson(updated.output)),
             updated.summary,
             updated.attempts,
             orNull(updated.notBefore),
             orNull(updated.claimedBy),
             orNull(updated.claimedAt),
             updated.version,
             updated.updatedAt,
             toString(updated.state),
             task.id,
             task.version},
            Tr::tr("Task %1 was changed by someone else since it was read (version %2); nothing was "
                   "written.")
                .arg(task.id)
                .arg(task.version));
        !written) {
        return written.error();
    }
    return updated;
}

Result<bool> TaskRepository::lockQueued(qint64 id, int version)
{
    auto query = m_db.exec(Tr::tr("Claiming task %1").arg(id),
                           QStringLiteral("SELECT id FROM tasks WHERE id = ? AND version = ? AND state = 'queued'")
                               + m_db.dialect().skipLockedSuffix(),
                           {id, version});
    if (!query) {
        return query.error();
    }
    return query->next();
}

Status TaskRepository::startLease(const TaskClaim &claim, std::chrono::milliseconds lease)
{
    return m_db.execVersioned(
        Tr::tr("Starting the lease of task %1").arg(claim.taskId),
        QStringLiteral("UPDATE tasks SET lease_until = %1 WHERE id = ? AND claimed_by = ? AND "
                       "state = 'running' AND version = ?")
            .arg(m_db.dialect().isoNowPlusMsExpression()),
        {double(lease.count()), claim.taskId, claim.holder, claim.version},
        Tr::tr("Task %1 changed while it was being claimed; nothing was written.").arg(claim.taskId));
}

Result<QList<qint64>> TaskRepository::renewLeases(const QList<TaskClaim> &claims, std::chrono::milliseconds lease)
{
    QList<qint64> lost;
    for (const TaskClaim &claim : claims) {
        // A lease that ran out stays out: the task may be someone else's already.
        auto renewed = m_db.execUpdate(Tr::tr("Renewing the lease of task %1").arg(claim.taskId),
                                       QStringLiteral("UPDATE tasks SET lease_until = %1 WHERE id = ? AND claimed_by "
                                                      "= ? AND state = 'running' AND version = ? AND lease_until >= %1")
                                           .arg(m_db.dialect().isoNowPlusMsExpression()),
                                       {double(lease.count()), claim.taskId, claim.holder, claim.version, 0.0});
        if (!renewed) {
            return renewed.error();
        }
        if (*renewed != 1) {
            lost.append(claim.taskId);
        }
    }
    return lost;
}

Result<QList<qint64>> TaskRepository::expiredLeases() const
{
    auto query = m_db.exec(Tr::tr("Looking for tasks whose lease ran out"),
                           QStringLiteral("SELECT id FROM tasks WHERE state = 'running' AND lease_until IS NOT NULL "
                                          "AND lease_until < %1 ORDER BY id")
                               .arg(m_db.dialect().isoNowPlusMsExpression()),
                           {0.0});
    if (!query) {
        return query.error();
    }
    QList<qint64> ids;
    while (query->next()) {
        ids.append(query->value(0).toLongLong());
    }
    return ids;
}

Status TaskRepository::checkClaim(const TaskClaim &claim) const
{
    auto query = m_db.exec(Tr::tr("Checking the claim on task %1").arg(claim.taskId),
                           QStringLiteral("SELECT state, version, claimed_by, CASE WHEN lease_until IS NOT NULL AND "
                                          "lease_until < %1 THEN 1 ELSE 0 END FROM tasks WHERE id = ?")
                                   .arg(m_db.dialect().isoNowPlusMsExpression())
                               + m_db.dialect().lockRowsSuffix(),
                           {0.0, claim.taskId});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Task %1 does not exist; nothing was written for it.").arg(claim.taskId),
                         ErrorKind::NotFound);
    }
    const bool held = query->value(0).toString() == u"running" && query->value(1).toInt() == claim.version
        && query->value(2).toString() == claim.holder;
    if (!held) {
        return makeError(Tr::tr("Task %1 is no longer held by %2 (its lease ran out and it was taken back, or it "
                                "ended); nothing was written for it.")
                             .arg(claim.taskId)
                             .arg(claim.holder),
                         ErrorKind::Conflict);
    }
    if (query->value(3).toInt() != 0) {
        return makeError(Tr::tr("The lease of %1 on task %2 ran out; nothing was written for it, and the task will "
                                "be run again.")
                             .arg(claim.holder)
                             .arg(claim.taskId),
                         ErrorKind::Conflict);
    }
    return {};
}

Result<int> TaskRepository::skipAfter(qint64 planId, int ordinal, const QString &reason)
{
    return m_db.execUpdate(Tr::tr("Skipping the rest of plan %1").arg(planId),
                           QStringLiteral("UPDATE tasks SET state = 'skipped', summary = ?, version = version + 1, "
                                          "updated_at = ? WHERE plan_id = ? AND ordinal > ? AND state = 'queued'"),
                           {reason, isoNow(), planId, ordinal});
}

Status TaskRepository::requestCancel(qint64 id)
{
    auto count = m_db.execUpdate(Tr::tr("Cancelling task %1").arg(id),
                                 QStringLiteral("UPDATE tasks SET cancel_requested = 1, updated_at = ? WHERE id = ?"),
                                 {isoNow(), id});
    if (!count) {
        return count.error();
    }
    return *count == 1 ? Status() : Status(makeError(Tr::tr("Task %1 does not exist.").arg(id), ErrorKind::NotFound));
}

Result<qint64> TaskRepository::insertRun(const TaskRunRecord &run)
{
    auto query = m_db.exec(Tr::tr("Recording a task run"),
                           QStringLiteral("INSERT INTO task_runs (task_id, job_name, kind, attempt, outcome, "
                                          "started_at, worker, summary, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                          "RETURNING id"),
                           {run.taskId ? QVariant(*run.taskId) : QVariant(),
                            orNull(run.jobName),
                            run.kind,
                            run.attempt,
                            run.outcome,
                            run.startedAt,
                            run.worker,
                            run.summary,
                            QString::fromUtf8(canonicalJson(run.report))});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Recording a task run returned no id"));
    }
    return query->value(0).toLongLong();
}

Status TaskRepository::finishRun(const TaskRunRecord &run)
{
    auto count = m_db.execUpdate(
        Tr::tr("Finishing task run %1").arg(run.id),
        QStringLiteral(
            "UPDATE task_runs SET outcome = ?, exit_code = ?, finished_at = ?, duration_ms = ?, "
            "output_path = COALESCE(?, output_path), summary = ?, report = ? WHERE id = ? AND outcome = 'running'"),
        {run.outcome,
         run.exitCode ? QVariant(*run.exitCode) : QVariant(),
         run.finishedAt,
         run.durationMs,
         orNull(run.outputPath),
         run.summary,
         QString::fromUtf8(canonicalJson(run.report)),
         run.id});
    if (!count) {
        return count.error();
    }
    if (*count != 1) {
        return makeError(Tr::tr("Task run %1 is not running any more; nothing was written.").arg(run.id),
                         ErrorKind::Conflict);
    }
    return {};
}

Status TaskRepository::setRunOutput(qint64 runId, const QString &path)
{
    auto count = m_db.execUpdate(Tr::tr("Recording the log of task run %1").arg(runId),
                                 QStringLiteral("UPDATE task_runs SET output_path = ? WHERE id = ?"),
                                 {path, runId});
    return count ? Status() : Status(count.error());
}

Result<QList<TaskRunRecord>> TaskRepository::runs(qint64 taskId) const
{
    return m_db.readAll(
        Tr::tr("Reading the runs of task %1").arg(taskId),
        QStringLiteral("SELECT %1 FROM task_runs WHERE task_id = ? ORDER BY id").arg(QLatin1String(runColumns)),
        {taskId},
        runFromQuery);
}

Result<QList<TaskRunRecord>> TaskRepository::planRuns(qint64 planId) const
{
    return m_db.readAll(
        Tr::tr("Reading the runs of the tasks of plan %1").arg(planId),
        QStringLiteral("SELECT %1 FROM task_runs WHERE task_id IN (SELECT id FROM tasks WHERE plan_id = ?) "
                       "ORDER BY id")
            .arg(QLatin1String(runColumns)),
        {planId},
        runFromQuery);
}

Result<QList<TaskRunRecord>> TaskRepository::jobRuns(const QString &jobName, const QString &since) const
{
    return m_db.readAll(Tr::tr("Reading the runs of job %1").arg(jobName),
                        QStringLiteral("SELECT %1 FROM task_runs WHERE job_name = ? AND started_at >= ? ORDER BY id")
                            .arg(QLatin1String(runColumns)),
                        {jobName, since},
                        runFromQuery);
}

Result<QList<TaskRunRecord>> TaskRepository::openJobRuns() const
{
    return m_db.readAll(Tr::tr("Reading unfinished job runs"),
                        QStringLiteral("SELECT %1 FROM task_runs WHERE job_name IS NOT NULL AND outcome = 'running' "
                                       "ORDER BY id")
                            .arg(QLatin1String(runColumns)),
                        {},
                        runFromQuery);
}

Result<QList<TaskRunRecord>> TaskRepository::openRuns(qint64 taskId) const
{
    auto all = runs(taskId);
    if (!all) {
        return all.error();
    }
    QList<TaskRunRecord> open;
    for (const TaskRunRecord &run : std::as_const(*all)) {
        if (run.outcome == u"running") {
            open.append(run);
        }
    }
    return open;
}

} // namespace astra
