#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

QJsonObject diffToJson(const TreeDiff &diff)
{
    QJsonArray files;
    for (const FileDiff &file : diff.files) {
        QJsonObject object;
        object.insert(QStringLiteral("path"), file.path);
        if (file.oldPath != file.path) {
            object.insert(QStringLiteral("old_path"), file.oldPath);
        }
        object.insert(QStringLiteral("change"), file.change);
        object.insert(QStringLiteral("binary"), file.binary);
        object.insert(QStringLiteral("too_large"), file.tooLarge);
        object.insert(QStringLiteral("additions"), file.additions);
        object.insert(QStringLiteral("deletions"), file.deletions);
        QJsonArray hunks;
        for (int index = 0; index < file.hunks.size(); ++index) {
            const DiffHunk &hunk = file.hunks.at(index);
            QJsonObject item;
            item.insert(QStringLiteral("number"), index + 1);
            item.insert(QStringLiteral("key"), hunk.key);
            item.insert(QStringLiteral("header"), hunk.header);
            item.insert(QStringLiteral("text"), hunkText(hunk));
            hunks.append(item);
        }
        object.insert(QStringLiteral("hunks"), hunks);
        files.append(object);
    }
    QJsonObject object;
    object.insert(QStringLiteral("from"), diff.fromCommit);
    object.insert(QStringLiteral("to"), diff.toCommit);
    object.insert(QStringLiteral("additions"), diff.additions);
    object.insert(QStringLiteral("deletions"), diff.deletions);
    object.insert(QStringLiteral("files"), files);
    return object;
}

// The diff as git prints it, with each hunk numbered as accept-hunk and reject-hunk name it.
void printDiff(QTextStream &out, const TreeDiff &diff, const QList<HunkDecision> &decisions)
{
    auto decisionOn = [&](const QString &path, const QString &key) {
        for (const HunkDecision &decision : decisions) {
            if (decision.path == path && decision.hunkKey == key) {
                return decision.decision;
            }
        }
        return QString();
    };
    for (const FileDiff &file : diff.files) {
        const QString fileDecision = decisionOn(file.path, QString());
        out << QStringLiteral("diff %1%2 (%3)%4")
                   .arg(file.oldPath != file.path ? file.oldPath + QStringLiteral(" -> ") : QString(),
                        file.path,
                        file.change,
                        fileDecision.isEmpty() ? QString() : QStringLiteral("  [%1]").arg(fileDecision))
            << '\n';
        if (file.binary) {
            out << Tr::tr("  binary file") << '\n';
        } else if (file.tooLarge) {
            out << Tr::tr("  over the size limit: not shown") << '\n';
        }
        for (int index = 0; index < file.hunks.size(); ++index) {
            const DiffHunk &hunk = file.hunks.at(index);
            const QString decision = decisionOn(file.path, hunk.key);
            out << Tr::tr("# hunk %1 (%2)%3")
                       .arg(index + 1)
                       .arg(hunk.key, decision.isEmpty() ? QString() : QStringLiteral("  [%1]").arg(decision))
                << '\n';
            out << hunkText(hunk);
        }
    }
}

void printComment(QTextStream &out, const ReviewComment &comment)
{
    QString where = comment.path.isEmpty() ? Tr::tr("the change") : comment.path;
    if (comment.line > 0) {
        where += QStringLiteral(":%1").arg(comment.line) + (comment.side == u"old" ? Tr::tr(" (base)") : QString());
    }
    QStringList state;
    if (comment.isResolved()) {
        state.append(Tr::tr("resolved by %1").arg(comment.resolvedBy));
    }
    if (comment.outdated) {
        state.append(Tr::tr("outdated"));
    }
    if (comment.sentInRevision > 0) {
        state.append(Tr::tr("answered by revision %1").arg(comment.sentInRevision));
    }
    out << Tr::tr("#%1 on revision %2, %3 — %4%5")
               .arg(comment.id)
               .arg(comment.revision)
               .arg(where,
                    comment.author,
                    state.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(state.join(QStringLiteral(", "))))
        << '\n';
    for (const QString &line : comment.body.split(u'\n')) {
        out << QStringLiteral("    ") << line << '\n';
    }
}

// A list as JSON (each item's toJson()), or `none` when empty, or each item by `print`.
template<typename T, typename Print>
int printList(Context &context, const Result<QList<T>> &list, const QString &none, Print print)
{
    if (!list) {
        return context.fail(list.error());
    }
    if (context.json) {
        QJsonArray array;
        for (const T &item : *list) {
            array.append(item.toJson());
        }
        context.printJson(array);
    } else if (list->isEmpty()) {
        context.out << none << '\n';
    } else {
        for (const T &item : *list) {
            print(item);
        }
    }
    return Success;
}

// One result: the warnings first, then its JSON or `print`.
template<typename T, typename Print>
int printOne(Context &context, Workspace &workspace, const Result<T> &result, Print print)
{
    context.printWarnings(workspace);
    if (!result) {
        return context.fail(result.error());
    }
    if (context.json) {
        context.printJson(result->toJson());
    } else {
        print(*result);
    }
    return Success;
}

// "--since last" or a revision number; 0 for none.
bool parseRevision(Context &context, const QString &option, qint64 modification, int *revision, int *exitCode)
{
    *revision = 0;
    if (!context.parser.isSet(option)) {
        return true;
    }
    const QString value = context.parser.value(option);
    if (option == u"since" && value == u"last") {
        *revision = -1;
        return true;
    }
    bool ok = false;
    *revision = value.toInt(&ok);
    if (!ok || *revision < 1) {
        *exitCode = context.usage(Tr::tr("--%1 %2: a revision number of modification %3 (1, 2, …)%4.")
                                      .arg(option, value)
                                      .arg(modification)
                                      .arg(option == u"since" ? Tr::tr(", or last") : QString()));
        return false;
    }
    return true;
}
} // namespace

int runModReview(Context &context, const QString &sub)
{
    int exitCode = Success;
    QStringList allowed;
    if (sub == u"diff") {
        allowed = QStringList{QStringLiteral("since"), QStringLiteral("revision")};
    } else if (sub == u"comment") {
        allowed = QStringList{QStringLiteral("file"), QStringLiteral("line"), QStringLiteral("side")};
    }
    if (!context.onlyOptions(allowed, &exitCode)) {
        return exitCode;
    }
    const bool onComment = sub == u"resolve" || sub == u"reopen";
    const bool hunkVerb = sub == u"accept-hunk" || sub == u"reject-hunk" || sub == u"clear-hunk";
    if (context.args.isEmpty()) {
        return context.usage(onComment
                                 ? Tr::tr("mod %1 needs a comment id (`astra mod comments ID` lists them).").arg(sub)
                                 : Tr::tr("mod %1 needs a modification id.").arg(sub));
    }
    qint64 id = 0;
    if (!context.parseId(context.args.takeFirst(),
                         onComment ? Tr::tr("The comment id") : Tr::tr("The modification id"),
                         &id,
                         &exitCode)) {
        return exitCode;
    }
    QString path;
    std::optional<int> hunk;
    QString text;
    if (hunkVerb) {
        if (context.args.isEmpty() || context.args.size() > 2) {
            return context.usage(Tr::tr("mod %1 needs a modification id, a file and optionally a hunk number "
                                        "(without one, the whole file).")
                                     .arg(sub));
        }
        path = context.args.takeFirst();
        if (!context.args.isEmpty()) {
            bool ok = false;
            const int number = context.args.takeFirst().toInt(&ok);
            if (!ok || number < 1) {
                return context.usage(Tr::tr("The hunk is a number from 1, as `astra mod diff %1` shows it.").arg(id));
            }
            hunk = number;
        }
    } else if (sub == u"comment") {
        text = context.args.join(u' ').trimmed();
        context.args.clear();
        if (text.isEmpty()) {
            return context.usage(Tr::tr("mod comment needs the comment's words after the modification id."));
        }
    } else if (sub == u"restore-hunks") {
        // The hunk keys (or paths) to restore; none: everything left out.
    } else if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("mod %1 takes one id.").arg(sub));
    }
    int line = 0;
    if (context.parser.isSet(QStringLiteral("line"))) {
        bool ok = false;
        line = context.parser.value(QStringLiteral("line")).toInt(&ok);
        if (!ok || line < 1) {
            return context.usage(Tr::tr("--line is a line number from 1."));
        }
        if (!context.parser.isSet(QStringLiteral("file"))) {
            return context.usage(Tr::tr("--line needs --file: the file the line is in."));
        }
    }
    int since = 0;
    int revision = 0;
    if (!parseRevision(context, QStringLiteral("since"), id, &since, &exitCode)
        || !parseRevision(context, QStringLiteral("revision"), id, &revision, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    RevisionService &revisions = workspace->revisions();
    auto done = [&](const Result<Modification> &result) {
        context.printWarnings(*workspace);
        if (!result) {
            return context.fail(result.error());
        }
        if (context.json) {
            context.printJson(result->toJson());
        } else {
            const Revision &last = result->revisions.constLast();
            context.out << Tr::tr("Modification %1: revision %2 (%3, %4) is now '%5'.")
                               .arg(result->id)
                               .arg(last.number)
                               .arg(last.origin, last.commit.left(12), toString(result->status))
                        << '\n';
        }
        return int(Success);
    };

    if (sub == u"diff") {
        if (since == -1) {
            auto last = revisions.lastReviewedRevision(id);
            if (!last) {
                return context.fail(last.error());
            }
            since = *last;
        }
        auto diff = revisions.diff(id, since, revision);
        auto decided = revisions.decisions(id);
        context.printWarnings(*workspace);
        if (!diff) {
            return context.fail(diff.error());
        }
        if (context.json) {
            context.printJson(diffToJson(*diff));
        } else {
            printDiff(context.out, *diff, revision == 0 && since == 0 && decided ? *decided : QList<HunkDecision>());
        }
        return Success;
    }
    if (hunkVerb) {
        const QString decision = sub == u"accept-hunk" ? QStringLiteral("accepted")
            : sub == u"reject-hunk"                    ? QStringLiteral("rejected")
                                                       : QString();
        return printOne(context, *workspace, revisions.decide(id, path, hunk, decision), [&](const HunkDecision &made) {
            const QString what = hunk ? Tr::tr("Hunk %1 of %2").arg(*hunk).arg(made.path) : made.path;
            context.out << (decision.isEmpty()
                                ? Tr::tr("%1: no decision (revision %2).").arg(what).arg(made.revision)
                                : Tr::tr(
                                      "%1: %2 (revision %3). `astra mod apply-decisions %4` makes the next revision.")
                                      .arg(what, decision)
                                      .arg(made.revision)
                                      .arg(id))
                        << '\n';
        });
    }
    if (sub == u"decisions") {
        return printList(context,
                         revisions.decisions(id),
                         Tr::tr("No decisions on the current revision."),
                         [&](const HunkDecision &decision) {
                             context.out << QStringLiteral("%1  %2 %3  %4")
                                                .arg(decision.decision, -9)
                                                .arg(decision.path,
                                                     decision.isFile() ? Tr::tr("(whole file)") : decision.hunkKey,
                                                     decision.decidedBy)
                                         << '\n';
                         });
    }
    if (sub == u"apply-decisions") {
        return done(revisions.applyDecisions(id));
    }
    if (sub == u"restore-hunks") {
        return done(revisions.restoreRejected(id, context.args));
    }
    if (sub == u"request-changes") {
        return done(revisions.requestChanges(id));
    }
    const auto showComment = [&](const ReviewComment &comment) {
        printComment(context.out, comment);
    };
    if (sub == u"comment") {
        return printOne(context,
                        *workspace,
                        revisions.comment(id,
                                          context.parser.value(QStringLiteral("file")),
                                          line,
                                          context.parser.value(QStringLiteral("side")),
                                          text),
                        showComment);
    }
    if (sub == u"comments") {
        return printList(context, revisions.comments(id), Tr::tr("No comments."), showComment);
    }
    if (onComment) {
        return printOne(context, *workspace, revisions.resolveComment(id, sub == u"resolve"), showComment);
    }
    // update
    auto updated = revisions.update(id);
    context.printWarnings(*workspace);
    if (!updated) {
        return context.fail(updated.error());
    }
    if (updated->conflicted()) {
        if (context.json) {
            QJsonObject object;
            object.insert(QStringLiteral("modification"), double(id));
            object.insert(QStringLiteral("target_head"), updated->targetHead);
            TreeDiff conflicts;
            conflicts.files = updated->conflicts;
            object.insert(QStringLiteral("conflicts"), diffToJson(conflicts).value(QStringLiteral("files")));
            context.printJson(object);
        } else {
            context.err << Tr::tr(
                               "Modification %1 conflicts with %2 at %3; nothing was changed. Each file below "
                               "shows %2's version (-) against the change's (+); the conflicts are comments now, "
                               "and `astra mod request-changes %1` sends them to the agent.")
                               .arg(id)
                               .arg(updated->modification.targetBranch, updated->targetHead.left(12))
                        << '\n';
            TreeDiff conflicts;
            conflicts.files = updated->conflicts;
            printDiff(context.err, conflicts, {});
        }
        return Failed;
    }
    return done(updated->modification);
}

} // namespace astra::cli
