#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <climits>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

QJsonObject entryJson(const LedgerEntry &entry)
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(entry.seq));
    object.insert(QStringLiteral("seq"), double(entry.seq));
    object.insert(QStringLiteral("ts"), entry.ts);
    object.insert(QStringLiteral("actor"), entry.actor);
    object.insert(QStringLiteral("event"), entry.event);
    object.insert(QStringLiteral("subject"), entry.subject);
    object.insert(QStringLiteral("meta"), entry.meta);
    object.insert(QStringLiteral("prev_hash"), entry.prevHash);
    object.insert(QStringLiteral("hash"), entry.hash);
    return object;
}

int verify(Context &context, Workspace &workspace, const QString &anchorRemote)
{
    auto report = workspace.verifyLedger(anchorRemote);
    if (!report) {
        return context.fail(report.error());
    }
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("intact"), report->intact);
        object.insert(QStringLiteral("entries"), double(report->entriesChecked));
        object.insert(QStringLiteral("archived_entries"), double(report->archivedEntries));
        object.insert(QStringLiteral("segments"), report->segments);
        object.insert(QStringLiteral("first_bad_seq"),
                      report->intact ? QJsonValue() : QJsonValue(double(report->firstBadSeq)));
        object.insert(QStringLiteral("problem"), report->problem);
        QJsonObject head;
        head.insert(QStringLiteral("seq"), double(report->head.seq));
        head.insert(QStringLiteral("hash"), report->head.hash);
        object.insert(QStringLiteral("head"), head);
        if (report->checkpoint) {
            QJsonObject checkpoint;
            checkpoint.insert(QStringLiteral("seq"), double(report->checkpoint->seq));
            checkpoint.insert(QStringLiteral("hash"), report->checkpoint->hash);
            checkpoint.insert(QStringLiteral("commit"), report->checkpoint->commit);
            object.insert(QStringLiteral("checkpoint"), checkpoint);
        } else {
            object.insert(QStringLiteral("checkpoint"), QJsonValue());
        }
        object.insert(QStringLiteral("checkpoints_checked"), report->checkpointsChecked);
        object.insert(QStringLiteral("unanchored_entries"), double(report->unanchoredEntries));
        object.insert(QStringLiteral("anchor"), report->anchor.isEmpty() ? QJsonValue() : QJsonValue(report->anchor));
        context.printJson(object);
    } else if (report->intact) {
        context.out << Tr::tr("The ledger is intact: %1 entries (%2 archived in %3 segments), head %4.")
                           .arg(report->entriesChecked)
                           .arg(report->archivedEntries)
                           .arg(report->segments)
                           .arg(report->head.hash.left(12))
                    << '\n';
        context.out << (report->checkpoint
                            ? Tr::tr("It matches all %1 checkpoints in refs/astra/ledger, the newest at entry %2.")
                                  .arg(report->checkpointsChecked)
                                  .arg(report->checkpoint->seq)
                            : Tr::tr("There is no checkpoint in refs/astra/ledger yet; `astra ledger checkpoint` "
                                     "writes one."))
                    << '\n';
        if (!report->anchor.isEmpty()) {
            context.out << Tr::tr("The anchor pushed to %1 (commit %2) is one of them.")
                               .arg(anchorRemote, report->anchor.left(12))
                        << '\n';
        }
        if (report->unanchoredEntries > 0 && report->checkpoint) {
            context.err << Tr::tr(
                               "astra: warning: refs/astra/ledger lags the ledger: its newest checkpoint is entry %1 "
                               "and the ledger ends at entry %2, so only the database vouches for the entries "
                               "after %1. `astra ledger checkpoint` records them.")
                               .arg(report->checkpoint->seq)
                               .arg(report->head.seq)
                        << '\n';
        }
    }
    if (!report->intact) {
        context.err
            << Tr::tr("astra: the ledger is broken at entry %1: %2").arg(report->firstBadSeq).arg(report->problem)
            << '\n';
        context.err.flush();
        return Failed;
    }
    return Success;
}
} // namespace

int runLedger(Context &context)
{
    int exitCode = Success;
    if (context.args.isEmpty()) {
        return context.usage(Tr::tr("ledger needs a subcommand: verify, show, export, archive, checkpoint or anchor."));
    }
    const QString sub = context.args.takeFirst();
    const QStringList known = {QStringLiteral("verify"),
                               QStringLiteral("show"),
                               QStringLiteral("export"),
                               QStringLiteral("archive"),
                               QStringLiteral("checkpoint"),
                               QStringLiteral("anchor")};
    if (!known.contains(sub)) {
        return context.usage(
            Tr::tr("'ledger %1' is not a command; use verify, show, export, archive, checkpoint or anchor.").arg(sub));
    }
    QStringList allowed;
    if (sub == u"show") {
        allowed = QStringList{QStringLiteral("limit")};
    } else if (sub == u"archive") {
        allowed = QStringList{QStringLiteral("through")};
    } else if (sub == u"verify") {
        allowed = QStringList{QStringLiteral("anchor")};
    } else if (sub == u"anchor") {
        allowed = QStringList{QStringLiteral("push")};
    }
    if (!context.onlyOptions(allowed, &exitCode)) {
        return exitCode;
    }
    if (sub == u"export" ? context.args.size() != 1 : !context.args.isEmpty()) {
        return context.usage(sub == u"export" ? Tr::tr("ledger export needs exactly one argument: the file to write.")
                                              : Tr::tr("ledger %1 takes no arguments.").arg(sub));
    }
    if (sub == u"anchor" && context.parser.value(QStringLiteral("push")).isEmpty()) {
        return context.usage(Tr::tr("ledger anchor needs --push REMOTE: a configured remote, a URL or a path."));
    }
    qint64 number = -1;
    if (sub == u"archive") {
        if (!context.parser.isSet(QStringLiteral("through"))) {
            return context.usage(Tr::tr("ledger archive needs --through SEQ: the last entry to archive."));
        }
        if (!context.parseId(context.parser.value(QStringLiteral("through")),
                             QStringLiteral("--through"),
                             &number,
                             &exitCode)) {
            return exitCode;
        }
    }
    if (sub == u"show" && context.parser.isSet(QStringLiteral("limit"))) {
        if (!context.parseId(context.parser.value(QStringLiteral("limit")),
                             QStringLiteral("--limit"),
                             &number,
                             &exitCode)) {
            return exitCode;
        }
    }

    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    if (sub == u"verify") {
        return verify(context, *workspace, context.parser.value(QStringLiteral("anchor")));
    }
    if (sub == u"show") {
        auto entries = workspace->ledger().entries(0, -1);
        if (!entries) {
            return context.fail(entries.error());
        }
        QList<LedgerEntry> shown = *entries;
        if (number > 0 && shown.size() > number) {
            shown = shown.mid(shown.size() - int(number));
        }
        if (context.json) {
            QJsonArray array;
            for (const LedgerEntry &entry : std::as_const(shown)) {
                array.append(entryJson(entry));
            }
            context.printJson(array);
        } else {
            for (const LedgerEntry &entry : std::as_const(shown)) {
                context.out << describeLedgerEntry(entry) << '\n';
            }
        }
        return Success;
    }
    if (sub == u"export") {
        const QString file = context.args.constFirst();
        if (Status exported = workspace->ledger().exportTo(file); !exported) {
            return context.fail(exported.error());
        }
        if (context.json) {
            QJsonObject object;
            object.insert(QStringLiteral("file"), file);
            context.printJson(object);
        } else {
            context.out << Tr::tr("Wrote the ledger to %1").arg(file) << '\n';
        }
        return Success;
    }
    if (sub == u"archive") {
        auto segment = workspace->archiveLedger(number);
        if (!segment) {
            return context.fail(segment.error());
        }
        context.printWarnings(*workspace);
        if (context.json) {
            QJsonObject object;
            object.insert(QStringLiteral("id"), segment->fileName);
            object.insert(QStringLiteral("file"), segment->fileName);
            object.insert(QStringLiteral("first_seq"), double(segment->firstSeq));
            object.insert(QStringLiteral("last_seq"), double(segment->lastSeq));
            object.insert(QStringLiteral("entries"), double(segment->entries));
            object.insert(QStringLiteral("sha256"), segment->fileSha256);
            context.printJson(object);
        } else {
            context.out << Tr::tr("Archived entries %1–%2 to %3")
                               .arg(segment->firstSeq)
                               .arg(segment->lastSeq)
                               .arg(segment->fileName)
                        << '\n';
        }
        return Success;
    }
    // checkpoint, anchor
    const QString remote = context.parser.value(QStringLiteral("push"));
    auto checkpoint = sub == u"anchor" ? workspace->anchorLedger(remote) : workspace->checkpointLedger();
    if (!checkpoint) {
        return context.fail(checkpoint.error());
    }
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("id"), checkpoint->commit);
        object.insert(QStringLiteral("seq"), double(checkpoint->seq));
        object.insert(QStringLiteral("hash"), checkpoint->hash);
        object.insert(QStringLiteral("commit"), checkpoint->commit);
        context.printJson(object);
    } else {
        context.out << Tr::tr("refs/astra/ledger records entry %1 (commit %2).")
                           .arg(checkpoint->seq)
                           .arg(checkpoint->commit.left(12))
                    << '\n';
        if (sub == u"anchor") {
            context.out << Tr::tr("Pushed it to %1 as refs/astra/ledger.").arg(remote) << '\n';
        }
    }
    return Success;
}

} // namespace astra::cli
