#include "base/canonicaljson.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace astra {

namespace {

void appendString(QByteArray &out, const QString &text)
{
    static constexpr char hex[] = "0123456789abcdef";
    out.append('"');
    const QByteArray utf8 = text.toUtf8();
    for (const char c : utf8) {
        const auto byte = static_cast<unsigned char>(c);
        switch (byte) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\b':
            out.append("\\b");
            break;
        case '\f':
            out.append("\\f");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (byte < 0x20) {
                out.append("\\u00");
                out.append(hex[byte >> 4]);
                out.append(hex[byte & 0xf]);
            } else {
                out.append(c);
            }
        }
    }
    out.append('"');
}

void appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double:
        out.append(canonicalNumber(value.toDouble()));
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        out.append('[');
        const QJsonArray array = value.toArray();
        bool first = true;
        for (const QJsonValue &element : array) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendValue(out, element);
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object: {
        out.append('{');
        const QJsonObject object = value.toObject();
        QStringList keys = object.keys();
        // QString's operator< compares UTF-16 code units, which is the order RFC 8785 asks for.
        std::sort(keys.begin(), keys.end());
        bool first = true;
        for (const QString &key : std::as_const(keys)) {
            if (!first) {
                out.append(',');
            }
            first = false;
            appendString(out, key);
            out.append(':');
            appendValue(out, object.value(key));
        }
        out.append('}');
        break;
    }
    }
}

} // namespace

QByteArray canonicalNumber(double value)
{
    if (!std::isfinite(value)) {
        return QByteArrayLiteral("null"); // JSON cannot carry them; QJsonValue never holds them
    }
    if (value == 0) {
        return QByteArrayLiteral("0");
    }
    QByteArray sign;
    if (value < 0) {
        sign = QByteArrayLiteral("-");
        value = -value;
    }
    // The shortest digits that round-trip, as d.ddddde±x.
    const QByteArray scientific = QByteArray::number(value, 'e', QLocale::FloatingPointShortest);
    const int ePos = scientific.indexOf('e');
    QByteArray digits = scientific.left(ePos);
    digits.replace(".", "");
    const int exponent = scientific.mid(ePos + 1).toInt();
    const int k = int(digits.size());
    const int n = exponent + 1; // value = 0.digits × 10^n

    QByteArray out = sign;
    if (k <= n && n <= 21) {
        out += digits + QByteArray(n - k, '0');
    } else if (0 < n && n <= 21) {
        out += digits.left(n) + '.' + digits.mid(n);
    } else if (-6 < n && n <= 0) {
        out += QByteArrayLiteral("0.") + QByteArray(-n, '0') + digits;
    } else {
        out += digits.left(1);
        if (k > 1) {
            out += '.' + digits.mid(1);
        }
        out += 'e';
        out += (n - 1 >= 0) ? '+' : '-';
        out += QByteArray::number(std::abs(n - 1));
    }
    return out;
}

QByteArray canonicalJson(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

} // namespace astra
