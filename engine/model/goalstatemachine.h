#pragma once

#include "base/result.h"
#include "model/goal.h"

namespace astra {

// The goal life cycle of DESIGN.md:
//   proposed -> active -> planned -> executing -> awaiting_review -> completed
// with rejected, failed and abandoned as ends. A plan can be discarded (planned -> active)
// and a review can send work back (awaiting_review -> executing). An imported change is the
// goal's work without a plan (active or planned -> awaiting_review). Rolling back the merged
// change reopens a completed goal (completed -> proposed): it needs a person's approval again.
// Completed, rejected, failed and abandoned are the finished states (isTerminal), although a
// rollback can reopen a completed one.
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
