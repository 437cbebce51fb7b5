#include "sandbox/testreport.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QPair>
#include <QRegularExpression>
#include <QStringList>
#include <QXmlStreamReader>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TestReport)
};

const QString junitFormat = QStringLiteral("junit");
const QString ctestFormat = QStringLiteral("ctest");
const QString pytestFormat = QStringLiteral("pytest");

constexpr int maxMessageLength = 300;

// The first non-empty line of `text`, trimmed and shortened to maxMessageLength.
QString oneLine(const QString &text)
{
    const QStringList lines = text.split(u'\n');
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty()) {
            continue;
        }
        if (trimmed.size() > maxMessageLength) {
            return trimmed.left(maxMessageLength - 1) + QChar(0x2026);
        }
        return trimmed;
    }
    return QString();
}

void addFailure(TestReport &report, const QString &name, const QString &message)
{
    if (report.failures.size() < maxListedFailures) {
        report.failures.append(TestCaseFailure{name, oneLine(message)});
    }
}

TestReport unparsed(const QString &format, const QString &problem)
{
    TestReport report;
    report.format = format;
    report.problem = problem;
    return report;
}

// A report that says the command ran no test at all.
TestReport ranNoTest(const QString &format, const QString &problem)
{
    TestReport report = unparsed(format, problem);
    report.ranNone = true;
    return report;
}

// Console output as lines without terminal colours or carriage returns.
QStringList consoleLines(const QByteArray &output)
{
    static const QRegularExpression ansi(QStringLiteral("\\x1b\\[[0-9;?]*[A-Za-z]"));
    QString text = QString::fromUtf8(output);
    text.remove(ansi);
    text.remove(u'\r');
    return text.split(u'\n');
}

// -- JUnit -------------------------------------------------------------------------------

enum class CaseResult
{
    Passed,
    Failed,
    Error,
    Skipped,
};

// Reads one <testcase> (the reader is on its start element) up to its end element.
void readTestCase(QXmlStreamReader &reader, TestReport &report)
{
    const QXmlStreamAttributes attributes = reader.attributes();
    const QString name = attributes.value(QLatin1String("name")).toString();
    const QString className = attributes.value(QLatin1String("classname")).toString();
    const QString status = attributes.value(QLatin1String("status")).toString();
    const QString fullName = className.isEmpty() || className == name ? name : className + u'.' + name;

    CaseResult result = CaseResult::Passed;
    QString message;
    int depth = 1;
    while (depth > 0 && !reader.atEnd()) {
        reader.readNext();
        if (reader.isEndElement()) {
            --depth;
            continue;
        }
        if (!reader.isStartElement()) {
            continue;
        }
        if (depth > 1) {
            ++depth;
            continue;
        }
        const bool isError = reader.name() == QLatin1String("error");
        const bool isFailure = reader.name() == QLatin1String("failure");
        const bool isSkipped = reader.name() == QLatin1String("skipped");
        if (!isError && !isFailure) {
            if (isSkipped && result == CaseResult::Passed) {
                result = CaseResult::Skipped;
            }
            ++depth;
            continue;
        }
        const QXmlStreamAttributes childAttributes = reader.attributes();
        QString childMessage = childAttributes.value(QLatin1String("message")).toString();
        const QString type = childAttributes.value(QLatin1String("type")).toString();
        // Consumes the child up to and including its end element.
        const QString text = reader.readElementText(QXmlStreamReader::IncludeChildElements);
        if (oneLine(childMessage).isEmpty()) {
            childMessage = !oneLine(text).isEmpty() ? text : type;
        }
        if (isError && result != CaseResult::Error) {
            result = CaseResult::Error;
            message = childMessage;
        } else if (isFailure && result != CaseResult::Error && result != CaseResult::Failed) {
            result = CaseResult::Failed;
            message = childMessage;
        }
    }

    if (result == CaseResult::Passed && (status == QLatin1String("notrun") || status == QLatin1String("disabled"))) {
        result = CaseResult::Skipped; // CTest's disabled tests carry no <skipped> element
    }
    switch (result) {
    case CaseResult::Passed:
        ++report.passed;
        break;
    case CaseResult::Skipped:
        ++report.skipped;
        break;
    case CaseResult::Failed:
        ++report.failed;
        addFailure(report, fullName, message);
        break;
    case CaseResult::Error:
        ++report.errors;
        addFailure(report, fullName, message);
        break;
    }
}

// -- CTest -------------------------------------------------------------------------------

struct CTestEntry
{
    QString name;
    QString status;
};

// -- pytest ------------------------------------------------------------------------------

struct PytestCounts
{
    bool valid = false;
    bool noTestsRan = false;
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    int errors = 0;
};

// Reads the body of a pytest summary ("3 failed, 4 passed, 1 warning"); valid only when
// every item is "N word" (or "no tests ran") and at least one word is a pytest outcome.
PytestCounts readPytestSummary(const QString &body)
{
    static const QRegularExpression item(QStringLiteral("^(\\d+) ([a-z]+)$"));
    PytestCounts counts;
    bool known = false;
    const QStringList items = body.split(QStringLiteral(", "));
    for (const QString &text : items) {
        if (text == QLatin1String("no tests ran")) {
            counts.noTestsRan = true;
            known = true;
            continue;
        }
        const QRegularExpressionMatch match = item.match(text);
        if (!match.hasMatch()) {
            return PytestCounts();
        }
        const int n = match.captured(1).toInt();
        const QString word = match.captured(2);
        if (word == QLatin1String("passed") || word == QLatin1String("xpassed")) {
            counts.passed += n;
        } else if (word == QLatin1String("failed")) {
            counts.failed += n;
        } else if (word == QLatin1String("skipped") || word == QLatin1String("xfailed")) {
            counts.skipped += n;
        } else if (word == QLatin1String("error") || word == QLatin1String("errors")) {
            counts.errors += n;
        } else if (word == QLatin1String("warning") || word == QLatin1String("warnings")
                   || word == QLatin1String("deselected") || word == QLatin1String("rerun")
                   || word == QLatin1String("reruns")) {
            // not test outcomes
        } else {
            continue; // a plugin's word: neither counted nor enough to make this a summary
        }
        known = true;
    }
    counts.valid = known;
    return counts;
}

// "NODEID - MESSAGE" from pytest's short test summary; the node id's parameters in
// brackets may contain " - " themselves.
QPair<QString, QString> splitPytestEntry(const QString &entry)
{
    int depth = 0;
    for (qsizetype i = 0; i < entry.size(); ++i) {
        const QChar c = entry.at(i);
        if (c == u'[') {
            ++depth;
        } else if (c == u']') {
            depth = qMax(0, depth - 1);
        } else if (depth == 0 && entry.mid(i, 3) == QLatin1String(" - ")) {
            return {entry.left(i), entry.mid(i + 3)};
        }
    }
    return {entry.trimmed(), QString()};
}

} // namespace

QJsonObject TestReport::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("format"), format);
    object.insert(QStringLiteral("parsed"), parsed);
    object.insert(QStringLiteral("passed"), passed);
    object.insert(QStringLiteral("failed"), failed);
    object.insert(QStringLiteral("skipped"), skipped);
    object.insert(QStringLiteral("errors"), errors);
    QJsonArray failureArray;
    for (const TestCaseFailure &failure : failures) {
        QJsonObject entry;
        entry.insert(QStringLiteral("name"), failure.name);
        entry.insert(QStringLiteral("message"), failure.message);
        failureArray.append(entry);
    }
    object.insert(QStringLiteral("failures"), failureArray);
    if (!problem.isEmpty()) {
        object.insert(QStringLiteral("problem"), problem);
    }
    if (ranNone) {
        object.insert(QStringLiteral("ran_none"), true);
    }
    return object;
}

TestReport parseJUnitXml(const QByteArray &xml)
{
    TestReport report;
    report.format = junitFormat;
    QXmlStreamReader reader(xml);
    bool sawRoot = false;
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement()) {
            continue;
        }
        if (!sawRoot) {
            sawRoot = true;
            if (reader.name() != QLatin1String("testsuites") && reader.name() != QLatin1String("testsuite")) {
                return unparsed(junitFormat,
                                Tr::tr("The report is not JUnit XML: its root element is <%1>, not <testsuites> "
                                       "or <testsuite>.")
                                    .arg(reader.name().toString()));
            }
            continue;
        }
        if (reader.name() == QLatin1String("testcase")) {
            readTestCase(reader, report);
        }
    }
    if (reader.hasError()) {
        return unparsed(junitFormat,
                        Tr::tr("The JUnit report is not well-formed XML (line %1, column %2): %3.")
                            .arg(reader.lineNumber())
                            .arg(reader.columnNumber())
                            .arg(reader.errorString()));
    }
    if (!sawRoot) {
        return unparsed(junitFormat, Tr::tr("The JUnit report is empty."));
    }
    if (report.total() == 0) {
        return ranNoTest(junitFormat,
                         Tr::tr("The JUnit report lists no test cases: the command found or ran no tests."));
    }
    report.parsed = true;
    return report;
}

TestReport parseCTestOutput(const QByteArray &output)
{
    static const QRegularExpression summary(
        QStringLiteral("^\\s*\\d+% tests passed, (\\d+) tests? failed out of (\\d+)\\s*$"));
    static const QRegularExpression entry(QStringLiteral("^\\s*\\d+\\s+-\\s+(.+) \\(([^()]+)\\)(?:\\s+[^()]*)?$"));

    const QStringList lines = consoleLines(output);
    qsizetype summaryLine = -1;
    QRegularExpressionMatch summaryMatch;
    bool noTests = false;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QRegularExpressionMatch match = summary.match(lines.at(i));
        if (match.hasMatch()) {
            summaryLine = i;
            summaryMatch = match;
            noTests = false;
        } else if (lines.at(i).startsWith(QLatin1String("No tests were found"))) {
            noTests = true;
        }
    }
    if (noTests) {
        return ranNoTest(ctestFormat, Tr::tr("CTest found no tests (\"No tests were found\")."));
    }
    if (summaryLine < 0) {
        return unparsed(ctestFormat,
                        Tr::tr("The output holds no CTest summary (\"N% tests passed, F tests failed out of T\"): "
                               "the command did not run ctest, or stopped before it finished."));
    }

    TestReport report;
    report.format = ctestFormat;
    const int failed = summaryMatch.captured(1).toInt();
    const int total = summaryMatch.captured(2).toInt();
    if (total == 0) {
        return ranNoTest(ctestFormat, Tr::tr("CTest ran no tests (\"out of 0\")."));
    }

    enum class List
    {
        None,
        Failed,
        NotRun,
    };
    List list = List::None;
    QList<CTestEntry> notRun;
    for (qsizetype i = summaryLine + 1; i < lines.size(); ++i) {
        const QString &line = lines.at(i);
        if (line.startsWith(QLatin1String("The following tests FAILED:"))) {
            list = List::Failed;
            continue;
        }
        if (line.startsWith(QLatin1String("The following tests did not run:"))) {
            list = List::NotRun;
            continue;
        }
        if (list == List::None) {
            continue;
        }
        const QRegularExpressionMatch match = entry.match(line);
        if (!match.hasMatch()) {
            list = List::None;
            continue;
        }
        if (list == List::Failed) {
            addFailure(report, match.captured(1), match.captured(2));
        } else {
            notRun.append(CTestEntry{match.captured(1), match.captured(2)});
        }
    }

    // "out of T" leaves out disabled tests; tests skipped by SKIP_RETURN_CODE (or a
    // missing fixture) are in T and counted as passed in the percentage.
    int skippedInTotal = 0;
    for (const CTestEntry &skipped : notRun) {
        if (skipped.status != QLatin1String("Disabled")) {
            ++skippedInTotal;
        }
    }
    report.failed = failed;
    report.skipped = int(notRun.size());
    report.passed = qMax(0, total - failed - skippedInTotal);
    report.parsed = true;
    return report;
}

TestReport parsePytestOutput(const QByteArray &output)
{
    static const QRegularExpression summary(
        QStringLiteral("^=*\\s*(.+?) in [0-9.]+\\s*s(?:econds)?(?: \\([0-9:.]+\\))?\\s*=*\\s*$"));
    static const QRegularExpression shortEntry(QStringLiteral("^(FAILED|ERROR) (.+)$"));

    const QStringList lines = consoleLines(output);
    qsizetype summaryLine = -1;
    PytestCounts counts;
    for (qsizetype i = lines.size() - 1; i >= 0 && summaryLine < 0; --i) {
        const QRegularExpressionMatch match = summary.match(lines.at(i));
        if (!match.hasMatch()) {
            continue;
        }
        const PytestCounts candidate = readPytestSummary(match.captured(1));
        if (candidate.valid) {
            summaryLine = i;
            counts = candidate;
        }
    }
    if (summaryLine < 0) {
        return unparsed(pytestFormat,
                        Tr::tr("The output holds no pytest summary line (\"== 2 failed, 10 passed in 0.12s ==\"): "
                               "the command did not run pytest, or pytest stopped before it finished."));
    }
    if (counts.passed + counts.failed + counts.skipped + counts.errors == 0) {
        return ranNoTest(pytestFormat, Tr::tr("pytest ran no tests (\"%1\").").arg(lines.at(summaryLine).trimmed()));
    }

    TestReport report;
    report.format = pytestFormat;
    report.passed = counts.passed;
    report.failed = counts.failed;
    report.skipped = counts.skipped;
    report.errors = counts.errors;

    qsizetype header = -1;
    for (qsizetype i = summaryLine - 1; i >= 0; --i) {
        if (lines.at(i).contains(QLatin1String(" short test summary info "))) {
            header = i;
            break;
        }
    }
    for (qsizetype i = header + 1; header >= 0 && i < summaryLine; ++i) {
        const QRegularExpressionMatch match = shortEntry.match(lines.at(i));
        if (match.hasMatch()) {
            const QPair<QString, QString> entry = splitPytestEntry(match.captured(2));
            addFailure(report, entry.first, entry.second);
        }
    }
    report.parsed = true;
    return report;
}

} // namespace astra
