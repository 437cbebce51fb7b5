#include "cli.h"
#include "workspace/decisions.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

// Who named a file of a modification's scope.
QString scopeSourceText(const QString &source)
{
    if (source == u"goal") {
        return Tr::tr("goal");
    }
    if (source == u"plan") {
        return Tr::tr("read by the plan");
    }
    if (source == u"import") {
        return Tr::tr("--files");
    }
    if (source == u"comment") {
        return Tr::tr("review comment");
    }
    return source;
}

QString statusNames()
{
    QStringList names;
    for (ModificationStatus status : allModificationStatuses()) {
        names.append(toString(status));
    }
    return names.join(QStringLiteral(", "));
}

// Each revision: its number, commit, where it came from, and the latest test run on its commit.
void printRevisions(QTextStream &out, const Modification &m, const QList<TestResultRecord> &tests)
{
    for (const Revision &revision : m.revisions) {
        QString tested = Tr::tr("not tested");
        for (const TestResultRecord &test : tests) {
            if (test.commitId == revision.commit) {
                tested = Tr::tr("tests %1 (%2 passed, %3 failed)").arg(test.outcome).arg(test.passed).arg(test.failed);
            }
        }
        out << Tr::tr("  revision %1 %2  %3 by %4, %5; %6%7")
                   .arg(revision.number)
                   .arg(revision.commit.left(12), revision.origin, revision.createdBy, revision.createdAt, tested)
                   .arg(revision.commit == m.headCommit ? Tr::tr("  (current)") : QString())
            << '\n';
    }
}

// What the change was asked to touch, and what it touched beyond that.
void printScope(QTextStream &out, const Modification &m)
{
    const ModificationScope &scope = m.scope;
    switch (scope.state) {
    case ModificationScope::State::NotRecorded:
        out << Tr::tr("  scope    not recorded (made before scopes were kept)") << '\n';
        return;
    case ModificationScope::State::NoFiles:
        out << Tr::tr("  scope    none: goal %1 names no files, so nothing is beyond it").arg(m.goalId) << '\n';
        return;
    case ModificationScope::State::Unstated:
        out << Tr::tr("  scope    NO STATED SCOPE: imported without --files, for a goal that names no files") << '\n';
        return;
    case ModificationScope::State::Stated:
        break;
    }
    QStringList named;
    for (const ScopeEntry &entry : scope.entries) {
        named.append(QStringLiteral("%1 (%2)").arg(entry.path, scopeSourceText(entry.source)));
    }
    out << Tr::tr("  scope    %1").arg(named.join(QStringLiteral(", "))) << '\n';
    if (scope.beyondFiles.isEmpty()) {
        out << Tr::tr("  beyond   nothing: every changed file is in scope") << '\n';
        return;
    }
    out << Tr::tr("  BEYOND SCOPE: %1, %2")
               .arg(Tr::tr("%n file(s)", nullptr, int(scope.beyondFiles.size())),
                    Tr::tr("%n changed line(s)", nullptr, scope.beyondLines))
        << '\n';
    for (const ModificationFile &file : m.files) {
        if (scope.beyondFiles.contains(file.path)) {
            out << QStringLiteral("    %1  +%2 -%3").arg(file.path).arg(file.additions).arg(file.deletions) << '\n';
        }
    }
}

void printModification(QTextStream &out, const Modification &m, const QList<TestResultRecord> &tests)
{
    out << Tr::tr("Modification %1: %2").arg(m.id).arg(m.title) << '\n';
    out << Tr::tr("  status   %1").arg(toString(m.status)) << '\n';
    out << Tr::tr("  goal     %1").arg(m.goalId) << '\n';
    if (!m.approvers.isEmpty()) {
        QStringList names;
        for (const QString &approver : m.approvers) {
            names.append(personDisplayName(approver));
        }
        out << Tr::tr("  approved by %1").arg(names.join(QStringLiteral(", "))) << '\n';
    }
    if (!m.assignees.isEmpty()) {
        out << Tr::tr("  reviewers %1").arg(m.assignees.join(QStringLiteral(", "))) << '\n';
    }
    out << Tr::tr("  branch   %1 (%2) on %3 at %4")
               .arg(m.branch, m.headCommit.left(12), m.targetBranch, m.baseCommit.left(12))
        << '\n';
    if (!m.mergeCommit.isEmpty()) {
        out << Tr::tr("  merged   %1").arg(m.mergeCommit.left(12)) << '\n';
    }
    if (!m.revertCommit.isEmpty()) {
        out << Tr::tr("  reverted %1").arg(m.revertCommit.left(12)) << '\n';
    }
    if (!m.rationale.isEmpty()) {
        out << Tr::tr("  why      %1").arg(m.rationale) << '\n';
    }
    int additions = 0;
    int deletions = 0;
    for (const ModificationFile &file : m.files) {
        additions += file.additions;
        deletions += file.deletions;
    }
    out << Tr::tr("  files    %1 (+%2 -%3)").arg(m.files.size()).arg(additions).arg(deletions) << '\n';
    for (const ModificationFile &file : m.files) {
        out << QStringLiteral("    %1 %2%3  +%4 -%5%6")
                   .arg(file.change, -8)
                   .arg(file.oldPath.isEmpty() ? QString() : file.oldPath + QStringLiteral(" -> "), file.path)
                   .arg(file.additions)
                   .arg(file.deletions)
                   .arg(file.flags.isEmpty() ? QString() : QStringLiteral("  [%1]").arg(file.flags.join(u' ')))
            << '\n';
    }
    printScope(out, m);
    if (!m.flags.isEmpty()) {
        out << Tr::tr("  flags    %1").arg(m.flags.join(QStringLiteral(", "))) << '\n';
    }
    if (!m.conflictPaths.isEmpty()) {
        out << Tr::tr("  conflicts %1").arg(m.conflictPaths.join(QStringLiteral(", "))) << '\n';
    }
    printRevisions(out, m, tests);
    for (const TestResultRecord &test : tests) {
        out << Tr::tr("  tests    %1 on %2: %3 passed, %4 failed, %5 skipped (%6)")
                   .arg(test.outcome, test.commitId.left(12))
                   .arg(test.passed)
                   .arg(test.failed)
                   .arg(test.skipped)
                   .arg(test.sandbox)
            << '\n';
        if (!test.sandbox.isEmpty() && !test.sandboxed()) {
            out << Tr::tr("           UNSANDBOXED: ran without isolation (sandbox = \"none\" in [tests])") << '\n';
        }
    }
}

QJsonObject withTests(const Modification &m, const QList<TestResultRecord> &tests)
{
    QJsonObject object = m.toJson();
    QJsonArray array;
    for (const TestResultRecord &test : tests) {
        array.append(test.toJson());
    }
    object.insert(QStringLiteral("tests"), array);
    return object;
}
} // namespace

int runPropose(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("patch"),
                              QStringLiteral("branch"),
                              QStringLiteral("goal"),
                              QStringLiteral("title"),
                              QStringLiteral("files")},
                             &exitCode)) {
        return exitCode;
    }
    const bool patch = context.parser.isSet(QStringLiteral("patch"));
    const bool branch = context.parser.isSet(QStringLiteral("branch"));
    const bool named = context.parser.isSet(QStringLiteral("files"));
    if (patch == branch || (!context.args.isEmpty() && !named)) {
        return context.usage(
            Tr::tr("propose needs exactly one of --patch FILE or --branch NAME; the files the change "
                   "is meant to touch go after --files."));
    }
    if (named && context.args.isEmpty()) {
        return context.usage(Tr::tr("--files needs at least one path."));
    }
    const QStringList files = context.args;
    std::optional<qint64> goal;
    if (context.parser.isSet(QStringLiteral("goal"))) {
        qint64 id = 0;
        if (!context.parseId(context.parser.value(QStringLiteral("goal")), QStringLiteral("--goal"), &id, &exitCode)) {
            return exitCode;
        }
        goal = id;
    }
    QByteArray diff;
    if (patch) {
        const QString file = context.parser.value(QStringLiteral("patch"));
        QFile in(file);
        if (file == u"-" ? !in.open(stdin, QIODevice::ReadOnly) : !in.open(QIODevice::ReadOnly)) {
            return context.fail(Tr::tr("--patch %1: cannot read it (%2).").arg(file, in.errorString()));
        }
        auto read = readInput(in, QStringLiteral("--patch ") + file);
        if (!read) {
            return context.fail(read.error());
        }
        diff = std::move(*read);
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    const QString title = context.parser.value(QStringLiteral("title"));
    auto created = patch ? workspace->proposePatch(diff, goal, title, files)
                         : workspace->proposeBranch(context.parser.value(QStringLiteral("branch")), goal, title, files);
    context.printWarnings(*workspace);
    if (!created) {
        return context.fail(created.error());
    }
    if (context.json) {
        context.printJson(created->toJson());
    } else {
        context.out << Tr::tr("Modification %1 on %2: %n file(s), pending tests.", nullptr, int(created->files.size()))
                           .arg(created->id)
                           .arg(created->branch)
                    << '\n';
        if (!created->flags.isEmpty()) {
            context.out << Tr::tr("Flags for the reviewer: %1").arg(created->flags.join(QStringLiteral(", "))) << '\n';
        }
    }
    return Success;
}

int runMods(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("state"), QStringLiteral("assigned-to-me")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("mods takes no arguments; filter with --state STATE or --assigned-to-me."));
    }
    std::optional<ModificationStatus> status;
    if (context.parser.isSet(QStringLiteral("state"))) {
        const QString name = context.parser.value(QStringLiteral("state"));
        status = modificationStatusFromString(name);
        if (!status) {
            return context.usage(
                Tr::tr("--state %1: not a modification status; use one of %2.").arg(name, statusNames()));
        }
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto list = workspace->modifications(status);
    if (!list) {
        return context.fail(list.error());
    }
    if (context.parser.isSet(QStringLiteral("assigned-to-me"))) {
        const QString me = workspace->person();
        QList<Modification> mine;
        for (const Modification &m : std::as_const(*list)) {
            auto full = workspace->modification(m.id);
            if (!full) {
                return context.fail(full.error());
            }
            if (full->assignees.contains(me)) {
                mine.append(*full);
            }
        }
        *list = mine;
    }
    if (context.json) {
        QJsonArray array;
        for (const Modification &m : std::as_const(*list)) {
            array.append(m.toJson());
        }
        context.printJson(array);
        return Success;
    }
    if (list->isEmpty()) {
        context.out << Tr::tr("No modifications.") << '\n';
    }
    for (const Modification &m : std::as_const(*list)) {
        context.out << QStringLiteral("%1  %2  %3  %4").arg(m.id, 5).arg(toString(m.status), -17).arg(m.branch, m.title)
                    << '\n';
    }
    return Success;
}

int runMod(Context &context)
{
    int exitCode = Success;
    if (context.args.isEmpty()) {
        return context.usage(Tr::tr("mod needs a subcommand: show, retest, approve, reject, merge or rollback."));
    }
    const QString sub = context.args.takeFirst();
    const QStringList review = {QStringLiteral("diff"),
                                QStringLiteral("accept-hunk"),
                                QStringLiteral("reject-hunk"),
                                QStringLiteral("clear-hunk"),
                                QStringLiteral("decisions"),
                                QStringLiteral("apply-decisions"),
                                QStringLiteral("restore-hunks"),
                                QStringLiteral("comment"),
                                QStringLiteral("comments"),
                                QStringLiteral("resolve"),
                                QStringLiteral("reopen"),
                                QStringLiteral("request-changes"),
                                QStringLiteral("update")};
    if (review.contains(sub)) {
        return runModReview(context, sub);
    }
    if (sub == u"assign" || sub == u"unassign") {
        if (!context.onlyOptions({}, &exitCode)) {
            return exitCode;
        }
        if (context.args.size() < 2) {
            return context.usage(Tr::tr("mod %1 needs a modification id and at least one person (an e-mail address "
                                        "or a user name).")
                                     .arg(sub));
        }
        qint64 id = 0;
        if (!context.parseId(context.args.takeFirst(), Tr::tr("The modification id"), &id, &exitCode)) {
            return exitCode;
        }
        auto workspace = context.openWorkspace(&exitCode);
        if (!workspace) {
            return exitCode;
        }
        auto assigned = workspace->assignReviewers(id, context.args, sub == u"assign");
        if (!assigned) {
            return context.fail(assigned.error());
        }
        if (context.json) {
            context.printJson(assigned->toJson());
        } else {
            context.out << Tr::tr("Reviewers of modification %1: %2.")
                               .arg(id)
                               .arg(assigned->assignees.isEmpty() ? Tr::tr("nobody asked")
                                                                  : assigned->assignees.join(QStringLiteral(", ")))
                        << '\n';
        }
        return Success;
    }
    const QStringList known = {QStringLiteral("show"),
                               QStringLiteral("revisions"),
                               QStringLiteral("retest"),
                               QStringLiteral("approve"),
                               QStringLiteral("reject"),
                               QStringLiteral("merge"),
                               QStringLiteral("rollback")};
    if (!known.contains(sub)) {
        return context.usage(
            Tr::tr("'mod %1' is not a command; use show, revisions, retest, approve, reject, merge, rollback, diff, "
                   "accept-hunk, reject-hunk, clear-hunk, decisions, apply-decisions, restore-hunks, comment, "
                   "comments, resolve, reopen, request-changes or update.")
                .arg(sub));
    }
    const bool takesReason = sub == u"approve" || sub == u"reject" || sub == u"rollback";
    if (!context.onlyOptions(takesReason ? QStringList{QStringLiteral("reason")} : QStringList{}, &exitCode)) {
        return exitCode;
    }
    if (context.args.size() != 1) {
        return context.usage(Tr::tr("mod %1 needs exactly one modification id.").arg(sub));
    }
    qint64 id = 0;
    if (!context.parseId(context.args.constFirst(), Tr::tr("The modification id"), &id, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    const QString reason = context.parser.value(QStringLiteral("reason"));
    Result<Modification> result = makeError(QString());
    if (sub == u"show" || sub == u"revisions") {
        result = workspace->modification(id);
    } else if (sub == u"retest") {
        result = workspace->retestModification(id);
    } else if (sub == u"approve") {
        result = workspace->approveModification(id, reason);
    } else if (sub == u"reject") {
        result = workspace->rejectModification(id, reason);
    } else if (sub == u"merge") {
        result = workspace->mergeModification(id);
    } else {
        result = workspace->rollbackModification(id, reason);
    }
    context.printWarnings(*workspace);
    if (!result) {
        return context.fail(result.error());
    }
    auto tests = workspace->testResults(id);
    const QList<TestResultRecord> testList = tests ? *tests : QList<TestResultRecord>();
    if (sub == u"revisions") {
        if (context.json) {
            QJsonArray revisions;
            for (const Revision &revision : std::as_const(result->revisions)) {
                QJsonObject object = revision.toJson();
                object.insert(QStringLiteral("current"), revision.commit == result->headCommit);
                revisions.append(object);
            }
            context.printJson(revisions);
        } else {
            printRevisions(context.out, *result, testList);
        }
    } else if (context.json) {
        context.printJson(withTests(*result, testList));
    } else if (sub == u"show") {
        printModification(context.out, *result, testList);
    } else if (sub == u"approve" && result->status == ModificationStatus::AwaitingApproval) {
        QStringList names;
        for (const QString &approver : std::as_const(result->approvers)) {
            names.append(personDisplayName(approver));
        }
        context.out << Tr::tr("Approval recorded: modification %1 has %2 of the %3 approvals it needs (%4).")
                           .arg(result->id)
                           .arg(result->approvers.size())
                           .arg(workspace->config().team.requiredApprovals)
                           .arg(names.join(QStringLiteral(", ")))
                    << '\n';
    } else {
        context.out << Tr::tr("Modification %1 is now '%2'.").arg(result->id).arg(toString(result->status)) << '\n';
    }
    return Success;
}

int runPrune(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("older-than")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("prune takes no arguments."));
    }
    int days = 14;
    if (context.parser.isSet(QStringLiteral("older-than"))) {
        bool ok = false;
        days = context.parser.value(QStringLiteral("older-than")).toInt(&ok);
        if (!ok || days < 0) {
            return context.usage(Tr::tr("--older-than must be a number of days (0 or more)."));
        }
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto pruned = workspace->prune(days);
    context.printWarnings(*workspace);
    if (!pruned) {
        return context.fail(pruned.error());
    }
    if (context.json) {
        QJsonArray array;
        for (const QString &branch : std::as_const(*pruned)) {
            QJsonObject object;
            object.insert(QStringLiteral("id"), branch);
            object.insert(QStringLiteral("branch"), branch);
            array.append(object);
        }
        context.printJson(array);
    } else {
        context.out << Tr::tr("Deleted %n branch(es).", nullptr, int(pruned->size())) << '\n';
        for (const QString &branch : std::as_const(*pruned)) {
            context.out << QStringLiteral("  ") << branch << '\n';
        }
    }
    return Success;
}

} // namespace astra::cli
