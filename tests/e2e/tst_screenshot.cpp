#include "testsupport.h"

#include <QImage>
#include <QProcess>
#include <QTest>

using namespace astra;

class TestScreenshot : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_demo;

private Q_SLOTS:
    void initTestCase()
    {
        m_demo = m_dir.filePath(QStringLiteral("demo"));
        QCOMPARE(test::runAstra({QStringLiteral("demo"), m_demo}).exitCode, 0);
    }

    void rendersTheView_data()
    {
        QTest::addColumn<QString>("view");
        QTest::newRow("status") << QStringLiteral("status");
        QTest::newRow("kanban") << QStringLiteral("kanban");
        QTest::newRow("plan") << QStringLiteral("plan");
        QTest::newRow("review") << QStringLiteral("review");
        QTest::newRow("diff") << QStringLiteral("diff");
        QTest::newRow("tasks") << QStringLiteral("tasks");
        QTest::newRow("ledger") << QStringLiteral("ledger");
    }
    void rendersTheView()
    {
        QFETCH(QString, view);
        const QString demo = m_demo;
        const QString png = m_dir.filePath(view + QStringLiteral(".png"));
        const test::Run run = test::runProgram(
            QStringLiteral(ASTRA_GUI_PATH),
            {QStringLiteral("--repo"), demo, QStringLiteral("--screenshot"), png, QStringLiteral("--view"), view});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 600 && image.height() >= 400);
        // Not a blank picture: the page has text on it.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7) {
            for (int x = 0; x < image.width(); x += 7) {
                colours.insert(image.pixel(x, y));
            }
        }
        QVERIFY(colours.size() > 3);
    }

    // What a package's smoke test and man page generation run: no display and no platform chosen.
    void versionAndHelpNeedNoDisplay_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("expected");
        QTest::newRow("version") << QStringLiteral("--version") << QStringLiteral("astra-review ");
        QTest::newRow("help") << QStringLiteral("--help") << QStringLiteral("--screenshot <FILE>");
    }
    void versionAndHelpNeedNoDisplay()
    {
        QFETCH(QString, option);
        QFETCH(QString, expected);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) {
            environment.remove(QString::fromLatin1(name));
        }
        QProcess process;
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(ASTRA_GUI_PATH), {option});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        QVERIFY(QString::fromUtf8(process.readAllStandardOutput()).contains(expected));
    }

    // --goal chooses the goal the plan shows; a goal that is not a number is refused by name.
    void showsTheGoalAskedFor()
    {
        const QString png = m_dir.filePath(QStringLiteral("goal.png"));
        test::Run run = test::runProgram(QStringLiteral(ASTRA_GUI_PATH),
                                         {QStringLiteral("--repo"),
                                          m_demo,
                                          QStringLiteral("--screenshot"),
                                          png,
                                          QStringLiteral("--goal"),
                                          QStringLiteral("2")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(!QImage(png).isNull());
        run = test::runProgram(QStringLiteral(ASTRA_GUI_PATH),
                               {QStringLiteral("--repo"),
                                m_demo,
                                QStringLiteral("--screenshot"),
                                png,
                                QStringLiteral("--goal"),
                                QStringLiteral("two")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--goal two")), qPrintable(run.err));
    }

    void refusesUnknownView()
    {
        QTemporaryDir dir;
        const test::Run run = test::runProgram(QStringLiteral(ASTRA_GUI_PATH),
                                               {QStringLiteral("--screenshot"),
                                                dir.filePath(QStringLiteral("x.png")),
                                                QStringLiteral("--view"),
                                                QStringLiteral("nonsense")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.err.contains(QStringLiteral("nonsense")));
    }
};

QTEST_GUILESS_MAIN(TestScreenshot)
#include "tst_screenshot.moc"
