#pragma once

#include <QByteArray>
#include <QJsonValue>

namespace astra {

// The JSON Canonicalization Scheme (RFC 8785) of a value parsed by QJsonDocument: object
// members sorted by their UTF-16 code units, no whitespace, strings with the minimal escapes,
// numbers in the ECMAScript Number.prototype.toString form. The same value gives the same
// bytes in every build (Qt 5 and Qt 6 write numbers and order keys differently in
// QJsonDocument::Compact, which is why the ledger does not hash that).
QByteArray canonicalJson(const QJsonValue &value);

// ECMAScript's Number::toString for a finite double (RFC 8785 section 3.2.2.3).
QByteArray canonicalNumber(double value);

} // namespace astra
