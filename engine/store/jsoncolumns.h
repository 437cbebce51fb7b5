#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace astra {

// JSON kept in text columns: written as canonical JSON (RFC 8785), so the same value is stored
// as the same text on SQLite and PostgreSQL.
QString jsonColumn(const QJsonValue &value);
// A column holding a JSON array of strings; anything else reads as an empty list.
QStringList stringListColumn(const QString &text);

} // namespace astra
