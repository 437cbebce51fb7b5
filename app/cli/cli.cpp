#include "cli.h"

#include "workspace/version.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

QString helpText()
{
    return Tr::tr(
        "Usage: astra [--repo PATH] [--db URL] [--json] COMMAND [ARGS]\n"
        "\n"
        "Review and control the changes an agent proposes to a git repository.\n"
        "\n"
        "Commands:\n"
        "  init                          write .astra.toml (if absent) and create the state\n"
        "  status                        goals per state, modifications awaiting review, scheduler\n"
        "  goals [--state S]             list goals\n"
        "  team init postgresql://USER@HOST:PORT/DB\n"
        "                                make a team's shared database ready and print the line each\n"
        "                                member and worker puts in their clone's git configuration\n"
        "  goal add TEXT [--files P...]  add a goal of your own\n"
        "  goal show ID                  show one goal\n"
        "  goal approve|reject|abandon ID [--reason TEXT]\n"
        "                                decide on a goal; the reason is kept in the ledger\n"
        "  plan GOAL                     plan the goal and print the decomposition tree\n"
        "  plan show GOAL [--plan ID] [--symbolic]\n"
        "                                the goal's current (or an earlier) plan in words, with its tasks;\n"
        "                                --symbolic in the planner's symbols\n"
        "  plan history GOAL             every plan the goal has had\n"
        "  plan compare GOAL [OLDER NEWER]\n"
        "                                which ways changed between two plans, and why\n"
        "  plan export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]\n"
        "                                the decomposition as a picture (SVG) or a Graphviz graph (- for\n"
        "                                standard output)\n"
        "  plan approve GOAL [--reason TEXT]\n"
        "                                approve the plan; nothing runs before that\n"
        "  run [--goal ID]               run approved plans until their modifications await review,\n"
        "                                then test modifications imported with propose\n"
        "  jobs list                     the jobs of .astra.toml, their last outcome, whether due\n"
        "  jobs run [NAME]               run the jobs (or one) now; each run is recorded\n"
        "  detect                        run the detectors; print each proposal's decision and why\n"
        "  proposals [--refused] [--limit N]\n"
        "                                the generator's decisions so far, newest first, with why\n"
        "  cycle                         due jobs, detection, planning, execution, up to review\n"
        "  worker [--poll S] [--once]    run cycles until stopped (SIGTERM): due jobs, detection every\n"
        "                                [generator] interval, approved plans\n"
        "  tasks [--state S]             list tasks\n"
        "  task show|cancel ID           show a task with its runs, or stop it\n"
        "  propose --patch FILE | --branch NAME [--goal ID] [--title TEXT] [--files PATH...]\n"
        "                                import an agent's change as a modification; its scope is\n"
        "                                the files named, else its goal's\n"
        "  mods [--state S] [--assigned-to-me]\n"
        "                                list modifications (those you are asked to review)\n"
        "  mod show|approve|reject|merge|rollback ID [--reason TEXT]\n"
        "                                show a modification or decide on it; merge needs the approvals\n"
        "                                [team] required_approvals asks for\n"
        "  mod assign|unassign ID PERSON...\n"
        "                                ask people (e-mail address or user) to review it, or stop asking\n"
        "  mod retest ID                 test again on the target's head as it is now; back to review\n"
        "  mod revisions ID              its revisions: commit, origin, author, tests\n"
        "  mod diff ID [--since REV|last] [--revision REV]\n"
        "                                the change with numbered hunks, or what changed between revisions\n"
        "  mod accept-hunk|reject-hunk|clear-hunk ID FILE [HUNK]\n"
        "                                decide on a hunk (or the whole file) of the current revision\n"
        "  mod decisions ID              the decisions on the current revision\n"
        "  mod apply-decisions ID        a new revision without the rejected hunks, tested\n"
        "  mod restore-hunks ID [KEY...] a new revision with the left-out hunks (or those named) back\n"
        "  mod comment ID [--file F [--line L] [--side old]] TEXT\n"
        "                                comment on a line, a file or the whole change\n"
        "  mod comments ID               the comments, where they are and whether resolved\n"
        "  mod resolve|reopen COMMENT    mark a comment resolved, or open again\n"
        "  mod request-changes ID        send the open comments and rejected hunks to the agent; its\n"
        "                                answer becomes the next revision, tested\n"
        "  mod update ID                 replay the change onto the target's head as a new revision\n"
        "  prune [--older-than DAYS]     delete the branches of finished modifications\n"
        "  ledger verify [--anchor REMOTE]\n"
        "                                recompute the audit chain; compare it with every checkpoint in\n"
        "                                refs/astra/ledger (and with the anchor pushed to REMOTE)\n"
        "  ledger show [--limit N]       print the ledger entries still in the table\n"
        "  ledger export FILE            write every entry as JSON lines\n"
        "  ledger archive --through SEQ  move old entries to a JSONL segment; the chain continues\n"
        "  ledger checkpoint             record the ledger head in refs/astra/ledger\n"
        "  ledger anchor --push REMOTE   checkpoint and push refs/astra/ledger to REMOTE (fast-forward only)\n"
        "  hddl check DOMAIN [PROBLEM]   read HDDL files; errors name the file, line and column\n"
        "  hddl solve DOMAIN PROBLEM [--timeout S]\n"
        "                                plan, printing the plan in the IPC HTN track format\n"
        "  demo DIR                      create the demo workspace in DIR\n"
        "\n"
        "Options:\n"
        "  --repo PATH   the repository (default: the one around the current directory)\n"
        "  --db URL      the state: a file, sqlite:///PATH or postgresql://USER@HOST:PORT/DB\n"
        "                (default: <git dir>/astra/state.db)\n"
        "  --json        print one JSON document\n"
        "  --version     print the versions of astra, Qt and libgit2\n"
        "\n"
        "Exit status: 0 success, 1 the operation failed or was refused, 2 usage error.\n");
}
} // namespace

int Context::usage(const QString &message) const
{
    err << QStringLiteral("astra: ") << message << '\n' << Tr::tr("Run `astra --help` for usage.") << '\n';
    err.flush();
    return Usage;
}

int Context::fail(const Error &error) const
{
    return fail(error.message);
}

int Context::fail(const QString &message) const
{
    err << QStringLiteral("astra: ") << message << '\n';
    err.flush();
    return Failed;
}

void Context::printJson(const QJsonValue &value) const
{
    QJsonDocument document;
    if (value.isArray()) {
        document.setArray(value.toArray());
    } else {
        document.setObject(value.toObject());
    }
    out << QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    out.flush();
}

void Context::printWarnings(Workspace &workspace) const
{
    for (const QString &warning : workspace.takeWarnings()) {
        err << Tr::tr("astra: warning: ") << warning << '\n';
    }
    err.flush();
}

std::unique_ptr<Workspace> Context::openWorkspace(int *exitCode) const
{
    auto workspace = Workspace::open(this->workspace);
    if (!workspace) {
        *exitCode = fail(workspace.error());
        return nullptr;
    }
    return std::move(*workspace);
}

bool Context::onlyOptions(const QStringList &allowed, int *exitCode) const
{
    static const QStringList commandOptions = {QStringLiteral("state"),
                                               QStringLiteral("patch"),
                                               QStringLiteral("branch"),
                                               QStringLiteral("goal"),
                                               QStringLiteral("title"),
                                               QStringLiteral("older-than"),
                                               QStringLiteral("timeout"),
                                               QStringLiteral("files"),
                                               QStringLiteral("reason"),
                                               QStringLiteral("through"),
                                               QStringLiteral("limit"),
                                               QStringLiteral("anchor"),
                                               QStringLiteral("push")};
    for (const QString &option : commandOptions) {
        if (parser.isSet(option) && !allowed.contains(option)) {
            *exitCode = usage(Tr::tr("--%1 does not apply to this command.").arg(option));
            return false;
        }
    }
    return true;
}

bool Context::parseId(const QString &text, const QString &what, qint64 *id, int *exitCode) const
{
    bool ok = false;
    *id = text.toLongLong(&ok);
    if (!ok || *id <= 0) {
        *exitCode = usage(Tr::tr("%1 must be a positive number, got '%2'.").arg(what, text));
        return false;
    }
    return true;
}

Result<QByteArray> readInput(QIODevice &device, const QString &name)
{
    QByteArray content;
    QByteArray buffer(1024 * 1024, Qt::Uninitialized);
    for (;;) {
        const qint64 room = maxInputBytes + 1 - content.size();
        const qint64 n = device.read(buffer.data(), qMin<qint64>(buffer.size(), room));
        if (n < 0) {
            return makeError(Tr::tr("%1: cannot read it (%2).").arg(name, device.errorString()));
        }
        if (n == 0) {
            break; // the end (a file, or a pipe whose writer closed it)
        }
        content.append(buffer.constData(), n);
        if (content.size() > maxInputBytes) {
            return makeError(Tr::tr("%1 is larger than %2 MiB, the most a command reads; nothing was done with it.")
                                 .arg(name)
                                 .arg(maxInputBytes / (1024 * 1024)),
                             ErrorKind::Invalid);
        }
    }
    return content;
}

int run(const QStringList &arguments, QTextStream &out, QTextStream &err)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(Tr::tr("Astra Review command line"));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, Tr::tr("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), Tr::tr("Print the versions."));
    parser.addOption(help);
    parser.addOption(version);
    parser.addOption({QStringLiteral("repo"), Tr::tr("The repository."), Tr::tr("PATH")});
    parser.addOption({QStringLiteral("db"), Tr::tr("The state database URL."), Tr::tr("URL")});
    parser.addOption({QStringLiteral("json"), Tr::tr("Print one JSON document.")});
    parser.addOption({QStringLiteral("state"), Tr::tr("Only goals in this state."), Tr::tr("STATE")});
    parser.addOption({QStringLiteral("files"), Tr::tr("The arguments after the title are files.")});
    parser.addOption({QStringLiteral("reason"), Tr::tr("Why."), Tr::tr("TEXT")});
    parser.addOption({QStringLiteral("plan"), Tr::tr("This plan of the goal."), Tr::tr("ID")});
    parser.addOption({QStringLiteral("symbolic"), Tr::tr("In the planner's symbols.")});
    parser.addOption({QStringLiteral("svg"), Tr::tr("Write the picture as SVG."), Tr::tr("FILE")});
    parser.addOption({QStringLiteral("dot"), Tr::tr("Write the graph in Graphviz's DOT."), Tr::tr("FILE")});
    parser.addOption({QStringLiteral("through"), Tr::tr("Archive up to this entry."), Tr::tr("SEQ")});
    parser.addOption({QStringLiteral("limit"), Tr::tr("Print at most N entries."), Tr::tr("N")});
    parser.addOption(
        {QStringLiteral("anchor"), Tr::tr("Also compare with the anchor on this remote."), Tr::tr("REMOTE")});
    parser.addOption({QStringLiteral("push"), Tr::tr("The remote to push the ledger anchor to."), Tr::tr("REMOTE")});
    parser.addOption({QStringLiteral("patch"), Tr::tr("A unified diff to import."), Tr::tr("FILE")});
    parser.addOption({QStringLiteral("branch"), Tr::tr("A branch to import."), Tr::tr("NAME")});
    parser.addOption({QStringLiteral("goal"), Tr::tr("The goal the change belongs to."), Tr::tr("ID")});
    parser.addOption({QStringLiteral("title"), Tr::tr("A title for the change."), Tr::tr("TEXT")});
    parser.addOption({QStringLiteral("timeout"), Tr::tr("Stop the planner after S seconds."), Tr::tr("S")});
    parser.addOption({QStringLiteral("refused"), Tr::tr("Only the refused proposals.")});
    parser.addOption({QStringLiteral("assigned-to-me"), Tr::tr("Only what you are asked to review.")});
    parser.addOption({QStringLiteral("once"), Tr::tr("Run one turn and stop.")});
    parser.addOption({QStringLiteral("poll"), Tr::tr("Seconds between turns."), Tr::tr("S")});
    parser.addOption({QStringLiteral("older-than"), Tr::tr("Only what finished more than DAYS ago."), Tr::tr("DAYS")});
    parser.addOption({QStringLiteral("since"), Tr::tr("Changes since this revision."), Tr::tr("REV")});
    parser.addOption({QStringLiteral("revision"), Tr::tr("This revision."), Tr::tr("REV")});
    parser.addOption({QStringLiteral("file"), Tr::tr("The file a comment is on."), Tr::tr("PATH")});
    parser.addOption({QStringLiteral("line"), Tr::tr("The line a comment is on."), Tr::tr("N")});
    parser.addOption({QStringLiteral("side"), Tr::tr("new (the revision) or old (its base)."), Tr::tr("SIDE")});

    Context context{parser, {}, out, err, false, {}};
    // "-1" would be read as an option named "1": say what is wrong with it instead.
    static const QRegularExpression negativeNumber(QStringLiteral("^-[0-9]+$"));
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments.at(i) == u"--") {
            break;
        }
        const bool optionValue = arguments.at(i - 1).startsWith(u'-') && !arguments.at(i - 1).contains(u'=');
        if (!optionValue && negativeNumber.match(arguments.at(i)).hasMatch()) {
            return context.usage(Tr::tr("ids and counts are positive numbers, got '%1'.").arg(arguments.at(i)));
        }
    }
    if (!parser.parse(arguments)) {
        return context.usage(parser.errorText());
    }
    if (parser.isSet(help)) {
        out << helpText();
        return Success;
    }
    if (parser.isSet(version)) {
        out << versionReport(QStringLiteral("astra"));
        return Success;
    }
    QStringList positional = parser.positionalArguments();
    if (positional.isEmpty()) {
        err << helpText();
        return Usage;
    }
    context.json = parser.isSet(QStringLiteral("json"));
    context.workspace.repoPath = parser.value(QStringLiteral("repo"));
    context.workspace.dbUrl = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("db")) && context.workspace.dbUrl.trimmed().isEmpty()) {
        return context.usage(
            Tr::tr("--db needs a URL: a file path, sqlite:///PATH or postgresql://USER@HOST:PORT/DB."));
    }
    const QString command = positional.takeFirst();
    context.args = positional;

    if (command == u"init") {
        return runInit(context);
    }
    if (command == u"team") {
        return runTeam(context);
    }
    if (command == u"status") {
        return runStatus(context);
    }
    if (command == u"goals") {
        return runGoals(context);
    }
    if (command == u"goal") {
        return runGoal(context);
    }
    if (command == u"ledger") {
        return runLedger(context);
    }
    if (command == u"propose") {
        return runPropose(context);
    }
    if (command == u"mods") {
        return runMods(context);
    }
    if (command == u"mod") {
        return runMod(context);
    }
    if (command == u"run") {
        return runRun(context);
    }
    if (command == u"prune") {
        return runPrune(context);
    }
    if (command == u"plan") {
        return runPlan(context);
    }
    if (command == u"worker") {
        return runWorker(context);
    }
    if (command == u"cycle") {
        return runCycleCommand(context);
    }
    if (command == u"detect") {
        return runDetect(context);
    }
    if (command == u"proposals") {
        return runProposals(context);
    }
    if (command == u"jobs") {
        return runJobs(context);
    }
    if (command == u"tasks") {
        return runTasks(context);
    }
    if (command == u"task") {
        return runTask(context);
    }
    if (command == u"hddl") {
        return runHddl(context);
    }
    if (command == u"demo") {
        return runDemo(context);
    }
    if (command == u"help") {
        out << helpText();
        return Success;
    }
    return context.usage(Tr::tr("'%1' is not an astra command.").arg(command));
}

} // namespace astra::cli
