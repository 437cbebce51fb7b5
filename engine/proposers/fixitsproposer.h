#pragma once

#include "proposers/proposer.h"

namespace astra {

// Applies the fix-its an analyzer attached to its findings (the goal's evidence `fixits`, from
// SARIF `fixes` or clang-tidy export-fixes) to the files as they are at the base commit:
// offline, deterministic, exact (byte offsets, or lines and columns in UTF-16 units or code
// points), refusing overlapping edits and positions outside the file.
class FixitsProposer : public Proposer
{
public:
    QString name() const override
    {
        return QStringLiteral("fixits");
    }
    Result<Proposal>
    propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel) override;
};

} // namespace astra
