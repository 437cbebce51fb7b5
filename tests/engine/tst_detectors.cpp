#include "goals/detectors/jobfailuredetector.h"
#include "goals/detectors/testfailuredetector.h"

#include <QJsonArray>
#include <QTest>

using namespace astra;

namespace {
TaskRunRecord runWith(const QString &outcome, const QString &excerpt)
{
    static qint64 id = 0;
    TaskRunRecord run;
    run.id = ++id;
    run.jobName = QStringLiteral("backup");
    run.outcome = outcome;
    run.summary = excerpt;
    run.startedAt = QStringLiteral("2026-11-22T01:00:00.000Z");
    return run;
}

bool inRepository(const QString &path)
{
    return path == u"scripts/backup.py" || path == u"src/lib/store.c" || path == u"Makefile.am";
}
} // namespace

// The job-failure detector's confidence formula and the files it reads out of errors.
class TestDetectors : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void confidence_data()
    {
        QTest::addColumn<QStringList>("outcomes");
        QTest::addColumn<QStringList>("lastLines");
        QTest::addColumn<bool>("found");
        QTest::addColumn<double>("confidence");
        const QString a = QStringLiteral("KeyError: 'target'");
        const QString b = QStringLiteral("TimeoutError");
        const QString ok = QStringLiteral("succeeded");
        const QString failed = QStringLiteral("failed");
        QTest::newRow("3 of 3, same error")
            << QStringList{failed, failed, failed} << QStringList{a, a, a} << true << 0.95;
        QTest::newRow("3 of 3, two kinds")
            << QStringList{failed, QStringLiteral("timeout"), failed} << QStringList{a, b, a} << true << 0.87;
        QTest::newRow("3 of 6") << QStringList{failed, ok, failed, ok, failed, ok} << QStringList{a, {}, a, {}, a, {}}
                                << true << 0.5;
        QTest::newRow("2 of 2: below the threshold")
            << QStringList{failed, failed} << QStringList{a, a} << false << 0.0;
        QTest::newRow("running runs do not count")
            << QStringList{failed, failed, QStringLiteral("running")} << QStringList{a, a, {}} << false << 0.0;
    }
    void confidence()
    {
        QFETCH(QStringList, outcomes);
        QFETCH(QStringList, lastLines);
        QFETCH(bool, found);
        QFETCH(double, confidence);
        QList<TaskRunRecord> runs;
        for (int i = 0; i < outcomes.size(); ++i) {
            runs.append(runWith(outcomes.at(i), QStringLiteral("Traceback\n") + lastLines.at(i)));
        }
        JobConfig job;
        job.name = QStringLiteral("backup");
        job.command = QStringLiteral("python3 scripts/backup.py --fast");
        JobFailureDetectorSection settings;
        bool detected = false;
        const ProposalDraft draft = jobFailureProposal(job, runs, settings, inRepository, &detected);
        QCOMPARE(detected, found);
        if (!found) {
            return;
        }
        QCOMPARE(draft.confidence, confidence);
        QVERIFY(draft.confidenceWhy.endsWith(QString::number(confidence, 'f', 2)));
        QCOMPARE(draft.kind, QStringLiteral("fix-job-failure"));
        QCOMPARE(draft.evidence.value(QStringLiteral("files")).toArray().first().toString(),
                 QStringLiteral("scripts/backup.py"));
        // The fingerprint follows the job, not the wording of its errors.
        runs.first().summary += QStringLiteral(" (again)");
        bool again = false;
        QCOMPARE(jobFailureProposal(job, runs, settings, inRepository, &again).fingerprint, draft.fingerprint);
    }

    void failingTests()
    {
        const auto report = [](const QStringList &failing) {
            TestReport r;
            r.parsed = true;
            r.format = QStringLiteral("junit");
            r.passed = 5;
            r.failed = int(failing.size());
            for (const QString &name : failing) {
                r.failures.append(TestCaseFailure{name, QStringLiteral("AssertionError at scripts/backup.py:12")});
            }
            return r;
        };
        const QString add = QStringLiteral("tests.test_calc.AddTest.test_add");
        const QString sub = QStringLiteral("tests.test_calc.SubTest.test_sub");
        const auto exists = [](const QString &path) {
            return path == u"tests/test_calc.py" || path == u"scripts/backup.py";
        };
        bool found = false;
        ProposalDraft draft =
            failingTestsProposal(QStringLiteral("unit"),
                                 {{3, report({add, sub})}, {2, report({sub, add})}, {1, report({add, sub})}},
                                 exists,
                                 &found);
        QVERIFY(found);
        QCOMPARE(draft.confidence, 0.95);
        QCOMPARE(draft.kind, QStringLiteral("fix-failing-test"));
        QCOMPARE(draft.evidence.value(QStringLiteral("files")).toArray(),
                 (QJsonArray{QStringLiteral("scripts/backup.py"), QStringLiteral("tests/test_calc.py")}));
        // A different set of failures breaks the streak.
        draft =
            failingTestsProposal(QStringLiteral("unit"), {{3, report({add})}, {2, report({add, sub})}}, exists, &found);
        QCOMPARE(draft.confidence, 0.75);
        // Nothing failing, nothing proposed.
        failingTestsProposal(QStringLiteral("unit"), {{3, report({})}}, exists, &found);
        QVERIFY(!found);
    }

    void filesNamedInErrors()
    {
        const QString text = QStringLiteral(
            "python3 scripts/backup.py\n"
            "  File \"/tmp/astra-job-Ab12/scripts/backup.py\", line 9, in <module>\n"
            "src/lib/store.c:42:7: error: expected ';'\n"
            "see docs/missing.md:3 and Makefile.am\n"
            "  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n");
        const auto files = filesNamedIn(text, inRepository);
        QCOMPARE(files.size(), 3);
        QCOMPARE(files.at(0), (QPair<QString, int>{QStringLiteral("scripts/backup.py"), 9}));
        QCOMPARE(files.at(1), (QPair<QString, int>{QStringLiteral("src/lib/store.c"), 42}));
        QCOMPARE(files.at(2), (QPair<QString, int>{QStringLiteral("Makefile.am"), 0}));
    }
};

QTEST_GUILESS_MAIN(TestDetectors)
#include "tst_detectors.moc"
