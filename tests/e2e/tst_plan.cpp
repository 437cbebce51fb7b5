#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>
#include <QXmlStreamReader>

#include <functional>

using namespace astra;
using test::Run;

namespace {
const char calc[] = "def add(a, b):\n    return a - b\n";
const char calcTest[] =
    "import sys\nimport unittest\nsys.path.insert(0, 'src')\nfrom calc import add\n\n"
    "class AddTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n"
    "unittest.main()\n";
// An external agent: reads the context on stdin, answers with a change set.
const char agent[] =
    "import json, sys\n"
    "ctx = json.load(sys.stdin)\n"
    "f = ctx['files'][0]\n"
    "print(json.dumps({'title': 'Fix add', 'rationale': 'add subtracted',\n"
    "  'files': [{'path': f['path'], 'content': f['content'].replace('a - b', 'a + b')}]}))\n";
// The same agent, taking its time and saying so on stderr first.
const char slowAgent[] =
    "import json, sys, time\n"
    "ctx = json.load(sys.stdin)\n"
    "sys.stderr.write('agent: reading the files\\n'); sys.stderr.flush()\n"
    "time.sleep(3)\n"
    "f = ctx['files'][0]\n"
    "print(json.dumps({'title': 'Fix add', 'rationale': 'add subtracted',\n"
    "  'files': [{'path': f['path'], 'content': f['content'].replace('a - b', 'a + b')}]}))\n";
const char failingAgent[] = "import sys\nsys.stderr.write('model quota exhausted\\n')\nsys.exit(3)\n";

QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

} // namespace

#define VERIFY_EXIT(expression, code) ASTRA_VERIFY_EXIT(expression, code)

// `astra plan`, `plan approve` and `run` on a real repository with a real external agent and
// real tests, on SQLite and on PostgreSQL; and a SIGKILL in the middle of a run.
class TestPlan : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::AgentFolder m_agents;
    std::unique_ptr<test::TempRepo> m_repo;
    QString m_db;

    Run astra(QStringList args, const QStringList &env = {})
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return test::runAstra(args, m_repo->path(), env);
    }

    QString script(const char *name, const char *text)
    {
        return m_agents.write(QString::fromLatin1(name), text);
    }

    void setUp(const DatabaseLocation &location, const QString &proposerKind, const QString &agentPath)
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_db = test::databaseUrl(location);
        QByteArray config =
            "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"python3 test_calc.py\"\n"
            "sandbox = \"none\"\ntimeout_s = 120\n[proposer]\nkind = \"";
        config += proposerKind.toUtf8() + "\"\n";
        if (!agentPath.isEmpty()) {
            config += "command = \"python3 " + agentPath.toUtf8() + "\"\ntimeout_s = 60\n" + m_agents.readOnlySetting();
        }
        m_repo->write(QStringLiteral(".astra.toml"), config);
        m_repo->write(QStringLiteral("src/calc.py"), calc);
        m_repo->write(QStringLiteral("test_calc.py"), calcTest);
        m_repo->commitAll(QStringLiteral("initial"));
        const Run init = astra({QStringLiteral("init")});
        QVERIFY2(init.exitCode == 0, qPrintable(test::describe(init)));
        VERIFY_EXIT(astra({QStringLiteral("goal"),
                           QStringLiteral("add"),
                           QStringLiteral("Fix add"),
                           QStringLiteral("--files"),
                           QStringLiteral("src/calc.py")}),
                    0);
    }

    QJsonArray tasks()
    {
        return json(astra({QStringLiteral("tasks"), QStringLiteral("--json")})).array();
    }

    QStringList taskStates()
    {
        QStringList states;
        for (const QJsonValue &value : tasks()) {
            states.append(value.toObject().value(QStringLiteral("state")).toString());
        }
        return states;
    }

    QStringList ledgerEvents()
    {
        const Run shown = astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")});
        QStringList events;
        for (const QJsonValue &entry : json(shown).array()) {
            events.append(entry.toObject().value(QStringLiteral("event")).toString());
        }
        return events;
    }

private Q_SLOTS:
    void planApproveRunMerge()
    {
        for (const auto &entry : test::testDatabases(m_dir.path())) {
            setUp(entry.second, QStringLiteral("command"), script("agent.py", agent));
            // A proposed goal is not planned.
            Run run = astra({QStringLiteral("plan"), QStringLiteral("1")});
            VERIFY_EXIT(run, 1);
            QVERIFY(run.err.contains(QStringLiteral("goal approve 1")));
            VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);

            run = astra({QStringLiteral("plan"), QStringLiteral("1"), QStringLiteral("--json")});
            VERIFY_EXIT(run, 0);
            const QJsonObject plan = json(run).object();
            QCOMPARE(plan.value(QStringLiteral("id")).toInt(), 1);
            QCOMPARE(plan.value(QStringLiteral("state")).toString(), QStringLiteral("proposed"));
            QVERIFY(plan.value(QStringLiteral("ipc_plan")).toString().startsWith(QStringLiteral("==>")));
            const QJsonObject root = plan.value(QStringLiteral("tree")).toArray().first().toObject();
            QCOMPARE(root.value(QStringLiteral("name")).toString(), QStringLiteral("user-request"));
            QStringList kinds;
            for (const QJsonValue &task : plan.value(QStringLiteral("tasks")).toArray()) {
                kinds.append(task.toObject().value(QStringLiteral("kind")).toString());
            }
            QCOMPARE(kinds,
                     (QStringList{QStringLiteral("code_read"),
                                  QStringLiteral("code_analyze"),
                                  QStringLiteral("code_modify"),
                                  QStringLiteral("code_test"),
                                  QStringLiteral("request_review")}));

            // Nothing runs before the plan is approved, and its tasks are not counted as queued:
            // they wait for a person.
            run = astra({QStringLiteral("run")});
            VERIFY_EXIT(run, 0);
            QCOMPARE(taskStates(), test::repeated(5, QStringLiteral("queued")));
            for (const QJsonValue &task : tasks()) {
                QCOMPARE(task.toObject().value(QStringLiteral("plan_approved")).toBool(), false);
            }
            QJsonObject scheduler = json(astra({QStringLiteral("status"), QStringLiteral("--json")}))
                                        .object()
                                        .value(QStringLiteral("scheduler"))
                                        .toObject();
            QCOMPARE(scheduler.value(QStringLiteral("tasks_queued")).toInt(), 0);
            QCOMPARE(scheduler.value(QStringLiteral("tasks_awaiting_plan_approval")).toInt(), 5);
            run = astra({QStringLiteral("tasks")});
            QVERIFY2(run.out.count(QStringLiteral("waiting for its plan's approval")) == 5, qPrintable(run.out));

            run = astra({QStringLiteral("plan"),
                         QStringLiteral("approve"),
                         QStringLiteral("1"),
                         QStringLiteral("--reason"),
                         QStringLiteral("looks right")});
            VERIFY_EXIT(run, 0);
            QVERIFY(run.out.contains(QStringLiteral("approved")));
            scheduler = json(astra({QStringLiteral("status"), QStringLiteral("--json")}))
                            .object()
                            .value(QStringLiteral("scheduler"))
                            .toObject();
            QCOMPARE(scheduler.value(QStringLiteral("tasks_queued")).toInt(), 5);
            QCOMPARE(scheduler.value(QStringLiteral("tasks_awaiting_plan_approval")).toInt(), 0);
            // Approving twice is refused.
            VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 1);

            run =
                astra({QStringLiteral("run"), QStringLiteral("--goal"), QStringLiteral("1"), QStringLiteral("--json")});
            VERIFY_EXIT(run, 0);
            const QJsonObject report = json(run).object().value(QStringLiteral("scheduler")).toObject();
            QCOMPARE(report.value(QStringLiteral("succeeded")).toInt(), 5);
            QCOMPARE(taskStates(), test::repeated(5, QStringLiteral("succeeded")));

            const QJsonObject goal = json(astra({QStringLiteral("goal"),
                                                 QStringLiteral("show"),
                                                 QStringLiteral("1"),
                                                 QStringLiteral("--json")}))
                                         .object();
            QCOMPARE(goal.value(QStringLiteral("state")).toString(), QStringLiteral("awaiting_review"));
            const QJsonObject mod =
                json(
                    astra(
                        {QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
                    .object();
            QCOMPARE(mod.value(QStringLiteral("status")).toString(), QStringLiteral("awaiting_approval"));
            QCOMPARE(m_repo->git({QStringLiteral("show"), QStringLiteral("astra/goal-1-1:src/calc.py")}),
                     QStringLiteral("def add(a, b):\n    return a + b\n"));
            // The agent's request and answer are kept for the reviewer.
            const QJsonObject analyze = tasks().at(1).toObject();
            const QJsonObject transcript =
                analyze.value(QStringLiteral("output")).toObject().value(QStringLiteral("transcript")).toObject();
            QVERIFY(transcript.value(QStringLiteral("request")).toString().contains(QStringLiteral("a - b")));
            QVERIFY(transcript.value(QStringLiteral("answer")).toString().contains(QStringLiteral("add subtracted")));

            VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
            VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}), 0);
            QCOMPARE(m_repo->git({QStringLiteral("show"), QStringLiteral("main:src/calc.py")}),
                     QStringLiteral("def add(a, b):\n    return a + b\n"));
            VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
            // The ledger tells the story in order.
            const QStringList events = ledgerEvents();
            QStringList story;
            for (const QString &event : events) {
                if (event.startsWith(u"plan_") || event.startsWith(u"goal_") || event == u"task_started"
                    || event == u"modification_merged") {
                    story.append(event);
                }
            }
            QVERIFY2(story.indexOf(QStringLiteral("plan_created")) < story.indexOf(QStringLiteral("plan_approved")),
                     qPrintable(story.join(u' ')));
            QVERIFY(story.indexOf(QStringLiteral("plan_approved")) < story.indexOf(QStringLiteral("task_started")));
            QVERIFY(story.indexOf(QStringLiteral("goal_executing"))
                    < story.indexOf(QStringLiteral("goal_awaiting_review")));
            QVERIFY(story.indexOf(QStringLiteral("goal_awaiting_review"))
                    < story.indexOf(QStringLiteral("goal_completed")));
            QCOMPARE(story.count(QStringLiteral("task_started")), 5);
        }
    }

    // `astra run` says what starts as it starts, and a running task's output can be followed in
    // its log while it runs (the workstation's task view reads the same file).
    void runShowsProgressAndALiveLog()
    {
        setUp(test::testDatabases(m_dir.path()).first().second,
              QStringLiteral("command"),
              script("slow.py", slowAgent));
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);

        QProcess run;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
        run.setProcessEnvironment(env);
        run.setWorkingDirectory(m_repo->path());
        run.start(QStringLiteral(ASTRA_CLI_PATH), {QStringLiteral("--db"), m_db, QStringLiteral("run")});
        QVERIFY(run.waitForStarted(30000));
        // While the agent works: its task was announced, and its log has what it said so far.
        QString out;
        const QString logs = QDir(m_repo->path()).filePath(QStringLiteral(".git/astra/task-output"));
        QString followed;
        QVERIFY(QTest::qWaitFor(
            [&] {
                out += QString::fromUtf8(run.readAllStandardOutput());
                for (const QFileInfo &log : QDir(logs).entryInfoList({QStringLiteral("task-*.log")}, QDir::Files)) {
                    QFile file(log.filePath());
                    if (file.open(QIODevice::ReadOnly) && file.readAll().contains("agent: reading the files")) {
                        followed = log.fileName();
                    }
                }
                return !followed.isEmpty();
            },
            30000));
        QCOMPARE(run.state(), QProcess::Running); // read while the run goes on
        QVERIFY2(out.contains(QStringLiteral("(code_analyze, plan 1) started…")), qPrintable(out));
        QVERIFY2(!out.contains(QStringLiteral("Task 2: succeeded")), qPrintable(out));
        QVERIFY(run.waitForFinished(120000));
        out += QString::fromUtf8(run.readAllStandardOutput());
        QCOMPARE(run.exitCode(), 0);
        QVERIFY2(out.indexOf(QStringLiteral("Task 4 (code_test, plan 1) started…"))
                     < out.indexOf(QStringLiteral("Task 4: succeeded")),
                 qPrintable(out));
        // The tests' output went to the test task's log as well.
        QVERIFY(QFile::exists(QDir(logs).filePath(QStringLiteral("task-4-run-4.log"))));
        QFile testLog(QDir(logs).filePath(QStringLiteral("task-4-run-4.log")));
        QVERIFY(testLog.open(QIODevice::ReadOnly));
        QVERIFY2(testLog.readAll().contains("OK"), "the unittest summary");

        // The modification's revisions: one, the agent's, tested and current.
        const Run revisions =
            astra({QStringLiteral("mod"), QStringLiteral("revisions"), QStringLiteral("1"), QStringLiteral("--json")});
        VERIFY_EXIT(revisions, 0);
        const QJsonArray list = json(revisions).array();
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first().toObject().value(QStringLiteral("number")).toInt(), 1);
        QCOMPARE(list.first().toObject().value(QStringLiteral("origin")).toString(), QStringLiteral("agent"));
        QVERIFY(list.first().toObject().value(QStringLiteral("current")).toBool());
        const Run text = astra({QStringLiteral("mod"), QStringLiteral("revisions"), QStringLiteral("1")});
        VERIFY_EXIT(text, 0);
        QVERIFY2(text.out.contains(QStringLiteral("revision 1 ")) && text.out.contains(QStringLiteral("tests passed")),
                 qPrintable(text.out));
    }

    void noPlanSaysWhy()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, QStringLiteral("none"), {});
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        const Run run = astra({QStringLiteral("plan"), QStringLiteral("1")});
        VERIFY_EXIT(run, 1);
        QVERIFY2(run.err.contains(QStringLiteral("has no plan")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("m-change-with-proposer")), qPrintable(run.err));
        // First what to do about it, then the planner's trace.
        const qsizetype advice = run.err.indexOf(QStringLiteral("No agent is configured"));
        QVERIFY2(advice >= 0, qPrintable(run.err));
        QVERIFY(run.err.contains(QStringLiteral("[proposer] kind = \"agent\"")));
        QVERIFY(advice < run.err.indexOf(QStringLiteral("m-change-with-proposer")));
        // The attempt is kept, the goal stays active, nothing can run.
        const Run shown = astra({QStringLiteral("plan"), QStringLiteral("show"), QStringLiteral("1")});
        VERIFY_EXIT(shown, 0);
        QVERIFY(shown.out.contains(QStringLiteral("failed")));
        QCOMPARE(tasks().size(), 0);
        const QJsonObject goal =
            json(astra({QStringLiteral("goal"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
                .object();
        QCOMPARE(goal.value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QVERIFY(ledgerEvents().contains(QStringLiteral("plan_not_found")));
    }

    // The plan in words and in symbols, its history, a comparison and the exports, through the
    // command line on a real repository.
    void readShowCompareAndExport()
    {
        QTemporaryDir dir;
        for (const auto &database : test::testDatabases(m_dir.path())) {
            setUp(database.second, QStringLiteral("none"), {});
            VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
            VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 1);
            Run shown = astra({QStringLiteral("plan"), QStringLiteral("show"), QStringLiteral("1")});
            VERIFY_EXIT(shown, 0);
            QVERIFY2(shown.out.contains(QStringLiteral("Do what was asked: Fix add")), qPrintable(shown.out));
            QVERIFY(shown.out.contains(QStringLiteral("no proposer that can run here is configured")));
            QVERIFY(shown.out.contains(QStringLiteral("[code-maintenance.hddl:")));
            QVERIFY(!shown.out.contains(QStringLiteral("m-change-with-proposer")));
            Run symbolic = astra(
                {QStringLiteral("plan"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--symbolic")});
            VERIFY_EXIT(symbolic, 0);
            QVERIFY2(symbolic.out.contains(QStringLiteral("m-user-request ?g=g1")), qPrintable(symbolic.out));

            // A proposer now: the goal is planned again, and the plans compared.
            QFile config(m_repo->file(QStringLiteral(".astra.toml")));
            QVERIFY(config.open(QIODevice::ReadOnly));
            QByteArray text = config.readAll();
            config.close();
            const QByteArray proposer = "kind = \"command\"\ncommand = \"python3 " + script("agent.py", agent).toUtf8()
                + "\"\n" + m_agents.readOnlySetting();
            text.replace(QByteArray("kind = \"none\""), proposer);
            m_repo->write(QStringLiteral(".astra.toml"), text);
            m_repo->commitAll(QStringLiteral("a proposer"));
            VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
            const Run history = astra({QStringLiteral("plan"), QStringLiteral("history"), QStringLiteral("1")});
            VERIFY_EXIT(history, 0);
            QVERIFY2(history.out.contains(QStringLiteral("Plan 1 ")) && history.out.contains(QStringLiteral("Plan 2 ")),
                     qPrintable(history.out));
            const Run compared = astra({QStringLiteral("plan"), QStringLiteral("compare"), QStringLiteral("1")});
            VERIFY_EXIT(compared, 0);
            QVERIFY2(compared.out.contains(QStringLiteral("found one"))
                         && compared.out.contains(QStringLiteral("instead of")),
                     qPrintable(compared.out));
            QVERIFY(compared.out.contains(QStringLiteral("no proposer that can run here is configured")));
            // The earlier plan by its number; a number that is not the goal's is named with the ones that are.
            shown = astra({QStringLiteral("plan"),
                           QStringLiteral("show"),
                           QStringLiteral("1"),
                           QStringLiteral("--plan"),
                           QStringLiteral("1")});
            VERIFY_EXIT(shown, 0);
            QVERIFY(shown.out.contains(QStringLiteral("Plan 1 for goal 1: failed")));
            const Run wrong = astra({QStringLiteral("plan"),
                                     QStringLiteral("show"),
                                     QStringLiteral("1"),
                                     QStringLiteral("--plan"),
                                     QStringLiteral("9")});
            VERIFY_EXIT(wrong, 1);
            QVERIFY2(wrong.err.contains(QStringLiteral("its plans are 2, 1")), qPrintable(wrong.err));

            // Exports: a valid SVG and a DOT graph with every node; a path that cannot be written
            // leaves nothing behind.
            const QString svg = dir.filePath(QStringLiteral("plan.svg"));
            VERIFY_EXIT(astra({QStringLiteral("plan"),
                               QStringLiteral("export"),
                               QStringLiteral("1"),
                               QStringLiteral("--svg"),
                               svg}),
                        0);
            QFile svgFile(svg);
            QVERIFY(svgFile.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&svgFile);
            int groups = 0;
            while (!xml.atEnd()) {
                if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("g")) {
                    ++groups;
                }
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            const QJsonObject plan = json(astra({QStringLiteral("plan"),
                                                 QStringLiteral("show"),
                                                 QStringLiteral("1"),
                                                 QStringLiteral("--json")}))
                                         .object();
            int nodes = 0;
            std::function<void(const QJsonArray &)> count = [&](const QJsonArray &tree) {
                for (const QJsonValue &node : tree) {
                    ++nodes;
                    count(node.toObject().value(QStringLiteral("children")).toArray());
                }
            };
            count(plan.value(QStringLiteral("tree")).toArray());
            QVERIFY(nodes > 10);
            QCOMPARE(groups, nodes);
            const Run dot = astra({QStringLiteral("plan"),
                                   QStringLiteral("export"),
                                   QStringLiteral("1"),
                                   QStringLiteral("--dot"),
                                   QStringLiteral("-")});
            VERIFY_EXIT(dot, 0);
            QVERIFY(dot.out.startsWith(QStringLiteral("digraph")));
            QCOMPARE(int(dot.out.count(QStringLiteral(" -> "))), nodes - 1);
            const QString nowhere = dir.filePath(QStringLiteral("missing/plan.svg"));
            const Run refused = astra({QStringLiteral("plan"),
                                       QStringLiteral("export"),
                                       QStringLiteral("1"),
                                       QStringLiteral("--svg"),
                                       nowhere});
            QVERIFY(refused.exitCode != 0);
            QVERIFY2(refused.err.contains(nowhere) && refused.err.contains(QStringLiteral("Nothing was written")),
                     qPrintable(refused.err));
            QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("missing"))));
            VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("export"), QStringLiteral("1")}), 2);
        }
    }

    void failingProposerFailsThePlan()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second,
              QStringLiteral("command"),
              script("broken.py", failingAgent));
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        const Run run = astra({QStringLiteral("run")});
        VERIFY_EXIT(run, 1);
        QVERIFY2(run.out.contains(QStringLiteral("model quota exhausted")), qPrintable(test::describe(run)));
        QCOMPARE(taskStates(),
                 (QStringList{QStringLiteral("succeeded"),
                              QStringLiteral("failed"),
                              QStringLiteral("skipped"),
                              QStringLiteral("skipped"),
                              QStringLiteral("skipped")}));
        const QJsonObject goal =
            json(astra({QStringLiteral("goal"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
                .object();
        QCOMPARE(goal.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        QCOMPARE(json(astra({QStringLiteral("mods"), QStringLiteral("--json")})).array().size(), 0);
        QCOMPARE(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/*")}),
                 QString());
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
    }

    // The plan was made with a proposer that is no longer configured: code_analyze fails and
    // says what to do.
    void proposerGoneSincePlanning()
    {
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, QStringLiteral("command"), script("agent.py", agent));
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"python3 test_calc.py\"\n[proposer]\nkind = "
                      "\"none\"\n");
        const Run run = astra({QStringLiteral("run")});
        VERIFY_EXIT(run, 1);
        const QJsonObject analyze = tasks().at(1).toObject();
        QCOMPARE(analyze.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        const QString summary = analyze.value(QStringLiteral("summary")).toString();
        QVERIFY2(summary.contains(QStringLiteral("'command'")) && summary.contains(QStringLiteral("[proposer] kind")),
                 qPrintable(summary));
    }

    // SIGKILL while a task runs, and inside code_modify between the branch and its row: the
    // next run recovers, finishes every task once, and leaves one modification.
    void killedMidRun_data()
    {
        QTest::addColumn<QByteArray>("point");
        QTest::addColumn<int>("killedTask");
        QTest::newRow("task running") << QByteArray("task-running") << 1;
        QTest::newRow("modification branch created") << QByteArray("modification-branch-created") << 3;
    }
    void killedMidRun()
    {
        QFETCH(QByteArray, point);
        QFETCH(int, killedTask);
        QTemporaryDir dir;
        setUp(test::testDatabases(dir.path()).first().second, QStringLiteral("command"), script("agent.py", agent));
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        const Run killed =
            astra({QStringLiteral("run")}, {QStringLiteral("ASTRA_CRASH_AT=") + QString::fromLatin1(point)});
        QCOMPARE(killed.exitCode, -1);
        // The next command that opens the workspace finds the task left running and requeues it.
        const QJsonObject left = tasks().at(killedTask - 1).toObject();
        QCOMPARE(left.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
        QVERIFY2(left.value(QStringLiteral("summary")).toString().contains(QStringLiteral("died")),
                 qPrintable(left.value(QStringLiteral("summary")).toString()));

        const Run again = astra({QStringLiteral("run")});
        VERIFY_EXIT(again, 0);
        QCOMPARE(taskStates(), test::repeated(5, QStringLiteral("succeeded")));
        for (const QJsonValue &value : tasks()) {
            const int id = value.toObject().value(QStringLiteral("id")).toInt();
            const QJsonObject shown = json(astra({QStringLiteral("task"),
                                                  QStringLiteral("show"),
                                                  QString::number(id),
                                                  QStringLiteral("--json")}))
                                          .object();
            const QJsonArray runs = shown.value(QStringLiteral("runs")).toArray();
            int succeeded = 0;
            for (const QJsonValue &taskRun : runs) {
                succeeded += taskRun.toObject().value(QStringLiteral("outcome")).toString() == u"succeeded" ? 1 : 0;
            }
            QCOMPARE(succeeded, 1); // never run again after it finished
            QCOMPARE(runs.size(), id == killedTask ? 2 : 1);
            if (id == killedTask) {
                QCOMPARE(runs.first().toObject().value(QStringLiteral("outcome")).toString(), QStringLiteral("error"));
            }
        }
        const QJsonArray mods = json(astra({QStringLiteral("mods"), QStringLiteral("--json")})).array();
        QCOMPARE(mods.size(), 1);
        const QStringList branches = m_repo
                                         ->git({QStringLiteral("for-each-ref"),
                                                QStringLiteral("--format=%(refname:short)"),
                                                QStringLiteral("refs/heads/astra/")})
                                         .split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(branches, QStringList{mods.first().toObject().value(QStringLiteral("branch")).toString()});
        const Run fsck = test::runProgram(QStringLiteral("git"),
                                          {QStringLiteral("fsck"), QStringLiteral("--strict")},
                                          m_repo->path());
        QVERIFY2(fsck.exitCode == 0, qPrintable(fsck.err));
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
        QVERIFY(ledgerEvents().contains(QStringLiteral("recovered")));
    }
};

QTEST_GUILESS_MAIN(TestPlan)
#include "tst_plan.moc"
