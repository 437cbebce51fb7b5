#pragma once

#include "base/result.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace astra {

// The hash that precedes the first entry of a chain.
inline constexpr char ledgerGenesisHash[] = "0000000000000000000000000000000000000000000000000000000000000000";

// What a caller records: the ledger assigns seq, ts, prev_hash and hash.
struct LedgerRecord
{
    QString actor;
    QString event; // e.g. goal_created, goal_approved, policy_violation
    QString subject; // e.g. goal:7, modification:3
    QJsonObject meta;
};

struct LedgerEntry
{
    qint64 seq = 0;
    QString ts; // ISO 8601 UTC with milliseconds
    QString actor;
    QString event;
    QString subject;
    QJsonObject meta;
    QString prevHash;
    QString hash;

    // The canonical JSON the hash covers: seq, ts, actor, event, subject, meta.
    QByteArray canonicalBody() const;
    // sha256(prev_hash || canonical body), lower-case hex.
    QString computeHash() const;

    // The exported form (a JSONL line): the body plus prev_hash and hash, canonical.
    QByteArray toJsonLine() const;
    static Result<LedgerEntry> fromJsonLine(const QByteArray &line, const QString &where);
};

struct LedgerHead
{
    qint64 seq = 0;
    QString hash = QString::fromLatin1(ledgerGenesisHash);
};

// The last seq and hash recorded outside the table (the git ref refs/astra/ledger).
struct LedgerCheckpoint
{
    qint64 seq = 0;
    QString hash;
    QString ts;
    QString commit; // the commit that records it
};

// What the ledger is compared with besides itself: every checkpoint of refs/astra/ledger (newest
// first) and the last checkpoint this repository was recorded to have, kept in the database.
struct LedgerAnchors
{
    LedgerAnchors() = default;
    LedgerAnchors(std::nullopt_t) {}
    LedgerAnchors(const LedgerCheckpoint &newest)
        : history{newest}
    {}

    QList<LedgerCheckpoint> history;
    std::optional<LedgerCheckpoint> recorded;
    QString repository; // the key of `recorded`, for messages
};

struct LedgerSegment
{
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    QString firstPrevHash;
    QString lastHash;
    QString fileName; // relative to the segment directory
    QString fileSha256;
    qint64 entries = 0;
    QString createdAt;
};

struct LedgerVerification
{
    bool intact = true;
    qint64 entriesChecked = 0; // table and segments
    qint64 archivedEntries = 0;
    int segments = 0;
    qint64 firstBadSeq = 0; // the first entry that is wrong or missing; 0 when intact
    QString problem; // names that entry and what is wrong with it
    LedgerHead head;
    std::optional<LedgerCheckpoint> checkpoint; // the newest in refs/astra/ledger
    int checkpointsChecked = 0; // checkpoints of the ref's history compared with the entries
    std::optional<LedgerCheckpoint> recorded; // the last one the database says was written
    qint64 unanchoredEntries = 0; // entries after the newest checkpoint
    QString anchor; // the commit of refs/astra/ledger on the remote compared with, if any
};

} // namespace astra

Q_DECLARE_METATYPE(astra::LedgerEntry)
