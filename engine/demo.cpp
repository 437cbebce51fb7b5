#include "demo.h"

#include "code/gitrepository.h"
#include "config/astraconfig.h"
#include "workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Demo)
};

const char demoConfig[] = R"(# Astra Review workspace configuration for the demo project.
[workspace]
target_branch = "main"

[policy]
allowed = ["src/", "tests/", "docs/"]
forbidden = ["config/", ".env*"]
max_file_kb = 100

[tests]
command = "cmake -S . -B build && cmake --build build && ctest --test-dir build --output-on-failure"
timeout_s = 600
report = "ctest"
sandbox = "auto"

[[jobs]]
name = "unit_tests"
command = "cmake -S . -B build && cmake --build build && ctest --test-dir build --output-on-failure"
every = "1h"
timeout_s = 300
report = "ctest"

[generator]
interval = "1h"
min_confidence = 0.7
max_goals_per_day = 10
max_goals_per_detector_per_day = 3
auto_approve = false
auto_approve_confidence = 0.9

[detectors.job_failure]
threshold = 3
window = "24h"

[[principles]]
name = "auth is reviewed by hand"
deny_paths = ["src/auth/"]
deny_goal_text = ["(?i)disable .*test"]

[proposer]
kind = "fixits"
timeout_s = 300
)";

const char cmakeLists[] = R"(cmake_minimum_required(VERSION 3.16)
project(calc CXX)
enable_testing()
add_library(calc src/calc.cpp)
target_include_directories(calc PUBLIC src)
add_executable(calc_tests tests/calc_tests.cpp)
target_link_libraries(calc_tests calc)
add_test(NAME calc_tests COMMAND calc_tests)
)";

const char calcH[] = R"(#pragma once

#include <string>

// Evaluates "a op b" for op in + - * /.
double evaluate(const std::string &expression);
)";

const char calcCppV1[] = R"(#include "calc.h"

#include <sstream>
#include <stdexcept>

double evaluate(const std::string &expression)
{
    std::istringstream in(expression);
    double a = 0;
    double b = 0;
    char op = 0;
    in >> a >> op >> b;
    switch (op) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    case '/':
        return a / b;
    }
    throw std::invalid_argument("unknown operator");
}
)";

const char calcCppV2[] = R"(#include "calc.h"

#include <sstream>
#include <stdexcept>

double evaluate(const std::string &expression)
{
    std::istringstream in(expression);
    double a = 0;
    double b = 0;
    char op = 0;
    if (!(in >> a >> op >> b)) {
        throw std::invalid_argument("expected: number operator number");
    }
    switch (op) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    case '/':
        return a / b; // division by zero is not checked yet
    }
    throw std::invalid_argument("unknown operator");
}
)";

const char testsCpp[] = R"(#include "calc.h"

#include <cstdio>

int main()
{
    int failures = 0;
    failures += evaluate("1 + 2") != 3;
    failures += evaluate("6 / 3") != 2;
    failures += evaluate("2 * 4") != 8;
    std::printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
)";

const char readme[] = R"(# calc

A tiny calculator used to show Astra Review. Run `astra-review` in this folder.
)";
} // namespace

Result<DemoReport> createDemoWorkspace(const QString &dir)
{
    const QString absolute = QDir::cleanPath(QDir(dir).absolutePath());
    const QFileInfo info(absolute);
    if (info.exists()
        && (!info.isDir() || !QDir(absolute).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))) {
        return makeError(Tr::tr("%1 already exists and is not an empty folder; the demo workspace needs a new folder. "
                                "Pass another path or remove it.")
                             .arg(absolute),
                         ErrorKind::Refused);
    }
    if (auto parsed = parseConfig(QByteArray(demoConfig), QStringLiteral("demo .astra.toml")); !parsed) {
        return makeError(Tr::tr("Internal error: the demo configuration does not parse: %1").arg(parsed.message()));
    }

    auto repo = GitRepository::init(absolute, QStringLiteral("main"));
    if (!repo) {
        return repo.error();
    }
    DemoReport report;
    report.workDir = absolute;
    const GitIdentity author{QStringLiteral("Dana Developer"), QStringLiteral("dana@example.org")};
    const QList<QPair<QMap<QString, QByteArray>, QString>> history = {
        {{{QStringLiteral("README.md"), QByteArray(readme)},
          {QStringLiteral("CMakeLists.txt"), QByteArray(cmakeLists)},
          {QStringLiteral("src/calc.h"), QByteArray(calcH)},
          {QStringLiteral("src/calc.cpp"), QByteArray(calcCppV1)},
          {QStringLiteral("tests/calc_tests.cpp"), QByteArray(testsCpp)}},
         QStringLiteral("Add a small calculator with tests")},
        {{{QStringLiteral("src/calc.cpp"), QByteArray(calcCppV2)}}, QStringLiteral("Reject malformed expressions")},
        {{{QStringLiteral(".astra.toml"), QByteArray(demoConfig)}}, QStringLiteral("Let Astra Review maintain calc")},
    };
    for (const auto &commit : history) {
        auto id = repo->commitFiles(QStringLiteral("main"), commit.first, commit.second, author);
        if (!id) {
            return id.error();
        }
        ++report.commits;
    }
    if (Status checkedOut = repo->checkoutHeadForce(); !checkedOut) {
        return checkedOut.error();
    }

    WorkspaceOptions options;
    options.repoPath = absolute;
    if (auto initialised = Workspace::init(options); !initialised) {
        return initialised.error();
    }
    auto workspace = Workspace::open(options);
    if (!workspace) {
        return workspace.error();
    }
    Workspace &ws = **workspace;
    struct DemoGoal
    {
        const char *title;
        QStringList files;
        QList<GoalState> path;
    };
    const QList<DemoGoal> goals = {
        {"Check division by zero in evaluate()", {QStringLiteral("src/calc.cpp")}, {}},
        {"Report which operand failed to parse",
         {QStringLiteral("src/calc.cpp"), QStringLiteral("src/calc.h")},
         {GoalState::Active}},
        {"Cover subtraction in the tests",
         {QStringLiteral("tests/calc_tests.cpp")},
         {GoalState::Active, GoalState::Planned}},
        {"Document the expression syntax", {QStringLiteral("README.md")}, {GoalState::Rejected}},
        {"Rename evaluate() to calculate()", {QStringLiteral("src/calc.h")}, {GoalState::Abandoned}},
    };
    for (const DemoGoal &demo : goals) {
        auto goal = ws.addUserGoal(QString::fromUtf8(demo.title), demo.files);
        if (!goal) {
            return goal.error();
        }
        for (GoalState state : demo.path) {
            const QString who = state == GoalState::Planned ? QStringLiteral("astra") : ws.actor();
            auto moved = ws.moveGoal(goal->id, state, QString(), who);
            if (!moved) {
                return moved.error();
            }
        }
        ++report.goals;
    }
    if (auto checkpoint = ws.checkpointLedger(); !checkpoint) {
        return checkpoint.error();
    }
    return report;
}

} // namespace astra
