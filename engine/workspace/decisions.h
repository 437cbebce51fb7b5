#pragma once

#include "base/result.h"
#include "git/gitrepository.h"
#include "git/merger.h"
#include "model/ledgerentry.h"

#include <QStringList>

#include <memory>
#include <mutex>

namespace astra {

class Ledger;

// What the workspace's services share about a decision: who makes it, the ledger checkpoint
// written after it, and the problems that did not make it fail (warnings).
// The person an actor names, the key two decisions are compared by: the e-mail address of
// "user (Name <email>)", lower-cased, or the user when there is no address ("astra" for the engine).
QString personOf(const QString &actor);
// "Name <email>" of an actor ("user (Name <email>)"), or the actor as it is.
QString personDisplayName(const QString &actor);

class Decisions
{
public:
    Decisions(GitRepository &repo, Ledger &ledger);

    // Who acts: the OS user and, when configured, the git identity (read each time, so that a
    // workspace kept open sees a changed identity).
    QString actor() const;
    // The person acting as git names them: the git identity, or the OS user when none is set.
    GitIdentity identity() const;
    // The person acting, as personOf() names them.
    QString person() const;

    // Writes refs/astra/ledger at the ledger's head.
    Result<LedgerCheckpoint> checkpoint();
    // The repository as the database knows it: host and common git dir (each clone of a shared
    // database keeps its own refs/astra/ledger).
    QString checkpointKey() const;
    // After a committed decision: a checkpoint that cannot be written is a warning, not an error.
    void checkpointAfterDecision();

    // The remote through which this clone shares the team's repository (git config astra.remote,
    // read when the workspace opens), or empty when the repository is reached by its path.
    QString teamRemote() const;
    // Pushes refs just written to the team's repository, when this clone follows one (see
    // teamremote.h); nothing to do otherwise.
    Status publish(const QStringList &refspecs);
    // In a clone that follows the team's repository, held while its Astra refs are fetched, and
    // from writing one of them to recording it (taken before the database's transaction): a
    // fetch by another thread never moves a branch back between its write and its push.
    // Nothing (null) in other clones.
    std::unique_ptr<TargetMoveLock> holdTeamRefs() const;
    // In a clone that follows the team's repository: fetches it when `commit` is not here yet.
    Status fetchIfMissing(const QString &commit, const QString &targetBranch);
    // As publish(), for undoing what was published: a failure is a warning.
    void publishUndo(const QStringList &refspecs);

    // Any thread may warn (tasks run on the scheduler's threads).
    void warn(const QString &warning);
    QStringList takeWarnings();

private:
    GitRepository &m_repo;
    Ledger &m_ledger;
    QString m_teamRemote;
    std::mutex m_warningsMutex;
    QStringList m_warnings;
};

} // namespace astra
