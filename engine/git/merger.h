#pragma once

#include "base/result.h"
#include "git/gitrepository.h"

#include <QStringList>

namespace astra {

class GitRepository;

struct MergeOutcome
{
    enum class Kind
    {
        FastForward,
        MergeCommit,
        Conflicted, // nothing was changed; `paths` lists the conflicts
    };
    Kind kind = Kind::FastForward;
    QString commit; // the new head of the target branch
    QStringList paths;
};

struct RevertOutcome
{
    bool conflicted = false;
    QString commit;
    QStringList paths;
};

// Moves a target branch safely: compare-and-swap against the head the caller saw, and when
// the branch is checked out, the work tree and index are updated with a safe checkout; local
// changes that would be overwritten refuse the operation (naming the files) before anything
// changes.
class Merger
{
public:
    // The commits it makes (merge and revert commits) are made by `who`: the person deciding,
    // or the engine when empty.
    explicit Merger(GitRepository &repo, GitIdentity who = {});

    // Merges `head` (a commit on top of `base`) into `targetBranch`, which must still be at
    // `expectedTarget`. When the target moved since `base`, a merge commit is made only if the
    // target's own changes touch none of the files of the modification, so those files are
    // exactly as tested.
    Result<MergeOutcome> merge(const QString &targetBranch,
                               const QString &expectedTarget,
                               const QString &base,
                               const QString &head,
                               const QString &message);

    // What merge() would make of `head` on top of the target at `target`, without moving
    // anything: `head` itself when the target is still at `base`, else a merge commit that no
    // ref names (or the conflicting paths).
    Result<MergeOutcome>
    prepare(const QString &target, const QString &base, const QString &head, const QString &message);

    // Reverts `commit` (a fast-forwarded commit or a merge commit, mainline 1) with a new
    // commit on `targetBranch`.
    Result<RevertOutcome> revert(const QString &targetBranch, const QString &commit, const QString &message);

    // Moves `targetBranch` from `expectedTarget` forward to `commit`, a descendant of it (the
    // team's target in a clone that follows it), as safely as a merge moves it.
    Status fastForward(const QString &targetBranch, const QString &expectedTarget, const QString &commit);
    // Whether the target branch is checked out in the repository's work tree.
    bool isCheckedOut(const QString &targetBranch) const;

private:
    Status moveTarget(const QString &targetBranch,
                      const QString &expectedTarget,
                      const QString &newCommit,
                      const QString &logMessage,
                      const char *crashPointName);

    GitRepository &m_repo;
    GitIdentity m_who;
};

// Held while a target branch moves, and by a decision for as long as it is being made (from
// reading the modification's state to recording the outcome): the moves and decisions of two
// processes, or two threads, on one repository take turns, so each finds the branch and the
// state as the other left them. A kernel lock (flock) on <common git dir>/astra/target-move
// (shared by the linked work trees of a repository), dropped
// with its process, so a kill leaves none behind. Re-entrant within a thread.
class TargetMoveLock
{
public:
    explicit TargetMoveLock(const GitRepository &repo);
    TargetMoveLock(const TargetMoveLock &) = delete;
    TargetMoveLock &operator=(const TargetMoveLock &) = delete;
    ~TargetMoveLock();

private:
    QString m_path;
    int m_fd = -1; // -1 when this thread held the lock already (or it could not be opened)
};

struct FinishedCheckout
{
    bool done = false; // false: nothing was left to finish
    QString branch;
    QString from;
    QString to;
};

// After a crash between moving a checked-out branch and updating its work tree: brings the
// index and files to the branch's new commit (a record written before each such move says
// which). A conflict (files changed since by someone) is an error that names them and leaves
// the record.
Result<FinishedCheckout> finishInterruptedCheckout(GitRepository &repo);

// The branch whose move a process that died left unfinished (its checkout record is there and
// the process that wrote it is gone), or an empty string.
QString interruptedCheckoutBranch(GitRepository &repo);

} // namespace astra
