#include "goals/detectors/analyzerdetector.h"
#include "sandbox/findings.h"

#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace astra;

namespace {
QByteArray data(const char *name)
{
    QFile file(qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/reports/") + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const QByteArray appPy = "import os\nimport sys\n\nx = \"\xF0\x9F\x98\x80\" == None\n";
const QByteArray widget =
    "// \xC3\xA9 \xC3\xBCn\xC3\xAF"
    "code\nint *p = 0;\nvoid f() { if (p) g(); }\n";
} // namespace

// Analyzer reports (SARIF 2.1.0, clang-tidy export-fixes) and their fix-its applied exactly.
class TestFindings : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sarifFixesApplyWithUtf16Columns()
    {
        auto findings = parseSarif(data("fixits.sarif"), QStringLiteral("fixits.sarif"));
        QVERIFY2(findings.ok(), qPrintable(findings.message()));
        QCOMPARE(findings->size(), 3);
        QCOMPARE(findings->at(0).tool, QStringLiteral("ruff"));
        QCOMPARE(findings->at(0).path, QStringLiteral("/build/tmp/astra-job-x/src/app.py"));
        QCOMPARE(findings->at(2).fixes.size(), 0);
        QList<Replacement> all = findings->at(0).fixes + findings->at(1).fixes;
        auto fixed = applyReplacements(appPy, all, QStringLiteral("src/app.py"));
        QVERIFY2(fixed.ok(), qPrintable(fixed.message()));
        QCOMPARE(*fixed, QByteArray("import sys\n\nx = \"\xF0\x9F\x98\x80\" is None\n"));
        // The same region in code points is one column to the left.
        QList<Replacement> points = findings->at(1).fixes;
        points[0].utf16Columns = false;
        points[0].startColumn -= 1;
        points[0].endColumn -= 1;
        QCOMPARE(*applyReplacements(appPy, points, QStringLiteral("src/app.py")),
                 QByteArray("import os\nimport sys\n\nx = \"\xF0\x9F\x98\x80\" is None\n"));
    }

    void clangTidyFixesApplyByBytes()
    {
        auto findings = parseClangTidyFixes(data("clang-tidy-fixes.yaml"), QStringLiteral("fixes.yaml"));
        QVERIFY2(findings.ok(), qPrintable(findings.message()));
        QCOMPARE(findings->size(), 2);
        QCOMPARE(findings->at(0).ruleId, QStringLiteral("modernize-use-nullptr"));
        QCOMPARE(findings->at(1).fixes.size(), 2);
        auto fixed =
            applyReplacements(widget, findings->at(0).fixes + findings->at(1).fixes, QStringLiteral("src/widget.cpp"));
        QVERIFY2(fixed.ok(), qPrintable(fixed.message()));
        QCOMPARE(*fixed,
                 QByteArray("// \xC3\xA9 \xC3\xBCn\xC3\xAF"
                            "code\nint *p = nullptr;\nvoid f() { if (p) { g(); } }\n"));
    }

    void overlapsAndStalePositionsAreRefused()
    {
        Replacement a;
        a.path = QStringLiteral("f.c");
        a.byOffset = true;
        a.offset = 2;
        a.length = 4;
        a.text = QStringLiteral("x");
        Replacement b = a;
        b.offset = 5;
        auto overlap = applyReplacements("0123456789", {a, b}, QStringLiteral("f.c"));
        QVERIFY(!overlap.ok());
        QVERIFY2(overlap.message().contains(QStringLiteral("overlap"))
                     && overlap.message().contains(QStringLiteral("f.c")),
                 qPrintable(overlap.message()));
        Replacement outside = a;
        outside.offset = 20;
        QVERIFY(applyReplacements("0123456789", {outside}, QStringLiteral("f.c"))
                    .message()
                    .contains(QStringLiteral("outside")));
        Replacement line;
        line.path = QStringLiteral("f.c");
        line.startLine = 3;
        line.startColumn = 1;
        line.endLine = 3;
        line.endColumn = 2;
        QVERIFY(!applyReplacements("one line\n", {line}, QStringLiteral("f.c")).ok());
        // Adjacent edits are fine.
        Replacement c = a;
        c.offset = 6;
        QCOMPARE(*applyReplacements("0123456789", {c, a}, QStringLiteral("f.c")), QByteArray("01xx"));
    }

    void badReportsAreClearErrors()
    {
        QVERIFY(parseSarif("{\"version\": \"2.0.0\", \"runs\": []}", QStringLiteral("old.sarif"))
                    .message()
                    .contains(QStringLiteral("2.1.0")));
        QVERIFY(parseSarif("not json", QStringLiteral("x.sarif")).message().contains(QStringLiteral("x.sarif")));
        QVERIFY(parseClangTidyFixes("Diagnostics: [", QStringLiteral("y.yaml"))
                    .message()
                    .contains(QStringLiteral("y.yaml")));
        QVERIFY(parseClangTidyFixes("Other: 1\n", QStringLiteral("z.yaml"))
                    .message()
                    .contains(QStringLiteral("Diagnostics")));
    }

    void proposalsPerFileWithFixes()
    {
        auto findings = parseSarif(data("fixits.sarif"), QStringLiteral("fixits.sarif"));
        QVERIFY(findings.ok());
        const auto readFile = [](const QString &path) -> std::optional<QByteArray> {
            if (path == u"src/app.py") {
                return appPy;
            }
            if (path == u"src/other.py") {
                return QByteArray("a = 1\nb = 2   \n");
            }
            return std::nullopt;
        };
        const QList<ProposalDraft> drafts = analyzerProposals(*findings, {}, readFile);
        QCOMPARE(drafts.size(), 1); // other.py has a finding but no fix-it
        const ProposalDraft &draft = drafts.first();
        QCOMPARE(draft.kind, QStringLiteral("apply-analyzer-fixes"));
        QCOMPARE(draft.confidence, 0.95);
        QCOMPARE(draft.evidence.value(QStringLiteral("files")).toArray(), QJsonArray{QStringLiteral("src/app.py")});
        const QJsonArray fixits = draft.evidence.value(QStringLiteral("fixits")).toArray();
        QCOMPARE(fixits.size(), 2);
        QCOMPARE(fixits.first().toObject().value(QStringLiteral("path")).toString(), QStringLiteral("src/app.py"));
    }
};

QTEST_GUILESS_MAIN(TestFindings)
#include "tst_findings.moc"
