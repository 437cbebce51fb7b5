#pragma once

#include "base/result.h"
#include "config/astraconfig.h"
#include "model/goal.h"
#include "model/modification.h"

#include <QJsonObject>

#include <atomic>
#include <memory>

namespace astra {

class GitRepository;

struct ProposalFile
{
    QString path;
    QByteArray content;
    bool exists = true;
};

// What a proposer is told: the goal with its evidence, the commit its answer applies to, and
// the goal's files as they are at that commit.
struct ProposalContext
{
    Goal goal;
    QString baseCommit;
    QString targetBranch;
    QList<ProposalFile> files;
    // A reviewer's request for changes to an earlier answer (empty otherwise): the comments with
    // their file, line, line text and hunk, and the hunks turned down. The files are that answer.
    QJsonObject review;
    // Where a proposer that runs a program copies its output as it comes (stdout, then stderr
    // lines marked), so that a person can follow it; empty: nowhere. Not part of the request.
    QString logFile;

    QJsonObject toJson() const;
};

struct Proposal
{
    ChangeSet changes;
    // For the reviewer: what was sent and what came back (request, answer, stderr, duration).
    QJsonObject transcript;
};

// Turns a goal's context into a change set and a rationale. propose() blocks: call it off the
// UI thread. It stops early when *cancel becomes true. Failures worth retrying are
// ErrorKind::Transient; a clear "no" (a refusal, a malformed or non-applying answer) is not.
class Proposer
{
public:
    virtual ~Proposer() = default;
    virtual QString name() const = 0;
    virtual Result<Proposal>
    propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel) = 0;

    // What the last propose() sent and got back, also when it failed (empty when it got no
    // further than its own checks).
    const QJsonObject &lastTranscript() const
    {
        return m_lastTranscript;
    }

protected:
    QJsonObject m_lastTranscript;
};

// A reviewer's request (ProposalContext::review) as Markdown for a prompt: what to do, then each
// comment with its file, line, line text and hunk, then the rejected hunks. Empty without one.
QString reviewPrompt(const QJsonObject &review);

// The proposers this build can run ("command", ...), for the planner's facts.
QStringList implementedProposers();

// The proposer `name` as the workspace configures it; an error says what to configure.
Result<std::unique_ptr<Proposer>> createProposer(const QString &name, const Config &config);

// A change set from a proposer's answer: a unified diff (applied to `baseCommit` by libgit2)
// or JSON {"title", "rationale", "files": [{"path", "content"} | {"path", "delete": true}]}.
Result<ChangeSet> changeSetFromAnswer(GitRepository &repo, const QString &baseCommit, const QByteArray &answer);

} // namespace astra
