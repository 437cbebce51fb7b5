#include "cycle.h"

#include "workspace.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Cycle)
};

QJsonArray ids(const QList<qint64> &list)
{
    QJsonArray array;
    for (qint64 id : list) {
        array.append(double(id));
    }
    return array;
}
} // namespace

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

Result<CycleReport> runCycle(Workspace &workspace, const WorkspaceOptions &options, const CycleOptions &cycle)
{
    CycleReport report;
    auto due = workspace.dueJobs();
    if (!due) {
        return due.error();
    }
    for (const QString &job : std::as_const(*due)) {
        auto runs = workspace.runJobs(job);
        if (!runs) {
            return runs.error();
        }
        report.jobRuns += *runs;
    }
    if (cycle.detect) {
        auto decisions = workspace.detect();
        if (!decisions) {
            return decisions.error();
        }
        report.decisions = *decisions;
    }

    auto active = workspace.goals(GoalState::Active);
    if (!active) {
        return active.error();
    }
    const Config &config = workspace.config();
    for (const Goal &goal : std::as_const(*active)) {
        auto plan = workspace.planGoal(goal.id);
        if (!plan) {
            report.planProblems.append(Tr::tr("goal %1: %2").arg(goal.id).arg(plan.message()));
            continue;
        }
        report.plans.append(*plan);
        if (goal.autoApproved && config.generator.autoApprovePlans) {
            auto approved = workspace.approvePlan(goal.id,
                                                  Tr::tr("[generator] auto_approve_plans: the goal was auto-approved"),
                                                  QStringLiteral("astra"));
            if (!approved) {
                return approved.error();
            }
            report.autoApprovedPlans.append(approved->id);
        }
    }

    SchedulerOptions schedulerOptions;
    schedulerOptions.workspace = options;
    Scheduler scheduler(schedulerOptions, ExecutorRegistry::builtin());
    auto ran = scheduler.runUntilIdle();
    if (!ran) {
        return ran.error();
    }
    report.scheduler = *ran;

    auto proposed = workspace.goals(GoalState::Proposed);
    auto planned = workspace.goals(GoalState::Planned);
    auto waiting = workspace.modifications(ModificationStatus::AwaitingApproval);
    if (!proposed || !planned || !waiting) {
        return !proposed ? proposed.error() : !planned ? planned.error() : waiting.error();
    }
    for (const Goal &goal : std::as_const(*proposed)) {
        report.goalsAwaitingApproval.append(goal.id);
    }
    for (const Goal &goal : std::as_const(*planned)) {
        auto plan = workspace.currentPlan(goal.id);
        if (plan && plan->state == PlanState::Proposed) {
            report.plansAwaitingApproval.append(goal.id);
        }
    }
    for (const Modification &modification : std::as_const(*waiting)) {
        report.modificationsAwaitingReview.append(modification.id);
    }
    return report;
}

} // namespace astra
