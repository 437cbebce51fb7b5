#include "store/database.h"
#include "store/modificationrepository.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTest>
#include <QUuid>

using namespace astra;
using test::Run;

#define VERIFY_EXIT(expression, code) ASTRA_VERIFY_EXIT(expression, code)

namespace {
QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

// 45 one-line functions: changes to lines 3, 20 and 40 are three hunks apart.
QByteArray calc(const QMap<int, QByteArray> &changed = {})
{
    QByteArray text;
    for (int line = 1; line <= 45; ++line) {
        text +=
            changed.value(line,
                          "int v" + QByteArray::number(line) + "(void) { return " + QByteArray::number(line) + "; }")
            + '\n';
    }
    return text;
}

const QMap<int, QByteArray> threeChanges = {{3, "int v3(void) { return 30; }"},
                                            {20, "int v20(void) { return 200; }"},
                                            {40, "int v40(void) { return 400; }"}};
} // namespace

// Review as a conversation: hunk decisions make a revision with only what was accepted,
// comments go to the agent and come back as a revision, interdiffs show only what changed,
// updates replay the change onto a moved target; nothing reaches the target or the user's work
// tree without approval.
class TestRevisions : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::TempRepo> m_repo;
    std::unique_ptr<test::AgentFolder> m_agents;
    QString m_db;

    Run astra(QStringList args)
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return test::runAstra(args, m_repo->path());
    }

    QJsonObject astraJson(QStringList args)
    {
        args.append(QStringLiteral("--json"));
        const Run run = astra(args);
        if (run.exitCode != 0) {
            qWarning().noquote() << test::describe(run);
        }
        return json(run).object();
    }

    // Rows for each database the suite runs on: SQLite, and PostgreSQL when the test script
    // started one.
    static void databases_data()
    {
        QTest::addColumn<QString>("database");
        QTest::addRow("sqlite") << QStringLiteral("sqlite");
        if (!qEnvironmentVariableIsEmpty("ASTRA_TEST_PG_URL")) {
            QTest::addRow("postgresql") << QStringLiteral("postgresql");
        }
    }

    // A repository whose src/calc.c a modification changes in three places (modification 1,
    // imported as a patch, pending tests); `agentScript` is the command agent's sh script.
    // `database`: sqlite (a fresh file) or postgresql (a fresh database on the test server).
    void prepare(const QByteArray &agentScript = "true\n", const QString &database = QStringLiteral("sqlite"))
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_agents = std::make_unique<test::AgentFolder>();
        m_db = QDir(m_dir.path()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".db"));
        if (database == u"postgresql") {
            const auto all = test::testDatabases(m_dir.path());
            QVERIFY2(all.size() == 2, "the test PostgreSQL server is not reachable");
            m_db = test::databaseUrl(all.at(1).second);
        }
        const QString agent = m_agents->write(QStringLiteral("agent.sh"), agentScript);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[workspace]\ntarget_branch = \"main\"\n[policy]\nallowed = [\"src/\"]\n[tests]\n"
                      "command = \"! grep -q BROKEN src/calc.c\"\ntimeout_s = 60\n[proposer]\nkind = \"agent\"\n"
                      "agent = \"command\"\ncommand = \"sh "
                          + agent.toUtf8() + "\"\ntimeout_s = 60\n" + m_agents->readOnlySetting());
        m_repo->write(QStringLiteral("src/calc.c"), calc());
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 1; }\n");
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        m_repo->write(QStringLiteral("src/calc.c"), calc(threeChanges));
        const QString patch = m_repo->git({QStringLiteral("diff")});
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral("src/calc.c")});
        const QString patchFile = QDir(m_dir.path()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces));
        QFile out(patchFile);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(patch.toUtf8());
        out.close();
        VERIFY_EXIT(astra({QStringLiteral("propose"), QStringLiteral("--patch"), patchFile}), 0);
    }

    QString show(const QString &revision, const QString &path)
    {
        return m_repo->git({QStringLiteral("show"), revision + u':' + path});
    }

    QJsonArray revisions()
    {
        const Run run =
            astra({QStringLiteral("mod"), QStringLiteral("revisions"), QStringLiteral("1"), QStringLiteral("--json")});
        return json(run).array();
    }

    QString branch()
    {
        return astraJson({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1")})
            .value(QStringLiteral("branch"))
            .toString();
    }

    QStringList ledgerEvents()
    {
        QStringList events;
        const Run shown = astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")});
        for (const QJsonValue &entry : json(shown).array()) {
            events.append(entry.toObject().value(QStringLiteral("event")).toString());
        }
        return events;
    }

    QStringList hunkKeys(const QString &revision)
    {
        QStringList keys;
        const QJsonObject diff = astraJson({QStringLiteral("mod"),
                                            QStringLiteral("diff"),
                                            QStringLiteral("1"),
                                            QStringLiteral("--revision"),
                                            revision});
        for (const QJsonValue &file : diff.value(QStringLiteral("files")).toArray()) {
            for (const QJsonValue &hunk : file.toObject().value(QStringLiteral("hunks")).toArray()) {
                keys.append(hunk.toObject().value(QStringLiteral("key")).toString());
            }
        }
        return keys;
    }

    QString userState()
    {
        return m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain=v1"), QStringLiteral("-uall")})
            + m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("HEAD"), QStringLiteral("main")});
    }

private Q_SLOTS:
    // Accept 2 of 3 hunks: revision 2 holds exactly those two, is tested on its commit, approved
    // and merged; the third never reaches the target, not even in its history.
    void acceptedHunksAreWhatMerges_data()
    {
        databases_data();
    }
    void acceptedHunksAreWhatMerges()
    {
        QFETCH(QString, database);
        prepare("true\n", database);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("retest"), QStringLiteral("1")}),
                    0); // revision 1 tested
        const QString before = userState();
        const QJsonObject diff = astraJson({QStringLiteral("mod"), QStringLiteral("diff"), QStringLiteral("1")});
        QCOMPARE(diff.value(QStringLiteral("files")).toArray().size(), 1);
        QCOMPARE(diff.value(QStringLiteral("files"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("hunks"))
                     .toArray()
                     .size(),
                 3);
        const QString revision1 = revisions().at(0).toObject().value(QStringLiteral("commit")).toString();

        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("accept-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("1")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("accept-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("2")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("3")}),
                    0);
        const Run listed = astra({QStringLiteral("mod"), QStringLiteral("diff"), QStringLiteral("1")});
        QVERIFY2(listed.out.contains(QStringLiteral("[rejected]")) && listed.out.contains(QStringLiteral("[accepted]")),
                 qPrintable(listed.out));

        const QJsonObject applied =
            astraJson({QStringLiteral("mod"), QStringLiteral("apply-decisions"), QStringLiteral("1")});
        QCOMPARE(applied.value(QStringLiteral("status")).toString(), QStringLiteral("awaiting_approval"));
        const QJsonArray all = revisions();
        QCOMPARE(all.size(), 2);
        const QJsonObject second = all.at(1).toObject();
        QCOMPARE(second.value(QStringLiteral("origin")).toString(), QStringLiteral("hunk_decisions"));
        QCOMPARE(second.value(QStringLiteral("current")).toBool(), true);
        const QJsonArray left =
            second.value(QStringLiteral("meta")).toObject().value(QStringLiteral("rejected")).toArray();
        QCOMPARE(left.size(), 1);
        QVERIFY(left.at(0).toObject().value(QStringLiteral("text")).toString().contains(QStringLiteral("return 400;")));

        const QString revision2 = second.value(QStringLiteral("commit")).toString();
        const QString content = show(revision2, QStringLiteral("src/calc.c"));
        QVERIFY(content.contains(QStringLiteral("return 30;")));
        QVERIFY(content.contains(QStringLiteral("return 200;")));
        QVERIFY(!content.contains(QStringLiteral("return 400;")));
        QVERIFY(content.contains(QStringLiteral("int v40(void) { return 40; }")));
        // Tested on its exact commit.
        const QJsonObject shown = astraJson({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1")});
        bool testedRevision2 = false;
        for (const QJsonValue &test : shown.value(QStringLiteral("tests")).toArray()) {
            testedRevision2 = testedRevision2
                || (test.toObject().value(QStringLiteral("commit")).toString() == revision2
                    && test.toObject().value(QStringLiteral("outcome")).toString() == u"passed");
        }
        QVERIFY2(testedRevision2, QJsonDocument(shown).toJson().constData());
        QCOMPARE(userState(), before);

        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}), 0);
        const QString merged = show(QStringLiteral("main"), QStringLiteral("src/calc.c"));
        QVERIFY(merged.contains(QStringLiteral("return 30;")) && merged.contains(QStringLiteral("return 200;")));
        QVERIFY(!merged.contains(QStringLiteral("return 400;")));
        const test::Run ancestor = test::runProgram(QStringLiteral("git"),
                                                    {QStringLiteral("-C"),
                                                     m_repo->path(),
                                                     QStringLiteral("merge-base"),
                                                     QStringLiteral("--is-ancestor"),
                                                     revision1,
                                                     QStringLiteral("main")});
        QVERIFY2(ancestor.exitCode == 1, "revision 1 (with the rejected hunk) must not be in main's history");

        const QStringList events = ledgerEvents();
        QCOMPARE(events.count(QStringLiteral("hunk_decided")), 3);
        QCOMPARE(events.count(QStringLiteral("modification_revised")), 1);
        // The approval names revision 2.
        const Run ledger = astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")});
        bool approvedRevision2 = false;
        for (const QJsonValue &entry : json(ledger).array()) {
            const QJsonObject object = entry.toObject();
            if (object.value(QStringLiteral("event")).toString() == u"modification_approved") {
                approvedRevision2 =
                    object.value(QStringLiteral("meta")).toObject().value(QStringLiteral("revision")).toInt() == 2;
            }
        }
        QVERIFY(approvedRevision2);

        // The inbox's batched reads give what the one-by-one reads give (on this database).
        auto location = m_db.startsWith(QLatin1String("postgresql:"))
            ? DatabaseLocation::parse(m_db)
            : Result<DatabaseLocation>(DatabaseLocation::sqliteFile(m_db));
        QVERIFY(location.ok());
        auto db = Database::open(*location, Database::OpenMode::MustExist);
        QVERIFY2(db.ok(), qPrintable(db.message()));
        ModificationRepository repository(*db);
        const auto runs = repository.testResults(1);
        const auto latest = repository.testResultsOf({1, 99}, true);
        const auto files = repository.filesOf({1});
        const auto revisionRows = repository.revisionsOf({1});
        QVERIFY(runs.ok() && latest.ok() && files.ok() && revisionRows.ok());
        QVERIFY(runs->size() >= 2);
        QCOMPARE(latest->value(1).size(), 1);
        QCOMPARE(latest->value(1).constFirst().id, runs->constLast().id);
        QVERIFY(!latest->contains(99));
        QCOMPARE(files->value(1).size(), 1);
        QCOMPARE(revisionRows->value(1).size(), 2);
    }

    // What was left out is kept with the revision and can be put back as a new revision.
    void rejectedHunksCanBeRestored()
    {
        prepare();
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("2")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("apply-decisions"), QStringLiteral("1")}), 0);
        QVERIFY(!show(branch(), QStringLiteral("src/calc.c")).contains(QStringLiteral("return 200;")));
        const QJsonObject restored =
            astraJson({QStringLiteral("mod"), QStringLiteral("restore-hunks"), QStringLiteral("1")});
        QCOMPARE(restored.value(QStringLiteral("revisions")).toArray().size(), 3);
        QCOMPARE(show(branch(), QStringLiteral("src/calc.c")), QString::fromUtf8(calc(threeChanges)));
    }

    // Refusals change nothing: no revision, no moved branch, a message that names what to do.
    void badDecisionsAreRefusedAndChangeNothing()
    {
        prepare();
        const QString head = m_repo->git({QStringLiteral("rev-parse"), branch()});
        Run run = astra({QStringLiteral("mod"), QStringLiteral("request-changes"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("nothing to send")), qPrintable(run.err));
        run = astra(
            {QStringLiteral("mod"), QStringLiteral("reject-hunk"), QStringLiteral("1"), QStringLiteral("src/none.c")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("does not change src/none.c")), qPrintable(run.err));
        run = astra({QStringLiteral("mod"),
                     QStringLiteral("reject-hunk"),
                     QStringLiteral("1"),
                     QStringLiteral("src/calc.c"),
                     QStringLiteral("9")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("hunks 1 to 3")), qPrintable(run.err));
        run = astra({QStringLiteral("mod"),
                     QStringLiteral("reject-hunk"),
                     QStringLiteral("1"),
                     QStringLiteral("src/calc.c"),
                     QStringLiteral("x")});
        QCOMPARE(run.exitCode, 2);
        run = astra({QStringLiteral("mod"), QStringLiteral("apply-decisions"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("nothing to apply")), qPrintable(run.err));
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c")}),
                    0);
        run = astra({QStringLiteral("mod"), QStringLiteral("apply-decisions"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("Every change of revision 1")), qPrintable(run.err));
        run = astra({QStringLiteral("mod"), QStringLiteral("restore-hunks"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        run = astra({QStringLiteral("mod"),
                     QStringLiteral("comment"),
                     QStringLiteral("1"),
                     QStringLiteral("--file"),
                     QStringLiteral("src/calc.c"),
                     QStringLiteral("--line"),
                     QStringLiteral("99"),
                     QStringLiteral("Why?")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("there is no line 99")), qPrintable(run.err));
        run = astra({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("already on the head")), qPrintable(run.err));
        run = astra({QStringLiteral("mod"), QStringLiteral("comment"), QStringLiteral("1"), QString(70 * 1024, u'x')});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("64 KiB")), qPrintable(run.err));
        QCOMPARE(
            json(
                astra(
                    {QStringLiteral("mod"), QStringLiteral("comments"), QStringLiteral("1"), QStringLiteral("--json")}))
                .array()
                .size(),
            0);
        QCOMPARE(revisions().size(), 1);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), branch()}), head);
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject"),
                           QStringLiteral("1"),
                           QStringLiteral("--reason"),
                           QStringLiteral("no")}),
                    0);
        run = astra({QStringLiteral("mod"),
                     QStringLiteral("accept-hunk"),
                     QStringLiteral("1"),
                     QStringLiteral("src/calc.c"),
                     QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("'rejected'")), qPrintable(run.err));
    }

    // A comment on a line reaches the agent with its file, line and words; the answer is
    // revision 2, the comment follows its line there, and it can be resolved. The interdiff shows
    // only the agent's second edit; only the hunk it touched has a new key (comes back unseen).
    void commentsGoToTheAgentAndFollowTheirLine_data()
    {
        databases_data();
    }
    void commentsGoToTheAgentAndFollowTheirLine()
    {
        QFETCH(QString, database);
        prepare("cat .git/astra/request.json >&2\nsed -i '1i /* reviewed */' src/calc.c\necho 'Noted.'\n", database);
        const QString before = userState();
        const QStringList keys1 = hunkKeys(QStringLiteral("1"));
        QCOMPARE(keys1.size(), 3);
        const QJsonObject made = astraJson({QStringLiteral("mod"),
                                            QStringLiteral("comment"),
                                            QStringLiteral("1"),
                                            QStringLiteral("--file"),
                                            QStringLiteral("src/calc.c"),
                                            QStringLiteral("--line"),
                                            QStringLiteral("20"),
                                            QStringLiteral("Say why 200.")});
        QCOMPARE(made.value(QStringLiteral("line_text")).toString(), QStringLiteral("int v20(void) { return 200; }"));
        QVERIFY(made.value(QStringLiteral("hunk_text"))
                    .toString()
                    .contains(QStringLiteral("+int v20(void) { return 200; }")));
        const qint64 commentId = qint64(made.value(QStringLiteral("id")).toDouble());

        const QJsonObject revised =
            astraJson({QStringLiteral("mod"), QStringLiteral("request-changes"), QStringLiteral("1")});
        QCOMPARE(revised.value(QStringLiteral("status")).toString(), QStringLiteral("awaiting_approval"));
        const QJsonObject second = revisions().at(1).toObject();
        QCOMPARE(second.value(QStringLiteral("origin")).toString(), QStringLiteral("request_changes"));
        // The agent said what it got.
        const QString received = second.value(QStringLiteral("meta"))
                                     .toObject()
                                     .value(QStringLiteral("transcript"))
                                     .toObject()
                                     .value(QStringLiteral("stderr"))
                                     .toString();
        QVERIFY2(received.contains(QStringLiteral("\"file\":\"src/calc.c\""))
                     && received.contains(QStringLiteral("\"line\":20"))
                     && received.contains(QStringLiteral("Say why 200.")),
                 qPrintable(received));
        QVERIFY(show(branch(), QStringLiteral("src/calc.c")).startsWith(QStringLiteral("/* reviewed */\n")));

        const QJsonArray comments =
            json(
                astra(
                    {QStringLiteral("mod"), QStringLiteral("comments"), QStringLiteral("1"), QStringLiteral("--json")}))
                .array();
        QCOMPARE(comments.size(), 1);
        const QJsonObject moved = comments.at(0).toObject();
        QCOMPARE(moved.value(QStringLiteral("revision")).toInt(), 2);
        QCOMPARE(moved.value(QStringLiteral("line")).toInt(), 21);
        QCOMPARE(moved.value(QStringLiteral("sent_in_revision")).toInt(), 2);
        QCOMPARE(show(branch(), QStringLiteral("src/calc.c")).split(u'\n').at(20),
                 QStringLiteral("int v20(void) { return 200; }"));
        const QJsonObject resolved =
            astraJson({QStringLiteral("mod"), QStringLiteral("resolve"), QString::number(commentId)});
        QCOMPARE(resolved.value(QStringLiteral("resolved")).toBool(), true);

        // Interdiff: only the agent's line.
        const QJsonObject interdiff = astraJson({QStringLiteral("mod"),
                                                 QStringLiteral("diff"),
                                                 QStringLiteral("1"),
                                                 QStringLiteral("--since"),
                                                 QStringLiteral("last")});
        QCOMPARE(interdiff.value(QStringLiteral("additions")).toInt(), 1);
        QCOMPARE(interdiff.value(QStringLiteral("deletions")).toInt(), 0);
        QVERIFY(interdiff.value(QStringLiteral("files"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("hunks"))
                    .toArray()
                    .at(0)
                    .toObject()
                    .value(QStringLiteral("text"))
                    .toString()
                    .contains(QStringLiteral("+/* reviewed */")));

        const QStringList keys2 = hunkKeys(QStringLiteral("2"));
        QCOMPARE(keys2.size(), 3);
        int unseen = 0;
        for (const QString &key : keys2) {
            unseen += keys1.contains(key) ? 0 : 1;
        }
        QCOMPARE(unseen, 1);
        QCOMPARE(userState(), before);
        const QStringList events = ledgerEvents();
        for (const char *event : {"comment_added", "changes_requested", "modification_revised", "comment_resolved"}) {
            QVERIFY2(events.contains(QLatin1String(event)), event);
        }
    }

    // Two people apply decisions at the same moment: one revision 2, made once; the other is
    // refused (or finds nothing left to apply); the branch names the recorded revision.
    void concurrentApplyMakesOneRevision()
    {
        prepare();
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("2")}),
                    0);
        QList<QProcess *> processes;
        for (int i = 0; i < 2; ++i) {
            auto *process = new QProcess(this);
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
            process->setProcessEnvironment(env);
            process->setWorkingDirectory(m_repo->path());
            processes.append(process);
        }
        for (QProcess *process : std::as_const(processes)) {
            process->start(QStringLiteral(ASTRA_CLI_PATH),
                           {QStringLiteral("--db"),
                            m_db,
                            QStringLiteral("mod"),
                            QStringLiteral("apply-decisions"),
                            QStringLiteral("1")});
        }
        int succeeded = 0;
        for (QProcess *process : std::as_const(processes)) {
            QVERIFY(process->waitForFinished(120000));
            succeeded += process->exitCode() == 0 ? 1 : 0;
            if (process->exitCode() != 0) {
                const QString err = QString::fromUtf8(process->readAllStandardError());
                QVERIFY2(err.contains(QStringLiteral("nothing to apply"))
                             || err.contains(QStringLiteral("changed by someone else"))
                             || err.contains(QStringLiteral("being tested")),
                         qPrintable(err));
            }
            delete process;
        }
        QCOMPARE(succeeded, 1);
        const QJsonArray all = revisions();
        QCOMPARE(all.size(), 2);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), branch()}).trimmed(),
                 all.at(1).toObject().value(QStringLiteral("commit")).toString());
        QCOMPARE(m_repo->git({QStringLiteral("for-each-ref"),
                              QStringLiteral("--format=%(refname)"),
                              QStringLiteral("refs/astra/modifications/")}),
                 QStringLiteral("refs/astra/modifications/1/1\nrefs/astra/modifications/1/2\n"));
        QCOMPARE(ledgerEvents().count(QStringLiteral("modification_revised")), 1);
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
    }

    // An agent that answers outside the path policy makes no revision: the refusal is ledgered.
    void requestedChangesStayInsideThePolicy()
    {
        prepare("echo 'x' > outside.txt\necho done\n");
        const QString head = m_repo->git({QStringLiteral("rev-parse"), branch()});
        VERIFY_EXIT(
            astra({QStringLiteral("mod"), QStringLiteral("comment"), QStringLiteral("1"), QStringLiteral("Tidy up.")}),
            0);
        const Run run = astra({QStringLiteral("mod"), QStringLiteral("request-changes"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("outside.txt")), qPrintable(run.err));
        QCOMPARE(revisions().size(), 1);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), branch()}), head);
        const QStringList events = ledgerEvents();
        QVERIFY(events.contains(QStringLiteral("policy_violation")));
        QVERIFY(events.contains(QStringLiteral("changes_request_failed")));
    }

    // The target moved: update replays the change onto it as a tested revision; a conflict is
    // shown with both sides and nothing moves.
    void updateReplaysOntoTheMovedTarget()
    {
        prepare();
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 1; }\nint two(void) { return 2; }\n");
        const QString moved = m_repo->commitAll(QStringLiteral("user's own work")).trimmed();
        const QString mainHead = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        // A comment on the old side (the base's line 20) and one on the new side.
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("comment"),
                           QStringLiteral("1"),
                           QStringLiteral("--file"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("--line"),
                           QStringLiteral("20"),
                           QStringLiteral("--side"),
                           QStringLiteral("old"),
                           QStringLiteral("Was 20 wrong?")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("comment"),
                           QStringLiteral("1"),
                           QStringLiteral("--file"),
                           QStringLiteral("src/calc.c"),
                           QStringLiteral("--line"),
                           QStringLiteral("20"),
                           QStringLiteral("Why 200?")}),
                    0);
        const QJsonObject updated = astraJson({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")});
        QCOMPARE(updated.value(QStringLiteral("status")).toString(), QStringLiteral("awaiting_approval"));
        QCOMPARE(updated.value(QStringLiteral("base_commit")).toString(), mainHead);
        const QJsonObject last = revisions().at(1).toObject();
        QCOMPARE(last.value(QStringLiteral("origin")).toString(), QStringLiteral("update"));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), branch() + QStringLiteral("^")}).trimmed(), mainHead);
        QVERIFY(show(branch(), QStringLiteral("src/util.c")).contains(QStringLiteral("two")));
        // The base changed: the old-side comment stays behind, outdated; the new-side one moves on.
        const QJsonArray comments =
            json(
                astra(
                    {QStringLiteral("mod"), QStringLiteral("comments"), QStringLiteral("1"), QStringLiteral("--json")}))
                .array();
        QCOMPARE(comments.size(), 2);
        QCOMPARE(comments.at(0).toObject().value(QStringLiteral("outdated")).toBool(), true);
        QCOMPARE(comments.at(0).toObject().value(QStringLiteral("revision")).toInt(), 1);
        QCOMPARE(comments.at(1).toObject().value(QStringLiteral("outdated")).toBool(), false);
        QCOMPARE(comments.at(1).toObject().value(QStringLiteral("revision")).toInt(), 2);
        QCOMPARE(comments.at(1).toObject().value(QStringLiteral("line")).toInt(), 20);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}), 0);
        QCOMPARE(show(QStringLiteral("main"), QStringLiteral("src/calc.c")), QString::fromUtf8(calc(threeChanges)));
        Q_UNUSED(moved);
    }

    void updateConflictShowsBothSidesAndWritesNothing()
    {
        prepare();
        m_repo->write(QStringLiteral("src/calc.c"), calc({{20, "int v20(void) { return -20; }"}}));
        m_repo->commitAll(QStringLiteral("user's own fix"));
        const QString before = userState();
        const QString head = m_repo->git({QStringLiteral("rev-parse"), branch()});
        const Run run = astra({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("-int v20(void) { return -20; }"))
                     && run.err.contains(QStringLiteral("+int v20(void) { return 200; }")),
                 qPrintable(run.err));
        QCOMPARE(userState(), before);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), branch()}), head);
        QCOMPARE(revisions().size(), 1);
        const QJsonArray comments =
            json(
                astra(
                    {QStringLiteral("mod"), QStringLiteral("comments"), QStringLiteral("1"), QStringLiteral("--json")}))
                .array();
        QCOMPARE(comments.size(), 1);
        QCOMPARE(comments.at(0).toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("conflict"));
        // Asked again: the same conflict is not recorded twice.
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")}).exitCode, 1);
        QCOMPARE(
            json(
                astra(
                    {QStringLiteral("mod"), QStringLiteral("comments"), QStringLiteral("1"), QStringLiteral("--json")}))
                .array()
                .size(),
            1);
        QCOMPARE(ledgerEvents().count(QStringLiteral("modification_update_conflicted")), 2);
    }
};

QTEST_GUILESS_MAIN(TestRevisions)
#include "tst_revisions.moc"
