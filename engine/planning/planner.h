#pragma once

#include "planning/hddl.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <atomic>

namespace astra::hddl {

struct PlannerLimits
{
    int maxDepth = 200; // nested decompositions
    qint64 maxNodes = 1000000; // task expansions
    qint64 timeoutMs = 60000;
    const std::atomic<bool> *cancel = nullptr;
};

// One method tried for a compound task, and why it did not work (empty when it did).
struct MethodAttempt
{
    QString method;
    QString binding; // "?t=truck1 ?from=a"
    QString reason; // in the planner's words
    // The same, structured, for readers that word it for people: {"kind": "false" | "holds" |
    // "no-fact" | "negation" | "none-of" | "nothing" | "no-binding" | "arguments" | "subtasks" |
    // "stopped" | "action" | "not-a" | "no-method" | "no-method-works" | "loop", "predicate",
    // "arguments" (ground), "equals", "line" (in the domain), "for" {variable: object},
    // "action", "task", "method", "below" (the cause under it)}.
    QJsonObject why;
};

// A node of the decomposition: a compound task with the method chosen and the methods tried,
// or a primitive action. Children are the subtasks in order.
struct DecompositionNode
{
    int id = 0; // the id in the plan output
    bool primitive = false;
    QString name;
    QStringList arguments;
    QString method; // compound: the method that worked
    QList<MethodAttempt> attempts; // compound: every method and binding tried, in order
    QList<int> children; // indices into PlanResult::nodes
    int parent = -1;
};

struct PlanResult
{
    enum class Outcome
    {
        Solved,
        Exhausted, // the whole search space was explored: there is no plan
        NodeLimit,
        DepthLimit,
        TimeLimit,
        Cancelled,
    };
    Outcome outcome = Outcome::Exhausted;
    QList<int> plan; // primitive nodes in execution order
    QList<int> roots; // the initial task network
    QList<DecompositionNode> nodes;
    qint64 expansions = 0;
    qint64 loopsCut = 0; // decompositions not tried because they would have gone round in a circle
    // False when a cut loop was not a tail repetition (see docs/planning.md, "Circles"): an
    // exhausted search then does not prove that there is no plan.
    bool complete = true;
    qint64 elapsedMs = 0;
    // When there is no plan: the attempts at the first task that could not be decomposed.
    QList<MethodAttempt> failure;
    QString failedTask;
    // Without a plan: the first failure after the most actions had been placed, which is
    // usually the real obstacle (the failures above it are backtracking).
    int furthestActions = -1;
    QString furthestTask;
    QString furthestReason;
    QJsonObject furthestWhy;

    // The IPC 2020 HTN track format: "==>", numbered actions, "root", one line per
    // abstract task "ID task args -> method subtask-ids", "<==".
    // Names are written as the domain and problem declared them (the verifier compares them
    // exactly).
    QString toIpcFormat(const Domain &domain, const Problem &problem) const;
    // An indented text tree for people (and golden tests).
    QString toTree() const;
};

QString toString(PlanResult::Outcome outcome);

// Total-order forward decomposition (SHOP-style progression): the first open task is
// decomposed against the current state, methods and bindings are tried in order, and the
// search backtracks over both. Bindings come from the state: positive precondition atoms are
// matched against facts before the remaining variables the precondition mentions are
// enumerated by type. Variables nothing binds yet (the problem's :htn parameters, method
// parameters only subtasks use) stay open until an action's precondition or a method's binds
// them. A compound task met again with the same arguments in the same state while it is being
// decomposed is not decomposed again (a loop); see docs/planning.md.
PlanResult solve(const Domain &domain, const Problem &problem, const PlannerLimits &limits = {});

} // namespace astra::hddl
