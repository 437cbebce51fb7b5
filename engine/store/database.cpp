#include "store/database.h"

#include "base/logging.h"
#include "base/softassert.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFileInfo>
#include <QSqlError>
#include <QStorageInfo>
#include <QThread>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Database)
};

QString connectionNameFor(const DatabaseLocation &location)
{
    const QByteArray key = QCryptographicHash::hash(location.connectionKey().toUtf8(), QCryptographicHash::Sha1);
    return QStringLiteral("astra-%1-%2")
        .arg(QString::fromLatin1(key.toHex().left(16)))
        .arg(reinterpret_cast<quintptr>(QThread::currentThread()), 0, 16);
}
// What a failed statement means for the person who must fix it. A full disk (SQLite reports a
// failed write as SQLITE_FULL, or as an I/O error when the WAL index cannot grow; PostgreSQL as
// SQLSTATE 53100) is named as such, after checking the free space where the file is, since the
// driver's words ("disk I/O error") do not say what to do.
QString describeError(const DatabaseLocation &location, const QSqlError &error)
{
    const QString text = error.text();
    if (location.driver == DatabaseLocation::Driver::PostgreSQL) {
        if (error.nativeErrorCode() == u"53100") {
            return Tr::tr(
                       "the PostgreSQL server's disk is full (%1); free space on the server and run the command "
                       "again")
                .arg(text);
        }
        return text;
    }
    bool numeric = false;
    const int code = error.nativeErrorCode().toInt(&numeric);
    const int primary = code & 0xff;
    const bool writeFailed = numeric && (primary == 13 /* SQLITE_FULL */ || primary == 10 /* SQLITE_IOERR */);
    if (!writeFailed) {
        return text;
    }
    const QString folder = QFileInfo(location.path).absolutePath();
    const QStorageInfo storage(folder);
    if (storage.isValid() && storage.bytesAvailable() >= 0 && storage.bytesAvailable() < 1024 * 1024) {
        return Tr::tr(
                   "the disk holding %1 is full (%2 bytes free); free space there and run the command again "
                   "(SQLite: %3)")
            .arg(folder)
            .arg(storage.bytesAvailable())
            .arg(text);
    }
    return text;
}
} // namespace

Database::Database(QString connectionName, DatabaseLocation location)
    : m_connectionName(std::move(connectionName))
    , m_location(std::move(location))
    , m_dialect(m_location.driver)
{}

Result<Database> Database::open(const DatabaseLocation &location, OpenMode mode)
{
    const QString name = connectionNameFor(location);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        bool alive = db.isOpen();
        if (alive && location.driver == DatabaseLocation::Driver::PostgreSQL) {
            // A server that restarted since leaves this thread's connection open but dead.
            QSqlQuery ping(db);
            alive = ping.exec(QStringLiteral("SELECT 1"));
        }
        if (alive) {
            return Database(name, location);
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(name);
    }

    const SqlDialect dialect(location.driver);
    if (!QSqlDatabase::isDriverAvailable(dialect.qtDriverName())) {
        return makeError(Tr::tr("The Qt SQL driver %1 for %2 is not installed; install the Qt SQL plugin package "
                                "for %2 (on Debian: libqt6sql6-%3 or libqt5sql5-%3).")
                             .arg(dialect.qtDriverName(),
                                  dialect.name(),
                                  location.driver == DatabaseLocation::Driver::SQLite ? QStringLiteral("sqlite")
                                                                                      : QStringLiteral("psql")));
    }
    if (location.driver == DatabaseLocation::Driver::SQLite && mode == OpenMode::MustExist
        && !QFileInfo::exists(location.path)) {
        return makeError(
            Tr::tr("The workspace state %1 does not exist. Run `astra init` in the repository to create it, "
                   "or pass --db with an existing database.")
                .arg(location.path),
            ErrorKind::NotFound);
    }

    {
        QSqlDatabase db = QSqlDatabase::addDatabase(dialect.qtDriverName(), name);
        if (location.driver == DatabaseLocation::Driver::SQLite) {
            db.setDatabaseName(location.path);
            db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        } else {
            db.setHostName(location.host);
            db.setPort(location.port);
            db.setDatabaseName(location.databaseName);
            db.setUserName(location.user);
            db.setPassword(location.password);
            QString options = QStringLiteral("connect_timeout=10");
            if (!location.options.isEmpty()) {
                options += u';' + location.options;
            }
            db.setConnectOptions(options);
        }
        if (!db.open()) {
            const QString message = Tr::tr("Cannot open the workspace state %1: %2")
                                        .arg(location.displayName(), describeError(location, db.lastError()));
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            // A server that cannot be reached now may be reachable in a moment.
            return makeError(message,
                             location.driver == DatabaseLocation::Driver::PostgreSQL ? ErrorKind::Transient
                                                                                     : ErrorKind::Failed);
        }
        for (const QString &statement : dialect.connectionSetup()) {
            QSqlQuery query(db);
            if (!query.exec(statement)) {
                const QString message = Tr::tr("Cannot open the workspace state %1: %2")
                                            .arg(location.displayName(), describeError(location, query.lastError()));
                query = QSqlQuery();
                db.close();
                db = QSqlDatabase();
                QSqlDatabase::removeDatabase(name);
                return makeError(message);
            }
        }
    }

    // Remove the connection in the thread that owns it when that thread ends.
    if (QThread *thread = QThread::currentThread(); thread && thread != QCoreApplication::instance()->thread()) {
        QObject::connect(
            thread,
            &QThread::finished,
            thread,
            [name] {
                {
                    QSqlDatabase db = QSqlDatabase::database(name, false);
                    db.close();
                }
                QSqlDatabase::removeDatabase(name);
            },
            Qt::DirectConnection);
    }
    qCDebug(lcStore) << "opened" << location.displayName() << "as" << name;
    return Database(name, location);
}

void Database::closeThreadConnection(const DatabaseLocation &location)
{
    const QString name = connectionNameFor(location);
    if (!QSqlDatabase::contains(name)) {
        return;
    }
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

QSqlDatabase Database::connection() const
{
    m_owner.check("a Database");
    return QSqlDatabase::database(m_connectionName, false);
}

ErrorKind Database::errorKind(const QSqlError &error) const
{
    if (m_dialect.isUniqueViolation(error) || m_dialect.isRetryable(error)) {
        return ErrorKind::Conflict;
    }
    return m_dialect.isConnectionLost(error) ? ErrorKind::Transient : ErrorKind::Failed;
}

Status Database::reconnect()
{
    QSqlDatabase db = connection();
    db.close();
    if (!db.open()) {
        return makeError(Tr::tr("Cannot reach the workspace state %1: %2")
                             .arg(m_location.displayName(), describeError(m_location, db.lastError())),
                         ErrorKind::Transient);
    }
    for (const QString &statement : m_dialect.connectionSetup()) {
        QSqlQuery query(db);
        if (!query.exec(statement)) {
            return makeError(errorMessage(Tr::tr("Setting up the connection"), query.lastError()),
                             errorKind(query.lastError()));
        }
    }
    qCInfo(lcStore) << "reconnected to" << m_location.displayName();
    return {};
}

QString Database::errorMessage(const QString &what, const QSqlError &error) const
{
    return Tr::tr("%1 failed in %2: %3").arg(what, m_location.displayName(), describeError(m_location, error));
}

Status Database::runWriteTransaction(const std::function<Status()> &body)
{
    if (!ASTRA_SOFT_ASSERT(!m_inTransaction)) {
        return makeError(Tr::tr("Internal error: transactions on %1 do not nest").arg(m_location.displayName()));
    }
    QSqlDatabase db = connection();
    {
        QSqlQuery begin(db);
        if (!begin.exec(m_dialect.beginWrite())) {
            return makeError(errorMessage(Tr::tr("Starting a transaction"), begin.lastError()),
                             errorKind(begin.lastError()));
        }
    }
    m_inTransaction = true;
    Status result = body();
    m_inTransaction = false;

    QSqlQuery end(db);
    if (!result) {
        if (!end.exec(QStringLiteral("ROLLBACK"))) {
            qCWarning(lcStore) << "rollback failed on" << m_location.displayName() << end.lastError().text();
        }
        return result;
    }
    if (!end.exec(QStringLiteral("COMMIT"))) {
        const QString message = errorMessage(Tr::tr("Committing the transaction"), end.lastError());
        const ErrorKind kind = errorKind(end.lastError());
        QSqlQuery rollback(db);
        rollback.exec(QStringLiteral("ROLLBACK"));
        return makeError(message, kind);
    }
    return {};
}

Result<QSqlQuery> Database::exec(const QString &what, const QString &sql, const QVariantList &binds) const
{
    QSqlQuery query(connection());
    query.setForwardOnly(true);
    if (binds.isEmpty()) {
        // PostgreSQL cannot PREPARE DDL, and a statement without parameters gains nothing from it.
        if (!query.exec(sql)) {
            const QSqlError error = query.lastError();
            return makeError(errorMessage(what, error), errorKind(error));
        }
        return query;
    }
    if (!query.prepare(sql)) {
        return makeError(errorMessage(what, query.lastError()));
    }
    for (const QVariant &value : binds) {
        // A null QString would bind as SQL NULL; only an invalid QVariant means NULL here.
        if (value.userType() == QMetaType::QString && value.toString().isNull()) {
            query.addBindValue(QString::fromLatin1("", 0));
        } else {
            query.addBindValue(value);
        }
    }
    if (!query.exec()) {
        const QSqlError error = query.lastError();
        return makeError(errorMessage(what, error), errorKind(error));
    }
    return query;
}

Result<int> Database::execUpdate(const QString &what, const QString &sql, const QVariantList &binds) const
{
    auto query = exec(what, sql, binds);
    if (!query) {
        return query.error();
    }
    return query->numRowsAffected();
}

Status Database::execVersioned(const QString &what,
                               const QString &sql,
                               const QVariantList &binds,
                               const QString &conflict) const
{
    auto changed = execUpdate(what, sql, binds);
    if (!changed) {
        return changed.error();
    }
    if (*changed != 1) {
        return makeError(conflict, ErrorKind::Conflict);
    }
    return {};
}

} // namespace astra
