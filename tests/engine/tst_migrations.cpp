#include "store/database.h"
#include "store/migrator.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace astra;

namespace {
// Table -> sorted column names, the observable schema.
QMap<QString, QStringList> schemaOf(Database &db)
{
    QMap<QString, QStringList> schema;
    auto tables = db.exec(QStringLiteral("list"), db.dialect().listTablesSql());
    if (!tables) {
        return schema;
    }
    QStringList names;
    while (tables->next()) {
        names.append(tables->value(0).toString());
    }
    for (const QString &table : std::as_const(names)) {
        const QSqlRecord record = db.connection().record(table);
        QStringList columns;
        for (int i = 0; i < record.count(); ++i) {
            columns.append(record.fieldName(i).toLower());
        }
        columns.sort();
        schema.insert(table, columns);
    }
    return schema;
}

Migration brokenMigration(int version)
{
    return Migration{version,
                     QStringLiteral("broken"),
                     {QStringLiteral("CREATE TABLE half_done (a INTEGER)"),
                      QStringLiteral("INSERT INTO half_done (a) VALUES (1)"),
                      QStringLiteral("CREATE TABLE oops (")}};
}
} // namespace

class TestMigrations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
    }

    void databases_data()
    {
        QTest::addColumn<DatabaseLocation>("location");
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            QTest::newRow(qPrintable(entry.first)) << entry.second;
        }
    }

    void fromEmpty_data()
    {
        databases_data();
    }
    void fromEmpty()
    {
        QFETCH(DatabaseLocation, location);
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY2(db.ok(), qPrintable(db.message()));
        Migrator migrator(*db);
        QCOMPARE(migrator.currentVersion().value(), 0);
        auto reached = migrator.migrate();
        QVERIFY2(reached.ok(), qPrintable(reached.message()));
        QCOMPARE(*reached, migrator.latestVersion());
        QVERIFY(migrator.latestVersion() >= 2);

        const QStringList expectedTables = {QStringLiteral("goals"),
                                            QStringLiteral("hunk_decisions"),
                                            QStringLiteral("ledger"),
                                            QStringLiteral("ledger_checkpoints"),
                                            QStringLiteral("ledger_head"),
                                            QStringLiteral("ledger_segments"),
                                            QStringLiteral("modification_files"),
                                            QStringLiteral("modifications"),
                                            QStringLiteral("plan_nodes"),
                                            QStringLiteral("plans"),
                                            QStringLiteral("proposals"),
                                            QStringLiteral("review_assignments"),
                                            QStringLiteral("review_comments"),
                                            QStringLiteral("reviews"),
                                            QStringLiteral("revisions"),
                                            QStringLiteral("schema_migrations"),
                                            QStringLiteral("task_runs"),
                                            QStringLiteral("tasks"),
                                            QStringLiteral("test_results")};
        const auto schema = schemaOf(*db);
        QCOMPARE(schema.keys(), expectedTables);
        for (const QString &table : {QStringLiteral("goals"),
                                     QStringLiteral("modifications"),
                                     QStringLiteral("tasks"),
                                     QStringLiteral("plans")}) {
            QVERIFY2(schema.value(table).contains(QStringLiteral("version")), qPrintable(table));
            QVERIFY2(schema.value(table).contains(QStringLiteral("updated_at")), qPrintable(table));
        }
        QVERIFY(schema.value(QStringLiteral("goals")).contains(QStringLiteral("fingerprint")));
        QVERIFY(schema.value(QStringLiteral("goals")).contains(QStringLiteral("auto_approved")));
        QVERIFY(schema.value(QStringLiteral("tasks")).contains(QStringLiteral("lease_until")));
        QVERIFY(schema.value(QStringLiteral("reviews")).contains(QStringLiteral("withdrawn")));

        // Applied migrations carry the program's checksums; a second run changes nothing.
        const auto applied = migrator.applied().value();
        QCOMPARE(applied.size(), migrator.latestVersion());
        const auto ours = builtinMigrations();
        for (int i = 0; i < applied.size(); ++i) {
            QCOMPARE(applied.at(i).checksum, ours.at(i).checksum());
        }
        QCOMPARE(migrator.migrate().value(), migrator.latestVersion());
        test::resetDatabase(location);
    }

    void fromEveryEarlierVersion_data()
    {
        QTest::addColumn<DatabaseLocation>("location");
        QTest::addColumn<int>("start");
        const int latest = int(builtinMigrations().size());
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            for (int start = 0; start < latest; ++start) {
                QTest::addRow("%s from %d", qPrintable(entry.first), start) << entry.second << start;
            }
        }
    }
    void fromEveryEarlierVersion()
    {
        QFETCH(DatabaseLocation, location);
        QFETCH(int, start);
        test::resetDatabase(location);
        QMap<QString, QStringList> freshSchema;
        {
            auto fresh = Database::open(location, Database::OpenMode::CreateIfMissing);
            QVERIFY2(fresh.ok(), qPrintable(fresh.message()));
            Migrator migrator(*fresh);
            QVERIFY(migrator.migrate().ok());
            freshSchema = schemaOf(*fresh);
        }
        test::resetDatabase(location);

        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY2(db.ok(), qPrintable(db.message()));
        Migrator migrator(*db);
        QCOMPARE(migrator.migrate(start).value(), start);
        QCOMPARE(migrator.currentVersion().value(), start);
        if (start >= 1) {
            // Data written at the old version survives the upgrade.
            auto inserted = db->exec(QStringLiteral("seed"),
                                     QStringLiteral("INSERT INTO goals (kind, title, state, source, created_by, "
                                                    "fingerprint, created_at, updated_at) VALUES ('user-request', "
                                                    "'kept', 'proposed', 'user', 'test', 'f', 'now', 'now')"));
            QVERIFY2(inserted.ok(), qPrintable(inserted.message()));
        }
        auto reached = migrator.migrate();
        QVERIFY2(reached.ok(), qPrintable(reached.message()));
        QCOMPARE(*reached, migrator.latestVersion());
        QCOMPARE(schemaOf(*db), freshSchema);
        if (start >= 1) {
            auto kept = db->exec(QStringLiteral("check"), QStringLiteral("SELECT title FROM goals"));
            QVERIFY(kept.ok() && kept->next());
            QCOMPARE(kept->value(0).toString(), QStringLiteral("kept"));
        }
        test::resetDatabase(location);
    }

    // A modification made before revisions existed has its commit as revision 1 afterwards.
    void revisionsAreBackfilled_data()
    {
        databases_data();
    }
    void revisionsAreBackfilled()
    {
        QFETCH(DatabaseLocation, location);
        test::resetDatabase(location);
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY2(db.ok(), qPrintable(db.message()));
        Migrator migrator(*db);
        QCOMPARE(migrator.migrate(6).value(), 6);
        for (const QString &sql :
             {QStringLiteral("INSERT INTO goals (kind, title, state, source, created_by, fingerprint, created_at, "
                             "updated_at) VALUES ('user-request', 'g', 'awaiting_review', 'user', 'test', 'f', 'now', "
                             "'now')"),
              QStringLiteral("INSERT INTO modifications (goal_id, status, title, branch, target_branch, base_commit, "
                             "head_commit, created_at, updated_at) VALUES (1, 'awaiting_approval', 'm', "
                             "'astra/goal-1-1', 'main', 'b0', 'h1', 't0', 't0')"),
              QStringLiteral("INSERT INTO modifications (goal_id, status, title, branch, target_branch, base_commit, "
                             "created_at, updated_at) VALUES (1, 'pending', 'unwritten', '', 'main', 'b0', 't0', "
                             "'t0')")}) {
            auto done = db->exec(QStringLiteral("seed"), sql);
            QVERIFY2(done.ok(), qPrintable(done.message()));
        }
        QCOMPARE(migrator.migrate().value(), migrator.latestVersion());
        auto rows = db->exec(QStringLiteral("check"),
                             QStringLiteral("SELECT modification_id, number, commit_id, base_commit, origin FROM "
                                            "revisions ORDER BY id"));
        QVERIFY(rows.ok());
        QVERIFY(rows->next());
        QCOMPARE(rows->value(0).toLongLong(), qint64(1));
        QCOMPARE(rows->value(1).toInt(), 1);
        QCOMPARE(rows->value(2).toString(), QStringLiteral("h1"));
        QCOMPARE(rows->value(3).toString(), QStringLiteral("b0"));
        QCOMPARE(rows->value(4).toString(), QStringLiteral("import"));
        QVERIFY(!rows->next()); // a modification without a commit has no revision
        test::resetDatabase(location);
    }

    void failingMigrationLeavesPreviousVersion_data()
    {
        databases_data();
    }
    void failingMigrationLeavesPreviousVersion()
    {
        QFETCH(DatabaseLocation, location);
        test::resetDatabase(location);
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY2(db.ok(), qPrintable(db.message()));
        QList<Migration> migrations = builtinMigrations();
        const int previous = int(migrations.size());
        migrations.append(brokenMigration(previous + 1));
        Migrator migrator(*db, migrations);
        const auto before = [&] {
            Migrator ours(*db);
            return ours.migrate();
        }();
        QVERIFY(before.ok());
        const auto schemaBefore = schemaOf(*db);

        auto reached = migrator.migrate();
        QVERIFY(!reached.ok());
        const QString message = reached.message();
        QVERIFY2(message.contains(QStringLiteral("%1 broken").arg(previous + 1, 4, 10, QLatin1Char('0'))),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("statement 3")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("version %1").arg(previous)), qPrintable(message));
        QCOMPARE(migrator.currentVersion().value(), previous);
        QCOMPARE(schemaOf(*db), schemaBefore); // half_done was rolled back
        test::resetDatabase(location);
    }

    void failingFirstMigrationLeavesEmptyDatabase()
    {
        const DatabaseLocation location =
            DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("first-fails.db")));
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        Migrator migrator(*db, {brokenMigration(1)});
        QVERIFY(!migrator.migrate().ok());
        QCOMPARE(migrator.currentVersion().value(), 0);
        QVERIFY(schemaOf(*db).isEmpty()); // not even schema_migrations is left behind
    }

    void newerDatabaseIsRefused_data()
    {
        databases_data();
    }
    void newerDatabaseIsRefused()
    {
        QFETCH(DatabaseLocation, location);
        test::resetDatabase(location);
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        QList<Migration> future = builtinMigrations();
        future.append(Migration{int(future.size()) + 1,
                                QStringLiteral("future"),
                                {QStringLiteral("CREATE TABLE from_the_future (a INTEGER)")}});
        Migrator newer(*db, future);
        QVERIFY(newer.migrate().ok());

        Migrator ours(*db);
        auto refused = ours.migrate();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Refused);
        QVERIFY2(refused.message().contains(QStringLiteral("newer")), qPrintable(refused.message()));
        QCOMPARE(ours.currentVersion().value(), int(future.size()));
        test::resetDatabase(location);
    }

    void checksumMismatchIsRefused_data()
    {
        databases_data();
    }
    void checksumMismatchIsRefused()
    {
        QFETCH(DatabaseLocation, location);
        test::resetDatabase(location);
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        QList<Migration> changed = builtinMigrations();
        changed.first().statements.append(QStringLiteral("CREATE TABLE sneaky (a INTEGER)"));
        Migrator other(*db, changed);
        QVERIFY(other.migrate().ok());

        Migrator ours(*db);
        auto refused = ours.migrate();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Refused);
        QVERIFY2(refused.message().contains(QStringLiteral("0001 domain")), qPrintable(refused.message()));
        QVERIFY2(refused.message().contains(QStringLiteral("checksum")), qPrintable(refused.message()));
        test::resetDatabase(location);
    }

    void missingSqliteFileIsNotCreated()
    {
        const QString path = m_dir.filePath(QStringLiteral("absent/state.db"));
        auto db = Database::open(DatabaseLocation::sqliteFile(path));
        QVERIFY(!db.ok());
        QCOMPARE(db.error().kind, ErrorKind::NotFound);
        QVERIFY2(db.message().contains(QStringLiteral("astra init")), qPrintable(db.message()));
        QVERIFY(!QFile::exists(path));
    }

    void sqliteConnectionSettings()
    {
        const DatabaseLocation location = DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("pragmas.db")));
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY(db.ok());
        auto mode = db->exec(QStringLiteral("pragma"), QStringLiteral("PRAGMA journal_mode"));
        QVERIFY(mode.ok() && mode->next());
        QCOMPARE(mode->value(0).toString(), QStringLiteral("wal"));
        auto keys = db->exec(QStringLiteral("pragma"), QStringLiteral("PRAGMA foreign_keys"));
        QVERIFY(keys.ok() && keys->next());
        QCOMPARE(keys->value(0).toInt(), 1);
        auto timeout = db->exec(QStringLiteral("pragma"), QStringLiteral("PRAGMA busy_timeout"));
        QVERIFY(timeout.ok() && timeout->next());
        QVERIFY(timeout->value(0).toInt() >= 5000);
    }

    void databaseUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("display");
        QTest::addRow("path") << QStringLiteral("/tmp/x/state.db") << true << QStringLiteral("/tmp/x/state.db");
        QTest::addRow("sqlite url") << QStringLiteral("sqlite:///tmp/y.db") << true << QStringLiteral("/tmp/y.db");
        QTest::addRow("postgresql") << QStringLiteral("postgresql://alice:secret@db.example:6543/astra") << true
                                    << QStringLiteral("postgresql://alice@db.example:6543/astra");
        QTest::addRow("postgres alias") << QStringLiteral("postgres://bob@localhost/q") << true
                                        << QStringLiteral("postgresql://bob@localhost:5432/q");
        QTest::addRow("no database") << QStringLiteral("postgresql://alice@host:5432/") << false << QString();
        QTest::addRow("mysql") << QStringLiteral("mysql://x/y") << false << QString();
        QTest::addRow("empty") << QString() << false << QString();
    }
    void databaseUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QFETCH(QString, display);
        auto location = DatabaseLocation::parse(url);
        QCOMPARE(location.ok(), ok);
        if (ok) {
            QCOMPARE(location->displayName(), display);
            QVERIFY(!location->displayName().contains(QStringLiteral("secret")));
        } else {
            QVERIFY(location.message().contains(QStringLiteral("--db")));
        }
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
