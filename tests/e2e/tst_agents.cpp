#include "testsupport.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>

using namespace astra;
using test::Run;

namespace {
const char calc[] = "def add(a, b):\n    return a - b\n";

QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The processes of this machine whose command line holds `marker`.
QStringList processesWith(const QByteArray &marker)
{
    QStringList found;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool number = false;
        entry.toLongLong(&number);
        if (!number) {
            continue;
        }
        QByteArray cmdline = readFile(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (cmdline.contains(marker)) {
            found.append(entry + u' ' + QString::fromUtf8(cmdline.replace('\0', ' ')));
        }
    }
    return found;
}

// A stand-in for each agent CLI, installed under that agent's name: it says on stderr what it
// was given (command line, the variables that matter, where the prompt came from), reads its
// prompt as the real tool does, and edits the goal's file where it runs, as the real tools do.
const char standIn[] = R"sh(#!/bin/sh
name=$(basename "$0")
echo "argv: $name $*" >&2
echo "cwd: $(pwd)" >&2
for v in ANTHROPIC_API_KEY OPENAI_API_KEY CODEX_API_KEY GEMINI_API_KEY GOOSE_PROVIDER GOOSE_MODE \
         GEMINI_CLI_TRUST_WORKSPACE DISABLE_AUTOUPDATER OPENCODE_DISABLE_AUTOUPDATE NOT_FOR_AGENTS HOME; do
  eval "val=\${$v-unset}"
  echo "env: $v=$val" >&2
done
prompt_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --message-file|--instructions) prompt_file="$2"; shift ;;
  esac
  shift
done
if [ -n "$prompt_file" ]; then
  head -n 1 "$prompt_file" | sed 's/^/prompt-file: /' >&2
else
  head -n 1 | sed 's/^/prompt-stdin: /' >&2
fi
sed -i 's/a - b/a + b/' src/calc.py
echo "I changed add to add."
)sh";
} // namespace

#define VERIFY_EXIT(expression, code) ASTRA_VERIFY_EXIT(expression, code)

// Agents run contained: in a private checkout inside the sandbox, with nothing of the user's
// work, state or home visible, their processes ended with the run, no network unless asked,
// and their change taken from what they left. Each stand-in agent below does what a hostile or
// careless agent does; the user's repository and state must not notice.
class TestAgents : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::TempRepo> m_repo;
    std::unique_ptr<test::AgentFolder> m_agents;
    QString m_db; // an SQLite file
    QTemporaryDir m_home; // the person's HOME, with a private key the agent must not see

    Run astra(QStringList args, const QStringList &env = {})
    {
        args.prepend(m_db);
        args.prepend(QStringLiteral("--db"));
        return test::runAstra(args, m_repo->path(), QStringList{QStringLiteral("HOME=") + m_home.path()} + env);
    }

    // A fresh repository, database and home for the next test.
    void prepare()
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_agents = std::make_unique<test::AgentFolder>();
        m_db = QDir(m_dir.path()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".db"));
        QDir(m_home.path()).mkpath(QStringLiteral(".ssh"));
        QFile key(m_home.path() + QStringLiteral("/.ssh/id_ed25519"));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    }

    // The repository's one goal (change src/calc.py) approved and planned with the [proposer]
    // settings given, ready for `astra run`.
    void configure(const QByteArray &proposer)
    {
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"true\"\n[proposer]\n" + proposer
                          + "timeout_s = 60\n" + m_agents->readOnlySetting());
        m_repo->write(QStringLiteral("src/calc.py"), calc);
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("goal"),
                           QStringLiteral("add"),
                           QStringLiteral("Fix add"),
                           QStringLiteral("--files"),
                           QStringLiteral("src/calc.py")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
    }

    // The `command` agent running the sh `script`, after prepare().
    void configureScript(const QByteArray &script, const QByteArray &more = {})
    {
        const QString path = m_agents->write(QStringLiteral("agent.sh"), script);
        configure("kind = \"agent\"\nagent = \"command\"\ncommand = \"sh " + path.toUtf8() + "\"\n" + more);
    }

    QJsonObject task(int id)
    {
        const QJsonArray tasks = json(astra({QStringLiteral("tasks"), QStringLiteral("--json")})).array();
        for (const QJsonValue &value : tasks) {
            if (value.toObject().value(QStringLiteral("id")).toInt() == id) {
                return value.toObject();
            }
        }
        return {};
    }

    QJsonObject transcript()
    {
        return task(2).value(QStringLiteral("output")).toObject().value(QStringLiteral("transcript")).toObject();
    }

    // The file at `path` on the modification's branch, or empty.
    QByteArray proposed(const QString &path)
    {
        const QString branches = m_repo->git({QStringLiteral("branch"),
                                              QStringLiteral("--list"),
                                              QStringLiteral("astra/*"),
                                              QStringLiteral("--format=%(refname:short)")});
        const QString branch = branches.split(u'\n', Qt::SkipEmptyParts).value(0);
        if (branch.isEmpty()) {
            return {};
        }
        return m_repo->git({QStringLiteral("show"), branch + u':' + path}).toUtf8();
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

private Q_SLOTS:
    // The agent edits where it runs: the user's tree stays as it was, and the edit becomes the
    // modification.
    void editsLandInTheModificationNotTheWorkTree()
    {
        prepare();
        configureScript("sed -i 's/a - b/a + b/' src/calc.py\necho 'new' > src/notes.txt\necho done\n");
        const QByteArray before = readFile(m_repo->file(QStringLiteral("src/calc.py")));
        const Run run = astra({QStringLiteral("run")});
        VERIFY_EXIT(run, 0);
        QCOMPARE(readFile(m_repo->file(QStringLiteral("src/calc.py"))), before);
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(proposed(QStringLiteral("src/calc.py")), QByteArray("def add(a, b):\n    return a + b\n"));
        QCOMPARE(proposed(QStringLiteral("src/notes.txt")), QByteArray("new\n"));
        const QJsonObject said = transcript();
        QCOMPARE(said.value(QStringLiteral("sandboxed")).toBool(), true);
        QCOMPARE(said.value(QStringLiteral("harvested_files")).toInt(), 2);
        QCOMPARE(said.value(QStringLiteral("exit_code")).toInt(), 0);
        QVERIFY(said.value(QStringLiteral("answer")).toString().contains(QStringLiteral("done")));
    }

    // Writes to absolute paths outside its checkout reach nothing of the host.
    void writesOutsideItsCheckoutGoNowhere()
    {
        QTemporaryDir outside;
        QFile::setPermissions(outside.path(), QFileDevice::Permissions(0x7777));
        const QString repoTarget = QStringLiteral("%1/escaped.txt");
        prepare();
        const QByteArray script = "for p in '" + repoTarget.arg(m_repo->path()).toUtf8() + "' '"
            + repoTarget.arg(outside.path()).toUtf8() + "' '" + repoTarget.arg(m_home.path()).toUtf8() + "' '"
            + m_repo->path().toUtf8() + "/.git/hooks/pre-commit'; do\n"
              "  mkdir -p \"$(dirname \"$p\")\" 2>/dev/null; echo escaped > \"$p\" 2>/dev/null\ndone\n"
              "sed -i 's/a - b/a + b/' src/calc.py\n";
        configureScript(script);
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        QVERIFY(!QFile::exists(repoTarget.arg(m_repo->path())));
        QVERIFY(!QFile::exists(repoTarget.arg(outside.path())));
        QVERIFY(!QFile::exists(repoTarget.arg(m_home.path())));
        QVERIFY(!QFile::exists(m_repo->path() + QStringLiteral("/.git/hooks/pre-commit")));
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(proposed(QStringLiteral("src/calc.py")), QByteArray("def add(a, b):\n    return a + b\n"));
    }

    // The user's git config, the state database, the ledger's ref and ~/.ssh are not there.
    void secretsAreNotVisible()
    {
        prepare();
        const QStringList paths = {m_repo->path() + QStringLiteral("/.git/config"),
                                   m_repo->path() + QStringLiteral("/.git/refs/astra"),
                                   m_repo->path() + QStringLiteral("/src/calc.py"),
                                   m_db,
                                   m_home.path() + QStringLiteral("/.ssh/id_ed25519"),
                                   m_home.path() + QStringLiteral("/.ssh")};
        QByteArray script = ": > src/probe.txt\n";
        for (const QString &path : paths) {
            script += "if [ -e '" + path.toUtf8() + "' ]; then echo 'present " + path.toUtf8()
                + "' >> src/probe.txt; else echo 'absent " + path.toUtf8() + "' >> src/probe.txt; fi\n";
        }
        configureScript(script);
        // The probe itself must see what exists on the host, or it proves nothing.
        for (const QString &path : paths) {
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        }
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        const QByteArray probe = proposed(QStringLiteral("src/probe.txt"));
        QCOMPARE(probe.count("absent "), int(paths.size()));
        QVERIFY2(!probe.contains("present "), probe.constData());
    }

    // A daemon the agent leaves behind (its own session, double-forked) that would approve and
    // merge the change is gone when the run ends, and nothing is approved.
    void leftBehindDaemonDiesWithTheRun()
    {
        const QByteArray marker = "astra-daemon-" + QUuid::createUuid().toString(QUuid::WithoutBraces).toUtf8();
        const QString ran = QDir(m_dir.path()).filePath(QStringLiteral("daemon-ran"));
        prepare();
        const QByteArray astraCli = QByteArrayLiteral(ASTRA_CLI_PATH);
        const QByteArray script = "setsid sh -c 'sleep 2; " + astraCli + " --db " + m_db.toUtf8()
            + " mod approve 1; " + astraCli + " --db " + m_db.toUtf8() + " mod merge 1; touch " + ran.toUtf8()
            + "' " + marker + " </dev/null >/dev/null 2>&1 &\n"
              "sed -i 's/a - b/a + b/' src/calc.py\n";
        configureScript(script);
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        QVERIFY2(processesWith(marker).isEmpty(), qPrintable(processesWith(marker).join(u'\n')));
        QTest::qWait(3000);
        QVERIFY(!QFile::exists(ran));
        const QJsonObject modification =
            json(astra({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
                .object();
        QVERIFY2(modification.value(QStringLiteral("status")).toString() != u"approved"
                     && modification.value(QStringLiteral("status")).toString() != u"merged",
                 qPrintable(modification.value(QStringLiteral("status")).toString()));
        QVERIFY(!ledgerEvents().contains(QStringLiteral("modification_approved")));
        QCOMPARE(m_repo->git({QStringLiteral("log"), QStringLiteral("--format=%s"), QStringLiteral("main")}).trimmed(),
                 QStringLiteral("initial"));
    }

    // No network unless the configuration says network = "host".
    void networkOnlyWhenConfigured_data()
    {
        QTest::addColumn<QByteArray>("setting");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("default") << QByteArray() << QByteArray("refused\n");
        QTest::newRow("none") << QByteArray("network = \"none\"\n") << QByteArray("refused\n");
        QTest::newRow("host") << QByteArray("network = \"host\"\n") << QByteArray("connected\n");
    }
    void networkOnlyWhenConfigured()
    {
        QFETCH(QByteArray, setting);
        QFETCH(QByteArray, expected);
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QByteArray script = "if bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + QByteArray::number(server.serverPort())
            + "' 2>/dev/null; then echo connected > src/net.txt; else echo refused > src/net.txt; fi\n";
        prepare();
        configureScript(script, setting);
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        QCOMPARE(proposed(QStringLiteral("src/net.txt")), expected);
    }

    // Changes to .astra.toml or to its checkout's hooks are refused by the policy, with a ledger
    // entry, and nothing is written.
    void guardedFilesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<QString>("path");
        QTest::newRow("config") << QByteArray("echo '[policy]' > .astra.toml\nsed -i 's/a - b/a + b/' src/calc.py\n")
                                << QStringLiteral(".astra.toml");
        QTest::newRow("hook") << QByteArray(
            "printf '#!/bin/sh\\ncurl evil\\n' > .git/hooks/pre-commit\n"
            "sed -i 's/a - b/a + b/' src/calc.py\n")
                              << QStringLiteral(".git/hooks/pre-commit");
        QTest::newRow("git config") << QByteArray("printf '[core]\\nfsmonitor = evil\\n' >> .git/config\n")
                                    << QStringLiteral(".git/config");
    }
    void guardedFilesAreRefused()
    {
        QFETCH(QByteArray, script);
        QFETCH(QString, path);
        prepare();
        configureScript(script);
        const Run run = astra({QStringLiteral("run")});
        QVERIFY2(run.exitCode != 0, qPrintable(test::describe(run)));
        QCOMPARE(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/*")}),
                 QString());
        const QString summary = task(3).value(QStringLiteral("summary")).toString();
        QVERIFY2(summary.contains(path), qPrintable(summary));
        const Run shown = astra({QStringLiteral("ledger"), QStringLiteral("show"), QStringLiteral("--json")});
        bool refusal = false;
        for (const QJsonValue &entry : json(shown).array()) {
            const QJsonObject object = entry.toObject();
            refusal = refusal
                || (object.value(QStringLiteral("event")).toString() == u"policy_violation"
                    && QJsonDocument(object).toJson().contains(QByteArray("\"path\": \"" + path.toUtf8() + '"')));
        }
        QVERIFY2(refusal, qPrintable(shown.out));
        VERIFY_EXIT(astra({QStringLiteral("ledger"), QStringLiteral("verify")}), 0);
    }

    // A write past the scratch space fails the run with a message that names the setting.
    void fullScratchSpaceFailsClearly()
    {
        prepare();
        configureScript("head -c 4194304 /dev/zero > /tmp/big || exit 1\nsed -i 's/a - b/a + b/' src/calc.py\n",
                        "scratch_mb = 1\n");
        const Run run = astra({QStringLiteral("run")});
        QVERIFY2(run.exitCode != 0, qPrintable(test::describe(run)));
        const QString summary = task(2).value(QStringLiteral("summary")).toString();
        QVERIFY2(summary.contains(QStringLiteral("scratch_mb")), qPrintable(summary));
        // The failed run's transcript is kept with its task.
        const QJsonObject said = transcript();
        QCOMPARE(said.value(QStringLiteral("exit_code")).toInt(), 1);
        QVERIFY2(said.value(QStringLiteral("stderr")).toString().contains(QStringLiteral("No space left on device")),
                 qPrintable(said.value(QStringLiteral("stderr")).toString()));
        QCOMPARE(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/*")}),
                 QString());
    }

    // Each agent by name: its documented non-interactive command line, the prompt as it reads
    // it, the key passed in through the environment and nothing else of the caller's.
    void agentsByName_data()
    {
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("aider") << QStringLiteral("aider")
                               << QStringList{QStringLiteral("--yes-always"),
                                              QStringLiteral("--no-auto-commits"),
                                              QStringLiteral("prompt-file: # Goal 1: Fix add"),
                                              QStringLiteral("env: ANTHROPIC_API_KEY=sk-test")};
        QTest::newRow("claude") << QStringLiteral("claude")
                                << QStringList{QStringLiteral("argv: claude -p --dangerously-skip-permissions"),
                                               QStringLiteral("prompt-stdin: # Goal 1: Fix add"),
                                               QStringLiteral("env: ANTHROPIC_API_KEY=sk-test"),
                                               QStringLiteral("env: DISABLE_AUTOUPDATER=1")};
        QTest::newRow("codex") << QStringLiteral("codex")
                               << QStringList{QStringLiteral("argv: codex exec --skip-git-repo-check"),
                                              QStringLiteral("--dangerously-bypass-approvals-and-sandbox"),
                                              QStringLiteral("prompt-stdin: # Goal 1: Fix add"),
                                              QStringLiteral("env: OPENAI_API_KEY=sk-openai")};
        QTest::newRow("gemini") << QStringLiteral("gemini")
                                << QStringList{QStringLiteral("argv: gemini --approval-mode=yolo"),
                                               QStringLiteral("prompt-stdin: # Goal 1: Fix add"),
                                               QStringLiteral("env: GEMINI_API_KEY=g-test"),
                                               QStringLiteral("env: GEMINI_CLI_TRUST_WORKSPACE=true")};
        QTest::newRow("goose") << QStringLiteral("goose")
                               << QStringList{QStringLiteral("argv: goose run --no-session"),
                                              QStringLiteral("prompt-file: # Goal 1: Fix add"),
                                              QStringLiteral("env: GOOSE_MODE=auto"),
                                              QStringLiteral("env: GOOSE_PROVIDER=anthropic"),
                                              QStringLiteral("env: ANTHROPIC_API_KEY=sk-test")};
        QTest::newRow("opencode") << QStringLiteral("opencode")
                                  << QStringList{QStringLiteral("argv: opencode run --auto"),
                                                 QStringLiteral("prompt-stdin: # Goal 1: Fix add"),
                                                 QStringLiteral("env: OPENCODE_DISABLE_AUTOUPDATE=1")};
    }
    void agentsByName()
    {
        QFETCH(QString, agent);
        QFETCH(QStringList, expected);
        prepare();
        m_agents->write(agent, standIn);
        configure("kind = \"agent\"\nagent = \"" + agent.toUtf8() + "\"\n");
        const QStringList env = {QStringLiteral("PATH=") + m_agents->path() + u':' + qEnvironmentVariable("PATH"),
                                 QStringLiteral("ANTHROPIC_API_KEY=sk-test"),
                                 QStringLiteral("OPENAI_API_KEY=sk-openai"),
                                 QStringLiteral("GEMINI_API_KEY=g-test"),
                                 QStringLiteral("GOOSE_PROVIDER=anthropic"),
                                 QStringLiteral("NOT_FOR_AGENTS=secret")};
        const Run run = astra({QStringLiteral("run")}, env);
        VERIFY_EXIT(run, 0);
        const QJsonObject said = transcript();
        const QString stderrText = said.value(QStringLiteral("stderr")).toString();
        for (const QString &line : expected) {
            QVERIFY2(stderrText.contains(line), qPrintable(line + QStringLiteral(" not in:\n") + stderrText));
        }
        QVERIFY2(stderrText.contains(QStringLiteral("env: NOT_FOR_AGENTS=unset")), qPrintable(stderrText));
        QVERIFY2(stderrText.contains(QStringLiteral("env: HOME=/tmp")), qPrintable(stderrText));
        // Keys travel in the environment, never on a command line.
        const QString commandLine = said.value(QStringLiteral("command")).toVariant().toStringList().join(u' ');
        QVERIFY2(!commandLine.contains(QStringLiteral("sk-")), qPrintable(commandLine));
        QCOMPARE(proposed(QStringLiteral("src/calc.py")), QByteArray("def add(a, b):\n    return a + b\n"));
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QVERIFY(said.value(QStringLiteral("answer")).toString().contains(QStringLiteral("I changed add")));
    }

    // sandbox = "none" is said in so many words: the run still works in a private checkout, and
    // the CLI warns and the transcript marks it.
    void unsandboxedRunIsWarnedAndMarked()
    {
        prepare();
        configureScript("sed -i 's/a - b/a + b/' src/calc.py\n", "sandbox = \"none\"\n");
        const Run run = astra({QStringLiteral("run")});
        VERIFY_EXIT(run, 0);
        QVERIFY2(run.err.contains(QStringLiteral("ran without a sandbox")), qPrintable(test::describe(run)));
        QCOMPARE(transcript().value(QStringLiteral("sandboxed")).toBool(), false);
        QVERIFY(transcript().value(QStringLiteral("sandbox")).toString().startsWith(QStringLiteral("none")));
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(proposed(QStringLiteral("src/calc.py")), QByteArray("def add(a, b):\n    return a + b\n"));
    }

    // A named agent that is not installed: a clear error, nothing written.
    void agentNotInstalled()
    {
        prepare();
        configure("kind = \"agent\"\nagent = \"claude\"\n");
        const Run run = astra({QStringLiteral("run")}, {QStringLiteral("PATH=/usr/bin:/bin")});
        QVERIFY(run.exitCode != 0);
        const QString summary = task(2).value(QStringLiteral("summary")).toString();
        QVERIFY2(summary.contains(QStringLiteral("Claude Code is not installed"))
                     && summary.contains(QStringLiteral("[proposer] agent")),
                 qPrintable(summary));
        QCOMPARE(m_repo->git({QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("astra/*")}),
                 QString());
    }

    // The scratch folder of a run that was killed is removed on the next open.
    void scratchOfAKilledRunIsRemoved()
    {
        prepare();
        configureScript("sed -i 's/a - b/a + b/' src/calc.py\nsleep 30\n");
        // A TMPDIR of its own: other tests running at the same time leave scratch folders of
        // their own runs in the shared one. Open to others, like /tmp, for the sandbox's user.
        QTemporaryDir ownTemp;
        QVERIFY(ownTemp.isValid());
        QVERIFY(QFile::setPermissions(ownTemp.path(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                          | QFileDevice::ExeGroup | QFileDevice::ExeOther));
        QDir temp(ownTemp.path());
        const auto scratch = [&] {
            return temp.entryList({QStringLiteral("astra-agent-*")}, QDir::Dirs | QDir::NoDotAndDotDot);
        };
        const QStringList before = scratch();
        QProcess run;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("TMPDIR"), ownTemp.path());
        run.setProcessEnvironment(env);
        run.setWorkingDirectory(m_repo->path());
        run.start(QStringLiteral(ASTRA_CLI_PATH), {QStringLiteral("--db"), m_db, QStringLiteral("run")});
        QVERIFY(run.waitForStarted());
        QStringList made;
        for (int i = 0; i < 100 && made.isEmpty(); ++i) {
            QTest::qWait(100);
            made = scratch();
            for (const QString &old : before) {
                made.removeAll(old);
            }
        }
        QCOMPARE(made.size(), 1);
        QTest::qWait(300); // the agent is running in it
        // Only the run passes through its scratch folder: run by root, it is root's and open
        // to the run's own group only; otherwise it is the user's alone.
        struct stat info
        {};
        QCOMPARE(::stat(QFile::encodeName(temp.filePath(made.first())).constData(), &info), 0);
        if (geteuid() == 0) {
            QCOMPARE(info.st_mode & 07777, mode_t(0710));
            QCOMPARE(info.st_uid, uid_t(0));
            QVERIFY(info.st_gid >= 0x70000000u);
        } else {
            QCOMPARE(info.st_mode & 07777, mode_t(0700));
        }
        run.kill();
        run.waitForFinished();
        QVERIFY(temp.exists(made.first()));
        VERIFY_EXIT(astra({QStringLiteral("status")}, {QStringLiteral("TMPDIR=") + ownTemp.path()}), 0);
        QVERIFY2(!temp.exists(made.first()), qPrintable(made.first()));
    }
};

QTEST_GUILESS_MAIN(TestAgents)
#include "tst_agents.moc"
