#include "testsupport.h"
#include "workspace/workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace astra;

namespace {
QByteArray fileSha(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

// Everything about the user's side of the repository that a modification must not touch.
struct UserState
{
    QString status;
    QString head;
    QByteArray index;
    QMap<QString, qint64> mtimes;

    static UserState of(const test::TempRepo &repo)
    {
        UserState state;
        state.status = repo.git({QStringLiteral("status"), QStringLiteral("--porcelain=v1"), QStringLiteral("-uall")});
        state.head = repo.git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).trimmed();
        state.index = fileSha(repo.file(QStringLiteral(".git/index")));
        QDirIterator it(repo.path(), QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (!path.contains(QStringLiteral("/.git/"))) {
                state.mtimes.insert(path, QFileInfo(path).lastModified().toMSecsSinceEpoch());
            }
        }
        return state;
    }
    bool operator==(const UserState &other) const
    {
        return status == other.status && head == other.head && index == other.index && mtimes == other.mtimes;
    }
};

FileChange write(const char *path, const QByteArray &content, quint32 mode = 0100644)
{
    FileChange change;
    change.kind = FileChange::Kind::Write;
    change.path = QByteArray(path);
    change.content = content;
    change.mode = mode;
    return change;
}

FileChange deleteFile(const char *path)
{
    FileChange change;
    change.kind = FileChange::Kind::Delete;
    change.path = QByteArray(path);
    change.hasContent = false;
    return change;
}

FileChange renameFile(const char *from, const char *to)
{
    FileChange change;
    change.kind = FileChange::Kind::Rename;
    change.oldPath = QByteArray(from);
    change.path = QByteArray(to);
    change.hasContent = false;
    return change;
}

const char config[] =
    "[workspace]\n"
    "target_branch = \"main\"\n"
    "[policy]\n"
    "allowed = [\"src/\", \"tests/\", \"docs/\"]\n"
    "forbidden = [\"src/secret/\"]\n"
    "[tests]\n"
    "command = \"test -f src/calc.c && ! grep -q BROKEN src/calc.c\"\n"
    "timeout_s = 60\n";
} // namespace

class TestModifications : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<test::TempRepo> m_repo;
    std::unique_ptr<Workspace> m_workspace;
    qint64 m_goal = 0;

    void makeWorkspace(const QByteArray &configText = QByteArray(config))
    {
        m_workspace.reset();
        m_repo = std::make_unique<test::TempRepo>();
        QVERIFY(m_repo->isValid());
        m_repo->write(QStringLiteral(".astra.toml"), configText);
        m_repo->write(QStringLiteral("src/calc.c"), "int add(int a, int b) { return a + b; }\n");
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 1; }\n");
        m_repo->write(QStringLiteral("docs/old.md"), "old\n");
        m_repo->write(QStringLiteral("README.md"), "readme\n");
        m_repo->commitAll(QStringLiteral("initial"));
        WorkspaceOptions options;
        options.repoPath = m_repo->path();
        QVERIFY(Workspace::init(options).ok());
        auto opened = Workspace::open(options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        m_workspace = std::move(*opened);
        auto goal = m_workspace->addUserGoal(QStringLiteral("Improve calc"), {QStringLiteral("src/calc.c")});
        QVERIFY(goal.ok());
        m_goal = goal->id;
    }

    // A modification of `path` to `content`, tested and approved, ready to merge; 0 on failure.
    qint64 approvedModification(const char *path, const QByteArray &content)
    {
        ChangeSet changes;
        changes.files = {write(path, content)};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        if (!created || !m_workspace->testModification(created->id)
            || !m_workspace->approveModification(created->id, QString())) {
            return 0;
        }
        return created->id;
    }

    QStringList astraBranches() const
    {
        return m_repo
            ->git({QStringLiteral("branch"),
                   QStringLiteral("--list"),
                   QStringLiteral("astra/*"),
                   QStringLiteral("--format=%(refname:short)")})
            .split(u'\n', Qt::SkipEmptyParts);
    }

    qint64 modificationCount()
    {
        return m_workspace->modifications()->size();
    }

private Q_SLOTS:
    void createLeavesTheUserAlone()
    {
        makeWorkspace();
        // The user has work in progress: a staged change, an unstaged one and a new file.
        m_repo->write(QStringLiteral("README.md"), "readme, edited\n");
        m_repo->git({QStringLiteral("add"), QStringLiteral("README.md")});
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 2; }\n");
        m_repo->write(QStringLiteral("notes.txt"), "mine\n");
        const UserState before = UserState::of(*m_repo);

        ChangeSet changes;
        changes.title = QStringLiteral("Subtract too");
        changes.rationale = QStringLiteral("Callers need subtraction.");
        changes.files = {
            write("src/calc.c", "int add(int a, int b) { return a + b; }\nint sub(int a, int b) { return a - b; }\n"),
            write("src/new.c", "int two(void) { return 2; }\n"),
            write("tests/run.sh", "#!/bin/sh\nexit 0\n", 0100755),
            deleteFile("src/util.c"),
            renameFile("docs/old.md", "docs/new.md")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(toString(created->status), QStringLiteral("pending"));
        QCOMPARE(created->branch, QStringLiteral("astra/goal-%1-%2").arg(m_goal).arg(created->id));
        QCOMPARE(created->files.size(), 5);

        QVERIFY(UserState::of(*m_repo) == before);
        QCOMPARE(astraBranches(), QStringList{created->branch});
        const QString message =
            m_repo->git({QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%B"), created->branch});
        QVERIFY2(message.contains(QStringLiteral("Astra-Goal: %1").arg(m_goal)), qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("Astra-Modification: %1").arg(created->id)));
        QVERIFY(message.contains(QStringLiteral("Callers need subtraction.")));
        const QString names = m_repo->git({QStringLiteral("diff"),
                                           QStringLiteral("--name-status"),
                                           QStringLiteral("-M"),
                                           QStringLiteral("main"),
                                           created->branch});
        QVERIFY2(names.contains(QStringLiteral("D\tsrc/util.c")), qPrintable(names));
        QVERIFY(names.contains(QStringLiteral("A\tsrc/new.c")));
        QVERIFY(names.contains(QStringLiteral("R100\tdocs/old.md\tdocs/new.md")));
        QCOMPARE(m_repo->git({QStringLiteral("ls-tree"), created->branch, QStringLiteral("tests/run.sh")}).left(6),
                 QStringLiteral("100755"));
        QVERIFY(created->flags.contains(QStringLiteral("exec_bit_set:tests/run.sh")));
        QCOMPARE(test::runProgram(QStringLiteral("git"),
                                  {QStringLiteral("fsck"), QStringLiteral("--strict")},
                                  m_repo->path())
                     .exitCode,
                 0);

        auto stored = m_workspace->modification(created->id);
        QVERIFY(stored.ok());
        QCOMPARE(stored->files.size(), 5);
        QCOMPARE(stored->headCommit, created->headCommit);
        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified->intact);
        auto entries = m_workspace->ledger().entries().value();
        QCOMPARE(entries.last().event, QStringLiteral("modification_created"));
    }

    // Files that run code by themselves, ignore rules and weakened Python tests are flagged.
    void reviewerFlags_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("before");
        QTest::addColumn<QByteArray>("after");
        QTest::addColumn<QString>("flag");
        QTest::newRow("github workflow") << QStringLiteral(".github/workflows/ci.yml") << QByteArray()
                                         << QByteArray("on: push\n") << QStringLiteral("auto_run_file");
        QTest::newRow("gitlab ci") << QStringLiteral(".gitlab-ci.yml") << QByteArray() << QByteArray("job: {}\n")
                                   << QStringLiteral("auto_run_file");
        QTest::newRow("jenkins") << QStringLiteral("ci/Jenkinsfile") << QByteArray() << QByteArray("node {}\n")
                                 << QStringLiteral("auto_run_file");
        QTest::newRow("pre-commit") << QStringLiteral(".pre-commit-config.yaml") << QByteArray()
                                    << QByteArray("repos: []\n") << QStringLiteral("auto_run_file");
        QTest::newRow("vscode tasks") << QStringLiteral(".vscode/tasks.json") << QByteArray() << QByteArray("{}\n")
                                      << QStringLiteral("auto_run_file");
        QTest::newRow("sitecustomize") << QStringLiteral("lib/sitecustomize.py") << QByteArray()
                                       << QByteArray("import os\n") << QStringLiteral("auto_run_file");
        QTest::newRow("husky") << QStringLiteral(".husky/pre-commit") << QByteArray() << QByteArray("npm test\n")
                               << QStringLiteral("auto_run_file");
        QTest::newRow("cargo config") << QStringLiteral(".cargo/config.toml") << QByteArray() << QByteArray("[build]\n")
                                      << QStringLiteral("auto_run_file");
        QTest::newRow("npmrc") << QStringLiteral(".npmrc") << QByteArray() << QByteArray("ignore-scripts=false\n")
                               << QStringLiteral("auto_run_file");
        QTest::newRow("gitignore") << QStringLiteral("src/.gitignore") << QByteArray() << QByteArray("*.secret\n")
                                   << QStringLiteral("ignore_rules_changed");
        QTest::newRow("python assert removed")
            << QStringLiteral("tests/test_calc.py")
            << QByteArray("def test_add():\n    assert add(1, 2) == 3\n    assert add(0, 0) == 0\n")
            << QByteArray("def test_add():\n    assert add(1, 2) == 3\n") << QStringLiteral("test_weakened");
    }
    void reviewerFlags()
    {
        QFETCH(QString, path);
        QFETCH(QByteArray, before);
        QFETCH(QByteArray, after);
        QFETCH(QString, flag);
        makeWorkspace("[policy]\n");
        if (!before.isEmpty()) {
            m_repo->write(path, before);
            m_repo->commitAll(QStringLiteral("before"));
        }
        ChangeSet changes;
        changes.files = {write(path.toUtf8().constData(), after)};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QVERIFY2(created->flags.contains(flag + u':' + path), qPrintable(created->flags.join(u' ')));
    }

    void policyRefusalWritesOnlyTheLedger_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("rule");
        QTest::addRow("git dir") << QByteArray(".git/config") << QStringLiteral("git_directory");
        QTest::addRow("astra config") << QByteArray("src/.astra.toml") << QStringLiteral("always_forbidden");
        QTest::addRow("forbidden glob") << QByteArray("src/secret/key.c") << QStringLiteral("forbidden");
        QTest::addRow("not allowed") << QByteArray("Makefile") << QStringLiteral("not_allowed");
        QTest::addRow("absolute") << QByteArray("/etc/passwd") << QStringLiteral("not_canonical");
        QTest::addRow("dot dot") << QByteArray("src/../../x") << QStringLiteral("not_canonical");
        QTest::addRow("zero width git") << QByteArray(".g\xe2\x80\x8cit/config") << QStringLiteral("git_directory");
    }
    void policyRefusalWritesOnlyTheLedger()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, rule);
        makeWorkspace();
        const UserState before = UserState::of(*m_repo);
        const qint64 head = m_workspace->ledger().head()->seq;
        ChangeSet changes;
        changes.files = {write("src/fine.c", "int fine;\n"),
                         FileChange{FileChange::Kind::Write, path, {}, "x\n", true, 0100644}};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Refused);
        const QByteArray last = path.mid(path.lastIndexOf('/') + 1);
        QVERIFY2(created.message().contains(QString::fromUtf8(last)), qPrintable(created.message()));
        QVERIFY(astraBranches().isEmpty());
        QCOMPARE(modificationCount(), 0);
        QVERIFY(UserState::of(*m_repo) == before);
        auto entries = m_workspace->ledger().entries(head).value();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().event, QStringLiteral("policy_violation"));
        const QJsonArray violations = entries.first().meta.value(QStringLiteral("violations")).toArray();
        QVERIFY(!violations.isEmpty());
        QCOMPARE(violations.first().toObject().value(QStringLiteral("rule")).toString(), rule);
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    // Where the agent may write is what was committed on the target branch: loosening the work
    // tree's .astra.toml, or deleting it, changes nothing until it is committed; and it says so.
    void committedPolicyIsInForce_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addRow("loosened") << QStringLiteral("loosened");
        QTest::addRow("deleted") << QStringLiteral("deleted");
    }
    void committedPolicyIsInForce()
    {
        QFETCH(QString, edit);
        makeWorkspace();
        m_workspace.reset();
        if (edit == u"loosened") {
            m_repo->write(QStringLiteral(".astra.toml"),
                          "[workspace]\ntarget_branch = \"main\"\n[policy]\nallowed = []\nforbidden = []\n");
        } else {
            QVERIFY(QFile::remove(m_repo->file(QStringLiteral(".astra.toml"))));
        }
        WorkspaceOptions options;
        options.repoPath = m_repo->path();
        auto opened = Workspace::open(options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        m_workspace = std::move(*opened);
        QCOMPARE(m_workspace->config().policy.forbidden, QStringList{QStringLiteral("src/secret/")});
        QCOMPARE(m_workspace->config().policySource, QStringLiteral("main:.astra.toml"));
        const QStringList warnings = m_workspace->takeWarnings();
        QVERIFY2(warnings.join(u'\n').contains(QStringLiteral("committed on main")), qPrintable(warnings.join(u'\n')));

        ChangeSet changes;
        changes.files = {write("src/secret/key.c", "leak\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Refused);
        changes.files = {write("Makefile", "all:\n")};
        QVERIFY(!m_workspace->createModification(m_goal, changes, QStringLiteral("agent")).ok());

        // Committed, the edit is in force.
        if (edit == u"loosened") {
            m_workspace.reset();
            m_repo->commitAll(QStringLiteral("open up the policy"));
            opened = Workspace::open(options);
            QVERIFY2(opened.ok(), qPrintable(opened.message()));
            m_workspace = std::move(*opened);
            QVERIFY(m_workspace->config().policy.forbidden.isEmpty());
            QVERIFY(m_workspace->takeWarnings().isEmpty());
            auto allowed = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
            QVERIFY2(allowed.ok(), qPrintable(allowed.message()));
        }
    }

    // A committed configuration that is not valid stops the workspace with the reason, instead
    // of falling back on a policy nobody wrote.
    void brokenCommittedPolicyIsAnError()
    {
        makeWorkspace();
        m_workspace.reset();
        m_repo->write(QStringLiteral(".astra.toml"), "[policy]\nforbidden = [\"src/[secret\"]\n");
        m_repo->commitAll(QStringLiteral("broken policy"));
        m_repo->write(QStringLiteral(".astra.toml"), config);
        WorkspaceOptions options;
        options.repoPath = m_repo->path();
        auto opened = Workspace::open(options);
        QVERIFY(!opened.ok());
        QCOMPARE(opened.error().kind, ErrorKind::Invalid);
        QVERIFY2(opened.message().contains(QStringLiteral("main:.astra.toml:2")), qPrintable(opened.message()));
        QVERIFY2(opened.message().contains(QStringLiteral("policy.forbidden[0]")), qPrintable(opened.message()));
        QVERIFY2(opened.message().contains(QStringLiteral("Fix it in a commit on main")), qPrintable(opened.message()));
    }

    void patchImport()
    {
        makeWorkspace();
        const QByteArray patch =
            "diff --git a/src/calc.c b/src/calc.c\n"
            "--- a/src/calc.c\n"
            "+++ b/src/calc.c\n"
            "@@ -1 +1,2 @@\n"
            " int add(int a, int b) { return a + b; }\n"
            "+int mul(int a, int b) { return a * b; }\n";
        auto created = m_workspace->proposePatch(patch, std::nullopt, QStringLiteral("Multiply"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(created->files.size(), 1);
        QCOMPARE(created->files.first().additions, 1);
        auto goal = m_workspace->goal(created->goalId);
        QCOMPARE(goal->title, QStringLiteral("Multiply"));
        QCOMPARE(created->revisions.size(), 1);
        QCOMPARE(created->revisions.first().origin, QStringLiteral("import"));
        QVERIFY(m_repo->git({QStringLiteral("show"), created->branch + QStringLiteral(":src/calc.c")})
                    .contains(QStringLiteral("mul")));

        // The import is the goal's work: it waits for review and is never planned.
        QCOMPARE(toString(goal->state), QStringLiteral("awaiting_review"));
        QCOMPARE(goal->kind, QStringLiteral("imported-change"));
        auto planned = m_workspace->planGoal(goal->id);
        QVERIFY(!planned.ok());
        QVERIFY2(planned.message().contains(QStringLiteral("astra propose --goal")), qPrintable(planned.message()));
        QCOMPARE(m_workspace->currentPlan(goal->id).error().kind, ErrorKind::NotFound);

        // Merged, it completes; rolled back, it is open again and waits for a person.
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        QVERIFY(m_workspace->mergeModification(created->id).ok());
        QCOMPARE(toString(m_workspace->goal(goal->id)->state), QStringLiteral("completed"));
        QVERIFY(m_workspace->rollbackModification(created->id, QStringLiteral("wrong sign")).ok());
        auto reopened = m_workspace->goal(goal->id);
        QCOMPARE(toString(reopened->state), QStringLiteral("proposed"));
        QVERIFY2(reopened->stateReason.contains(QStringLiteral("rolled back: wrong sign")),
                 qPrintable(reopened->stateReason));
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    // A mailed patch and a branch keep who wrote them and what they are called: the author (name
    // with non-ASCII letters, date) lands on the target, the title is the subject, and the
    // person who merged commits it with the approver named.
    void importsKeepAuthorship()
    {
        makeWorkspace();
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("mailed")});
        m_repo->write(QStringLiteral("src/calc.c"),
                      "int add(int a, int b) { return a + b; }\nint mul(int a, int b) { return a * b; }\n");
        m_repo->git({QStringLiteral("add"), QStringLiteral("-A")});
        m_repo->git({QStringLiteral("-c"),
                     QStringLiteral("user.name=Zoë Écrivain"),
                     QStringLiteral("-c"),
                     QStringLiteral("user.email=zoe@example.org"),
                     QStringLiteral("commit"),
                     QStringLiteral("-q"),
                     QStringLiteral("--date=2024-03-01T10:20:30+01:00"),
                     QStringLiteral("-m"),
                     QStringLiteral("Add multiplication to calc"),
                     QStringLiteral("-m"),
                     QStringLiteral("Callers multiplied by hand.")});
        const QByteArray patch =
            m_repo->git({QStringLiteral("format-patch"), QStringLiteral("-1"), QStringLiteral("--stdout")}).toUtf8();
        QVERIFY2(patch.contains("=?UTF-8?"), patch.constData()); // the name is an encoded word
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});

        auto created = m_workspace->proposePatch(patch, std::nullopt, QString());
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(created->title, QStringLiteral("Add multiplication to calc"));
        QCOMPARE(m_workspace->goal(created->goalId)->title, QStringLiteral("Add multiplication to calc"));
        QVERIFY2(created->rationale.contains(QStringLiteral("Callers multiplied by hand.")),
                 qPrintable(created->rationale));
        const QStringList authorFormat = {QStringLiteral("log"),
                                          QStringLiteral("-1"),
                                          QStringLiteral("--format=%an <%ae> %aI|%cn")};
        QCOMPARE(m_repo->git(authorFormat + QStringList{created->headCommit}).trimmed(),
                 QStringLiteral("Zoë Écrivain <zoe@example.org> 2024-03-01T10:20:30+01:00|Astra Review"));

        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QCOMPARE(m_repo->git(authorFormat + QStringList{QStringLiteral("main")}).trimmed(),
                 QStringLiteral("Zoë Écrivain <zoe@example.org> 2024-03-01T10:20:30+01:00|Test Person"));
        QVERIFY(m_repo
                    ->git({QStringLiteral("log"),
                           QStringLiteral("-1"),
                           QStringLiteral("--format=%B"),
                           QStringLiteral("main")})
                    .contains(QStringLiteral("Approved-by: Test Person <test@example.org>")));

        // A branch: its newest commit's author and subject; --title wins over the subject.
        m_repo->git(
            {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("branch-work")});
        m_repo->write(QStringLiteral("src/neg.c"), "int neg(int a) { return -a; }\n");
        m_repo->git({QStringLiteral("add"), QStringLiteral("-A")});
        m_repo->git({QStringLiteral("-c"),
                     QStringLiteral("user.name=Agent Smith"),
                     QStringLiteral("-c"),
                     QStringLiteral("user.email=agent@example.org"),
                     QStringLiteral("commit"),
                     QStringLiteral("-q"),
                     QStringLiteral("-m"),
                     QStringLiteral("Negation")});
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto fromBranch = m_workspace->proposeBranch(QStringLiteral("branch-work"), std::nullopt, QString());
        QVERIFY2(fromBranch.ok(), qPrintable(fromBranch.message()));
        QCOMPARE(fromBranch->title, QStringLiteral("Negation"));
        QCOMPARE(m_repo
                     ->git({QStringLiteral("log"),
                            QStringLiteral("-1"),
                            QStringLiteral("--format=%an <%ae>"),
                            fromBranch->headCommit})
                     .trimmed(),
                 QStringLiteral("Agent Smith <agent@example.org>"));
        auto titled = m_workspace->proposeBranch(QStringLiteral("branch-work"), std::nullopt, QStringLiteral("Mine"));
        QVERIFY2(titled.ok(), qPrintable(titled.message()));
        QCOMPARE(titled->title, QStringLiteral("Mine"));
        // A plain diff names nobody: the default title, and the agent's name as author.
        const QByteArray plain =
            "diff --git a/src/calc.c b/src/calc.c\n--- a/src/calc.c\n+++ b/src/calc.c\n@@ -1 +1 @@\n"
            "-int add(int a, int b) { return a + b; }\n+int add(int a, int b) { return b + a; }\n";
        auto anonymous = m_workspace->proposePatch(plain, std::nullopt, QString());
        QVERIFY2(anonymous.ok(), qPrintable(anonymous.message()));
        QCOMPARE(m_workspace->goal(anonymous->goalId)->title, QStringLiteral("Review an imported patch"));
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    // A change imported for a goal that was planned replaces the plan nobody ran; a goal whose
    // agent is at work takes no import, and nothing is written.
    void importReplacesAnUnstartedPlan()
    {
        makeWorkspace(QByteArray(config) + "[proposer]\nkind = \"command\"\ncommand = \"true\"\n");
        QVERIFY(m_workspace->applyGoalAction(m_goal, GoalAction::Approve, QString()).ok());
        auto plan = m_workspace->planGoal(m_goal);
        QVERIFY2(plan.ok(), qPrintable(plan.message()));
        QCOMPARE(toString(m_workspace->goal(m_goal)->state), QStringLiteral("planned"));
        const QByteArray patch =
            "diff --git a/src/calc.c b/src/calc.c\n"
            "--- a/src/calc.c\n"
            "+++ b/src/calc.c\n"
            "@@ -1 +1,2 @@\n"
            " int add(int a, int b) { return a + b; }\n"
            "+int sub(int a, int b) { return a - b; }\n";
        auto created = m_workspace->proposePatch(patch, m_goal, QString());
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(toString(m_workspace->goal(m_goal)->state), QStringLiteral("awaiting_review"));
        // The plan is superseded (no current plan), its tasks skipped: no agent redoes the work.
        QCOMPARE(m_workspace->currentPlan(m_goal).error().kind, ErrorKind::NotFound);
        auto tasks = m_workspace->planTasks(plan->id);
        QVERIFY(!tasks->isEmpty());
        for (const TaskRecord &task : std::as_const(*tasks)) {
            QCOMPARE(toString(task.state), QStringLiteral("skipped"));
        }

        // A second goal whose plan is running (the scheduler moved it to executing): the
        // agent is at work, so no import replaces its plan.
        auto other = m_workspace->addUserGoal(QStringLiteral("Other"), {QStringLiteral("src/util.c")});
        QVERIFY(m_workspace->applyGoalAction(other->id, GoalAction::Approve, QString()).ok());
        QVERIFY(m_workspace->planGoal(other->id).ok());
        QVERIFY(m_workspace->approvePlan(other->id, QString()).ok());
        QVERIFY(
            m_workspace->moveGoal(other->id, GoalState::Executing, QStringLiteral("task 1"), QStringLiteral("astra"))
                .ok());
        const qint64 modifications = modificationCount();
        const qint64 head = m_workspace->ledger().head()->seq;
        const QStringList branches = astraBranches();
        auto refused = m_workspace->proposePatch(patch, other->id, QString());
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Refused);
        QVERIFY2(refused.message().contains(QStringLiteral("astra task cancel")), qPrintable(refused.message()));
        QCOMPARE(toString(m_workspace->goal(other->id)->state), QStringLiteral("executing"));
        QCOMPARE(modificationCount(), modifications);
        QCOMPARE(m_workspace->ledger().head()->seq, head);
        QCOMPARE(astraBranches(), branches);
    }

    // A refused import leaves no goal behind (which the cycle would then plan): only the
    // ledger entry that says what was refused.
    void refusedImportLeavesNoGoal()
    {
        makeWorkspace();
        const qint64 goals = m_workspace->goals()->size();
        const qint64 head = m_workspace->ledger().head()->seq;
        const QByteArray patch = "--- /dev/null\n+++ b/src/secret/key.c\n@@ -0,0 +1 @@\n+key\n";
        auto created = m_workspace->proposePatch(patch, std::nullopt, QStringLiteral("Leak"));
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Refused);
        QVERIFY2(created.message().contains(QStringLiteral("nothing was written")), qPrintable(created.message()));
        QCOMPARE(m_workspace->goals()->size(), goals);
        QCOMPARE(modificationCount(), 0);
        QVERIFY(astraBranches().isEmpty());
        auto entries = m_workspace->ledger().entries(head).value();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.first().event, QStringLiteral("policy_violation"));
        QCOMPARE(entries.first().subject, QStringLiteral("import:patch"));
        QCOMPARE(entries.first().meta.value(QStringLiteral("title")).toString(), QStringLiteral("Leak"));
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    void patchWithANormalisedPathIsRefused_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addRow("absolute") << QByteArray("--- /dev/null\n+++ /src/evil.c\n");
        QTest::addRow("backslash") << QByteArray("--- /dev/null\n+++ b/src\\evil.c\n");
        QTest::addRow("dot git") << QByteArray("--- /dev/null\n+++ b/.git/hooks/post-checkout\n");
    }
    void patchWithANormalisedPathIsRefused()
    {
        QFETCH(QByteArray, header);
        makeWorkspace();
        const QByteArray patch = header + "@@ -0,0 +1 @@\n+evil\n";
        const qint64 head = m_workspace->ledger().head()->seq;
        auto created = m_workspace->proposePatch(patch, m_goal, QString());
        QVERIFY(!created.ok());
        QVERIFY2(created.error().kind == ErrorKind::Refused || created.error().kind == ErrorKind::Invalid,
                 qPrintable(created.message()));
        QVERIFY(astraBranches().isEmpty());
        QCOMPARE(modificationCount(), 0);
        if (created.error().kind == ErrorKind::Refused) {
            auto entries = m_workspace->ledger().entries(head).value();
            QCOMPARE(entries.last().event, QStringLiteral("policy_violation"));
        }
    }

    void branchImport()
    {
        makeWorkspace();
        m_repo->git(
            {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent-work")});
        m_repo->write(QStringLiteral("src/calc.c"), "int add(int a, int b) { return b + a; }\n");
        m_repo->commitAll(QStringLiteral("agent change"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto created = m_workspace->proposeBranch(QStringLiteral("agent-work"), m_goal, QString());
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QCOMPARE(created->files.size(), 1);
        QCOMPARE(created->files.first().path, QStringLiteral("src/calc.c"));
        auto missing = m_workspace->proposeBranch(QStringLiteral("no-such-branch"), m_goal, QString());
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);
    }

    // What `git diff --binary` writes for binary files, mode-only changes and new or deleted
    // empty files is imported as it is.
    void patchesGitWrites()
    {
        makeWorkspace();
        m_repo->write(QStringLiteral("src/empty.txt"), QByteArray());
        m_repo->commitAll(QStringLiteral("an empty file"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("other")});
        m_repo->write(QStringLiteral("src/logo.bin"), QByteArray("\x00\x01\x02\xff binary", 12));
        m_repo->write(QStringLiteral("src/new-empty.txt"), QByteArray());
        m_repo->git({QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("src/empty.txt")});
        QFile::setPermissions(m_repo->file(QStringLiteral("src/util.c")),
                              QFile::permissions(m_repo->file(QStringLiteral("src/util.c"))) | QFile::ExeOwner);
        m_repo->commitAll(QStringLiteral("other"));
        const QByteArray patch = m_repo
                                     ->git({QStringLiteral("diff"),
                                            QStringLiteral("--binary"),
                                            QStringLiteral("main"),
                                            QStringLiteral("other")})
                                     .toUtf8();
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto created = m_workspace->proposePatch(patch, m_goal, QString());
        QVERIFY2(created.ok(), qPrintable(created.message() + QStringLiteral("\n") + QString::fromUtf8(patch)));
        QVERIFY2(patch.contains("GIT binary patch") && patch.contains("old mode 100644"), patch.constData());
        QCOMPARE(created->files.size(), 3); // the binary file, the mode change, the empty file's rename
        // The imported tree is the branch's tree, byte for byte.
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), created->branch + QStringLiteral("^{tree}")}),
                 m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("other^{tree}")}));
        // A new and a deleted empty file alone: only their "diff --git" headers.
        auto empty = m_workspace->proposePatch(
            "diff --git a/src/fresh.txt b/src/fresh.txt\n"
            "new file mode 100644\n"
            "index 0000000..e69de29\n"
            "diff --git a/src/empty.txt b/src/empty.txt\n"
            "deleted file mode 100644\n"
            "index e69de29..0000000\n",
            m_goal,
            QString());
        QVERIFY2(empty.ok(), qPrintable(empty.message()));
        const QString names = m_repo->git({QStringLiteral("ls-tree"),
                                           QStringLiteral("-r"),
                                           QStringLiteral("--name-only"),
                                           empty->branch,
                                           QStringLiteral("src/")});
        QVERIFY2(names.contains(QStringLiteral("src/fresh.txt")) && !names.contains(QStringLiteral("src/empty.txt")),
                 qPrintable(names));
        QCOMPARE(m_repo->git({QStringLiteral("show"), empty->branch + QStringLiteral(":src/fresh.txt")}), QString());
    }

    // Binary files, empty files, files .gitattributes calls binary (empty ones too), mode-only
    // changes, renames (exact and edited) and copies: imported by branch and by every patch git
    // writes for them, the change is the branch's tree, and its files are what `git diff -M`
    // lists, each binary where git's numbers say so.
    void importsWhatGitShows_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("branch") << QStringLiteral("branch");
        QTest::newRow("git diff --binary") << QStringLiteral("diff");
        QTest::newRow("git diff --binary -C") << QStringLiteral("copies");
        QTest::newRow("git format-patch") << QStringLiteral("format-patch");
    }
    void importsWhatGitShows()
    {
        QFETCH(QString, how);
        makeWorkspace();
        QByteArray calc;
        for (int i = 0; i < 40; ++i) {
            calc += "int f" + QByteArray::number(i) + "(int a) { return a * " + QByteArray::number(i) + "; }\n";
        }
        m_repo->write(QStringLiteral(".gitattributes"), "*.dat binary\n");
        m_repo->write(QStringLiteral("src/calc.c"), calc);
        m_repo->write(QStringLiteral("src/old.bin"), QByteArray("\x00old\x01", 5));
        m_repo->write(QStringLiteral("src/image.bin"), QByteArray("\x89PNG\x00\x01", 6));
        m_repo->write(QStringLiteral("src/gone.txt"), QByteArray());
        m_repo->write(QStringLiteral("src/tool.bin"),
                      QByteArray("\x7f"
                                 "ELF\x00\x01",
                                 6));
        m_repo->write(QStringLiteral("src/run.sh"), "echo run\n");
        m_repo->write(QStringLiteral("src/asset.bin"), QByteArray("\x00asset", 6));
        m_repo->commitAll(QStringLiteral("base for the import"));
        const QString base = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}).trimmed();
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent")});
        m_repo->write(QStringLiteral("src/empty.dat"), QByteArray());
        m_repo->write(QStringLiteral("src/text.dat"), "text, but binary by attribute\n");
        m_repo->write(QStringLiteral("src/logo.bin"), QByteArray("\x00\x01\x02\xff binary", 12));
        m_repo->write(QStringLiteral("src/image.bin"), QByteArray("\x89PNG\x00\x02\x03", 7));
        m_repo->write(QStringLiteral("src/empty.txt"), QByteArray());
        m_repo->write(QStringLiteral("src/copy.c"), "int one(void) { return 1; }\n");
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 1; } /* one */\n");
        m_repo->git({QStringLiteral("mv"), QStringLiteral("src/calc.c"), QStringLiteral("src/arith.c")});
        m_repo->write(QStringLiteral("src/arith.c"), calc + "int g(void) { return 0; }\n");
        m_repo->git({QStringLiteral("mv"), QStringLiteral("docs/old.md"), QStringLiteral("docs/new.md")});
        m_repo->git({QStringLiteral("rm"),
                     QStringLiteral("-q"),
                     QStringLiteral("src/old.bin"),
                     QStringLiteral("src/gone.txt")});
        for (const QString &executable :
             {QStringLiteral("src/util.c"), QStringLiteral("src/tool.bin"), QStringLiteral("src/run.sh")}) {
            QFile::setPermissions(m_repo->file(executable),
                                  QFile::permissions(m_repo->file(executable)) | QFile::ExeOwner);
        }
        m_repo->git({QStringLiteral("mv"), QStringLiteral("src/asset.bin"), QStringLiteral("docs/asset.bin")});
        m_repo->git({QStringLiteral("add"), QStringLiteral("-A")});
        m_repo->git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("agent")});
        const auto gitSays = [&](const QStringList &args) {
            return m_repo->git(QStringList{QStringLiteral("-c"), QStringLiteral("diff.renames=true")} + args);
        };
        QByteArray patch;
        if (how == u"diff") {
            patch =
                gitSays({QStringLiteral("diff"), QStringLiteral("--binary"), base, QStringLiteral("agent")}).toUtf8();
        } else if (how == u"copies") {
            patch = gitSays({QStringLiteral("diff"),
                             QStringLiteral("--binary"),
                             QStringLiteral("-C"),
                             base,
                             QStringLiteral("agent")})
                        .toUtf8();
            QVERIFY2(patch.contains("copy from "), patch.constData());
        } else if (how == u"format-patch") {
            patch = gitSays({QStringLiteral("format-patch"),
                             QStringLiteral("--binary"),
                             QStringLiteral("--stdout"),
                             base + QStringLiteral("..agent")})
                        .toUtf8();
        }
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto created = how == u"branch" ? m_workspace->proposeBranch(QStringLiteral("agent"), m_goal, QString())
                                        : m_workspace->proposePatch(patch, m_goal, QString());
        QVERIFY2(created.ok(), qPrintable(created.message() + u'\n' + QString::fromUtf8(patch)));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), created->branch + QStringLiteral("^{tree}")}),
                 m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("agent^{tree}")}));

        // git's list: "R091\tsrc/calc.c\tsrc/arith.c", "M\tsrc/util.c" ...
        QStringList expected;
        for (const QString &line : gitSays({QStringLiteral("diff"),
                                            QStringLiteral("-M"),
                                            QStringLiteral("--name-status"),
                                            base,
                                            QStringLiteral("agent")})
                                       .split(u'\n', Qt::SkipEmptyParts)) {
            const QStringList parts = line.split(u'\t');
            const QChar status = parts.first().at(0);
            const QString kind = status == u'A' ? QStringLiteral("added")
                : status == u'D'                ? QStringLiteral("deleted")
                : status == u'R'                ? QStringLiteral("renamed")
                                                : QStringLiteral("modified");
            expected.append(kind + u' '
                            + (status == u'R' ? parts.at(1) + QStringLiteral(" -> ") + parts.at(2) : parts.at(1)));
        }
        QStringList listed;
        for (const ModificationFile &file : std::as_const(created->files)) {
            listed.append(
                file.change + u' '
                + (file.change == u"renamed" ? file.oldPath + QStringLiteral(" -> ") + file.path : file.path));
        }
        expected.sort();
        listed.sort();
        QCOMPARE(listed, expected);
        QVERIFY2(expected.contains(QStringLiteral("renamed src/calc.c -> src/arith.c")),
                 qPrintable(expected.join(u'\n')));

        // The diff the reviewer reads: the same files, binary where git counts no lines.
        auto shown = m_workspace->modificationDiff(created->id);
        QVERIFY2(shown.ok(), qPrintable(shown.message()));
        QStringList binary;
        for (const QString &line : gitSays({QStringLiteral("diff"),
                                            QStringLiteral("-M"),
                                            QStringLiteral("--numstat"),
                                            base,
                                            QStringLiteral("agent")})
                                       .split(u'\n', Qt::SkipEmptyParts)) {
            if (line.startsWith(QStringLiteral("-\t-\t"))) {
                // "src/{gone.txt => empty.dat}" names a renamed file's new path too.
                QString path = line.section(u'\t', 2);
                path.replace(QRegularExpression(QStringLiteral("\\{[^{}]* => ([^{}]*)\\}")), QStringLiteral("\\1"));
                path.replace(QRegularExpression(QStringLiteral("^.* => ")), QString());
                binary.append(path.replace(QStringLiteral("//"), QStringLiteral("/")));
            }
        }
        QStringList shownFiles;
        QStringList shownBinary;
        for (const FileDiff &file : std::as_const(shown->files)) {
            shownFiles.append(
                file.change + u' '
                + (file.change == u"renamed" ? file.oldPath + QStringLiteral(" -> ") + file.path : file.path));
            if (file.binary) {
                shownBinary.append(file.path);
            }
        }
        shownFiles.sort();
        QCOMPARE(shownFiles, expected);
        binary.sort();
        shownBinary.sort();
        QCOMPARE(shownBinary, binary);
        const auto arith = std::find_if(shown->files.cbegin(), shown->files.cend(), [](const FileDiff &file) {
            return file.path == u"src/arith.c";
        });
        QVERIFY(arith != shown->files.cend());
        QCOMPARE(arith->oldPath, QStringLiteral("src/calc.c"));
        QCOMPARE(arith->additions, 1);
        QCOMPARE(arith->deletions, 0);
        QVERIFY2(arith->similarity >= 90 && arith->similarity < 100, qPrintable(QString::number(arith->similarity)));
    }

    // A binary file the branch only made executable, changed on the target meanwhile: libgit2
    // has no data for it, the target's file is not the one the branch found, so the import is a
    // conflict that names the file, with nothing written.
    void binaryChangedOnBothSidesIsAConflict()
    {
        makeWorkspace();
        m_repo->write(QStringLiteral("src/tool.bin"),
                      QByteArray("\x7f"
                                 "ELF\x00\x01",
                                 6));
        m_repo->commitAll(QStringLiteral("a binary"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent")});
        QFile::setPermissions(m_repo->file(QStringLiteral("src/tool.bin")),
                              QFile::permissions(m_repo->file(QStringLiteral("src/tool.bin"))) | QFile::ExeOwner);
        m_repo->commitAll(QStringLiteral("executable"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        m_repo->write(QStringLiteral("src/tool.bin"),
                      QByteArray("\x7f"
                                 "ELF\x00\x02",
                                 6));
        m_repo->commitAll(QStringLiteral("rebuilt"));
        const qint64 before = modificationCount();
        auto created = m_workspace->proposeBranch(QStringLiteral("agent"), m_goal, QString());
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Conflict);
        QVERIFY2(created.message().contains(QStringLiteral("src/tool.bin is not on the base as the change found it")),
                 qPrintable(created.message()));
        QCOMPARE(modificationCount(), before);
        QCOMPARE(astraBranches(), QStringList());
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    // A branch's changes meet the policy before anything of them is read: a blob far past the
    // size limit (well compressed) and hostile tree entries are policy refusals, ledgered, with
    // nothing written.
    void branchImportChecksThePolicyFirst_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("rule");
        QTest::newRow("huge blob") << QStringLiteral("src/zeros.bin") << QStringLiteral("file_too_large");
        QTest::newRow("control character")
            << QStringLiteral("src/line\nbreak.txt") << QStringLiteral("forbidden_character");
        QTest::newRow("forbidden") << QStringLiteral("src/secret/key.pem") << QStringLiteral("forbidden");
    }
    void branchImportChecksThePolicyFirst()
    {
        QFETCH(QString, path);
        QFETCH(QString, rule);
        makeWorkspace();
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("agent")});
        m_repo->write(path, path.endsWith(QStringLiteral(".bin")) ? QByteArray(32 * 1024 * 1024, '\0') : "x\n");
        m_repo->git({QStringLiteral("add"), QStringLiteral("-f"), QStringLiteral("--"), path});
        m_repo->git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("agent")});
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        auto created = m_workspace->proposeBranch(QStringLiteral("agent"), m_goal, QString());
        QVERIFY(!created.ok());
        QCOMPARE(created.error().kind, ErrorKind::Refused);
        QVERIFY2(created.message().contains(path.section(u'\n', 0, 0)), qPrintable(created.message()));
        QCOMPARE(astraBranches(), QStringList());
        auto entries = m_workspace->ledger().entries().value();
        QCOMPARE(entries.last().event, QStringLiteral("policy_violation"));
        const QJsonArray violations = entries.last().meta.value(QStringLiteral("violations")).toArray();
        QCOMPARE(violations.first().toObject().value(QStringLiteral("rule")).toString(), rule);
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    // The limits of the change's size are settings: a refusal names the setting and its value,
    // and raising it lets the same change in.
    void sizeLimitsAreSettings_data()
    {
        QTest::addColumn<QByteArray>("limit");
        QTest::addColumn<QByteArray>("raised");
        QTest::addColumn<QString>("named");
        QTest::newRow("max_files") << QByteArray("max_files = 2\n") << QByteArray("max_files = 3\n")
                                   << QStringLiteral("limit is 2 (max_files in [policy] of .astra.toml)");
        QTest::newRow("max_total_kb") << QByteArray("max_total_kb = 1\n") << QByteArray("max_total_kb = 2\n")
                                      << QStringLiteral("(max_total_kb = 1 in [policy] of .astra.toml)");
        QTest::newRow("max_file_kb") << QByteArray("max_file_kb = 1\n") << QByteArray("max_file_kb = 2\n")
                                     << QStringLiteral("(max_file_kb = 1 in [policy] of .astra.toml)");
    }
    void sizeLimitsAreSettings()
    {
        QFETCH(QByteArray, limit);
        QFETCH(QByteArray, raised);
        QFETCH(QString, named);
        const QByteArray base(config);
        makeWorkspace(QByteArray(base).replace(QByteArray("[tests]\n"), QByteArray(limit + "[tests]\n")));
        ChangeSet changes;
        changes.files = {write("src/a.txt", QByteArray(1200, 'a')),
                         write("src/b.txt", "b\n"),
                         write("src/c.txt", "c\n")};
        auto refused = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, ErrorKind::Refused);
        QVERIFY2(refused.message().contains(named), qPrintable(refused.message()));
        QCOMPARE(astraBranches(), QStringList());

        m_workspace.reset();
        m_repo->write(QStringLiteral(".astra.toml"),
                      QByteArray(base).replace(QByteArray("[tests]\n"), QByteArray(raised + "[tests]\n")));
        m_repo->commitAll(QStringLiteral("raise the limit"));
        WorkspaceOptions options;
        options.repoPath = m_repo->path();
        auto opened = Workspace::open(options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        m_workspace = std::move(*opened);
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
    }

    void testApproveMergeRollback()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {
            write("src/calc.c", "int add(int a, int b) { return a + b; }\nint neg(int a) { return -a; }\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));

        // Merging before review is refused.
        QCOMPARE(m_workspace->mergeModification(created->id).error().kind, ErrorKind::Refused);

        auto tested = m_workspace->testModification(created->id);
        QVERIFY2(tested.ok(), qPrintable(tested.message()));
        QCOMPARE(toString(tested->status), QStringLiteral("awaiting_approval"));
        auto results = m_workspace->testResults(created->id).value();
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.first().commitId, created->headCommit);
        QCOMPARE(results.first().outcome, QStringLiteral("passed"));

        // Revision 1 is the commit it was made with; the approval names it.
        QCOMPARE(created->revisions.size(), 1);
        QCOMPARE(created->revisions.first().number, 1);
        QCOMPARE(created->revisions.first().origin, QStringLiteral("agent"));
        QCOMPARE(created->revisions.first().commit, created->headCommit);
        QCOMPARE(m_workspace->modification(created->id)->revisionOf(created->headCommit), 1);

        auto approved = m_workspace->approveModification(created->id, QStringLiteral("looks right"));
        QVERIFY2(approved.ok(), qPrintable(approved.message()));
        {
            const auto entries = m_workspace->ledger().entries().value();
            QCOMPARE(entries.last().event, QStringLiteral("modification_approved"));
            QCOMPARE(entries.last().meta.value(QStringLiteral("revision")).toInt(), 1);
            auto review = m_workspace->database().exec(
                QStringLiteral("check"),
                QStringLiteral("SELECT revision FROM reviews WHERE modification_id = ? AND decision = 'approved'"),
                {created->id});
            QVERIFY(review.ok() && review->next());
            QCOMPARE(review->value(0).toInt(), 1);
        }

        const QString headBefore = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QCOMPARE(toString(merged->status), QStringLiteral("merged"));
        // A fast-forward to the approved commit's tree and parents, committed by the person who
        // merged it, with the approver named.
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), merged->mergeCommit);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), merged->mergeCommit + QStringLiteral("^{tree}")}),
                 m_repo->git({QStringLiteral("rev-parse"), created->headCommit + QStringLiteral("^{tree}")}));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), merged->mergeCommit + QStringLiteral("^")}).trimmed(),
                 headBefore);
        QCOMPARE(m_repo
                     ->git({QStringLiteral("log"),
                            QStringLiteral("-1"),
                            QStringLiteral("--format=%an|%cn <%ce>"),
                            merged->mergeCommit})
                     .trimmed(),
                 QStringLiteral("Astra Review agent|Test Person <test@example.org>"));
        const QString landed = m_repo->git(
            {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%B"), merged->mergeCommit});
        QVERIFY2(landed.contains(QStringLiteral("\nApproved-by: Test Person <test@example.org>\n")),
                 qPrintable(landed));
        QVERIFY2(landed.contains(QStringLiteral("Astra-Modification: %1").arg(created->id)), qPrintable(landed));
        // main is checked out: the work tree and index followed, cleanly.
        QFile calc(m_repo->file(QStringLiteral("src/calc.c")));
        QVERIFY(calc.open(QIODevice::ReadOnly));
        QVERIFY(calc.readAll().contains("neg"));
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}).trimmed(), QString());
        QVERIFY(headBefore != merged->mergeCommit);

        auto verified = m_workspace->verifyLedger();
        QVERIFY(verified->intact);
        QVERIFY(verified->checkpoint.has_value());
        QCOMPARE(verified->checkpoint->seq, verified->head.seq);

        auto rolledBack = m_workspace->rollbackModification(created->id, QStringLiteral("broke the build"));
        QVERIFY2(rolledBack.ok(), qPrintable(rolledBack.message()));
        QCOMPARE(toString(rolledBack->status), QStringLiteral("rolled_back"));
        calc.close();
        QVERIFY(calc.open(QIODevice::ReadOnly));
        QVERIFY(!calc.readAll().contains("neg"));
        const QString log = m_repo->git({QStringLiteral("log"), QStringLiteral("--format=%s"), QStringLiteral("main")});
        QVERIFY2(log.startsWith(QStringLiteral("Revert astra/goal-")), qPrintable(log));
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}).trimmed(), QString());

        // Finished: the branch can be pruned.
        auto pruned = m_workspace->prune(0);
        QVERIFY(pruned.ok());
        QCOMPARE(*pruned, QStringList{created->branch});
        QVERIFY(astraBranches().isEmpty());
        QVERIFY(m_workspace->verifyLedger()->intact);
    }

    void failingTestsBlockApproval()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "BROKEN\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        auto tested = m_workspace->testModification(created->id);
        QVERIFY(tested.ok());
        QCOMPARE(toString(tested->status), QStringLiteral("tests_failed"));
        QCOMPARE(m_workspace->approveModification(created->id, QString()).error().kind, ErrorKind::Refused);
    }

    void dirtyCheckedOutTargetRefusesMerge()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // v2\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        m_repo->write(QStringLiteral("src/calc.c"), "local edit\n");
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY(!merged.ok());
        QVERIFY2(merged.message().contains(QStringLiteral("src/calc.c")), qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), head);
        QFile calc(m_repo->file(QStringLiteral("src/calc.c")));
        QVERIFY(calc.open(QIODevice::ReadOnly));
        QCOMPARE(calc.readAll(), QByteArray("local edit\n"));
        QCOMPARE(toString(m_workspace->modification(created->id)->status), QStringLiteral("approved"));
    }

    // An ignored local file (a settings file with a password) that the modification would add
    // is the user's like any local change: the merge is refused naming it, and the file stays.
    void ignoredLocalFileRefusesMerge()
    {
        makeWorkspace();
        m_repo->write(QStringLiteral(".gitignore"), "src/local_settings.py\n");
        m_repo->commitAll(QStringLiteral("ignore local settings"));
        m_repo->write(QStringLiteral("src/local_settings.py"), "PASSWORD = 'mine'\n");
        ChangeSet changes;
        changes.files = {write("src/local_settings.py", "PASSWORD = 'agent'\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY(!merged.ok());
        QVERIFY2(merged.message().contains(QStringLiteral("src/local_settings.py")), qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), head);
        QFile settings(m_repo->file(QStringLiteral("src/local_settings.py")));
        QVERIFY(settings.open(QIODevice::ReadOnly));
        QCOMPARE(settings.readAll(), QByteArray("PASSWORD = 'mine'\n"));
        QCOMPARE(toString(m_workspace->modification(created->id)->status), QStringLiteral("approved"));
    }

    // Another process holds the target's lock (a concurrent merge, the user's own git): the
    // merge says so, in words, and nothing changes.
    void lockedTargetIsAClearConflict()
    {
        makeWorkspace();
        const qint64 id = approvedModification("src/calc.c", "int add(int a, int b) { return a + b; } // locked\n");
        QVERIFY(id > 0);
        const QString lock = m_repo->file(QStringLiteral(".git/refs/heads/main.lock"));
        {
            QFile file(lock);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(id);
        QVERIFY(!merged.ok());
        QCOMPARE(merged.error().kind, ErrorKind::Conflict);
        QVERIFY2(merged.message().contains(QStringLiteral("another process")), qPrintable(merged.message()));
        QFile::remove(lock);
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), head);
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QVERIFY2(m_workspace->mergeModification(id).ok(), "after the lock goes, the merge goes through");
    }

    void unrelatedLocalChangesDoNotBlockMerge()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // v3\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        // Work in progress in files the modification does not touch stays as it is.
        // A different size from the committed file: an edit of the same size in the same second as
        // the last index write is invisible to `git status` (its stat cache has one-second mtimes).
        m_repo->write(QStringLiteral("src/util.c"), "int one(void) { return 33; }\n");
        m_repo->write(QStringLiteral("scratch.txt"), "mine\n");
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QFile util(m_repo->file(QStringLiteral("src/util.c")));
        QVERIFY(util.open(QIODevice::ReadOnly));
        QCOMPARE(util.readAll(), QByteArray("int one(void) { return 33; }\n"));
        const QString status = m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")});
        QVERIFY2(status.contains(QStringLiteral(" M src/util.c")) && status.contains(QStringLiteral("?? scratch.txt"))
                     && !status.contains(QStringLiteral("calc.c")),
                 qPrintable(status));
    }

    void movedTarget()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // agent\n")};
        auto first = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(first.ok());
        QVERIFY(m_workspace->testModification(first->id).ok());
        // Someone commits on main after the modification was made but before the review.
        m_repo->write(QStringLiteral("README.md"), "readme v2\n");
        m_repo->commitAll(QStringLiteral("human change elsewhere"));
        QVERIFY(m_workspace->approveModification(first->id, QString()).ok());
        auto merged = m_workspace->mergeModification(first->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QVERIFY(merged->mergeCommit != first->headCommit); // a merge commit
        QCOMPARE(m_repo
                     ->git({QStringLiteral("rev-list"),
                            QStringLiteral("--parents"),
                            QStringLiteral("-1"),
                            QStringLiteral("main")})
                     .split(u' ')
                     .size(),
                 3);

        // A second one on the old base whose file main has changed since: conflicted.
        ChangeSet other;
        other.files = {write("docs/old.md", "old, by the agent\n")};
        auto second = m_workspace->createModification(m_goal, other, QStringLiteral("agent"));
        QVERIFY2(second.ok(), qPrintable(second.message()));
        QVERIFY(m_workspace->testModification(second->id).ok());
        m_repo->write(QStringLiteral("docs/old.md"), "old, by a human\n");
        m_repo->commitAll(QStringLiteral("human change to the same file"));
        QVERIFY(m_workspace->approveModification(second->id, QString()).ok());
        auto conflicted = m_workspace->mergeModification(second->id);
        QVERIFY(!conflicted.ok());
        QVERIFY2(conflicted.message().contains(QStringLiteral("docs/old.md")), qPrintable(conflicted.message()));
        auto stored = m_workspace->modification(second->id);
        QCOMPARE(toString(stored->status), QStringLiteral("conflicted"));
        QCOMPARE(stored->conflictPaths, QStringList{QStringLiteral("docs/old.md")});
    }

    void targetMovedAfterReviewIsRefused()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // x\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        m_repo->write(QStringLiteral("README.md"), "moved after the review\n");
        const QString moved = m_repo->commitAll(QStringLiteral("after review"));
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY(!merged.ok());
        QCOMPARE(merged.error().kind, ErrorKind::Conflict);
        QVERIFY(merged.message().contains(QStringLiteral("moved since the review")));
        QVERIFY2(merged.message().contains(QStringLiteral("astra mod retest %1").arg(created->id)),
                 qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), moved);

        // Tested again on the moved head (the merge it would make), reviewed again, merged.
        const qint64 before = m_workspace->ledger().head()->seq;
        auto retested = m_workspace->retestModification(created->id);
        QVERIFY2(retested.ok(), qPrintable(retested.message()));
        QCOMPARE(toString(retested->status), toString(ModificationStatus::AwaitingApproval));
        const TestResultRecord last = m_workspace->testResults(created->id)->last();
        const QString tested = last.report.value(QStringLiteral("tested_commit")).toString();
        QVERIFY(!tested.isEmpty());
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), tested + QStringLiteral("^1")}).trimmed(), moved);
        QCOMPARE(m_repo->git({QStringLiteral("show"), tested + QStringLiteral(":README.md")}),
                 QStringLiteral("moved after the review\n"));
        auto entries = m_workspace->ledger().entries(before).value();
        QVERIFY(!entries.isEmpty());
        QVERIFY(entries.first().meta.value(QStringLiteral("retest")).toBool());
        QVERIFY2(!entries.first().actor.startsWith(QStringLiteral("astra")), qPrintable(entries.first().actor));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), moved);
        QVERIFY(!m_workspace->mergeModification(created->id).ok()); // not approved any more
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("show"), QStringLiteral("main:src/calc.c")}),
                 QStringLiteral("int add(int a, int b) { return a + b; } // x\n"));
        QVERIFY(m_workspace->verifyLedger()->intact);

        auto again = m_workspace->retestModification(created->id);
        QVERIFY(!again.ok());
        QCOMPARE(again.error().kind, ErrorKind::Refused);
    }

    // A target that changed the same file cannot take the change: retest says so and changes
    // nothing.
    void retestOntoAConflictingHead()
    {
        makeWorkspace();
        const qint64 id = approvedModification("src/calc.c", "int add(int a, int b) { return a + b; } // mine\n");
        QVERIFY(id > 0);
        m_repo->write(QStringLiteral("src/calc.c"), "int add(int a, int b) { return b + a; }\n");
        m_repo->commitAll(QStringLiteral("theirs"));
        const qint64 before = m_workspace->ledger().head()->seq;
        auto retested = m_workspace->retestModification(id);
        QVERIFY(!retested.ok());
        QCOMPARE(retested.error().kind, ErrorKind::Conflict);
        QVERIFY2(retested.message().contains(QStringLiteral("src/calc.c")), qPrintable(retested.message()));
        QCOMPARE(toString(m_workspace->modification(id)->status), toString(ModificationStatus::Approved));
        QCOMPARE(m_workspace->ledger().head()->seq, before);
    }

    void rollbackConflictIsRefused()
    {
        makeWorkspace();
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // agent\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        QVERIFY(m_workspace->mergeModification(created->id).ok());
        m_repo->write(QStringLiteral("src/calc.c"), "int add(int a, int b) { return a + b; } // human\n");
        const QString later = m_repo->commitAll(QStringLiteral("later change to the same line"));
        // Without a reason, refused before anything is tried.
        auto unexplained = m_workspace->rollbackModification(created->id, QStringLiteral("  "));
        QVERIFY(!unexplained.ok());
        QCOMPARE(unexplained.error().kind, ErrorKind::Invalid);
        QVERIFY2(unexplained.message().contains(QStringLiteral("--reason")), qPrintable(unexplained.message()));
        auto rolledBack = m_workspace->rollbackModification(created->id, QStringLiteral("undo"));
        QVERIFY(!rolledBack.ok());
        QVERIFY2(rolledBack.message().contains(QStringLiteral("src/calc.c")), qPrintable(rolledBack.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), later);
        QCOMPARE(toString(m_workspace->modification(created->id)->status), QStringLiteral("merged"));
    }

    void noHooksFiltersOrFsmonitor()
    {
        makeWorkspace();
        const QString marker = m_repo->file(QStringLiteral("../hook-ran-") + QFileInfo(m_repo->path()).fileName());
        const QString touch = QStringLiteral("touch '%1'").arg(marker);
        QDir().mkpath(m_repo->file(QStringLiteral(".git/hooks")));
        for (const char *hook : {"pre-commit",
                                 "post-commit",
                                 "post-checkout",
                                 "post-merge",
                                 "reference-transaction",
                                 "pre-merge-commit"}) {
            const QString path = m_repo->file(QStringLiteral(".git/hooks/") + QLatin1String(hook));
            m_repo->write(QStringLiteral(".git/hooks/") + QLatin1String(hook),
                          QString(QStringLiteral("#!/bin/sh\n") + touch + u'\n').toUtf8());
            QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        }
        m_repo->git({QStringLiteral("config"), QStringLiteral("core.fsmonitor"), touch});
        m_repo->git({QStringLiteral("config"), QStringLiteral("filter.evil.clean"), touch});
        m_repo->git({QStringLiteral("config"), QStringLiteral("filter.evil.smudge"), touch});
        m_repo->git({QStringLiteral("config"), QStringLiteral("filter.evil.process"), touch});
        m_repo->write(QStringLiteral(".gitattributes"), "*.c filter=evil\n");
        m_repo->commitAll(QStringLiteral("attributes"));
        QFile::remove(marker); // the git CLI itself may have run them above

        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // filtered?\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY2(created.ok(), qPrintable(created.message()));
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
        QVERIFY(m_workspace->rollbackModification(created->id, QStringLiteral("undo")).ok());
        QVERIFY2(!QFile::exists(marker), "a hook, filter driver or fsmonitor command ran");
    }

    void configuredWorktreeIsIgnored()
    {
        makeWorkspace();
        QTemporaryDir elsewhere;
        m_repo->git({QStringLiteral("config"), QStringLiteral("core.worktree"), elsewhere.path()});
        WorkspaceOptions options;
        options.repoPath = m_repo->path();
        auto opened = Workspace::open(options);
        QVERIFY2(opened.ok(), qPrintable(opened.message()));
        QCOMPARE(QDir((*opened)->workDir()).canonicalPath(), QDir(m_repo->path()).canonicalPath());
        ChangeSet changes;
        changes.files = {write("src/calc.c", "int add(int a, int b) { return a + b; } // wt\n")};
        auto created = (*opened)->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        QVERIFY((*opened)->testModification(created->id).ok());
        QVERIFY((*opened)->approveModification(created->id, QString()).ok());
        // main is checked out here; the merge updates this work tree, not the configured one.
        m_repo->git({QStringLiteral("config"), QStringLiteral("--unset"), QStringLiteral("core.worktree")});
        m_repo->git({QStringLiteral("config"), QStringLiteral("core.worktree"), elsewhere.path()});
        QVERIFY((*opened)->mergeModification(created->id).ok());
        QVERIFY(QDir(elsewhere.path()).isEmpty());
        QFile calc(m_repo->file(QStringLiteral("src/calc.c")));
        QVERIFY(calc.open(QIODevice::ReadOnly));
        QVERIFY(calc.readAll().contains("// wt"));
    }

    void replaceRefsAreIgnored()
    {
        makeWorkspace();
        const QString base = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        // A replacement for main's head that claims different content.
        m_repo->git(
            {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--orphan"), QStringLiteral("fake")});
        m_repo->write(QStringLiteral("src/calc.c"), "replaced\n");
        const QString fake = m_repo->commitAll(QStringLiteral("fake"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("main")});
        m_repo->git({QStringLiteral("replace"), base, fake});
        auto content = m_workspace->readFile(base, "src/calc.c");
        QVERIFY(content.ok());
        QVERIFY(content->contains("return a + b"));
        ChangeSet changes;
        changes.files = {write("src/new.c", "int x;\n")};
        auto created = m_workspace->createModification(m_goal, changes, QStringLiteral("agent"));
        QVERIFY(created.ok());
        QCOMPARE(m_repo
                     ->git({QStringLiteral("--no-replace-objects"),
                            QStringLiteral("rev-parse"),
                            created->branch + QStringLiteral("^")})
                     .trimmed(),
                 base);
        QVERIFY(m_repo
                    ->git({QStringLiteral("--no-replace-objects"),
                           QStringLiteral("show"),
                           created->branch + QStringLiteral(":src/calc.c")})
                    .contains(QStringLiteral("return a + b")));
        // But a merge is refused while they exist: the user's git would show other content.
        QVERIFY(m_workspace->testModification(created->id).ok());
        QVERIFY(m_workspace->approveModification(created->id, QString()).ok());
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(created->id);
        QVERIFY(!merged.ok());
        QVERIFY2(merged.message().contains(QStringLiteral("replacement refs")), qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), head);
        m_repo->git({QStringLiteral("replace"), QStringLiteral("-d"), base});
        merged = m_workspace->mergeModification(created->id);
        QVERIFY2(merged.ok(), qPrintable(merged.message()));
    }

    // A target checked out in a linked work tree is not moved under it.
    void targetInLinkedWorktreeRefusesMerge()
    {
        makeWorkspace();
        QTemporaryDir parent;
        const QString linked = parent.filePath(QStringLiteral("linked"));
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("other")});
        m_repo->git(
            {QStringLiteral("worktree"), QStringLiteral("add"), QStringLiteral("-q"), linked, QStringLiteral("main")});
        const qint64 id = approvedModification("src/calc.c", "int add(int a, int b) { return a + b; } // linked\n");
        QVERIFY(id > 0);
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        auto merged = m_workspace->mergeModification(id);
        QVERIFY(!merged.ok());
        QVERIFY2(merged.message().contains(QStringLiteral("linked work tree")) && merged.message().contains(linked),
                 qPrintable(merged.message()));
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed(), head);
        QCOMPARE(m_repo->git({QStringLiteral("-C"), linked, QStringLiteral("status"), QStringLiteral("--porcelain")}),
                 QString());
    }
};

QTEST_GUILESS_MAIN(TestModifications)
#include "tst_modifications.moc"
