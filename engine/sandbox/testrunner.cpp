#include "sandbox/testrunner.h"

#include "base/logging.h"
#include "sandbox/sandbox.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <climits>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TestRunner)
};

const QString shellProgram = QStringLiteral("/bin/sh");

// Console summaries (CTest, pytest) are read from the last bytes of the output, which are
// kept in memory apart from the capped file.
constexpr qint64 consoleTailBytes = 1024 * 1024;
constexpr qint64 maxReportBytes = 64 * 1024 * 1024;

// -- Report setting ----------------------------------------------------------------------

struct ReportSpec
{
    enum class Kind
    {
        None,
        JUnit,
        CTest,
        Pytest,
    };
    Kind kind = Kind::None;
    QString path; // JUnit: relative to the folder
};

Result<ReportSpec> parseReportSpec(const QString &report)
{
    if (report.isEmpty()) {
        return ReportSpec{};
    }
    if (report == QLatin1String("ctest")) {
        return ReportSpec{ReportSpec::Kind::CTest, QString()};
    }
    if (report == QLatin1String("pytest")) {
        return ReportSpec{ReportSpec::Kind::Pytest, QString()};
    }
    const QLatin1String junitPrefix("junit:");
    if (!report.startsWith(junitPrefix)) {
        return makeError(Tr::tr("The test report setting \"%1\" is not one of junit:PATH, ctest or pytest; nothing "
                                "was run. Fix report in [tests].")
                             .arg(report),
                         ErrorKind::Invalid);
    }
    const QString path = report.mid(junitPrefix.size());
    const QStringList components = path.split(u'/');
    if (path.isEmpty() || path.startsWith(u'/') || components.contains(QStringLiteral(".."))
        || path.contains(QChar(0))) {
        return makeError(Tr::tr("The JUnit report path \"%1\" is refused: it must be relative to the test folder and "
                                "stay inside it (not empty, not absolute, no \"..\"); nothing was run. Fix report "
                                "in [tests].")
                             .arg(path),
                         ErrorKind::Refused);
    }
    return ReportSpec{ReportSpec::Kind::JUnit, path};
}

bool isInside(const QString &canonicalPath, const QString &canonicalFolder)
{
    return canonicalPath == canonicalFolder || canonicalPath.startsWith(canonicalFolder + u'/');
}

// A report left in the tree (committed, or from an earlier run) must not stand in for the
// one this run writes.
void removeStaleReport(const QString &folder, const QString &relative)
{
    const QFileInfo info(folder + u'/' + relative);
    if (!info.isSymLink() && !info.isFile()) {
        return;
    }
    const QString parent = QFileInfo(info.absolutePath()).canonicalFilePath();
    if (parent.isEmpty() || !isInside(parent, folder)) {
        return; // a symlinked folder on the way out of the tree: never delete through it
    }
    if (!QFile::remove(info.absoluteFilePath())) {
        qCWarning(lcGit) << "could not remove the stale report" << info.absoluteFilePath();
    }
}

TestReport unreadReport(const QString &problem)
{
    TestReport report;
    report.format = QStringLiteral("junit");
    report.problem = problem;
    return report;
}

TestReport readJUnitReport(const QString &folder, const QString &relative)
{
    const QFileInfo info(folder + u'/' + relative);
    if (!info.exists() && !info.isSymLink()) {
        return unreadReport(Tr::tr("The command wrote no JUnit report at %1.").arg(relative));
    }
    const QString canonical = info.canonicalFilePath();
    if (canonical.isEmpty() || !isInside(canonical, folder)) {
        return unreadReport(Tr::tr("The JUnit report %1 leads outside the test folder (a symlink to %2); it was not "
                                   "read.")
                                .arg(relative, info.symLinkTarget()));
    }
    const QFileInfo target(canonical);
    if (!target.isFile()) {
        return unreadReport(Tr::tr("The JUnit report %1 is not a regular file; it was not read.").arg(relative));
    }
    if (target.size() > maxReportBytes) {
        return unreadReport(Tr::tr("The JUnit report %1 is larger than %2 MB; it was not read.")
                                .arg(relative)
                                .arg(maxReportBytes / (1024 * 1024)));
    }
    QFile file(canonical);
    if (!file.open(QIODevice::ReadOnly)) {
        return unreadReport(Tr::tr("The JUnit report %1 could not be read: %2.").arg(relative, file.errorString()));
    }
    return parseJUnitXml(file.read(maxReportBytes));
}

// -- Output ------------------------------------------------------------------------------

// Writes the first `cap` bytes to the file, drops the rest, and keeps the last `tailCap`
// bytes in memory for console summaries.
class OutputSink
{
public:
    OutputSink(QFile *file, qint64 cap, qint64 tailCap)
        : m_file(file)
        , m_cap(qMax<qint64>(0, cap))
        , m_tailCap(tailCap)
    {}

    void write(const QByteArray &data)
    {
        if (data.isEmpty()) {
            return;
        }
        m_total += data.size();
        if (m_file && m_writeError.isEmpty() && m_written < m_cap) {
            const qint64 n = qMin<qint64>(data.size(), m_cap - m_written);
            // Flushed as it comes: a person follows the log while the tests run.
            if (m_file->write(data.constData(), n) != n || !m_file->flush()) {
                m_writeError = m_file->errorString();
            }
            m_written += n;
        }
        if (m_tailCap > 0) {
            m_tail.append(data);
            if (m_tail.size() > 2 * m_tailCap) {
                m_tail.remove(0, m_tail.size() - m_tailCap);
            }
        }
    }

    // Notes the dropped bytes at the end of the file and closes it.
    void finish()
    {
        if (m_file && m_writeError.isEmpty() && truncated()) {
            const QString notice = u'\n'
                + Tr::tr("[The output was cut at %1 bytes: %2 more bytes were dropped.]")
                      .arg(m_cap)
                      .arg(m_total - m_cap)
                + u'\n';
            m_file->write(notice.toUtf8());
        }
        if (m_file && !m_file->flush() && m_writeError.isEmpty()) {
            m_writeError = m_file->errorString();
        }
        if (m_file) {
            m_file->close();
        }
    }

    bool truncated() const
    {
        return m_total > m_cap;
    }
    qint64 total() const
    {
        return m_total;
    }
    QByteArray tail() const
    {
        return m_tail.size() > m_tailCap ? m_tail.right(m_tailCap) : m_tail;
    }
    QString writeError() const
    {
        return m_writeError;
    }

private:
    QFile *m_file;
    qint64 m_cap;
    qint64 m_tailCap;
    qint64 m_written = 0;
    qint64 m_total = 0;
    QByteArray m_tail;
    QString m_writeError;
};

QString secondsText(qint64 seconds)
{
    return Tr::tr("%n second(s)", nullptr, int(qMin<qint64>(seconds, INT_MAX)));
}

QString countsText(const TestReport &report)
{
    QStringList parts;
    if (report.failed > 0) {
        parts << Tr::tr("%n failed", nullptr, report.failed);
    }
    if (report.errors > 0) {
        parts << Tr::tr("%n error(s)", nullptr, report.errors);
    }
    parts << Tr::tr("%n passed", nullptr, report.passed);
    if (report.skipped > 0) {
        parts << Tr::tr("%n skipped", nullptr, report.skipped);
    }
    return parts.join(QStringLiteral(", "));
}

TestRunResult errorResult(const QString &message)
{
    TestRunResult result;
    result.outcome = TestRunResult::Outcome::Error;
    result.message = message;
    return result;
}

} // namespace

QString toString(TestRunResult::Outcome outcome)
{
    switch (outcome) {
    case TestRunResult::Outcome::Passed:
        return QStringLiteral("passed");
    case TestRunResult::Outcome::Failed:
        return QStringLiteral("failed");
    case TestRunResult::Outcome::Timeout:
        return QStringLiteral("timeout");
    case TestRunResult::Outcome::Error:
        return QStringLiteral("error");
    }
    return QString();
}

TestRunRequest testRunRequest(const TestsSection &tests, const QString &folder, const QString &outputFile)
{
    TestRunRequest request;
    request.folder = folder;
    request.command = tests.command;
    request.timeout = std::chrono::seconds(tests.timeoutS);
    request.sandbox = tests.sandbox;
    request.report = tests.report;
    request.outputFile = outputFile;
    request.scratchBytes = qint64(tests.scratchMb) * 1024 * 1024;
    return request;
}

TestRunResult runTests(const TestRunRequest &request)
{
    // What is run, where, and how.
    const Result<QString> checkedFolder = sandboxFolder(request.folder);
    if (!checkedFolder) {
        return errorResult(checkedFolder.message());
    }
    const QString folder = *checkedFolder;
    if (request.command.trimmed().isEmpty()) {
        return errorResult(Tr::tr("No test command is set; nothing was run. Set command in [tests]."));
    }
    if (request.timeout.count() <= 0) {
        return errorResult(
            Tr::tr("The test timeout must be at least one second; nothing was run. Fix timeout_s in "
                   "[tests]."));
    }
    const Result<ReportSpec> spec = parseReportSpec(request.report);
    if (!spec) {
        return errorResult(spec.message());
    }
    QFile outputFile(request.outputFile);
    if (!request.outputFile.isEmpty() && !outputFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return errorResult(Tr::tr("The test output file %1 could not be created (%2); nothing was run.")
                               .arg(request.outputFile, outputFile.errorString()));
    }

    if (spec->kind == ReportSpec::Kind::JUnit) {
        removeStaleReport(folder, spec->path);
    }

    SandboxRequest sandboxed;
    sandboxed.folder = folder;
    sandboxed.scratchRoot = request.scratchRoot;
    sandboxed.command = QStringList{shellProgram, QStringLiteral("-c"), request.command};
    sandboxed.sandbox = request.sandbox;
    sandboxed.settingTable = QStringLiteral("tests");
    sandboxed.timeout = request.timeout;
    sandboxed.limits.memoryBytes = request.memoryLimitBytes;
    sandboxed.limits.maxProcesses = request.maxProcesses;
    sandboxed.limits.maxFileBytes = request.maxFileBytes;
    sandboxed.limits.maxOpenFiles = request.maxOpenFiles;
    sandboxed.limits.scratchBytes = request.scratchBytes;

    // The tail is kept for console summaries and to tell a full scratch space.
    OutputSink sink(outputFile.isOpen() ? &outputFile : nullptr, request.outputCapBytes, consoleTailBytes);
    qCDebug(lcGit) << "running tests in" << folder << "command:" << request.command;
    const SandboxRun run = runSandboxed(sandboxed, [&](const QByteArray &data) { sink.write(data); });
    sink.finish();

    TestRunResult result;
    result.sandbox = run.sandbox;
    result.durationMs = run.durationMs;
    if (run.ending == SandboxRun::Ending::NotStarted) {
        result.outcome = TestRunResult::Outcome::Error;
        result.message = run.problem;
        if (!request.outputFile.isEmpty()) {
            outputFile.remove(); // nothing ran, so there is no output to keep
        }
        return result;
    }
    const bool underBwrap = run.sandboxed;
    const bool timedOut = run.ending == SandboxRun::Ending::TimedOut;
    const bool exitedNormally = run.ending == SandboxRun::Ending::Exited;
    result.exitCode = run.exitCode;
    result.outputBytes = sink.total();
    result.outputTruncated = sink.truncated();

    switch (spec->kind) {
    case ReportSpec::Kind::None:
        break;
    case ReportSpec::Kind::JUnit:
        result.report = readJUnitReport(folder, spec->path);
        break;
    case ReportSpec::Kind::CTest:
        result.report = parseCTestOutput(sink.tail());
        break;
    case ReportSpec::Kind::Pytest:
        result.report = parsePytestOutput(sink.tail());
        break;
    }

    QStringList message;
    if (timedOut) {
        result.outcome = TestRunResult::Outcome::Timeout;
        message << Tr::tr(
                       "The tests did not finish within the timeout of %1 and were stopped, with every process "
                       "they started.")
                       .arg(secondsText(request.timeout.count()));
    } else if (!exitedNormally) {
        result.outcome = TestRunResult::Outcome::Failed;
        message << Tr::tr("The test command was killed by a signal before it exited.");
    } else {
        const bool reportClean = !result.report.parsed || result.report.failed + result.report.errors == 0;
        // A report that counts no test at all says nothing passed: that is not a pass.
        const bool ranNone = result.report.ranNone;
        result.outcome = result.exitCode == 0 && reportClean && !ranNone ? TestRunResult::Outcome::Passed
                                                                         : TestRunResult::Outcome::Failed;
        const QString counts = result.report.parsed ? QStringLiteral("; ") + countsText(result.report) : QString();
        if (ranNone) {
            message << Tr::tr(
                           "No test ran (exit code %1): %2 Check that [tests] command builds and finds the "
                           "tests in a fresh copy of the change.")
                           .arg(result.exitCode)
                           .arg(result.report.problem);
        } else {
            message << (result.outcome == TestRunResult::Outcome::Passed
                            ? Tr::tr("The tests passed (exit code 0%1).").arg(counts)
                            : Tr::tr("The tests failed (exit code %1%2).").arg(result.exitCode).arg(counts));
        }
        if (result.exitCode == 126 || result.exitCode == 127) {
            message << (underBwrap ? Tr::tr("Exit code %1 means a command was not found or could not be run; in the "
                                            "sandbox only /usr, /etc and the test folder are visible.")
                                         .arg(result.exitCode)
                                   : Tr::tr("Exit code %1 means a command was not found or could not be run.")
                                         .arg(result.exitCode));
        }
    }
    if (!result.report.problem.isEmpty() && !result.report.ranNone) {
        message << Tr::tr("The report was not used: %1").arg(result.report.problem);
    }
    if (run.scratchBounded && result.outcome != TestRunResult::Outcome::Passed
        && sink.tail().contains("No space left on device")) {
        message << Tr::tr(
                       "A write failed for lack of space (\"No space left on device\"). The sandbox's private "
                       "/tmp and HOME hold %1 MiB: raise scratch_mb in [tests] if the tests need more.")
                       .arg(qMax<qint64>(1, request.scratchBytes / (1024 * 1024)));
    }
    if (result.outputTruncated) {
        message << Tr::tr("The output was cut at %1 bytes of %2.").arg(request.outputCapBytes).arg(result.outputBytes);
    }
    if (!sink.writeError().isEmpty()) {
        message << Tr::tr("The output could not be written to %1: %2.").arg(request.outputFile, sink.writeError());
    }
    result.message = message.join(u' ');
    qCDebug(lcGit) << "tests" << toString(result.outcome) << "in" << result.durationMs << "ms:" << result.message;
    return result;
}

} // namespace astra
