#include "store/migrator.h"

#include "base/logging.h"
#include "base/softassert.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSqlError>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Migrator)
};

const char *const createMigrationTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, "
    "name TEXT NOT NULL, "
    "checksum TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)";
} // namespace

Migrator::Migrator(Database &db, QList<Migration> migrations)
    : m_db(db)
    , m_migrations(std::move(migrations))
{}

int Migrator::latestVersion() const
{
    return m_migrations.isEmpty() ? 0 : m_migrations.constLast().version;
}

Result<bool> Migrator::hasMigrationTable() const
{
    auto query = m_db.exec(Tr::tr("Listing tables"), m_db.dialect().listTablesSql());
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        if (query->value(0).toString() == u"schema_migrations") {
            return true;
        }
    }
    return false;
}

Result<QList<AppliedMigration>> Migrator::applied() const
{
    auto exists = hasMigrationTable();
    if (!exists) {
        return exists.error();
    }
    QList<AppliedMigration> result;
    if (!*exists) {
        return result;
    }
    auto query = m_db.exec(Tr::tr("Reading the applied migrations"),
                           QStringLiteral("SELECT version, name, checksum, applied_at FROM schema_migrations "
                                          "ORDER BY version"));
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        result.append(AppliedMigration{query->value(0).toInt(),
                                       query->value(1).toString(),
                                       query->value(2).toString(),
                                       query->value(3).toString()});
    }
    return result;
}

Result<int> Migrator::currentVersion() const
{
    auto list = applied();
    if (!list) {
        return list.error();
    }
    return list->isEmpty() ? 0 : list->constLast().version;
}

Status Migrator::check() const
{
    auto list = applied();
    if (!list) {
        return list.error();
    }
    const QString where = m_db.location().displayName();
    int expected = 1;
    for (const AppliedMigration &done : std::as_const(*list)) {
        if (done.version > latestVersion()) {
            return makeError(Tr::tr("The workspace state %1 has schema version %2, but this program knows versions up "
                                    "to %3: it was written by a newer Astra Review. Upgrade Astra Review to open it; "
                                    "nothing was changed.")
                                 .arg(where)
                                 .arg(list->constLast().version)
                                 .arg(latestVersion()),
                             ErrorKind::Refused);
        }
        if (done.version != expected) {
            return makeError(Tr::tr("The workspace state %1 records migration %2 but not migration %3 before it: the "
                                    "schema history is inconsistent. Restore the database from a backup; nothing was "
                                    "changed.")
                                 .arg(where)
                                 .arg(done.version)
                                 .arg(expected),
                             ErrorKind::Refused);
        }
        const Migration &ours = m_migrations.at(done.version - 1);
        if (done.checksum != ours.checksum()) {
            return makeError(
                Tr::tr("The workspace state %1 applied migration %2 with checksum %3, but this program's "
                       "migration %2 has checksum %4: the schema was changed by a different build. Use the "
                       "build that created it, or restore the database from a backup; nothing was changed.")
                    .arg(where, ours.label(), done.checksum.left(12), ours.checksum().left(12)),
                ErrorKind::Refused);
        }
        ++expected;
    }
    return {};
}

Status Migrator::apply(const Migration &migration)
{
    return m_db.writeTransaction([&]() -> Status {
        auto created = m_db.exec(Tr::tr("Creating the migration table"), QString::fromLatin1(createMigrationTable));
        if (!created) {
            return makeError(Tr::tr("Migration %1 failed: %2").arg(migration.label(), created.error().message));
        }
        // Another process may have applied it while this one waited for the write lock.
        auto already = m_db.exec(Tr::tr("Reading the applied migrations"),
                                 QStringLiteral("SELECT checksum FROM schema_migrations WHERE version = ?"),
                                 {migration.version});
        if (!already) {
            return already.error();
        }
        if (already->next()) {
            return {};
        }
        already = QSqlQuery();
        int index = 0;
        for (const QString &statement : migration.statements) {
            ++index;
            const QString sql = m_db.dialect().expand(statement);
            QSqlQuery query(m_db.connection());
            if (!query.exec(sql)) {
                const QString firstLine = sql.section(u'\n', 0, 0);
                return makeError(Tr::tr("Migration %1 failed at statement %2 (%3): %4. It was rolled back; the "
                                        "database %5 is unchanged at version %6. Report this with the SQL error.")
                                     .arg(migration.label())
                                     .arg(index)
                                     .arg(firstLine, query.lastError().text(), m_db.location().displayName())
                                     .arg(migration.version - 1));
            }
        }
        auto recorded = m_db.exec(
            Tr::tr("Recording migration %1").arg(migration.label()),
            QStringLiteral("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"),
            {migration.version,
             migration.name,
             migration.checksum(),
             QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)});
        if (!recorded) {
            return makeError(Tr::tr("Migration %1 failed: %2").arg(migration.label(), recorded.error().message));
        }
        return {};
    });
}

Result<int> Migrator::migrate(int targetVersion)
{
    if (targetVersion < 0) {
        targetVersion = latestVersion();
    }
    for (int i = 0; i < m_migrations.size(); ++i) {
        if (!ASTRA_SOFT_ASSERT(m_migrations.at(i).version == i + 1)) {
            return makeError(Tr::tr("Internal error: migration %1 is out of order").arg(m_migrations.at(i).label()));
        }
    }
    if (Status checked = check(); !checked) {
        return checked.error();
    }
    auto current = currentVersion();
    if (!current) {
        return current.error();
    }
    int version = *current;
    while (version < targetVersion) {
        const Migration &next = m_migrations.at(version);
        qCInfo(lcStore) << "applying migration" << next.label() << "to" << m_db.location().displayName();
        if (Status done = apply(next); !done) {
            return done.error();
        }
        version = next.version;
    }
    return version;
}

} // namespace astra
