#pragma once

#include "goals/proposal.h"
#include "planning/plan.h"
#include "result.h"
#include "scheduling/scheduler.h"

#include <QJsonObject>

namespace astra {

// What one turn of the loop did, and what now waits for a person.
struct CycleReport
{
    QList<TaskRunRecord> jobRuns;
    QList<ProposalDecision> decisions;
    QList<PlanRecord> plans; // made this turn (solved or not)
    QStringList planProblems; // goals that could not be planned, with why
    QList<qint64> autoApprovedPlans;
    SchedulerReport scheduler;
    QList<qint64> goalsAwaitingApproval;
    QList<qint64> plansAwaitingApproval; // goal ids
    QList<qint64> modificationsAwaitingReview;

    QJsonObject toJson() const;
};

// One turn: the jobs that are due run; the detectors and the generator run; every active goal
// is planned; plans of auto-approved goals are approved when [generator] auto_approve_plans is
// on; the scheduler runs the approved plans until their modifications await review. Nothing
// is merged. Blocking: call it off the UI thread.
struct CycleOptions
{
    bool detect = true; // run the detectors and the generator this turn
};
Result<CycleReport> runCycle(Workspace &workspace, const WorkspaceOptions &options, const CycleOptions &cycle = {});

} // namespace astra
