#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace astra;
using test::Run;

namespace {
// A backup script with a bug: it fails every time, with a Python traceback.
const char backup[] =
    "import json\n\n\ndef main():\n    settings = json.loads('{}')\n"
    "    return settings['target']\n\n\nmain()\n";

QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

QByteArray config(const QByteArray &extra, const QByteArray &proposer = "kind = \"command\"\ncommand = \"true\"\n")
{
    return "[policy]\nallowed = [\"scripts/\"]\n[tests]\ncommand = \"true\"\nsandbox = \"none\"\n"
           "[[jobs]]\nname = \"daily_backup\"\ncommand = \"python3 scripts/backup.py\"\nevery = \"24h\"\ntimeout_s = "
           "30\n"
           "[[jobs]]\nname = \"slow\"\ncommand = \"sleep 20\"\ntimeout_s = 1\n"
           "[proposer]\n"
        + proposer + extra;
}
} // namespace

#define VERIFY_EXIT(expression, code) ASTRA_VERIFY_EXIT(expression, code)

// Jobs run on the target branch and are recorded; the job-failure detector reads those runs,
// and the generator turns them into goals or says, in order, why not.
class TestDetect : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::TempRepo> m_repo;
    QString m_db;

    Run astra(QStringList args)
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return test::runAstra(args, m_repo->path());
    }

    void setUp(const DatabaseLocation &location, const QByteArray &toml)
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_db = test::databaseUrl(location);
        m_repo->write(QStringLiteral(".astra.toml"), toml);
        m_repo->write(QStringLiteral("scripts/backup.py"), backup);
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
    }

    void failThreeTimes()
    {
        for (int i = 0; i < 3; ++i) {
            const Run run = astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("daily_backup")});
            QVERIFY2(run.exitCode == 1, qPrintable(test::describe(run)));
        }
    }

    QJsonObject detectOne()
    {
        const Run run = astra({QStringLiteral("detect"), QStringLiteral("--json")});
        if (run.exitCode != 0) {
            qWarning("%s", qPrintable(test::describe(run)));
            return {};
        }
        const QJsonArray decisions = json(run).array();
        return decisions.size() == 1 ? decisions.first().toObject() : QJsonObject();
    }

private Q_SLOTS:
    void jobsAreRunAndRecorded()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, config({}));
        Run run = astra(
            {QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("daily_backup"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 1);
        const QJsonObject first = json(run).array().first().toObject();
        QCOMPARE(first.value(QStringLiteral("job")).toString(), QStringLiteral("daily_backup"));
        QCOMPARE(first.value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
        QCOMPARE(first.value(QStringLiteral("exit_code")).toInt(), 1);
        QVERIFY2(first.value(QStringLiteral("summary")).toString().contains(QStringLiteral("KeyError: 'target'")),
                 qPrintable(first.value(QStringLiteral("summary")).toString()));

        // A job past its timeout is stopped and recorded as such.
        QElapsedTimer timer;
        timer.start();
        run = astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("slow"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 1);
        QVERIFY(timer.elapsed() < 15000);
        QCOMPARE(json(run).array().first().toObject().value(QStringLiteral("outcome")).toString(),
                 QStringLiteral("timeout"));

        run = astra({QStringLiteral("jobs"), QStringLiteral("list"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 0);
        const QJsonArray jobs = json(run).array();
        QCOMPARE(jobs.size(), 2);
        QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("last_outcome")).toString(), QStringLiteral("failed"));
        QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("due")).toBool(), false); // ran within 24h
        QCOMPARE(jobs.at(1).toObject().value(QStringLiteral("due")).toBool(), false); // no `every`

        run = astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("nightly")});
        VERIFY_EXIT(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("daily_backup, slow")), qPrintable(run.err));
        // The user's work tree is untouched by the job runs.
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
    }

    void recurringFailureBecomesAGoal()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            setUp(entry.second, config({}));
            failThreeTimes();
            QJsonObject decision = detectOne();
            QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("accepted"));
            QCOMPARE(decision.value(QStringLiteral("confidence")).toDouble(), 0.95);
            QCOMPARE(decision.value(QStringLiteral("goal_state")).toString(), QStringLiteral("proposed"));
            const QJsonObject evidence = decision.value(QStringLiteral("evidence")).toObject();
            QCOMPARE(evidence.value(QStringLiteral("files")).toArray().first().toString(),
                     QStringLiteral("scripts/backup.py"));
            QCOMPARE(evidence.value(QStringLiteral("failed_runs")).toArray().size(), 3);
            const QJsonObject location = evidence.value(QStringLiteral("locations")).toArray().first().toObject();
            QVERIFY(location.value(QStringLiteral("line")).toInt() > 0);
            const int goalId = decision.value(QStringLiteral("goal")).toInt();
            const QJsonObject goal = json(astra({QStringLiteral("goal"),
                                                 QStringLiteral("show"),
                                                 QString::number(goalId),
                                                 QStringLiteral("--json")}))
                                         .object();
            QCOMPARE(goal.value(QStringLiteral("kind")).toString(), QStringLiteral("fix-job-failure"));
            QCOMPARE(goal.value(QStringLiteral("source")).toString(), QStringLiteral("system"));

            // The same failure again: refused as a duplicate of the open goal.
            decision = detectOne();
            QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("refused"));
            QCOMPARE(decision.value(QStringLiteral("check")).toString(), QStringLiteral("duplicate"));
            QVERIFY(decision.value(QStringLiteral("reason")).toString().contains(QString::number(goalId)));
            VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
        }
    }

    void refusalsSayWhich_data()
    {
        QTest::addColumn<QByteArray>("toml");
        QTest::addColumn<QString>("check");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("confidence") << config("[generator]\nmin_confidence = 0.99\n") << QStringLiteral("confidence")
                                    << QStringLiteral("min_confidence 0.99");
        QTest::newRow("rate limit") << config("[generator]\nmax_goals_per_day = 0\n") << QStringLiteral("rate_limit")
                                    << QStringLiteral("max_goals_per_day");
        QTest::newRow("principle") << config(
            "[[principles]]\nname = \"backups are hand-made\"\ndeny_paths = [\"scripts/backup.py\"]\n")
                                   << QStringLiteral("principles") << QStringLiteral("backups are hand-made");
        QTest::newRow("goal text") << config(
            "[[principles]]\nname = \"no jobs\"\ndeny_goal_text = [\"(?i)daily_backup\"]\n")
                                   << QStringLiteral("principles") << QStringLiteral("no jobs");
        QTest::newRow("unexecutable") << config({}, "kind = \"none\"\n") << QStringLiteral("feasibility")
                                      << QStringLiteral("no proposer that can run here is configured");
    }
    void refusalsSayWhich()
    {
        QFETCH(QByteArray, toml);
        QFETCH(QString, check);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, toml);
        failThreeTimes();
        const QJsonObject decision = detectOne();
        QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("refused"));
        QCOMPARE(decision.value(QStringLiteral("check")).toString(), check);
        QVERIFY2(decision.value(QStringLiteral("reason")).toString().contains(mentions),
                 qPrintable(decision.value(QStringLiteral("reason")).toString()));
        const QJsonArray goals = json(astra({QStringLiteral("goals"), QStringLiteral("--json")})).array();
        QCOMPARE(goals.size(), 0); // a goal the system could not (or must not) pursue is never created
        // The decision stays listed, with the check that refused it.
        const Run listed = astra({QStringLiteral("proposals"), QStringLiteral("--refused"), QStringLiteral("--json")});
        VERIFY_EXIT(listed, 0);
        const QJsonArray refusals = json(listed).array();
        QCOMPARE(refusals.size(), 1);
        QCOMPARE(refusals.first().toObject().value(QStringLiteral("check")).toString(), check);
        QCOMPARE(refusals.first().toObject().value(QStringLiteral("reason")), decision.value(QStringLiteral("reason")));
        const Run ledger = astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")});
        bool refusedEntry = false;
        for (const QJsonValue &value : json(ledger).array()) {
            refusedEntry =
                refusedEntry || value.toObject().value(QStringLiteral("event")).toString() == u"proposal_refused";
        }
        QVERIFY(refusedEntry);

        // Detection again over the same evidence: the same refusal, not recorded a second time.
        const qsizetype entries = json(ledger).array().size();
        const QJsonObject again = detectOne();
        QCOMPARE(again.value(QStringLiteral("already_recorded")).toBool(), true);
        QCOMPARE(again.value(QStringLiteral("id")), decision.value(QStringLiteral("id")));
        QCOMPARE(json(astra({QStringLiteral("proposals"), QStringLiteral("--refused"), QStringLiteral("--json")}))
                     .array()
                     .size(),
                 1);
        QCOMPARE(
            json(astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")})).array().size(),
            entries);
        // A new failure is new evidence: decided and recorded again.
        QCOMPARE(astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("daily_backup")}).exitCode, 1);
        const QJsonObject fresh = detectOne();
        QCOMPARE(fresh.value(QStringLiteral("already_recorded")).toBool(), false);
        QCOMPARE(json(astra({QStringLiteral("proposals"), QStringLiteral("--refused"), QStringLiteral("--json")}))
                     .array()
                     .size(),
                 2);
    }

    void autoApprovalAboveTheBar()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second,
              config("[generator]\nauto_approve = true\nauto_approve_confidence = 0.9\n"));
        failThreeTimes();
        const QJsonObject decision = detectOne();
        QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("accepted"));
        QCOMPARE(decision.value(QStringLiteral("goal_state")).toString(), QStringLiteral("active"));
    }

    // A job writes a SARIF report with fix-its; the analyzer detector proposes applying them,
    // the planner picks the fixits proposer, and the run writes exactly those edits.
    void analyzerFixItsEndToEnd()
    {
        QTemporaryDir dir;
        m_repo = std::make_unique<test::TempRepo>();
        m_db = test::databaseUrl(test::testDatabases(dir.path()).first().second);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"python3 -m py_compile src/app.py\"\n"
                      "sandbox = \"none\"\n[[jobs]]\nname = \"lint\"\n"
                      "command = \"mkdir -p build && cp tools/findings.sarif build/findings.sarif\"\n"
                      "report = \"sarif:build/findings.sarif\"\n[proposer]\nkind = \"none\"\n");
        QFile sarif(qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/reports/fixits.sarif"));
        QVERIFY(sarif.open(QIODevice::ReadOnly));
        m_repo->write(QStringLiteral("tools/findings.sarif"), sarif.readAll());
        m_repo->write(QStringLiteral("src/app.py"), "import os\nimport sys\n\nx = \"\xF0\x9F\x98\x80\" == None\n");
        m_repo->write(QStringLiteral("src/other.py"), "a = 1\nb = 2   \n");
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("jobs"), QStringLiteral("run")}), 0);
        const QJsonObject decision = detectOne();
        QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("accepted"));
        QCOMPARE(decision.value(QStringLiteral("kind")).toString(), QStringLiteral("apply-analyzer-fixes"));
        const QString goal = QString::number(decision.value(QStringLiteral("goal")).toInt());
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), goal}), 0);
        const Run plan = astra({QStringLiteral("plan"), goal});
        VERIFY_EXIT(plan, 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), goal}), 0);
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        QCOMPARE(m_repo->git({QStringLiteral("show"), QStringLiteral("astra/goal-%1-1:src/app.py").arg(goal)}),
                 QString::fromUtf8("import sys\n\nx = \"\xF0\x9F\x98\x80\" is None\n"));
        const QJsonObject mod =
            json(astra({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
                .object();
        QCOMPARE(mod.value(QStringLiteral("status")).toString(), QStringLiteral("awaiting_approval"));
        QVERIFY(mod.value(QStringLiteral("rationale")).toString().contains(QStringLiteral("ruff")));
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
    }

    // A job whose JUnit report names failing tests: one fix-failing-test goal, not also a
    // "the job keeps failing" one.
    void failingTestsFromAJobReport()
    {
        QTemporaryDir dir;
        m_repo = std::make_unique<test::TempRepo>();
        m_db = test::databaseUrl(test::testDatabases(dir.path()).first().second);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[policy]\nallowed = [\"tests/\", \"src/\"]\n[tests]\ncommand = \"true\"\nsandbox = \"none\"\n"
                      "[[jobs]]\nname = \"unit\"\ncommand = \"mkdir -p build && cp tools/report.xml build/report.xml "
                      "&& exit 1\"\n"
                      "report = \"junit:build/report.xml\"\n[proposer]\nkind = \"command\"\ncommand = \"true\"\n");
        m_repo->write(
            QStringLiteral("tools/report.xml"),
            "<testsuite name=\"calc\" tests=\"2\"><testcase classname=\"tests.test_calc.AddTest\" name=\"test_add\">"
            "<failure message=\"AssertionError: -1 != 5 at src/calc.py:2\">Traceback</failure></testcase>"
            "<testcase classname=\"tests.test_calc.AddTest\" name=\"test_zero\"/></testsuite>\n");
        m_repo->write(QStringLiteral("tests/test_calc.py"), "import unittest\n");
        m_repo->write(QStringLiteral("src/calc.py"), "def add(a, b):\n    return a - b\n");
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        for (int i = 0; i < 3; ++i) {
            VERIFY_EXIT(astra({QStringLiteral("jobs"), QStringLiteral("run")}), 1);
        }
        const QJsonObject decision = detectOne();
        QCOMPARE(decision.value(QStringLiteral("detector")).toString(), QStringLiteral("failing_tests"));
        QCOMPARE(decision.value(QStringLiteral("kind")).toString(), QStringLiteral("fix-failing-test"));
        QCOMPARE(decision.value(QStringLiteral("confidence")).toDouble(), 0.95);
        QCOMPARE(decision.value(QStringLiteral("decision")).toString(), QStringLiteral("accepted"));
        const QJsonArray files =
            decision.value(QStringLiteral("evidence")).toObject().value(QStringLiteral("files")).toArray();
        QVERIFY(files.contains(QStringLiteral("src/calc.py")));
        QVERIFY(files.contains(QStringLiteral("tests/test_calc.py")));
    }

    // A job's report that is a link to a file of the host is not followed: nothing of that file
    // reaches the state, whoever runs astra (root included).
    void jobReportLinkIsNotFollowed()
    {
        QTemporaryDir dir;
        QTemporaryDir host;
        const QString secret = QDir(host.path()).filePath(QStringLiteral("secret.xml"));
        {
            QFile file(secret);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(
                "<testsuite name=\"SECRET-CONTENT\" tests=\"1\"><testcase name=\"t\"><failure/></testcase>"
                "</testsuite>\n");
        }
        m_repo = std::make_unique<test::TempRepo>();
        m_db = test::databaseUrl(test::testDatabases(dir.path()).first().second);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[tests]\ncommand = \"true\"\n[[jobs]]\nname = \"unit\"\ncommand = \"mkdir -p build && ln -s "
                          + secret.toUtf8() + " build/report.xml && exit 1\"\nreport = \"junit:build/report.xml\"\n");
        m_repo->write(QStringLiteral("src/calc.py"), "x = 1\n");
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("jobs"), QStringLiteral("run")}), 1);
        QDirIterator it(m_repo->path() + QStringLiteral("/.git/astra"), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains("SECRET-CONTENT"), qPrintable(path));
        }
    }

    // The whole story: a job keeps failing; `astra cycle` proposes a goal; a person approves
    // it; the next cycle plans it; a person approves the plan; the next cycle reads the files,
    // asks the agent, writes a branch and tests it; a person approves and merges; the job
    // passes on its next run; the ledger tells it in order.
    void seedStory()
    {
        QTemporaryDir dir;
        const test::AgentFolder agents;
        const QString agentPath =
            agents.write(QStringLiteral("agent.py"),
                         "import json, sys\nctx = json.load(sys.stdin)\nfiles = []\n"
                         "for f in ctx['files']:\n"
                         "    files.append({'path': f['path'], 'content': f['content'].replace(\"settings['target']\", "
                         "\"settings.get('target', 'backups/')\")})\n"
                         "print(json.dumps({'title': 'Default the backup target', 'rationale': 'target is optional', "
                         "'files': files}))\n");
        const QByteArray toml =
            config({},
                   "kind = \"command\"\ncommand = \"python3 " + agentPath.toUtf8() + "\"\n" + agents.readOnlySetting())
                .replace("command = \"true\"\nsandbox", "command = \"python3 scripts/backup.py\"\nsandbox");
        setUp(test::testDatabases(dir.path()).first().second, toml);
        failThreeTimes();

        Run cycle = astra({QStringLiteral("cycle"), QStringLiteral("--json")});
        VERIFY_EXIT(cycle, 0);
        QJsonObject report = json(cycle).object();
        QCOMPARE(report.value(QStringLiteral("goals_awaiting_approval")).toArray(), QJsonArray{1});
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);

        cycle = astra({QStringLiteral("cycle"), QStringLiteral("--json")});
        VERIFY_EXIT(cycle, 0);
        report = json(cycle).object();
        QCOMPARE(report.value(QStringLiteral("plans_awaiting_approval")).toArray(), QJsonArray{1});
        QCOMPARE(report.value(QStringLiteral("scheduler")).toObject().value(QStringLiteral("started")).toInt(), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);

        cycle = astra({QStringLiteral("cycle")});
        VERIFY_EXIT(cycle, 0);
        QVERIFY2(cycle.out.contains(QStringLiteral("modifications to review: 1")), qPrintable(cycle.out));
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}), 0);
        // The failures the fix answered are still in the window, but they came before its merge:
        // detection proposes nothing again, not even as a refused duplicate.
        Run detect = astra({QStringLiteral("detect"), QStringLiteral("--json")});
        VERIFY_EXIT(detect, 0);
        QCOMPARE(json(detect).array(), QJsonArray());
        const Run job = astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("daily_backup")});
        VERIFY_EXIT(job, 0);
        detect = astra({QStringLiteral("detect"), QStringLiteral("--json")});
        VERIFY_EXIT(detect, 0);
        QCOMPARE(json(detect).array(), QJsonArray());
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);

        QStringList story;
        for (const QJsonValue &value :
             json(astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")})).array()) {
            const QString event = value.toObject().value(QStringLiteral("event")).toString();
            if (story.isEmpty() || story.constLast() != event) {
                story.append(event);
            }
        }
        const QStringList expected{QStringLiteral("proposal_accepted"),
                                   QStringLiteral("goal_created"),
                                   QStringLiteral("goal_approved"),
                                   QStringLiteral("plan_created"),
                                   QStringLiteral("goal_planned"),
                                   QStringLiteral("plan_approved"),
                                   QStringLiteral("goal_executing"),
                                   QStringLiteral("task_started"),
                                   QStringLiteral("modification_created"),
                                   QStringLiteral("modification_tested"),
                                   QStringLiteral("goal_awaiting_review"),
                                   QStringLiteral("modification_approved"),
                                   QStringLiteral("modification_merged"),
                                   QStringLiteral("goal_completed")};
        int at = 0;
        for (const QString &event : expected) {
            const int found = int(story.indexOf(event, at));
            QVERIFY2(found >= 0,
                     qPrintable(event + QStringLiteral(" missing or out of order in: ") + story.join(u' ')));
            at = found;
        }
    }

    // The worker runs due jobs on their schedule and stops cleanly on SIGTERM.
    void workerRunsDueJobs()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, config({}));
        Run run = astra({QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 0);
        const QJsonObject turn = json(run).array().first().toObject();
        const QJsonArray jobRuns = turn.value(QStringLiteral("job_runs")).toArray();
        QCOMPARE(jobRuns.size(), 1); // daily_backup is due (never ran); slow has no schedule
        QCOMPARE(jobRuns.first().toObject().value(QStringLiteral("job")).toString(), QStringLiteral("daily_backup"));
        // Not due again within its 24 h.
        run = astra({QStringLiteral("worker"), QStringLiteral("--once"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 0);
        QCOMPARE(json(run).array().first().toObject().value(QStringLiteral("job_runs")).toArray().size(), 0);

        QProcess worker;
        worker.setWorkingDirectory(m_repo->path());
        worker.start(
            QStringLiteral(ASTRA_CLI_PATH),
            {QStringLiteral("--db"), m_db, QStringLiteral("worker"), QStringLiteral("--poll"), QStringLiteral("1")});
        QVERIFY(worker.waitForStarted());
        QTest::qWait(1500);
        worker.terminate();
        QVERIFY(worker.waitForFinished(30000));
        QCOMPARE(worker.exitStatus(), QProcess::NormalExit);
        QCOMPARE(worker.exitCode(), 0);
        QVERIFY2(worker.readAllStandardOutput().contains("awaiting review"), "the worker printed no turn");
    }

    void nothingBelowTheThreshold()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, config({}));
        VERIFY_EXIT(astra({QStringLiteral("jobs"), QStringLiteral("run"), QStringLiteral("daily_backup")}), 1);
        const Run run = astra({QStringLiteral("detect"), QStringLiteral("--json")});
        VERIFY_EXIT(run, 0);
        QCOMPARE(json(run).array().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDetect)
#include "tst_detect.moc"
