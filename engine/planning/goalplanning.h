#pragma once

#include "base/result.h"
#include "config/astraconfig.h"
#include "model/goal.h"
#include "model/plan.h"
#include "model/task.h"
#include "planning/planner.h"

namespace astra {

class PathPolicy;

// What the workspace offers a goal's plan: the facts of the problem's initial state.
struct WorkspaceFacts
{
    QStringList files; // the goal's files, in the order of its evidence
    QStringList allowedFiles; // those the path policy lets the agent write
    QStringList deniedReasons; // for the others: the rule that forbids them
    bool hasFixits = false; // the evidence carries fix-its and the fixits proposer exists
    QStringList proposers; // configured proposers that can run here (not "fixits")
    bool testCommand = false;
};

WorkspaceFacts workspaceFacts(const Goal &goal,
                              const Config &config,
                              const PathPolicy &policy,
                              const QStringList &implementedProposers);

// The HDDL problem of a goal: the goal is object g<ID>, its files file1..fileN (named in a
// comment at the top), the facts as above, and the goal's kind as the one task of the network.
struct GoalProblem
{
    QString text;
    QString goalObject;
    QHash<QString, QString> fileObjects; // object -> path
};
GoalProblem goalProblem(const Goal &goal, const WorkspaceFacts &facts);

// The built-in code-maintenance domain (compiled into the program).
Result<hddl::Domain> builtinDomain();
// Its text, as compiled in (empty if this build lacks it).
QByteArray builtinDomainSource();

// A plan ready to store: the record with its decomposition nodes (id = index + 1 and
// parentId = the parent's index + 1, as PlanRepository::insert expects) and a task per primitive action, in plan order.
struct GoalPlan
{
    PlanRecord plan;
    QList<TaskRecord> tasks;
    QList<int> taskNodes;
    bool solved = false;
};

// Plans a goal: builds the problem, parses it against the domain, runs the planner.
Result<GoalPlan> planForGoal(const Goal &goal,
                             const Config &config,
                             const hddl::Domain &domain,
                             const WorkspaceFacts &facts,
                             const hddl::PlannerLimits &limits = {});

// Converts a planner result into stored nodes and tasks (exposed for tests and benchmarks).
GoalPlan goalPlanFrom(const hddl::PlanResult &result,
                      const hddl::Domain &domain,
                      const hddl::Problem &parsed,
                      const GoalProblem &problem,
                      const Goal &goal,
                      const Config &config);

} // namespace astra
