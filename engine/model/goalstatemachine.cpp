#include "model/goalstatemachine.h"

#include "model/statemachine.h"

#include <QCoreApplication>

namespace astra {

namespace GoalStateMachine {

QList<GoalState> legalNextStates(GoalState from)
{
    using S = GoalState;
    switch (from) {
    case S::Proposed:
        return {S::Active, S::Rejected, S::Abandoned};
    case S::Active:
        return {S::Planned, S::AwaitingReview, S::Failed, S::Abandoned};
    case S::Planned:
        return {S::Executing, S::Active, S::AwaitingReview, S::Failed, S::Abandoned};
    case S::Executing:
        return {S::AwaitingReview, S::Failed, S::Abandoned};
    case S::AwaitingReview:
        return {S::Completed, S::Executing, S::Failed, S::Abandoned};
    case S::Completed:
        return {S::Proposed};
    case S::Rejected:
    case S::Failed:
    case S::Abandoned:
        return {};
    }
    return {};
}

bool isTerminal(GoalState state)
{
    switch (state) {
    case GoalState::Completed:
    case GoalState::Rejected:
    case GoalState::Failed:
    case GoalState::Abandoned:
        return true;
    default:
        return false;
    }
}

bool isOpen(GoalState state)
{
    return !isTerminal(state);
}

QString eventFor(GoalState to)
{
    switch (to) {
    case GoalState::Proposed:
        return QStringLiteral("goal_proposed");
    case GoalState::Active:
        return QStringLiteral("goal_approved");
    case GoalState::Planned:
        return QStringLiteral("goal_planned");
    case GoalState::Executing:
        return QStringLiteral("goal_executing");
    case GoalState::AwaitingReview:
        return QStringLiteral("goal_awaiting_review");
    case GoalState::Completed:
        return QStringLiteral("goal_completed");
    case GoalState::Rejected:
        return QStringLiteral("goal_rejected");
    case GoalState::Failed:
        return QStringLiteral("goal_failed");
    case GoalState::Abandoned:
        return QStringLiteral("goal_abandoned");
    }
    return QString();
}

Status check(const Goal &goal, GoalState to)
{
    return checkTransition(QCoreApplication::translate("astra::GoalStateMachine",
                                                       "Goal %1 is '%2' and cannot move to '%3'. Legal next states "
                                                       "from '%2': %4.")
                               .arg(goal.id),
                           goal.state,
                           to,
                           legalNextStates(goal.state));
}

} // namespace GoalStateMachine

GoalState targetState(GoalAction action)
{
    switch (action) {
    case GoalAction::Approve:
        return GoalState::Active;
    case GoalAction::Reject:
        return GoalState::Rejected;
    case GoalAction::Abandon:
        return GoalState::Abandoned;
    }
    return GoalState::Abandoned;
}

QString toString(GoalAction action)
{
    switch (action) {
    case GoalAction::Approve:
        return QStringLiteral("approve");
    case GoalAction::Reject:
        return QStringLiteral("reject");
    case GoalAction::Abandon:
        return QStringLiteral("abandon");
    }
    return QString();
}

} // namespace astra
