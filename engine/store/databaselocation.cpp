#include "store/databaselocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QUrl>
#include <QUrlQuery>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::DatabaseLocation)
};
} // namespace

DatabaseLocation DatabaseLocation::sqliteFile(const QString &path)
{
    DatabaseLocation location;
    location.driver = Driver::SQLite;
    location.path = QDir::cleanPath(QDir(path).absolutePath());
    return location;
}

Result<DatabaseLocation> DatabaseLocation::parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        return makeError(Tr::tr("--db: the database URL is empty; give a file path, sqlite:///PATH or "
                                "postgresql://USER@HOST:PORT/DB"),
                         ErrorKind::Invalid);
    }
    if (trimmed.startsWith(u"postgresql://") || trimmed.startsWith(u"postgres://")) {
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid()) {
            return makeError(Tr::tr("--db %1: not a valid URL (%2); expected postgresql://USER:PASSWORD@HOST:PORT/DB")
                                 .arg(trimmed, url.errorString()),
                             ErrorKind::Invalid);
        }
        DatabaseLocation location;
        location.driver = Driver::PostgreSQL;
        location.host = url.host().isEmpty() ? QStringLiteral("localhost") : url.host();
        location.port = url.port(5432);
        location.databaseName = url.path().mid(1);
        location.user = url.userName();
        location.password = url.password();
        if (location.databaseName.isEmpty() || location.databaseName.contains(u'/')) {
            return makeError(Tr::tr("--db %1: the URL names no database; expected postgresql://USER@HOST:PORT/DB")
                                 .arg(url.toDisplayString(QUrl::RemovePassword)),
                             ErrorKind::Invalid);
        }
        const QUrlQuery query(url);
        QStringList options;
        const auto items = query.queryItems(QUrl::FullyDecoded);
        for (const auto &item : items) {
            options.append(item.first + u'=' + item.second);
        }
        location.options = options.join(u';');
        return location;
    }
    if (trimmed.startsWith(u"sqlite:")) {
        QString path = trimmed.mid(7);
        if (path.startsWith(u"//")) {
            path = path.mid(2);
        }
        if (path.isEmpty()) {
            return makeError(Tr::tr("--db %1: the URL names no file; expected sqlite:///PATH/state.db").arg(trimmed),
                             ErrorKind::Invalid);
        }
        return sqliteFile(path);
    }
    if (trimmed.contains(u"://")) {
        return makeError(
            Tr::tr("--db %1: unsupported database; use a file path, sqlite:///PATH or postgresql://…").arg(trimmed),
            ErrorKind::Invalid);
    }
    return sqliteFile(trimmed);
}

QString DatabaseLocation::displayName() const
{
    if (driver == Driver::SQLite) {
        return path;
    }
    QString name = QStringLiteral("postgresql://");
    if (!user.isEmpty()) {
        name += user + u'@';
    }
    return name + host + u':' + QString::number(port) + u'/' + databaseName;
}

QString DatabaseLocation::shareableUrl() const
{
    if (driver == Driver::SQLite || options.isEmpty()) {
        return displayName();
    }
    return displayName() + u'?' + QString(options).replace(u';', u'&');
}

QString DatabaseLocation::connectionKey() const
{
    return displayName() + u'?' + options;
}

} // namespace astra
