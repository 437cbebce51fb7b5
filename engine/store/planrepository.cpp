#include "store/planrepository.h"

#include "base/canonicaljson.h"
#include "store/database.h"
#include "store/jsoncolumns.h"
#include "store/taskrepository.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PlanRepository)
};

const char *const planColumns =
    "id, goal_id, state, state_reason, domain, problem, outcome, ipc_plan, failure, "
    "expansions, elapsed_ms, approved_by, approved_at, version, created_at, updated_at, failure_why";

PlanRecord planFromQuery(const QSqlQuery &query)
{
    PlanRecord plan;
    plan.id = query.value(0).toLongLong();
    plan.goalId = query.value(1).toLongLong();
    plan.state = planStateFromString(query.value(2).toString()).value_or(PlanState::Failed);
    plan.stateReason = query.value(3).toString();
    plan.domain = query.value(4).toString();
    plan.problem = query.value(5).toString();
    plan.outcome = query.value(6).toString();
    plan.ipcPlan = query.value(7).toString();
    plan.failure = query.value(8).toString();
    plan.expansions = query.value(9).toLongLong();
    plan.elapsedMs = query.value(10).toLongLong();
    plan.approvedBy = query.value(11).toString();
    plan.approvedAt = query.value(12).toString();
    plan.version = query.value(13).toInt();
    plan.createdAt = query.value(14).toString();
    plan.updatedAt = query.value(15).toString();
    plan.failureWhy = QJsonDocument::fromJson(query.value(16).toString().toUtf8()).object();
    return plan;
}

} // namespace

PlanRepository::PlanRepository(Database &db)
    : m_db(db)
{}

Result<PlanRecord> PlanRepository::insert(const PlanRecord &plan, QList<TaskRecord> tasks, const QList<int> &taskNodes)
{
    PlanRecord stored = plan;
    stored.createdAt = isoNow();
    stored.updatedAt = stored.createdAt;
    stored.version = 1;
    auto query =
        m_db.exec(Tr::tr("Creating a plan for goal %1").arg(plan.goalId),
                  QStringLiteral("INSERT INTO plans (goal_id, state, state_reason, domain, problem, outcome, "
                                 "ipc_plan, failure, failure_why, expansions, elapsed_ms, version, created_at, "
                                 "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                  {stored.goalId,
                   toString(stored.state),
                   stored.stateReason,
                   stored.domain,
                   stored.problem,
                   stored.outcome,
                   stored.ipcPlan,
                   stored.failure,
                   jsonColumn(stored.failureWhy),
                   stored.expansions,
                   stored.elapsedMs,
                   stored.version,
                   stored.createdAt,
                   stored.updatedAt});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Creating a plan returned no id in %1").arg(m_db.location().displayName()));
    }
    stored.id = query->value(0).toLongLong();

    // Nodes: parentId holds the parent's index + 1 (0 for roots) until the parent is stored.
    QList<qint64> nodeIds;
    for (int i = 0; i < stored.nodes.size(); ++i) {
        PlanNodeRecord &node = stored.nodes[i];
        node.planId = stored.id;
        const qint64 parentIndex = node.parentId - 1;
        if (parentIndex >= i) {
            return makeError(Tr::tr("Internal error: plan node %1 comes before its parent").arg(i));
        }
        node.parentId = parentIndex < 0 ? 0 : nodeIds.at(parentIndex);
        auto inserted = m_db.exec(Tr::tr("Storing the decomposition of plan %1").arg(stored.id),
                                  QStringLiteral("INSERT INTO plan_nodes (plan_id, parent_id, ordinal, kind, name, "
                                                 "arguments, reason, why, planner_id, created_at) VALUES (?, ?, ?, ?, "
                                                 "?, ?, ?, ?, ?, ?) RETURNING id"),
                                  {stored.id,
                                   node.parentId == 0 ? QVariant() : QVariant(node.parentId),
                                   node.ordinal,
                                   toString(node.kind),
                                   node.name,
                                   jsonColumn(QJsonArray::fromStringList(node.arguments)),
                                   node.reason,
                                   jsonColumn(node.why),
                                   node.plannerId,
                                   stored.createdAt});
        if (!inserted) {
            return inserted.error();
        }
        if (!inserted->next()) {
            return makeError(Tr::tr("Storing a plan node returned no id"));
        }
        node.id = inserted->value(0).toLongLong();
        nodeIds.append(node.id);
    }

    for (int i = 0; i < tasks.size(); ++i) {
        TaskRecord &task = tasks[i];
        task.planId = stored.id;
        task.goalId = stored.goalId;
        task.planNodeId = nodeIds.value(taskNodes.value(i, -1), 0);
        auto inserted = m_db.exec(
            Tr::tr("Storing the tasks of plan %1").arg(stored.id),
            QStringLiteral("INSERT INTO tasks (plan_id, plan_node_id, goal_id, ordinal, kind, state, input, output, "
                           "attempts, max_attempts, timeout_s, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                           "?, ?, '{}', 0, ?, ?, 1, ?, ?)"),
            {task.planId,
             task.planNodeId == 0 ? QVariant() : QVariant(task.planNodeId),
             task.goalId,
             task.ordinal,
             task.kind,
             toString(TaskState::Queued),
             jsonColumn(task.input),
             task.maxAttempts,
             task.timeoutS,
             stored.createdAt,
             stored.createdAt});
        if (!inserted) {
            return inserted.error();
        }
    }
    return stored;
}

Result<QList<PlanNodeRecord>> PlanRepository::nodes(qint64 planId) const
{
    auto query =
        m_db.exec(Tr::tr("Reading the decomposition of plan %1").arg(planId),
                  QStringLiteral("SELECT id, parent_id, ordinal, kind, name, arguments, reason, planner_id, why "
                                 "FROM plan_nodes WHERE plan_id = ? ORDER BY id"),
                  {planId});
    if (!query) {
        return query.error();
    }
    QList<PlanNodeRecord> nodes;
    while (query->next()) {
        PlanNodeRecord node;
        node.id = query->value(0).toLongLong();
        node.planId = planId;
        node.parentId = query->value(1).isNull() ? 0 : query->value(1).toLongLong();
        node.ordinal = query->value(2).toInt();
        node.kind = planNodeKindFromString(query->value(3).toString()).value_or(PlanNodeRecord::Kind::Task);
        node.name = query->value(4).toString();
        node.arguments = stringListColumn(query->value(5).toString());
        node.reason = query->value(6).toString();
        node.plannerId = query->value(7).toInt();
        node.why = QJsonDocument::fromJson(query->value(8).toString().toUtf8()).object();
        nodes.append(node);
    }
    return nodes;
}

Result<PlanRecord> PlanRepository::header(qint64 id) const
{
    return m_db.readOne(Tr::tr("Reading plan %1").arg(id),
                        QStringLiteral("SELECT %1 FROM plans WHERE id = ?").arg(QLatin1String(planColumns)),
                        {id},
                        Tr::tr("Plan %1 does not exist.").arg(id),
                        planFromQuery);
}

Result<PlanRecord> PlanRepository::find(qint64 id) const
{
    auto plan = header(id);
    if (!plan) {
        return plan;
    }
    auto planNodes = nodes(id);
    if (!planNodes) {
        return planNodes.error();
    }
    plan->nodes = *planNodes;
    return plan;
}

Result<std::optional<PlanRecord>> PlanRepository::current(qint64 goalId) const
{
    auto query = m_db.exec(Tr::tr("Reading the plan of goal %1").arg(goalId),
                           QStringLiteral("SELECT id FROM plans WHERE goal_id = ? AND state <> 'superseded' "
                                          "ORDER BY id DESC LIMIT 1"),
                           {goalId});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<PlanRecord>();
    }
    auto plan = find(query->value(0).toLongLong());
    if (!plan) {
        return plan.error();
    }
    return std::optional<PlanRecord>(*plan);
}

Result<QList<PlanRecord>> PlanRepository::ofGoal(qint64 goalId) const
{
    auto query = m_db.exec(
        Tr::tr("Reading the plans of goal %1").arg(goalId),
        QStringLiteral("SELECT %1 FROM plans WHERE goal_id = ? ORDER BY id DESC").arg(QLatin1String(planColumns)),
        {goalId});
    if (!query) {
        return query.error();
    }
    QList<PlanRecord> plans;
    while (query->next()) {
        plans.append(planFromQuery(*query));
    }
    for (PlanRecord &plan : plans) {
        auto planNodes = nodes(plan.id);
        if (!planNodes) {
            return planNodes.error();
        }
        plan.nodes = *planNodes;
    }
    return plans;
}

Result<PlanRecord>
PlanRepository::updateState(const PlanRecord &plan, PlanState to, const QString &reason, const QString &approver)
{
    PlanRecord updated = plan;
    updated.state = to;
    updated.stateReason = reason;
    updated.version = plan.version + 1;
    updated.updatedAt = isoNow();
    if (to == PlanState::Approved) {
        updated.approvedBy = approver;
        updated.approvedAt = updated.updatedAt;
    }
    if (Status written = m_db.execVersioned(
            Tr::tr("Updating plan %1").arg(plan.id),
            QStringLiteral(
                "UPDATE plans SET state = ?, state_reason = ?, approved_by = ?, approved_at = ?, version = ?, "
                "updated_at = ? WHERE id = ? AND version = ?"),
            {toString(to),
             reason,
             updated.approvedBy.isEmpty() ? QVariant() : QVariant(updated.approvedBy),
             updated.approvedAt.isEmpty() ? QVariant() : QVariant(updated.approvedAt),
             updated.version,
             updated.updatedAt,
             plan.id,
             plan.version},
            Tr::tr("Plan %1 was changed by someone else since it was read (version %2); nothing was "
                   "written. Reload it and try again.")
                .arg(plan.id)
                .arg(plan.version));
        !written) {
        return written.error();
    }
    return updated;
}

} // namespace astra
