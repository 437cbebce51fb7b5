#include "git/gitrepository.h"
#include "git/privatecheckout.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <sys/types.h>

using namespace astra;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(content) == content.size();
}

QString git(const QString &dir, const QStringList &args)
{
    const test::Run run = test::runProgram(QStringLiteral("git"), args, dir);
    if (run.exitCode != 0) {
        qWarning() << "git" << args << "failed:" << run.err;
    }
    return run.out.trimmed();
}

// A repository with a few files, an executable, a symlink and a .gitignore; its head commit.
struct Fixture
{
    QTemporaryDir root;
    QString repoDir;
    QString head;

    Fixture()
    {
        repoDir = root.filePath(QStringLiteral("repo"));
        QDir().mkpath(repoDir);
        git(repoDir, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
        git(repoDir, {QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Test")});
        git(repoDir, {QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("test@example.org")});
        git(repoDir,
            {QStringLiteral("remote"),
             QStringLiteral("add"),
             QStringLiteral("origin"),
             QStringLiteral("https://example.org/secret.git")});
        writeFile(repoDir + QStringLiteral("/src/parser.cpp"), "int parse();\n");
        writeFile(repoDir + QStringLiteral("/src/old.cpp"), "old\n");
        writeFile(repoDir + QStringLiteral("/run.sh"), "#!/bin/sh\necho run\n");
        writeFile(repoDir + QStringLiteral("/doc/manual.txt"), QByteArray(500, 'm'));
        writeFile(repoDir + QStringLiteral("/.gitignore"), "build/\n*.o\n");
        QFile::setPermissions(repoDir + QStringLiteral("/run.sh"),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                  | QFile::ReadOther);
        QFile::link(QStringLiteral("src/parser.cpp"), repoDir + QStringLiteral("/parser-link"));
        git(repoDir, {QStringLiteral("add"), QStringLiteral("-A")});
        git(repoDir, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("base")});
        head = git(repoDir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    }

    QString checkoutDir() const
    {
        return root.filePath(QStringLiteral("checkout"));
    }

    Result<PrivateCheckout> checkout(GitRepository &repo) const
    {
        QDir().mkpath(checkoutDir());
        return createPrivateCheckout(repo, head, checkoutDir(), QStringLiteral("main"));
    }
};

QMap<QByteArray, FileChange> byPath(const ChangeSet &changes)
{
    QMap<QByteArray, FileChange> map;
    for (const FileChange &change : changes.files) {
        map.insert(change.path, change);
    }
    return map;
}

} // namespace

class TestPrivateCheckout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The checkout is a repository of its own: the base's tree as its one commit, a clean
    // status, no remote, no user identity, no hook that runs.
    void checkoutIsAThrowAwayRepository()
    {
        Fixture fixture;
        auto repo = GitRepository::discover(fixture.repoDir);
        QVERIFY2(repo, qPrintable(repo.message()));
        auto checkout = fixture.checkout(*repo);
        QVERIFY2(checkout, qPrintable(checkout.message()));
        const QString dir = fixture.checkoutDir();
        QCOMPARE(git(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD^{tree}")}),
                 git(fixture.repoDir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD^{tree}")}));
        QCOMPARE(git(dir, {QStringLiteral("rev-list"), QStringLiteral("--count"), QStringLiteral("HEAD")}),
                 QStringLiteral("1"));
        QCOMPARE(git(dir, {QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(git(dir, {QStringLiteral("branch"), QStringLiteral("--show-current")}), QStringLiteral("main"));
        QCOMPARE(git(dir, {QStringLiteral("remote")}), QString());
        QFile configFile(dir + QStringLiteral("/.git/config"));
        QVERIFY(configFile.open(QIODevice::ReadOnly));
        const QString config = QString::fromUtf8(configFile.readAll());
        QVERIFY2(!config.contains(QStringLiteral("example.org")), qPrintable(config));
        QVERIFY2(!config.contains(QStringLiteral("[user]")), qPrintable(config));
        const QStringList hooks = QDir(dir + QStringLiteral("/.git/hooks")).entryList(QDir::Files);
        for (const QString &hook : hooks) {
            QVERIFY2(hook.endsWith(QStringLiteral(".sample")), qPrintable(hook));
        }
        QVERIFY(QFileInfo(dir + QStringLiteral("/parser-link")).isSymLink());
        QVERIFY(QFileInfo(dir + QStringLiteral("/run.sh")).isExecutable());
        QVERIFY(!checkout->guarded.isEmpty());
        QVERIFY(checkout->guarded.contains(QStringLiteral("config")));

        // Left as it was made, it harvests to nothing; the agent's own commits do not count.
        auto untouched = harvestCheckout(*repo, *checkout, {});
        QVERIFY2(untouched, qPrintable(untouched.message()));
        QVERIFY(untouched->files.isEmpty());
    }

    // What an agent leaves is its change: edits, new files, deletions, modes and symlinks as
    // links; build outputs the ignore rules name are not; the hooks and config of its .git are
    // (so that the path policy refuses them).
    void harvestIsWhatTheAgentLeft()
    {
        Fixture fixture;
        auto repo = GitRepository::discover(fixture.repoDir);
        QVERIFY2(repo, qPrintable(repo.message()));
        auto checkout = fixture.checkout(*repo);
        QVERIFY2(checkout, qPrintable(checkout.message()));
        const QString dir = fixture.checkoutDir();

        QVERIFY(writeFile(dir + QStringLiteral("/src/parser.cpp"), "int parse() { return 0; }\n"));
        QVERIFY(writeFile(dir + QStringLiteral("/src/new.cpp"), "new\n"));
        QVERIFY(QFile::remove(dir + QStringLiteral("/src/old.cpp")));
        QVERIFY(QFile::setPermissions(dir + QStringLiteral("/run.sh"), QFile::ReadOwner | QFile::WriteOwner));
        QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), dir + QStringLiteral("/passwd-link")));
        QVERIFY(QFile::link(QStringLiteral("/etc"), dir + QStringLiteral("/etc-link")));
        QVERIFY(writeFile(dir + QStringLiteral("/build/out.bin"), "ignored\n"));
        QVERIFY(writeFile(dir + QStringLiteral("/src/parser.o"), "ignored\n"));
        QVERIFY(writeFile(dir + QStringLiteral("/.git/hooks/pre-commit"), "#!/bin/sh\nrm -rf ~\n"));
        // An agent committing its work changes nothing about the harvest.
        git(dir,
            {QStringLiteral("-c"),
             QStringLiteral("user.name=agent"),
             QStringLiteral("-c"),
             QStringLiteral("user.email=agent@example.org"),
             QStringLiteral("commit"),
             QStringLiteral("-q"),
             QStringLiteral("-am"),
             QStringLiteral("agent")});

        auto harvested = harvestCheckout(*repo, *checkout, {});
        QVERIFY2(harvested, qPrintable(harvested.message()));
        const QMap<QByteArray, FileChange> changes = byPath(*harvested);
        QCOMPARE(changes.keys(),
                 (QList<QByteArray>{".git/hooks/pre-commit",
                                    "etc-link",
                                    "passwd-link",
                                    "run.sh",
                                    "src/new.cpp",
                                    "src/old.cpp",
                                    "src/parser.cpp"}));
        QCOMPARE(changes.value("src/parser.cpp").kind, FileChange::Kind::Write);
        QCOMPARE(changes.value("src/parser.cpp").content, QByteArray("int parse() { return 0; }\n"));
        QCOMPARE(changes.value("src/new.cpp").content, QByteArray("new\n"));
        QCOMPARE(changes.value("src/old.cpp").kind, FileChange::Kind::Delete);
        QCOMPARE(changes.value("run.sh").mode, quint32(0100644));
        QCOMPARE(changes.value("run.sh").content, QByteArray("#!/bin/sh\necho run\n"));
        QCOMPARE(changes.value("passwd-link").mode, quint32(0120000));
        QCOMPARE(changes.value("passwd-link").content, QByteArray("/etc/passwd"));
        QCOMPARE(changes.value("etc-link").mode, quint32(0120000));
        QCOMPARE(changes.value("etc-link").content, QByteArray("/etc"));
        QCOMPARE(changes.value(".git/hooks/pre-commit").content, QByteArray("#!/bin/sh\nrm -rf ~\n"));
    }

    // The checkout's config is the agent's: pointing its work tree elsewhere changes what is
    // harvested by nothing but the config file itself.
    void checkoutConfigIsNotBelieved()
    {
        Fixture fixture;
        auto repo = GitRepository::discover(fixture.repoDir);
        QVERIFY2(repo, qPrintable(repo.message()));
        auto checkout = fixture.checkout(*repo);
        QVERIFY2(checkout, qPrintable(checkout.message()));
        const QString dir = fixture.checkoutDir();
        git(dir, {QStringLiteral("config"), QStringLiteral("core.worktree"), QStringLiteral("/")});
        git(dir, {QStringLiteral("config"), QStringLiteral("core.excludesFile"), QStringLiteral("/etc/passwd")});
        QVERIFY(writeFile(dir + QStringLiteral("/src/new.cpp"), "new\n"));
        auto harvested = harvestCheckout(*repo, *checkout, {});
        QVERIFY2(harvested, qPrintable(harvested.message()));
        QCOMPARE(byPath(*harvested).keys(), (QList<QByteArray>{".git/config", "src/new.cpp"}));
    }

    // A file past the size limit is cut one byte past it (the policy refuses it by size), and
    // what is neither a file, a folder nor a symlink stops the harvest.
    void limitsAndOddFiles()
    {
        Fixture fixture;
        auto repo = GitRepository::discover(fixture.repoDir);
        QVERIFY2(repo, qPrintable(repo.message()));
        auto checkout = fixture.checkout(*repo);
        QVERIFY2(checkout, qPrintable(checkout.message()));
        const QString dir = fixture.checkoutDir();
        QVERIFY(writeFile(dir + QStringLiteral("/src/big.txt"), QByteArray(4096, 'x')));
        HarvestLimits limits;
        limits.maxFileBytes = 100;
        auto harvested = harvestCheckout(*repo, *checkout, limits);
        QVERIFY2(harvested, qPrintable(harvested.message()));
        QCOMPARE(byPath(*harvested).value("src/big.txt").content.size(), 101);
        // The base's own files past the limit, left as they were, are no change.
        QCOMPARE(byPath(*harvested).keys(), (QList<QByteArray>{"src/big.txt"}));

        limits.maxEntries = 3;
        auto tooMany = harvestCheckout(*repo, *checkout, limits);
        QVERIFY(!tooMany);
        QVERIFY2(tooMany.message().contains(QStringLiteral("more than 3")), qPrintable(tooMany.message()));

        QVERIFY(::mkfifo(QFile::encodeName(dir + QStringLiteral("/src/pipe")).constData(), 0600) == 0);
        auto odd = harvestCheckout(*repo, *checkout, {});
        QVERIFY(!odd);
        QVERIFY2(odd.message().contains(QStringLiteral("src/pipe")), qPrintable(odd.message()));
    }

    // What a hostile agent leaves to trip the harvest, which may run as root: a .git that is a
    // link elsewhere is a change to .git and nothing is read through it; a .gitignore that is a
    // fifo (libgit2 would block opening it) stops the harvest at once; a change past the total
    // budget is refused.
    void hostileLeftovers()
    {
        Fixture fixture;
        auto repo = GitRepository::discover(fixture.repoDir);
        QVERIFY2(repo, qPrintable(repo.message()));
        auto checkout = fixture.checkout(*repo);
        QVERIFY2(checkout, qPrintable(checkout.message()));
        const QString dir = fixture.checkoutDir();

        QTemporaryDir elsewhere;
        QVERIFY(QDir(elsewhere.path()).mkpath(QStringLiteral("hooks")));
        QVERIFY(writeFile(elsewhere.path() + QStringLiteral("/config"), "secret = 1\n"));
        QVERIFY(QDir(dir + QStringLiteral("/.git")).removeRecursively());
        QVERIFY(QFile::link(elsewhere.path(), dir + QStringLiteral("/.git")));
        auto linked = harvestCheckout(*repo, *checkout, {});
        QVERIFY2(linked, qPrintable(linked.message()));
        const auto changes = byPath(*linked);
        QCOMPARE(changes.keys(), (QList<QByteArray>{".git"}));
        QCOMPARE(changes.value(".git").content, QFile::encodeName(elsewhere.path()));
        QVERIFY(!changes.value(".git").content.contains("secret"));
        QVERIFY(QFile::remove(dir + QStringLiteral("/.git")));

        QVERIFY(QDir(dir).mkpath(QStringLiteral("sub")));
        QVERIFY(::mkfifo(QFile::encodeName(dir + QStringLiteral("/sub/.gitignore")).constData(), 0600) == 0);
        QVERIFY(writeFile(dir + QStringLiteral("/sub/a.txt"), "a\n"));
        auto fifo = harvestCheckout(*repo, *checkout, {});
        QVERIFY(!fifo);
        QVERIFY2(fifo.message().contains(QStringLiteral("sub/.gitignore")), qPrintable(fifo.message()));
        QVERIFY(QDir(dir + QStringLiteral("/sub")).removeRecursively());

        QVERIFY(writeFile(dir + QStringLiteral("/src/one.txt"), QByteArray(600, 'x')));
        QVERIFY(writeFile(dir + QStringLiteral("/src/two.txt"), QByteArray(600, 'y')));
        HarvestLimits limits;
        limits.maxTotalBytes = 1000;
        auto tooMuch = harvestCheckout(*repo, *checkout, limits);
        QVERIFY(!tooMuch);
        QVERIFY2(tooMuch.message().contains(QStringLiteral("more than")), qPrintable(tooMuch.message()));
    }
};

QTEST_GUILESS_MAIN(TestPrivateCheckout)
#include "tst_privatecheckout.moc"
