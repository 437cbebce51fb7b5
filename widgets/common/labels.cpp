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

QString outcomeLabel(const QString &outcome)
{
    if (outcome == u"passed")
        return Tr::tr("passed");
    if (outcome == u"failed")
        return Tr::tr("failed");
    if (outcome == u"timeout")
        return Tr::tr("timed out");
    if (outcome == u"error")
        return Tr::tr("could not run");
    if (outcome == u"running")
        return Tr::tr("running");
    if (outcome == u"succeeded")
        return Tr::tr("succeeded");
    if (outcome == u"cancelled")
        return Tr::tr("cancelled");
    return outcome;
}

} // namespace astra
