#pragma once

#include "base/result.h"

#include <QMetaType>
#include <QString>

namespace astra {

// Where the workspace state lives: an SQLite file (the embedded default) or a PostgreSQL
// database shared by a team. Parsed from `--db URL`:
//   /path/state.db, sqlite:///path/state.db, sqlite:relative.db
//   postgresql://user:password@host:port/dbname (also postgres://)
struct DatabaseLocation
{
    enum class Driver
    {
        SQLite,
        PostgreSQL,
    };

    Driver driver = Driver::SQLite;
    QString path; // SQLite file
    QString host;
    int port = 5432;
    QString databaseName;
    QString user;
    QString password;
    QString options; // QPSQL connect options from the URL query, e.g. sslmode=require

    static Result<DatabaseLocation> parse(const QString &url);
    static DatabaseLocation sqliteFile(const QString &path);

    // A description for messages and the UI: never shows the password.
    QString displayName() const;
    // A stable key for naming per-thread connections (includes everything but the password).
    QString connectionKey() const;
    // The URL without its password, with its options: what a team shares (a password belongs in
    // ~/.pgpass, never in a shared line).
    QString shareableUrl() const;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::DatabaseLocation)
