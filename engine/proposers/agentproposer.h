#pragma once

#include "config/astraconfig.h"
#include "proposers/proposer.h"

namespace astra {

// An external agent (aider, Claude Code, Codex CLI, Gemini CLI, Goose, opencode, or any
// command), run in a private checkout of the plan's base commit inside the sandbox: only the
// checkout, a private HOME and /tmp are writable; the user's work tree, the state, the ledger and
// the home folder are not there at all. The goal is handed in as files under .git/astra/ in the
// checkout and on stdin. The change is what the agent left in the checkout (or, when it left
// nothing, a unified diff or change-set JSON on stdout). See docs/agents.md.
class AgentProposer : public Proposer
{
public:
    explicit AgentProposer(const Config &config);
    QString name() const override;
    Result<Proposal>
    propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel) override;

private:
    ProposerSection m_settings;
    qint64 m_maxFileBytes;
};

// The prompt an agent gets for `context`, in the agent's language (English), as Markdown.
QByteArray agentPrompt(const ProposalContext &context);

} // namespace astra
