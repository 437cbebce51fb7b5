#pragma once

#include "store/databaselocation.h"

#include <QSqlError>
#include <QStringList>

namespace astra {

// Everything that differs between SQLite and PostgreSQL lives here, so the rest of the
// store writes one SQL that runs on both.
class SqlDialect
{
public:
    explicit SqlDialect(DatabaseLocation::Driver driver = DatabaseLocation::Driver::SQLite);

    DatabaseLocation::Driver driver() const
    {
        return m_driver;
    }
    QString qtDriverName() const;
    QString name() const;

    // Replaces the placeholders migrations use for types that differ:
    //   ${ID}  an auto-assigned 64-bit primary key
    QString expand(const QString &sqlTemplate) const;

    // Statements run once on every new connection (pragmas, session settings).
    QStringList connectionSetup() const;

    // Starts a transaction that takes the write lock at once, so two writers never both read
    // the same ledger head and then collide at commit.
    QString beginWrite() const;

    // Appended to a SELECT inside a write transaction to lock the rows it reads until commit
    // (SQLite's BEGIN IMMEDIATE already holds the database's write lock).
    QString lockRowsSuffix() const;

    // Like lockRowsSuffix(), but rows another transaction holds are left out instead of waited
    // for (PostgreSQL's SKIP LOCKED): workers claiming from one queue never queue behind each other.
    QString skipLockedSuffix() const;

    // The database server's clock as ISO 8601 UTC text with milliseconds (the format of every
    // timestamp column), plus a number of milliseconds bound as the expression's one parameter.
    // Leases are timed by the one clock every machine sharing the database sees.
    QString isoNowPlusMsExpression() const;

    // Whether an error is a unique or primary key violation (a lost race, not a bug).
    bool isUniqueViolation(const QSqlError &error) const;
    // Whether the server gave up on a transaction to break a deadlock or a serialization
    // conflict: the transaction did nothing and may be tried again.
    bool isRetryable(const QSqlError &error) const;
    // Whether the connection to the server is gone (the server restarted or is unreachable).
    bool isConnectionLost(const QSqlError &error) const;

    // Lists the user tables of the schema, lower case, sorted.
    QString listTablesSql() const;

private:
    DatabaseLocation::Driver m_driver;
};

} // namespace astra
