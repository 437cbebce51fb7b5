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

    // Whether an error is a unique or primary key violation (a lost race, not a bug).
    bool isUniqueViolation(const QSqlError &error) const;

    // Lists the user tables of the schema, lower case, sorted.
    QString listTablesSql() const;

private:
    DatabaseLocation::Driver m_driver;
};

} // namespace astra
