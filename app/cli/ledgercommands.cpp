#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

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

int verify(Context &context, Workspace &workspace)
{
    auto report = workspace.verifyLedger();
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
        context.printJson(object);
    } else if (report->intact) {
        context.out << Tr::tr("The ledger is intact: %1 entries (%2 archived in %3 segments), head %4.")
                           .arg(report->entriesChecked)
                           .arg(report->archivedEntries)
                           .arg(report->segments)
                           .arg(report->head.hash.left(12))
                    << u'\n';
        context.out
            << (report->checkpoint
                    ? Tr::tr("It matches the checkpoint in refs/astra/ledger at entry %1.").arg(report->checkpoint->seq)
                    : Tr::tr("There is no checkpoint in refs/astra/ledger yet; `astra ledger checkpoint` writes one."))
            << u'\n';
    }
    if (!report->intact) {
        context.err
            << Tr::tr("astra: the ledger is broken at entry %1: %2").arg(report->firstBadSeq).arg(report->problem)
            << u'\n';
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
        return context.usage(Tr::tr("ledger needs a subcommand: verify, show, export, archive or checkpoint."));
    }
    const QString sub = context.args.takeFirst();
    const QStringList known = {QStringLiteral("verify"),
                               QStringLiteral("show"),
                               QStringLiteral("export"),
                               QStringLiteral("archive"),
                               QStringLiteral("checkpoint")};
    if (!known.contains(sub)) {
        return context.usage(
            Tr::tr("'ledger %1' is not a command; use verify, show, export, archive or checkpoint.").arg(sub));
    }
    QStringList allowed;
    if (sub == u"show") {
        allowed = QStringList{QStringLiteral("limit")};
    } else if (sub == u"archive") {
        allowed = QStringList{QStringLiteral("through")};
    }
    if (!context.onlyOptions(allowed, &exitCode)) {
        return exitCode;
    }
    if (sub == u"export" ? context.args.size() != 1 : !context.args.isEmpty()) {
        return context.usage(sub == u"export" ? Tr::tr("ledger export needs exactly one argument: the file to write.")
                                              : Tr::tr("ledger %1 takes no arguments.").arg(sub));
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
        return verify(context, *workspace);
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
                context.out << describeLedgerEntry(entry) << u'\n';
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
            context.out << Tr::tr("Wrote the ledger to %1").arg(file) << u'\n';
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
                        << u'\n';
        }
        return Success;
    }
    // checkpoint
    auto checkpoint = workspace->checkpointLedger();
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
                    << u'\n';
    }
    return Success;
}

} // namespace astra::cli
