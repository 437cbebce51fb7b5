#include "sandbox/testreport.h"
#include "sandbox/testrunner.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace astra;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(astra::TestsSection::Sandbox)
Q_DECLARE_METATYPE(astra::TestRunResult::Outcome)

namespace {

using Sandbox = TestsSection::Sandbox;
using Outcome = TestRunResult::Outcome;

QString reportsDir()
{
    const QString configured = qEnvironmentVariable("ASTRA_TEST_DATA");
    if (!configured.isEmpty()) {
        return configured + QStringLiteral("/reports");
    }
    return QFINDTESTDATA("../data/reports");
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        qWarning("cannot read %s", qPrintable(path));
        return QByteArray();
    }
    return file.readAll();
}

QByteArray fixture(const QString &name)
{
    return readFile(reportsDir() + u'/' + name);
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

QString uniqueMarker()
{
    return QStringLiteral("astra-marker-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QStringList names(const TestReport &report)
{
    QStringList result;
    for (const TestCaseFailure &failure : report.failures) {
        result << failure.name;
    }
    return result;
}

// /proc/PID/stat field 22: when the process started, in clock ticks since boot. A PID that
// comes back with another start time is another process.
QByteArray startTime(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly)) {
        return QByteArray(); // gone
    }
    const QByteArray stat = file.readAll();
    const qsizetype end = stat.lastIndexOf(')');
    if (end < 0) {
        return QByteArray();
    }
    const QList<QByteArray> fields = stat.mid(end + 2).split(' ');
    return fields.size() > 19 ? fields.at(19) : QByteArray(); // fields from 3 on
}

struct ProcessId
{
    qint64 pid = 0;
    QByteArray started;
};

bool alive(const ProcessId &process)
{
    const QByteArray now = startTime(process.pid);
    return !now.isEmpty() && now == process.started;
}

// Processes on the host that have `marker` as one whole argument.
QList<ProcessId> processesWithArgument(const QString &marker)
{
    QList<ProcessId> found;
    const QByteArray wanted = marker.toUtf8();
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid) {
            continue;
        }
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!cmdline.open(QIODevice::ReadOnly)) {
            continue;
        }
        if (cmdline.readAll().split('\0').contains(wanted)) {
            found.append(ProcessId{pid, startTime(pid)});
        }
    }
    return found;
}

QMap<QString, QString> keyValues(const QByteArray &output)
{
    QMap<QString, QString> values;
    const QList<QByteArray> lines = output.split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype eq = line.indexOf('=');
        if (eq > 0) {
            values.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
        }
    }
    return values;
}

// A folder for one run (`work`) inside a temporary folder that also holds the output file
// and whatever a test puts beside the folder.
struct RunDir
{
    QTemporaryDir base;
    QString folder;
    QString output;

    RunDir()
    {
        // Run by root, the sandbox is an unprivileged user who must be able to enter the base.
        QFile::setPermissions(base.path(),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                  | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        folder = base.path() + QStringLiteral("/work");
        output = base.path() + QStringLiteral("/output.txt");
        QDir().mkpath(folder);
    }

    TestRunRequest request(const QString &command, Sandbox sandbox) const
    {
        TestRunRequest request;
        request.folder = folder;
        request.command = command;
        request.sandbox = sandbox;
        request.outputFile = output;
        request.timeout = 30s;
        return request;
    }

    QByteArray outputText() const
    {
        return readFile(output);
    }
};

// Sets PATH for the lifetime of the object.
class PathOverride
{
public:
    explicit PathOverride(const QString &path)
        : m_old(qgetenv("PATH"))
    {
        qputenv("PATH", path.toLocal8Bit());
    }
    ~PathOverride()
    {
        qputenv("PATH", m_old);
    }
    PathOverride(const PathOverride &) = delete;
    PathOverride &operator=(const PathOverride &) = delete;

private:
    QByteArray m_old;
};

const char *sandboxLabel(Sandbox sandbox)
{
    switch (sandbox) {
    case Sandbox::Auto:
        return "auto";
    case Sandbox::Bwrap:
        return "bwrap";
    case Sandbox::None:
        return "none";
    }
    return "?";
}

// Whether the bwrap on PATH has a bubblewrap option (0.6 on Ubuntu 22.04 lacks --size and
// --disable-userns, which the sandbox then does without and says so).
bool bwrapHas(const char *option)
{
    QProcess process;
    process.start(QStringLiteral("bwrap"), {QStringLiteral("--help")});
    process.waitForFinished(10000);
    return process.readAll().contains(option);
}

const QList<Sandbox> bothSandboxes = {Sandbox::None, Sandbox::Bwrap};

} // namespace

#define SKIP_WITHOUT_BWRAP(sandbox)                                                                                    \
    do {                                                                                                               \
        if ((sandbox) == Sandbox::Bwrap && !bubblewrapAvailable()) {                                                   \
            QSKIP("bubblewrap is not installed or does not work here");                                                \
        }                                                                                                              \
    } while (false)

class TestTestRunner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(reportsDir()).isDir(), "set ASTRA_TEST_DATA to tests/data");
    }

    // -- Report parsing --------------------------------------------------------------------

    void junit_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("parsed");
        QTest::addColumn<int>("passed");
        QTest::addColumn<int>("failed");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<int>("errors");
        QTest::addColumn<QStringList>("failures");
        QTest::addColumn<QString>("problem");

        // ctest --output-junit: SKIP_RETURN_CODE, a missing executable (notrun) and a disabled
        // test (no <skipped>, status="disabled") are skips; crash and timeout are failures.
        QTest::addRow("ctest, some failed")
            << "ctest-junit-some-failed.xml" << true << 2 << 3 << 3 << 0
            << QStringList{QStringLiteral("parser_fails"), QStringLiteral("crashes"), QStringLiteral("slow")}
            << QString();
        QTest::addRow("ctest, all passed")
            << "ctest-junit-all-passed.xml" << true << 12 << 0 << 0 << 0 << QStringList() << QString();
        QTest::addRow("ctest, no tests") << "ctest-junit-no-tests.xml" << false << 0 << 0 << 0 << 0 << QStringList()
                                         << "no test cases";
        // pytest --junitxml: xfailed is a skip, xpassed a pass, a fixture error an error.
        QTest::addRow("pytest") << "pytest-junit.xml" << true << 5 << 3 << 2 << 1
                                << QStringList{QStringLiteral("test_sample.test_compares"),
                                               QStringLiteral("test_sample.test_raises"),
                                               QStringLiteral("test_sample.test_uses_broken"),
                                               QStringLiteral("test_sample.test_param[3]")}
                                << QString();
        // An error wins over a failure in the same test case, several failures count once.
        QTest::addRow("nested suites") << "junit-nested.xml" << true << 2 << 2 << 1 << 2
                                       << QStringList{QStringLiteral("core.parser.Tokens.keepsQuotes"),
                                                      QStringLiteral("core.io.Files.readsEmpty"),
                                                      QStringLiteral("core.io.Files.failsThenCrashesInTeardown"),
                                                      QStringLiteral("core.io.Files.retried")}
                                       << QString();
        QTest::addRow("truncated") << "junit-truncated.xml" << false << 0 << 0 << 0 << 0 << QStringList()
                                   << "not well-formed XML";
        QTest::addRow("mismatched tags") << "junit-mismatched-tags.xml" << false << 0 << 0 << 0 << 0 << QStringList()
                                         << "not well-formed XML";
        QTest::addRow("binary junk") << "junit-binary.xml" << false << 0 << 0 << 0 << 0 << QStringList()
                                     << "not well-formed XML";
        QTest::addRow("other XML") << "junit-not-junit.xml" << false << 0 << 0 << 0 << 0 << QStringList()
                                   << "<coverage>";
    }
    void junit()
    {
        QFETCH(QString, file);
        QFETCH(bool, parsed);
        QFETCH(int, passed);
        QFETCH(int, failed);
        QFETCH(int, skipped);
        QFETCH(int, errors);
        QFETCH(QStringList, failures);
        QFETCH(QString, problem);

        const QByteArray xml = fixture(file);
        QVERIFY(!xml.isEmpty());
        const TestReport report = parseJUnitXml(xml);
        QCOMPARE(report.format, QStringLiteral("junit"));
        QVERIFY2(report.parsed == parsed, qPrintable(report.problem));
        QCOMPARE(report.passed, passed);
        QCOMPARE(report.failed, failed);
        QCOMPARE(report.skipped, skipped);
        QCOMPARE(report.errors, errors);
        QCOMPARE(names(report), failures);
        if (problem.isEmpty()) {
            QCOMPARE(report.problem, QString());
        } else {
            QVERIFY2(report.problem.contains(problem), qPrintable(report.problem));
        }
    }

    void junitMessages()
    {
        const TestReport nested = parseJUnitXml(fixture(QStringLiteral("junit-nested.xml")));
        QCOMPARE(nested.failures.size(), 4);
        QCOMPARE(nested.failures.at(0).message, QStringLiteral("expected \"a b\", got \"a\""));
        QCOMPARE(nested.failures.at(1).message, QStringLiteral("disk is full")); // first line of the text
        QCOMPARE(nested.failures.at(2).message, QStringLiteral("teardown raised"));
        QCOMPARE(nested.failures.at(3).message, QStringLiteral("first attempt"));

        const TestReport pytest = parseJUnitXml(fixture(QStringLiteral("pytest-junit.xml")));
        QCOMPARE(pytest.failures.at(0).message, QStringLiteral("AssertionError: lists differ"));
        QCOMPARE(pytest.failures.at(2).message,
                 QStringLiteral("failed on setup with \"OSError: fixture setup failed\""));
    }

    void junitRobustness_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("whitespace") << QByteArray("  \n ");
        QTest::addRow("only a declaration") << QByteArray("<?xml version=\"1.0\"?>");
        QTest::addRow("unclosed attribute") << QByteArray("<testsuite><testcase name=\"a></testsuite>");
        QTest::addRow("external entity") << QByteArray(
            "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM "
            "\"file:///etc/passwd\">]><testsuite><testcase name=\"&x;\"/>"
            "</testsuite>");
        QTest::addRow("entity bomb") << QByteArray(
            "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY a \"aaaaaaaaaa\">"
            "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c "
            "\"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;"
            "&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">]>"
            "<testsuite><testcase name=\"x\"><failure message=\"&e;&e;&e;\"/>"
            "</testcase></testsuite>");
        QByteArray deep;
        for (int i = 0; i < 20000; ++i) {
            deep += "<testsuite>";
        }
        QTest::addRow("deep nesting, unclosed") << deep;
        QTest::addRow("testcase outside a suite") << QByteArray("<testcase name=\"a\"/>");
    }
    void junitRobustness()
    {
        QFETCH(QByteArray, xml);
        const TestReport report = parseJUnitXml(xml);
        QVERIFY(!report.parsed);
        QVERIFY(!report.problem.isEmpty());
        for (const TestCaseFailure &failure : report.failures) {
            QVERIFY(failure.message.size() <= 300);
        }
    }

    void ctest_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("parsed");
        QTest::addColumn<int>("passed");
        QTest::addColumn<int>("failed");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<QStringList>("failures");
        QTest::addColumn<QStringList>("statuses");

        QTest::addRow("all passed") << "ctest-all-passed.txt" << true << 12 << 0 << 0 << QStringList() << QStringList();
        // "43% tests passed, 4 tests failed out of 7": the disabled test is not in the 7, the
        // one skipped by its return code is (and counts as passed in the percentage).
        QTest::addRow("some failed") << "ctest-some-failed.txt" << true << 2 << 4 << 2
                                     << QStringList{QStringLiteral("parser_fails"),
                                                    QStringLiteral("crashes"),
                                                    QStringLiteral("slow"),
                                                    QStringLiteral("missing_cmd")}
                                     << QStringList{QStringLiteral("Failed"),
                                                    QStringLiteral("SEGFAULT"),
                                                    QStringLiteral("Timeout"),
                                                    QStringLiteral("Not Run")};
        QTest::addRow("parallel, labels, parentheses in a name")
            << "ctest-parallel-labels.txt" << true << 1 << 2 << 0
            << QStringList{QStringLiteral("unit (edge case)"), QStringLiteral("integration_db")}
            << QStringList{QStringLiteral("Failed"), QStringLiteral("Failed")};
        QTest::addRow("no tests found") << "ctest-no-tests.txt" << false << 0 << 0 << 0 << QStringList()
                                        << QStringList();
        QTest::addRow("pytest output") << "pytest-full.txt" << false << 0 << 0 << 0 << QStringList() << QStringList();
        QTest::addRow("JUnit XML") << "pytest-junit.xml" << false << 0 << 0 << 0 << QStringList() << QStringList();
    }
    void ctest()
    {
        QFETCH(QString, file);
        QFETCH(bool, parsed);
        QFETCH(int, passed);
        QFETCH(int, failed);
        QFETCH(int, skipped);
        QFETCH(QStringList, failures);
        QFETCH(QStringList, statuses);

        const TestReport report = parseCTestOutput(fixture(file));
        QCOMPARE(report.format, QStringLiteral("ctest"));
        QVERIFY2(report.parsed == parsed, qPrintable(report.problem));
        QCOMPARE(report.problem.isEmpty(), parsed);
        QCOMPARE(report.passed, passed);
        QCOMPARE(report.failed, failed);
        QCOMPARE(report.skipped, skipped);
        QCOMPARE(report.errors, 0);
        QCOMPARE(names(report), failures);
        QStringList messages;
        for (const TestCaseFailure &failure : report.failures) {
            messages << failure.message;
        }
        QCOMPARE(messages, statuses);
    }

    void ctestNoTestsNamed()
    {
        const TestReport report = parseCTestOutput(fixture(QStringLiteral("ctest-no-tests.txt")));
        QVERIFY(report.problem.contains(QStringLiteral("No tests were found")));
    }

    void pytest_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("parsed");
        QTest::addColumn<int>("passed");
        QTest::addColumn<int>("failed");
        QTest::addColumn<int>("skipped");
        QTest::addColumn<int>("errors");
        QTest::addColumn<QStringList>("failures");

        // "3 failed, 4 passed, 1 skipped, 1 xfailed, 1 xpassed, 1 warning, 1 error"
        const QStringList sample = {QStringLiteral("test_sample.py::test_compares"),
                                    QStringLiteral("test_sample.py::test_raises"),
                                    QStringLiteral("test_sample.py::test_param[3]"),
                                    QStringLiteral("test_sample.py::test_uses_broken")};
        QTest::addRow("full") << "pytest-full.txt" << true << 5 << 3 << 2 << 1 << sample;
        QTest::addRow("quiet") << "pytest-quiet.txt" << true << 5 << 3 << 2 << 1 << sample;
        QTest::addRow("colours") << "pytest-color.txt" << true << 5 << 3 << 2 << 1 << sample;
        QTest::addRow("deselected") << "pytest-deselected.txt" << true << 3 << 1 << 0 << 0
                                    << QStringList{QStringLiteral("test_sample.py::test_param[3]")};
        QTest::addRow("all passed") << "pytest-all-passed.txt" << true << 1 << 0 << 0 << 0 << QStringList();
        QTest::addRow("collection error") << "pytest-collection-error.txt" << true << 0 << 0 << 0 << 1
                                          << QStringList{QStringLiteral("colerr/test_bad.py")};
        QTest::addRow("old 'seconds'") << "pytest-legacy-seconds.txt" << true << 10 << 2 << 1 << 0 << QStringList();
        QTest::addRow("long run, reruns, brackets")
            << "pytest-long-run.txt" << true << 250 << 1 << 3 << 2
            << QStringList{QStringLiteral("tests/test_sync.py::test_merge[param with spaces - and dash]"),
                           QStringLiteral("tests/test_db.py::test_pool"),
                           QStringLiteral("tests/test_db.py::test_tx")};
        QTest::addRow("all deselected") << "pytest-all-deselected.txt" << false << 0 << 0 << 0 << 0 << QStringList();
        QTest::addRow("no tests ran") << "pytest-no-tests.txt" << false << 0 << 0 << 0 << 0 << QStringList();
        QTest::addRow("killed, no summary") << "pytest-no-summary.txt" << false << 0 << 0 << 0 << 0 << QStringList();
        QTest::addRow("ctest output") << "ctest-some-failed.txt" << false << 0 << 0 << 0 << 0 << QStringList();
    }
    void pytest()
    {
        QFETCH(QString, file);
        QFETCH(bool, parsed);
        QFETCH(int, passed);
        QFETCH(int, failed);
        QFETCH(int, skipped);
        QFETCH(int, errors);
        QFETCH(QStringList, failures);

        const TestReport report = parsePytestOutput(fixture(file));
        QCOMPARE(report.format, QStringLiteral("pytest"));
        QVERIFY2(report.parsed == parsed, qPrintable(report.problem));
        QCOMPARE(report.problem.isEmpty(), parsed);
        QCOMPARE(report.passed, passed);
        QCOMPARE(report.failed, failed);
        QCOMPARE(report.skipped, skipped);
        QCOMPARE(report.errors, errors);
        QCOMPARE(names(report), failures);
    }

    void pytestMessages()
    {
        const TestReport report = parsePytestOutput(fixture(QStringLiteral("pytest-long-run.txt")));
        QCOMPARE(report.failures.size(), 3);
        QCOMPARE(report.failures.at(0).message, QStringLiteral("ValueError: bad merge"));
        QCOMPARE(report.failures.at(2).message, QString());
    }

    void reportJson()
    {
        const QJsonObject json = parseJUnitXml(fixture(QStringLiteral("junit-nested.xml"))).toJson();
        QCOMPARE(json.value(QStringLiteral("format")).toString(), QStringLiteral("junit"));
        QCOMPARE(json.value(QStringLiteral("parsed")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("passed")).toInt(), 2);
        QCOMPARE(json.value(QStringLiteral("failed")).toInt(), 2);
        QCOMPARE(json.value(QStringLiteral("skipped")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("errors")).toInt(), 2);
        const QJsonArray failures = json.value(QStringLiteral("failures")).toArray();
        QCOMPARE(failures.size(), 4);
        QCOMPARE(failures.at(1).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("core.io.Files.readsEmpty"));
        QCOMPARE(failures.at(1).toObject().value(QStringLiteral("message")).toString(), QStringLiteral("disk is full"));
        QVERIFY(!json.contains(QStringLiteral("problem")));

        const QJsonObject broken = parseJUnitXml(QByteArray("<testsuite>")).toJson();
        QCOMPARE(broken.value(QStringLiteral("parsed")).toBool(), false);
        QVERIFY(!broken.value(QStringLiteral("problem")).toString().isEmpty());
    }

    void manyFailuresAreCapped()
    {
        QByteArray xml = "<testsuite>";
        for (int i = 0; i < maxListedFailures + 100; ++i) {
            xml += "<testcase name=\"t" + QByteArray::number(i) + "\"><failure message=\"" + QByteArray(1000, 'x')
                + "\"/></testcase>";
        }
        xml += "</testsuite>";
        const TestReport report = parseJUnitXml(xml);
        QVERIFY(report.parsed);
        QCOMPARE(report.failed, maxListedFailures + 100);
        QCOMPARE(report.failures.size(), maxListedFailures);
        QCOMPARE(report.failures.first().message.size(), 300);
    }

    void outcomeNames()
    {
        QCOMPARE(toString(Outcome::Passed), QStringLiteral("passed"));
        QCOMPARE(toString(Outcome::Failed), QStringLiteral("failed"));
        QCOMPARE(toString(Outcome::Timeout), QStringLiteral("timeout"));
        QCOMPARE(toString(Outcome::Error), QStringLiteral("error"));
    }

    // -- Running -------------------------------------------------------------------------

    void exitCode_data()
    {
        QTest::addColumn<Sandbox>("sandbox");
        QTest::addColumn<QString>("command");
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<int>("exitCode");
        for (Sandbox sandbox : bothSandboxes) {
            QTest::addRow("%s: exit 0", sandboxLabel(sandbox)) << sandbox << "exit 0" << Outcome::Passed << 0;
            QTest::addRow("%s: exit 3", sandboxLabel(sandbox)) << sandbox << "exit 3" << Outcome::Failed << 3;
            QTest::addRow("%s: false", sandboxLabel(sandbox)) << sandbox << "false" << Outcome::Failed << 1;
            QTest::addRow("%s: pipeline", sandboxLabel(sandbox))
                << sandbox << "echo hi | grep -q hi && test -d ." << Outcome::Passed << 0;
            QTest::addRow("%s: unknown program", sandboxLabel(sandbox))
                << sandbox << "astra-no-such-program" << Outcome::Failed << 127;
            // stdin is empty: a command that reads it does not wait for ever
            QTest::addRow("%s: reads stdin", sandboxLabel(sandbox)) << sandbox << "cat" << Outcome::Passed << 0;
        }
    }
    void exitCode()
    {
        QFETCH(Sandbox, sandbox);
        QFETCH(QString, command);
        QFETCH(Outcome, outcome);
        QFETCH(int, exitCode);
        SKIP_WITHOUT_BWRAP(sandbox);

        RunDir dir;
        const TestRunResult result = runTests(dir.request(command, sandbox));
        QVERIFY2(result.outcome == outcome, qPrintable(result.message + u'\n' + QString::fromUtf8(dir.outputText())));
        QCOMPARE(result.exitCode, exitCode);
        QCOMPARE(result.sandbox.startsWith(QStringLiteral("bwrap")), sandbox == Sandbox::Bwrap);
        QVERIFY(!result.message.isEmpty());
        QVERIFY(result.durationMs >= 0);
        QVERIFY(!result.report.parsed);
        QCOMPARE(result.message.contains(QStringLiteral("not found")), exitCode == 127);
    }

    void mergedOutput_data()
    {
        QTest::addColumn<Sandbox>("sandbox");
        for (Sandbox sandbox : bothSandboxes) {
            QTest::addRow("%s", sandboxLabel(sandbox)) << sandbox;
        }
    }
    void mergedOutput()
    {
        QFETCH(Sandbox, sandbox);
        SKIP_WITHOUT_BWRAP(sandbox);
        RunDir dir;
        const TestRunResult result = runTests(
            dir.request(QStringLiteral("echo one; echo two >&2; echo three; printf 'four' >&2; exit 5"), sandbox));
        QCOMPARE(toString(result.outcome), toString(Outcome::Failed));
        QCOMPARE(result.exitCode, 5);
        QCOMPARE(dir.outputText(), QByteArray("one\ntwo\nthree\nfour"));
        QCOMPARE(result.outputBytes, qint64(18));
        QVERIFY(!result.outputTruncated);
    }

    void outputCap_data()
    {
        mergedOutput_data();
    }
    void outputCap()
    {
        QFETCH(Sandbox, sandbox);
        SKIP_WITHOUT_BWRAP(sandbox);
        RunDir dir;
        TestRunRequest request = dir.request(QStringLiteral("yes | head -c 10485760"), sandbox);
        request.outputCapBytes = 64 * 1024;
        const TestRunResult result = runTests(request);
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QCOMPARE(result.outputBytes, qint64(10485760));
        QVERIFY(result.outputTruncated);
        const QByteArray output = dir.outputText();
        QVERIFY2(output.size() >= request.outputCapBytes && output.size() < request.outputCapBytes + 200,
                 qPrintable(QString::number(output.size())));
        QVERIFY(output.startsWith("y\ny\ny\n"));
        QCOMPARE(output.left(request.outputCapBytes), QByteArray("y\n").repeated(int(request.outputCapBytes / 2)));
        const QByteArray notice = output.mid(request.outputCapBytes);
        QVERIFY2(notice.contains(QByteArray::number(10485760 - request.outputCapBytes)), notice.constData());
        QVERIFY(result.message.contains(QString::number(request.outputCapBytes)));
    }

    void noOutputFile()
    {
        RunDir dir;
        TestRunRequest request = dir.request(QStringLiteral("echo hello"), Sandbox::None);
        request.outputFile.clear();
        const TestRunResult result = runTests(request);
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QCOMPARE(result.outputBytes, qint64(6));
    }

    void timeout_data()
    {
        mergedOutput_data();
    }
    void timeout()
    {
        QFETCH(Sandbox, sandbox);
        SKIP_WITHOUT_BWRAP(sandbox);
        RunDir dir;
        TestRunRequest request = dir.request(QStringLiteral("echo started; sleep 600"), sandbox);
        request.timeout = 1s;
        QElapsedTimer clock;
        clock.start();
        const TestRunResult result = runTests(request);
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(toString(result.outcome), toString(Outcome::Timeout));
        QCOMPARE(result.exitCode, -1);
        QVERIFY(result.durationMs >= 900);
        QVERIFY2(result.message.contains(QStringLiteral("1 second")), qPrintable(result.message));
        QCOMPARE(dir.outputText(), QByteArray("started\n"));
    }

    // Without a sandbox the timeout kills the process group, so background children go too.
    void timeoutKillsGroupWithoutSandbox()
    {
        RunDir dir;
        const QString marker = uniqueMarker();
        TestRunRequest request =
            dir.request(QStringLiteral("sh -c 'sleep 600; :' %1 & echo started > started; sleep 600").arg(marker),
                        Sandbox::None);
        request.timeout = 2s;
        TestRunResult result;
        std::unique_ptr<QThread> worker(QThread::create([&] { result = runTests(request); }));
        worker->start();

        QList<ProcessId> found;
        QTRY_VERIFY_WITH_TIMEOUT(!(found = processesWithArgument(marker)).isEmpty(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 10000);
        worker->wait();
        QCOMPARE(toString(result.outcome), toString(Outcome::Timeout));
        for (const ProcessId &process : found) {
            QTRY_VERIFY2_WITH_TIMEOUT(!alive(process), qPrintable(QString::number(process.pid)), 5000);
        }
        QVERIFY(processesWithArgument(marker).isEmpty());
    }

    // Under bubblewrap even a grandchild in a session of its own dies with the sandbox.
    void timeoutKillsSetsidGrandchildUnderBwrap()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        const QString marker = uniqueMarker();
        TestRunRequest request = dir.request(
            QStringLiteral("setsid sh -c 'echo $$ > grandchild.pid; sleep 600; :' %1 & sleep 600").arg(marker),
            Sandbox::Bwrap);
        request.timeout = 2s;
        TestRunResult result;
        std::unique_ptr<QThread> worker(QThread::create([&] { result = runTests(request); }));
        worker->start();

        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(dir.folder + QStringLiteral("/grandchild.pid")), 5000);
        QList<ProcessId> found;
        QTRY_VERIFY_WITH_TIMEOUT(!(found = processesWithArgument(marker)).isEmpty(), 5000);
        QCOMPARE(found.size(), 1);
        const ProcessId grandchild = found.first();
        QVERIFY(alive(grandchild));
        // In a session of its own: a process-group kill would miss it.
        const QByteArray stat = readFile(QStringLiteral("/proc/%1/stat").arg(grandchild.pid));
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        QCOMPARE(fields.value(3), QByteArray::number(grandchild.pid)); // session id == its pid

        QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 10000);
        worker->wait();
        QCOMPARE(toString(result.outcome), toString(Outcome::Timeout));
        QVERIFY2(result.durationMs < 6000, qPrintable(QString::number(result.durationMs)));
        QTRY_VERIFY_WITH_TIMEOUT(!alive(grandchild), 5000);
        QVERIFY(processesWithArgument(marker).isEmpty());
    }

    // Whoever starts it, root included, the sandboxed command holds no capability: it cannot
    // mount, and as root it is an unprivileged user of the host.
    void noCapabilitiesUnderBwrap()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        const TestRunResult result = runTests(dir.request(
            QStringLiteral("grep CapEff /proc/self/status | tr -d '\\t' | tr ':' '='\n"
                           "grep CapBnd /proc/self/status | tr -d '\\t' | tr ':' '='\n"
                           "mkdir -p m && mount -t tmpfs none m 2>/dev/null && echo mounted=yes || echo mounted=no\n"
                           "unshare -U true 2>/dev/null && echo nested=yes || echo nested=no\n"
                           "echo written > owned\n"),
            Sandbox::Bwrap));
        QVERIFY2(result.outcome == Outcome::Passed, qPrintable(result.message));
        const QMap<QString, QString> values = keyValues(dir.outputText());
        QCOMPARE(values.value(QStringLiteral("CapEff")), QStringLiteral("0000000000000000"));
        QCOMPARE(values.value(QStringLiteral("CapBnd")), QStringLiteral("0000000000000000"));
        QCOMPARE(values.value(QStringLiteral("mounted")), QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("nested")),
                 bwrapHas("--disable-userns") ? QStringLiteral("no") : QStringLiteral("yes"));
        // On the host the file belongs to whoever the command really was.
        struct stat info
        {};
        QCOMPARE(::stat(QFile::encodeName(dir.folder + QStringLiteral("/owned")).constData(), &info), 0);
        if (geteuid() == 0) {
            QVERIFY2(info.st_uid != 0, "run by root, the sandboxed command must not be root on the host");
            QVERIFY2(info.st_uid >= 0x70000000u, "run by root, each run is a user id of its own");
            QVERIFY2(result.sandbox.contains(QStringLiteral("a user of its own")), qPrintable(result.sandbox));
        } else {
            QCOMPARE(info.st_uid, geteuid());
        }
    }

    // The process limit binds, root or not: a fork bomb stops at it.
    void processLimitBindsUnderBwrap()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        // Each process that starts leaves a line; the shell gives up at the first fork refused.
        TestRunRequest request =
            dir.request(QStringLiteral("for i in $(seq 1 80); do (echo x >> started; sleep 3) & done; wait"),
                        Sandbox::Bwrap);
        request.maxProcesses = 40;
        const TestRunResult result = runTests(request);
        const int started = int(readFile(dir.folder + QStringLiteral("/started")).count('\n'));
        QVERIFY2(started > 0, qPrintable(result.message));
        QVERIFY2(started < 80, qPrintable(QStringLiteral("%1 processes started; %2").arg(started).arg(result.message)));
        QCOMPARE(toString(result.outcome), toString(Outcome::Failed));
    }

    // The private /tmp is a bounded scratch space; a run that fills it fails and says so.
    void scratchSpaceIsBounded()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        TestRunRequest request = dir.request(QStringLiteral("head -c 8388608 /dev/zero > /tmp/big"), Sandbox::Bwrap);
        request.scratchBytes = 2 * 1024 * 1024;
        const TestRunResult result = runTests(request);
        if (!bwrapHas("--size")) {
            QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
            QVERIFY2(result.sandbox.contains(QStringLiteral("cannot bound the private /tmp")),
                     qPrintable(result.sandbox));
            return;
        }
        QCOMPARE(toString(result.outcome), toString(Outcome::Failed));
        QVERIFY2(result.message.contains(QStringLiteral("No space left on device")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("2 MiB")), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("scratch_mb")), qPrintable(result.message));
    }

    // Run by root, a folder the unprivileged sandbox user cannot reach is refused before
    // anything runs, naming the folder in the way.
    void unreachableFolderAsRoot()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        QTemporaryDir closed; // 0700
        const QString folder = closed.path() + QStringLiteral("/work");
        QVERIFY(QDir().mkpath(folder));
        TestRunRequest request;
        request.folder = folder;
        request.command = QStringLiteral("touch ran");
        request.sandbox = Sandbox::Bwrap;
        request.timeout = 30s;
        const TestRunResult result = runTests(request);
        if (geteuid() != 0) {
            QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
            return;
        }
        QCOMPARE(toString(result.outcome), toString(Outcome::Error));
        QVERIFY2(result.message.contains(closed.path()), qPrintable(result.message));
        QVERIFY2(result.message.contains(QStringLiteral("chmod o+x")), qPrintable(result.message));
        QVERIFY(!QFileInfo::exists(folder + QStringLiteral("/ran")));
    }

    void noNetwork_data()
    {
        QTest::addColumn<Sandbox>("sandbox");
        QTest::addColumn<bool>("connects");
        QTest::addRow("bwrap: no network") << Sandbox::Bwrap << false;
        QTest::addRow("none: the same command connects") << Sandbox::None << true;
    }
    void noNetwork()
    {
        QFETCH(Sandbox, sandbox);
        QFETCH(bool, connects);
        SKIP_WITHOUT_BWRAP(sandbox);

        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        QSignalSpy connections(&server, &QTcpServer::newConnection);
        RunDir dir;
        const TestRunResult result = runTests(dir.request(
            QStringLiteral("bash -c 'exec 3<>/dev/tcp/127.0.0.1/%1 && echo connected'").arg(server.serverPort()),
            sandbox));
        const QByteArray output = dir.outputText();
        if (connects) {
            QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
            QCOMPARE(output, QByteArray("connected\n"));
            QTRY_VERIFY(connections.count() > 0 || server.hasPendingConnections());
        } else {
            QCOMPARE(toString(result.outcome), toString(Outcome::Failed));
            QVERIFY2(!output.contains("connected"), output.constData());
            QCoreApplication::processEvents();
            QCOMPARE(connections.count(), 0);
            QVERIFY(!server.hasPendingConnections());
        }
    }

    void fileSystemUnderBwrap()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        // A fake repository, database and ledger beside the folder.
        const QString repository = dir.base.path() + QStringLiteral("/repository");
        QVERIFY(writeFile(repository + QStringLiteral("/.git/config"), "[core]\n"));
        QVERIFY(writeFile(repository + QStringLiteral("/.git/astra/astra.db"), "db"));
        const QString hostTmpName =
            QStringLiteral("astra-private-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString home = QDir::homePath();
        const bool homeIsAncestor = dir.folder.startsWith(home + u'/');
        qputenv("ASTRA_TEST_SECRET", "s3cret");

        const QString script = QStringLiteral(
            "echo content > written && echo folder-writable=$(cat written)\n"
            "mkdir -p sub/deeper && echo sub-writable=yes\n"
            "touch /usr/astra-x 2>/dev/null && echo usr-writable=yes || echo usr-writable=no\n"
            "touch /etc/astra-x 2>/dev/null && echo etc-writable=yes || echo etc-writable=no\n"
            "test -e %2 && echo repository-visible=yes || echo repository-visible=no\n"
            "echo base-listing=$(ls -A %1)\n"
            "touch %1/astra-x 2>/dev/null\n" // at most in the sandbox's own tmpfs
            "echo home=$HOME\n"
            "echo tmpdir=$TMPDIR\n"
            "echo lang=$LANG\n"
            "test -e /root && echo root-visible=yes || echo root-visible=no\n"
            "test -e /home && echo home-visible=yes || echo home-visible=no\n"
            "test -e %3 && echo real-home-visible=yes || echo real-home-visible=no\n"
            "echo secret=${ASTRA_TEST_SECRET:-unset}\n"
            "echo private > /tmp/%4 && echo tmp-writable=yes\n"
            "echo cwd=$(pwd)\n");
        const TestRunResult result =
            runTests(dir.request(script.arg(dir.base.path(), repository, home, hostTmpName), Sandbox::Bwrap));
        qunsetenv("ASTRA_TEST_SECRET");
        QVERIFY2(result.sandbox.startsWith(QStringLiteral("bwrap")), qPrintable(result.sandbox));
        QVERIFY2(result.outcome == Outcome::Passed, qPrintable(result.message));
        const QMap<QString, QString> values = keyValues(dir.outputText());
        QCOMPARE(values.value(QStringLiteral("folder-writable")), QStringLiteral("content"));
        QCOMPARE(values.value(QStringLiteral("sub-writable")), QStringLiteral("yes"));
        QCOMPARE(values.value(QStringLiteral("usr-writable")), QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("etc-writable")), QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("repository-visible")), QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("base-listing")), QStringLiteral("work"));
        QCOMPARE(values.value(QStringLiteral("home")), QStringLiteral("/tmp"));
        QCOMPARE(values.value(QStringLiteral("tmpdir")), QStringLiteral("/tmp"));
        QCOMPARE(values.value(QStringLiteral("lang")), QStringLiteral("C.UTF-8"));
        QCOMPARE(values.value(QStringLiteral("root-visible")),
                 dir.folder.startsWith(QStringLiteral("/root/")) ? QStringLiteral("yes") : QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("home-visible")),
                 dir.folder.startsWith(QStringLiteral("/home/")) ? QStringLiteral("yes") : QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("real-home-visible")),
                 homeIsAncestor ? QStringLiteral("yes") : QStringLiteral("no"));
        QCOMPARE(values.value(QStringLiteral("secret")), QStringLiteral("unset"));
        QCOMPARE(values.value(QStringLiteral("tmp-writable")), QStringLiteral("yes"));
        QCOMPARE(values.value(QStringLiteral("cwd")), QFileInfo(dir.folder).canonicalFilePath());
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/") + hostTmpName));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/usr/astra-x")));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/etc/astra-x")));
        QVERIFY(!QFileInfo::exists(dir.base.path() + QStringLiteral("/astra-x")));
        QCOMPARE(readFile(dir.folder + QStringLiteral("/written")), QByteArray("content\n"));
    }

    void environmentWithoutSandbox()
    {
        RunDir dir;
        qputenv("ASTRA_TEST_SECRET", "s3cret");
        const TestRunResult result = runTests(
            dir.request(QStringLiteral("echo secret=${ASTRA_TEST_SECRET:-unset}; echo home=$HOME; echo tmpdir=$TMPDIR; "
                                       "echo cwd=$(pwd); echo x > $HOME/dotfile && echo home-writable=yes"),
                        Sandbox::None));
        qunsetenv("ASTRA_TEST_SECRET");
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        const QMap<QString, QString> values = keyValues(dir.outputText());
        QCOMPARE(values.value(QStringLiteral("secret")), QStringLiteral("unset"));
        const QString home = values.value(QStringLiteral("home"));
        QVERIFY(!home.isEmpty());
        QVERIFY(home != QDir::homePath());
        QCOMPARE(values.value(QStringLiteral("tmpdir")), home);
        QCOMPARE(values.value(QStringLiteral("home-writable")), QStringLiteral("yes"));
        QVERIFY2(!QFileInfo::exists(home), qPrintable(home)); // removed after the run
        QCOMPARE(values.value(QStringLiteral("cwd")), QFileInfo(dir.folder).canonicalFilePath());
    }

    void resourceLimits_data()
    {
        mergedOutput_data();
    }
    void resourceLimits()
    {
        QFETCH(Sandbox, sandbox);
        SKIP_WITHOUT_BWRAP(sandbox);
        RunDir dir;
        TestRunRequest request =
            dir.request(QStringLiteral("cat /proc/self/limits; head -c 2097152 /dev/zero > big; echo big-status=$?"),
                        sandbox);
        request.memoryLimitBytes = 1024LL * 1024 * 1024;
        request.maxProcesses = 300;
        request.maxFileBytes = 1024 * 1024;
        request.maxOpenFiles = 100;
        const TestRunResult result = runTests(request);
        QVERIFY2(result.outcome == Outcome::Passed, qPrintable(result.message));
        const QByteArray output = dir.outputText();
        const auto limit = [&](const char *name) {
            for (const QByteArray &line : output.split('\n')) {
                if (line.startsWith(name)) {
                    return line.mid(int(qstrlen(name))).simplified().split(' ').value(0);
                }
            }
            return QByteArray();
        };
        QCOMPARE(limit("Max address space"), QByteArray("1073741824"));
        QCOMPARE(limit("Max processes"), QByteArray("300"));
        QCOMPARE(limit("Max file size"), QByteArray("1048576"));
        QCOMPARE(limit("Max open files"), QByteArray("100"));
        QCOMPARE(limit("Max core file size"), QByteArray("0"));
        QVERIFY2(!output.contains("big-status=0"), output.constData());
        QVERIFY(QFileInfo(dir.folder + QStringLiteral("/big")).size() <= 1024 * 1024);
    }

    void sandboxNoneIsNamedWeaker()
    {
        RunDir dir;
        const TestRunResult result = runTests(dir.request(QStringLiteral("exit 0"), Sandbox::None));
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QVERIFY2(result.sandbox.startsWith(QStringLiteral("none (")), qPrintable(result.sandbox));
        QVERIFY(result.sandbox.contains(QStringLiteral("weaker isolation")));
        QVERIFY(result.sandbox.contains(QStringLiteral("no network or file system isolation")));
        QVERIFY(result.sandbox.contains(QStringLiteral("own session")));
    }

    void autoPrefersBwrap()
    {
        SKIP_WITHOUT_BWRAP(Sandbox::Bwrap);
        RunDir dir;
        const TestRunResult result = runTests(dir.request(QStringLiteral("exit 0"), Sandbox::Auto));
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QVERIFY2(result.sandbox.startsWith(QStringLiteral("bwrap")), qPrintable(result.sandbox));
    }

    // No sandbox, no silent fallback: "auto" refuses like "bwrap" and says how to go on.
    void bwrapMissing_data()
    {
        QTest::addColumn<Sandbox>("sandbox");
        QTest::addColumn<QString>("setting");
        QTest::addRow("bwrap") << Sandbox::Bwrap << "sandbox = \"bwrap\"";
        QTest::addRow("auto") << Sandbox::Auto << "sandbox = \"auto\"";
    }
    void bwrapMissing()
    {
        QFETCH(Sandbox, sandbox);
        QFETCH(QString, setting);
        RunDir dir;
        QTemporaryDir emptyPath;
        QVERIFY(emptyPath.isValid());
        const PathOverride path(emptyPath.path());
        QVERIFY(!bubblewrapAvailable());

        // ": > ran" needs no program from PATH
        const TestRunResult result = runTests(dir.request(QStringLiteral(": > ran"), sandbox));
        QCOMPARE(toString(result.outcome), toString(Outcome::Error));
        QVERIFY2(result.message.contains(setting), qPrintable(result.message));
        QVERIFY(result.message.contains(QStringLiteral("apt install bubblewrap")));
        QVERIFY(result.message.contains(QStringLiteral("sandbox = \"none\"")));
        QVERIFY(result.message.contains(QStringLiteral("unsandboxed")));
        QVERIFY(!QFileInfo::exists(dir.folder + QStringLiteral("/ran")));
        QVERIFY(!QFileInfo::exists(dir.output));
    }

    void junitReportAfterRun_data()
    {
        QTest::addColumn<QString>("fixtureName"); // copied to src.xml in the folder
        QTest::addColumn<QString>("staleFixture"); // already at build/report.xml before the run
        QTest::addColumn<QString>("command");
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<bool>("parsed");
        QTest::addColumn<int>("failed");
        QTest::addColumn<QString>("problem");

        const QString copy = QStringLiteral("mkdir -p build && cp src.xml build/report.xml; exit %1");
        QTest::addRow("pytest report, exit 1")
            << "pytest-junit.xml" << QString() << copy.arg(1) << Outcome::Failed << true << 3 << QString();
        QTest::addRow("all passed, exit 0")
            << "ctest-junit-all-passed.xml" << QString() << copy.arg(0) << Outcome::Passed << true << 0 << QString();
        QTest::addRow("failures although exit 0")
            << "ctest-junit-some-failed.xml" << QString() << copy.arg(0) << Outcome::Failed << true << 3 << QString();
        QTest::addRow("no report, exit 0") << QString() << QString() << QStringLiteral("exit 0") << Outcome::Passed
                                           << false << 0 << "wrote no JUnit report";
        QTest::addRow("no report, exit 2") << QString() << QString() << QStringLiteral("exit 2") << Outcome::Failed
                                           << false << 0 << "wrote no JUnit report";
        QTest::addRow("malformed report, exit 0") << "junit-truncated.xml" << QString() << copy.arg(0)
                                                  << Outcome::Passed << false << 0 << "not well-formed XML";
        QTest::addRow("stale report is not read")
            << QString() << "ctest-junit-all-passed.xml" << QStringLiteral("exit 0") << Outcome::Passed << false << 0
            << "wrote no JUnit report";
        QTest::addRow("report is a folder") << QString() << QString() << QStringLiteral("mkdir -p build/report.xml")
                                            << Outcome::Passed << false << 0 << "not a regular file";
    }
    void junitReportAfterRun()
    {
        QFETCH(QString, fixtureName);
        QFETCH(QString, staleFixture);
        QFETCH(QString, command);
        QFETCH(Outcome, outcome);
        QFETCH(bool, parsed);
        QFETCH(int, failed);
        QFETCH(QString, problem);

        const Sandbox sandbox = bubblewrapAvailable() ? Sandbox::Bwrap : Sandbox::None;
        RunDir dir;
        if (!fixtureName.isEmpty()) {
            QVERIFY(writeFile(dir.folder + QStringLiteral("/src.xml"), fixture(fixtureName)));
        }
        if (!staleFixture.isEmpty()) {
            QVERIFY(writeFile(dir.folder + QStringLiteral("/build/report.xml"), fixture(staleFixture)));
        }
        TestRunRequest request = dir.request(command, sandbox);
        request.report = QStringLiteral("junit:build/report.xml");
        const TestRunResult result = runTests(request);
        QVERIFY2(result.outcome == outcome, qPrintable(result.message));
        QCOMPARE(result.report.format, QStringLiteral("junit"));
        QVERIFY2(result.report.parsed == parsed, qPrintable(result.report.problem));
        QCOMPARE(result.report.failed, failed);
        if (problem.isEmpty()) {
            QCOMPARE(result.report.problem, QString());
        } else {
            QVERIFY2(result.report.problem.contains(problem), qPrintable(result.report.problem));
            QVERIFY(result.message.contains(result.report.problem));
        }
    }

    void junitPathRefused_data()
    {
        QTest::addColumn<QString>("report");
        QTest::addRow("parent") << "junit:../outside.xml";
        QTest::addRow("absolute") << "junit:/etc/passwd";
        QTest::addRow("parent inside") << "junit:build/../../outside.xml";
        QTest::addRow("empty path") << "junit:";
        QTest::addRow("unknown kind") << "sarif:findings.sarif";
        QTest::addRow("upper case") << "JUnit:report.xml";
    }
    void junitPathRefused()
    {
        QFETCH(QString, report);
        RunDir dir;
        QVERIFY(
            writeFile(dir.base.path() + QStringLiteral("/outside.xml"), fixture(QStringLiteral("pytest-junit.xml"))));
        TestRunRequest request = dir.request(QStringLiteral("touch ran"), Sandbox::None);
        request.report = report;
        const TestRunResult result = runTests(request);
        QCOMPARE(toString(result.outcome), toString(Outcome::Error));
        QVERIFY2(result.message.contains(report.mid(report.indexOf(u':') + 1)), qPrintable(result.message));
        QVERIFY(result.message.contains(QStringLiteral("nothing was run")));
        QVERIFY(!QFileInfo::exists(dir.folder + QStringLiteral("/ran")));
        QVERIFY(!result.report.parsed);
    }

    // A report that is a symlink out of the folder is not read (the command could point it
    // at any file the reviewer's account can read).
    void junitSymlinkOutOfFolderRefused()
    {
        const Sandbox sandbox = bubblewrapAvailable() ? Sandbox::Bwrap : Sandbox::None;
        RunDir dir;
        const QString outside = dir.base.path() + QStringLiteral("/outside.xml");
        QVERIFY(writeFile(outside, fixture(QStringLiteral("ctest-junit-some-failed.xml"))));
        TestRunRequest request = dir.request(QStringLiteral("ln -s %1 report.xml && exit 0").arg(outside), sandbox);
        request.report = QStringLiteral("junit:report.xml");
        const TestRunResult result = runTests(request);
        QVERIFY(QFileInfo(dir.folder + QStringLiteral("/report.xml")).isSymLink());
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QVERIFY(!result.report.parsed);
        QCOMPARE(result.report.failed, 0);
        QVERIFY2(result.report.problem.contains(QStringLiteral("outside the test folder")),
                 qPrintable(result.report.problem));

        // The same through a symlinked folder on the way.
        RunDir second;
        request = second.request(QStringLiteral("ln -s %1 out && exit 0").arg(dir.base.path()), sandbox);
        request.report = QStringLiteral("junit:out/outside.xml");
        const TestRunResult viaFolder = runTests(request);
        QCOMPARE(toString(viaFolder.outcome), toString(Outcome::Passed));
        QVERIFY(!viaFolder.report.parsed);
        QVERIFY(viaFolder.report.problem.contains(QStringLiteral("outside the test folder")));
        QVERIFY(QFileInfo::exists(outside)); // and the stale-report removal did not delete through it
    }

    void consoleReportAfterRun_data()
    {
        QTest::addColumn<QString>("report");
        QTest::addColumn<QString>("fixtureName");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<qint64>("cap");
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<bool>("parsed");
        QTest::addColumn<int>("passed");
        QTest::addColumn<int>("failed");

        const qint64 big = 4 * 1024 * 1024;
        QTest::addRow("ctest, failures") << "ctest"
                                         << "ctest-some-failed.txt" << 8 << big << Outcome::Failed << true << 2 << 4;
        QTest::addRow("ctest, all passed") << "ctest"
                                           << "ctest-all-passed.txt" << 0 << big << Outcome::Passed << true << 12 << 0;
        // Exit 0 without running a test is no pass.
        QTest::addRow("ctest, no tests, exit 0")
            << "ctest"
            << "ctest-no-tests.txt" << 0 << big << Outcome::Failed << false << 0 << 0;
        QTest::addRow("pytest, failures") << "pytest"
                                          << "pytest-full.txt" << 1 << big << Outcome::Failed << true << 5 << 3;
        QTest::addRow("pytest, all passed") << "pytest"
                                            << "pytest-all-passed.txt" << 0 << big << Outcome::Passed << true << 1 << 0;
        // The summary comes last: it is read even when the file was cut long before.
        QTest::addRow("pytest, summary after the cap")
            << "pytest"
            << "pytest-full.txt" << 1 << qint64(1024) << Outcome::Failed << true << 5 << 3;
        // A summary that reports failures fails the run even with exit code 0.
        QTest::addRow("pytest, failures but exit 0")
            << "pytest"
            << "pytest-full.txt" << 0 << big << Outcome::Failed << true << 5 << 3;
    }
    void consoleReportAfterRun()
    {
        QFETCH(QString, report);
        QFETCH(QString, fixtureName);
        QFETCH(int, exitCode);
        QFETCH(qint64, cap);
        QFETCH(Outcome, outcome);
        QFETCH(bool, parsed);
        QFETCH(int, passed);
        QFETCH(int, failed);

        const Sandbox sandbox = bubblewrapAvailable() ? Sandbox::Bwrap : Sandbox::None;
        RunDir dir;
        QVERIFY(writeFile(dir.folder + QStringLiteral("/summary.txt"), fixture(fixtureName)));
        TestRunRequest request = dir.request(
            QStringLiteral("head -c 300000 /dev/zero | tr '\\0' x; echo; cat summary.txt; exit %1").arg(exitCode),
            sandbox);
        request.report = report;
        request.outputCapBytes = cap;
        const TestRunResult result = runTests(request);
        QVERIFY2(result.outcome == outcome, qPrintable(result.message));
        QCOMPARE(result.exitCode, exitCode);
        QCOMPARE(result.report.format, report);
        QVERIFY2(result.report.parsed == parsed, qPrintable(result.report.problem));
        QCOMPARE(result.report.passed, passed);
        QCOMPARE(result.report.failed, failed);
        QCOMPARE(result.outputTruncated, cap < 300000);
        if (parsed) {
            QVERIFY2(result.message.contains(QStringLiteral("%1 passed").arg(passed)), qPrintable(result.message));
        }
    }

    void runsOnWorkerThread()
    {
        RunDir dir;
        TestRunResult result;
        std::unique_ptr<QThread> worker(QThread::create(
            [&] { result = runTests(dir.request(QStringLiteral("echo from a thread"), Sandbox::Auto)); }));
        worker->start();
        QTRY_VERIFY_WITH_TIMEOUT(worker->isFinished(), 10000);
        worker->wait();
        QCOMPARE(toString(result.outcome), toString(Outcome::Passed));
        QCOMPARE(dir.outputText(), QByteArray("from a thread\n"));
    }

    void refusedRequests_data()
    {
        QTest::addColumn<QString>("folder"); // relative to the temporary folder; "/" as is
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("outputFile"); // relative to the temporary folder
        QTest::addColumn<int>("timeoutS");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing folder") << "missing"
                                        << "exit 0"
                                        << "out.txt" << 10 << "does not exist";
        QTest::addRow("root folder") << "/"
                                     << "exit 0"
                                     << "out.txt" << 10 << "root folder";
        QTest::addRow("no command") << "work"
                                    << "  "
                                    << "out.txt" << 10 << "No test command";
        QTest::addRow("zero timeout") << "work"
                                      << "exit 0"
                                      << "out.txt" << 0 << "timeout";
        QTest::addRow("output file cannot be created") << "work"
                                                       << "exit 0"
                                                       << "no/such/folder/out.txt" << 10 << "could not be created";
    }
    void refusedRequests()
    {
        QFETCH(QString, folder);
        QFETCH(QString, command);
        QFETCH(QString, outputFile);
        QFETCH(int, timeoutS);
        QFETCH(QString, message);
        RunDir dir;
        TestRunRequest request = dir.request(command, Sandbox::None);
        request.folder = folder == QLatin1String("/") ? folder : dir.base.path() + u'/' + folder;
        request.outputFile = dir.base.path() + u'/' + outputFile;
        request.timeout = std::chrono::seconds(timeoutS);
        const TestRunResult result = runTests(request);
        QCOMPARE(toString(result.outcome), toString(Outcome::Error));
        QVERIFY2(result.message.contains(message), qPrintable(result.message));
        QCOMPARE(result.exitCode, -1);
    }

    // A command that exits 0 having run no test did not pass: the run says that no test ran.
    void noTestRanIsNoPass_data()
    {
        QTest::addColumn<QString>("report");
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("ctest, none found")
            << QStringLiteral("ctest") << QStringLiteral("echo 'No tests were found!!!'; exit 0")
            << QStringLiteral("CTest found no tests");
        QTest::addRow("ctest, out of 0") << QStringLiteral("ctest")
                                         << QStringLiteral("echo '100% tests passed, 0 tests failed out of 0'")
                                         << QStringLiteral("out of 0");
        QTest::addRow("pytest") << QStringLiteral("pytest")
                                << QStringLiteral("echo '============ no tests ran in 0.01s ============'")
                                << QStringLiteral("pytest ran no tests");
        QTest::addRow("junit") << QStringLiteral("junit:report.xml")
                               << QStringLiteral("echo '<testsuite name=\"s\" tests=\"0\"/>' > report.xml")
                               << QStringLiteral("no test cases");
    }
    void noTestRanIsNoPass()
    {
        QFETCH(QString, report);
        QFETCH(QString, command);
        QFETCH(QString, mentions);
        RunDir dir;
        TestRunRequest request = dir.request(command, Sandbox::None);
        request.report = report;
        const TestRunResult result = runTests(request);
        QCOMPARE(result.exitCode, 0);
        QCOMPARE(toString(result.outcome), toString(Outcome::Failed));
        QVERIFY(result.report.ranNone);
        QVERIFY2(result.message.contains(QStringLiteral("No test ran")), qPrintable(result.message));
        QVERIFY2(result.message.contains(mentions), qPrintable(result.message));
    }

    void requestFromConfig()
    {
        TestsSection tests;
        tests.command = QStringLiteral("ctest --test-dir build");
        tests.timeoutS = 42;
        tests.report = QStringLiteral("ctest");
        tests.sandbox = Sandbox::Bwrap;
        const TestRunRequest request = testRunRequest(tests, QStringLiteral("/f"), QStringLiteral("/o"));
        QCOMPARE(request.command, tests.command);
        QVERIFY(request.timeout == 42s);
        QCOMPARE(request.report, QStringLiteral("ctest"));
        QCOMPARE(request.sandbox, Sandbox::Bwrap);
        QCOMPARE(request.folder, QStringLiteral("/f"));
        QCOMPARE(request.outputFile, QStringLiteral("/o"));
    }
};

QTEST_GUILESS_MAIN(TestTestRunner)
#include "tst_testrunner.moc"
