#include "goals/detectors/testfailuredetector.h"

#include "base/sharedtext.h"
#include "goals/detectors/jobfailuredetector.h"
#include "model/goal.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TestFailureDetector)
};

QStringList failingNames(const TestReport &report)
{
    QStringList names;
    for (const TestCaseFailure &failure : report.failures) {
        names.append(failure.name);
    }
    names.sort();
    names.removeDuplicates();
    return names;
}

// "tests.test_calc.AddTest.test_add" -> "tests/test_calc.py", "tests/test_calc/AddTest.py", ...
QStringList pathsForTestName(const QString &name)
{
    QStringList paths;
    const QStringList parts = name.split(QRegularExpression(QStringLiteral("[.:/]+")), Qt::SkipEmptyParts);
    for (int length = parts.size(); length >= 1; --length) {
        const QString stem = parts.mid(0, length).join(u'/');
        for (const char *extension : {".py", ".cpp", ".c", ".js", ".ts", ".go", ".rs", ".java"}) {
            paths.append(stem + QLatin1String(extension));
        }
    }
    return paths;
}
} // namespace

ProposalDraft failingTestsProposal(const QString &jobName,
                                   const QList<JobTestReport> &reports,
                                   const std::function<bool(const QString &)> &fileExists,
                                   bool *found)
{
    *found = false;
    ProposalDraft draft;
    if (reports.isEmpty() || !reports.first().report.parsed || reports.first().report.failures.isEmpty()) {
        return draft;
    }
    *found = true;
    const TestReport &newest = reports.first().report;
    const QStringList names = failingNames(newest);
    int streak = 0;
    for (const JobTestReport &report : reports.mid(0, 3)) {
        if (!report.report.parsed || failingNames(report.report) != names) {
            break;
        }
        ++streak;
    }
    draft.confidence = qRound(qMin(0.95, 0.6 + 0.15 * streak) * 100) / 100.0;
    draft.confidenceWhy =
        QStringLiteral("min(0.95, 0.6 + 0.15 * streak %1) = %2").arg(streak).arg(draft.confidence, 0, 'f', 2);
    draft.detector = QStringLiteral("failing_tests");
    draft.kind = QStringLiteral("fix-failing-test");
    const SharedText title = sharedText(
        QT_TRANSLATE_N_NOOP("astra::Shared", "Job %1: %n test(s) fail: %2"),
        {jobName, names.mid(0, 3).join(QStringLiteral(", ")) + (names.size() > 3 ? QStringLiteral(", …") : QString())},
        int(names.size()));
    draft.title = title.text;
    draft.titleMessage = title.message;
    draft.fingerprint = goalFingerprint(draft.kind, QStringLiteral("tests:%1:%2").arg(jobName, names.join(u',')), {});

    QJsonArray failures;
    QJsonArray files;
    QJsonArray locations;
    QStringList seen;
    for (const TestCaseFailure &failure : newest.failures) {
        QJsonObject object;
        object.insert(QStringLiteral("name"), failure.name);
        object.insert(QStringLiteral("message"), failure.message);
        failures.append(object);
        QList<QPair<QString, int>> named = filesNamedIn(failure.message, fileExists);
        for (const QString &candidate : pathsForTestName(failure.name)) {
            if (fileExists(candidate)) {
                named.append({candidate, 0});
                break;
            }
        }
        for (const auto &entry : std::as_const(named)) {
            if (!seen.contains(entry.first)) {
                seen.append(entry.first);
                files.append(entry.first);
                QJsonObject location;
                location.insert(QStringLiteral("path"), entry.first);
                location.insert(QStringLiteral("line"), entry.second);
                locations.append(location);
            }
        }
    }
    QJsonObject evidence;
    evidence.insert(QStringLiteral("job"), jobName);
    evidence.insert(QStringLiteral("run"), double(reports.first().run));
    evidence.insert(QStringLiteral("format"), newest.format);
    evidence.insert(QStringLiteral("passed"), newest.passed);
    evidence.insert(QStringLiteral("failed"), newest.failed + newest.errors);
    evidence.insert(QStringLiteral("failures"), failures);
    evidence.insert(QStringLiteral("streak"), streak);
    evidence.insert(QStringLiteral("files"), files);
    evidence.insert(QStringLiteral("locations"), locations);
    evidence.insert(QStringLiteral("confidence_formula"), draft.confidenceWhy);
    draft.evidence = evidence;
    return draft;
}

} // namespace astra
