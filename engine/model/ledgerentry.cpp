#include "model/ledgerentry.h"

#include "base/canonicaljson.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>

namespace astra {

namespace {
QJsonObject bodyObject(const LedgerEntry &entry)
{
    QJsonObject body;
    body.insert(QStringLiteral("seq"), double(entry.seq));
    body.insert(QStringLiteral("ts"), entry.ts);
    body.insert(QStringLiteral("actor"), entry.actor);
    body.insert(QStringLiteral("event"), entry.event);
    body.insert(QStringLiteral("subject"), entry.subject);
    body.insert(QStringLiteral("meta"), entry.meta);
    return body;
}
} // namespace

QByteArray LedgerEntry::canonicalBody() const
{
    return canonicalJson(bodyObject(*this));
}

QString LedgerEntry::computeHash() const
{
    QCryptographicHash hasher(QCryptographicHash::Sha256);
    hasher.addData(prevHash.toLatin1());
    hasher.addData(canonicalBody());
    return QString::fromLatin1(hasher.result().toHex());
}

QByteArray LedgerEntry::toJsonLine() const
{
    QJsonObject object = bodyObject(*this);
    object.insert(QStringLiteral("prev_hash"), prevHash);
    object.insert(QStringLiteral("hash"), hash);
    return canonicalJson(object);
}

Result<LedgerEntry> LedgerEntry::fromJsonLine(const QByteArray &line, const QString &where)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return makeError(QCoreApplication::translate("astra::Ledger", "%1: not a ledger entry (JSON error: %2)")
                             .arg(where, error.errorString()),
                         ErrorKind::Invalid);
    }
    const QJsonObject object = document.object();
    const QStringList required = {QStringLiteral("seq"),
                                  QStringLiteral("ts"),
                                  QStringLiteral("actor"),
                                  QStringLiteral("event"),
                                  QStringLiteral("subject"),
                                  QStringLiteral("meta"),
                                  QStringLiteral("prev_hash"),
                                  QStringLiteral("hash")};
    for (const QString &key : required) {
        if (!object.contains(key)) {
            return makeError(
                QCoreApplication::translate("astra::Ledger", "%1: the ledger entry has no '%2'").arg(where, key),
                ErrorKind::Invalid);
        }
    }
    LedgerEntry entry;
    entry.seq = qint64(object.value(QStringLiteral("seq")).toDouble());
    entry.ts = object.value(QStringLiteral("ts")).toString();
    entry.actor = object.value(QStringLiteral("actor")).toString();
    entry.event = object.value(QStringLiteral("event")).toString();
    entry.subject = object.value(QStringLiteral("subject")).toString();
    entry.meta = object.value(QStringLiteral("meta")).toObject();
    entry.prevHash = object.value(QStringLiteral("prev_hash")).toString();
    entry.hash = object.value(QStringLiteral("hash")).toString();
    return entry;
}

} // namespace astra
