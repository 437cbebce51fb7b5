#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};
} // namespace

int runDetect(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("detect takes no arguments."));
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto decisions = workspace->detect();
    context.printWarnings(*workspace);
    if (!decisions) {
        return context.fail(decisions.error());
    }
    if (context.json) {
        QJsonArray array;
        for (const ProposalDecision &decision : std::as_const(*decisions)) {
            array.append(decision.toJson());
        }
        context.printJson(array);
        return Success;
    }
    if (decisions->isEmpty()) {
        context.out << Tr::tr("The detectors found nothing.") << u'\n';
    }
    for (const ProposalDecision &decision : std::as_const(*decisions)) {
        context.out << Tr::tr("Proposal %1 from %2 (confidence %3): %4")
                           .arg(decision.proposalId)
                           .arg(decision.draft.detector)
                           .arg(decision.draft.confidence, 0, 'f', 2)
                           .arg(decision.draft.title)
                    << u'\n';
        if (decision.accepted) {
            context.out << Tr::tr("  accepted: goal %1 (%2)").arg(decision.goalId).arg(decision.goalState) << u'\n';
        } else {
            context.out << Tr::tr("  refused (%1): %2").arg(decision.check, decision.reason) << u'\n';
        }
    }
    return Success;
}

} // namespace astra::cli
