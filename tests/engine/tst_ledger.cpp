#include "store/database.h"
#include "store/ledger.h"
#include "store/migrator.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QSqlQuery>
#include <QTest>

using namespace astra;

namespace {
struct Fixture
{
    DatabaseLocation location;
    std::optional<Database> db;
    QString segments;
};
} // namespace

class TestLedger : public QObject
{
    Q_OBJECT
private:
    // A migrated database with `count` entries appended, one per transaction.
    bool prepare(Fixture &fixture, int count)
    {
        test::resetDatabase(fixture.location);
        auto db = Database::open(fixture.location, Database::OpenMode::CreateIfMissing);
        if (!db) {
            qWarning("%s", qPrintable(db.message()));
            return false;
        }
        fixture.db.emplace(std::move(*db));
        Migrator migrator(*fixture.db);
        if (!migrator.migrate()) {
            return false;
        }
        fixture.segments = m_dir.filePath(QStringLiteral("segments-%1").arg(++m_counter));
        Ledger ledger(*fixture.db, fixture.segments);
        for (int i = 1; i <= count; ++i) {
            Status done = fixture.db->writeTransaction([&]() -> Status {
                QJsonObject meta;
                meta.insert(QStringLiteral("n"), i);
                meta.insert(QStringLiteral("text"), QStringLiteral("entry \"%1\" ünïcødé").arg(i));
                auto entry = ledger.append(LedgerRecord{QStringLiteral("tester"),
                                                        QStringLiteral("test_event"),
                                                        QStringLiteral("thing:%1").arg(i),
                                                        meta});
                return entry ? Status() : Status(entry.error());
            });
            if (!done) {
                qWarning("%s", qPrintable(done.message()));
                return false;
            }
        }
        return true;
    }

    bool exec(Fixture &fixture, const QString &sql, const QVariantList &binds = {})
    {
        auto result = fixture.db->exec(QStringLiteral("tamper"), sql, binds);
        if (!result) {
            qWarning("%s", qPrintable(result.message()));
        }
        return result.ok();
    }

    QString hashOf(Fixture &fixture, qint64 seq)
    {
        auto query =
            fixture.db->exec(QStringLiteral("hash"), QStringLiteral("SELECT hash FROM ledger WHERE seq = ?"), {seq});
        return query && query->next() ? query->value(0).toString() : QString();
    }

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

    void chainIsIntact_data()
    {
        databases_data();
    }
    void chainIsIntact()
    {
        QFETCH(DatabaseLocation, location);
        Fixture fixture{location, {}, {}};
        QVERIFY(prepare(fixture, 5));
        Ledger ledger(*fixture.db, fixture.segments);
        auto entries = ledger.entries().value();
        QCOMPARE(entries.size(), 5);
        QCOMPARE(entries.first().prevHash, QString::fromLatin1(ledgerGenesisHash));
        for (int i = 1; i < entries.size(); ++i) {
            QCOMPARE(entries.at(i).seq, entries.at(i - 1).seq + 1);
            QCOMPARE(entries.at(i).prevHash, entries.at(i - 1).hash);
            QCOMPARE(entries.at(i).hash, entries.at(i).computeHash());
        }
        auto report = ledger.verify(std::nullopt);
        QVERIFY2(report.ok(), qPrintable(report.message()));
        QVERIFY2(report->intact, qPrintable(report->problem));
        QCOMPARE(report->entriesChecked, qint64(5));
        QCOMPARE(report->head.seq, qint64(5));
        QCOMPARE(report->head.hash, entries.last().hash);
    }

    void appendOutsideTransactionIsRefused()
    {
        Fixture fixture{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("outside.db"))), {}, {}};
        QVERIFY(prepare(fixture, 0));
        Ledger ledger(*fixture.db, fixture.segments);
        auto entry = ledger.append(LedgerRecord{QStringLiteral("a"), QStringLiteral("e"), QStringLiteral("s"), {}});
        QVERIFY(!entry.ok());
        QCOMPARE(ledger.head()->seq, qint64(0));
    }

    void failedChangeLeavesNoEntry_data()
    {
        databases_data();
    }
    void failedChangeLeavesNoEntry()
    {
        QFETCH(DatabaseLocation, location);
        Fixture fixture{location, {}, {}};
        QVERIFY(prepare(fixture, 2));
        Ledger ledger(*fixture.db, fixture.segments);
        Status failed = fixture.db->writeTransaction([&]() -> Status {
            auto entry =
                ledger.append(LedgerRecord{QStringLiteral("a"), QStringLiteral("doomed"), QStringLiteral("s"), {}});
            if (!entry) {
                return entry.error();
            }
            return makeError(QStringLiteral("the change itself failed"));
        });
        QVERIFY(!failed.ok());
        QCOMPARE(ledger.head()->seq, qint64(2));
        QCOMPARE(ledger.entries()->size(), 2);
        QVERIFY(ledger.verify(std::nullopt)->intact);
    }

    void tampering_data()
    {
        QTest::addColumn<DatabaseLocation>("location");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<qint64>("firstBad");
        QTest::addColumn<QString>("mentions");
        const QStringList kinds = {QStringLiteral("edit"),
                                   QStringLiteral("edit-and-rehash"),
                                   QStringLiteral("insert"),
                                   QStringLiteral("append-forged"),
                                   QStringLiteral("delete"),
                                   QStringLiteral("delete-last"),
                                   QStringLiteral("reorder"),
                                   QStringLiteral("truncate")};
        const QList<qint64> firstBad = {3, 4, 4, 7, 3, 6, 2, 5};
        const QStringList mentions = {QStringLiteral("altered"),
                                      QStringLiteral("does not follow entry 3"),
                                      QStringLiteral("altered"),
                                      QStringLiteral("inserted"),
                                      QStringLiteral("missing"),
                                      QStringLiteral("deleted"),
                                      QStringLiteral("altered"),
                                      QStringLiteral("truncated")};
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            for (int i = 0; i < kinds.size(); ++i) {
                QTest::addRow("%s %s", qPrintable(entry.first), qPrintable(kinds.at(i)))
                    << entry.second << kinds.at(i) << firstBad.at(i) << mentions.at(i);
            }
        }
    }
    void tampering()
    {
        QFETCH(DatabaseLocation, location);
        QFETCH(QString, kind);
        QFETCH(qint64, firstBad);
        QFETCH(QString, mentions);
        Fixture fixture{location, {}, {}};
        QVERIFY(prepare(fixture, 6));
        Ledger ledger(*fixture.db, fixture.segments);
        const LedgerCheckpoint checkpoint{6, hashOf(fixture, 6), QString(), QStringLiteral("0123456789ab")};
        QVERIFY(ledger.verify(checkpoint)->intact);

        if (kind == u"edit") {
            QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger SET actor = 'mallory' WHERE seq = 3")));
        } else if (kind == u"edit-and-rehash") {
            LedgerEntry third = ledger.entries(2, 1)->first();
            third.actor = QStringLiteral("mallory");
            third.hash = third.computeHash();
            QVERIFY(exec(fixture,
                         QStringLiteral("UPDATE ledger SET actor = ?, hash = ? WHERE seq = 3"),
                         {third.actor, third.hash}));
        } else if (kind == u"insert") {
            // Make room at 3 and forge an entry there, rehashing it onto entry 2.
            for (qint64 seq = 6; seq >= 3; --seq) {
                QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger SET seq = ? WHERE seq = ?"), {seq + 1, seq}));
            }
            LedgerEntry forged;
            forged.seq = 3;
            forged.ts = QStringLiteral("2026-01-01T00:00:00.000Z");
            forged.actor = QStringLiteral("mallory");
            forged.event = QStringLiteral("goal_approved");
            forged.subject = QStringLiteral("goal:1");
            forged.prevHash = hashOf(fixture, 2);
            forged.hash = forged.computeHash();
            QVERIFY(exec(
                fixture,
                QStringLiteral("INSERT INTO ledger (seq, ts, actor, event, subject, meta, prev_hash, hash) "
                               "VALUES (?, ?, ?, ?, ?, '{}', ?, ?)"),
                {forged.seq, forged.ts, forged.actor, forged.event, forged.subject, forged.prevHash, forged.hash}));
        } else if (kind == u"append-forged") {
            LedgerEntry forged;
            forged.seq = 7;
            forged.ts = QStringLiteral("2026-01-01T00:00:00.000Z");
            forged.actor = QStringLiteral("mallory");
            forged.event = QStringLiteral("goal_approved");
            forged.subject = QStringLiteral("goal:1");
            forged.prevHash = hashOf(fixture, 6);
            forged.hash = forged.computeHash();
            QVERIFY(exec(
                fixture,
                QStringLiteral("INSERT INTO ledger (seq, ts, actor, event, subject, meta, prev_hash, hash) "
                               "VALUES (?, ?, ?, ?, ?, '{}', ?, ?)"),
                {forged.seq, forged.ts, forged.actor, forged.event, forged.subject, forged.prevHash, forged.hash}));
        } else if (kind == u"delete") {
            QVERIFY(exec(fixture, QStringLiteral("DELETE FROM ledger WHERE seq = 3")));
        } else if (kind == u"delete-last") {
            QVERIFY(exec(fixture, QStringLiteral("DELETE FROM ledger WHERE seq = 6")));
        } else if (kind == u"reorder") {
            // Swap the contents of entries 2 and 3 (their seq columns stay in order).
            QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger SET seq = 100 WHERE seq = 2")));
            QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger SET seq = 2 WHERE seq = 3")));
            QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger SET seq = 3 WHERE seq = 100")));
        } else if (kind == u"truncate") {
            // Drop the last two entries and make the head agree: only the checkpoint can tell.
            const QString hash4 = hashOf(fixture, 4);
            QVERIFY(exec(fixture, QStringLiteral("DELETE FROM ledger WHERE seq > 4")));
            QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger_head SET seq = 4, hash = ? WHERE id = 1"), {hash4}));
            auto withoutCheckpoint = ledger.verify(std::nullopt);
            QVERIFY(withoutCheckpoint->intact); // undetectable from the table alone
        }

        auto report = ledger.verify(checkpoint);
        QVERIFY2(report.ok(), qPrintable(report.message()));
        QVERIFY2(!report->intact, qPrintable(kind));
        QCOMPARE(report->firstBadSeq, firstBad);
        QVERIFY2(report->problem.contains(mentions), qPrintable(report->problem));
    }

    void rewrittenAfterCheckpoint()
    {
        Fixture fixture{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("rewrite.db"))), {}, {}};
        QVERIFY(prepare(fixture, 4));
        Ledger ledger(*fixture.db, fixture.segments);
        const LedgerCheckpoint checkpoint{3, QString(64, u'a'), QString(), QStringLiteral("cafebabe0000")};
        auto report = ledger.verify(checkpoint);
        QVERIFY(!report->intact);
        QCOMPARE(report->firstBadSeq, qint64(3));
        QVERIFY(report->problem.contains(QStringLiteral("checkpoint")));
    }

    // Every checkpoint in the ref's history is compared, not only the newest: a ledger rewritten
    // from entry 2 on and re-checkpointed at its end still differs from the older checkpoint.
    void everyCheckpointIsCompared()
    {
        Fixture fixture{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("history.db"))), {}, {}};
        QVERIFY(prepare(fixture, 6));
        Ledger ledger(*fixture.db, fixture.segments);
        const LedgerCheckpoint older{3, hashOf(fixture, 3), QString(), QStringLiteral("333333333333")};

        // Rewrite entry 2 and rehash the chain after it, as someone who knows the scheme would.
        QList<LedgerEntry> entries = ledger.entries(0, -1).value();
        entries[1].actor = QStringLiteral("mallory");
        for (qsizetype i = 1; i < entries.size(); ++i) {
            entries[i].prevHash = entries.at(i - 1).hash;
            entries[i].hash = entries.at(i).computeHash();
            QVERIFY(exec(fixture,
                         QStringLiteral("UPDATE ledger SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?"),
                         {entries.at(i).actor, entries.at(i).prevHash, entries.at(i).hash, entries.at(i).seq}));
        }
        QVERIFY(exec(fixture, QStringLiteral("UPDATE ledger_head SET hash = ? WHERE id = 1"), {entries.last().hash}));
        const LedgerCheckpoint forged{6, entries.last().hash, QString(), QStringLiteral("666666666666")};
        QVERIFY(ledger.verify(forged)->intact); // the newest alone cannot tell

        LedgerAnchors anchors;
        anchors.history = {forged, older};
        auto report = ledger.verify(anchors);
        QVERIFY(!report->intact);
        QCOMPARE(report->firstBadSeq, qint64(3));
        QVERIFY2(report->problem.contains(QStringLiteral("333333333333")), qPrintable(report->problem));
        QCOMPARE(report->checkpointsChecked, 2);

        // A recorded checkpoint that is in the history and agrees passes; the lag is counted.
        Fixture clean{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("history-clean.db"))), {}, {}};
        QVERIFY(prepare(clean, 6));
        Ledger cleanLedger(*clean.db, clean.segments);
        LedgerAnchors honest;
        honest.history = {LedgerCheckpoint{3, hashOf(clean, 3), QString(), QStringLiteral("333333333333")}};
        honest.recorded = honest.history.first();
        auto fine = cleanLedger.verify(honest);
        QVERIFY2(fine->intact, qPrintable(fine->problem));
        QCOMPARE(fine->unanchoredEntries, qint64(3));
    }

    void archiveContinuesTheChain_data()
    {
        databases_data();
    }
    void archiveContinuesTheChain()
    {
        QFETCH(DatabaseLocation, location);
        Fixture fixture{location, {}, {}};
        QVERIFY(prepare(fixture, 10));
        Ledger ledger(*fixture.db, fixture.segments);
        auto segment = ledger.archive(6, QStringLiteral("archivist"));
        QVERIFY2(segment.ok(), qPrintable(segment.message()));
        QCOMPARE(segment->firstSeq, qint64(1));
        QCOMPARE(segment->lastSeq, qint64(6));
        QVERIFY(QFile::exists(QDir(fixture.segments).filePath(segment->fileName)));

        auto remaining = ledger.entries().value();
        QCOMPARE(remaining.size(), 5); // 7..10 and the ledger_archived entry
        QCOMPARE(remaining.first().seq, qint64(7));
        QCOMPARE(remaining.first().prevHash, segment->lastHash);
        QCOMPARE(remaining.last().event, QStringLiteral("ledger_archived"));

        auto report = ledger.verify(std::nullopt);
        QVERIFY2(report->intact, qPrintable(report->problem));
        QCOMPARE(report->entriesChecked, qint64(11));
        QCOMPARE(report->archivedEntries, qint64(6));

        // A second archive continues from where the first ended.
        auto second = ledger.archive(9, QStringLiteral("archivist"));
        QVERIFY2(second.ok(), qPrintable(second.message()));
        QCOMPARE(second->firstSeq, qint64(7));
        QVERIFY(ledger.verify(std::nullopt)->intact);

        // Export holds every entry, archived ones first, as canonical JSON lines.
        const QString exportFile = m_dir.filePath(QStringLiteral("export-%1.jsonl").arg(++m_counter));
        QVERIFY(ledger.exportTo(exportFile).ok());
        QFile file(exportFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 12);
        for (int i = 0; i < lines.size(); ++i) {
            auto entry = LedgerEntry::fromJsonLine(lines.at(i), QStringLiteral("export"));
            QVERIFY(entry.ok());
            QCOMPARE(entry->seq, qint64(i + 1));
            QCOMPARE(entry->hash, entry->computeHash());
            QCOMPARE(entry->toJsonLine(), lines.at(i));
        }

        // Nothing to archive is an error that changes nothing.
        auto nothing = ledger.archive(3, QStringLiteral("archivist"));
        QVERIFY(!nothing.ok());
        QCOMPARE(ledger.segments()->size(), 2);
    }

    void editedSegmentIsCaught()
    {
        Fixture fixture{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("segment-edit.db"))), {}, {}};
        QVERIFY(prepare(fixture, 5));
        Ledger ledger(*fixture.db, fixture.segments);
        auto segment = ledger.archive(3, QStringLiteral("archivist"));
        QVERIFY(segment.ok());
        const QString path = QDir(fixture.segments).filePath(segment->fileName);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadWrite));
        QByteArray content = file.readAll();
        content.replace("tester", "mallor");
        file.seek(0);
        file.write(content);
        file.close();
        auto report = ledger.verify(std::nullopt);
        QVERIFY(!report->intact);
        QCOMPARE(report->firstBadSeq, qint64(1));
        QVERIFY2(report->problem.contains(QStringLiteral("modified")), qPrintable(report->problem));

        QVERIFY(QFile::remove(path));
        report = ledger.verify(std::nullopt);
        QVERIFY(!report->intact);
        QVERIFY2(report->problem.contains(QStringLiteral("missing")), qPrintable(report->problem));
    }

    void archiveRollsBackWhenTheDatabaseFails()
    {
        Fixture fixture{DatabaseLocation::sqliteFile(m_dir.filePath(QStringLiteral("archive-fail.db"))), {}, {}};
        QVERIFY(prepare(fixture, 5));
        Ledger ledger(*fixture.db, fixture.segments);
        // A segment row that collides with the file name the archive will use.
        QVERIFY(exec(fixture,
                     QStringLiteral("INSERT INTO ledger_segments (first_seq, last_seq, first_prev_hash, last_hash, "
                                    "file_name, file_sha256, entries, created_at) VALUES (100, 100, 'x', 'y', "
                                    "'ledger-000000000001-000000000003.jsonl', 'z', 1, 'now')")));
        auto segment = ledger.archive(3, QStringLiteral("archivist"));
        QVERIFY(!segment.ok());
        QCOMPARE(ledger.entries()->size(), 5); // nothing moved
        QVERIFY(
            !QFile::exists(QDir(fixture.segments).filePath(QStringLiteral("ledger-000000000001-000000000003.jsonl"))));
        QCOMPARE(ledger.head()->seq, qint64(5));
    }

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
};

QTEST_GUILESS_MAIN(TestLedger)
#include "tst_ledger.moc"
