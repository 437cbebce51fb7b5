#include "workspace/cycle.h"

#include "base/sharedtext.h"
#include "git/gitrepository.h"
#include "policy/pathpolicy.h"
#include "scheduling/scheduler.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "workspace/taskexecutors.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Cycle)
};

} // namespace

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
        if (goal.kind == u"imported-change") {
            continue; // its work arrives by import, never by a plan
        }
        auto plan = workspace.planGoal(goal.id);
        if (!plan) {
            report.planProblems.append(Tr::tr("goal %1: %2").arg(goal.id).arg(plan.message()));
            continue;
        }
        report.plans.append(*plan);
        if (goal.autoApproved && config.generator.autoApprovePlans) {
            auto approved = workspace.approvePlan(
                goal.id,
                sharedText(
                    QT_TRANSLATE_NOOP("astra::Shared", "[generator] auto_approve_plans: the goal was auto-approved"))
                    .text,
                QStringLiteral("astra"));
            if (!approved) {
                return approved.error();
            }
            report.autoApprovedPlans.append(approved->id);
        }
    }

    SchedulerOptions schedulerOptions;
    schedulerOptions.openSession = workspaceTaskSessions(options);
    schedulerOptions.lease = std::chrono::duration_cast<std::chrono::milliseconds>(workspace.config().team.lease);
    Scheduler scheduler(schedulerOptions, builtinExecutors());
    QObject::connect(
        &scheduler,
        &Scheduler::taskWarning,
        &scheduler,
        [&workspace](qint64 taskId, const QString &warning) {
            workspace.warn(Tr::tr("task %1: %2").arg(taskId).arg(warning));
        },
        Qt::DirectConnection);
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
