#pragma once

#include "base/result.h"
#include "model/goal.h"
#include "model/modification.h"
#include "model/task.h"
#include "model/treediff.h"

#include <functional>
#include <optional>

namespace astra {

class Database;
class Decisions;
class GitRepository;
class GoalService;
class Ledger;
struct Config;
struct PolicyLimits;
struct PolicyViolation;

// The path policy's limits as the workspace configures them.
PolicyLimits policyLimitsFor(const Config &config);

// What work on goal `goal` is asked to change: the files its evidence names (a detector's
// findings, failing tests' files, `astra goal add --files`) and those read in the code_read steps
// of the plan of task `taskId` (none: the goal's current plan). No files: State::NoFiles, or
// State::Unstated for an `imported` change.
Result<ModificationScope>
scopeOfGoal(Database &db, const Goal &goal, std::optional<qint64> taskId = std::nullopt, bool imported = false);

// The .astra.toml whose [policy] is in force, for messages.
QString policySourceOf(const Config &config);

// The scope check of a change (checkScope) refused it: the message, naming every file and rule,
// and `advice` on how to name a file in the scope when one was beyond it.
Error scopeRefusal(const QList<PolicyViolation> &violations, const QString &advice);
// What a scope refusal's ledger entry keeps beside the violations: the scope, and every file with
// its lines, so that the entry names what the change would have touched.
QJsonObject scopeRecord(const ModificationScope &scope, const QList<ModificationFile> &files);

// What rolling back a merged modification would touch, shown before asking.
struct RollbackImpact
{
    qint64 modificationId = 0;
    QString targetBranch;
    QStringList paths; // the files the revert changes
    QList<CommitSummary> laterCommits; // commits on the target after the merge that touch them
    QStringList localEdits; // uncommitted changes to them in the work tree (the revert stops on these)
    bool targetCheckedOut = false;
};

// Modifications: changes on their own branches inside the path policy, tested on their exact
// commit, reviewed, merged and rolled back.
class ModificationService
{
public:
    // `stateDir`: where test logs are kept (<git common dir>/astra). `goals`: the goals an
    // imported change is filed under.
    ModificationService(Database &db,
                        GitRepository &repo,
                        const Config &config,
                        Ledger &ledger,
                        Decisions &decisions,
                        GoalService &goals,
                        QString stateDir);

    // `claim`: the code_modify task that writes it, as its runner holds it (checked when written). `baseCommit`: the
    // commit the change set was made against (empty: the target's head now).
    Result<Modification> create(qint64 goalId,
                                const ChangeSet &changes,
                                const QString &who,
                                std::optional<TaskClaim> claim = std::nullopt,
                                const QString &baseCommit = {});
    // An imported change's scope is `files` when given, else what its goal names; with neither it
    // is flagged "no_stated_scope".
    Result<Modification> proposePatch(const QByteArray &patch,
                                      std::optional<qint64> goalId,
                                      const QString &title,
                                      const QStringList &files = {});
    Result<Modification> proposeBranch(const QString &branch,
                                       std::optional<qint64> goalId,
                                       const QString &title,
                                       const QStringList &files = {});
    Result<QList<Modification>> list(std::optional<ModificationStatus> status);
    Result<Modification> find(qint64 id);
    Result<QList<TestResultRecord>> testResults(qint64 modificationId);
    Result<Modification> test(qint64 id, const QString &logFile = {});
    // A person's request to test again (approval withdrawn): on the target's head as it is now
    // (the merge it would make, when the target moved since the change's base), then back to
    // awaiting approval, so it is reviewed against that head.
    Result<Modification> retest(qint64 id);
    Result<QList<Modification>> testPending(const std::function<void(const Modification &)> &starting = {});
    Result<Modification> approve(qint64 id, const QString &reason);
    Result<Modification> reject(qint64 id, const QString &reason);
    Result<Modification> merge(qint64 id);
    Result<Modification> rollback(qint64 id, const QString &reason);
    Result<RollbackImpact> rollbackImpact(qint64 id);
    // Asks people (as personOf() names them: an e-mail address, or a user) to review it, or
    // withdraws the request; ledgered.
    Result<Modification> assignReviewers(qint64 id, const QStringList &people, bool assign);
    Result<TreeDiff> diff(qint64 id, const TreeDiffOptions &options);
    Result<QStringList> prune(int days);
    // A refusal by the path policy, ledgered on goal `goalId` (`source`: what was refused; `extra`:
    // more for the entry, such as the scope a change was checked against).
    Status recordViolations(qint64 goalId,
                            const QString &source,
                            const QList<PolicyViolation> &violations,
                            const QJsonObject &extra = {});

private:
    // Tests `testedCommit` (the change's head, or the merge it would make) for modification `id`,
    // moved to testing by `who` with `meta`.
    Result<Modification>
    runTests(qint64 id, const QString &who, const QString &testedCommit, QJsonObject meta, const QString &logFile = {});
    // create() for goal `goalId`, or for `newGoal` (a GoalService::draft), stored in the same
    // transaction as the modification. An `imported` change is its goal's work: the goal
    // moves to awaiting review with it (awaitImportedChange); `importFiles`: its stated scope.
    Result<Modification> createFor(qint64 goalId,
                                   const std::optional<Goal> &newGoal,
                                   const ChangeSet &changes,
                                   const QString &who,
                                   std::optional<TaskClaim> claim,
                                   const QString &baseCommit,
                                   bool imported = false,
                                   const QStringList &importFiles = {});
    // The scope a new modification of `goal` is checked against (createFor).
    Result<ModificationScope> scopeForNew(const Goal &goal,
                                          bool newGoal,
                                          std::optional<TaskClaim> claim,
                                          bool imported,
                                          const QStringList &importFiles);
    // Inside createFor's transaction: `goal` waits for review of its imported change (approved
    // if it was proposed, its unstarted plan superseded).
    Result<Goal> awaitImportedChange(Goal goal, const QString &who);
    // An import's base (the target's head), once the goal it names is known to exist.
    Result<QString> importBase(std::optional<qint64> goalId);
    // The imported change under its goal (found, or created), checkpointed; the goal awaits review.
    Result<Modification> createImported(std::optional<qint64> goalId,
                                        const QString &goalTitle,
                                        const ChangeSet &changes,
                                        const QStringList &files);
    // What was last decided on modification `id`, for a person who found it decided already:
    // " Bob <bob@example.org> merged it at 2026-12-06 04:50:01 UTC." (empty when the ledger has nothing).
    QString lastDecision(qint64 id) const;
    // A refusal because modification `id` is in `status`, with who put it there.
    Error notInState(qint64 id, ModificationStatus status, const QString &rule) const;
    // Whether the acting person may approve: not twice, and not their own change when
    // [team] separate_duties is on.
    Status mayApprove(const Modification &modification, const QString &person) const;
    // After a git move lost its race: the decision someone else made on `modification`
    // meanwhile (read again, or seen on the target's head), if that is why.
    // The refusal of a merge or rollback in a clone that follows the team's repository.
    Error decidedInTheTeamsRepository(qint64 id, bool merging) const;
    std::optional<Error> decidedMeanwhile(const Modification &modification) const;
    // An approval short of [team] required_approvals: a review and a ledger entry, the
    // modification still awaiting approval.
    Result<Modification> recordApproval(const Modification &modification,
                                        const QString &actor,
                                        QJsonObject meta,
                                        const QString &reason,
                                        const QString &headSeen);
    Result<Modification> move(const Modification &modification,
                              ModificationStatus to,
                              const QString &who,
                              QJsonObject meta,
                              const QString &reviewDecision = {},
                              const QString &reason = {},
                              const QString &headSeen = {});
    // An import the policy refused: the ledger entry, on its goal when one was named (no goal is
    // made for it).
    Status recordImportRefusal(std::optional<qint64> goalId,
                               const QString &title,
                               const QString &source,
                               const QList<PolicyViolation> &violations,
                               const QJsonObject &extra = {});

    Database &m_db;
    GitRepository &m_repo;
    const Config &m_config;
    Ledger &m_ledger;
    Decisions &m_decisions;
    GoalService &m_goals;
    QString m_stateDir;
};

} // namespace astra
