#pragma once

#include "result.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>

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

} // namespace astra

Q_DECLARE_METATYPE(astra::LedgerEntry)
