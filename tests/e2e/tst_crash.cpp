#include "crashrepository.h"
#include "testsupport.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace astra;
using test::Run;
using test::runAstra;

namespace {
QJsonDocument json(const Run &run)
{
    return QJsonDocument::fromJson(run.out.toUtf8());
}

} // namespace

// Kills `astra` with SIGKILL at named points inside commit, merge and revert, starts it again,
// and checks that git and the database agree and nothing is left half-done.
class TestCrash : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<test::TempRepo> m_repo;
    QString m_patch;

    void setUpRepository()
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_repo->write(QStringLiteral(".astra.toml"), test::crashConfig);
        m_repo->write(QStringLiteral("src/a.c"), "int a = 1;\n");
        m_repo->commitAll(QStringLiteral("initial"));
        QCOMPARE(runAstra({QStringLiteral("init")}, m_repo->path()).exitCode, 0);
        m_patch = m_repo->file(QStringLiteral("../") + QFileInfo(m_repo->path()).fileName() + QStringLiteral(".diff"));
        QFile file(m_patch);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(test::crashPatch);
    }

    Run astra(const QStringList &args, const char *crashAt = nullptr)
    {
        QStringList env;
        if (crashAt) {
            env.append(QStringLiteral("ASTRA_CRASH_AT=") + QLatin1String(crashAt));
        }
        return runAstra(args, m_repo->path(), env);
    }

    // Everything that must hold after any crash and restart.
    void checkConsistent()
    {
        const Run fsck = test::runProgram(QStringLiteral("git"),
                                          {QStringLiteral("fsck"), QStringLiteral("--strict")},
                                          m_repo->path());
        QVERIFY2(fsck.exitCode == 0, qPrintable(fsck.out + fsck.err));
        QCOMPARE(test::lockFiles(m_repo->file(QStringLiteral(".git"))), QStringList());
        const Run verify = astra({QStringLiteral("ledger"), QStringLiteral("verify")});
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.err));
        // Every astra branch has its modification, and every modification's branch exists at its head.
        const Run mods = astra({QStringLiteral("mods"), QStringLiteral("--json")});
        QCOMPARE(mods.exitCode, 0);
        QMap<QString, QString> recorded;
        for (const QJsonValue &value : json(mods).array()) {
            const QJsonObject m = value.toObject();
            recorded.insert(m.value(QStringLiteral("branch")).toString(),
                            m.value(QStringLiteral("head_commit")).toString());
        }
        const QStringList branches = m_repo
                                         ->git({QStringLiteral("for-each-ref"),
                                                QStringLiteral("--format=%(refname:short) %(objectname)"),
                                                QStringLiteral("refs/heads/astra/")})
                                         .split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(branches.size(), recorded.size());
        for (const QString &line : branches) {
            QCOMPARE(recorded.value(line.section(u' ', 0, 0)), line.section(u' ', 1, 1));
        }
        // The index and the work tree match HEAD: nothing staged in reverse, nothing half written.
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
    }

    QJsonObject modification(int id)
    {
        const Run run =
            astra({QStringLiteral("mod"), QStringLiteral("show"), QString::number(id), QStringLiteral("--json")});
        return json(run).object();
    }

private Q_SLOTS:
    void crashWhileCreatingAModification()
    {
        setUpRepository();
        const Run crashed =
            astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}, "modification-branch-created");
        QCOMPARE(crashed.exitCode, -1); // killed
        // The branch exists but the row does not: the next start removes the branch.
        checkConsistent();
        QCOMPARE(json(astra({QStringLiteral("mods"), QStringLiteral("--json")})).array().size(), 0);
        const Run again =
            astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch, QStringLiteral("--json")});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        checkConsistent();
        const QString ledger = astra({QStringLiteral("ledger"), QStringLiteral("show")}).out;
        QVERIFY2(ledger.contains(QStringLiteral("orphan_branch_removed")), qPrintable(ledger));
    }

    // Killed after a new revision moved the branch, before its rows were committed: the next
    // start moves the branch back to the recorded revision and drops the unrecorded one's ref.
    void crashWhileMakingARevision()
    {
        setUpRepository();
        QCOMPARE(astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}).exitCode, 0);
        m_repo->write(QStringLiteral("src/b.c"), "int b = 2;\n");
        m_repo->commitAll(QStringLiteral("the target moves"));
        const QString head = modification(1).value(QStringLiteral("head_commit")).toString();
        const Run crashed =
            astra({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")}, "revision-branch-moved");
        QCOMPARE(crashed.exitCode, -1);
        checkConsistent();
        QCOMPARE(modification(1).value(QStringLiteral("head_commit")).toString(), head);
        QCOMPARE(modification(1).value(QStringLiteral("revisions")).toArray().size(), 1);
        QCOMPARE(m_repo->git({QStringLiteral("for-each-ref"),
                              QStringLiteral("--format=%(refname)"),
                              QStringLiteral("refs/astra/modifications/")}),
                 QStringLiteral("refs/astra/modifications/1/1\n"));
        const QString ledger = astra({QStringLiteral("ledger"), QStringLiteral("show")}).out;
        QVERIFY2(ledger.contains(QStringLiteral("revision_branch_restored")), qPrintable(ledger));
        const Run again = astra({QStringLiteral("mod"), QStringLiteral("update"), QStringLiteral("1")});
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        checkConsistent();
        QCOMPARE(modification(1).value(QStringLiteral("revisions")).toArray().size(), 2);
    }

    void crashWhileMerging_data()
    {
        QTest::addColumn<QByteArray>("point");
        QTest::addColumn<QString>("expectedStatus");
        QTest::addColumn<bool>("targetMoved");
        QTest::addRow("before the ref moves") << QByteArray("merge-before-ref") << QStringLiteral("approved") << false;
        QTest::addRow("after the ref moved") << QByteArray("merge-ref-moved") << QStringLiteral("merged") << true;
        // Inside the window between the ref's move and the work tree's update.
        QTest::addRow("before the checkout")
            << QByteArray("merge-ref-moved-before-checkout") << QStringLiteral("merged") << true;
    }
    void crashWhileMerging()
    {
        QFETCH(QByteArray, point);
        QFETCH(QString, expectedStatus);
        QFETCH(bool, targetMoved);
        setUpRepository();
        QCOMPARE(astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("run")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}).exitCode, 0);
        const QString before = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        const QString head = modification(1).value(QStringLiteral("head_commit")).toString();

        const Run crashed =
            astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}, point.constData());
        QCOMPARE(crashed.exitCode, -1);
        const QString after = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed();
        // Old or new, never anything else: new is the approved commit's tree on its parent,
        // committed by the person who merged it.
        if (targetMoved) {
            QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), after + QStringLiteral("^{tree}")}),
                     m_repo->git({QStringLiteral("rev-parse"), head + QStringLiteral("^{tree}")}));
            QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), after + QStringLiteral("^")}).trimmed(), before);
        } else {
            QCOMPARE(after, before);
        }
        checkConsistent();
        const QJsonObject m = modification(1);
        QCOMPARE(m.value(QStringLiteral("status")).toString(), expectedStatus);
        if (targetMoved) {
            QCOMPARE(m.value(QStringLiteral("merge_commit")).toString(), after);
        } else {
            // Nothing happened: the merge can simply be done again.
            QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}).exitCode, 0);
            checkConsistent();
        }
    }

    // Lock files a killed process left: those of astra's own refs are removed on the next start
    // and said so; the user's branch's lock is named with the command; a lock a live process
    // holds open is left alone.
    void staleLocksAfterACrash()
    {
        setUpRepository();
        QCOMPARE(astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}).exitCode, 0);
        const QString branch = modification(1).value(QStringLiteral("branch")).toString();
        const QString git = QDir(m_repo->file(QStringLiteral(".git"))).canonicalPath();
        const QString ours = git + QStringLiteral("/refs/heads/") + branch + QStringLiteral(".lock");
        const QString ledger = git + QStringLiteral("/refs/astra/ledger.lock");
        const QString user = git + QStringLiteral("/refs/heads/main.lock");
        const QString held = git + QStringLiteral("/refs/heads/astra/held.lock");
        QDir(git).mkpath(QStringLiteral("refs/astra"));
        for (const QString &path : {ours, ledger, user, held}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("0000000000000000000000000000000000000000\n");
            file.close();
            QCOMPARE(
                test::runProgram(QStringLiteral("touch"), {QStringLiteral("-d"), QStringLiteral("1 minute ago"), path})
                    .exitCode,
                0);
        }
        QProcess holder; // a live process with the lock open, as git holds its locks
        holder.start(QStringLiteral("/bin/sh"),
                     {QStringLiteral("-c"), QStringLiteral("exec 3<\"$0\"; sleep 60"), held});
        QVERIFY(holder.waitForStarted());
        QTest::qWait(300);

        const Run status = astra({QStringLiteral("status")});
        QCOMPARE(status.exitCode, 0);
        QVERIFY2(status.err.contains(QStringLiteral("Removed the lock file ") + ours), qPrintable(status.err));
        QVERIFY2(status.err.contains(QStringLiteral("Removed the lock file ") + ledger), qPrintable(status.err));
        QVERIFY2(status.err.contains(QStringLiteral("rm '") + user + u'\''), qPrintable(status.err));
        QVERIFY(!QFile::exists(ours));
        QVERIFY(!QFile::exists(ledger));
        QVERIFY(QFile::exists(user));
        QVERIFY(QFile::exists(held));
        QVERIFY2(!status.err.contains(held), qPrintable(status.err));
        holder.kill();
        holder.waitForFinished();
        QFile::remove(user);
        QFile::remove(held);
        checkConsistent();
    }

    void crashWhileRollingBack_data()
    {
        QTest::addColumn<QByteArray>("point");
        QTest::addRow("after the ref moved") << QByteArray("revert-ref-moved");
        QTest::addRow("before the checkout") << QByteArray("revert-ref-moved-before-checkout");
    }
    void crashWhileRollingBack()
    {
        QFETCH(QByteArray, point);
        setUpRepository();
        QCOMPARE(astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("run")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}).exitCode, 0);
        const Run crashed = astra({QStringLiteral("mod"),
                                   QStringLiteral("rollback"),
                                   QStringLiteral("1"),
                                   QStringLiteral("--reason"),
                                   QStringLiteral("undo")},
                                  point.constData());
        QCOMPARE(crashed.exitCode, -1);
        checkConsistent();
        const QJsonObject m = modification(1);
        QCOMPARE(m.value(QStringLiteral("status")).toString(), QStringLiteral("rolled_back"));
        QCOMPARE(m.value(QStringLiteral("revert_commit")).toString(),
                 m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed());
        QFile file(m_repo->file(QStringLiteral("src/a.c")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("int a = 1;\n"));
    }

    // Killed while writing a file, the checkout leaves it empty or holding the start of its new
    // content: the next start finishes it. A file changed otherwise may be someone's edit since,
    // and is named instead of overwritten.
    void interruptedFileWrite_data()
    {
        QTest::addColumn<QByteArray>("left");
        QTest::addColumn<bool>("finished");
        QTest::addRow("empty") << QByteArray() << true;
        QTest::addRow("half written") << QByteArray("int a") << true;
        QTest::addRow("missing") << QByteArray("<missing>") << true;
        QTest::addRow("edited since") << QByteArray("int a = 3;\n") << false;
    }
    void interruptedFileWrite()
    {
        QFETCH(QByteArray, left);
        QFETCH(bool, finished);
        setUpRepository();
        QCOMPARE(astra({QStringLiteral("propose"), QStringLiteral("--patch"), m_patch}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("run")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("approve"), QStringLiteral("1")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"), QStringLiteral("merge"), QStringLiteral("1")}).exitCode, 0);
        QCOMPARE(astra({QStringLiteral("mod"),
                        QStringLiteral("rollback"),
                        QStringLiteral("1"),
                        QStringLiteral("--reason"),
                        QStringLiteral("undo")},
                       "revert-ref-moved-before-checkout")
                     .exitCode,
                 -1);
        const QString file = m_repo->file(QStringLiteral("src/a.c"));
        if (left == "<missing>") {
            QVERIFY(QFile::remove(file));
        } else {
            m_repo->write(QStringLiteral("src/a.c"), left);
        }
        const Run status = astra({QStringLiteral("status")});
        if (finished) {
            QVERIFY2(status.exitCode == 0, qPrintable(status.err));
            checkConsistent();
            QFile content(file);
            QVERIFY(content.open(QIODevice::ReadOnly));
            QCOMPARE(content.readAll(), QByteArray("int a = 1;\n"));
        } else {
            QCOMPARE(status.exitCode, 1);
            QVERIFY2(status.err.contains(QStringLiteral("differ from both: src/a.c")), qPrintable(status.err));
            QFile content(file);
            QVERIFY(content.open(QIODevice::ReadOnly));
            QCOMPARE(content.readAll(), left); // left as the person made it
        }
    }
};

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
