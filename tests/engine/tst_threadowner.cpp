#include "base/threadowner.h"
#include "store/database.h"
#include "testsupport.h"

#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <memory>

using namespace astra;

class TestThreadOwner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void ownerThreadPasses()
    {
        ThreadOwner owner;
        QVERIFY(owner.check("an object"));
        const ThreadOwner copy = owner;
        QVERIFY(copy.check("a copy"));
    }

    void otherThreadComplains()
    {
        ThreadOwner owner;
        bool checked = true;
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("soft assertion failed: a test object is used on the "
                                                               "thread that owns it")));
        std::unique_ptr<QThread> thread(QThread::create([&] { checked = owner.check("a test object"); }));
        thread->start();
        QVERIFY(thread->wait(10000));
        QVERIFY(!checked);
    }

    void databaseUsedOnAnotherThreadComplains()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const DatabaseLocation location = DatabaseLocation::sqliteFile(dir.filePath(QStringLiteral("state.db")));
        auto db = Database::open(location, Database::OpenMode::CreateIfMissing);
        QVERIFY2(db, qPrintable(db.message()));
        QVERIFY(db->connection().isOpen());
        QTest::ignoreMessage(
            QtWarningMsg,
            QRegularExpression(QStringLiteral("soft assertion failed: a Database is used on the thread "
                                              "that owns it")));
        std::unique_ptr<QThread> thread(QThread::create([&] { (void)db->connection(); }));
        thread->start();
        QVERIFY(thread->wait(10000));
    }
};

QTEST_GUILESS_MAIN(TestThreadOwner)
#include "tst_threadowner.moc"
