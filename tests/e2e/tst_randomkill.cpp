#include "crashrepository.h"
#include "testsupport.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <signal.h>
#include <unistd.h>

using namespace astra;
using test::Run;
using test::runAstra;

namespace {
QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

Run git(const QString &dir, const QStringList &args)
{
    return test::runProgram(QStringLiteral("git"), args, dir);
}

QString revParse(const QString &dir, const QString &what)
{
    return git(dir, {QStringLiteral("rev-parse"), what}).out.trimmed();
}

QByteArray readSmallFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.read(256) : QByteArray();
}

// What a kill interrupts: the command, and how it was stopped.
struct Kill
{
    bool killed = false; // false: the command ended by itself first
    bool onEvent = false; // stopped when a lock file appeared or the target moved
    qint64 afterMs = 0;
};

// Something that did not hold after a restart, with the run that broke it.
struct Findings
{
    QStringList problems;
    QString run;

    void check(bool holds, const QString &what)
    {
        if (!holds) {
            problems.append(run + QStringLiteral(": ") + what);
        }
    }
};

enum class Operation
{
    Propose,
    Merge,
    Rollback,
};

const char *operationName(Operation operation)
{
    switch (operation) {
    case Operation::Propose:
        return "propose";
    case Operation::Merge:
        return "mod merge";
    case Operation::Rollback:
        return "mod rollback";
    }
    return "";
}
} // namespace

Q_DECLARE_METATYPE(Operation)

// Kills `astra propose`, `astra mod merge` and `astra mod rollback` with SIGKILL at random
// moments (ASTRA_RANDOM_KILLS of each, 50 by default), half of them at the first lock file or
// move of the target branch after a random delay, starts astra again and checks everything that
// must hold: git fsck --strict, the target at its old or its new commit, no lock file, index and
// work tree as HEAD, database and refs in agreement, the ledger intact, and the operation able
// to finish. The seed is printed; ASTRA_RANDOM_KILL_SEED repeats a sequence.
class TestRandomKill : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_scratch;
    QString m_patch;
    QString m_astraBin = QStringLiteral(ASTRA_CLI_PATH);
    QRandomGenerator m_random;
    int m_runs = 50;

    Run astra(const QString &dir, const QStringList &args)
    {
        return runAstra(args, dir);
    }

    // A repository in the state the operation starts from, to be copied for each run.
    QString makeTemplate(Operation operation)
    {
        const QString dir = m_scratch.filePath(QStringLiteral("template-%1").arg(int(operation)));
        QDir().mkpath(dir);
        auto ok = [](const Run &run) {
            return run.exitCode == 0;
        };
        bool good =
            ok(git(dir, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")}))
            && ok(git(dir, {QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Test Person")}))
            && ok(
                git(dir, {QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("test@example.org")}));
        QDir().mkpath(dir + QStringLiteral("/src"));
        for (const auto &[path, content] : {std::pair{QStringLiteral("/.astra.toml"), QByteArray(test::crashConfig)},
                                            std::pair{QStringLiteral("/src/a.c"), QByteArray("int a = 1;\n")}}) {
            QFile file(dir + path);
            good = good && file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
        }
        good = good && ok(git(dir, {QStringLiteral("add"), QStringLiteral("-A")}))
            && ok(git(
                dir,
                {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("initial")}))
            && ok(astra(dir, {QStringLiteral("init")}));
        if (operation != Operation::Propose) {
            good = good && ok(astra(dir, {QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}))
                && ok(astra(dir, {QStringLiteral("run")}))
                && ok(astra(dir, {QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}));
        }
        if (operation == Operation::Rollback) {
            good = good && ok(astra(dir, {QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}));
        }
        return good ? dir : QString();
    }

    QString copyOf(const QString &templateDir, int run)
    {
        const QString dir = m_scratch.filePath(QStringLiteral("run-%1").arg(run));
        QDir(dir).removeRecursively();
        QDir().mkpath(dir);
        if (test::runProgram(QStringLiteral("cp"), {QStringLiteral("-a"), templateDir + QStringLiteral("/."), dir})
                .exitCode
            != 0) {
            return {};
        }
        return dir;
    }

    QStringList arguments(Operation operation) const
    {
        switch (operation) {
        case Operation::Propose:
            return {QStringLiteral("propose"), QStringLiteral("--patch"), m_patch};
        case Operation::Merge:
            return {QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")};
        case Operation::Rollback:
            return {QStringLiteral("mod"),
                    QStringLiteral("rollback"),
                    QStringLiteral("1"),
                    QStringLiteral("--reason"),
                    QStringLiteral("undo")};
        }
        return {};
    }

    // Starts the operation in `dir` and kills it after `delayMs`, or, with `onEvent`, at the
    // first lock file or move of main after that.
    Kill runAndKill(const QString &dir, Operation operation, qint64 delayMs, bool onEvent)
    {
        const QString gitDir = dir + QStringLiteral("/.git");
        const QStringList watched = {gitDir + QStringLiteral("/index.lock"),
                                     gitDir + QStringLiteral("/refs/heads/main.lock"),
                                     gitDir + QStringLiteral("/refs/astra/ledger.lock"),
                                     gitDir + QStringLiteral("/packed-refs.lock"),
                                     gitDir + QStringLiteral("/astra/checkout-intent.json")};
        const QString branches = gitDir + QStringLiteral("/refs/heads/astra");
        const QByteArray mainBefore = readSmallFile(gitDir + QStringLiteral("/refs/heads/main"));
        auto eventSeen = [&] {
            for (const QString &path : watched) {
                if (::access(QFile::encodeName(path).constData(), F_OK) == 0) {
                    return true;
                }
            }
            if (readSmallFile(gitDir + QStringLiteral("/refs/heads/main")) != mainBefore) {
                return true;
            }
            QDirIterator it(branches, {QStringLiteral("*.lock")}, QDir::Files, QDirIterator::Subdirectories);
            return it.hasNext();
        };

        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
        env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
        process.setProcessEnvironment(env);
        process.setWorkingDirectory(dir);
        process.start(m_astraBin, arguments(operation));
        Kill kill;
        if (!process.waitForStarted(30000)) {
            return kill;
        }
        const pid_t pid = pid_t(process.processId());
        QElapsedTimer timer;
        timer.start();
        const qint64 giveUpMs = delayMs + 20000;
        for (;;) {
            if (process.waitForFinished(0) || process.state() == QProcess::NotRunning) {
                break;
            }
            const qint64 elapsed = timer.elapsed();
            const bool due = elapsed >= delayMs && (!onEvent || eventSeen() || elapsed >= giveUpMs);
            if (due) {
                ::kill(pid, SIGKILL);
                kill.killed = true;
                kill.onEvent = onEvent && elapsed < giveUpMs;
                kill.afterMs = elapsed;
                break;
            }
            ::usleep(100);
        }
        process.waitForFinished(30000);
        if (kill.killed && process.exitStatus() == QProcess::NormalExit) {
            kill.killed = false; // it had ended by itself just before the signal
        }
        return kill;
    }

    // The checks every run must pass after a restart, whatever was killed where.
    void checkConsistent(const QString &dir, Findings &findings)
    {
        const Run status = astra(dir, {QStringLiteral("status")});
        findings.check(status.exitCode == 0, QStringLiteral("astra status after the restart: ") + status.err);
        const Run fsck = git(dir, {QStringLiteral("fsck"), QStringLiteral("--strict")});
        findings.check(fsck.exitCode == 0, QStringLiteral("git fsck --strict: ") + fsck.out + fsck.err);
        const QStringList locks = test::lockFiles(dir + QStringLiteral("/.git"));
        findings.check(locks.isEmpty(), QStringLiteral("lock files left: ") + locks.join(QStringLiteral(", ")));
        const Run porcelain = git(dir, {QStringLiteral("status"), QStringLiteral("--porcelain")});
        if (porcelain.exitCode != 0 || !porcelain.out.isEmpty()) {
            findings.check(false,
                           QStringLiteral("index or work tree differ from HEAD: ") + porcelain.out + porcelain.err
                               + QStringLiteral("; src/a.c holds \"")
                               + QString::fromUtf8(readSmallFile(dir + QStringLiteral("/src/a.c"))).toHtmlEscaped()
                               + QStringLiteral("\""));
        }
        const Run verify = astra(dir, {QStringLiteral("ledger"), QStringLiteral("verify")});
        findings.check(verify.exitCode == 0, QStringLiteral("ledger verify: ") + verify.err);
        // Every astra branch has its modification at its head, and the other way round.
        const Run mods = astra(dir, {QStringLiteral("mods"), QStringLiteral("--json")});
        QMap<QString, QString> recorded;
        for (const QJsonValue &value : json(mods).array()) {
            const QJsonObject m = value.toObject();
            recorded.insert(m.value(QStringLiteral("branch")).toString(),
                            m.value(QStringLiteral("head_commit")).toString());
        }
        QMap<QString, QString> branches;
        for (const QString &line : git(dir,
                                       {QStringLiteral("for-each-ref"),
                                        QStringLiteral("--format=%(refname:short) %(objectname)"),
                                        QStringLiteral("refs/heads/astra/")})
                                       .out.split(u'\n', Qt::SkipEmptyParts)) {
            branches.insert(line.section(u' ', 0, 0), line.section(u' ', 1, 1));
        }
        findings.check(recorded == branches,
                       QStringLiteral("branches and modifications differ: %1 branches, %2 modifications")
                           .arg(branches.size())
                           .arg(recorded.size()));
        // Every goal an import made has its modification: none was left behind alone.
        const Run goals = astra(dir, {QStringLiteral("goals"), QStringLiteral("--json")});
        findings.check(
            json(goals).array().size() == recorded.size(),
            QStringLiteral("%1 goals for %2 modifications").arg(json(goals).array().size()).arg(recorded.size()));
    }

    QJsonObject modification(const QString &dir)
    {
        return json(astra(
                        dir,
                        {QStringLiteral("mod"), QStringLiteral("show"), QStringLiteral("1"), QStringLiteral("--json")}))
            .object();
    }

    // What the operation must have left: its old state or its new one, never anything between,
    // and, when old, the operation done again goes through.
    void checkOutcome(const QString &dir, Operation operation, const QString &mainBefore, Findings &findings)
    {
        const QString mainNow = revParse(dir, QStringLiteral("main"));
        if (operation == Operation::Propose) {
            findings.check(mainNow == mainBefore, QStringLiteral("propose moved main"));
            const int count = int(json(astra(dir, {QStringLiteral("mods"), QStringLiteral("--json")})).array().size());
            findings.check(count <= 1, QStringLiteral("%1 modifications from one propose").arg(count));
            const Run again = astra(dir, arguments(operation));
            findings.check(again.exitCode == 0, QStringLiteral("propose again: ") + again.err);
            checkConsistent(dir, findings);
            return;
        }
        const QJsonObject m = modification(dir);
        const QString status = m.value(QStringLiteral("status")).toString();
        const QString head = m.value(QStringLiteral("head_commit")).toString();
        if (operation == Operation::Merge) {
            // The new state: the approved commit's tree on the old main, committed by the merger.
            const auto landed = [&](const QString &commit) {
                return revParse(dir, commit + QStringLiteral("^{tree}"))
                    == revParse(dir, head + QStringLiteral("^{tree}"))
                    && revParse(dir, commit + QStringLiteral("^")) == mainBefore;
            };
            if (mainNow == mainBefore) {
                findings.check(status == u"approved",
                               QStringLiteral("main not moved but the modification is ") + status);
                const Run again = astra(dir, arguments(operation));
                findings.check(again.exitCode == 0, QStringLiteral("merge again: ") + again.err);
                findings.check(landed(revParse(dir, QStringLiteral("main"))),
                               QStringLiteral("merge again did not move main"));
            } else {
                findings.check(landed(mainNow), QStringLiteral("main at %1, neither old nor new").arg(mainNow));
                findings.check(status == u"merged", QStringLiteral("main moved but the modification is ") + status);
                findings.check(m.value(QStringLiteral("merge_commit")).toString() == mainNow,
                               QStringLiteral("merge_commit is not the new main"));
            }
        } else {
            if (mainNow == mainBefore) {
                findings.check(status == u"merged", QStringLiteral("main not moved but the modification is ") + status);
                const Run again = astra(dir, arguments(operation));
                findings.check(again.exitCode == 0, QStringLiteral("rollback again: ") + again.err);
            } else {
                findings.check(revParse(dir, mainNow + QStringLiteral("^")) == mainBefore,
                               QStringLiteral("main at %1, not a commit on top of the merge").arg(mainNow));
                findings.check(status == u"rolled_back",
                               QStringLiteral("main moved but the modification is ") + status);
                findings.check(m.value(QStringLiteral("revert_commit")).toString() == mainNow,
                               QStringLiteral("revert_commit is not the new main"));
            }
            findings.check(readSmallFile(dir + QStringLiteral("/src/a.c")) == "int a = 1;\n",
                           QStringLiteral("src/a.c is not back to its old content"));
        }
        checkConsistent(dir, findings);
    }

    // The shortest wall time of the operation run to its end, to spread the kills over.
    qint64 uninterruptedMs(const QString &templateDir, Operation operation)
    {
        QList<qint64> times;
        for (int i = 0; i < 5; ++i) {
            const QString dir = copyOf(templateDir, 1000 + i);
            QElapsedTimer timer;
            timer.start();
            const Run run = astra(dir, arguments(operation));
            times.append(timer.elapsed());
            if (run.exitCode != 0) {
                qWarning("%s did not pass uninterrupted: %s", operationName(operation), qPrintable(run.err));
                return -1;
            }
            QDir(dir).removeRecursively();
        }
        return *std::min_element(times.cbegin(), times.cend());
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_scratch.isValid());
        m_patch = m_scratch.filePath(QStringLiteral("change.diff"));
        QFile file(m_patch);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(test::crashPatch);
        bool ok = false;
        quint32 seed = qEnvironmentVariable("ASTRA_RANDOM_KILL_SEED").toUInt(&ok);
        if (!ok) {
            seed = QRandomGenerator::system()->generate();
        }
        m_random.seed(seed);
        const int runs = qEnvironmentVariableIntValue("ASTRA_RANDOM_KILLS", &ok);
        m_runs = ok && runs > 0 ? runs : 50;
        qInfo("seed %u (ASTRA_RANDOM_KILL_SEED repeats it), %d kills of each operation", seed, m_runs);
    }

    void randomKills_data()
    {
        QTest::addColumn<Operation>("operation");
        QTest::addRow("propose") << Operation::Propose;
        QTest::addRow("mod merge") << Operation::Merge;
        QTest::addRow("mod rollback") << Operation::Rollback;
    }
    void randomKills()
    {
        QFETCH(Operation, operation);
        const QString templateDir = makeTemplate(operation);
        QVERIFY2(!templateDir.isEmpty(), "the starting repository could not be made");
        const QString mainBefore = revParse(templateDir, QStringLiteral("main"));
        qint64 duration = uninterruptedMs(templateDir, operation);
        QVERIFY(duration > 0);
        const qint64 measured = duration;

        Findings findings;
        int killed = 0;
        int onEvent = 0;
        int finished = 0;
        int landedNew = 0;
        for (int i = 0; i < m_runs; ++i) {
            const QString dir = copyOf(templateDir, i);
            QVERIFY(!dir.isEmpty());
            const bool eventMode = i % 2 == 1;
            const qint64 delay = qint64(m_random.bounded(double(duration) * 1.1));
            findings.run = QStringLiteral("%1 run %2 (kill after %3 ms%4)")
                               .arg(QLatin1String(operationName(operation)))
                               .arg(i)
                               .arg(delay)
                               .arg(eventMode ? QStringLiteral(", at the next lock or move") : QString());
            QElapsedTimer timer;
            timer.start();
            const Kill kill = runAndKill(dir, operation, delay, eventMode);
            if (!kill.killed) {
                // It ended first: on a busy machine the first measure can be long; aim earlier.
                duration = std::max<qint64>(1, std::min(duration, timer.elapsed()) * 3 / 4);
            }
            killed += kill.killed ? 1 : 0;
            onEvent += kill.onEvent && kill.killed ? 1 : 0;
            finished += kill.killed ? 0 : 1;
            landedNew += revParse(dir, QStringLiteral("main")) != mainBefore ? 1 : 0;
            checkConsistent(dir, findings);
            checkOutcome(dir, operation, mainBefore, findings);
            QDir(dir).removeRecursively();
        }
        qInfo(
            "%s: %d runs (uninterrupted %lld ms): %d killed (%d at a lock or a move of main), %d ended first, "
            "%d left main at its new commit; %lld inconsistencies",
            operationName(operation),
            m_runs,
            measured,
            killed,
            onEvent,
            finished,
            landedNew,
            qint64(findings.problems.size()));
        QVERIFY2(findings.problems.isEmpty(), qPrintable(findings.problems.join(u'\n')));
        QVERIFY2(killed >= m_runs / 3, "too few runs were interrupted for the test to mean something");
    }
};

QTEST_GUILESS_MAIN(TestRandomKill)
#include "tst_randomkill.moc"
