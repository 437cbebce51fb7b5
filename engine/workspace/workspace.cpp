#include "workspace/workspace.h"

#include "base/logging.h"
#include "config/configtemplate.h"
#include "git/gitrepository.h"
#include "git/ledgeranchor.h"
#include "git/merger.h"
#include "git/stalelocks.h"
#include "git/teamremote.h"
#include "goals/generator.h"
#include "policy/pathglob.h"
#include "sandbox/sandbox.h"
#include "sandbox/scratch.h"
#include "store/database.h"
#include "store/databaselocation.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/migrator.h"
#include "workspace/decisions.h"
#include "workspace/goalservice.h"
#include "workspace/jobservice.h"
#include "workspace/planservice.h"
#include "workspace/recovery.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QSaveFile>

#include <algorithm>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};
} // namespace

ConfigChecks configChecks()
{
    return ConfigChecks{isValidBranchName, [](const QString &pattern) {
                            auto compiled = PathGlobList::compile({pattern});
                            return compiled ? QString() : compiled.error().message;
                        }};
}

namespace {

QString configPathIn(const QString &workDir)
{
    return QDir(workDir).filePath(QStringLiteral(".astra.toml"));
}

// The configuration of the work tree, with [policy] as committed on the target branch: where
// the agent may write is decided by what was committed, so an uncommitted edit (or a deleted
// file) cannot loosen it. Without a committed .astra.toml the work tree's policy applies (there
// is nothing to loosen). `notes`: what the user should know (an edit not yet in force).
Result<Config> loadWorkspaceConfig(const GitRepository &repo, QStringList *notes)
{
    const QString path = configPathIn(repo.workDir());
    Config config = defaultConfig();
    config.sourcePath = path;
    if (QFileInfo::exists(path) || QFileInfo(path).isSymLink()) {
        auto loaded = loadConfigFile(path, configChecks());
        if (!loaded) {
            return loaded.error();
        }
        config = *loaded;
    }
    const QString target = config.workspace.targetBranch;
    auto commit = repo.branchCommit(target);
    if (!commit) {
        // No target branch yet (an unborn repository): nothing is committed to be in force.
        return commit.error().kind == ErrorKind::NotFound ? Result<Config>(config) : Result<Config>(commit.error());
    }
    const QString source = target + QStringLiteral(":.astra.toml");
    auto text = repo.readFile(*commit, QByteArrayLiteral(".astra.toml"), maxConfigBytes);
    if (!text) {
        if (text.error().kind == ErrorKind::NotFound) {
            return config;
        }
        return makeError(Tr::tr("The .astra.toml committed on %1 cannot be read, and its [policy] is the one in force: "
                                "%2")
                             .arg(target, text.message()),
                         text.error().kind);
    }
    auto committed = parseConfig(*text, source, configChecks());
    if (!committed) {
        return makeError(Tr::tr("The .astra.toml committed on %1 is not valid, and its [policy] is the one in force. "
                                "Fix it in a commit on %1:\n%2")
                             .arg(target, committed.message()),
                         ErrorKind::Invalid);
    }
    if (notes && config.fromFile && !(committed->policy == config.policy)) {
        notes->append(Tr::tr("The [policy] of %1 differs from the one committed on %2. The committed one is in force: "
                             "an edit of where the agent may write counts once it is committed on %2.")
                          .arg(path, target));
    }
    if (notes && !config.fromFile) {
        notes->append(Tr::tr("%1 is missing from the work tree; the settings are the defaults, and the [policy] "
                             "committed on %2 is in force.")
                          .arg(path, target));
    }
    config.policy = committed->policy;
    config.policySource = source;
    return config;
}
} // namespace

QJsonObject WorkspaceStatus::toJson() const
{
    QJsonObject goals;
    for (const auto &entry : goalsByState) {
        goals.insert(entry.first, entry.second);
    }
    QJsonObject object;
    object.insert(QStringLiteral("person"), person);
    object.insert(QStringLiteral("required_approvals"), requiredApprovals);
    object.insert(QStringLiteral("work_dir"), workDir);
    object.insert(QStringLiteral("git_dir"), gitDir);
    object.insert(QStringLiteral("head_branch"), headBranch);
    object.insert(QStringLiteral("target_branch"), targetBranch);
    object.insert(QStringLiteral("database"), database);
    object.insert(QStringLiteral("team_remote"), teamRemote);
    object.insert(QStringLiteral("config"), configFromFile ? configPath : QString());
    object.insert(QStringLiteral("policy_source"),
                  !policySource.isEmpty() ? policySource
                      : configFromFile    ? configPath
                                          : QString());
    object.insert(QStringLiteral("schema_version"), schemaVersion);
    object.insert(QStringLiteral("goals"), goals);
    object.insert(QStringLiteral("open_goals"), openGoals);
    object.insert(QStringLiteral("modifications_awaiting_review"), modificationsAwaitingReview);
    QJsonObject scheduling;
    scheduling.insert(QStringLiteral("state"), scheduler);
    scheduling.insert(QStringLiteral("tasks_queued"), tasksQueued);
    scheduling.insert(QStringLiteral("tasks_awaiting_plan_approval"), tasksAwaitingPlanApproval);
    scheduling.insert(QStringLiteral("tasks_running"), tasksRunning);
    object.insert(QStringLiteral("scheduler"), scheduling);
    QJsonObject ledger;
    ledger.insert(QStringLiteral("entries"), double(ledgerEntries));
    ledger.insert(QStringLiteral("head"), ledgerHead);
    object.insert(QStringLiteral("ledger"), ledger);
    QJsonArray refusals;
    for (const Refusal &refusal : recentRefusals) {
        QJsonObject item;
        item.insert(QStringLiteral("id"), double(refusal.proposalId));
        item.insert(QStringLiteral("title"), refusal.title);
        item.insert(QStringLiteral("check"), refusal.check);
        item.insert(QStringLiteral("reason"), refusal.reason);
        refusals.append(item);
    }
    object.insert(QStringLiteral("recent_refusals"), refusals);
    return object;
}

namespace {
QString stateDirOf(const GitRepository &repo)
{
    return QDir(repo.commonDir()).filePath(QStringLiteral("astra"));
}
} // namespace

// Declared in the order they depend on each other; nothing here moves once made.
struct Workspace::Parts
{
    Parts(GitRepository openedRepo, Database openedDb, Config loadedConfig)
        : repo(std::move(openedRepo))
        , db(std::move(openedDb))
        , config(std::move(loadedConfig))
        , ledger(db, QDir(stateDirOf(repo)).filePath(QStringLiteral("ledger")))
        , decisions(repo, ledger)
        , goals(db, ledger, decisions)
        , plans(db, config, ledger, decisions)
        , modifications(db, repo, config, ledger, decisions, goals, stateDirOf(repo))
        , jobs(db, repo, config, ledger, decisions, stateDirOf(repo))
        , revisions(db, repo, config, ledger, decisions, modifications, stateDirOf(repo))
    {}

    GitRepository repo;
    Database db;
    const Config config;
    Ledger ledger;
    Decisions decisions;
    GoalService goals;
    PlanService plans;
    ModificationService modifications;
    JobService jobs;
    RevisionService revisions;
    // Held while the workspace is open (see WorkspacePresence); set by open().
    WorkspacePresence presence;
};

Workspace::Workspace(std::unique_ptr<Parts> parts)
    : m_parts(std::move(parts))
    , m_repo(m_parts->repo)
    , m_db(m_parts->db)
    , m_config(m_parts->config)
    , m_goals(m_parts->goals)
    , m_plans(m_parts->plans)
    , m_modifications(m_parts->modifications)
    , m_jobs(m_parts->jobs)
{}

Workspace::~Workspace() = default;

Result<GitRepository> Workspace::openRepository(const WorkspaceOptions &options)
{
    const QString start = options.repoPath.isEmpty() ? QDir::currentPath() : options.repoPath;
    if (!QFileInfo(start).isDir()) {
        return makeError(Tr::tr("--repo %1: no such directory. Pass the path of a git repository.").arg(start),
                         ErrorKind::NotFound);
    }
    auto repo = GitRepository::discover(start);
    if (!repo) {
        return repo.error();
    }
    if (repo->isBare()) {
        return makeError(Tr::tr("%1 is a bare repository. Astra Review reads .astra.toml from a work tree: use a clone "
                                "with a work tree.")
                             .arg(repo->gitDir()),
                         ErrorKind::Refused);
    }
    return repo;
}

Result<DatabaseLocation> Workspace::locationFor(const WorkspaceOptions &options, const GitRepository &repo)
{
    if (!options.dbUrl.isEmpty()) {
        return DatabaseLocation::parse(options.dbUrl);
    }
    // A team's shared database, set once per clone (`astra team init` prints the line).
    if (const QString shared = repo.configValue(QStringLiteral("astra.database")); !shared.trimmed().isEmpty()) {
        auto location = DatabaseLocation::parse(shared.trimmed());
        if (!location) {
            return makeError(Tr::tr("git config astra.database: %1").arg(location.message()), ErrorKind::Invalid);
        }
        return location;
    }
    return DatabaseLocation::sqliteFile(QDir(repo.commonDir()).filePath(QStringLiteral("astra/state.db")));
}

Result<std::unique_ptr<Workspace>> Workspace::open(const WorkspaceOptions &options)
{
    auto repo = openRepository(options);
    if (!repo) {
        return repo.error();
    }
    QStringList configNotes;
    auto config = loadWorkspaceConfig(*repo, &configNotes);
    if (!config) {
        return config.error();
    }
    auto location = locationFor(options, *repo);
    if (!location) {
        return location.error();
    }
    auto db = Database::open(*location, Database::OpenMode::MustExist);
    if (!db) {
        return db.error();
    }
    Migrator migrator(*db);
    auto version = migrator.currentVersion();
    if (!version) {
        return version.error();
    }
    if (*version == 0) {
        return makeError(Tr::tr("%1 holds no Astra Review state yet. Run `astra init` in %2 to create it.")
                             .arg(location->displayName(), repo->workDir()),
                         ErrorKind::NotFound);
    }
    auto migrated = migrator.migrate();
    if (!migrated) {
        return migrated.error();
    }
    std::unique_ptr<Workspace> workspace(
        new Workspace(std::make_unique<Parts>(std::move(*repo), std::move(*db), std::move(*config))));
    for (const QString &note : std::as_const(configNotes)) {
        workspace->m_parts->decisions.warn(note);
    }
    workspace->m_parts->presence = WorkspacePresence::enter(workspace->m_repo.commonDir());
    if (!options.recover) {
        return workspace;
    }
    // Lock files a process that died left behind block every later merge and the user's own
    // commits: those of Astra Review's refs go; the others are named with the command.
    QStringList others;
    for (const QString &path : removeOwnStaleLocks(workspace->m_repo, workspace->m_parts->presence.alone(), &others)) {
        workspace->m_parts->decisions.warn(
            Tr::tr("Removed the lock file %1, which a process that died had left (no process on this machine had "
                   "it open).")
                .arg(path));
    }
    for (const QString &path : std::as_const(others)) {
        workspace->m_parts->decisions.warn(
            Tr::tr("The lock file %1 blocks git (commits, merges); no process on this machine has it open, so a "
                   "process that died left it. If no git command is running, remove it: rm '%1'")
                .arg(path));
    }
    if (Status recovered = recoverInterrupted(workspace->m_db,
                                              workspace->m_repo,
                                              workspace->m_parts->ledger,
                                              workspace->m_parts->decisions.teamRemote().isEmpty());
        !recovered) {
        return recovered.error();
    }
    // What runs that died (killed, crashed) left in TMPDIR: private checkouts, exports.
    QStringList problems;
    const QStringList removed = removeAbandonedScratchFolders(&problems);
    for (const QString &path : removed) {
        qCInfo(lcGit) << "removed the scratch folder of a run that died:" << path;
    }
    for (const QString &problem : std::as_const(problems)) {
        workspace->m_parts->decisions.warn(
            Tr::tr("A scratch folder left by a run that died could not be removed: %1").arg(problem));
    }
    return workspace;
}

namespace {
// The schema brought up to date; the versions before and after.
Result<std::pair<int, int>> migrateSchema(Database &db)
{
    Migrator migrator(db);
    auto before = migrator.currentVersion();
    if (!before) {
        return before.error();
    }
    auto migrated = migrator.migrate();
    if (!migrated) {
        return migrated.error();
    }
    return std::pair<int, int>(*before, *migrated);
}
} // namespace

Result<std::pair<int, int>> Workspace::initTeamDatabase(const DatabaseLocation &location)
{
    if (location.driver != DatabaseLocation::Driver::PostgreSQL) {
        return makeError(Tr::tr("%1 is not a PostgreSQL URL; a team shares a PostgreSQL database "
                                "(postgresql://USER@HOST:PORT/DB). An SQLite file serves one machine.")
                             .arg(location.displayName()),
                         ErrorKind::Invalid);
    }
    auto db = Database::open(location, Database::OpenMode::MustExist);
    if (!db) {
        return db.error();
    }
    return migrateSchema(*db);
}

Result<InitReport> Workspace::init(const WorkspaceOptions &options)
{
    auto repo = openRepository(options);
    if (!repo) {
        return repo.error();
    }
    InitReport report;
    report.configPath = configPathIn(repo->workDir());
    report.targetBranch = repo->headBranch().isEmpty() ? QStringLiteral("main") : repo->headBranch();
    if (QFileInfo::exists(report.configPath)) {
        auto existing = loadConfigFile(report.configPath, configChecks());
        if (!existing) {
            return existing.error();
        }
        report.testCommand = existing->tests.command;
        report.targetBranch = existing->workspace.targetBranch;
    } else {
        report.testCommand = guessTestCommand(repo->workDir());
        const QString text = defaultConfigText(report.targetBranch, report.testCommand);
        // Never ship a template that its own parser refuses.
        if (auto parsed = parseConfig(text.toUtf8(), report.configPath, configChecks()); !parsed) {
            return makeError(
                Tr::tr("Internal error: the default configuration does not parse: %1").arg(parsed.message()));
        }
        QSaveFile file(report.configPath);
        if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
            return makeError(Tr::tr("Cannot write %1: %2").arg(report.configPath, file.errorString()));
        }
        report.configWritten = true;
    }

    auto location = locationFor(options, *repo);
    if (!location) {
        return location.error();
    }
    if (location->driver == DatabaseLocation::Driver::SQLite) {
        const QString dir = QFileInfo(location->path).absolutePath();
        if (!QDir().mkpath(dir)) {
            return makeError(Tr::tr("Cannot create the state directory %1").arg(dir));
        }
    }
    report.database = location->displayName();
    auto db = Database::open(*location, Database::OpenMode::CreateIfMissing);
    if (!db) {
        return db.error();
    }
    auto versions = migrateSchema(*db);
    if (!versions) {
        return versions.error();
    }
    report.schemaVersion = versions->second;

    auto config = loadWorkspaceConfig(*repo, nullptr);
    if (!config) {
        return config.error();
    }
    Workspace workspace(std::make_unique<Parts>(std::move(*repo), std::move(*db), std::move(*config)));
    if (versions->first == 0) {
        Status recorded = workspace.m_db.writeTransaction([&]() -> Status {
            QJsonObject meta;
            meta.insert(QStringLiteral("schema_version"), report.schemaVersion);
            meta.insert(QStringLiteral("config_written"), report.configWritten);
            meta.insert(QStringLiteral("target_branch"), report.targetBranch);
            auto entry = workspace.m_parts->ledger.append(LedgerRecord{workspace.actor(),
                                                                       QStringLiteral("workspace_initialized"),
                                                                       QStringLiteral("workspace"),
                                                                       meta});
            if (!entry) {
                return entry.error();
            }
            return {};
        });
        if (!recorded) {
            return recorded.error();
        }
    }
    return report;
}

QString Workspace::workDir() const
{
    return m_repo.workDir();
}

QString Workspace::gitDir() const
{
    return m_repo.gitDir();
}

QString Workspace::stateDir() const
{
    return stateDirOf(m_repo);
}

QString Workspace::ledgerSegmentDir() const
{
    return QDir(stateDir()).filePath(QStringLiteral("ledger"));
}

QString Workspace::actor() const
{
    return m_parts->decisions.actor();
}

Result<WorkspaceStatus> Workspace::status()
{
    WorkspaceStatus status;
    status.workDir = workDir();
    status.gitDir = gitDir();
    status.headBranch = m_repo.headBranch();
    status.targetBranch = m_config.workspace.targetBranch;
    status.database = m_db.location().displayName();
    status.teamRemote = m_parts->decisions.teamRemote();
    status.configPath = m_config.sourcePath;
    status.configFromFile = m_config.fromFile;
    status.policySource = m_config.policySource;
    status.person = person();
    status.requiredApprovals = m_config.team.requiredApprovals;
    Migrator migrator(m_db);
    auto version = migrator.currentVersion();
    if (!version) {
        return version.error();
    }
    status.schemaVersion = *version;

    GoalRepository goals(m_db);
    auto counts = goals.countByState();
    if (!counts) {
        return counts.error();
    }
    for (GoalState state : allGoalStates()) {
        const int count = counts->value(state);
        status.goalsByState.append({toString(state), count});
        if (GoalStateMachine::isOpen(state)) {
            status.openGoals += count;
        }
    }
    auto awaiting = m_db.exec(Tr::tr("Counting modifications"),
                              QStringLiteral("SELECT COUNT(*) FROM modifications WHERE status = 'awaiting_approval'"));
    if (!awaiting) {
        return awaiting.error();
    }
    status.modificationsAwaitingReview = awaiting->next() ? awaiting->value(0).toInt() : 0;
    // A queued task of a plan that waits for approval is not in the queue: nothing runs it yet.
    auto tasks = m_db.exec(Tr::tr("Counting tasks"),
                           QStringLiteral("SELECT t.state, p.state = 'proposed', COUNT(*) FROM tasks t "
                                          "JOIN plans p ON p.id = t.plan_id WHERE t.state IN ('queued', 'running') "
                                          "GROUP BY t.state, p.state = 'proposed'"));
    if (!tasks) {
        return tasks.error();
    }
    while (tasks->next()) {
        const int count = tasks->value(2).toInt();
        if (tasks->value(0).toString() == u"running") {
            status.tasksRunning += count;
        } else if (tasks->value(1).toBool()) {
            status.tasksAwaitingPlanApproval += count;
        } else {
            status.tasksQueued += count;
        }
    }
    status.scheduler = status.tasksRunning > 0 ? QStringLiteral("running") : QStringLiteral("idle");
    auto head = ledger().head();
    if (!head) {
        return head.error();
    }
    status.ledgerEntries = head->seq;
    status.ledgerHead = head->hash;
    auto refusals = listProposals(m_db, true, 5);
    if (!refusals) {
        return refusals.error();
    }
    for (const ProposalDecision &decision : std::as_const(*refusals)) {
        status.recentRefusals.append({decision.proposalId, decision.draft.title, decision.check, decision.reason});
    }
    return status;
}

Ledger Workspace::ledger()
{
    return m_parts->ledger;
}

Result<LedgerVerification> Workspace::verifyLedger(const QString &anchorRemote)
{
    LedgerAnchors anchors;
    auto history = m_repo.ledgerCheckpointHistory();
    if (!history) {
        return history.error();
    }
    anchors.history = *history;
    anchors.repository = m_parts->decisions.checkpointKey();
    auto recorded = m_parts->ledger.recordedCheckpoint(anchors.repository);
    if (!recorded) {
        return recorded.error();
    }
    anchors.recorded = *recorded;
    auto report = m_parts->ledger.verify(anchors);
    if (!report || !report->intact || anchorRemote.isEmpty()) {
        return report;
    }
    auto anchor = readLedgerAnchor(m_repo, anchorRemote);
    if (!anchor) {
        return anchor.error();
    }
    if (!*anchor) {
        return makeError(Tr::tr("%1 has no refs/astra/ledger to compare with; `astra ledger anchor --push %1` pushes "
                                "one.")
                             .arg(anchorRemote),
                         ErrorKind::NotFound);
    }
    report->anchor = **anchor;
    const bool contained =
        std::any_of(history->cbegin(), history->cend(), [&anchor](const LedgerCheckpoint &checkpoint) {
            return checkpoint.commit == **anchor;
        });
    if (!contained) {
        report->intact = false;
        report->firstBadSeq = history->isEmpty() ? 1 : history->constFirst().seq;
        report->problem = Tr::tr(
                              "the anchor pushed to %1 (commit %2) is not among the checkpoints of the local "
                              "refs/astra/ledger: the local ref was moved back or replaced after it was pushed")
                              .arg(anchorRemote, (*anchor)->left(12));
    }
    return report;
}

Result<LedgerCheckpoint> Workspace::anchorLedger(const QString &remote)
{
    auto checkpoint = m_parts->decisions.checkpoint();
    if (!checkpoint) {
        return checkpoint;
    }
    if (Status pushed = pushLedgerAnchor(m_repo, remote); !pushed) {
        return pushed.error();
    }
    return checkpoint;
}

Result<LedgerCheckpoint> Workspace::checkpointLedger()
{
    return m_parts->decisions.checkpoint();
}

Result<LedgerSegment> Workspace::archiveLedger(qint64 throughSeq)
{
    auto segment = m_parts->ledger.archive(throughSeq, actor());
    if (segment) {
        m_parts->decisions.checkpointAfterDecision();
    }
    return segment;
}

QStringList Workspace::takeWarnings()
{
    return m_parts->decisions.takeWarnings();
}

void Workspace::warn(const QString &warning)
{
    m_parts->decisions.warn(warning);
}

// The services, one line each.

Result<Goal> Workspace::addUserGoal(const QString &title, const QStringList &files, const QString &description)
{
    return m_goals.add(title, files, description);
}

Result<QList<Goal>> Workspace::goals(std::optional<GoalState> state)
{
    return m_goals.list(state);
}

Result<Goal> Workspace::goal(qint64 id)
{
    return m_goals.find(id);
}

Result<Goal> Workspace::applyGoalAction(qint64 id, GoalAction action, const QString &reason)
{
    return m_goals.apply(id, action, reason);
}

Result<Goal> Workspace::moveGoal(qint64 id, GoalState to, const QString &reason, const QString &who)
{
    return m_goals.move(id, to, reason, who);
}

Result<Modification> Workspace::createModification(qint64 goalId,
                                                   const ChangeSet &changes,
                                                   const QString &who,
                                                   std::optional<TaskClaim> claim,
                                                   const QString &baseCommit)
{
    return m_modifications.create(goalId, changes, who, claim, baseCommit);
}

Result<Modification> Workspace::proposePatch(const QByteArray &patch,
                                             std::optional<qint64> goalId,
                                             const QString &title,
                                             const QStringList &files)
{
    return m_modifications.proposePatch(patch, goalId, title, files);
}

Result<Modification> Workspace::proposeBranch(const QString &branch,
                                              std::optional<qint64> goalId,
                                              const QString &title,
                                              const QStringList &files)
{
    return m_modifications.proposeBranch(branch, goalId, title, files);
}

Result<QList<Modification>> Workspace::modifications(std::optional<ModificationStatus> status)
{
    return m_modifications.list(status);
}

Result<Modification> Workspace::modification(qint64 id)
{
    return m_modifications.find(id);
}

Result<QList<TestResultRecord>> Workspace::testResults(qint64 modificationId)
{
    return m_modifications.testResults(modificationId);
}

Result<Modification> Workspace::testModification(qint64 id, const QString &logFile)
{
    return m_modifications.test(id, logFile);
}

Result<Modification> Workspace::retestModification(qint64 id)
{
    return m_modifications.retest(id);
}

Result<QList<Modification>> Workspace::testPending(const std::function<void(const Modification &)> &starting)
{
    return m_modifications.testPending(starting);
}

Result<Modification> Workspace::approveModification(qint64 id, const QString &reason)
{
    return m_modifications.approve(id, reason);
}

Result<Modification> Workspace::rejectModification(qint64 id, const QString &reason)
{
    return m_modifications.reject(id, reason);
}

Result<Modification> Workspace::mergeModification(qint64 id)
{
    return m_modifications.merge(id);
}

Status Workspace::checkWorkerReady()
{
    const Config &config = m_config;
    const bool agentRuns =
        config.proposer.kind == ProposerSection::Kind::Agent || config.proposer.kind == ProposerSection::Kind::Command;
    const bool sandboxNeeded = config.tests.sandbox == TestsSection::Sandbox::Bwrap
        || (agentRuns && config.proposer.sandbox != TestsSection::Sandbox::None);
    if (!bubblewrapAvailable()) {
        if (sandboxNeeded) {
            return makeError(Tr::tr("This machine cannot run the sandbox agents and tests run in: bubblewrap (bwrap) "
                                    "is missing or does not work here. Install it (on Debian: apt install bubblewrap) "
                                    "and allow unprivileged user namespaces, then start the worker again. Nothing was "
                                    "claimed."),
                             ErrorKind::Refused);
        }
        if (config.tests.sandbox == TestsSection::Sandbox::Auto && !config.tests.command.isEmpty()) {
            warn(
                Tr::tr("bubblewrap does not work on this machine: this worker runs the tests without a sandbox "
                       "([tests] sandbox = \"auto\")."));
        }
    }
    auto target = m_repo.branchCommit(config.workspace.targetBranch);
    if (!target) {
        return makeError(Tr::tr("%1 has no branch %2, the target of .astra.toml: this is not the repository the team's "
                                "database serves, or it is not up to date. Give --repo the path of that repository on "
                                "this machine, or work in a clone of it that follows it (`git config astra.remote "
                                "origin`). Nothing was claimed.")
                             .arg(m_repo.workDir(), config.workspace.targetBranch),
                         ErrorKind::Refused);
    }
    auto open = m_modifications.list(std::nullopt);
    if (!open) {
        return open.error();
    }
    for (const Modification &modification : std::as_const(*open)) {
        if (modification.headCommit.isEmpty() || ModificationStateMachine::isFinished(modification.status)) {
            continue;
        }
        if (!m_repo.commitParents(modification.headCommit)) {
            return makeError(Tr::tr("Modification %1's commit %2 (branch %3) is not in %4: this is not the repository "
                                    "the team's database serves. Give --repo the path of that repository on this "
                                    "machine, or work in a clone of it that follows it (`git config astra.remote "
                                    "origin`). Nothing was claimed.")
                                 .arg(modification.id)
                                 .arg(modification.headCommit.left(12), modification.branch, m_repo.workDir()),
                             ErrorKind::Refused);
        }
    }
    return {};
}

Result<bool> Workspace::followTeamRepository()
{
    const QString remote = m_parts->decisions.teamRemote();
    if (remote.isEmpty()) {
        return false;
    }
    const QString target = m_config.workspace.targetBranch;
    const auto teamRefs = m_parts->decisions.holdTeamRefs();
    auto team = fetchTeamRefs(m_repo, remote, target);
    if (!team) {
        return makeError(Tr::tr("%1. Nothing was claimed. This clone follows the team's repository through the remote "
                                "named by `git config astra.remote` (%2); check that this machine reaches it (`git "
                                "fetch %2`).")
                             .arg(team.message(), remote),
                         team.error().kind);
    }
    auto local = m_repo.branchCommit(target);
    if (!local) {
        if (local.error().kind != ErrorKind::NotFound) {
            return local.error();
        }
        if (Status made = m_repo.createBranch(target, *team, QStringLiteral("astra: the team's %1").arg(target));
            !made) {
            return made.error();
        }
        return true;
    }
    if (*local == *team) {
        return false;
    }
    auto behind = m_repo.isAncestor(*local, *team);
    if (!behind) {
        return behind.error();
    }
    if (!*behind) {
        return makeError(Tr::tr("%1 in %2 is at %3, which is not part of the history of the team's %1 in %4 (at %5). "
                                "This clone follows the team's repository and only ever moves %1 forward to it. Keep "
                                "those commits on another branch (`git branch mine %1`), then `git reset --keep %5` "
                                "on %1 and start again. Nothing was changed or claimed.")
                             .arg(target, m_repo.workDir(), local->left(12), remote, team->left(12)),
                         ErrorKind::Refused);
    }
    if (Status moved = Merger(m_repo).fastForward(target, *local, *team); !moved) {
        return moved.error();
    }
    return true;
}

Result<Modification> Workspace::assignReviewers(qint64 id, const QStringList &people, bool assign)
{
    return m_modifications.assignReviewers(id, people, assign);
}

QString Workspace::person() const
{
    return m_parts->decisions.person();
}

Result<Modification> Workspace::rollbackModification(qint64 id, const QString &reason)
{
    return m_modifications.rollback(id, reason);
}

Result<RollbackImpact> Workspace::rollbackImpact(qint64 id)
{
    return m_modifications.rollbackImpact(id);
}

Result<TreeDiff> Workspace::modificationDiff(qint64 id, const TreeDiffOptions &options)
{
    return m_modifications.diff(id, options);
}

RevisionService &Workspace::revisions()
{
    return m_parts->revisions;
}

Result<QStringList> Workspace::prune(int days)
{
    return m_modifications.prune(days);
}

Result<QByteArray> Workspace::readFile(const QString &commit, const QByteArray &path)
{
    return m_repo.readFile(commit, path);
}

Result<QList<TaskRunRecord>> Workspace::runJobs(const QString &name)
{
    return m_jobs.run(name);
}

Result<QList<TaskRunRecord>> Workspace::jobRuns(const QString &name, const QString &since)
{
    return m_jobs.runs(name, since);
}

Result<QStringList> Workspace::dueJobs()
{
    return m_jobs.due();
}

Result<QList<ProposalDraft>> Workspace::detectProposals()
{
    return m_jobs.detectProposals();
}

Result<QList<ProposalDecision>> Workspace::detect()
{
    return m_jobs.detect();
}

Result<QList<ProposalDecision>> Workspace::proposals(bool refusedOnly, int limit)
{
    return m_jobs.proposals(refusedOnly, limit);
}

Result<ProposalDecision> Workspace::proposal(qint64 proposalId)
{
    return m_jobs.proposal(proposalId);
}

Result<PlanRecord> Workspace::planGoal(qint64 goalId)
{
    return m_plans.plan(goalId);
}

Result<PlanRecord> Workspace::approvePlan(qint64 goalId, const QString &reason, const QString &who)
{
    return m_plans.approve(goalId, reason, who);
}

Result<PlanRecord> Workspace::currentPlan(qint64 goalId)
{
    return m_plans.current(goalId);
}

Result<QList<PlanRecord>> Workspace::goalPlans(qint64 goalId)
{
    return m_plans.ofGoal(goalId);
}

Result<QList<TaskRecord>> Workspace::planTasks(qint64 planId)
{
    return m_plans.planTasks(planId);
}

Result<QList<TaskRecord>> Workspace::tasks(std::optional<TaskState> state)
{
    return m_plans.tasks(state);
}

Result<TaskRecord> Workspace::task(qint64 id)
{
    return m_plans.task(id);
}

Result<QList<TaskRunRecord>> Workspace::taskRuns(qint64 taskId)
{
    return m_plans.taskRuns(taskId);
}

Result<QList<TaskRunRecord>> Workspace::planRuns(qint64 planId)
{
    return m_plans.planRuns(planId);
}

Status Workspace::cancelTask(qint64 taskId)
{
    return m_plans.cancelTask(taskId);
}

} // namespace astra
