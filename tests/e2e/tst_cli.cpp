#include "store/migrations.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace astra;
using test::Run;
using test::runAstra;

namespace {
QJsonDocument json(const Run &run)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), qPrintable(run.out));
    }
    return document;
}

QString describe(const Run &run, int expected)
{
    return QStringLiteral("exit %1, expected %2\nstdout: %3\nstderr: %4")
        .arg(run.exitCode)
        .arg(expected)
        .arg(run.out, run.err);
}

// Evaluates `expression` (a program run) exactly once.
#define VERIFY_RUN(expression, code)                                                                                   \
    do {                                                                                                               \
        const Run verified_ = (expression);                                                                            \
        QVERIFY2(verified_.exitCode == (code), qPrintable(describe(verified_, (code))));                               \
    } while (false)

// Runs SQL on a workspace's SQLite state behind the program's back.
bool tamper(const QString &dbPath, const QStringList &statements)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tamper"));
        db.setDatabaseName(dbPath);
        ok = db.open();
        for (const QString &sql : statements) {
            QSqlQuery query(db);
            ok = ok && query.exec(sql);
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tamper"));
    return ok;
}
} // namespace

class TestCli : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<test::TempRepo> initialisedRepo()
    {
        auto repo = std::make_unique<test::TempRepo>();
        repo->write(QStringLiteral("CMakeLists.txt"), "project(x)\n");
        repo->write(QStringLiteral("src/main.cpp"), "int main() {}\n");
        repo->commitAll(QStringLiteral("initial"));
        const Run init = runAstra({QStringLiteral("init")}, repo->path());
        if (init.exitCode != 0) {
            qWarning("init failed: %s", qPrintable(init.err));
        }
        return repo;
    }

    // `count` goals added with `astra goal add`, each a decision with its checkpoint.
    bool addGoals(const QString &path, int count)
    {
        for (int i = 0; i < count; ++i) {
            const Run run =
                runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("goal %1").arg(i)}, path);
            if (run.exitCode != 0) {
                qWarning("goal add failed: %s", qPrintable(run.err));
                return false;
            }
        }
        return true;
    }

private Q_SLOTS:
    void version()
    {
        const Run run = runAstra({QStringLiteral("--version")});
        VERIFY_RUN(run, 0);
        QVERIFY(run.out.startsWith(QStringLiteral("astra ")));
        QVERIFY(run.out.contains(QStringLiteral("Qt ")));
        QVERIFY(run.out.contains(QStringLiteral("libgit2 1.")));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("nothing") << QStringList{} << QStringLiteral("Usage");
        QTest::addRow("negative id") << QStringList{QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("-1")}
                                     << QStringLiteral("positive numbers, got '-1'");
        QTest::addRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << QStringLiteral("frobnicate");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("status"), QStringLiteral("--frob")}
                                        << QStringLiteral("frob");
        QTest::addRow("bad state") << QStringList{QStringLiteral("goals"),
                                                  QStringLiteral("--state"),
                                                  QStringLiteral("done")}
                                   << QStringLiteral("awaiting_review");
        QTest::addRow("bad id") << QStringList{QStringLiteral("goal"), QStringLiteral("show"), QStringLiteral("seven")}
                                << QStringLiteral("seven");
        QTest::addRow("option not for command") << QStringList{QStringLiteral("goal"),
                                                               QStringLiteral("show"),
                                                               QStringLiteral("1"),
                                                               QStringLiteral("--reason"),
                                                               QStringLiteral("x")}
                                                << QStringLiteral("--reason");
        QTest::addRow("goal add without text")
            << QStringList{QStringLiteral("goal"), QStringLiteral("add")} << QStringLiteral("text");
        QTest::addRow("two texts") << QStringList{QStringLiteral("goal"),
                                                  QStringLiteral("add"),
                                                  QStringLiteral("a"),
                                                  QStringLiteral("b")}
                                   << QStringLiteral("--files");
        QTest::addRow("ledger sub") << QStringList{QStringLiteral("ledger"), QStringLiteral("burn")}
                                    << QStringLiteral("burn");
        QTest::addRow("archive without through")
            << QStringList{QStringLiteral("ledger"), QStringLiteral("archive")} << QStringLiteral("--through");
        QTest::addRow("propose without source") << QStringList{QStringLiteral("propose")} << QStringLiteral("--patch");
        QTest::addRow("propose with both") << QStringList{QStringLiteral("propose"),
                                                          QStringLiteral("--patch"),
                                                          QStringLiteral("x"),
                                                          QStringLiteral("--branch"),
                                                          QStringLiteral("y")}
                                           << QStringLiteral("exactly one");
        QTest::addRow("mods bad state") << QStringList{QStringLiteral("mods"),
                                                       QStringLiteral("--state"),
                                                       QStringLiteral("done")}
                                        << QStringLiteral("awaiting_approval");
        QTest::addRow("mod unknown") << QStringList{QStringLiteral("mod"), QStringLiteral("frob"), QStringLiteral("1")}
                                     << QStringLiteral("frob");
        QTest::addRow("mod merge reason") << QStringList{QStringLiteral("mod"),
                                                         QStringLiteral("merge"),
                                                         QStringLiteral("1"),
                                                         QStringLiteral("--reason"),
                                                         QStringLiteral("x")}
                                          << QStringLiteral("--reason");
        QTest::addRow("prune negative") << QStringList{QStringLiteral("prune"),
                                                       QStringLiteral("--older-than"),
                                                       QStringLiteral("-1")}
                                        << QStringLiteral("--older-than");
        QTest::addRow("empty db") << QStringList{QStringLiteral("--db="), QStringLiteral("status")}
                                  << QStringLiteral("--db");
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Run run = runAstra(args, QDir::tempPath());
        VERIFY_RUN(run, 2);
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    }

    // Inputs that never end are cut at the limit, with a message, instead of filling memory.
    void endlessInputsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addRow("hddl") << QStringList{QStringLiteral("hddl"),
                                             QStringLiteral("check"),
                                             QStringLiteral("/dev/zero")};
        QTest::addRow("patch") << QStringList{QStringLiteral("propose"),
                                              QStringLiteral("--patch"),
                                              QStringLiteral("/dev/zero")};
    }
    void endlessInputsAreRefused()
    {
        QFETCH(QStringList, args);
        const Run run = runAstra(args, QDir::tempPath());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("larger than 64 MiB")), qPrintable(run.err));
    }

    void initOutsideRepository()
    {
        QTemporaryDir dir;
        const Run run = runAstra({QStringLiteral("init")}, dir.path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("not inside a git repository")), qPrintable(run.err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral(".astra.toml"))));
    }

    void initWritesConfigAndState()
    {
        test::TempRepo repo;
        repo.write(QStringLiteral("CMakeLists.txt"), "project(x)\n");
        repo.commitAll(QStringLiteral("initial"));
        const Run run = runAstra({QStringLiteral("init"), QStringLiteral("--json")}, repo.path());
        VERIFY_RUN(run, 0);
        const QJsonObject object = json(run).object();
        QCOMPARE(object.value(QStringLiteral("config_written")).toBool(), true);
        // A fresh export has no build folder: the guess configures and builds, then runs ctest.
        QVERIFY(
            object.value(QStringLiteral("test_command")).toString().startsWith(QStringLiteral("cmake -S . -B build")));
        QCOMPARE(object.value(QStringLiteral("target_branch")).toString(), QStringLiteral("main"));
        QVERIFY(QFile::exists(repo.file(QStringLiteral(".astra.toml"))));
        QVERIFY(QFile::exists(repo.file(QStringLiteral(".git/astra/state.db"))));
        // The user's HEAD and index are untouched; the config is left for them to commit.
        QCOMPARE(repo.git({QStringLiteral("status"), QStringLiteral("--porcelain")}).trimmed(),
                 QStringLiteral("?? .astra.toml"));

        const Run again = runAstra({QStringLiteral("init")}, repo.path());
        VERIFY_RUN(again, 0);
        QVERIFY(again.out.contains(QStringLiteral("Kept")));
    }

    void initRefusesBrokenConfig()
    {
        test::TempRepo repo;
        repo.write(QStringLiteral(".astra.toml"), "[tests]\ntimeout_s = \"ten\"\n");
        const Run run = runAstra({QStringLiteral("init")}, repo.path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral(".astra.toml:2")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("tests.timeout_s")), qPrintable(run.err));
        QVERIFY(!QFile::exists(repo.file(QStringLiteral(".git/astra/state.db"))));
    }

    // The test command `astra init` guesses for a CMake project runs on a fresh export of the
    // change, which has no build folder: it configures and builds first. A project without
    // tests does not pass: the run says that no test ran, and `astra run` fails.
    void initGuessTestsAFreshExport_data()
    {
        QTest::addColumn<QByteArray>("cmake");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("with a test") << QByteArray("add_test(NAME ok COMMAND true)\n") << 0
                                     << QStringLiteral("awaiting_approval") << QString();
        QTest::addRow("without tests") << QByteArray() << 1 << QStringLiteral("tests_failed")
                                       << QStringLiteral("No test ran");
    }
    void initGuessTestsAFreshExport()
    {
        QFETCH(QByteArray, cmake);
        QFETCH(int, exitCode);
        QFETCH(QString, status);
        QFETCH(QString, mentions);
        test::TempRepo repo;
        repo.write(QStringLiteral("CMakeLists.txt"),
                   "cmake_minimum_required(VERSION 3.16)\nproject(x NONE)\nenable_testing()\n" + cmake);
        repo.write(QStringLiteral("README.md"), "x\n");
        repo.commitAll(QStringLiteral("initial"));
        VERIFY_RUN(runAstra({QStringLiteral("init")}, repo.path()), 0);
        repo.commitAll(QStringLiteral("astra configuration"));
        QTemporaryDir dir;
        const QString patch = dir.filePath(QStringLiteral("readme.diff"));
        QFile file(patch);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-x\n+y\n");
        file.close();
        VERIFY_RUN(runAstra({QStringLiteral("propose"), QStringLiteral("--patch"), patch}, repo.path()), 0);
        const Run run = runAstra({QStringLiteral("run")}, repo.path());
        VERIFY_RUN(run, exitCode);
        QVERIFY2(run.out.contains(QStringLiteral("Modification 1: ") + status), qPrintable(run.out));
        if (!mentions.isEmpty()) {
            QVERIFY2(run.out.contains(mentions), qPrintable(run.out));
        }
    }

    void commandsBeforeInit()
    {
        test::TempRepo repo;
        const Run run = runAstra({QStringLiteral("status")}, repo.path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("astra init")), qPrintable(run.err));
        QVERIFY(!QFile::exists(repo.file(QStringLiteral(".git/astra/state.db"))));
    }

    void goalsEndToEnd()
    {
        auto repo = initialisedRepo();
        const QString path = repo->path();
        Run run = runAstra({QStringLiteral("goal"),
                            QStringLiteral("add"),
                            QStringLiteral("Make main return 0"),
                            QStringLiteral("--files"),
                            QStringLiteral("src/main.cpp"),
                            QStringLiteral("--json")},
                           path);
        VERIFY_RUN(run, 0);
        const QJsonObject goal = json(run).object();
        const int id = goal.value(QStringLiteral("id")).toInt();
        QVERIFY(id > 0);
        QCOMPARE(goal.value(QStringLiteral("state")).toString(), QStringLiteral("proposed"));
        QCOMPARE(goal.value(QStringLiteral("evidence")).toObject().value(QStringLiteral("files")).toArray().size(), 1);

        run = runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("Second")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY(run.out.contains(QStringLiteral("Added goal")));

        run = runAstra({QStringLiteral("--repo"), path, QStringLiteral("goals"), QStringLiteral("--json")},
                       QDir::tempPath());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 2);
        for (const QJsonValue &value : json(run).array()) {
            QVERIFY(value.toObject().contains(QStringLiteral("id")));
        }

        run = runAstra({QStringLiteral("goal"), QStringLiteral("approve"), QString::number(id)}, path);
        VERIFY_RUN(run, 0);
        QVERIFY(run.out.contains(QStringLiteral("active")));

        run = runAstra(
            {QStringLiteral("goals"), QStringLiteral("--state"), QStringLiteral("active"), QStringLiteral("--json")},
            path);
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 1);
        QCOMPARE(json(run).array().first().toObject().value(QStringLiteral("id")).toInt(), id);

        // Approving twice is refused with the legal next states.
        run = runAstra({QStringLiteral("goal"), QStringLiteral("approve"), QString::number(id)}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(
                     QStringLiteral("Legal next states from 'active': planned, awaiting_review, failed, abandoned")),
                 qPrintable(run.err));

        // Rejecting says why.
        run = runAstra({QStringLiteral("goal"), QStringLiteral("reject"), QString::number(id + 1)}, path);
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains(QStringLiteral("--reason")), qPrintable(run.err));
        run = runAstra({QStringLiteral("goal"),
                        QStringLiteral("reject"),
                        QString::number(id + 1),
                        QStringLiteral("--reason"),
                        QStringLiteral("not now")},
                       path);
        VERIFY_RUN(run, 0);
        run = runAstra({QStringLiteral("goal"),
                        QStringLiteral("abandon"),
                        QString::number(id + 1),
                        QStringLiteral("--reason"),
                        QStringLiteral("done")},
                       path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("none: 'rejected' is final")), qPrintable(run.err));

        run = runAstra(
            {QStringLiteral("goal"), QStringLiteral("show"), QString::number(id + 1), QStringLiteral("--json")},
            path);
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).object().value(QStringLiteral("state")).toString(), QStringLiteral("rejected"));
        QCOMPARE(json(run).object().value(QStringLiteral("state_reason")).toString(), QStringLiteral("not now"));

        run = runAstra({QStringLiteral("goal"), QStringLiteral("show"), QStringLiteral("4242")}, path);
        VERIFY_RUN(run, 1);
        QVERIFY(run.err.contains(QStringLiteral("4242")));

        run = runAstra({QStringLiteral("status"), QStringLiteral("--json")}, path);
        VERIFY_RUN(run, 0);
        const QJsonObject status = json(run).object();
        QCOMPARE(status.value(QStringLiteral("goals")).toObject().value(QStringLiteral("active")).toInt(), 1);
        QCOMPARE(status.value(QStringLiteral("goals")).toObject().value(QStringLiteral("rejected")).toInt(), 1);
        QCOMPARE(status.value(QStringLiteral("open_goals")).toInt(), 1);
        QCOMPARE(status.value(QStringLiteral("modifications_awaiting_review")).toInt(), 0);
        QCOMPARE(status.value(QStringLiteral("scheduler")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("idle"));
        // init, two goals created, approve, reject
        QCOMPARE(status.value(QStringLiteral("ledger")).toObject().value(QStringLiteral("entries")).toInt(), 5);

        run = runAstra({QStringLiteral("status")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY(run.out.contains(QStringLiteral("awaiting_review")));
        // One fact per line, in both Qt versions (Qt 5 once printed a streamed u'\n' as "10").
        const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 10, qPrintable(run.out));
        QVERIFY2(lines.constFirst().startsWith(QStringLiteral("Workspace ")), qPrintable(lines.constFirst()));
        QVERIFY2(lines.constLast().startsWith(QStringLiteral("Ledger: ")), qPrintable(lines.constLast()));
        QVERIFY2(!run.out.contains(QStringLiteral(")10")), qPrintable(run.out));
    }

    void ledgerEndToEnd()
    {
        auto repo = initialisedRepo();
        const QString path = repo->path();
        QVERIFY(addGoals(path, 4));
        Run run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--json")}, path);
        VERIFY_RUN(run, 0);
        QJsonObject report = json(run).object();
        QCOMPARE(report.value(QStringLiteral("intact")).toBool(), true);
        QCOMPARE(report.value(QStringLiteral("entries")).toInt(), 5);
        QCOMPARE(report.value(QStringLiteral("checkpoint")).toObject().value(QStringLiteral("seq")).toInt(), 5);
        // The checkpoint is a real commit under refs/astra/ledger that git itself can read.
        QVERIFY(repo->git({QStringLiteral("show"), QStringLiteral("refs/astra/ledger:checkpoint.json")})
                    .contains(QStringLiteral("\"seq\": 5")));

        run = runAstra({QStringLiteral("ledger"),
                        QStringLiteral("show"),
                        QStringLiteral("--json"),
                        QStringLiteral("--limit"),
                        QStringLiteral("2")},
                       path);
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 2);
        QCOMPARE(json(run).array().last().toObject().value(QStringLiteral("id")).toInt(), 5);

        QTemporaryDir out;
        const QString exportFile = out.filePath(QStringLiteral("ledger.jsonl"));
        VERIFY_RUN(runAstra({QStringLiteral("ledger"), QStringLiteral("export"), exportFile}, path), 0);
        QFile file(exportFile);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().trimmed().split('\n').size(), 5);

        run = runAstra(
            {QStringLiteral("ledger"), QStringLiteral("archive"), QStringLiteral("--through"), QStringLiteral("3")},
            path);
        VERIFY_RUN(run, 0);
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("3 archived")), qPrintable(run.out));

        // Truncation: drop the newest entries and fix the head, as a careful attacker would.
        const QString db = repo->file(QStringLiteral(".git/astra/state.db"));
        QVERIFY(
            tamper(db,
                   {QStringLiteral("DELETE FROM ledger WHERE seq > 4"),
                    QStringLiteral("UPDATE ledger_head SET seq = 4, hash = (SELECT hash FROM ledger WHERE seq = 4)")}));
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("broken at entry 5")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("truncated")), qPrintable(run.err));
    }

    // The checkpoint ref and the table changed together, as someone who can write both would:
    // the ref's own history and the checkpoint the database recorded still tell.
    void ledgerRollback_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("moved back") << QStringLiteral("moved back") << QStringLiteral("was moved back");
        QTest::addRow("deleted") << QStringLiteral("deleted") << QStringLiteral("the ref was deleted");
        QTest::addRow("forged child") << QStringLiteral("forged child") << QStringLiteral("extended by something else");
        QTest::addRow("replaced") << QStringLiteral("replaced") << QStringLiteral("the ref was replaced");
    }
    void ledgerRollback()
    {
        QFETCH(QString, kind);
        QFETCH(QString, mentions);
        auto repo = initialisedRepo();
        const QString path = repo->path();
        QVERIFY(addGoals(path, 4));
        Run run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--json")}, path);
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).object().value(QStringLiteral("checkpoints_checked")).toInt(), 4);
        QCOMPARE(json(run).object().value(QStringLiteral("unanchored_entries")).toInt(), 0);
        // Newest first: the checkpoints of entries 5, 4, 3, 2 (each decision's).
        const QStringList history = repo->git({QStringLiteral("rev-list"), QStringLiteral("refs/astra/ledger")})
                                        .split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(history.size(), 4);
        const QString db = repo->file(QStringLiteral(".git/astra/state.db"));
        auto truncateTo = [&](int seq) {
            return tamper(db,
                          {QStringLiteral("DELETE FROM ledger WHERE seq > %1").arg(seq),
                           QStringLiteral("UPDATE ledger_head SET seq = %1, hash = (SELECT hash FROM ledger WHERE "
                                          "seq = %1)")
                               .arg(seq)});
        };
        // A checkpoint commit made by hand, as astra would make it.
        auto forge = [&](int seq, const QString &hash, const QString &parent) {
            repo->write(QStringLiteral("forged.json"),
                        QStringLiteral("{\"seq\": %1, \"hash\": \"%2\", \"ts\": \"2026-01-01T00:00:00Z\"}\n")
                            .arg(seq)
                            .arg(hash)
                            .toUtf8());
            const QString blob =
                repo->git({QStringLiteral("hash-object"), QStringLiteral("-w"), QStringLiteral("forged.json")})
                    .trimmed();
            QFile::remove(repo->file(QStringLiteral("forged.json")));
            const Run tree = test::runProgram(
                QStringLiteral("sh"),
                {QStringLiteral("-c"),
                 QStringLiteral("printf '100644 blob %1\\tcheckpoint.json\\n' | git mktree").arg(blob)},
                path);
            QStringList args = {QStringLiteral("commit-tree"),
                                tree.out.trimmed(),
                                QStringLiteral("-m"),
                                QStringLiteral("Astra ledger checkpoint")};
            if (!parent.isEmpty()) {
                args << QStringLiteral("-p") << parent;
            }
            return repo->git(args).trimmed();
        };
        auto hashOf = [&](int seq) {
            return json(runAstra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")}, path))
                .array()
                .at(seq - 1)
                .toObject()
                .value(QStringLiteral("hash"))
                .toString();
        };

        if (kind == u"moved back") {
            QVERIFY(truncateTo(3));
            repo->git({QStringLiteral("update-ref"), QStringLiteral("refs/astra/ledger"), history.at(2)});
        } else if (kind == u"deleted") {
            QVERIFY(truncateTo(3));
            repo->git({QStringLiteral("update-ref"), QStringLiteral("-d"), QStringLiteral("refs/astra/ledger")});
        } else if (kind == u"forged child") {
            // The newest entry cut off and a checkpoint of the new end put on top of the real ones.
            const QString hash4 = hashOf(4);
            QVERIFY(truncateTo(4));
            const QString forged = forge(4, hash4, history.at(0));
            QVERIFY(!forged.isEmpty());
            repo->git({QStringLiteral("update-ref"), QStringLiteral("refs/astra/ledger"), forged});
        } else if (kind == u"replaced") {
            // A new history that ends where the real one did.
            const QString forged = forge(5, hashOf(5), QString());
            QVERIFY(!forged.isEmpty());
            repo->git({QStringLiteral("update-ref"), QStringLiteral("refs/astra/ledger"), forged});
        }
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
    }

    // A held lock freezes the checkpoint: each decision says so, and verify warns that entries
    // are past the newest checkpoint; when the lock goes, the next decision catches up.
    void ledgerCheckpointLag()
    {
        auto repo = initialisedRepo();
        const QString path = repo->path();
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("zero")}, path), 0);
        QVERIFY(QDir().mkpath(repo->file(QStringLiteral(".git/refs/astra"))));
        QFile lock(repo->file(QStringLiteral(".git/refs/astra/ledger.lock")));
        QVERIFY(lock.open(QIODevice::WriteOnly)); // open, so a live process holds it
        Run run = runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("one")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY2(run.err.contains(QStringLiteral("refs/astra/ledger could not be updated")), qPrintable(run.err));
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY2(run.err.contains(QStringLiteral("its newest checkpoint is entry 2 and the ledger ends at entry 3")),
                 qPrintable(run.err));
        lock.close();
        QVERIFY(lock.remove());
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("two")}, path), 0);
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 0);
        QVERIFY2(!run.err.contains(QStringLiteral("newest checkpoint")), qPrintable(run.err));
    }

    // An anchor pushed elsewhere catches what nothing on this machine can: the ref, the table and
    // the database's record all moved back together.
    void ledgerAnchor()
    {
        auto repo = initialisedRepo();
        const QString path = repo->path();
        QTemporaryDir remoteDir;
        const QString remote = remoteDir.filePath(QStringLiteral("anchor.git"));
        QVERIFY(test::runProgram(QStringLiteral("git"),
                                 {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"), remote})
                    .exitCode
                == 0);
        Run run = runAstra({QStringLiteral("ledger"), QStringLiteral("anchor")}, path);
        VERIFY_RUN(run, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--push REMOTE")), qPrintable(run.err));
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--anchor"), remote}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("has no refs/astra/ledger")), qPrintable(run.err));

        QVERIFY(addGoals(path, 3));
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("anchor"), QStringLiteral("--push"), remote}, path);
        VERIFY_RUN(run, 0);
        const QString local = repo->git({QStringLiteral("rev-parse"), QStringLiteral("refs/astra/ledger")}).trimmed();
        const Run pushed = test::runProgram(
            QStringLiteral("git"),
            {QStringLiteral("--git-dir"), remote, QStringLiteral("rev-parse"), QStringLiteral("refs/astra/ledger")});
        QCOMPARE(pushed.out.trimmed(), local);
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--anchor"), remote}, path);
        VERIFY_RUN(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("is one of them")), qPrintable(run.out));

        // Everything local moved back to entry 2: the table, its head, the ref and the record.
        const QStringList history = repo->git({QStringLiteral("rev-list"), QStringLiteral("refs/astra/ledger")})
                                        .split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(history.size(), 3); // entries 4, 3, 2
        const QString older = history.at(2); // entry 2
        const QString db = repo->file(QStringLiteral(".git/astra/state.db"));
        QVERIFY(
            tamper(db,
                   {QStringLiteral("DELETE FROM ledger WHERE seq > 2"),
                    QStringLiteral("UPDATE ledger_head SET seq = 2, hash = (SELECT hash FROM ledger WHERE seq = 2)"),
                    QStringLiteral("UPDATE ledger_checkpoints SET seq = 2, commit_id = '%1', hash = (SELECT hash "
                                   "FROM ledger WHERE seq = 2)")
                        .arg(older)}));
        repo->git({QStringLiteral("update-ref"), QStringLiteral("refs/astra/ledger"), older});
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, path);
        VERIFY_RUN(run, 0); // nothing local can tell
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--anchor"), remote}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("moved back or replaced after it was pushed")), qPrintable(run.err));
        // And the rolled-back ref cannot be pushed over the anchor.
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("later")}, path), 0);
        run = runAstra({QStringLiteral("ledger"), QStringLiteral("anchor"), QStringLiteral("--push"), remote}, path);
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("Nothing was pushed")), qPrintable(run.err));
        const Run after = test::runProgram(
            QStringLiteral("git"),
            {QStringLiteral("--git-dir"), remote, QStringLiteral("rev-parse"), QStringLiteral("refs/astra/ledger")});
        QCOMPARE(after.out.trimmed(), local);
    }

    // A full disk is named as one, with the folder and what to do, and leaves the state as it
    // was: the repository is copied onto a small tmpfs inside bubblewrap and the disk filled.
    void fullDiskIsNamed()
    {
        const Run help = test::runProgram(QStringLiteral("bwrap"), {QStringLiteral("--help")});
        QVERIFY2(help.out.contains(QStringLiteral("--size")), "bubblewrap 0.6 or later is required (--size)");
        auto repo = initialisedRepo();
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("one")}, repo->path()), 0);
        QTemporaryDir mount;
        const QString mnt = mount.path();
        const QString script =
            QStringLiteral(
                "cp -a '%1/.' '%2/' && head -c 50000000 /dev/zero > '%2/filler' 2>/dev/null; cd '%2' && "
                "'%3' goal add two; echo \"exit $?\"; rm '%2/filler' && '%3' goal add three && "
                "'%3' ledger verify && '%3' goals")
                .arg(repo->path(), mnt, QStringLiteral(ASTRA_CLI_PATH));
        const Run run = test::runProgram(QStringLiteral("bwrap"),
                                         {QStringLiteral("--dev-bind"),
                                          QStringLiteral("/"),
                                          QStringLiteral("/"),
                                          QStringLiteral("--size"),
                                          QStringLiteral("3000000"),
                                          QStringLiteral("--tmpfs"),
                                          mnt,
                                          QStringLiteral("sh"),
                                          QStringLiteral("-c"),
                                          script});
        QVERIFY2(run.exitCode == 0, qPrintable(test::describe(run)));
        QVERIFY2(run.out.contains(QStringLiteral("exit 1")), qPrintable(test::describe(run)));
        QVERIFY2(run.err.contains(QStringLiteral("the disk holding %1/.git/astra is full").arg(mnt)),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("free space there")), qPrintable(run.err));
        // After space was freed: intact, and the goal that failed was never recorded.
        QVERIFY2(run.out.contains(QStringLiteral("The ledger is intact")), qPrintable(run.out));
        QVERIFY2(run.out.contains(QStringLiteral("three")), qPrintable(run.out));
        QVERIFY2(!run.out.contains(QStringLiteral("two")), qPrintable(run.out));
    }

    void ledgerEditIsNamed()
    {
        auto repo = initialisedRepo();
        const QString path = repo->path();
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("one")}, path), 0);
        VERIFY_RUN(runAstra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}, path), 0);
        QVERIFY(tamper(repo->file(QStringLiteral(".git/astra/state.db")),
                       {QStringLiteral("UPDATE ledger SET actor = 'someone else' WHERE seq = 3")}));
        const Run run = runAstra({QStringLiteral("ledger"), QStringLiteral("verify"), QStringLiteral("--json")}, path);
        VERIFY_RUN(run, 1);
        QCOMPARE(json(run).object().value(QStringLiteral("first_bad_seq")).toInt(), 3);
        QVERIFY2(run.err.contains(QStringLiteral("entry 3")), qPrintable(run.err));
    }

    void failingMigrationStopsTheProgram()
    {
        test::TempRepo repo;
        // A state file with a table in the way of the first migration.
        QDir().mkpath(repo.file(QStringLiteral(".git/astra")));
        const QString db = repo.file(QStringLiteral(".git/astra/state.db"));
        QVERIFY(tamper(db, {QStringLiteral("CREATE TABLE goals (x INTEGER)")}));
        const Run run = runAstra({QStringLiteral("init")}, repo.path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("Migration 0001 domain failed")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("goals")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("version 0")), qPrintable(run.err));
        // Nothing of the migration is left.
        QSqlDatabase check = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        check.setDatabaseName(db);
        QVERIFY(check.open());
        QCOMPARE(check.tables(), QStringList{QStringLiteral("goals")});
        check.close();
        check = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    void newerDatabaseIsRefused()
    {
        auto repo = initialisedRepo();
        const QString db = repo->file(QStringLiteral(".git/astra/state.db"));
        QVERIFY(tamper(db,
                       {QStringLiteral("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES "
                                       "(99, 'future', 'abc', 'later')")}));
        const Run run = runAstra({QStringLiteral("status")}, repo->path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("newer Astra Review")), qPrintable(run.err));
    }

    void explicitDatabase()
    {
        auto repo = std::make_unique<test::TempRepo>();
        repo->write(QStringLiteral("a.txt"), "a\n");
        repo->commitAll(QStringLiteral("initial"));
        QTemporaryDir stateDir;
        const QString url = QStringLiteral("sqlite://") + stateDir.filePath(QStringLiteral("shared.db"));
        VERIFY_RUN(runAstra({QStringLiteral("--db"), url, QStringLiteral("init")}, repo->path()), 0);
        QVERIFY(QFile::exists(stateDir.filePath(QStringLiteral("shared.db"))));
        QVERIFY(!QFile::exists(repo->file(QStringLiteral(".git/astra/state.db"))));
        VERIFY_RUN(
            runAstra({QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("--db"), url},
                     repo->path()),
            0);
        const Run run =
            runAstra({QStringLiteral("goals"), QStringLiteral("--json"), QStringLiteral("--db"), url}, repo->path());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 1);
    }

    // astra team init: the schema made, the member's line printed without the password; the
    // line works (git config astra.database); reviewers asked by name, listed for them; a worker
    // on a repository that is not the team's refuses before it claims anything.
    void teamSetUp()
    {
        const QString url = qEnvironmentVariable("ASTRA_TEST_PG_URL");
        if (url.isEmpty()) {
            QSKIP("ASTRA_TEST_PG_URL is not set; the test script starts a PostgreSQL server and sets it");
        }
        QTemporaryDir dir;
        const auto databases = test::testDatabases(dir.path());
        QCOMPARE(databases.size(), 2);
        const DatabaseLocation pg = databases.at(1).second;
        const QString dbUrl = QStringLiteral("postgresql://%1:secret@%2:%3/%4?connect_timeout=5")
                                  .arg(pg.user, pg.host)
                                  .arg(pg.port)
                                  .arg(pg.databaseName);
        Run run = runAstra({QStringLiteral("team"), QStringLiteral("init"), dbUrl});
        VERIFY_RUN(run, 0);
        QVERIFY2(
            run.out.contains(QStringLiteral("schema %1 (it was at 0)").arg(builtinMigrations().constLast().version)),
            qPrintable(run.out));
        const QString shared = QStringLiteral("postgresql://%1@%2:%3/%4?connect_timeout=5")
                                   .arg(pg.user, pg.host)
                                   .arg(pg.port)
                                   .arg(pg.databaseName);
        QVERIFY2(run.out.contains(QStringLiteral("git config astra.database '%1'").arg(shared)), qPrintable(run.out));
        QVERIFY(!run.out.contains(QStringLiteral("secret@")));
        QVERIFY2(run.out.contains(QStringLiteral("~/.pgpass")), qPrintable(run.out));
        run = runAstra({QStringLiteral("team"), QStringLiteral("init"), dbUrl});
        VERIFY_RUN(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("nothing to change")), qPrintable(run.out));
        run = runAstra(
            {QStringLiteral("team"), QStringLiteral("init"), QDir(dir.path()).filePath(QStringLiteral("x.db"))});
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("not a PostgreSQL URL")), qPrintable(run.err));

        // A member's clone with the line: every command uses the team's database.
        auto repo = std::make_unique<test::TempRepo>();
        repo->write(QStringLiteral("src/a.txt"), "a\n");
        repo->commitAll(QStringLiteral("initial"));
        repo->git({QStringLiteral("config"), QStringLiteral("astra.database"), shared});
        VERIFY_RUN(runAstra({QStringLiteral("init")}, repo->path()), 0);
        repo->commitAll(QStringLiteral("configuration"));
        repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent")});
        repo->write(QStringLiteral("src/b.txt"), "b\n");
        repo->commitAll(QStringLiteral("Add b"));
        repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        VERIFY_RUN(
            runAstra({QStringLiteral("propose"), QStringLiteral("--branch"), QStringLiteral("agent")}, repo->path()),
            0);
        run = runAstra({QStringLiteral("status"), QStringLiteral("--json")}, repo->path());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).object().value(QStringLiteral("database")).toString(), shared.section(u'?', 0, 0));
        QCOMPARE(json(run).object().value(QStringLiteral("person")).toString(), QStringLiteral("test@example.org"));

        run = runAstra(
            {QStringLiteral("mod"), QStringLiteral("assign"), QStringLiteral("1"), QStringLiteral("Test@Example.org")},
            repo->path());
        VERIFY_RUN(run, 0);
        QVERIFY2(run.out.contains(QStringLiteral("Reviewers of modification 1: test@example.org.")),
                 qPrintable(run.out));
        run = runAstra({QStringLiteral("mods"), QStringLiteral("--assigned-to-me"), QStringLiteral("--json")},
                       repo->path());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 1);
        VERIFY_RUN(runAstra({QStringLiteral("mod"),
                             QStringLiteral("unassign"),
                             QStringLiteral("1"),
                             QStringLiteral("test@example.org")},
                            repo->path()),
                   0);
        run = runAstra({QStringLiteral("mods"), QStringLiteral("--assigned-to-me"), QStringLiteral("--json")},
                       repo->path());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().size(), 0);
        run = runAstra({QStringLiteral("mod"),
                        QStringLiteral("unassign"),
                        QStringLiteral("1"),
                        QStringLiteral("test@example.org")},
                       repo->path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("is not asked")), qPrintable(run.err));

        // A worker on another repository with the team's database: refused, nothing claimed.
        auto stranger = std::make_unique<test::TempRepo>();
        stranger->write(QStringLiteral("other.txt"), "other\n");
        stranger->commitAll(QStringLiteral("unrelated"));
        run = runAstra({QStringLiteral("--db"), shared, QStringLiteral("worker"), QStringLiteral("--once")},
                       stranger->path());
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("is not the repository the team's database serves")),
                 qPrintable(run.err));
    }

    void postgresqlWorkspace()
    {
        const QString url = qEnvironmentVariable("ASTRA_TEST_PG_URL");
        if (url.isEmpty()) {
            QSKIP("ASTRA_TEST_PG_URL is not set; the test script starts a PostgreSQL server and sets it");
        }
        QTemporaryDir dir;
        const auto databases = test::testDatabases(dir.path());
        QCOMPARE(databases.size(), 2);
        const DatabaseLocation pg = databases.at(1).second;
        const QString dbUrl =
            QStringLiteral("postgresql://%1@%2:%3/%4").arg(pg.user, pg.host).arg(pg.port).arg(pg.databaseName);
        auto repo = std::make_unique<test::TempRepo>();
        repo->write(QStringLiteral("a.txt"), "a\n");
        repo->commitAll(QStringLiteral("initial"));
        VERIFY_RUN(runAstra({QStringLiteral("--db"), dbUrl, QStringLiteral("init")}, repo->path()), 0);
        Run run = runAstra({QStringLiteral("--db"),
                            dbUrl,
                            QStringLiteral("goal"),
                            QStringLiteral("add"),
                            QStringLiteral("shared"),
                            QStringLiteral("--json")},
                           repo->path());
        VERIFY_RUN(run, 0);
        const int id = json(run).object().value(QStringLiteral("id")).toInt();
        VERIFY_RUN(
            runAstra(
                {QStringLiteral("--db"), dbUrl, QStringLiteral("goal"), QStringLiteral("approve"), QString::number(id)},
                repo->path()),
            0);
        run = runAstra({QStringLiteral("--db"),
                        dbUrl,
                        QStringLiteral("ledger"),
                        QStringLiteral("verify"),
                        QStringLiteral("--json")},
                       repo->path());
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).object().value(QStringLiteral("entries")).toInt(), 3);
    }

    void hddl()
    {
        const QString data = qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/hddl/");
        const QString domain = data + QStringLiteral("delivery-domain.hddl");
        Run run = runAstra(
            {QStringLiteral("hddl"), QStringLiteral("solve"), domain, data + QStringLiteral("delivery-problem.hddl")});
        VERIFY_RUN(run, 0);
        QVERIFY(run.out.startsWith(QStringLiteral("==>\n")));
        QVERIFY(run.out.contains(QStringLiteral("\nroot ")));
        QVERIFY(run.out.endsWith(QStringLiteral("<==\n")));

        QTemporaryDir dir;
        QFile problem(data + QStringLiteral("delivery-problem.hddl"));
        QVERIFY(problem.open(QIODevice::ReadOnly));
        QByteArray fragile = problem.readAll();
        fragile.replace(QByteArray("(:init"), QByteArray("(:init (fragile p1)"));
        const QString unsolvable = dir.filePath(QStringLiteral("fragile.hddl"));
        QFile out(unsolvable);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(fragile);
        out.close();
        run = runAstra({QStringLiteral("hddl"), QStringLiteral("solve"), domain, unsolvable});
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("exhausted")), qPrintable(run.err));

        const QString broken = dir.filePath(QStringLiteral("broken.hddl"));
        QFile bad(broken);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("(define (domain d)\n (:axioms))");
        bad.close();
        run = runAstra({QStringLiteral("hddl"), QStringLiteral("check"), broken});
        VERIFY_RUN(run, 2);
        QVERIFY2(run.err.contains(QStringLiteral("broken.hddl:2:3:")), qPrintable(run.err));
    }

    // A demo that cannot be completed (here: no python3 on PATH, so every job fails) says at
    // which step, and leaves nothing behind: an empty folder stays empty.
    void demoThatFailsLeavesNothing()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        QVERIFY(QDir().mkpath(demo));
        const Run run = runAstra({QStringLiteral("demo"), demo}, {}, {QStringLiteral("PATH=/nonexistent")});
        VERIFY_RUN(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("could not be completed at \"detect\"")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("The lint job did not pass")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("Nothing was kept")), qPrintable(run.err));
        QVERIFY(QFileInfo(demo).isDir());
        QVERIFY(QDir(demo).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden));
    }

    // The demo runs the real loop on a small Python project: jobs, detection, plans, the
    // scripted agent, the project's own tests, reviews. Everything the workstation is meant to
    // open on is there, and the repository is a normal one with a clean work tree.
    void demoWorkspace()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        Run run = runAstra({QStringLiteral("demo"), demo, QStringLiteral("--json")});
        VERIFY_RUN(run, 0);
        const QJsonObject created = json(run).object();
        QCOMPARE(created.value(QStringLiteral("commits")).toInt(), 5);
        QCOMPARE(created.value(QStringLiteral("goals")).toInt(), 8);
        QCOMPARE(created.value(QStringLiteral("modifications")).toInt(), 4);
        QCOMPARE(created.value(QStringLiteral("job_runs")).toInt(), 8);
        QCOMPARE(created.value(QStringLiteral("proposals")).toInt(), 4);
        const auto git = [&](const QStringList &args) {
            return test::runProgram(QStringLiteral("git"), args, demo).out.trimmed();
        };
        QCOMPARE(git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        // Five commits of history and the merged lint fixes.
        QCOMPARE(git({QStringLiteral("rev-list"), QStringLiteral("--count"), QStringLiteral("main")}),
                 QStringLiteral("6"));
        QCOMPARE(
            git({QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s"), QStringLiteral("main")}),
            QStringLiteral("snapback-lint: apply 2 fix-its in snapback/archive.py"));

        run = runAstra({QStringLiteral("status"), QStringLiteral("--json")}, demo);
        VERIFY_RUN(run, 0);
        const QJsonObject goals = json(run).object().value(QStringLiteral("goals")).toObject();
        const QList<QPair<const char *, int>> columns = {{"proposed", 1},
                                                         {"active", 1},
                                                         {"planned", 1},
                                                         {"executing", 0},
                                                         {"awaiting_review", 2},
                                                         {"completed", 1},
                                                         {"rejected", 1},
                                                         {"failed", 0},
                                                         {"abandoned", 1}};
        for (const auto &[state, count] : columns) {
            QVERIFY2(goals.value(QLatin1String(state)).toInt() == count, state);
        }

        // One modification of each kind the review needs.
        run = runAstra({QStringLiteral("mods"), QStringLiteral("--json")}, demo);
        VERIFY_RUN(run, 0);
        QMap<QString, QJsonObject> byStatus;
        for (const QJsonValue &value : json(run).array()) {
            byStatus.insert(value.toObject().value(QStringLiteral("status")).toString(), value.toObject());
        }
        QCOMPARE(byStatus.keys(),
                 (QStringList{QStringLiteral("awaiting_approval"),
                              QStringLiteral("conflicted"),
                              QStringLiteral("merged"),
                              QStringLiteral("rejected")}));
        QVERIFY(
            !byStatus.value(QStringLiteral("conflicted")).value(QStringLiteral("conflict_paths")).toArray().isEmpty());
        const int waiting = byStatus.value(QStringLiteral("awaiting_approval")).value(QStringLiteral("id")).toInt();
        run = runAstra(
            {QStringLiteral("mod"), QStringLiteral("show"), QString::number(waiting), QStringLiteral("--json")},
            demo);
        VERIFY_RUN(run, 0);
        const QJsonObject modification = json(run).object();
        QCOMPARE(modification.value(QStringLiteral("files")).toArray().size(), 2);
        const QJsonObject tests = modification.value(QStringLiteral("tests")).toArray().last().toObject();
        QCOMPARE(tests.value(QStringLiteral("outcome")).toString(), QStringLiteral("passed"));
        QCOMPARE(tests.value(QStringLiteral("commit")), modification.value(QStringLiteral("head_commit")));
        QVERIFY(tests.value(QStringLiteral("passed")).toInt() >= 9); // the project's tests and the two new ones

        // Its goal has an approved plan whose tree shows a method that was tried and rejected.
        const int goal = modification.value(QStringLiteral("goal_id")).toInt();
        run =
            runAstra({QStringLiteral("plan"), QStringLiteral("show"), QString::number(goal), QStringLiteral("--json")},
                     demo);
        VERIFY_RUN(run, 0);
        const QJsonObject plan = json(run).object();
        QCOMPARE(plan.value(QStringLiteral("state")).toString(), QStringLiteral("approved"));
        QVERIFY(QJsonDocument(plan.value(QStringLiteral("tree")).toArray()).toJson().contains("rejected_method"));

        // The generator refused the backup_report failure as unexecutable, and says why.
        run = runAstra({QStringLiteral("proposals"), QStringLiteral("--refused"), QStringLiteral("--json")}, demo);
        VERIFY_RUN(run, 0);
        QJsonObject unexecutable;
        for (const QJsonValue &value : json(run).array()) {
            if (value.toObject().value(QStringLiteral("check")).toString() == u"feasibility") {
                unexecutable = value.toObject();
            }
        }
        QVERIFY2(unexecutable.value(QStringLiteral("reason")).toString().contains(QStringLiteral("not: deploy/")),
                 qPrintable(unexecutable.value(QStringLiteral("reason")).toString()));

        run = runAstra({QStringLiteral("jobs"), QStringLiteral("list"), QStringLiteral("--json")}, demo);
        VERIFY_RUN(run, 0);
        QCOMPARE(json(run).array().first().toObject().value(QStringLiteral("last_outcome")).toString(),
                 QStringLiteral("timeout"));
        VERIFY_RUN(runAstra({QStringLiteral("ledger"), QStringLiteral("verify")}, demo), 0);

        run = runAstra({QStringLiteral("demo"), demo});
        VERIFY_RUN(run, 1);
        QVERIFY(run.err.contains(QStringLiteral("not an empty folder")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
