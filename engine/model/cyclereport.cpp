#include "model/cyclereport.h"

#include <QJsonArray>

namespace astra {

namespace {
QJsonArray ids(const QList<qint64> &list)
{
    QJsonArray array;
    for (qint64 id : list) {
        array.append(double(id));
    }
    return array;
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
    object.insert(QStringLiteral("lost"), lost);
    object.insert(QStringLiteral("errors"), QJsonArray::fromStringList(errors));
    return object;
}

QJsonObject CycleReport::toJson() const
{
    QJsonObject object;
    QJsonArray runs;
    for (const TaskRunRecord &run : jobRuns) {
        runs.append(run.toJson());
    }
    object.insert(QStringLiteral("job_runs"), runs);
    QJsonArray proposals;
    for (const ProposalDecision &decision : decisions) {
        proposals.append(decision.toJson());
    }
    object.insert(QStringLiteral("proposals"), proposals);
    QJsonArray planArray;
    for (const PlanRecord &plan : plans) {
        QJsonObject entry;
        entry.insert(QStringLiteral("id"), double(plan.id));
        entry.insert(QStringLiteral("goal"), double(plan.goalId));
        entry.insert(QStringLiteral("state"), toString(plan.state));
        entry.insert(QStringLiteral("outcome"), plan.outcome);
        planArray.append(entry);
    }
    object.insert(QStringLiteral("plans"), planArray);
    object.insert(QStringLiteral("plan_problems"), QJsonArray::fromStringList(planProblems));
    object.insert(QStringLiteral("auto_approved_plans"), ids(autoApprovedPlans));
    object.insert(QStringLiteral("scheduler"), scheduler.toJson());
    object.insert(QStringLiteral("goals_awaiting_approval"), ids(goalsAwaitingApproval));
    object.insert(QStringLiteral("plans_awaiting_approval"), ids(plansAwaitingApproval));
    object.insert(QStringLiteral("modifications_awaiting_review"), ids(modificationsAwaitingReview));
    return object;
}

} // namespace astra
