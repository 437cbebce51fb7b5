#include "labels.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Labels)
};
} // namespace

QString goalStateLabel(GoalState state)
{
    switch (state) {
    case GoalState::Proposed:
        return Tr::tr("Proposed");
    case GoalState::Active:
        return Tr::tr("Active");
    case GoalState::Planned:
        return Tr::tr("Planned");
    case GoalState::Executing:
        return Tr::tr("Executing");
    case GoalState::AwaitingReview:
        return Tr::tr("Awaiting review");
    case GoalState::Completed:
        return Tr::tr("Completed");
    case GoalState::Rejected:
        return Tr::tr("Rejected");
    case GoalState::Failed:
        return Tr::tr("Failed");
    case GoalState::Abandoned:
        return Tr::tr("Abandoned");
    }
    return toString(state);
}

} // namespace astra
