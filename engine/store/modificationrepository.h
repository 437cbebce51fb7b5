#pragma once

#include "base/result.h"
#include "model/modification.h"

#include <QHash>
#include <QJsonObject>

#include <optional>

namespace astra {

class Database;

// The modifications aggregate: rows, their files, test results and reviews. Mutations run
// inside Database::writeTransaction next to their ledger entries; status changes use the
// version column for optimistic locking.
class ModificationRepository
{
public:
    explicit ModificationRepository(Database &db);

    Result<Modification> insert(const Modification &modification);
    Status setCommit(qint64 id, const QString &branch, const QString &headCommit);
    Status insertFiles(qint64 id, const QList<ModificationFile> &files);
    // Records a revision (its number must be the next one: the UNIQUE constraint refuses a
    // second writer of the same number).
    Result<qint64> insertRevision(const Revision &revision);
    Result<QList<Revision>> revisions(qint64 modificationId) const;
    // Many modifications' files, revisions and test runs (`latestOnly`: each one's newest) in one
    // query each, by modification id (the inbox reads them for every waiting change).
    Result<QHash<qint64, QList<ModificationFile>>> filesOf(const QList<qint64> &ids) const;
    Result<QHash<qint64, QList<Revision>>> revisionsOf(const QList<qint64> &ids) const;
    Result<QHash<qint64, QList<TestResultRecord>>> testResultsOf(const QList<qint64> &ids, bool latestOnly) const;
    Result<Modification> find(qint64 id) const;
    Result<QList<Modification>> list(std::optional<ModificationStatus> status = std::nullopt) const;

    // Moves to `to` if still at the version read (a Conflict otherwise), writing the merge and
    // revert commits and conflict paths of `modification` in the same statement.
    // The versioned row update behind Transitions (store/transitions.h), which checks the state
    // machine and writes the ledger entry: state changes go through Transitions, not here.
    Result<Modification> updateStatus(const Modification &modification, ModificationStatus to);

    Result<qint64> insertTestResult(const TestResultRecord &record);
    Status finishTestResult(const TestResultRecord &record);
    Result<QList<TestResultRecord>> testResults(qint64 modificationId) const;
    // Runners of the unfinished test runs of a modification.
    Result<QStringList> runningTestRunners(qint64 modificationId) const;

    Status insertReview(qint64 modificationId,
                        const QString &reviewer,
                        const QString &decision,
                        const QString &reason,
                        const QString &headSeen,
                        int revision = 0);
    // Moves the version on (a Conflict when it moved since `modification` was read), so that
    // decisions that do not change the status still take turns.
    Result<Modification> touch(const Modification &modification);
    // Who approves what is there now, oldest first: approvals not withdrawn since.
    Result<QStringList> approvers(qint64 modificationId) const;
    Result<QHash<qint64, QStringList>> approversOf(const QList<qint64> &ids) const;
    // A new test run or revision withdraws the approvals given before it.
    Status withdrawApprovals(qint64 modificationId);
    // The people asked to review a modification, and each of these modifications'.
    Result<QHash<qint64, QStringList>> assigneesOf(const QList<qint64> &ids) const;
    // A Conflict when `person` is already asked; NotFound on unassigning someone not asked.
    Status assignReviewer(qint64 modificationId, const QString &person, const QString &by);
    Status unassignReviewer(qint64 modificationId, const QString &person);

    // The head of the target branch the approving review saw.
    Result<QString> approvedHeadSeen(qint64 modificationId) const;
    // Who gave the latest approving review.
    Result<QString> approvedBy(qint64 modificationId) const;

    // A new revision: base and head commits, flags and scope, at the version read (a Conflict
    // otherwise).
    Result<Modification> updateRevision(const Modification &modification,
                                        const QString &baseCommit,
                                        const QString &headCommit,
                                        const QStringList &flags,
                                        const ModificationScope &scope);
    // The files of the current revision, replacing the previous revision's.
    Status replaceFiles(qint64 id, const QList<ModificationFile> &files);

    // Hunk and file decisions on a revision; setting one replaces an earlier decision on it.
    Status setHunkDecision(const HunkDecision &decision);
    Status clearHunkDecision(qint64 modificationId, int revision, const QString &path, const QString &hunkKey);
    Result<QList<HunkDecision>> hunkDecisions(qint64 modificationId, int revision) const;

    Result<ReviewComment> insertComment(const ReviewComment &comment);
    Result<QList<ReviewComment>> comments(qint64 modificationId) const;
    Result<ReviewComment> comment(qint64 commentId) const;
    // Writes where a comment is now (revision, path, line, outdated), whether it was sent, and
    // whether it is resolved.
    Status updateComment(const ReviewComment &comment);
    // The newest revision `who` reviewed, decided on or commented on; 0: none.
    Result<int> lastReviewedRevision(qint64 modificationId, const QString &who) const;

private:
    // Per modification of `ids`, the second column of `sql` (its "%1" is where the ids go; the
    // first column is the modification), in the query's order.
    Result<QHash<qint64, QStringList>> namesOf(const QList<qint64> &ids, const QString &what, const QString &sql) const;

    // `column` of the latest approving review (a fixed column name, never input).
    Result<QString> latestApproval(qint64 modificationId, const char *column) const;

    Database &m_db;
};

} // namespace astra
