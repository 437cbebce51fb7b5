#pragma once

#include "base/result.h"
#include "model/ledgerentry.h"

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace astra {

class Database;

// The hash-chained audit ledger. append() runs inside the caller's write transaction, so an
// entry exists exactly when the change it records was committed.
class Ledger
{
public:
    Ledger(Database &db, QString segmentDirectory);

    Result<LedgerEntry> append(const LedgerRecord &record);

    Result<LedgerHead> head() const;
    // Reads the head and, on PostgreSQL, locks it until the transaction ends (SQLite's write
    // transaction already excludes other writers). Serialises writers that must not interleave.
    Result<LedgerHead> lockHead();
    // Entries still in the table, in seq order, after `afterSeq`; `limit` < 0 for all.
    Result<QList<LedgerEntry>> entries(qint64 afterSeq = 0, int limit = -1) const;
    // The newest entry about `subject` ("modification:7") whose event starts with
    // `eventPrefix` (any when empty), if any is still in the table.
    Result<std::optional<LedgerEntry>> latestAbout(const QString &subject, const QString &eventPrefix = {}) const;
    Result<QList<LedgerSegment>> segments() const;

    // Recomputes the chain over the archived segments and the table, and compares it with the
    // head row, with every checkpoint of refs/astra/ledger and with the checkpoint the database
    // recorded: the ref must exist, go forward one checkpoint at a time and contain the
    // recorded checkpoint, and every entry a checkpoint names must be there with that hash.
    Result<LedgerVerification> verify(const LedgerAnchors &anchors) const;

    // The last checkpoint written for `repository` (see checkpointKey), if any.
    Result<std::optional<LedgerCheckpoint>> recordedCheckpoint(const QString &repository) const;
    // Records that `checkpoint` was written to `repository`'s refs/astra/ledger; never moves the
    // record back to an earlier entry. In its own transaction.
    Status recordCheckpoint(const QString &repository, const LedgerCheckpoint &checkpoint);

    // Every entry, archived ones first, one canonical JSON object per line.
    Status exportTo(const QString &fileName) const;

    // Moves the entries up to `throughSeq` into a JSONL segment file and out of the table,
    // and records that as a ledger entry; the chain continues across the segment.
    Result<LedgerSegment> archive(qint64 throughSeq, const QString &actor);

private:
    Status forEachEntry(const std::function<Status(const LedgerEntry &, const QString &where)> &visit) const;

    Database &m_db;
    QString m_segmentDirectory;
};

// "ledger_show" text of an entry for the terminal.
QString describeLedgerEntry(const LedgerEntry &entry);

} // namespace astra
