#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUuid>

using namespace astra;
using test::Run;

namespace {
const char calc[] = "def add(a, b):\n    return a - b\n";

QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray()) {
        list.append(item.toString());
    }
    return list;
}

// The agent asked to fix src/calc.py that also "tidies up" two other files: +1 line in src/a.py,
// +2 in src/b.py.
const char creeping[] =
    "sed -i 's/a - b/a + b/' src/calc.py\n"
    "echo '# tidied' >> src/a.py\n"
    "printf 'x = 1\\ny = 2\\n' >> src/b.py\n"
    "echo done\n";
} // namespace

#define VERIFY_EXIT(expression, code) ASTRA_VERIFY_EXIT(expression, code)

// Scope: a change knows what it was asked to touch (its goal's files, its plan's reads, its
// import's --files, the review comments a revision answers), and whatever it touches beyond that
// is flagged to the reviewer or, with [policy] scope = "refuse", refused before anything is
// written. [policy] max_changed_lines bounds the size of any change. Real agents (a command run
// in the sandbox), real repositories, the real command line.
class TestScope : public QObject
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
    QJsonDocument astraJson(QStringList args)
    {
        args.append(QStringLiteral("--json"));
        const Run run = astra(args);
        if (run.exitCode != 0) {
            qWarning().noquote() << "astra" << args.join(u' ') << "failed:" << run.err;
        }
        return json(run);
    }

    // A repository with src/calc.py and four other files, `policy` in [policy], the `command`
    // agent running `script`; goal 1 ("Fix add", `files` when given) approved and planned.
    void prepare(const QByteArray &script, const QByteArray &policy = {}, const QStringList &files = {})
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_agents = std::make_unique<test::AgentFolder>();
        m_db = QDir(m_dir.path()).filePath(QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".db"));
        const QString agent = m_agents->write(QStringLiteral("agent.sh"), script);
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[policy]\nallowed = [\"src/\"]\n" + policy
                          + "[tests]\ncommand = \"true\"\n[proposer]\nkind = \"agent\"\nagent = \"command\"\n"
                            "command = \"sh "
                          + agent.toUtf8() + "\"\ntimeout_s = 60\n" + m_agents->readOnlySetting());
        m_repo->write(QStringLiteral("src/calc.py"), calc);
        for (const char *name : {"a", "b", "d", "e"}) {
            m_repo->write(QStringLiteral("src/%1.py").arg(QLatin1String(name)), "pass\n");
        }
        m_repo->commitAll(QStringLiteral("initial"));
        VERIFY_EXIT(astra({QStringLiteral("init")}), 0);
        QStringList add{QStringLiteral("goal"), QStringLiteral("add"), QStringLiteral("Fix add")};
        if (!files.isEmpty()) {
            add += QStringList{QStringLiteral("--files")} + files;
        }
        VERIFY_EXIT(astra(add), 0);
        VERIFY_EXIT(astra({QStringLiteral("goal"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("1")}), 0);
        VERIFY_EXIT(astra({QStringLiteral("plan"), QStringLiteral("approve"), QStringLiteral("1")}), 0);
    }

    QJsonObject modification(int id)
    {
        return astraJson({QStringLiteral("mod"), QStringLiteral("show"), QString::number(id)}).object();
    }

    QJsonArray ledger()
    {
        return astraJson({QStringLiteral("ledger"), QStringLiteral("show")}).array();
    }

    // The modifications' branches and revision refs.
    QStringList branches()
    {
        return m_repo
            ->git({QStringLiteral("for-each-ref"),
                   QStringLiteral("--format=%(refname)"),
                   QStringLiteral("refs/heads/astra/"),
                   QStringLiteral("refs/astra/modifications/")})
            .split(u'\n', Qt::SkipEmptyParts);
    }

    // The flags of the file at `path` of modification JSON `m`.
    static QStringList fileFlags(const QJsonObject &m, const QString &path)
    {
        for (const QJsonValue &value : m.value(QStringLiteral("files")).toArray()) {
            if (value.toObject().value(QStringLiteral("path")).toString() == path) {
                return strings(value.toObject().value(QStringLiteral("flags")));
            }
        }
        return {QStringLiteral("<not in the change>")};
    }

private Q_SLOTS:
    // Asked to change one file, the agent changed three: the two others are flagged by name, with
    // their lines, on the files, on the modification and in `astra mod show`.
    void changesBeyondTheGoalAreFlagged()
    {
        prepare(creeping, {}, {QStringLiteral("src/calc.py")});
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        const QJsonObject m = modification(1);
        const QJsonObject scope = m.value(QStringLiteral("scope")).toObject();
        QCOMPARE(scope.value(QStringLiteral("state")).toString(), QStringLiteral("stated"));
        QCOMPARE(strings(scope.value(QStringLiteral("beyond_files"))),
                 (QStringList{QStringLiteral("src/a.py"), QStringLiteral("src/b.py")}));
        QCOMPARE(scope.value(QStringLiteral("beyond_lines")).toInt(), 3);
        QCOMPARE(scope.value(QStringLiteral("changed_lines")).toInt(), 5);
        QVERIFY(fileFlags(m, QStringLiteral("src/a.py")).contains(QStringLiteral("beyond_scope")));
        QVERIFY(fileFlags(m, QStringLiteral("src/b.py")).contains(QStringLiteral("beyond_scope")));
        QVERIFY(!fileFlags(m, QStringLiteral("src/calc.py")).contains(QStringLiteral("beyond_scope")));
        QVERIFY(strings(m.value(QStringLiteral("flags"))).contains(QStringLiteral("beyond_scope:src/b.py")));
        const Run shown = astra({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1")});
        VERIFY_EXIT(shown, 0);
        QVERIFY2(shown.out.contains(QStringLiteral("BEYOND SCOPE: 2 file"))
                     && shown.out.contains(QStringLiteral(", 3 changed line")),
                 qPrintable(shown.out));
        QVERIFY2(shown.out.contains(QStringLiteral("src/calc.py (goal)")), qPrintable(shown.out));
        QVERIFY2(shown.out.contains(QStringLiteral("    src/a.py  +1 -0")), qPrintable(shown.out));
        // The ledger keeps it with the modification's creation.
        bool recorded = false;
        for (const QJsonValue &value : ledger()) {
            const QJsonObject entry = value.toObject();
            if (entry.value(QStringLiteral("event")).toString() == u"modification_created") {
                const QJsonObject meta = entry.value(QStringLiteral("meta")).toObject();
                recorded =
                    strings(meta.value(QStringLiteral("scope")).toObject().value(QStringLiteral("beyond_files"))).size()
                    == 2;
            }
        }
        QVERIFY(recorded);
    }

    // With scope = "refuse" the same change is refused before anything is written: no branch, no
    // modification, only the ledger entry naming the files, the rule and the setting.
    void refusedBeyondTheGoalWritesOnlyTheLedgerEntry()
    {
        prepare(creeping, "scope = \"refuse\"\n", {QStringLiteral("src/calc.py")});
        const int before = int(ledger().size());
        const Run run = astra({QStringLiteral("run")});
        QVERIFY2(run.exitCode != 0 || run.out.contains(QStringLiteral("fail")), qPrintable(run.out + run.err));
        QCOMPARE(branches(), QStringList());
        QCOMPARE(astraJson({QStringLiteral("mods")}).array().size(), 0);
        QCOMPARE(test::lockFiles(m_repo->path() + QStringLiteral("/.git")), QStringList());
        const QJsonArray entries = ledger();
        QJsonObject refusal;
        for (int i = before; i < entries.size(); ++i) {
            const QJsonObject entry = entries.at(i).toObject();
            QVERIFY2(entry.value(QStringLiteral("event")).toString() != u"modification_created",
                     "nothing but the refusal is recorded of the change");
            if (entry.value(QStringLiteral("event")).toString() == u"policy_violation") {
                refusal = entry.value(QStringLiteral("meta")).toObject();
            }
        }
        QStringList paths;
        for (const QJsonValue &value : refusal.value(QStringLiteral("violations")).toArray()) {
            const QJsonObject violation = value.toObject();
            QCOMPARE(violation.value(QStringLiteral("rule")).toString(), QStringLiteral("beyond_scope"));
            QVERIFY2(violation.value(QStringLiteral("message")).toString().contains(QStringLiteral("scope = \"flag\"")),
                     qPrintable(violation.value(QStringLiteral("message")).toString()));
            paths.append(violation.value(QStringLiteral("path")).toString());
        }
        QCOMPARE(paths, (QStringList{QStringLiteral("src/a.py"), QStringLiteral("src/b.py")}));
        QCOMPARE(refusal.value(QStringLiteral("changed_files")).toArray().size(), 3);
        // The task that tried says why.
        const Run tasks = astra({QStringLiteral("tasks")});
        QVERIFY2(tasks.out.contains(QStringLiteral("failed")), qPrintable(tasks.out));
        auto verified = astra({QStringLiteral("ledger"), QStringLiteral("verify")});
        VERIFY_EXIT(verified, 0);
    }

    // A revision answering a comment on a fourth file may change that file without a flag; a
    // file nobody named is still flagged.
    void aRevisionMayChangeWhatItsCommentsName()
    {
        prepare(
            "if grep -q '\"review\"' \"$ASTRA_REQUEST_FILE\"; then\n"
            "  echo '# as asked' >> src/d.py\n"
            "  echo '# unasked' >> src/e.py\n"
            "else\n"
            "  sed -i 's/a - b/a + b/' src/calc.py\n"
            "fi\n"
            "echo done\n",
            {},
            {QStringLiteral("src/calc.py")});
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        QCOMPARE(
            strings(modification(1).value(QStringLiteral("scope")).toObject().value(QStringLiteral("beyond_files"))),
            QStringList());
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("comment"),
                           QStringLiteral("1"),
                           QStringLiteral("--file"),
                           QStringLiteral("src/d.py"),
                           QStringLiteral("Say here that add adds.")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("request-changes"), QStringLiteral("1")}), 0);
        const QJsonObject m = modification(1);
        QCOMPARE(m.value(QStringLiteral("revision")).toInt(), 2);
        const QJsonObject scope = m.value(QStringLiteral("scope")).toObject();
        QCOMPARE(strings(scope.value(QStringLiteral("beyond_files"))), QStringList{QStringLiteral("src/e.py")});
        QVERIFY(!fileFlags(m, QStringLiteral("src/d.py")).contains(QStringLiteral("beyond_scope")));
        QVERIFY(fileFlags(m, QStringLiteral("src/e.py")).contains(QStringLiteral("beyond_scope")));
        bool fromComment = false;
        for (const QJsonValue &value : scope.value(QStringLiteral("files")).toArray()) {
            fromComment |= value.toObject().value(QStringLiteral("path")).toString() == u"src/d.py"
                && value.toObject().value(QStringLiteral("source")).toString() == u"comment";
        }
        QVERIFY(fromComment);
    }

    // With scope = "refuse" set after the change was written: a person's revision (hunks
    // rejected) is a decision on what is there and is flagged, not refused; the agent's answer
    // to requested changes that goes beyond the scope is refused, and nothing moves.
    void revisionsByPeopleAreFlaggedByTheAgentRefused()
    {
        prepare(QByteArray("if grep -q '\"review\"' \"$ASTRA_REQUEST_FILE\"; then\n"
                           "  echo '# unasked' >> src/e.py\n"
                           "else\n")
                    + creeping + "fi\n",
                {},
                {QStringLiteral("src/calc.py")});
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        m_repo->write(QStringLiteral(".astra.toml"),
                      m_repo->git({QStringLiteral("show"), QStringLiteral("main:.astra.toml")})
                          .toUtf8()
                          .replace("[policy]\n", "[policy]\nscope = \"refuse\"\n"));
        m_repo->commitAll(QStringLiteral("refuse what goes beyond"));
        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("reject-hunk"),
                           QStringLiteral("1"),
                           QStringLiteral("src/b.py")}),
                    0);
        VERIFY_EXIT(astra({QStringLiteral("mod"), QStringLiteral("apply-decisions"), QStringLiteral("1")}), 0);
        QJsonObject m = modification(1);
        QCOMPARE(m.value(QStringLiteral("revision")).toInt(), 2);
        QCOMPARE(strings(m.value(QStringLiteral("scope")).toObject().value(QStringLiteral("beyond_files"))),
                 QStringList{QStringLiteral("src/a.py")});

        VERIFY_EXIT(astra({QStringLiteral("mod"),
                           QStringLiteral("comment"),
                           QStringLiteral("1"),
                           QStringLiteral("--file"),
                           QStringLiteral("src/calc.py"),
                           QStringLiteral("Name the function better.")}),
                    0);
        const QStringList refsBefore = branches();
        const QString headBefore = m.value(QStringLiteral("head_commit")).toString();
        const Run requested = astra({QStringLiteral("mod"), QStringLiteral("request-changes"), QStringLiteral("1")});
        QCOMPARE(requested.exitCode, 1);
        QVERIFY2(requested.err.contains(QStringLiteral("src/e.py"))
                     && requested.err.contains(QStringLiteral("A review comment on a file puts it in the scope")),
                 qPrintable(requested.err));
        m = modification(1);
        QCOMPARE(m.value(QStringLiteral("revision")).toInt(), 2);
        QCOMPARE(m.value(QStringLiteral("head_commit")).toString(), headBefore);
        QCOMPARE(branches(), refsBefore);
        QStringList events;
        for (const QJsonValue &value : ledger()) {
            events.append(value.toObject().value(QStringLiteral("event")).toString());
        }
        QVERIFY2(events.mid(events.size() - 2)
                     == (QStringList{QStringLiteral("policy_violation"), QStringLiteral("changes_request_failed")}),
                 qPrintable(events.join(u' ')));
    }

    // max_changed_lines: a change one line over the limit is refused, one at it is written.
    void theLineLimitRefusesOneLineOver_data()
    {
        QTest::addColumn<int>("limit");
        QTest::addColumn<bool>("written");
        // The agent's change: calc.py's line replaced (+1 -1) and one line added: 3 lines.
        QTest::newRow("at the limit") << 3 << true;
        QTest::newRow("one over") << 2 << false;
    }
    void theLineLimitRefusesOneLineOver()
    {
        QFETCH(int, limit);
        QFETCH(bool, written);
        prepare("sed -i 's/a - b/a + b/' src/calc.py\necho '# one more' >> src/calc.py\necho done\n",
                "max_changed_lines = " + QByteArray::number(limit) + "\n",
                {QStringLiteral("src/calc.py")});
        astra({QStringLiteral("run")});
        QCOMPARE(astraJson({QStringLiteral("mods")}).array().size(), written ? 1 : 0);
        QCOMPARE(branches().isEmpty(), !written);
        if (!written) {
            QString message;
            for (const QJsonValue &value : ledger()) {
                const QJsonObject entry = value.toObject();
                if (entry.value(QStringLiteral("event")).toString() == u"policy_violation") {
                    const QJsonObject violation = entry.value(QStringLiteral("meta"))
                                                      .toObject()
                                                      .value(QStringLiteral("violations"))
                                                      .toArray()
                                                      .first()
                                                      .toObject();
                    QCOMPARE(violation.value(QStringLiteral("rule")).toString(),
                             QStringLiteral("too_many_changed_lines"));
                    message = violation.value(QStringLiteral("message")).toString();
                }
            }
            QVERIFY2(message.contains(QStringLiteral("deletes 3 line"))
                         && message.contains(QStringLiteral("max_changed_lines = 2")),
                     qPrintable(message));
        }
    }

    // A goal added by hand without files has no scope to check: nothing is flagged, nothing
    // refused, and `astra mod show` says why.
    void aGoalWithoutFilesHasNoScope()
    {
        prepare(creeping, "scope = \"refuse\"\n");
        VERIFY_EXIT(astra({QStringLiteral("run")}), 0);
        const QJsonObject m = modification(1);
        QCOMPARE(m.value(QStringLiteral("scope")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("no_files"));
        QCOMPARE(m.value(QStringLiteral("files")).toArray().size(), 3);
        QVERIFY(strings(m.value(QStringLiteral("flags"))).filter(QStringLiteral("scope")).isEmpty());
        const Run shown = astra({QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1")});
        QVERIFY2(shown.out.contains(QStringLiteral("goal 1 names no files")), qPrintable(shown.out));
    }

    // Imports: the scope is --files, else the goal's; with neither the change is flagged "no
    // stated scope". A refused import makes no goal.
    void importsTakeTheirScopeFromFilesOrTheirGoal()
    {
        prepare("true\n", {}, {QStringLiteral("src/calc.py")});
        const QString patchFile = QDir(m_dir.path()).filePath(QStringLiteral("change.patch"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("work")});
        m_repo->write(QStringLiteral("src/calc.py"), "def add(a, b):\n    return a + b\n");
        m_repo->write(QStringLiteral("src/a.py"), "pass\n# and this\n");
        m_repo->commitAll(QStringLiteral("Fix add"));
        {
            QFile patch(patchFile);
            QVERIFY(patch.open(QIODevice::WriteOnly));
            patch.write(m_repo->git({QStringLiteral("diff"), QStringLiteral("main"), QStringLiteral("work")}).toUtf8());
        }
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        const auto propose = [&](const QStringList &more) {
            return astraJson(QStringList{QStringLiteral("propose"), QStringLiteral("--patch"), patchFile} + more)
                .object();
        };
        // --files: its own scope, and the goal made for it names them.
        QJsonObject m = propose({QStringLiteral("--files"), QStringLiteral("src/calc.py")});
        QCOMPARE(strings(m.value(QStringLiteral("scope")).toObject().value(QStringLiteral("beyond_files"))),
                 QStringList{QStringLiteral("src/a.py")});
        const QJsonObject goal = astraJson({QStringLiteral("goal"),
                                            QStringLiteral("show"),
                                            QString::number(m.value(QStringLiteral("goal_id")).toInt())})
                                     .object();
        QCOMPARE(strings(goal.value(QStringLiteral("evidence")).toObject().value(QStringLiteral("files"))),
                 QStringList{QStringLiteral("src/calc.py")});
        // The goal it attaches to.
        m = propose({QStringLiteral("--goal"), QStringLiteral("1")});
        QCOMPARE(strings(m.value(QStringLiteral("scope")).toObject().value(QStringLiteral("beyond_files"))),
                 QStringList{QStringLiteral("src/a.py")});
        // Neither: flagged as having no stated scope, no file singled out.
        m = propose({});
        QCOMPARE(m.value(QStringLiteral("scope")).toObject().value(QStringLiteral("state")).toString(),
                 QStringLiteral("unstated"));
        QVERIFY(strings(m.value(QStringLiteral("flags"))).contains(QStringLiteral("no_stated_scope")));
        QVERIFY(!fileFlags(m, QStringLiteral("src/a.py")).contains(QStringLiteral("beyond_scope")));
        const Run shown = astra(
            {QStringLiteral("mod"), QStringLiteral("show"), QString::number(m.value(QStringLiteral("id")).toInt())});
        QVERIFY2(shown.out.contains(QStringLiteral("NO STATED SCOPE")), qPrintable(shown.out));

        // Refused: no goal is made for it, no branch, the ledger says why.
        m_repo->write(QStringLiteral(".astra.toml"),
                      m_repo->git({QStringLiteral("show"), QStringLiteral("main:.astra.toml")})
                          .toUtf8()
                          .replace("[policy]\n", "[policy]\nscope = \"refuse\"\n"));
        m_repo->commitAll(QStringLiteral("refuse what goes beyond"));
        const int goals = astraJson({QStringLiteral("goals")}).array().size();
        const QStringList refsBefore = branches();
        const Run refused = astra({QStringLiteral("propose"),
                                   QStringLiteral("--patch"),
                                   patchFile,
                                   QStringLiteral("--files"),
                                   QStringLiteral("src/calc.py")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("src/a.py")) && refused.err.contains(QStringLiteral("scope = ")),
                 qPrintable(refused.err));
        QCOMPARE(astraJson({QStringLiteral("goals")}).array().size(), goals);
        QCOMPARE(branches(), refsBefore);
        const QJsonObject last = ledger().last().toObject();
        QCOMPARE(last.value(QStringLiteral("event")).toString(), QStringLiteral("policy_violation"));
        QCOMPARE(last.value(QStringLiteral("subject")).toString(), QStringLiteral("import:change_set"));
    }
};

QTEST_GUILESS_MAIN(TestScope)
#include "tst_scope.moc"
