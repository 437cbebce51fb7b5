#pragma once

#include "base/result.h"
#include "store/database.h"
#include "store/migrations.h"

namespace astra {

struct AppliedMigration
{
    int version = 0;
    QString name;
    QString checksum;
    QString appliedAt;
};

// Brings a database to the schema this program expects, one migration per transaction.
// Refuses (changing nothing) a database that is newer than the program or whose applied
// migrations differ from the program's; a failing migration rolls back and the error names
// it and the SQL error, leaving the database at the previous version.
class Migrator
{
public:
    explicit Migrator(Database &db, QList<Migration> migrations = builtinMigrations());

    int latestVersion() const;
    Result<int> currentVersion() const;
    Result<QList<AppliedMigration>> applied() const;

    // Checks the applied migrations against the program's without changing anything.
    Status check() const;

    // Applies the pending migrations up to `targetVersion` (-1: all). Returns the version reached.
    Result<int> migrate(int targetVersion = -1);

private:
    Result<bool> hasMigrationTable() const;
    Status apply(const Migration &migration);

    Database &m_db;
    QList<Migration> m_migrations;
};

} // namespace astra
