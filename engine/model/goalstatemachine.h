#pragma once

#include "base/result.h"
#include "model/goal.h"

namespace astra {

// The goal life cycle of DESIGN.md:
//   proposed -> active -> planned -> executing -> awaiting_review -> completed
// with rejected, failed and abandoned as ends. A plan can be discarded (planned -> active)
// and a review can send work back (awaiting_review -> executing).
namespace GoalStateMachine {

QList<GoalState> legalNextStates(GoalState from);
bool isTerminal(GoalState state);
bool isOpen(GoalState state);

// The ledger event that records entering `to`: goal_approved, goal_rejected, ...
QString eventFor(GoalState to);

// Refuses an illegal transition with a message naming the goal, both states and the legal
// next states.
Status check(const Goal &goal, GoalState to);

} // namespace GoalStateMachine

// Verbs a person uses on goals, mapped to target states.
enum class GoalAction
{
    Approve,
    Reject,
    Abandon,
};
GoalState targetState(GoalAction action);
QString toString(GoalAction action);

} // namespace astra

Q_DECLARE_METATYPE(astra::GoalAction)
