#pragma once

#include "base/result.h"
#include "model/modification.h"
#include "model/treediff.h"

#include <QJsonObject>

#include <atomic>
#include <functional>
#include <optional>

namespace astra {

class Database;
class Decisions;
class GitRepository;
class Ledger;
class ModificationService;
struct Config;

// What `astra mod update` did: a new revision on the target's head, or the conflicts that kept
// it from being made (both sides of each file; nothing was written to any branch).
struct UpdateOutcome
{
    Modification modification;
    QString targetHead;
    QList<FileDiff> conflicts;

    bool conflicted() const
    {
        return !conflicts.isEmpty();
    }
};

// Review as a conversation: decisions on hunks and files, comments, and the revisions they lead
// to (accepted hunks only, the agent's answer to requested changes, the change replayed onto a
// moved target). Every new revision is a commit on the modification's base, inside the path
// policy, recorded with its ledger entry in one transaction, and tested on its exact commit
// before it can be approved. Blocking: call it off the UI thread.
class RevisionService
{
public:
    RevisionService(Database &db,
                    GitRepository &repo,
                    const Config &config,
                    Ledger &ledger,
                    Decisions &decisions,
                    ModificationService &modifications,
                    QString stateDir);

    // Revision `to` (0: the current one) against revision `from` (0: its base): an interdiff
    // when `from` is a revision.
    Result<TreeDiff> diff(qint64 id, int from, int to, const TreeDiffOptions &options = {});
    // The newest revision the acting person approved, rejected, decided on or commented on that
    // is older than the current one (0: none): where "changes since" starts by default.
    Result<int> lastReviewedRevision(qint64 id);

    // Accepts or rejects hunk `hunk` (1-based, as `astra mod diff` numbers them) of `path` in the
    // current revision, or the whole file when `hunk` is empty; an empty `decision` clears it.
    Result<HunkDecision> decide(qint64 id, const QString &path, std::optional<int> hunk, const QString &decision);
    Result<QList<HunkDecision>> decisions(qint64 id);
    // A new revision without the rejected hunks and files, tested when a test command is set.
    Result<Modification> applyDecisions(qint64 id);
    // A new revision with hunks the current revision's decisions left out put back: those with
    // the given keys, or all of them.
    Result<Modification> restoreRejected(qint64 id, const QStringList &hunkKeys = {});

    // A comment on line `line` of `path` (side "new": the revision's file, "old": the base's),
    // on the file (line 0), or on the change as a whole (no path).
    Result<ReviewComment> comment(qint64 id, const QString &path, int line, const QString &side, const QString &body);
    Result<ReviewComment> resolveComment(qint64 commentId, bool resolved);
    Result<QList<ReviewComment>> comments(qint64 id);
    // Sends the open comments and the rejected hunks to the goal's agent, which works on top of
    // the current revision in its sandbox; its answer becomes the next revision, tested.
    Result<Modification> requestChanges(qint64 id, const std::atomic<bool> *cancel = nullptr);
    // Replays the current revision onto the target's head as a new revision, tested; a conflict
    // is recorded as a comment on each file (for the agent) and returned with both sides.
    Result<UpdateOutcome> update(qint64 id);

private:
    struct NewRevision
    {
        QString baseCommit;
        QString tree;
        QString origin;
        QJsonObject meta;
        std::optional<ChangeAuthor> author; // empty: the agent
        // Files the revision is asked to change besides its modification's scope: those the
        // review comments it answers name.
        QStringList scopeAdditions;
        // More writes in the revision's transaction (the new revision's number).
        std::function<Status(int)> alsoWrite;
    };
    Result<Modification> addRevision(const Modification &current, const NewRevision &revision);
    Result<Modification> findOpen(qint64 id, const QString &what);
    // The open comments of the current revision onto the new one: a new-side line followed
    // through the change between the two, an old-side line kept while the base is the same; a
    // line that is gone leaves its comment behind, outdated.
    Status carryComments(const Modification &current, const QString &newCommit, const QString &newBase, int newNumber);
    // Tests the new revision when a test command is set (a failure to test is a warning).
    Result<Modification> testNew(const Modification &revised);
    QString actor() const;
    // The ledger entry `event` on modification `id`, inside the caller's transaction.
    Status record(const QString &who, const QString &event, qint64 id, const QJsonObject &meta);

    Database &m_db;
    GitRepository &m_repo;
    const Config &m_config;
    Ledger &m_ledger;
    Decisions &m_decisions;
    ModificationService &m_modifications;
    QString m_stateDir;
};

} // namespace astra
