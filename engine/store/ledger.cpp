#include "store/ledger.h"

#include "base/canonicaljson.h"
#include "base/logging.h"
#include "base/softassert.h"
#include "store/changefeed.h"
#include "store/database.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Ledger)
};

QString nowIso()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QJsonObject parseMeta(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

LedgerEntry entryFromQuery(const QSqlQuery &query)
{
    LedgerEntry entry;
    entry.seq = query.value(0).toLongLong();
    entry.ts = query.value(1).toString();
    entry.actor = query.value(2).toString();
    entry.event = query.value(3).toString();
    entry.subject = query.value(4).toString();
    entry.meta = parseMeta(query.value(5).toString());
    entry.prevHash = query.value(6).toString();
    entry.hash = query.value(7).toString();
    return entry;
}

const char *const selectEntries = "SELECT seq, ts, actor, event, subject, meta, prev_hash, hash FROM ledger ";
} // namespace

Ledger::Ledger(Database &db, QString segmentDirectory)
    : m_db(db)
    , m_segmentDirectory(std::move(segmentDirectory))
{}

Result<LedgerHead> Ledger::head() const
{
    auto query =
        m_db.exec(Tr::tr("Reading the ledger head"), QStringLiteral("SELECT seq, hash FROM ledger_head WHERE id = 1"));
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("The ledger head row is missing in %1: the ledger was tampered with. Run `astra ledger "
                                "verify` and restore the database from a backup.")
                             .arg(m_db.location().displayName()),
                         ErrorKind::Refused);
    }
    return LedgerHead{query->value(0).toLongLong(), query->value(1).toString()};
}

Result<LedgerHead> Ledger::lockHead()
{
    auto query =
        m_db.exec(Tr::tr("Locking the ledger head"),
                  QStringLiteral("SELECT seq, hash FROM ledger_head WHERE id = 1") + m_db.dialect().lockRowsSuffix());
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("The ledger head row is missing in %1.").arg(m_db.location().displayName()),
                         ErrorKind::Refused);
    }
    return LedgerHead{query->value(0).toLongLong(), query->value(1).toString()};
}

Result<LedgerEntry> Ledger::append(const LedgerRecord &record)
{
    if (!ASTRA_SOFT_ASSERT(m_db.inTransaction())) {
        return makeError(Tr::tr("Internal error: a ledger entry (%1) must be appended inside the transaction of the "
                                "change it records")
                             .arg(record.event));
    }
    const QString lockSuffix = m_db.dialect().lockRowsSuffix();
    auto headQuery = m_db.exec(Tr::tr("Reading the ledger head"),
                               QStringLiteral("SELECT seq, hash FROM ledger_head WHERE id = 1") + lockSuffix);
    if (!headQuery) {
        return headQuery.error();
    }
    if (!headQuery->next()) {
        return makeError(
            Tr::tr("The ledger head row is missing in %1; nothing was recorded.").arg(m_db.location().displayName()),
            ErrorKind::Refused);
    }
    const qint64 headSeq = headQuery->value(0).toLongLong();
    LedgerEntry entry;
    entry.seq = headSeq + 1;
    entry.ts = nowIso();
    entry.actor = record.actor;
    entry.event = record.event;
    entry.subject = record.subject;
    entry.meta = record.meta;
    entry.prevHash = headQuery->value(1).toString();
    entry.hash = entry.computeHash();
    headQuery = QSqlQuery();

    auto inserted =
        m_db.exec(Tr::tr("Appending to the ledger"),
                  QStringLiteral("INSERT INTO ledger (seq, ts, actor, event, subject, meta, prev_hash, hash) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                  {entry.seq,
                   entry.ts,
                   entry.actor,
                   entry.event,
                   entry.subject,
                   QString::fromUtf8(canonicalJson(entry.meta)),
                   entry.prevHash,
                   entry.hash});
    if (!inserted) {
        return inserted.error();
    }
    auto moved = m_db.execUpdate(Tr::tr("Moving the ledger head"),
                                 QStringLiteral("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?"),
                                 {entry.seq, entry.hash, headSeq});
    if (!moved) {
        return moved.error();
    }
    if (*moved != 1) {
        return makeError(
            Tr::tr("Another writer extended the ledger at the same time; nothing was recorded. Try again."),
            ErrorKind::Conflict);
    }
    if (m_db.location().driver == DatabaseLocation::Driver::PostgreSQL) {
        // Delivered to every listening workstation when the transaction commits (ChangeFeed).
        auto notified = m_db.exec(Tr::tr("Announcing the change"),
                                  QStringLiteral("SELECT pg_notify(?, ?)"),
                                  {ChangeFeed::changeChannel(), QString::number(entry.seq)});
        if (!notified) {
            return notified.error();
        }
    }
    return entry;
}

Result<QList<LedgerEntry>> Ledger::entries(qint64 afterSeq, int limit) const
{
    QString sql = QString::fromLatin1(selectEntries) + QStringLiteral("WHERE seq > ? ORDER BY seq");
    if (limit >= 0) {
        sql += QStringLiteral(" LIMIT ") + QString::number(limit);
    }
    auto query = m_db.exec(Tr::tr("Reading the ledger"), sql, {afterSeq});
    if (!query) {
        return query.error();
    }
    QList<LedgerEntry> result;
    while (query->next()) {
        result.append(entryFromQuery(*query));
    }
    return result;
}

Result<std::optional<LedgerEntry>> Ledger::latestAbout(const QString &subject, const QString &eventPrefix) const
{
    // A prefix compared as text, not with LIKE: an underscore in it is not a wildcard.
    auto query =
        m_db.exec(Tr::tr("Reading the ledger"),
                  QString::fromLatin1(selectEntries)
                      + QStringLiteral("WHERE subject = ? AND substr(event, 1, ?) = ? ORDER BY seq DESC LIMIT 1"),
                  {subject, int(eventPrefix.size()), eventPrefix});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<LedgerEntry>();
    }
    return std::optional<LedgerEntry>(entryFromQuery(*query));
}

Result<QList<LedgerSegment>> Ledger::segments() const
{
    auto query = m_db.exec(Tr::tr("Reading the ledger segments"),
                           QStringLiteral("SELECT first_seq, last_seq, first_prev_hash, last_hash, file_name, "
                                          "file_sha256, entries, created_at FROM ledger_segments ORDER BY first_seq"));
    if (!query) {
        return query.error();
    }
    QList<LedgerSegment> result;
    while (query->next()) {
        LedgerSegment segment;
        segment.firstSeq = query->value(0).toLongLong();
        segment.lastSeq = query->value(1).toLongLong();
        segment.firstPrevHash = query->value(2).toString();
        segment.lastHash = query->value(3).toString();
        segment.fileName = query->value(4).toString();
        segment.fileSha256 = query->value(5).toString();
        segment.entries = query->value(6).toLongLong();
        segment.createdAt = query->value(7).toString();
        result.append(segment);
    }
    return result;
}

Status Ledger::forEachEntry(const std::function<Status(const LedgerEntry &, const QString &)> &visit) const
{
    auto segmentList = segments();
    if (!segmentList) {
        return segmentList.error();
    }
    for (const LedgerSegment &segment : std::as_const(*segmentList)) {
        const QString path = QDir(m_segmentDirectory).filePath(segment.fileName);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            return makeError(
                Tr::tr("The ledger segment %1 (entries %2–%3) cannot be read: %4. Restore it from a backup.")
                    .arg(path)
                    .arg(segment.firstSeq)
                    .arg(segment.lastSeq)
                    .arg(file.errorString()),
                ErrorKind::NotFound);
        }
        int lineNumber = 0;
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            ++lineNumber;
            if (line.isEmpty()) {
                continue;
            }
            const QString where = QStringLiteral("%1:%2").arg(path).arg(lineNumber);
            auto entry = LedgerEntry::fromJsonLine(line, where);
            if (!entry) {
                return entry.error();
            }
            if (Status visited = visit(*entry, where); !visited) {
                return visited;
            }
        }
    }
    auto query =
        m_db.exec(Tr::tr("Reading the ledger"), QString::fromLatin1(selectEntries) + QStringLiteral("ORDER BY seq"));
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        const LedgerEntry entry = entryFromQuery(*query);
        if (Status visited = visit(entry, Tr::tr("ledger table")); !visited) {
            return visited;
        }
    }
    return {};
}

Result<LedgerVerification> Ledger::verify(const LedgerAnchors &anchors) const
{
    LedgerVerification report;
    if (!anchors.history.isEmpty()) {
        report.checkpoint = anchors.history.constFirst();
    }

    auto segmentList = segments();
    if (!segmentList) {
        return segmentList.error();
    }
    report.segments = int(segmentList->size());

    auto fail = [&report](qint64 seq, const QString &problem) {
        if (report.intact) {
            report.intact = false;
            report.firstBadSeq = seq;
            report.problem = problem;
        }
    };

    // The segment files must be the ones that were archived, byte for byte.
    for (const LedgerSegment &segment : std::as_const(*segmentList)) {
        const QString path = QDir(m_segmentDirectory).filePath(segment.fileName);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            fail(segment.firstSeq,
                 Tr::tr("the archived segment %1 holding entries %2–%3 is missing or unreadable (%4)")
                     .arg(path)
                     .arg(segment.firstSeq)
                     .arg(segment.lastSeq)
                     .arg(file.errorString()));
            return report;
        }
        QCryptographicHash hasher(QCryptographicHash::Sha256);
        hasher.addData(&file);
        if (QString::fromLatin1(hasher.result().toHex()) != segment.fileSha256) {
            fail(segment.firstSeq,
                 Tr::tr("the archived segment %1 holding entries %2–%3 was modified after it was archived (its sha256 "
                        "differs from the one recorded)")
                     .arg(path)
                     .arg(segment.firstSeq)
                     .arg(segment.lastSeq));
            return report;
        }
        report.archivedEntries += segment.entries;
    }

    // Every checkpoint must name an entry that is there with that hash. The ref's history goes
    // down one checkpoint at a time; a checkpoint that does not is not astra's.
    struct Expected
    {
        QString hash;
        QString where; // for messages
    };
    QHash<qint64, Expected> expected;
    const QString refName = QStringLiteral("refs/astra/ledger");
    for (qsizetype i = 0; i < anchors.history.size(); ++i) {
        const LedgerCheckpoint &checkpoint = anchors.history.at(i);
        if (i > 0 && anchors.history.at(i - 1).seq <= checkpoint.seq) {
            const LedgerCheckpoint &child = anchors.history.at(i - 1);
            fail(child.seq,
                 Tr::tr("the checkpoint commit %1 in %2 records entry %3 on top of a checkpoint that already records "
                        "entry %4: astra never writes such a checkpoint, so the ref was extended by something else")
                     .arg(child.commit.left(12), refName)
                     .arg(child.seq)
                     .arg(checkpoint.seq));
            return report;
        }
        expected.insert(checkpoint.seq,
                        {checkpoint.hash, Tr::tr("the checkpoint %1 in %2").arg(checkpoint.commit.left(12), refName)});
    }
    report.checkpointsChecked = int(anchors.history.size());
    report.recorded = anchors.recorded;
    if (anchors.recorded) {
        const LedgerCheckpoint &recorded = *anchors.recorded;
        const QString database = m_db.location().displayName();
        if (anchors.history.isEmpty()) {
            fail(recorded.seq,
                 Tr::tr("%1 is missing, but %2 records that it held a checkpoint at entry %3 (commit %4): the ref was "
                        "deleted, so the entries it anchored can no longer be checked. Restore the ref from a clone "
                        "or a pushed anchor (`astra ledger anchor --push`)")
                     .arg(refName, database)
                     .arg(recorded.seq)
                     .arg(recorded.commit.left(12)));
            return report;
        }
        const bool contained = std::any_of(
            anchors.history.cbegin(),
            anchors.history.cend(),
            [&recorded](const LedgerCheckpoint &checkpoint) { return checkpoint.commit == recorded.commit; });
        if (!contained) {
            const LedgerCheckpoint &newest = anchors.history.constFirst();
            fail(
                recorded.seq,
                newest.seq < recorded.seq
                    ? Tr::tr("%1 was moved back: it records entry %2 (commit %3), but %4 records that it held entry %5 "
                             "(commit %6)")
                          .arg(refName)
                          .arg(newest.seq)
                          .arg(newest.commit.left(12), database)
                          .arg(recorded.seq)
                          .arg(recorded.commit.left(12))
                    : Tr::tr("%1 (commit %2) does not descend from the checkpoint %3 that %4 records at entry %5: the "
                             "ref was replaced")
                          .arg(refName, newest.commit.left(12), recorded.commit.left(12), database)
                          .arg(recorded.seq));
            return report;
        }
        if (auto found = expected.constFind(recorded.seq); found == expected.cend() || found->hash != recorded.hash) {
            fail(recorded.seq,
                 Tr::tr("the checkpoint %1 recorded in %2 does not match %3 at entry %4")
                     .arg(recorded.commit.left(12), database, refName)
                     .arg(recorded.seq));
            return report;
        }
    }

    qint64 expectedSeq = 1;
    QString previousHash = QString::fromLatin1(ledgerGenesisHash);
    Status walked = forEachEntry([&](const LedgerEntry &entry, const QString &where) -> Status {
        if (!report.intact) {
            return {};
        }
        ++report.entriesChecked;
        if (entry.seq != expectedSeq) {
            if (entry.seq > expectedSeq) {
                fail(expectedSeq,
                     Tr::tr("entry %1 is missing: the sequence jumps from %2 to %3 (%4); an entry was deleted")
                         .arg(expectedSeq)
                         .arg(expectedSeq - 1)
                         .arg(entry.seq)
                         .arg(where));
            } else {
                fail(entry.seq,
                     Tr::tr("entry %1 appears after entry %2 (%3); entries were inserted or reordered")
                         .arg(entry.seq)
                         .arg(expectedSeq - 1)
                         .arg(where));
            }
            return {};
        }
        if (entry.computeHash() != entry.hash) {
            fail(entry.seq,
                 Tr::tr("entry %1 (%2 %3) was altered: its content or sequence number does not match its hash (it "
                        "was edited, renumbered or moved; %4)")
                     .arg(entry.seq)
                     .arg(entry.event, entry.subject, where));
            return {};
        }
        if (entry.prevHash != previousHash) {
            fail(entry.seq,
                 Tr::tr(
                     "entry %1 does not follow entry %2: its prev_hash is not the hash of entry %2 (%3); an entry was "
                     "edited, inserted or removed before it")
                     .arg(entry.seq)
                     .arg(entry.seq - 1)
                     .arg(where));
            return {};
        }
        if (auto found = expected.constFind(entry.seq); found != expected.cend() && found->hash != entry.hash) {
            fail(entry.seq,
                 Tr::tr("entry %1 differs from %2: the ledger was rewritten from this entry on")
                     .arg(entry.seq)
                     .arg(found->where));
            return {};
        }
        previousHash = entry.hash;
        ++expectedSeq;
        return {};
    });
    if (!walked) {
        return walked.error();
    }

    auto headRow = head();
    if (!headRow) {
        return headRow.error();
    }
    report.head = *headRow;
    if (!report.intact) {
        return report;
    }
    const qint64 lastSeq = expectedSeq - 1;
    if (headRow->seq != lastSeq || headRow->hash != previousHash) {
        if (headRow->seq > lastSeq) {
            fail(lastSeq + 1,
                 Tr::tr("entries %1–%2 were deleted from the end of the ledger (the head records entry %2)")
                     .arg(lastSeq + 1)
                     .arg(headRow->seq));
        } else if (headRow->seq < lastSeq) {
            fail(headRow->seq + 1,
                 Tr::tr("entry %1 was inserted after the last recorded entry %2 (the head records entry %2)")
                     .arg(headRow->seq + 1)
                     .arg(headRow->seq));
        } else {
            fail(lastSeq,
                 Tr::tr("entry %1 does not match the ledger head: the end of the ledger was rewritten").arg(lastSeq));
        }
        return report;
    }
    // A checkpoint beyond the last entry: the end of the ledger was cut off (the highest such
    // checkpoint names how far).
    qint64 furthest = 0;
    QString furthestWhere;
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        if (it.key() > furthest) {
            furthest = it.key();
            furthestWhere = it->where;
        }
    }
    if (anchors.recorded && anchors.recorded->seq > furthest) {
        furthest = anchors.recorded->seq;
        furthestWhere = Tr::tr("the checkpoint recorded in %1").arg(m_db.location().displayName());
    }
    if (furthest > lastSeq) {
        fail(lastSeq + 1,
             Tr::tr("the ledger ends at entry %1 but %2 records entry %3: entries %4–%3 were truncated")
                 .arg(lastSeq)
                 .arg(furthestWhere)
                 .arg(furthest)
                 .arg(lastSeq + 1));
        return report;
    }
    if (!anchors.history.isEmpty()) {
        report.unanchoredEntries = lastSeq - anchors.history.constFirst().seq;
    } else {
        report.unanchoredEntries = lastSeq;
    }
    return report;
}

Result<std::optional<LedgerCheckpoint>> Ledger::recordedCheckpoint(const QString &repository) const
{
    auto query = m_db.exec(Tr::tr("Reading the recorded ledger checkpoint"),
                           QStringLiteral("SELECT seq, hash, commit_id, recorded_at FROM ledger_checkpoints "
                                          "WHERE repository = ?"),
                           {repository});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return std::optional<LedgerCheckpoint>();
    }
    LedgerCheckpoint checkpoint;
    checkpoint.seq = query->value(0).toLongLong();
    checkpoint.hash = query->value(1).toString();
    checkpoint.commit = query->value(2).toString();
    checkpoint.ts = query->value(3).toString();
    return std::optional<LedgerCheckpoint>(checkpoint);
}

Status Ledger::recordCheckpoint(const QString &repository, const LedgerCheckpoint &checkpoint)
{
    return m_db.writeTransaction([&]() -> Status {
        auto moved =
            m_db.execUpdate(Tr::tr("Recording the ledger checkpoint"),
                            QStringLiteral("UPDATE ledger_checkpoints SET seq = ?, hash = ?, commit_id = ?, "
                                           "recorded_at = ? WHERE repository = ? AND seq < ?"),
                            {checkpoint.seq, checkpoint.hash, checkpoint.commit, nowIso(), repository, checkpoint.seq});
        if (!moved) {
            return moved.error();
        }
        if (*moved == 1) {
            return {};
        }
        auto existing = m_db.exec(Tr::tr("Recording the ledger checkpoint"),
                                  QStringLiteral("SELECT seq FROM ledger_checkpoints WHERE repository = ?"),
                                  {repository});
        if (!existing) {
            return existing.error();
        }
        if (existing->next()) {
            return {}; // a later checkpoint is recorded already
        }
        auto inserted = m_db.exec(Tr::tr("Recording the ledger checkpoint"),
                                  QStringLiteral("INSERT INTO ledger_checkpoints (repository, seq, hash, commit_id, "
                                                 "recorded_at) VALUES (?, ?, ?, ?, ?)"),
                                  {repository, checkpoint.seq, checkpoint.hash, checkpoint.commit, nowIso()});
        if (!inserted) {
            return inserted.error();
        }
        return {};
    });
}

Status Ledger::exportTo(const QString &fileName) const
{
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly)) {
        return makeError(Tr::tr("Cannot write the ledger export %1: %2").arg(fileName, file.errorString()));
    }
    Status walked = forEachEntry([&file](const LedgerEntry &entry, const QString &) -> Status {
        file.write(entry.toJsonLine());
        file.write("\n");
        return {};
    });
    if (!walked) {
        file.cancelWriting();
        return walked;
    }
    if (!file.commit()) {
        return makeError(Tr::tr("Cannot write the ledger export %1: %2").arg(fileName, file.errorString()));
    }
    return {};
}

Result<LedgerSegment> Ledger::archive(qint64 throughSeq, const QString &actor)
{
    auto pending = entries(0, -1);
    if (!pending) {
        return pending.error();
    }
    QList<LedgerEntry> toArchive;
    for (const LedgerEntry &entry : std::as_const(*pending)) {
        if (entry.seq <= throughSeq) {
            toArchive.append(entry);
        }
    }
    if (toArchive.isEmpty()) {
        return makeError(Tr::tr("There are no ledger entries up to %1 left in the table to archive.").arg(throughSeq),
                         ErrorKind::Invalid);
    }

    LedgerSegment segment;
    segment.firstSeq = toArchive.constFirst().seq;
    segment.lastSeq = toArchive.constLast().seq;
    segment.firstPrevHash = toArchive.constFirst().prevHash;
    segment.lastHash = toArchive.constLast().hash;
    segment.entries = toArchive.size();
    segment.createdAt = nowIso();
    segment.fileName = QStringLiteral("ledger-%1-%2.jsonl")
                           .arg(segment.firstSeq, 12, 10, QLatin1Char('0'))
                           .arg(segment.lastSeq, 12, 10, QLatin1Char('0'));

    if (!QDir().mkpath(m_segmentDirectory)) {
        return makeError(Tr::tr("Cannot create the ledger segment directory %1").arg(m_segmentDirectory));
    }
    const QString path = QDir(m_segmentDirectory).filePath(segment.fileName);
    if (QFile::exists(path)) {
        return makeError(Tr::tr("The ledger segment %1 already exists; refusing to overwrite it. Move it away if it is "
                                "not listed by `astra ledger verify`.")
                             .arg(path),
                         ErrorKind::Conflict);
    }
    QByteArray content;
    for (const LedgerEntry &entry : std::as_const(toArchive)) {
        content += entry.toJsonLine() + '\n';
    }
    segment.fileSha256 = QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
            return makeError(Tr::tr("Cannot write the ledger segment %1: %2").arg(path, file.errorString()));
        }
    }

    Status stored = m_db.writeTransaction([&]() -> Status {
        auto inserted = m_db.exec(Tr::tr("Recording the ledger segment"),
                                  QStringLiteral("INSERT INTO ledger_segments (first_seq, last_seq, first_prev_hash, "
                                                 "last_hash, file_name, file_sha256, entries, created_at) "
                                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                                  {segment.firstSeq,
                                   segment.lastSeq,
                                   segment.firstPrevHash,
                                   segment.lastHash,
                                   segment.fileName,
                                   segment.fileSha256,
                                   segment.entries,
                                   segment.createdAt});
        if (!inserted) {
            return inserted.error();
        }
        auto removed = m_db.execUpdate(Tr::tr("Removing archived ledger entries"),
                                       QStringLiteral("DELETE FROM ledger WHERE seq >= ? AND seq <= ?"),
                                       {segment.firstSeq, segment.lastSeq});
        if (!removed) {
            return removed.error();
        }
        if (*removed != segment.entries) {
            return makeError(Tr::tr("The ledger changed while it was archived (%1 entries expected, %2 found); nothing "
                                    "was archived. Try again.")
                                 .arg(segment.entries)
                                 .arg(*removed),
                             ErrorKind::Conflict);
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("first_seq"), double(segment.firstSeq));
        meta.insert(QStringLiteral("last_seq"), double(segment.lastSeq));
        meta.insert(QStringLiteral("file"), segment.fileName);
        meta.insert(QStringLiteral("sha256"), segment.fileSha256);
        auto appended = append(LedgerRecord{actor, QStringLiteral("ledger_archived"), QStringLiteral("ledger"), meta});
        if (!appended) {
            return appended.error();
        }
        return {};
    });
    if (!stored) {
        QFile::remove(path);
        return stored.error();
    }
    qCInfo(lcLedger) << "archived ledger entries" << segment.firstSeq << "to" << segment.lastSeq << "into" << path;
    return segment;
}

QString describeLedgerEntry(const LedgerEntry &entry)
{
    QString text =
        QStringLiteral("%1  %2  %3  %4  %5").arg(entry.seq, 6).arg(entry.ts, entry.actor, entry.event, entry.subject);
    if (!entry.meta.isEmpty()) {
        text += u"  " + QString::fromUtf8(canonicalJson(entry.meta));
    }
    return text;
}

} // namespace astra
