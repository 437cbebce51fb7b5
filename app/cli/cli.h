#pragma once

#include "base/result.h"
#include "git/gitrepository.h"
#include "store/database.h"
#include "store/ledger.h"
#include "textstream.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QIODevice>
#include <QJsonValue>

#include <memory>

namespace astra::cli {

// Exit statuses of the command line contract.
enum Exit
{
    Success = 0,
    Failed = 1, // the operation failed or was refused; the message says why
    Usage = 2, // the command line was wrong
};

struct Context
{
    QCommandLineParser &parser;
    QStringList args; // positional arguments after the command name
    QTextStream &out;
    QTextStream &err;
    bool json = false;
    WorkspaceOptions workspace;

    int usage(const QString &message) const;
    int fail(const Error &error) const;
    int fail(const QString &message) const;
    void printJson(const QJsonValue &value) const;
    void printWarnings(Workspace &workspace) const;
    // Opens the workspace or prints why not.
    std::unique_ptr<Workspace> openWorkspace(int *exitCode) const;
    // Refuses options that the command does not take.
    bool onlyOptions(const QStringList &allowed, int *exitCode) const;
    // Parses a positive id argument.
    bool parseId(const QString &text, const QString &what, qint64 *id, int *exitCode) const;
};

// The largest file a command reads whole (a patch, an HDDL file): more is refused, so that
// /dev/zero or a runaway pipe cannot exhaust memory.
constexpr qint64 maxInputBytes = 64LL * 1024 * 1024;

// Reads `device` up to maxInputBytes; an error names `name`, the limit or the read error.
Result<QByteArray> readInput(QIODevice &device, const QString &name);

int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

int runInit(Context &context);
int runTeam(Context &context);
int runStatus(Context &context);
int runDemo(Context &context);
int runGoals(Context &context);
int runGoal(Context &context);
int runLedger(Context &context);
int runPropose(Context &context);
int runMods(Context &context);
int runMod(Context &context);
// mod diff, the hunk decisions, comments, request-changes and update.
int runModReview(Context &context, const QString &sub);
int runRun(Context &context);
int runPrune(Context &context);
int runHddl(Context &context);
int runPlan(Context &context);
int runTasks(Context &context);
int runTask(Context &context);
int runJobs(Context &context);
int runDetect(Context &context);
int runProposals(Context &context);
int runCycleCommand(Context &context);
int runWorker(Context &context);

} // namespace astra::cli
