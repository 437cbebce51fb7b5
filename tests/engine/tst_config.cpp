#include "config/astraconfig.h"
#include "config/configtemplate.h"
#include "config/duration.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace astra;
using namespace std::chrono_literals;

namespace {

const QString displayPath = QStringLiteral("/repo/.astra.toml");

// The example of DESIGN.md, section `.astra.toml`, verbatim.
const char designExampleToml[] =
    "[workspace]\n"
    "target_branch = \"main\"\n"
    "\n"
    "[policy]\n"
    "allowed = [\"src/\", \"tests/\", \"docs/\"]      # gitignore-style globs; a trailing / means a folder\n"
    "forbidden = [\"config/\", \".env*\"]            # forbidden wins; .git/ and .astra.toml always forbidden\n"
    "max_file_kb = 100\n"
    "\n"
    "[tests]\n"
    "command = \"ctest --test-dir build --output-on-failure\"\n"
    "timeout_s = 600\n"
    "report = \"junit:build/report.xml\"          # optional: junit:PATH | ctest | pytest\n"
    "sandbox = \"auto\"                           # auto (bubblewrap when installed) | bwrap | none\n"
    "\n"
    "[[jobs]]                                   # recurring checks; their runs feed the detectors\n"
    "name = \"daily_backup\"\n"
    "command = \"python3 scripts/backup.py\"\n"
    "every = \"24h\"\n"
    "timeout_s = 30\n"
    "report = \"sarif:build/findings.sarif\"      # optional: junit:PATH | ctest | sarif:PATH | clang-tidy-fixes:PATH\n"
    "\n"
    "[generator]\n"
    "interval = \"1h\"\n"
    "min_confidence = 0.7\n"
    "max_goals_per_day = 10\n"
    "max_goals_per_detector_per_day = 3\n"
    "auto_approve = false\n"
    "auto_approve_confidence = 0.9\n"
    "\n"
    "[detectors.job_failure]\n"
    "threshold = 3\n"
    "window = \"24h\"\n"
    "\n"
    "[[principles]]                             # \"beliefs\" a goal must not contradict\n"
    "name = \"auth is reviewed by hand\"\n"
    "deny_paths = [\"src/auth/\"]\n"
    "deny_goal_text = [\"(?i)disable .*test\"]\n"
    "\n"
    "[proposer]\n"
    "kind = \"fixits\"                            # fixits | openai | command | none\n"
    "# openai: base_url = \"http://127.0.0.1:8080/v1\", model = \"...\", api_key_env = \"OPENAI_API_KEY\"\n"
    "# command: command = \"my-agent --json\"\n"
    "timeout_s = 300\n";

Result<Config> parse(const QString &text)
{
    return parseConfig(text.toUtf8(), displayPath, configChecks());
}

QString list(const QStringList &values)
{
    return QLatin1Char('[') + values.join(QLatin1String(", ")) + QLatin1Char(']');
}

// Every setting as one line of text, so that a failed comparison shows which one differs.
QString dump(const Config &config)
{
    QStringList lines;
    const auto add = [&lines](const char *key, const QString &value) {
        lines.append(QLatin1String(key) + QLatin1String(" = ") + value);
    };
    const auto number = [](auto value) {
        return QString::number(value);
    };
    const auto seconds = [](std::chrono::seconds value) -> QString {
        return QString::number(value.count()) + QLatin1Char('s');
    };
    add("workspace.target_branch", config.workspace.targetBranch);
    add("policy.allowed", list(config.policy.allowed));
    add("policy.forbidden", list(config.policy.forbidden));
    add("policy.max_file_kb", number(config.policy.maxFileKb));
    add("policy.max_files", number(config.policy.maxFiles));
    add("policy.max_total_kb", number(config.policy.maxTotalKb));
    add("policy.scope",
        config.policy.scope == PolicySection::Scope::Refuse ? QStringLiteral("refuse") : QStringLiteral("flag"));
    add("policy.max_changed_lines", number(config.policy.maxChangedLines));
    add("tests.command", config.tests.command);
    add("tests.timeout_s", number(config.tests.timeoutS));
    add("tests.report", config.tests.report);
    add("tests.sandbox", sandboxName(config.tests.sandbox));
    for (const JobConfig &job : config.jobs) {
        add("jobs.name", job.name);
        add("jobs.command", job.command);
        add("jobs.every", seconds(job.every));
        add("jobs.timeout_s", number(job.timeoutS));
        add("jobs.report", job.report);
    }
    add("generator.interval", seconds(config.generator.interval));
    add("generator.min_confidence", number(config.generator.minConfidence));
    add("generator.max_goals_per_day", number(config.generator.maxGoalsPerDay));
    add("generator.max_goals_per_detector_per_day", number(config.generator.maxGoalsPerDetectorPerDay));
    add("generator.auto_approve", config.generator.autoApprove ? QStringLiteral("true") : QStringLiteral("false"));
    add("generator.auto_approve_confidence", number(config.generator.autoApproveConfidence));
    add("detectors.job_failure.threshold", number(config.detectors.jobFailure.threshold));
    add("detectors.job_failure.window", seconds(config.detectors.jobFailure.window));
    for (const PrincipleConfig &principle : config.principles) {
        add("principles.name", principle.name);
        add("principles.deny_paths", list(principle.denyPaths));
        add("principles.deny_goal_text", list(principle.denyGoalText));
    }
    add("proposer.kind", proposerKindName(config.proposer.kind));
    add("proposer.base_url", config.proposer.baseUrl);
    add("proposer.model", config.proposer.model);
    add("proposer.api_key_env", config.proposer.apiKeyEnv);
    add("proposer.command", config.proposer.command);
    add("proposer.timeout_s", number(config.proposer.timeoutS));
    add("proposer.agent", config.proposer.agent);
    add("proposer.sandbox", sandboxName(config.proposer.sandbox));
    add("proposer.network", config.proposer.network ? QStringLiteral("host") : QStringLiteral("none"));
    add("proposer.read_only", list(config.proposer.readOnly));
    add("proposer.env", list(config.proposer.env));
    add("proposer.scratch_mb", number(config.proposer.scratchMb));
    add("source", config.sourcePath + (config.fromFile ? QStringLiteral(" (file)") : QString()));
    return lines.join(QLatin1Char('\n'));
}

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

} // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void designExample();
    void emptyFileIsDefaults();
    void acceptedValues_data();
    void acceptedValues();
    void errors_data();
    void errors();
    void errorsInFileOrder();
    void manyErrorsAreCapped();
    void invalidUtf8();
    void templateRoundTrip_data();
    void templateRoundTrip();
    void templateHasEverySection();
    void templateExamplesParse();
    void loadFile();
    void loadMissingFile();
    void loadDirectory();
    void jobLookup();
    void parseDuration_data();
    void parseDuration();
    void invalidDuration_data();
    void invalidDuration();
    void formatDuration_data();
    void formatDuration();
    void guessTestCommand_data();
    void guessTestCommand();
    void guessTestCommandWithoutFolder();
};

void TestConfig::designExample()
{
    const Result<Config> result = parseConfig(QByteArray(designExampleToml), displayPath, configChecks());
    QVERIFY2(result.ok(), qPrintable(result.message()));
    const Config &config = *result;

    QCOMPARE(config.workspace.targetBranch, QStringLiteral("main"));

    QCOMPARE(config.policy.allowed,
             (QStringList{QStringLiteral("src/"), QStringLiteral("tests/"), QStringLiteral("docs/")}));
    QCOMPARE(config.policy.forbidden, (QStringList{QStringLiteral("config/"), QStringLiteral(".env*")}));
    QCOMPARE(config.policy.maxFileKb, 100);

    QCOMPARE(config.tests.command, QStringLiteral("ctest --test-dir build --output-on-failure"));
    QCOMPARE(config.tests.timeoutS, 600);
    QCOMPARE(config.tests.report, QStringLiteral("junit:build/report.xml"));
    QCOMPARE(config.tests.sandbox, TestsSection::Sandbox::Auto);

    QCOMPARE(config.jobs.size(), 1);
    const JobConfig &job = config.jobs.first();
    QCOMPARE(job.name, QStringLiteral("daily_backup"));
    QCOMPARE(job.command, QStringLiteral("python3 scripts/backup.py"));
    QVERIFY(job.every == 24h);
    QCOMPARE(job.timeoutS, 30);
    QCOMPARE(job.report, QStringLiteral("sarif:build/findings.sarif"));

    QVERIFY(config.generator.interval == 1h);
    QCOMPARE(config.generator.minConfidence, 0.7);
    QCOMPARE(config.generator.maxGoalsPerDay, 10);
    QCOMPARE(config.generator.maxGoalsPerDetectorPerDay, 3);
    QCOMPARE(config.generator.autoApprove, false);
    QCOMPARE(config.generator.autoApproveConfidence, 0.9);

    QCOMPARE(config.detectors.jobFailure.threshold, 3);
    QVERIFY(config.detectors.jobFailure.window == 24h);

    QCOMPARE(config.principles.size(), 1);
    const PrincipleConfig &principle = config.principles.first();
    QCOMPARE(principle.name, QStringLiteral("auth is reviewed by hand"));
    QCOMPARE(principle.denyPaths, QStringList{QStringLiteral("src/auth/")});
    QCOMPARE(principle.denyGoalText, QStringList{QStringLiteral("(?i)disable .*test")});

    QCOMPARE(config.proposer.kind, ProposerSection::Kind::Fixits);
    QCOMPARE(config.proposer.timeoutS, 300);
    QCOMPARE(config.proposer.apiKeyEnv, QStringLiteral("OPENAI_API_KEY"));
    QVERIFY(config.proposer.baseUrl.isEmpty());

    QCOMPARE(config.sourcePath, displayPath);
    QVERIFY(config.fromFile);
}

void TestConfig::emptyFileIsDefaults()
{
    Config expected = defaultConfig();
    QVERIFY(!expected.fromFile);
    QVERIFY(expected.sourcePath.isEmpty());
    QCOMPARE(expected.workspace.targetBranch, QStringLiteral("main"));
    QCOMPARE(expected.tests.timeoutS, 600);
    QCOMPARE(expected.proposer.kind, ProposerSection::Kind::None);
    QVERIFY(expected.generator.interval == 1h);

    expected.sourcePath = displayPath;
    expected.fromFile = true;
    for (const char *text : {"", "\n\n# only a comment\n", "\xEF\xBB\xBF"}) {
        const Result<Config> result = parseConfig(QByteArray(text), displayPath, configChecks());
        QVERIFY2(result.ok(), qPrintable(result.message()));
        QCOMPARE(dump(*result), dump(expected));
        QVERIFY(*result == expected);
    }
}

void TestConfig::acceptedValues_data()
{
    QTest::addColumn<QString>("toml");
    QTest::addColumn<QString>("setting"); // one line of dump() that must be present

    QTest::addRow("scope refuse") << QStringLiteral("[policy]\nscope = \"refuse\"")
                                  << QStringLiteral("policy.scope = refuse");
    QTest::addRow("changed lines") << QStringLiteral("[policy]\nmax_changed_lines = 400")
                                   << QStringLiteral("policy.max_changed_lines = 400");
    QTest::addRow("sandbox bwrap") << QStringLiteral("[tests]\nsandbox = \"bwrap\"")
                                   << QStringLiteral("tests.sandbox = bwrap");
    QTest::addRow("sandbox none") << QStringLiteral("[tests]\nsandbox = \"none\"")
                                  << QStringLiteral("tests.sandbox = none");
    QTest::addRow("tests report ctest") << QStringLiteral("[tests]\nreport = \"ctest\"")
                                        << QStringLiteral("tests.report = ctest");
    QTest::addRow("tests report pytest") << QStringLiteral("[tests]\nreport = \"pytest\"")
                                         << QStringLiteral("tests.report = pytest");
    QTest::addRow("job report clang-tidy") << QStringLiteral(
        "[[jobs]]\nname = \"tidy\"\ncommand = \"run-clang-tidy\"\nreport = \"clang-tidy-fixes:build/fixes.yaml\"")
                                           << QStringLiteral("jobs.report = clang-tidy-fixes:build/fixes.yaml");
    QTest::addRow("job report junit") << QStringLiteral(
        "[[jobs]]\nname = \"t\"\ncommand = \"c\"\nreport = \"junit:out/r.xml\"")
                                      << QStringLiteral("jobs.report = junit:out/r.xml");
    QTest::addRow("job without every runs on request")
        << QStringLiteral("[[jobs]]\nname = \"t\"\ncommand = \"c\"") << QStringLiteral("jobs.every = 0s");
    QTest::addRow("job every 15m") << QStringLiteral("[[jobs]]\nname = \"t\"\ncommand = \"c\"\nevery = \"15m\"")
                                   << QStringLiteral("jobs.every = 900s");
    QTest::addRow("confidence as integer")
        << QStringLiteral("[generator]\nmin_confidence = 1") << QStringLiteral("generator.min_confidence = 1");
    QTest::addRow("confidence zero") << QStringLiteral("[generator]\nauto_approve_confidence = 0.0")
                                     << QStringLiteral("generator.auto_approve_confidence = 0");
    QTest::addRow("no goals per day") << QStringLiteral("[generator]\nmax_goals_per_day = 0")
                                      << QStringLiteral("generator.max_goals_per_day = 0");
    QTest::addRow("interval 7d") << QStringLiteral("[generator]\ninterval = \"7d\"")
                                 << QStringLiteral("generator.interval = 604800s");
    QTest::addRow("dotted keys") << QStringLiteral("detectors.job_failure.window = \"30m\"")
                                 << QStringLiteral("detectors.job_failure.window = 1800s");
    QTest::addRow("inline table") << QStringLiteral("tests = { command = \"make check\" }")
                                  << QStringLiteral("tests.command = make check");
    QTest::addRow("empty test command") << QStringLiteral("[tests]\ncommand = \"\"")
                                        << QStringLiteral("tests.command = ");
    QTest::addRow("branch with slash") << QStringLiteral("[workspace]\ntarget_branch = \"release/2.x\"")
                                       << QStringLiteral("workspace.target_branch = release/2.x");
    QTest::addRow("proposer openai") << QStringLiteral(
        "[proposer]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8080/v1\"\nmodel = \"qwen\"")
                                     << QStringLiteral("proposer.kind = openai");
    QTest::addRow("proposer command") << QStringLiteral("[proposer]\nkind = \"command\"\ncommand = \"my-agent --json\"")
                                      << QStringLiteral("proposer.command = my-agent --json");
    QTest::addRow("proposer agent") << QStringLiteral("[proposer]\nkind = \"agent\"\nagent = \"claude\"")
                                    << QStringLiteral("proposer.agent = claude");
    QTest::addRow("agent network") << QStringLiteral(
        "[proposer]\nkind = \"agent\"\nagent = \"codex\"\nnetwork = \"host\"")
                                   << QStringLiteral("proposer.network = host");
    QTest::addRow("agent network default") << QStringLiteral("[proposer]\nkind = \"agent\"\nagent = \"codex\"")
                                           << QStringLiteral("proposer.network = none");
    QTest::addRow("agent read_only") << QStringLiteral("[proposer]\nread_only = [\"/opt/aider\", \"~/.local/pipx\"]")
                                     << QStringLiteral("proposer.read_only = [/opt/aider, ~/.local/pipx]");
    QTest::addRow("agent env") << QStringLiteral("[proposer]\nenv = [\"MY_KEY\"]")
                               << QStringLiteral("proposer.env = [MY_KEY]");
    QTest::addRow("agent sandbox") << QStringLiteral("[proposer]\nsandbox = \"none\"\nscratch_mb = 64")
                                   << QStringLiteral("proposer.sandbox = none");
    QTest::addRow("proposer without key")
        << QStringLiteral("[proposer]\napi_key_env = \"\"") << QStringLiteral("proposer.api_key_env = ");
    QTest::addRow("empty jobs array") << QStringLiteral("jobs = []") << QStringLiteral("tests.timeout_s = 600");
    QTest::addRow("principle with several patterns")
        << QStringLiteral("[[principles]]\nname = \"p\"\ndeny_goal_text = [\"(?i)drop table\", \"^remove\"]")
        << QStringLiteral("principles.deny_goal_text = [(?i)drop table, ^remove]");
}

void TestConfig::acceptedValues()
{
    QFETCH(QString, toml);
    QFETCH(QString, setting);
    const Result<Config> result = parse(toml);
    QVERIFY2(result.ok(), qPrintable(result.message()));
    const QStringList lines = dump(*result).split(QLatin1Char('\n'));
    QVERIFY2(lines.contains(setting), qPrintable(dump(*result)));
}

void TestConfig::errors_data()
{
    QTest::addColumn<QString>("toml");
    QTest::addColumn<QStringList>("expected"); // substrings of the message

    // Positions, keys and the expected/found wording.
    QTest::addRow("string for seconds") << QStringLiteral("[tests]\ncommand = \"make check\"\ntimeout_s = \"ten\"\n")
                                        << QStringList{
                                               QStringLiteral("/repo/.astra.toml:3:13: tests.timeout_s: expected a "
                                                              "positive integer (seconds), found the string \"ten\"")};
    QTest::addRow("zero seconds") << QStringLiteral("[tests]\ntimeout_s = 0")
                                  << QStringList{QStringLiteral(":2:13: tests.timeout_s: "),
                                                 QStringLiteral("found the integer 0")};
    QTest::addRow("negative seconds") << QStringLiteral("[tests]\ntimeout_s = -5")
                                      << QStringList{QStringLiteral(":2:"), QStringLiteral("found the integer -5")};
    QTest::addRow("float seconds") << QStringLiteral("[tests]\ntimeout_s = 1.5")
                                   << QStringList{QStringLiteral("tests.timeout_s"),
                                                  QStringLiteral("found the number 1.5")};
    QTest::addRow("too many seconds") << QStringLiteral("[tests]\ntimeout_s = 99999999999")
                                      << QStringList{
                                             QStringLiteral("tests.timeout_s: expected a positive integer (seconds)"),
                                             QStringLiteral("the largest value is 2147483647")};
    QTest::addRow("zero kilobytes") << QStringLiteral("[policy]\nmax_file_kb = 0")
                                    << QStringList{QStringLiteral(
                                           "policy.max_file_kb: expected a positive integer (kilobytes)")};
    QTest::addRow("zero changed lines") << QStringLiteral("[policy]\nmax_changed_lines = 0")
                                        << QStringList{QStringLiteral(
                                               "policy.max_changed_lines: expected a positive integer (lines)")};
    QTest::addRow("misspelt scope") << QStringLiteral("[policy]\nscope = \"refused\"")
                                    << QStringList{QStringLiteral("policy.scope: expected one of \"flag\" or "
                                                                  "\"refuse\""),
                                                   QStringLiteral("did you mean 'refuse'?")};
    QTest::addRow("glob list as string")
        << QStringLiteral("[policy]\nallowed = \"src/\"")
        << QStringList{
               QStringLiteral(":2:11: policy.allowed: expected an array of strings, found the string \"src/\"")};
    QTest::addRow("glob not a string") << QStringLiteral("[policy]\nallowed = [\"src/\", 3]")
                                       << QStringList{QStringLiteral("policy.allowed[1]: expected a path glob"),
                                                      QStringLiteral("found the integer 3")};
    QTest::addRow("empty glob") << QStringLiteral("[policy]\nforbidden = [\"\"]")
                                << QStringList{QStringLiteral("policy.forbidden[0]: expected a path glob")};
    QTest::addRow("empty branch")
        << QStringLiteral("[workspace]\ntarget_branch = \"\"")
        << QStringList{QStringLiteral(
               ":2:17: workspace.target_branch: expected a branch name such as \"main\", found the string \"\"")};
    QTest::addRow("branch with space") << QStringLiteral("[workspace]\ntarget_branch = \"my branch\"")
                                       << QStringList{
                                              QStringLiteral("workspace.target_branch: expected a branch name")};
    QTest::addRow("branch with dots") << QStringLiteral("[workspace]\ntarget_branch = \"a..b\"")
                                      << QStringList{QStringLiteral("workspace.target_branch")};
    QTest::addRow("branch named HEAD") << QStringLiteral("[workspace]\ntarget_branch = \"HEAD\"")
                                       << QStringList{QStringLiteral(
                                              "workspace.target_branch: expected a branch name such as \"main\", "
                                              "found the string \"HEAD\"")};
    QTest::addRow("branch starting with a dash") << QStringLiteral("[workspace]\ntarget_branch = \"-main\"")
                                                 << QStringList{QStringLiteral("workspace.target_branch")};
    QTest::addRow("branch ending in .lock") << QStringLiteral("[workspace]\ntarget_branch = \"main.lock\"")
                                            << QStringList{QStringLiteral("workspace.target_branch")};
    QTest::addRow("branch as number") << QStringLiteral("[workspace]\ntarget_branch = 5")
                                      << QStringList{QStringLiteral("found the integer 5")};
    QTest::addRow("unknown sandbox")
        << QStringLiteral("[tests]\nsandbox = \"docker\"")
        << QStringList{QStringLiteral(
               "tests.sandbox: expected one of \"auto\", \"bwrap\" or \"none\", found the string \"docker\"")};
    QTest::addRow("misspelt sandbox") << QStringLiteral("[tests]\nsandbox = \"bwarp\"")
                                      << QStringList{QStringLiteral("tests.sandbox"),
                                                     QStringLiteral("did you mean 'bwrap'?")};
    QTest::addRow("sandbox as boolean") << QStringLiteral("[tests]\nsandbox = true")
                                        << QStringList{QStringLiteral("found the boolean true")};
    QTest::addRow("tests report")
        << QStringLiteral("[tests]\nreport = \"junit\"")
        << QStringList{QStringLiteral(
               "tests.report: expected one of \"junit:PATH\", \"ctest\" or \"pytest\", found the string \"junit\"")};
    QTest::addRow("tests report without path") << QStringLiteral("[tests]\nreport = \"junit:\"")
                                               << QStringList{QStringLiteral("the path after 'junit:' is missing")};
    QTest::addRow("tests report absolute")
        << QStringLiteral("[tests]\nreport = \"junit:/etc/passwd\"")
        << QStringList{QStringLiteral("tests.report"), QStringLiteral("must be relative")};
    QTest::addRow("tests report outside")
        << QStringLiteral("[tests]\nreport = \"junit:build/../../x.xml\"")
        << QStringList{QStringLiteral("tests.report"), QStringLiteral("must be relative")};
    QTest::addRow("tests report sarif") << QStringLiteral("[tests]\nreport = \"sarif:x.sarif\"")
                                        << QStringList{QStringLiteral("tests.report: expected one of")};
    QTest::addRow("job report pytest")
        << QStringLiteral("[[jobs]]\nname = \"a\"\ncommand = \"b\"\nreport = \"pytest\"")
        << QStringList{QStringLiteral(":4:10: jobs[0].report: expected one of \"junit:PATH\", \"ctest\", "
                                      "\"sarif:PATH\" or \"clang-tidy-fixes:PATH\", found the string \"pytest\"")};

    // Unknown keys and tables.
    QTest::addRow("misspelt key") << QStringLiteral("[tests]\ncomand = \"make\"")
                                  << QStringList{QStringLiteral(
                                         "/repo/.astra.toml:2:1: tests.comand: unknown key; did you mean 'command'?")};
    QTest::addRow("key in wrong case") << QStringLiteral("[proposer]\nKind = \"none\"")
                                       << QStringList{
                                              QStringLiteral("proposer.Kind: unknown key; did you mean 'kind'?")};
    QTest::addRow("unknown key")
        << QStringLiteral("[tests]\nparallel = 4")
        << QStringList{
               QStringLiteral("tests.parallel: unknown key; expected one of: command, timeout_s, report, sandbox")};
    QTest::addRow("quoted unknown key") << QStringLiteral("[tests]\n\"time out\" = 4")
                                        << QStringList{QStringLiteral("tests.\"time out\": unknown key")};
    QTest::addRow("unknown table") << QStringLiteral("\n[test]\ncommand = \"make\"")
                                   << QStringList{QStringLiteral(":2:2: test: unknown table; did you mean 'tests'?")};
    QTest::addRow("unknown array of tables") << QStringLiteral("[[job]]\nname = \"a\"")
                                             << QStringList{QStringLiteral("job: unknown table; did you mean 'jobs'?")};
    QTest::addRow("unknown top-level table")
        << QStringLiteral("[database]\nurl = \"x\"")
        << QStringList{QStringLiteral("database: unknown table; expected one of: workspace, policy, tests, jobs, "
                                      "generator, detectors, principles, proposer")};
    QTest::addRow("key above the tables")
        << QStringLiteral("target_branch = \"main\"")
        << QStringList{QStringLiteral(":1:1: target_branch: unknown key; did you mean 'workspace.target_branch'?")};
    QTest::addRow("key of two tables above the tables")
        << QStringLiteral("timeout_s = 5\n[tests]\n")
        << QStringList{
               QStringLiteral("timeout_s: unknown key; did you mean 'tests.timeout_s' or 'proposer.timeout_s'?")};
    QTest::addRow("unknown detector") << QStringLiteral("[detectors.job_failures]\nthreshold = 2")
                                      << QStringList{QStringLiteral(
                                             "detectors.job_failures: unknown detector; did you mean 'job_failure'?")};
    QTest::addRow("unknown key in detector")
        << QStringLiteral("[detectors.job_failure]\nthreshhold = 2")
        << QStringList{QStringLiteral("detectors.job_failure.threshhold: unknown key; did you mean 'threshold'?")};
    QTest::addRow("unknown key in job") << QStringLiteral("[[jobs]]\nname = \"a\"\ncommand = \"b\"\ninterval = \"1h\"")
                                        << QStringList{QStringLiteral("jobs[0].interval: unknown key")};
    QTest::addRow("unknown key in principle")
        << QStringLiteral("[[principles]]\nname = \"a\"\ndeny_path = [\"src/\"]")
        << QStringList{QStringLiteral("principles[0].deny_path: unknown key; did you mean 'deny_paths'?")};
    QTest::addRow("secret in config") << QStringLiteral(
        "[proposer]\nkind = \"openai\"\nbase_url = \"http://h/v1\"\nmodel = \"m\"\napi_key = \"sk-1\"")
                                      << QStringList{QStringLiteral(
                                                         ":5:1: proposer.api_key: unknown key; never write a secret"),
                                                     QStringLiteral("proposer.api_key_env")};

    // Sections of the wrong shape.
    QTest::addRow("section not a table") << QStringLiteral(
        "tests = 5") << QStringList{QStringLiteral(":1:9: tests: expected a table ([tests]), found the integer 5")};
    QTest::addRow("jobs as one table") << QStringLiteral("[jobs]\nname = \"a\"")
                                       << QStringList{QStringLiteral(
                                              "jobs: expected an array of tables ([[jobs]]), found a table")};
    QTest::addRow("job not a table") << QStringLiteral(
        "jobs = [1]") << QStringList{QStringLiteral("jobs[0]: expected a table ([[jobs]]), found the integer 1")};
    QTest::addRow("detector not a table")
        << QStringLiteral("[detectors]\njob_failure = 3")
        << QStringList{QStringLiteral("detectors.job_failure: expected a table ([detectors.job_failure])")};

    // Generator and detectors.
    QTest::addRow("confidence above one")
        << QStringLiteral("[generator]\nmin_confidence = 1.5")
        << QStringList{
               QStringLiteral(":2:18: generator.min_confidence: expected a number from 0 to 1, found the number 1.5")};
    QTest::addRow("negative confidence") << QStringLiteral("[generator]\nauto_approve_confidence = -0.1")
                                         << QStringList{QStringLiteral("generator.auto_approve_confidence"),
                                                        QStringLiteral("found the number -0.1")};
    QTest::addRow("confidence nan") << QStringLiteral("[generator]\nmin_confidence = nan")
                                    << QStringList{QStringLiteral("generator.min_confidence"),
                                                   QStringLiteral("found the number nan")};
    QTest::addRow("confidence as string") << QStringLiteral("[generator]\nmin_confidence = \"high\"")
                                          << QStringList{QStringLiteral("found the string \"high\"")};
    QTest::addRow("boolean as string")
        << QStringLiteral("[generator]\nauto_approve = \"yes\"")
        << QStringList{QStringLiteral("generator.auto_approve: expected true or false, found the string \"yes\"")};
    QTest::addRow("negative goal count") << QStringLiteral("[generator]\nmax_goals_per_day = -1")
                                         << QStringList{QStringLiteral(
                                                "generator.max_goals_per_day: expected an integer, 0 or more")};
    QTest::addRow("negative goal count per detector")
        << QStringLiteral("[generator]\nmax_goals_per_detector_per_day = -3")
        << QStringList{QStringLiteral("generator.max_goals_per_detector_per_day")};
    QTest::addRow("zero interval") << QStringLiteral("[generator]\ninterval = \"0s\"")
                                   << QStringList{
                                          QStringLiteral("generator.interval: expected a duration greater than zero"),
                                          QStringLiteral("found \"0s\"")};
    QTest::addRow("interval as word")
        << QStringLiteral("[generator]\ninterval = \"hourly\"")
        << QStringList{QStringLiteral(":2:12: generator.interval: expected a duration such as 30s, 15m, 24h or 7d"),
                       QStringLiteral("found \"hourly\"")};
    QTest::addRow("interval as number")
        << QStringLiteral("[generator]\ninterval = 60")
        << QStringList{QStringLiteral(
               "generator.interval: expected a duration such as 30s, 15m, 24h or 7d, found the integer 60")};
    QTest::addRow("window in weeks") << QStringLiteral("[detectors.job_failure]\nwindow = \"1w\"")
                                     << QStringList{
                                            QStringLiteral("detectors.job_failure.window: expected a duration")};
    QTest::addRow("zero threshold") << QStringLiteral("[detectors.job_failure]\nthreshold = 0")
                                    << QStringList{QStringLiteral(
                                           "detectors.job_failure.threshold: expected a positive integer")};

    // Jobs.
    QTest::addRow("third job's duration")
        << QStringLiteral(
               "[[jobs]]\nname = \"a\"\ncommand = \"x\"\n\n[[jobs]]\nname = \"b\"\ncommand = \"x\"\n\n"
               "[[jobs]]\nname = \"c\"\ncommand = \"x\"\nevery = \"soon\"\n")
        << QStringList{QStringLiteral("/repo/.astra.toml:12:9: jobs[2].every: expected a duration")};
    QTest::addRow("job without name") << QStringLiteral("[[jobs]]\ncommand = \"x\"")
                                      << QStringList{
                                             QStringLiteral(":1:1: jobs[0].name: expected a job name, found none"),
                                             QStringLiteral("needs a name and a command")};
    QTest::addRow("job without command") << QStringLiteral("[tests]\n\n[[jobs]]\nname = \"a\"")
                                         << QStringList{QStringLiteral(
                                                ":3:1: jobs[0].command: expected a command line, found none")};
    QTest::addRow("job with empty name") << QStringLiteral("[[jobs]]\nname = \" \"\ncommand = \"x\"")
                                         << QStringList{QStringLiteral(
                                                "jobs[0].name: expected a job name, found the string \" \"")};
    QTest::addRow("job with zero timeout")
        << QStringLiteral("[[jobs]]\nname = \"a\"\ncommand = \"x\"\ntimeout_s = 0")
        << QStringList{QStringLiteral("jobs[0].timeout_s: expected a positive integer (seconds)")};
    QTest::addRow("duplicate job names")
        << QStringLiteral("[[jobs]]\nname = \"a\"\ncommand = \"x\"\n[[jobs]]\nname = \"a\"\ncommand = \"y\"")
        << QStringList{QStringLiteral(
               ":5:8: jobs[1].name: expected a name no other job has, found the string \"a\" (jobs[0] has that name)")};

    // Principles.
    QTest::addRow("invalid regular expression")
        << QStringLiteral(
               "[[principles]]\nname = \"a\"\n\n[[principles]]\nname = \"b\"\ndeny_goal_text = [\"(?i)disable (\"]")
        << QStringList{QStringLiteral(":6:19: principles[1].deny_goal_text[0]: expected a regular expression, found "
                                      "the string \"(?i)disable (\""),
                       QStringLiteral("missing closing parenthesis at offset 13")};
    QTest::addRow("empty regular expression") << QStringLiteral("[[principles]]\nname = \"a\"\ndeny_goal_text = [\"\"]")
                                              << QStringList{QStringLiteral("principles[0].deny_goal_text[0]"),
                                                             QStringLiteral("an empty pattern matches every goal")};
    QTest::addRow("principle without name")
        << QStringLiteral("[[principles]]\ndeny_paths = [\"src/\"]")
        << QStringList{QStringLiteral("principles[0].name: expected a principle name, found none")};
    QTest::addRow("duplicate principles")
        << QStringLiteral("[[principles]]\nname = \"a\"\n[[principles]]\nname = \"a\"")
        << QStringList{QStringLiteral("principles[1].name: expected a name no other principle has"),
                       QStringLiteral("(principles[0] has that name)")};
    QTest::addRow("deny paths not a list")
        << QStringLiteral("[[principles]]\nname = \"a\"\ndeny_paths = \"src/\"")
        << QStringList{QStringLiteral("principles[0].deny_paths: expected an array of strings")};

    // Proposer.
    QTest::addRow("unknown proposer") << QStringLiteral("[proposer]\nkind = \"claude\"")
                                      << QStringList{
                                             QStringLiteral("proposer.kind: expected one of \"fixits\", \"openai\", "
                                                            "\"command\", \"agent\" or \"none\", found the string "
                                                            "\"claude\" (for claude write kind = \"agent\" and agent "
                                                            "= \"claude\")")};
    QTest::addRow("forbidden with dot dot")
        << QStringLiteral("[policy]\nforbidden = [\"src/../config/\"]")
        << QStringList{QStringLiteral("policy.forbidden[0]: expected a path glob such as \"src/\""),
                       QStringLiteral("never match")};
    QTest::addRow("allowed absolute") << QStringLiteral("[policy]\nallowed = [\"/src/\"]")
                                      << QStringList{QStringLiteral("policy.allowed[0]"),
                                                     QStringLiteral("without a leading /")};
    QTest::addRow("glob with an open set")
        << QStringLiteral("[policy]\nforbidden = [\"config/\", \"src/[abc\"]")
        << QStringList{QStringLiteral(":2:25: policy.forbidden[1]: expected a path glob"), QStringLiteral("src/[abc")};
    QTest::addRow("glob with a lone bang")
        << QStringLiteral("[policy]\nallowed = [\"!\"]") << QStringList{QStringLiteral("policy.allowed[0]")};
    QTest::addRow("target HEAD") << QStringLiteral("[workspace]\ntarget_branch = \"HEAD\"")
                                 << QStringList{QStringLiteral("workspace.target_branch: expected a branch name")};
    QTest::addRow("target an agent branch") << QStringLiteral("[workspace]\ntarget_branch = \"astra/goal-1-1\"")
                                            << QStringList{QStringLiteral("not a branch people merge into")};
    QTest::addRow("unknown agent") << QStringLiteral("[proposer]\nkind = \"agent\"\nagent = \"cursor\"")
                                   << QStringList{QStringLiteral("proposer.agent: expected one of \"aider\"")};
    QTest::addRow("agent without agent") << QStringLiteral("[proposer]\nkind = \"agent\"")
                                         << QStringList{QStringLiteral("proposer.agent: expected one of")};
    QTest::addRow("network word") << QStringLiteral("[proposer]\nnetwork = \"on\"")
                                  << QStringList{QStringLiteral(
                                         "proposer.network: expected one of \"none\" or \"host\", found the string "
                                         "\"on\"")};
    QTest::addRow("read_only relative") << QStringLiteral("[proposer]\nread_only = [\"opt/agent\"]")
                                        << QStringList{
                                               QStringLiteral("proposer.read_only[0]: expected an absolute path")};
    QTest::addRow("env not a name") << QStringLiteral("[proposer]\nenv = [\"MY KEY\"]")
                                    << QStringList{
                                           QStringLiteral("proposer.env[0]: expected the name of an environment")};
    QTest::addRow("proposer kind in wrong case")
        << QStringLiteral("[proposer]\nkind = \"OpenAI\"") << QStringList{QStringLiteral("did you mean 'openai'?")};
    QTest::addRow("openai without base_url")
        << QStringLiteral("[proposer]\nkind = \"openai\"\nmodel = \"m\"")
        << QStringList{QStringLiteral(":2:8: proposer.base_url: expected an http:// or https:// URL"),
                       QStringLiteral("because proposer.kind is \"openai\", found none")};
    QTest::addRow("openai without model")
        << QStringLiteral("[proposer]\nkind = \"openai\"\nbase_url = \"https://api.example.com/v1\"")
        << QStringList{
               QStringLiteral("proposer.model: expected a model name because proposer.kind is \"openai\", found none")};
    QTest::addRow("command without command")
        << QStringLiteral("[proposer]\nkind = \"command\"")
        << QStringList{QStringLiteral(
               "proposer.command: expected a command line because proposer.kind is \"command\", found none")};
    QTest::addRow("base_url not http") << QStringLiteral("[proposer]\nbase_url = \"ftp://example.com\"")
                                       << QStringList{
                                              QStringLiteral("proposer.base_url: expected an http:// or https:// URL")};
    QTest::addRow("base_url not a URL") << QStringLiteral("[proposer]\nbase_url = \"localhost port 8080\"")
                                        << QStringList{QStringLiteral("proposer.base_url")};
    QTest::addRow("bad variable name") << QStringLiteral("[proposer]\napi_key_env = \"MY KEY\"")
                                       << QStringList{QStringLiteral(
                                              "proposer.api_key_env: expected the name of an environment variable")};
    QTest::addRow("proposer zero timeout")
        << QStringLiteral("[proposer]\ntimeout_s = 0")
        << QStringList{QStringLiteral("proposer.timeout_s: expected a positive integer (seconds)")};

    // TOML itself.
    QTest::addRow("syntax error") << QStringLiteral("[tests]\ntimeout_s = \n")
                                  << QStringList{QStringLiteral("/repo/.astra.toml:2:"),
                                                 QStringLiteral(": TOML syntax error: ")};
    QTest::addRow("redefined key") << QStringLiteral("[tests]\ntimeout_s = 1\ntimeout_s = 2\n")
                                   << QStringList{QStringLiteral("/repo/.astra.toml:3:"),
                                                  QStringLiteral("TOML syntax error")};
    QTest::addRow("redefined table") << QStringLiteral("[tests]\n[policy]\n[tests]\n")
                                     << QStringList{QStringLiteral("/repo/.astra.toml:3:"),
                                                    QStringLiteral("TOML syntax error")};
    QTest::addRow("unterminated string") << QStringLiteral("[tests]\ncommand = \"make\n")
                                         << QStringList{QStringLiteral("/repo/.astra.toml:2:"),
                                                        QStringLiteral("TOML syntax error")};
}

void TestConfig::errors()
{
    QFETCH(QString, toml);
    QFETCH(QStringList, expected);
    const Result<Config> result = parse(toml);
    QVERIFY2(!result.ok(), qPrintable(result.ok() ? dump(*result) : QString()));
    QCOMPARE(result.error().kind, ErrorKind::Invalid);
    const QString message = result.message();
    for (const QString &part : expected)
        QVERIFY2(message.contains(part),
                 qPrintable(QStringLiteral("\"%1\" not in the message:\n%2").arg(part, message)));
    // Every line is one problem, compiler style, naming the file.
    const QStringList lines = message.split(QLatin1Char('\n'));
    for (const QString &line : lines)
        QVERIFY2(line.startsWith(displayPath + QLatin1Char(':')), qPrintable(message));
}

void TestConfig::errorsInFileOrder()
{
    const QString toml = QStringLiteral(
        "[proposer]\ntimeout_s = 0\n\n[tests]\ntimeout_s = -1\nsandbox = \"x\"\n\n[generator]\ninterval = \"1y\"\n");
    const Result<Config> result = parse(toml);
    QVERIFY(!result.ok());
    const QStringList lines = result.message().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines.at(0).startsWith(QStringLiteral("/repo/.astra.toml:2:13: proposer.timeout_s: ")),
             qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("/repo/.astra.toml:5:13: tests.timeout_s: ")),
             qPrintable(lines.at(1)));
    QVERIFY2(lines.at(2).startsWith(QStringLiteral("/repo/.astra.toml:6:11: tests.sandbox: ")),
             qPrintable(lines.at(2)));
    QVERIFY2(lines.at(3).startsWith(QStringLiteral("/repo/.astra.toml:9:12: generator.interval: ")),
             qPrintable(lines.at(3)));
}

void TestConfig::manyErrorsAreCapped()
{
    QString toml;
    for (int i = 0; i < 25; ++i)
        toml += QStringLiteral("[[jobs]]\nname = \"job%1\"\ncommand = \"x\"\nevery = \"never\"\n").arg(i);
    const Result<Config> result = parse(toml);
    QVERIFY(!result.ok());
    const QStringList lines = result.message().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 21);
    QVERIFY2(lines.first().contains(QStringLiteral("jobs[0].every")), qPrintable(lines.first()));
    QVERIFY2(lines.at(19).contains(QStringLiteral("jobs[19].every")), qPrintable(lines.at(19)));
    QVERIFY2(lines.last().startsWith(displayPath + QLatin1String(": ")), qPrintable(lines.last()));
    QVERIFY2(lines.last().contains(QLatin1String("5 more")), qPrintable(lines.last()));
}

void TestConfig::invalidUtf8()
{
    const Result<Config> result = parseConfig(QByteArray("[tests]\ncommand = \"\xff\"\n"), displayPath, configChecks());
    QVERIFY(!result.ok());
    QVERIFY2(result.message().startsWith(QStringLiteral("/repo/.astra.toml:2:")), qPrintable(result.message()));
    QVERIFY2(result.message().contains(QStringLiteral("TOML syntax error")), qPrintable(result.message()));
}

void TestConfig::templateRoundTrip_data()
{
    QTest::addColumn<QString>("branch");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("report"); // set by the template for the commands it knows the output of

    QTest::addRow("cmake") << QStringLiteral("main")
                           << QStringLiteral("cmake -S . -B build && cmake --build build && ctest --test-dir build")
                           << QStringLiteral("ctest");
    QTest::addRow("no tests") << QStringLiteral("develop") << QString() << QString();
    QTest::addRow("quotes and backslashes")
        << QStringLiteral("release/2.x") << QStringLiteral("pytest -k \"not slow\" --basetemp C:\\tmp\\pt")
        << QStringLiteral("pytest");
    QTest::addRow("control characters") << QStringLiteral("trunk") << QStringLiteral("make test\tTESTS=\"a b\"\nexit 0")
                                        << QString();
    QTest::addRow("non-ASCII") << QStringLiteral("entwicklung") << QStringLiteral("./prüfe.sh — alle") << QString();
    QTest::addRow("no branch given") << QString() << QStringLiteral("cargo test") << QString();
}

void TestConfig::templateRoundTrip()
{
    QFETCH(QString, branch);
    QFETCH(QString, command);
    QFETCH(QString, report);

    const QString text = defaultConfigText(branch, command);
    const Result<Config> result = parseConfig(text.toUtf8(), displayPath, configChecks());
    QVERIFY2(result.ok(), qPrintable(result.message() + QLatin1Char('\n') + text));

    Config expected = defaultConfig();
    if (!branch.isEmpty())
        expected.workspace.targetBranch = branch;
    expected.tests.command = command;
    expected.tests.report = report;
    expected.sourcePath = displayPath;
    expected.fromFile = true;
    QCOMPARE(dump(*result), dump(expected));
    QVERIFY(*result == expected);
}

void TestConfig::templateHasEverySection()
{
    const QString text = defaultConfigText(QStringLiteral("main"), QStringLiteral("make check"));
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const char *header : {"[workspace]",
                               "[policy]",
                               "[tests]",
                               "# [[jobs]]",
                               "[generator]",
                               "[detectors.job_failure]",
                               "# [[principles]]",
                               "[proposer]"}) {
        QVERIFY2(lines.contains(QLatin1String(header)), header);
    }
    // Every key of DESIGN.md is spelt out, as a setting or as a commented example.
    for (const char *key : {"target_branch",
                            "allowed",
                            "forbidden",
                            "max_file_kb",
                            "max_files",
                            "max_total_kb",
                            "scope",
                            "max_changed_lines",
                            "command",
                            "timeout_s",
                            "report",
                            "sandbox",
                            "name",
                            "every",
                            "interval",
                            "min_confidence",
                            "max_goals_per_day",
                            "max_goals_per_detector_per_day",
                            "auto_approve",
                            "auto_approve_confidence",
                            "threshold",
                            "window",
                            "deny_paths",
                            "deny_goal_text",
                            "kind",
                            "base_url",
                            "model",
                            "api_key_env"}) {
        const QRegularExpression pattern(QStringLiteral("^(# )?%1 = ").arg(QLatin1String(key)),
                                         QRegularExpression::MultilineOption);
        QVERIFY2(pattern.match(text).hasMatch(), key);
    }
}

// The commented examples are valid too: uncommented, the template still parses.
void TestConfig::templateExamplesParse()
{
    QStringList lines =
        defaultConfigText(QStringLiteral("main"), QStringLiteral("make check")).split(QLatin1Char('\n'));
    // The examples of allowed and forbidden replace the empty lists.
    lines.removeAll(QStringLiteral("allowed = []"));
    lines.removeAll(QStringLiteral("forbidden = []"));
    const QRegularExpression example(QStringLiteral("^# ([a-z_]+ = .*|\\[\\[[a-z]+\\]\\])$"));
    for (QString &line : lines) {
        if (example.match(line).hasMatch())
            line.remove(0, 2);
    }
    const QString text = lines.join(QLatin1Char('\n'));
    const Result<Config> result = parse(text);
    QVERIFY2(result.ok(), qPrintable(result.message() + QLatin1Char('\n') + text));
    QCOMPARE(result->jobs.size(), 1);
    QVERIFY(result->jobs.first().every == 24h);
    QCOMPARE(result->principles.size(), 1);
    QCOMPARE(result->policy.allowed.size(), 3);
    QCOMPARE(result->policy.forbidden.size(), 2);
    QCOMPARE(result->tests.report, QStringLiteral("junit:build/report.xml"));
    QCOMPARE(result->proposer.baseUrl, QStringLiteral("http://127.0.0.1:8080/v1"));
}

void TestConfig::loadFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral(".astra.toml"));
    QVERIFY(writeFile(path, QByteArray(designExampleToml)));
    const Result<Config> result = loadConfigFile(path, configChecks());
    QVERIFY2(result.ok(), qPrintable(result.message()));
    QCOMPARE(result->sourcePath, path);
    QVERIFY(result->fromFile);
    QCOMPARE(result->jobs.size(), 1);

    // Messages name the file that was read.
    QVERIFY(writeFile(path, QByteArrayLiteral("[tests]\ntimeout_s = \"ten\"\n")));
    const Result<Config> invalid = loadConfigFile(path, configChecks());
    QVERIFY(!invalid.ok());
    QCOMPARE(invalid.error().kind, ErrorKind::Invalid);
    QVERIFY2(invalid.message().startsWith(path + QLatin1String(":2:13: tests.timeout_s: ")),
             qPrintable(invalid.message()));
}

void TestConfig::loadMissingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral(".astra.toml"));
    const Result<Config> result = loadConfigFile(path, configChecks());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, ErrorKind::NotFound);
    QVERIFY2(result.message().contains(path), qPrintable(result.message()));
}

void TestConfig::loadDirectory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<Config> result = loadConfigFile(dir.path(), configChecks());
    QVERIFY(!result.ok());
    QCOMPARE(result.error().kind, ErrorKind::Failed);
    QVERIFY2(result.message().contains(dir.path()), qPrintable(result.message()));
}

void TestConfig::jobLookup()
{
    const Result<Config> result =
        parse(QStringLiteral("[[jobs]]\nname = \"a\"\ncommand = \"x\"\n[[jobs]]\nname = \"b\"\ncommand = \"y\""));
    QVERIFY2(result.ok(), qPrintable(result.message()));
    QVERIFY(result->job(QStringLiteral("b")));
    QCOMPARE(result->job(QStringLiteral("b"))->command, QStringLiteral("y"));
    QVERIFY(!result->job(QStringLiteral("c")));
}

void TestConfig::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");

    QTest::addRow("30s") << QStringLiteral("30s") << qint64(30);
    QTest::addRow("1s") << QStringLiteral("1s") << qint64(1);
    QTest::addRow("15m") << QStringLiteral("15m") << qint64(15 * 60);
    QTest::addRow("24h") << QStringLiteral("24h") << qint64(24 * 3600);
    QTest::addRow("7d") << QStringLiteral("7d") << qint64(7 * 86400);
    QTest::addRow("leading zero") << QStringLiteral("05m") << qint64(300);
    QTest::addRow("large") << QStringLiteral("3650d") << qint64(3650) * 86400;
}

void TestConfig::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    const Result<std::chrono::seconds> result = astra::parseDuration(text);
    QVERIFY2(result.ok(), qPrintable(result.message()));
    QCOMPARE(qint64(result->count()), seconds);
}

void TestConfig::invalidDuration_data()
{
    QTest::addColumn<QString>("text");

    QTest::addRow("empty") << QString();
    QTest::addRow("unit only") << QStringLiteral("s");
    QTest::addRow("no unit") << QStringLiteral("10");
    QTest::addRow("zero") << QStringLiteral("0s");
    QTest::addRow("zero days") << QStringLiteral("00d");
    QTest::addRow("negative") << QStringLiteral("-5m");
    QTest::addRow("plus sign") << QStringLiteral("+5m");
    QTest::addRow("fraction") << QStringLiteral("1.5h");
    QTest::addRow("compound") << QStringLiteral("1h30m");
    QTest::addRow("space inside") << QStringLiteral("10 s");
    QTest::addRow("leading space") << QStringLiteral(" 10s");
    QTest::addRow("upper-case unit") << QStringLiteral("10S");
    QTest::addRow("weeks") << QStringLiteral("2w");
    QTest::addRow("word") << QStringLiteral("ten");
    QTest::addRow("non-ASCII digits") << QStringLiteral("\u0663s");
    QTest::addRow("overflowing number") << QStringLiteral("99999999999999999999s");
    QTest::addRow("overflowing seconds") << QStringLiteral("9223372036854775807d");
}

void TestConfig::invalidDuration()
{
    QFETCH(QString, text);
    const Result<std::chrono::seconds> result = astra::parseDuration(text);
    QVERIFY2(!result.ok(), qPrintable(QString::number(result.ok() ? result->count() : 0)));
    QCOMPARE(result.error().kind, ErrorKind::Invalid);
    QVERIFY2(result.message().contains(QStringLiteral("expected a duration")), qPrintable(result.message()));
    QVERIFY2(result.message().contains(QLatin1Char('"') + text + QLatin1Char('"')), qPrintable(result.message()));
}

void TestConfig::formatDuration_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");

    QTest::addRow("zero") << qint64(0) << QStringLiteral("0s");
    QTest::addRow("30s") << qint64(30) << QStringLiteral("30s");
    QTest::addRow("90s") << qint64(90) << QStringLiteral("90s");
    QTest::addRow("15m") << qint64(900) << QStringLiteral("15m");
    QTest::addRow("90m") << qint64(5400) << QStringLiteral("90m");
    QTest::addRow("1h") << qint64(3600) << QStringLiteral("1h");
    QTest::addRow("25h") << qint64(90000) << QStringLiteral("25h");
    QTest::addRow("1d") << qint64(86400) << QStringLiteral("1d");
    QTest::addRow("7d") << qint64(604800) << QStringLiteral("7d");
    QTest::addRow("negative") << qint64(-7200) << QStringLiteral("-2h");
}

void TestConfig::formatDuration()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(astra::formatDuration(std::chrono::seconds(seconds)), text);
    if (seconds > 0) {
        const Result<std::chrono::seconds> back = astra::parseDuration(text);
        QVERIFY2(back.ok(), qPrintable(back.message()));
        QCOMPARE(qint64(back->count()), seconds);
    }
}

void TestConfig::guessTestCommand_data()
{
    QTest::addColumn<QVariantMap>("files"); // name -> content
    QTest::addColumn<QString>("command");

    const auto files = [](std::initializer_list<std::pair<const char *, const char *>> entries) {
        QVariantMap map;
        for (const auto &[name, content] : entries)
            map.insert(QLatin1String(name), QString::fromUtf8(content));
        return map;
    };

    QTest::addRow("empty") << QVariantMap() << QString();
    QTest::addRow("README only") << files({{"README.md", "# hello\n"}}) << QString();
    // A fresh export has no build folder: the guess configures and builds before it tests.
    QTest::addRow("cmake") << files({{"CMakeLists.txt", "project(x)\n"}})
                           << QStringLiteral(
                                  "cmake -S . -B build && cmake --build build && ctest --test-dir build "
                                  "--output-on-failure --no-tests=error");
    QTest::addRow("pytest.ini") << files({{"pytest.ini", "[pytest]\n"}}) << QStringLiteral("python3 -m pytest");
    QTest::addRow("conftest.py") << files({{"conftest.py", ""}}) << QStringLiteral("python3 -m pytest");
    QTest::addRow("tox.ini with pytest") << files({{"tox.ini", "[tox]\nenvlist = py3\n\n[pytest]\naddopts = -q\n"}})
                                         << QStringLiteral("python3 -m pytest");
    QTest::addRow("tox.ini without pytest") << files({{"tox.ini", "[tox]\nenvlist = py3\n"}}) << QString();
    QTest::addRow("setup.cfg with pytest")
        << files({{"setup.cfg", "[metadata]\nname = x\n[tool:pytest]\n"}}) << QStringLiteral("python3 -m pytest");
    QTest::addRow("pyproject with pytest")
        << files({{"pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pytest.ini_options]\nminversion = \"6.0\"\n"}})
        << QStringLiteral("python3 -m pytest");
    QTest::addRow("pyproject without pytest") << files({{"pyproject.toml", "[project]\nname = \"x\"\n"}}) << QString();
    QTest::addRow("package.json") << files({{"package.json", R"({"name": "x", "scripts": {"test": "jest"}})"}})
                                  << QStringLiteral("npm test");
    QTest::addRow("package.json placeholder")
        << files({{"package.json", R"({"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}})"}})
        << QString();
    QTest::addRow("package.json without scripts") << files({{"package.json", R"({"name": "x"})"}}) << QString();
    QTest::addRow("package.json unreadable") << files({{"package.json", "{ not json"}}) << QStringLiteral("npm test");
    QTest::addRow("cargo") << files({{"Cargo.toml", "[package]\nname = \"x\"\n"}}) << QStringLiteral("cargo test");
    QTest::addRow("go") << files({{"go.mod", "module example.com/x\n"}}) << QStringLiteral("go test ./...");
    QTest::addRow("meson") << files({{"meson.build", "project('x', 'c')\n"}})
                           << QStringLiteral("meson setup build && meson test -C build");
    QTest::addRow("make test") << files({{"Makefile", "all:\n\tcc x.c\n\ntest: all\n\t./run-tests\n"}})
                               << QStringLiteral("make test");
    QTest::addRow("make check") << files({{"Makefile", ".PHONY: check\ncheck:\n\t./run-tests\n"}})
                                << QStringLiteral("make check");
    QTest::addRow("make test before check")
        << files({{"Makefile", "check:\n\ttrue\ntest:\n\ttrue\n"}}) << QStringLiteral("make test");
    QTest::addRow("make double-colon rule") << files({{"Makefile", "test::\n\ttrue\n"}}) << QStringLiteral("make test");
    QTest::addRow("make variable only") << files({{"Makefile", "test := 1\ncheck = 2\nall:\n\ttrue\n"}}) << QString();
    QTest::addRow("make without tests") << files({{"Makefile", "all:\n\tcc x.c\n"}}) << QString();
    QTest::addRow("GNUmakefile first") << files({{"GNUmakefile", "all:\n"}, {"Makefile", "test:\n"}}) << QString();
    QTest::addRow("cmake wins over pytest") << files({{"CMakeLists.txt", ""}, {"pytest.ini", ""}})
                                            << QStringLiteral(
                                                   "cmake -S . -B build && cmake --build build && ctest --test-dir "
                                                   "build --output-on-failure --no-tests=error");
    QTest::addRow("pytest wins over make")
        << files({{"conftest.py", ""}, {"Makefile", "test:\n"}}) << QStringLiteral("python3 -m pytest");
    QTest::addRow("marker in a subfolder") << files({{"sub/CMakeLists.txt", ""}}) << QString();
    QTest::addRow("folder named like a marker") << files({{"CMakeLists.txt/keep", ""}}) << QString();
}

void TestConfig::guessTestCommand()
{
    QFETCH(QVariantMap, files);
    QFETCH(QString, command);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (auto it = files.constBegin(); it != files.constEnd(); ++it) {
        const QString path = dir.filePath(it.key());
        QVERIFY(QDir().mkpath(QFileInfo(path).path()));
        QVERIFY(writeFile(path, it.value().toString().toUtf8()));
    }
    QCOMPARE(astra::guessTestCommand(dir.path()), command);
}

void TestConfig::guessTestCommandWithoutFolder()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(astra::guessTestCommand(dir.filePath(QStringLiteral("missing"))), QString());
    QCOMPARE(astra::guessTestCommand(QString()), QString());
}

QTEST_GUILESS_MAIN(TestConfig)

#include "tst_config.moc"
