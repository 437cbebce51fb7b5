#pragma once

#include "code/gitrepository.h"
#include "config/astraconfig.h"
#include "goals/goal.h"
#include "goals/goalstatemachine.h"
#include "ledger/ledger.h"
#include "result.h"
#include "store/database.h"
#include "workspacestatus.h"

#include <memory>
#include <optional>

namespace astra {

struct WorkspaceOptions
{
    QString repoPath; // any folder inside the repository; empty: the current directory
    QString dbUrl; // empty: <git common dir>/astra/state.db
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
class Workspace
{
public:
    // Opens an initialised workspace and brings its schema up to date.
    static Result<std::unique_ptr<Workspace>> open(const WorkspaceOptions &options);
    // Writes .astra.toml when absent and creates (or upgrades) the state.
    static Result<InitReport> init(const WorkspaceOptions &options);

    ~Workspace();

    QString workDir() const;
    QString gitDir() const;
    QString stateDir() const; // <git common dir>/astra
    QString ledgerSegmentDir() const;
    const Config &config() const
    {
        return m_config;
    }
    Database &database()
    {
        return m_db;
    }
    // Who acts: the OS user and, when configured, the git identity.
    QString actor() const;

    Result<WorkspaceStatus> status();

    Result<Goal> addUserGoal(const QString &title, const QStringList &files, const QString &description = {});
    Result<QList<Goal>> goals(std::optional<GoalState> state = std::nullopt);
    Result<Goal> goal(qint64 id);
    Result<Goal> applyGoalAction(qint64 id, GoalAction action, const QString &reason);
    // Any legal transition, ledgered as done by `actor`.
    Result<Goal> moveGoal(qint64 id, GoalState to, const QString &reason, const QString &actor);

    Ledger ledger();
    Result<LedgerVerification> verifyLedger();
    Result<LedgerCheckpoint> checkpointLedger();
    Result<LedgerSegment> archiveLedger(qint64 throughSeq);

    // Problems that did not make an operation fail (e.g. a checkpoint that could not be
    // written after a committed change); the CLI prints them as warnings.
    QStringList takeWarnings();

private:
    Workspace(GitRepository repo, Config config, Database db);
    static Result<GitRepository> openRepository(const WorkspaceOptions &options);
    static Result<DatabaseLocation> locationFor(const WorkspaceOptions &options, const GitRepository &repo);
    void checkpointAfterDecision();

    GitRepository m_repo;
    Config m_config;
    Database m_db;
    QStringList m_warnings;
};

} // namespace astra
