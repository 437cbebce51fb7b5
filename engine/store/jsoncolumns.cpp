#include "store/jsoncolumns.h"

#include "base/canonicaljson.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace astra {

QString jsonColumn(const QJsonValue &value)
{
    return QString::fromUtf8(canonicalJson(value));
}

QStringList stringListColumn(const QString &text)
{
    QStringList list;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &value : array) {
        list.append(value.toString());
    }
    return list;
}

} // namespace astra
