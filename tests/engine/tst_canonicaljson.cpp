#include "base/canonicaljson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cstring>
#include <limits>

using namespace astra;

class TestCanonicalJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void numbers_data()
    {
        QTest::addColumn<double>("value");
        QTest::addColumn<QByteArray>("expected");
        // From RFC 8785 appendix B and section 3.2.2.3.
        auto fromBits = [](quint64 bits) {
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return d;
        };
        QTest::addRow("zero") << 0.0 << QByteArray("0");
        QTest::addRow("minus zero") << -0.0 << QByteArray("0");
        QTest::addRow("min positive") << fromBits(0x0000000000000001ULL) << QByteArray("5e-324");
        QTest::addRow("min negative") << fromBits(0x8000000000000001ULL) << QByteArray("-5e-324");
        QTest::addRow("max") << fromBits(0x7fefffffffffffffULL) << QByteArray("1.7976931348623157e+308");
        QTest::addRow("max safe") << fromBits(0x433fffffffffffffULL) << QByteArray("9007199254740991");
        QTest::addRow("2^53") << fromBits(0x4340000000000000ULL) << QByteArray("9007199254740992");
        QTest::addRow("1e21 minus") << fromBits(0x444b1ae4d6e2ef4fULL) << QByteArray("999999999999999900000");
        QTest::addRow("1e21") << fromBits(0x444b1ae4d6e2ef50ULL) << QByteArray("1e+21");
        QTest::addRow("1e21 plus") << fromBits(0x444b1ae4d6e2ef51ULL) << QByteArray("1.0000000000000001e+21");
        QTest::addRow("tiny") << fromBits(0x3eb0c6f7a0b5ed8dULL) << QByteArray("0.000001");
        QTest::addRow("tinier") << fromBits(0x3eb0c6f7a0b5ed8cULL) << QByteArray("9.999999999999997e-7");
        QTest::addRow("large exponent") << fromBits(0x41b3de4355555555ULL) << QByteArray("333333333.3333333");
        QTest::addRow("295147905179352830000") << 295147905179352830000.0 << QByteArray("295147905179352830000");
        QTest::addRow("4.50") << 4.50 << QByteArray("4.5");
        QTest::addRow("2e-3") << 2e-3 << QByteArray("0.002");
        QTest::addRow("1e-7") << 1e-7 << QByteArray("1e-7");
        QTest::addRow("1e30") << 1e30 << QByteArray("1e+30");
        QTest::addRow("integer") << 42.0 << QByteArray("42");
        QTest::addRow("negative") << -12.5 << QByteArray("-12.5");
    }
    void numbers()
    {
        QFETCH(double, value);
        QFETCH(QByteArray, expected);
        QCOMPARE(canonicalNumber(value), expected);
    }

    void rfcExample()
    {
        // RFC 8785 section 3.2.2 example input, parsed then canonicalised.
        const QByteArray input =
            "{\n"
            "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
            "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
            "  \"literals\": [null, true, false]\n"
            "}";
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(input, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        const QByteArray expected = QByteArray(
                                        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,"
                                        "0.002,1e-27],\"string\":\"")
            + QByteArray("\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
        QCOMPARE(canonicalJson(document.object()), expected);
    }

    void keyOrderIsUtf16()
    {
        // RFC 8785 section 3.2.3: sorted by UTF-16 code units, so U+1F600 (a surrogate pair,
        // 0xD83D...) sorts before U+FB33.
        QJsonObject object;
        object.insert(QString(QChar(0x20ac)), QStringLiteral("Euro Sign"));
        object.insert(QStringLiteral("\r"), QStringLiteral("Carriage Return"));
        object.insert(QString(QChar(0xfb33)), QStringLiteral("Hebrew Letter Dalet With Dagesh"));
        object.insert(QStringLiteral("1"), QStringLiteral("One"));
        object.insert(QString::fromUcs4(U"\U0001F600"), QStringLiteral("Emoji: Grinning Face"));
        object.insert(QString(QChar(0x80)), QStringLiteral("Control"));
        object.insert(QString(QChar(0xf6)), QStringLiteral("Latin Small Letter O With Diaeresis"));
        const QString canonical = QString::fromUtf8(canonicalJson(object));
        QStringList order;
        for (const QString &value : {QStringLiteral("Carriage Return"),
                                     QStringLiteral("One"),
                                     QStringLiteral("Control"),
                                     QStringLiteral("Latin Small"),
                                     QStringLiteral("Euro Sign"),
                                     QStringLiteral("Emoji"),
                                     QStringLiteral("Hebrew")}) {
            order.append(value);
        }
        int last = -1;
        for (const QString &value : std::as_const(order)) {
            const int at = canonical.indexOf(value);
            QVERIFY2(at > last, qPrintable(value + QStringLiteral(" out of order in ") + canonical));
            last = at;
        }
    }

    void stringEscapes()
    {
        QJsonArray array;
        array.append(QStringLiteral("tab\there"));
        array.append(QString(QChar(0x1f)));
        array.append(QStringLiteral("\b\f"));
        array.append(QString(QChar(0x7f)));
        QCOMPARE(canonicalJson(array), QByteArray("[\"tab\\there\",\"\\u001f\",\"\\b\\f\",\"\x7f\"]"));
    }

    void nestedObjectsAreSortedToo()
    {
        const QJsonDocument document = QJsonDocument::fromJson("{\"b\":{\"z\":1,\"a\":[{\"y\":2,\"x\":1}]},\"a\":0}");
        QCOMPARE(canonicalJson(document.object()), QByteArray("{\"a\":0,\"b\":{\"a\":[{\"x\":1,\"y\":2}],\"z\":1}}"));
    }
};

QTEST_GUILESS_MAIN(TestCanonicalJson)
#include "tst_canonicaljson.moc"
