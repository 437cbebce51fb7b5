#include "workspace/workspace.h"

#include "base/logging.h"
#include "config/configtemplate.h"
#include "git/gitrepository.h"
#include "goals/generator.h"
#include "store/database.h"
#include "store/databaselocation.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/migrator.h"
#include "store/transitions.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QSaveFile>

#include <pwd.h>
#include <unistd.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

QString osUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *entry = getpwuid(geteuid()); entry && entry->pw_name) {
            user = QString::fromLocal8Bit(entry->pw_name);
        }
    }
    return user.isEmpty() ? QStringLiteral("uid-%1").arg(geteuid()) : user;
}

} // namespace

ConfigChecks configChecks()
{
    return ConfigChecks{isValidBranchName};
}

namespace {

QString configPathIn(const QString &workDir)
{
    return QDir(workDir).filePath(QStringLiteral(".astra.toml"));
}

Result<Config> loadWorkspaceConfig(const QString &workDir)
{
    const QString path = configPathIn(workDir);
    if (!QFileInfo::exists(path)) {
        Config config = defaultConfig();
        config.sourcePath = path;
        return config;
    }
    return loadConfigFile(path, configChecks());
}
} // namespace

QJsonObject WorkspaceStatus::toJson() const
{
    QJsonObject goals;
    for (const auto &entry : goalsByState) {
        goals.insert(entry.first, entry.second);
    }
    QJsonObject object;
    object.insert(QStringLiteral("work_dir"), workDir);
    object.insert(QStringLiteral("git_dir"), gitDir);
    object.insert(QStringLiteral("head_branch"), headBranch);
    object.insert(QStringLiteral("target_branch"), targetBranch);
    object.insert(QStringLiteral("database"), database);
    object.insert(QStringLiteral("config"), configFromFile ? configPath : QString());
    object.insert(QStringLiteral("schema_version"), schemaVersion);
    object.insert(QStringLiteral("goals"), goals);
    object.insert(QStringLiteral("open_goals"), openGoals);
    object.insert(QStringLiteral("modifications_awaiting_review"), modificationsAwaitingReview);
    QJsonObject scheduling;
    scheduling.insert(QStringLiteral("state"), scheduler);
    scheduling.insert(QStringLiteral("tasks_queued"), tasksQueued);
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

struct Workspace::Parts
{
    GitRepository repo;
    Database db;
};

Workspace::Workspace(std::unique_ptr<Parts> parts, Config config)
    : m_parts(std::move(parts))
    , m_repo(m_parts->repo)
    , m_db(m_parts->db)
    , m_config(std::move(config))
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
    return DatabaseLocation::sqliteFile(QDir(repo.commonDir()).filePath(QStringLiteral("astra/state.db")));
}

Result<std::unique_ptr<Workspace>> Workspace::open(const WorkspaceOptions &options)
{
    auto repo = openRepository(options);
    if (!repo) {
        return repo.error();
    }
    auto config = loadWorkspaceConfig(repo->workDir());
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
        new Workspace(std::make_unique<Parts>(Parts{std::move(*repo), std::move(*db)}), std::move(*config)));
    if (!options.recover) {
        return workspace;
    }
    if (Status recovered = workspace->recoverInterrupted(); !recovered) {
        return recovered.error();
    }
    return workspace;
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
    Migrator migrator(*db);
    auto before = migrator.currentVersion();
    if (!before) {
        return before.error();
    }
    auto migrated = migrator.migrate();
    if (!migrated) {
        return migrated.error();
    }
    report.schemaVersion = *migrated;

    auto config = loadWorkspaceConfig(repo->workDir());
    if (!config) {
        return config.error();
    }
    Workspace workspace(std::make_unique<Parts>(Parts{std::move(*repo), std::move(*db)}), std::move(*config));
    if (*before == 0) {
        Status recorded = workspace.m_db.writeTransaction([&]() -> Status {
            QJsonObject meta;
            meta.insert(QStringLiteral("schema_version"), report.schemaVersion);
            meta.insert(QStringLiteral("config_written"), report.configWritten);
            meta.insert(QStringLiteral("target_branch"), report.targetBranch);
            auto entry = workspace.ledger().append(LedgerRecord{workspace.actor(),
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
    return QDir(m_repo.commonDir()).filePath(QStringLiteral("astra"));
}

QString Workspace::ledgerSegmentDir() const
{
    return QDir(stateDir()).filePath(QStringLiteral("ledger"));
}

QString Workspace::actor() const
{
    const GitIdentity identity = m_repo.identity();
    QString actor = osUser();
    if (!identity.name.isEmpty() || !identity.email.isEmpty()) {
        actor += QStringLiteral(" (%1 <%2>)").arg(identity.name, identity.email);
    }
    return actor;
}

Result<WorkspaceStatus> Workspace::status()
{
    WorkspaceStatus status;
    status.workDir = workDir();
    status.gitDir = gitDir();
    status.headBranch = m_repo.headBranch();
    status.targetBranch = m_config.workspace.targetBranch;
    status.database = m_db.location().displayName();
    status.configPath = m_config.sourcePath;
    status.configFromFile = m_config.fromFile;
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
    auto tasks = m_db.exec(Tr::tr("Counting tasks"),
                           QStringLiteral("SELECT state, COUNT(*) FROM tasks WHERE state IN ('queued', 'running') "
                                          "GROUP BY state"));
    if (!tasks) {
        return tasks.error();
    }
    while (tasks->next()) {
        if (tasks->value(0).toString() == u"queued") {
            status.tasksQueued = tasks->value(1).toInt();
        } else {
            status.tasksRunning = tasks->value(1).toInt();
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

Result<Goal> Workspace::addUserGoal(const QString &title, const QStringList &files, const QString &description)
{
    const QString trimmed = title.trimmed();
    if (trimmed.isEmpty()) {
        return makeError(Tr::tr("A goal needs a title: `astra goal add \"what should change\" [--files PATH...]`."),
                         ErrorKind::Invalid);
    }
    QJsonArray fileArray;
    for (const QString &file : files) {
        if (file.isEmpty() || QDir::isAbsolutePath(file) || file.startsWith(u"../") || file == u"..") {
            return makeError(Tr::tr("--files %1: a goal's files are paths relative to the repository root, inside it "
                                    "(e.g. src/parser.cpp).")
                                 .arg(file),
                             ErrorKind::Invalid);
        }
        fileArray.append(file);
    }
    Goal goal;
    goal.kind = QStringLiteral("user-request");
    goal.title = trimmed;
    goal.description = description;
    goal.source = GoalSource::User;
    goal.createdBy = actor();
    goal.confidence = 1.0;
    goal.state = GoalState::Proposed;
    goal.fingerprint = goalFingerprint(goal.kind, goal.title, files);
    goal.evidence.insert(QStringLiteral("files"), fileArray);

    auto created = m_db.writeTransaction([&]() -> Result<Goal> {
        auto created = GoalRepository(m_db).insert(goal);
        if (!created) {
            return created.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("title"), created->title);
        meta.insert(QStringLiteral("kind"), created->kind);
        meta.insert(QStringLiteral("state"), toString(created->state));
        meta.insert(QStringLiteral("files"), fileArray);
        auto entry = ledger().append(LedgerRecord{created->createdBy,
                                                  QStringLiteral("goal_created"),
                                                  QStringLiteral("goal:%1").arg(created->id),
                                                  meta});
        if (!entry) {
            return entry.error();
        }
        return created;
    });
    if (!created) {
        return created.error();
    }
    checkpointAfterDecision();
    return created;
}

Result<QList<Goal>> Workspace::goals(std::optional<GoalState> state)
{
    return GoalRepository(m_db).list(state);
}

Result<Goal> Workspace::goal(qint64 id)
{
    return GoalRepository(m_db).find(id);
}

Result<Goal> Workspace::applyGoalAction(qint64 id, GoalAction action, const QString &reason)
{
    auto moved = moveGoal(id, targetState(action), reason, actor());
    if (moved) {
        checkpointAfterDecision();
    }
    return moved;
}

Result<Goal> Workspace::moveGoal(qint64 id, GoalState to, const QString &reason, const QString &who)
{
    Ledger ledger = this->ledger();
    return m_db.writeTransaction([&]() -> Result<Goal> {
        auto current = GoalRepository(m_db).find(id);
        if (!current) {
            return current.error();
        }
        return Transitions(m_db, ledger).goal(*current, to, TransitionCause{who, reason, {}});
    });
}

Ledger Workspace::ledger()
{
    return Ledger(m_db, ledgerSegmentDir());
}

Result<LedgerVerification> Workspace::verifyLedger()
{
    auto checkpoint = m_repo.ledgerCheckpoint();
    if (!checkpoint) {
        return checkpoint.error();
    }
    return ledger().verify(*checkpoint);
}

Result<LedgerCheckpoint> Workspace::checkpointLedger()
{
    auto head = ledger().head();
    if (!head) {
        return head.error();
    }
    if (head->seq == 0) {
        return makeError(Tr::tr("The ledger is empty; there is nothing to checkpoint yet."), ErrorKind::Invalid);
    }
    return m_repo.writeLedgerCheckpoint(head->seq, head->hash);
}

Result<LedgerSegment> Workspace::archiveLedger(qint64 throughSeq)
{
    auto segment = ledger().archive(throughSeq, actor());
    if (segment) {
        checkpointAfterDecision();
    }
    return segment;
}

void Workspace::checkpointAfterDecision()
{
    auto checkpoint = checkpointLedger();
    if (!checkpoint) {
        m_warnings.append(Tr::tr("The change was recorded, but the ledger checkpoint refs/astra/ledger could not be "
                                 "updated: %1")
                              .arg(checkpoint.message()));
    }
}

QStringList Workspace::takeWarnings()
{
    return std::exchange(m_warnings, {});
}

} // namespace astra
