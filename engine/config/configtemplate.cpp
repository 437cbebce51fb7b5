#include "config/configtemplate.h"

#include "config/astraconfig.h"
#include "config/duration.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>

namespace astra {

namespace {

// Marker files are small; a huge one is read only this far.
constexpr qint64 maxMarkerBytes = 1024 * 1024;

bool isFile(const QDir &dir, const QString &name)
{
    return QFileInfo(dir.filePath(name)).isFile();
}

QString readMarker(const QDir &dir, const QString &name)
{
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.read(maxMarkerBytes));
}

bool usesPytest(const QDir &dir)
{
    if (isFile(dir, QStringLiteral("pytest.ini")) || isFile(dir, QStringLiteral("conftest.py")))
        return true;
    const QRegularExpression toxSection(QStringLiteral("^\\s*\\[pytest\\]"), QRegularExpression::MultilineOption);
    if (toxSection.match(readMarker(dir, QStringLiteral("tox.ini"))).hasMatch())
        return true;
    const QRegularExpression setupSection(QStringLiteral("^\\s*\\[tool:pytest\\]"),
                                          QRegularExpression::MultilineOption);
    if (setupSection.match(readMarker(dir, QStringLiteral("setup.cfg"))).hasMatch())
        return true;
    const QRegularExpression pyprojectSection(QStringLiteral("^\\s*\\[tool\\.pytest"),
                                              QRegularExpression::MultilineOption);
    return pyprojectSection.match(readMarker(dir, QStringLiteral("pyproject.toml"))).hasMatch();
}

// npm init writes a "test" script that only fails; that is no test suite. A package.json
// that does not parse still gets `npm test`: npm will say what is wrong with it.
bool hasNpmTests(const QDir &dir)
{
    const QString name = QStringLiteral("package.json");
    if (!isFile(dir, name))
        return false;
    QFile file(dir.filePath(name));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(maxMarkerBytes));
    if (!document.isObject())
        return true;
    const QJsonValue test = document.object().value(QLatin1String("scripts")).toObject().value(QLatin1String("test"));
    return test.isString() && !test.toString().trimmed().isEmpty()
        && !test.toString().contains(QLatin1String("no test specified"));
}

QString makeTarget(const QDir &dir)
{
    for (const QString &name :
         {QStringLiteral("GNUmakefile"), QStringLiteral("makefile"), QStringLiteral("Makefile")}) {
        if (!isFile(dir, name))
            continue;
        const QString text = readMarker(dir, name);
        for (const QString &target : {QStringLiteral("test"), QStringLiteral("check")}) {
            // "test:" or "test::" starts a rule; "test := value" sets a variable.
            const QRegularExpression rule(QLatin1Char('^') + target + QLatin1String("[ \\t]*:(?!=)"),
                                          QRegularExpression::MultilineOption);
            if (rule.match(text).hasMatch())
                return target;
        }
        return QString(); // make reads only the first of these names
    }
    return QString();
}

// A TOML basic string.
QString tomlString(const QString &value)
{
    QString result = QStringLiteral("\"");
    for (const QChar c : value) {
        switch (c.unicode()) {
        case '"':
            result += QLatin1String("\\\"");
            break;
        case '\\':
            result += QLatin1String("\\\\");
            break;
        case '\b':
            result += QLatin1String("\\b");
            break;
        case '\t':
            result += QLatin1String("\\t");
            break;
        case '\n':
            result += QLatin1String("\\n");
            break;
        case '\f':
            result += QLatin1String("\\f");
            break;
        case '\r':
            result += QLatin1String("\\r");
            break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                result += QLatin1String("\\u") + QString::number(c.unicode(), 16).rightJustified(4, QLatin1Char('0'));
            else
                result += c;
        }
    }
    return result + QLatin1Char('"');
}

// A TOML float: the shortest form that reads back to the same double, always with a dot.
QString tomlFloat(double value)
{
    QString text = QString::number(value, 'g', QLocale::FloatingPointShortest);
    if (!text.contains(QLatin1Char('.')) && !text.contains(QLatin1Char('e')))
        text += QLatin1String(".0");
    return text;
}

QString tomlBool(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

QString tomlStringArray(const QStringList &values)
{
    QStringList quoted;
    for (const QString &value : values)
        quoted.append(tomlString(value));
    return QLatin1Char('[') + quoted.join(QLatin1String(", ")) + QLatin1Char(']');
}

} // namespace

QString guessTestCommand(const QString &workdir)
{
    const QDir dir(workdir);
    if (workdir.isEmpty() || !dir.exists())
        return QString();
    // The tests run on a fresh export of the change: a build system's guess configures and
    // builds first, and a run that finds no test fails (ctest --no-tests=error).
    if (isFile(dir, QStringLiteral("CMakeLists.txt")))
        return QStringLiteral(
            "cmake -S . -B build && cmake --build build && ctest --test-dir build "
            "--output-on-failure --no-tests=error");
    if (usesPytest(dir))
        return QStringLiteral("python3 -m pytest");
    if (hasNpmTests(dir))
        return QStringLiteral("npm test");
    if (isFile(dir, QStringLiteral("Cargo.toml")))
        return QStringLiteral("cargo test");
    if (isFile(dir, QStringLiteral("go.mod")))
        return QStringLiteral("go test ./...");
    if (isFile(dir, QStringLiteral("meson.build")))
        return QStringLiteral("meson setup build && meson test -C build");
    const QString target = makeTarget(dir);
    if (!target.isEmpty())
        return QLatin1String("make ") + target;
    return QString();
}

// The template is file content committed with the repository, read by everyone who works on
// it, so its comments are not translated.
QString defaultConfigText(const QString &targetBranch, const QString &testCommand)
{
    const Config defaults = defaultConfig();
    const QString branch = targetBranch.isEmpty() ? defaults.workspace.targetBranch : targetBranch;

    QString text;
    const auto line = [&text](const QString &content = QString()) {
        text += content + QLatin1Char('\n');
    };

    line(QStringLiteral("# Astra Review workspace configuration."));
    line(QStringLiteral("# Committed with the repository; the agent is never allowed to change this file."));
    line(QStringLiteral("# Every key is optional: the values written here are the defaults unless noted."));
    line(QStringLiteral("# Durations are written as 30s, 15m, 24h or 7d."));
    line();
    line(QStringLiteral("[workspace]"));
    line(QStringLiteral("# The branch approved changes are merged into."));
    line(QStringLiteral("target_branch = %1").arg(tomlString(branch)));
    line();
    line(QStringLiteral("[policy]"));
    line(QStringLiteral("# Paths the agent may change, as gitignore-style globs; a trailing / means a folder."));
    line(QStringLiteral("# An empty list allows every path that is not forbidden."));
    line(QStringLiteral("allowed = %1").arg(tomlStringArray(defaults.policy.allowed)));
    line(QStringLiteral("# allowed = [\"src/\", \"tests/\", \"docs/\"]"));
    line(QStringLiteral("# Paths the agent must never change; forbidden wins over allowed. .git/, .astra.toml,"));
    line(QStringLiteral("# .gitattributes and .gitmodules are always forbidden, at any depth."));
    line(QStringLiteral("forbidden = %1").arg(tomlStringArray(defaults.policy.forbidden)));
    line(QStringLiteral("# forbidden = [\"config/\", \".env*\"]"));
    line(QStringLiteral("# The largest file the agent may write, in KB."));
    line(QStringLiteral("max_file_kb = %1").arg(defaults.policy.maxFileKb));
    line(QStringLiteral("# The most files one change may touch (a rename counts once)."));
    line(QStringLiteral("max_files = %1").arg(defaults.policy.maxFiles));
    line(QStringLiteral("# The most one change may write, all its files together, in KB."));
    line(QStringLiteral("max_total_kb = %1").arg(defaults.policy.maxTotalKb));
    line(QStringLiteral("# A change that touches files beyond what its goal, plan, import or review comments"));
    line(QStringLiteral(
        "# name: \"flag\" tells the reviewer which files and how many lines; \"refuse\" writes nothing."));
    line(QStringLiteral("scope = \"flag\""));
    line(QStringLiteral(
        "# The most lines one change may add and delete, all its files together (no limit unless set)."));
    line(QStringLiteral("# max_changed_lines = 400"));
    line();
    line(QStringLiteral("[tests]"));
    line(QStringLiteral("# The command line that runs the tests. It runs on an exported copy of the change,"));
    line(QStringLiteral("# never in your working tree."));
    if (testCommand.isEmpty())
        line(QStringLiteral("# No test command was recognised in this repository: set the one that runs your tests."));
    line(QStringLiteral("command = %1").arg(tomlString(testCommand)));
    line(QStringLiteral("timeout_s = %1").arg(defaults.tests.timeoutS));
    line(QStringLiteral("# Where the results are read from: junit:PATH | ctest | pytest. Without it only the"));
    line(QStringLiteral("# exit status counts; with it, a run that ran no test fails and says so."));
    const QString report = testCommand.contains(QLatin1String("ctest ")) ? QStringLiteral("ctest")
        : testCommand.contains(QLatin1String("pytest"))                  ? QStringLiteral("pytest")
                                                                         : QString();
    if (report.isEmpty())
        line(QStringLiteral("# report = \"junit:build/report.xml\""));
    else
        line(QStringLiteral("report = %1").arg(tomlString(report)));
    line(QStringLiteral("# auto: in bubblewrap when it is installed | bwrap: always, refuse without it | none"));
    line(QStringLiteral("sandbox = %1").arg(tomlString(sandboxName(defaults.tests.sandbox))));
    line(QStringLiteral("# The sandbox's private /tmp and HOME, in MiB: a run that fills it fails and says so."));
    line(QStringLiteral("# scratch_mb = %1").arg(defaults.tests.scratchMb));
    line();
    line(QStringLiteral("# Recurring checks; their failures and findings feed the detectors. Add one [[jobs]]"));
    line(QStringLiteral("# table per check; name and command are required, names are unique."));
    line(QStringLiteral("# [[jobs]]"));
    line(QStringLiteral("# name = \"nightly_analysis\""));
    line(QStringLiteral("# command = \"python3 scripts/analyze.py\""));
    line(QStringLiteral("# every = \"24h\"                         # without it the job runs only on request"));
    line(QStringLiteral("# timeout_s = 600"));
    line(
        QStringLiteral("# report = \"sarif:build/findings.sarif\"  # junit:PATH | ctest | sarif:PATH | "
                       "clang-tidy-fixes:PATH"));
    line();
    line(QStringLiteral("[generator]"));
    line(QStringLiteral("# How often the detectors run, and which of their proposals become goals."));
    line(QStringLiteral("interval = %1").arg(tomlString(formatDuration(defaults.generator.interval))));
    line(QStringLiteral("min_confidence = %1").arg(tomlFloat(defaults.generator.minConfidence)));
    line(QStringLiteral("max_goals_per_day = %1").arg(defaults.generator.maxGoalsPerDay));
    line(QStringLiteral("max_goals_per_detector_per_day = %1").arg(defaults.generator.maxGoalsPerDetectorPerDay));
    line(QStringLiteral("# Approve goals without asking when their confidence reaches auto_approve_confidence."));
    line(QStringLiteral("auto_approve = %1").arg(tomlBool(defaults.generator.autoApprove)));
    line(QStringLiteral("auto_approve_confidence = %1").arg(tomlFloat(defaults.generator.autoApproveConfidence)));
    line(QStringLiteral("# `astra cycle` approves the plans of auto-approved goals only when this is on."));
    line(QStringLiteral("# Merges are always approved by a person."));
    line(QStringLiteral("auto_approve_plans = %1").arg(tomlBool(defaults.generator.autoApprovePlans)));
    line();
    line(QStringLiteral("[team]"));
    line(QStringLiteral("# Distinct people who approve a revision before it can be merged."));
    line(QStringLiteral("required_approvals = %1").arg(defaults.team.requiredApprovals));
    line(QStringLiteral("# When true, nobody approves a change whose goal they created or which they imported."));
    line(QStringLiteral("separate_duties = %1").arg(tomlBool(defaults.team.separateDuties)));
    line(QStringLiteral("# How long a worker holds a running task without renewing its claim; a task whose"));
    line(QStringLiteral("# worker died or lost the database is run again by another worker after this."));
    line(QStringLiteral("lease = %1").arg(tomlString(formatDuration(defaults.team.lease))));
    line();
    line(QStringLiteral("[detectors.job_failure]"));
    line(QStringLiteral("# Propose a goal when one job fails this many times within the window."));
    line(QStringLiteral("threshold = %1").arg(defaults.detectors.jobFailure.threshold));
    line(QStringLiteral("window = %1").arg(tomlString(formatDuration(defaults.detectors.jobFailure.window))));
    line();
    line(QStringLiteral("# Principles: \"beliefs\" a goal must not contradict. A goal that touches a denied path,"));
    line(QStringLiteral("# or whose text matches a denied regular expression, is refused."));
    line(QStringLiteral("# [[principles]]"));
    line(QStringLiteral("# name = \"auth is reviewed by hand\""));
    line(QStringLiteral("# deny_paths = [\"src/auth/\"]"));
    line(QStringLiteral("# deny_goal_text = [\"(?i)disable .*test\"]"));
    line();
    line(QStringLiteral("[proposer]"));
    line(QStringLiteral("# What writes the changes: fixits | openai | agent | command | none"));
    line(QStringLiteral("#   fixits:  applies the fixes that SARIF reports and clang-tidy export-fixes carry"));
    line(
        QStringLiteral("#   openai:  an OpenAI-compatible chat completions endpoint (llama.cpp server, Ollama, vLLM)"));
    line(QStringLiteral("#   agent:   a coding agent CLI, named by agent (see docs/agents.md)"));
    line(QStringLiteral("#   command: the same as agent = \"command\""));
    line(QStringLiteral("kind = %1").arg(tomlString(proposerKindName(defaults.proposer.kind))));
    line(QStringLiteral("# openai needs base_url and model. The API key is read from the environment variable"));
    line(QStringLiteral("# named by api_key_env; never write the key itself into this file."));
    line(QStringLiteral("# base_url = \"http://127.0.0.1:8080/v1\""));
    line(QStringLiteral("# model = \"...\""));
    line(QStringLiteral("# api_key_env = %1").arg(tomlString(defaults.proposer.apiKeyEnv)));
    line(QStringLiteral("# An agent runs in a private checkout of the plan's base commit, inside the sandbox; the"));
    line(QStringLiteral("# change is what it leaves there. agent: %1").arg(agentNames().join(QStringLiteral(" | "))));
    line(QStringLiteral("# agent = \"claude\""));
    line(QStringLiteral("# The agent \"command\" runs command, with the goal as JSON on stdin:"));
    line(QStringLiteral("# command = \"my-agent --json\""));
    line(QStringLiteral("timeout_s = %1").arg(defaults.proposer.timeoutS));
    line(QStringLiteral("# The agent's sandbox: auto | bwrap need bubblewrap; none runs it unsandboxed (warned)."));
    line(QStringLiteral("sandbox = %1").arg(tomlString(sandboxName(defaults.proposer.sandbox))));
    line(QStringLiteral("# network: none, or host for an agent that must reach its model's endpoint."));
    line(QStringLiteral("network = \"none\""));
    line(QStringLiteral("# Environment variables passed into the sandbox when set (API keys); empty: the agent's own"));
    line(QStringLiteral("# list. Folders the agent needs to see, read-only (an agent installed under your home):"));
    line(QStringLiteral("# env = [\"ANTHROPIC_API_KEY\"]"));
    line(QStringLiteral("# read_only = [\"~/.local/share/pipx/venvs/aider\"]"));
    line(QStringLiteral("# The agent's private /tmp and HOME, in MiB:"));
    line(QStringLiteral("scratch_mb = %1").arg(defaults.proposer.scratchMb));
    return text;
}

} // namespace astra
