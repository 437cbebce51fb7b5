#include "testsupport.h"

#include <QImage>
#include <QTest>

using namespace astra;

class TestScreenshot : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rendersTheStatusView()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        QCOMPARE(test::runAstra({QStringLiteral("demo"), demo}).exitCode, 0);
        const QString png = dir.filePath(QStringLiteral("status.png"));
        const test::Run run = test::runProgram(QStringLiteral(ASTRA_GUI_PATH),
                                               {QStringLiteral("--repo"),
                                                demo,
                                                QStringLiteral("--screenshot"),
                                                png,
                                                QStringLiteral("--view"),
                                                QStringLiteral("status")});
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
