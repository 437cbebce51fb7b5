#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <chrono>
#include <functional>

// The typed form of a workspace's `.astra.toml`. Every key is optional; the defaults below
// are what a missing key means. Field comments name the TOML key.
namespace astra {

struct WorkspaceSection
{
    QString targetBranch = QStringLiteral("main"); // target_branch: a branch name, never empty

    bool operator==(const WorkspaceSection &) const = default;
};

struct PolicySection
{
    // allowed / forbidden: gitignore-style globs, a trailing / means a folder. Forbidden wins;
    // `.git/`, `.astra.toml`, `.gitattributes` and `.gitmodules` are always forbidden whatever
    // these say. An empty `allowed` sets no allow-list: every path not forbidden is allowed.
    QStringList allowed;
    QStringList forbidden;
    int maxFileKb = 100; // max_file_kb: the largest file the agent may write, in KB
    int maxFiles = 200; // max_files: the most files one change may touch (a rename counts once)
    int maxTotalKb = 5 * 1024; // max_total_kb: the most one change may write, all files together, in KB
    // scope: what happens to a change that goes beyond the files its goal, plan, import or review
    // comments name: the reviewer is told (flag), or the change is refused (refuse).
    enum class Scope
    {
        Flag,
        Refuse,
    };
    Scope scope = Scope::Flag;
    // max_changed_lines: the most lines one change may add and delete, all files together; 0: no limit.
    int maxChangedLines = 0;

    bool operator==(const PolicySection &) const = default;
};

struct TestsSection
{
    enum class Sandbox
    {
        Auto, // bubblewrap when it is installed, else none
        Bwrap, // bubblewrap, and refuse to run tests without it
        None,
    };

    QString command; // command: a shell command line; empty when the workspace has no tests
    int timeoutS = 600; // timeout_s
    QString report; // report: "junit:PATH", "ctest" or "pytest"; empty reads the exit status only
    Sandbox sandbox = Sandbox::Auto; // sandbox: "auto", "bwrap" or "none"
    int scratchMb = 1024; // scratch_mb: the size of the sandbox's private /tmp (and HOME), in MiB

    bool operator==(const TestsSection &) const = default;
};

// One [[jobs]] entry: a recurring check whose runs feed the detectors.
struct JobConfig
{
    QString name; // name: required, unique among the jobs
    QString command; // command: required
    std::chrono::seconds every{0}; // every: a duration; zero (no key) runs only on request
    int timeoutS = 600; // timeout_s
    // report: "junit:PATH", "ctest", "sarif:PATH" or "clang-tidy-fixes:PATH"; empty reads the
    // exit status only. Every PATH is relative and stays inside the job's working folder.
    QString report;

    bool operator==(const JobConfig &) const = default;
};

struct GeneratorSection
{
    std::chrono::seconds interval = std::chrono::hours(1); // interval
    double minConfidence = 0.7; // min_confidence: 0 to 1
    int maxGoalsPerDay = 10; // max_goals_per_day: 0 stops the generator from creating goals
    int maxGoalsPerDetectorPerDay = 3; // max_goals_per_detector_per_day
    bool autoApprove = false; // auto_approve
    double autoApproveConfidence = 0.9; // auto_approve_confidence: 0 to 1
    // auto_approve_plans: `astra cycle` approves the plans it makes for auto-approved goals.
    bool autoApprovePlans = false;

    bool operator==(const GeneratorSection &) const = default;
};

struct JobFailureDetectorSection
{
    int threshold = 3; // threshold: failed runs of one job within the window
    std::chrono::seconds window = std::chrono::hours(24); // window

    bool operator==(const JobFailureDetectorSection &) const = default;
};

struct DetectorsSection
{
    JobFailureDetectorSection jobFailure; // [detectors.job_failure]

    bool operator==(const DetectorsSection &) const = default;
};

// One [[principles]] entry: a "belief" a goal must not contradict.
struct PrincipleConfig
{
    QString name; // name: required, unique among the principles
    QStringList denyPaths; // deny_paths: globs a goal must not touch
    QStringList denyGoalText; // deny_goal_text: QRegularExpression patterns, all valid

    bool operator==(const PrincipleConfig &) const = default;
};

struct ProposerSection
{
    enum class Kind
    {
        Fixits,
        OpenAI,
        Command,
        None,
        Agent,
    };

    Kind kind = Kind::None; // kind: "fixits", "openai", "command", "agent" or "none"
    QString baseUrl; // base_url: http(s) URL, required for openai
    QString model; // model: required for openai; for an agent, passed as its model flag when set
    QString apiKeyEnv = QStringLiteral("OPENAI_API_KEY"); // api_key_env: the variable that holds the key
    // agent: with kind "agent", one of agentNames(); "command" runs `command`. kind "command" is
    // the same as kind "agent" with agent "command".
    QString agent;
    QString command; // command: required for command
    int timeoutS = 300; // timeout_s
    // How agents run (kind "agent" or "command"): always in a private checkout, in this sandbox.
    TestsSection::Sandbox sandbox = TestsSection::Sandbox::Auto; // sandbox
    bool network = false; // network: "none" (the default) or "host"
    QStringList readOnly; // read_only: absolute host paths (or ~/...) the agent needs to see
    // env: the names of environment variables passed into the agent's sandbox when they are set
    // (API keys); empty takes the agent's own list.
    QStringList env;
    int scratchMb = 1024; // scratch_mb: the agent's private /tmp and HOME

    bool operator==(const ProposerSection &) const = default;
};

// How a team shares the workspace (see docs/teams.md). Who a person is comes from their git
// identity (or `git config astra.identity`), never from this committed file.
struct TeamSection
{
    int requiredApprovals = 1; // required_approvals: distinct people who approve a revision before it merges
    bool separateDuties = false; // separate_duties: the approver is not who created the goal or imported the change
    std::chrono::seconds lease{30}; // lease: how long a worker holds a running task without renewing it

    bool operator==(const TeamSection &) const = default;
};

struct Config
{
    WorkspaceSection workspace;
    PolicySection policy;
    TestsSection tests;
    QList<JobConfig> jobs;
    GeneratorSection generator;
    DetectorsSection detectors;
    QList<PrincipleConfig> principles;
    ProposerSection proposer;
    TeamSection team;

    // Where the settings came from: the path (or display name) given to the loader, and
    // whether they were read from a config text at all (false for defaultConfig()).
    // Both take part in operator==.
    QString sourcePath;
    bool fromFile = false;
    // Where [policy] came from when not from sourcePath: "<target branch>:.astra.toml", the
    // copy committed on the target branch, which is the one in force. Empty: sourcePath.
    QString policySource;

    // The job called name, or nullptr.
    const JobConfig *job(const QString &name) const;

    bool operator==(const Config &) const = default;
};

// The settings a workspace without `.astra.toml` has: every default above.
Config defaultConfig();

// What the configuration reader cannot decide by itself, given by the layers that can: which
// names git accepts for a branch (git_branch_name_is_valid, in the git layer) and what is wrong
// with a path glob (PathGlobList, in the policy layer; empty when nothing is). The workspace
// layer's configChecks() fills them in.
struct ConfigChecks
{
    std::function<bool(const QString &)> isBranchName;
    std::function<QString(const QString &)> globProblem;
};

// Parses and validates the text of a `.astra.toml`. displayPath names the file in messages
// and becomes sourcePath; fromFile is set.
//
// On failure the error (ErrorKind::Invalid) reports every problem found, one per line, in
// file order, compiler style:
//   PATH:LINE:COLUMN: KEY: expected WHAT, found WHAT
//   /repo/.astra.toml:7:13: tests.timeout_s: expected a positive integer (seconds), found the string "ten"
// KEY is the full dotted key with zero-based array indices (jobs[2].every,
// principles[1].deny_goal_text[0]). Unknown keys and tables are errors and name the closest
// known key ("did you mean 'command'?"). A TOML syntax error stops parsing and is reported alone:
//   PATH:LINE:COLUMN: TOML syntax error: DESCRIPTION
// Past 20 problems the rest are summarised in a last line.
Result<Config> parseConfig(const QByteArray &text, const QString &displayPath, const ConfigChecks &checks);

// The largest .astra.toml read (a configuration is a few KB; a larger one is refused unread).
constexpr qint64 maxConfigBytes = 1024 * 1024;

// Reads and parses the file at path (sourcePath = path). A missing file is an error
// (ErrorKind::NotFound): whether to fall back on defaultConfig() is the caller's choice.
// An unreadable file is ErrorKind::Failed; invalid contents as parseConfig.
Result<Config> loadConfigFile(const QString &path, const ConfigChecks &checks);

// The value words of the TOML file: "auto", "bwrap", "none"; "fixits", "openai", "command", "none".
QString sandboxName(TestsSection::Sandbox sandbox);
QString proposerKindName(ProposerSection::Kind kind);
// The agents [proposer] agent may name: "aider", "claude", "codex", "gemini", "goose", "opencode", "command".
QStringList agentNames();

} // namespace astra

Q_DECLARE_METATYPE(astra::Config)
