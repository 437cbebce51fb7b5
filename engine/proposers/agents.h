#pragma once

#include "base/result.h"
#include "config/astraconfig.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>

namespace astra {

// How one agent is run non-interactively in its private checkout: the command line, what goes
// on stdin, its fixed settings, and the variables passed in from the caller's environment.
struct AgentInvocation
{
    QString agent; // "claude", ..., "command"
    QString title; // "Claude Code"
    QStringList command; // program (found on the PATH) and arguments
    QByteArray input; // stdin
    QHash<QString, QString> settings; // fixed environment: no update checks, auto-approve, ...
    QStringList passedVariables; // names passed in when set: API keys, provider settings
    QByteArray ignoreRules; // the agent's own files in the checkout, never harvested
};

// What an agent is told, already written into the checkout.
struct AgentBriefing
{
    QString promptFile; // absolute
    QByteArray prompt;
    QByteArray request; // the context as JSON (the `command` agent's stdin)
    QStringList files; // the goal's files, relative
};

// The invocation of the agent [proposer] configures (kind "agent", or kind "command"), with
// `[proposer] env` replacing the agent's own list of passed variables when it is set. The
// program is not looked up here.
Result<AgentInvocation> agentInvocation(const ProposerSection &proposer, const AgentBriefing &briefing);

// Where a named agent comes from, for the error when it is not installed.
QString agentInstallHint(const QString &agent);

} // namespace astra
