#pragma once

#include "proposers/proposer.h"

#include <chrono>

namespace astra {

// Any external agent: `/bin/sh -c COMMAND` in the work tree, the context as JSON on stdin, a
// unified diff or change-set JSON on stdout. A non-zero exit or a timeout is an error; stderr
// is kept (capped) for the reviewer.
class CommandProposer : public Proposer
{
public:
    CommandProposer(QString command, std::chrono::seconds timeout);
    QString name() const override
    {
        return QStringLiteral("command");
    }
    Result<Proposal>
    propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel) override;

private:
    QString m_command;
    std::chrono::seconds m_timeout;
};

} // namespace astra
