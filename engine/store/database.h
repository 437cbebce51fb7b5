#pragma once

#include "base/result.h"
#include "base/threadowner.h"
#include "store/databaselocation.h"
#include "store/sqldialect.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace astra {

// This thread's connection to the workspace state. QtSql connections belong to the thread
// that opened them: open() gives each thread its own named connection (opened on first use,
// removed when the thread finishes), so a Database must not be handed to another thread.
class Database
{
public:
    enum class OpenMode
    {
        MustExist, // an SQLite file that is missing is an error, never silently created
        CreateIfMissing,
    };

    static Result<Database> open(const DatabaseLocation &location, OpenMode mode = OpenMode::MustExist);

    // Closes and forgets this thread's connection (tests that delete the file use it).
    static void closeThreadConnection(const DatabaseLocation &location);

    QSqlDatabase connection() const;
    const SqlDialect &dialect() const
    {
        return m_dialect;
    }
    const DatabaseLocation &location() const
    {
        return m_location;
    }

    // Runs `body` in one write transaction and returns what it returned (a Status or a
    // Result<T>): commits when it succeeds, rolls back when it fails (or when the commit itself
    // fails, which is then the error returned), so a failed change leaves no row behind.
    // Transactions do not nest.
    template<typename Body>
    auto writeTransaction(Body &&body) -> decltype(body())
    {
        using R = decltype(body());
        std::optional<R> result;
        Status done = runWriteTransaction([&]() -> Status {
            result.emplace(body());
            return *result ? Status() : Status(result->error());
        });
        if (!done) {
            return done.error();
        }
        return std::move(*result);
    }
    bool inTransaction() const
    {
        return m_inTransaction;
    }

    // Prepares and runs one statement with positional `?` bindings. `what` names the
    // operation for the error message.
    Result<QSqlQuery> exec(const QString &what, const QString &sql, const QVariantList &binds = {}) const;

    // Like exec(), returning the number of rows the statement changed.
    Result<int> execUpdate(const QString &what, const QString &sql, const QVariantList &binds = {}) const;

    // A compare-and-swap UPDATE whose WHERE clause ends in "AND version = ?": exactly one row
    // must change. When none did, the row changed since it was read: `conflict` (the caller's
    // sentence naming the row) is returned as a Conflict, and nothing was written.
    Status
    execVersioned(const QString &what, const QString &sql, const QVariantList &binds, const QString &conflict) const;

    // The first row of a query, read with `fromRow`; `missing` (the caller's sentence naming
    // what was looked for) as NotFound when there is none.
    template<typename FromRow>
    auto readOne(const QString &what,
                 const QString &sql,
                 const QVariantList &binds,
                 const QString &missing,
                 FromRow fromRow) const -> Result<std::decay_t<decltype(fromRow(std::declval<const QSqlQuery &>()))>>
    {
        auto query = exec(what, sql, binds);
        if (!query) {
            return query.error();
        }
        if (!query->next()) {
            return makeError(missing, ErrorKind::NotFound);
        }
        return fromRow(*query);
    }

    // Every row of a query, read with `fromRow`, in order.
    template<typename FromRow>
    auto readAll(const QString &what, const QString &sql, const QVariantList &binds, FromRow fromRow) const
        -> Result<QList<std::decay_t<decltype(fromRow(std::declval<const QSqlQuery &>()))>>>
    {
        auto query = exec(what, sql, binds);
        if (!query) {
            return query.error();
        }
        QList<std::decay_t<decltype(fromRow(*query))>> rows;
        while (query->next()) {
            rows.append(fromRow(*query));
        }
        return rows;
    }

    QString errorMessage(const QString &what, const QSqlError &error) const;
    // Conflict for a lost race (a unique key, a deadlock or serialization failure the server
    // broke: nothing was done and it may be tried again), Transient for a lost connection,
    // else Failed.
    ErrorKind errorKind(const QSqlError &error) const;

    // Opens this thread's connection again after it was lost (a restarted server): Transient
    // while the server cannot be reached. What the session had set up (LISTEN) must be set up
    // again by its owner.
    Status reconnect();

private:
    Database(QString connectionName, DatabaseLocation location);
    Status runWriteTransaction(const std::function<Status()> &body);

    QString m_connectionName;
    DatabaseLocation m_location;
    SqlDialect m_dialect;
    bool m_inTransaction = false;
    ThreadOwner m_owner; // a connection never crosses threads
};

} // namespace astra
