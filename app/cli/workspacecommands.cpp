#include "cli.h"
#include "store/databaselocation.h"
#include "workspace/demo.h"

#include <QCoreApplication>
#include <QJsonObject>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};
} // namespace

int runTeam(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (context.args.size() != 2 || context.args.constFirst() != u"init") {
        return context.usage(Tr::tr("team takes one command: team init postgresql://USER@HOST:PORT/DB"));
    }
    auto location = DatabaseLocation::parse(context.args.at(1));
    if (!location) {
        return context.fail(location.error());
    }
    auto versions = Workspace::initTeamDatabase(*location);
    if (!versions) {
        return context.fail(versions.error());
    }
    const QString url = location->shareableUrl();
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("database"), url);
        object.insert(QStringLiteral("schema_before"), versions->first);
        object.insert(QStringLiteral("schema_version"), versions->second);
        object.insert(QStringLiteral("member_command"), QStringLiteral("git config astra.database '%1'").arg(url));
        context.printJson(object);
        return Success;
    }
    context.out
        << (versions->first == versions->second
                ? Tr::tr("%1 is ready (schema %2, nothing to change).").arg(url).arg(versions->second)
                : Tr::tr("%1 is ready: schema %2 (it was at %3).").arg(url).arg(versions->second).arg(versions->first))
        << '\n';
    context.out << Tr::tr("Each member and each worker runs this once in their clone of the repository:") << '\n';
    context.out << QStringLiteral("    git config astra.database '%1'").arg(url) << '\n';
    if (!location->password.isEmpty()) {
        context.out << Tr::tr(
            "The password was left out of that line: keep it in ~/.pgpass (mode 600), which "
            "PostgreSQL reads, never in a shared line.")
                    << '\n';
    }
    context.out << Tr::tr(
        "Then `astra init` in one clone writes .astra.toml (commit it); [team] in it sets the "
        "approvals a merge needs. See docs/teams.md.")
                << '\n';
    return Success;
}

int runInit(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("init takes no arguments; use --repo PATH to name the repository."));
    }
    auto report = Workspace::init(context.workspace);
    if (!report) {
        return context.fail(report.error());
    }
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("config"), report->configPath);
        object.insert(QStringLiteral("config_written"), report->configWritten);
        object.insert(QStringLiteral("test_command"), report->testCommand);
        object.insert(QStringLiteral("target_branch"), report->targetBranch);
        object.insert(QStringLiteral("database"), report->database);
        object.insert(QStringLiteral("schema_version"), report->schemaVersion);
        context.printJson(object);
        return Success;
    }
    if (report->configWritten) {
        context.out << Tr::tr("Wrote %1").arg(report->configPath) << '\n';
        context.out << (report->testCommand.isEmpty()
                            ? Tr::tr("  no test command found: set [tests] command before running modifications")
                            : Tr::tr("  tests: %1").arg(report->testCommand))
                    << '\n';
    } else {
        context.out << Tr::tr("Kept %1").arg(report->configPath) << '\n';
    }
    context.out << Tr::tr("State: %1 (schema version %2)").arg(report->database).arg(report->schemaVersion) << '\n';
    return Success;
}

int runStatus(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("status takes no arguments."));
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    context.printWarnings(*workspace); // what opening it found (stale locks, scratch folders)
    auto status = workspace->status();
    if (!status) {
        return context.fail(status.error());
    }
    if (context.json) {
        context.printJson(status->toJson());
        return Success;
    }
    QTextStream &out = context.out;
    out << Tr::tr("Workspace %1 (branch %2, target %3)")
               .arg(status->workDir,
                    status->headBranch.isEmpty() ? Tr::tr("detached") : status->headBranch,
                    status->targetBranch)
        << '\n';
    out << Tr::tr("State     %1 (schema version %2)").arg(status->database).arg(status->schemaVersion) << '\n';
    if (!status->teamRemote.isEmpty()) {
        out << Tr::tr("Team      follows the team's repository through the remote %1 (git config astra.remote)")
                   .arg(status->teamRemote)
            << '\n';
    }
    out << Tr::tr("Config    %1").arg(status->configFromFile ? status->configPath : Tr::tr("defaults (no .astra.toml)"))
        << '\n';
    if (!status->policySource.isEmpty()) {
        out << Tr::tr("Policy    %1 (committed; the one in force)").arg(status->policySource) << '\n';
    }
    out << Tr::tr("Goals") << '\n';
    for (const auto &entry : std::as_const(status->goalsByState)) {
        out << QStringLiteral("  %1 %2").arg(entry.first, -16).arg(entry.second) << '\n';
    }
    out << Tr::tr("Modifications awaiting review: %1").arg(status->modificationsAwaitingReview) << '\n';
    out << Tr::tr("Scheduler: %1 (%2 queued, %3 running)")
               .arg(status->scheduler)
               .arg(status->tasksQueued)
               .arg(status->tasksRunning);
    if (status->tasksAwaitingPlanApproval > 0) {
        out << Tr::tr("; %n task(s) wait for their plan's approval", nullptr, status->tasksAwaitingPlanApproval);
    }
    out << '\n';
    out << Tr::tr("Ledger: %1 entries").arg(status->ledgerEntries) << '\n';
    return Success;
}

int runDemo(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (context.args.size() != 1) {
        return context.usage(Tr::tr("demo needs exactly one argument: the folder to create the demo workspace in."));
    }
    auto report = createDemoWorkspace(context.args.constFirst());
    if (!report) {
        return context.fail(report.error());
    }
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("work_dir"), report->workDir);
        object.insert(QStringLiteral("goals"), report->goals);
        object.insert(QStringLiteral("commits"), report->commits);
        object.insert(QStringLiteral("modifications"), report->modifications);
        object.insert(QStringLiteral("job_runs"), report->jobRuns);
        object.insert(QStringLiteral("proposals"), report->proposals);
        context.printJson(object);
        return Success;
    }
    context.out << Tr::tr(
                       "Created the demo workspace in %1: %2 commits, %3 job runs, %4 proposals, %5 goals, "
                       "%6 modifications.")
                       .arg(report->workDir)
                       .arg(report->commits)
                       .arg(report->jobRuns)
                       .arg(report->proposals)
                       .arg(report->goals)
                       .arg(report->modifications)
                << '\n'
                << Tr::tr("Open it with: astra-review --repo %1").arg(report->workDir) << '\n';
    return Success;
}

} // namespace astra::cli
