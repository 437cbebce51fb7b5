#pragma once

#include "model/plan.h"
#include "model/proposal.h"
#include "model/task.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QStringList>

namespace astra {

// What one run of the scheduler did.
struct SchedulerReport
{
    int started = 0;
    int succeeded = 0;
    int failed = 0;
    int retried = 0;
    int cancelled = 0;
    int lost = 0; // tasks this process stopped running because its lease ran out (someone else runs them)
    QStringList errors; // problems of the scheduler itself (a database that went away, ...)

    QJsonObject toJson() const;
};

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

} // namespace astra

Q_DECLARE_METATYPE(astra::CycleReport)
