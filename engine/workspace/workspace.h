#pragma once

#include "base/result.h"
#include "config/astraconfig.h"
#include "model/goal.h"
#include "model/goalstatemachine.h"
#include "model/ledgerentry.h"
#include "model/modification.h"
#include "model/plan.h"
#include "model/proposal.h"
#include "model/task.h"
#include "model/treediff.h"
#include "model/workspacestatus.h"
#include "workspace/modificationservice.h"
#include "workspace/revisionservice.h"

#include <functional>
#include <memory>
#include <optional>

namespace astra {

class Database;
class GitRepository;
class GoalService;
class JobService;
class Ledger;
class PlanService;
struct DatabaseLocation;

// The checks .astra.toml is read with everywhere (the target branch's name through libgit2).
ConfigChecks configChecks();

struct WorkspaceOptions
{
    QString repoPath; // any folder inside the repository; empty: the current directory
    QString dbUrl; // empty: <git common dir>/astra/state.db
    // Repair what a dead process left behind (see recoverInterrupted()) while opening. The
    // scheduler's plan runners open their connections without it; its dispatcher recovers.
    bool recover = true;
};

struct InitReport
{
    QString configPath;
    bool configWritten = false;
    QString testCommand;
    QString targetBranch;
    QString database;
    int schemaVersion = 0;
};

// The one door to a workspace: a git repository, its .astra.toml and its state. The CLI and
// the workstation (from a background thread) both go through it. A Workspace belongs to
// the thread that opened it: it holds that thread's database connection and repository.
//
// It is a facade: it opens the repository, the configuration and the database, and hands
// them to the services that do the work (goals, plans, modifications, jobs), each of which
// takes only what it needs and none of which knows the Workspace.
class Workspace
{
public:
    // Opens an initialised workspace and brings its schema up to date.
    static Result<std::unique_ptr<Workspace>> open(const WorkspaceOptions &options);
    // Writes .astra.toml when absent and creates (or upgrades) the state.
    static Result<InitReport> init(const WorkspaceOptions &options);
    // A team's shared PostgreSQL database made ready: the schema created or brought up to date
    // (the database itself must exist). Returns the schema version before and after.
    static Result<std::pair<int, int>> initTeamDatabase(const DatabaseLocation &location);

    ~Workspace();

    QString workDir() const;
    QString gitDir() const;
    QString stateDir() const; // <git common dir>/astra
    QString ledgerSegmentDir() const;
    const Config &config() const
    {
        return m_config;
    }
    // The parts themselves, for the task executors and the engine's tests.
    Database &database()
    {
        return m_db;
    }
    GitRepository &repository()
    {
        return m_repo;
    }
    // Who acts: the OS user and, when configured, the git identity.
    QString actor() const;

    Result<WorkspaceStatus> status();

    // What a worker needs before it claims anything, checked when it starts: the sandbox its
    // configuration asks for works on this machine, and this repository is the one the
    // database serves (the target branch and the commits of the open modifications are in it).
    // The error says what is missing and what to do; warnings (an `auto` sandbox without
    // bubblewrap) are left for takeWarnings().
    Status checkWorkerReady();
    // In a clone that follows the team's repository by URL (git config astra.remote, see
    // teamremote.h): fetches it, and moves the target branch forward to the team's. Returns
    // whether the target moved (the policy in force may have changed with it: open the
    // workspace again). Nothing to do, false, in a clone that reaches it by path.
    Result<bool> followTeamRepository();

    Result<Goal> addUserGoal(const QString &title, const QStringList &files, const QString &description = {});
    Result<QList<Goal>> goals(std::optional<GoalState> state = std::nullopt);
    Result<Goal> goal(qint64 id);
    Result<Goal> applyGoalAction(qint64 id, GoalAction action, const QString &reason);
    // Any legal transition, ledgered as done by `actor`.
    Result<Goal> moveGoal(qint64 id, GoalState to, const QString &reason, const QString &actor);

    Ledger ledger();
    // With `anchorRemote`, also requires the refs/astra/ledger pushed there (ledger anchor) to
    // be one of the local checkpoints.
    Result<LedgerVerification> verifyLedger(const QString &anchorRemote = {});
    Result<LedgerCheckpoint> checkpointLedger();
    // Checkpoints the head and pushes refs/astra/ledger to `remote`, fast-forward only.
    Result<LedgerCheckpoint> anchorLedger(const QString &remote);
    Result<LedgerSegment> archiveLedger(qint64 throughSeq);

    // Modifications: changes on their own branches, tested, reviewed, merged, rolled back.
    // `claim`: the code_modify task that writes it, as its runner holds it (checked when written). `baseCommit`: the
    // commit the change set was made against (empty: the target's head now).
    Result<Modification> createModification(qint64 goalId,
                                            const ChangeSet &changes,
                                            const QString &actor,
                                            std::optional<TaskClaim> claim = std::nullopt,
                                            const QString &baseCommit = {});
    // `files`: the import's scope (empty: its goal's; with neither it is flagged "no_stated_scope").
    Result<Modification> proposePatch(const QByteArray &patch,
                                      std::optional<qint64> goalId,
                                      const QString &title,
                                      const QStringList &files = {});
    Result<Modification> proposeBranch(const QString &branch,
                                       std::optional<qint64> goalId,
                                       const QString &title,
                                       const QStringList &files = {});
    Result<QList<Modification>> modifications(std::optional<ModificationStatus> status = std::nullopt);
    Result<Modification> modification(qint64 id);
    Result<QList<TestResultRecord>> testResults(qint64 modificationId);
    // Runs the tests of one modification on its exact commit (blocking: call it off the UI thread).
    // `logFile`: where the tests' output goes (a task's log); empty: the test run's own file.
    Result<Modification> testModification(qint64 id, const QString &logFile = {});
    // A person's "test again on the target as it is now" (withdraws an approval); see
    // ModificationService::retest.
    Result<Modification> retestModification(qint64 id);
    // Tests every pending modification; returns them as they ended.
    // `starting` hears of each before its tests run.
    Result<QList<Modification>> testPending(const std::function<void(const Modification &)> &starting = {});
    Result<Modification> approveModification(qint64 id, const QString &reason);
    Result<Modification> rejectModification(qint64 id, const QString &reason);
    Result<Modification> mergeModification(qint64 id);
    Result<Modification> rollbackModification(qint64 id, const QString &reason);
    // What rollbackModification() would touch (blocking; nothing is changed).
    Result<RollbackImpact> rollbackImpact(qint64 id);
    // Asks people to review modification `id` (assign) or withdraws the request.
    Result<Modification> assignReviewers(qint64 id, const QStringList &people, bool assign);
    // The person acting, as decisions record them (see personOf()).
    QString person() const;
    // The change of a modification, base to head, with intra-line ranges (blocking).
    Result<TreeDiff> modificationDiff(qint64 id, const TreeDiffOptions &options = {});
    // Deletes the branches of finished modifications last changed more than `days` ago.
    Result<QStringList> prune(int days);
    // Review as a conversation (RevisionService): hunk decisions, comments, requested changes,
    // updates onto a moved target, and the revisions they make. Blocking.
    RevisionService &revisions();
    // Reads a file at a commit from git objects (the code_read primitive).
    Result<QByteArray> readFile(const QString &commit, const QByteArray &path);

    // Jobs ([[jobs]] of .astra.toml): each runs on an export of the target branch's head, in
    // the tests' sandbox, with its timeout; each run is a task_runs row (outcome, exit code,
    // the last lines of output, duration, log and report files). Blocking.
    Result<QList<TaskRunRecord>> runJobs(const QString &name = {});
    // A job's runs that started at or after `since` (ISO time; empty: all), oldest first.
    Result<QList<TaskRunRecord>> jobRuns(const QString &name, const QString &since = {});
    // Jobs with an `every` whose last run started longer ago than that (or never ran).
    Result<QStringList> dueJobs();

    // Runs the detectors over the workspace's history and reports (job failures from
    // task_runs) and returns their drafts, without deciding anything.
    Result<QList<ProposalDraft>> detectProposals();
    // Detectors, then the goal generator's checks; every decision is recorded and ledgered.
    Result<QList<ProposalDecision>> detect();
    // The generator's recorded decisions, newest first (see listProposals()).
    Result<QList<ProposalDecision>> proposals(bool refusedOnly = false, int limit = 200);
    Result<ProposalDecision> proposal(qint64 proposalId);

    // Plans: the goal (active, or planned and not started) is planned with the built-in domain
    // over the workspace's facts. A plan found moves the goal to planned and waits for
    // approval; no plan is stored as a failed plan with the trace and is an error that says why.
    Result<PlanRecord> planGoal(qint64 goalId);
    // `who`: the approver recorded (empty: the person running this, actor()).
    Result<PlanRecord> approvePlan(qint64 goalId, const QString &reason, const QString &who = {});
    // The goal's newest plan that is not superseded (NotFound when it has none).
    Result<PlanRecord> currentPlan(qint64 goalId);
    // Every plan the goal has had, the newest first (replans supersede; failed plans stay).
    Result<QList<PlanRecord>> goalPlans(qint64 goalId);
    Result<QList<TaskRecord>> planTasks(qint64 planId);
    Result<QList<TaskRecord>> tasks(std::optional<TaskState> state = std::nullopt);
    Result<TaskRecord> task(qint64 id);
    Result<QList<TaskRunRecord>> taskRuns(qint64 taskId);
    Result<QList<TaskRunRecord>> planRuns(qint64 planId);
    // Asks a queued or running task to stop (a running one stops at its next check).
    Status cancelTask(qint64 taskId);

    // Problems that did not make an operation fail (e.g. a checkpoint that could not be
    // written after a committed change); the CLI prints them as warnings.
    QStringList takeWarnings();
    void warn(const QString &warning);

private:
    struct Parts; // the repository, the connection and the services, named only in workspace.cpp
    explicit Workspace(std::unique_ptr<Parts> parts);
    static Result<GitRepository> openRepository(const WorkspaceOptions &options);
    static Result<DatabaseLocation> locationFor(const WorkspaceOptions &options, const GitRepository &repo);

    std::unique_ptr<Parts> m_parts;
    GitRepository &m_repo;
    Database &m_db;
    const Config &m_config;
    GoalService &m_goals;
    PlanService &m_plans;
    ModificationService &m_modifications;
    JobService &m_jobs;
};

} // namespace astra
