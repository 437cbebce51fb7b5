#include "cli.h"
#include "store/taskrepository.h"
#include "workspace/cycle.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <atomic>
#include <csignal>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

// The generator's decisions, as `detect` prints them and `proposals` lists them.
void printDecisions(Context &context, const QList<ProposalDecision> &decisions)
{
    if (context.json) {
        QJsonArray array;
        for (const ProposalDecision &decision : decisions) {
            array.append(decision.toJson());
        }
        context.printJson(array);
        return;
    }
    for (const ProposalDecision &decision : decisions) {
        context.out << Tr::tr("Proposal %1 from %2 (confidence %3): %4")
                           .arg(decision.proposalId)
                           .arg(decision.draft.detector)
                           .arg(decision.draft.confidence, 0, 'f', 2)
                           .arg(decision.draft.title)
                    << '\n';
        if (decision.accepted) {
            context.out << Tr::tr("  accepted: goal %1 (%2)").arg(decision.goalId).arg(decision.goalState) << '\n';
        } else {
            context.out << Tr::tr("  refused (%1): %2").arg(decision.check, decision.reason) << '\n';
            if (decision.alreadyRecorded) {
                context.out << Tr::tr("  (the same refusal of the same evidence as on %1; not recorded again)")
                                   .arg(decision.createdAt)
                            << '\n';
            }
        }
    }
}
} // namespace

int runDetect(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("detect takes no arguments."));
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto decisions = workspace->detect();
    context.printWarnings(*workspace);
    if (!decisions) {
        return context.fail(decisions.error());
    }
    if (decisions->isEmpty() && !context.json) {
        context.out << Tr::tr("The detectors found nothing.") << '\n';
    }
    printDecisions(context, *decisions);
    return Success;
}

int runProposals(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("refused"), QStringLiteral("limit")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("proposals takes no arguments; use --refused and --limit N."));
    }
    qint64 limit = 50;
    if (context.parser.isSet(QStringLiteral("limit"))
        && !context.parseId(context.parser.value(QStringLiteral("limit")),
                            QStringLiteral("--limit"),
                            &limit,
                            &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto decisions =
        workspace->proposals(context.parser.isSet(QStringLiteral("refused")), int(qMin<qint64>(limit, 100000)));
    context.printWarnings(*workspace);
    if (!decisions) {
        return context.fail(decisions.error());
    }
    if (decisions->isEmpty() && !context.json) {
        context.out << Tr::tr("The generator has decided nothing yet: run `astra detect`.") << '\n';
    }
    printDecisions(context, *decisions);
    return Success;
}

namespace {
QString idList(const QList<qint64> &ids)
{
    QStringList parts;
    for (qint64 id : ids) {
        parts.append(QString::number(id));
    }
    return parts.join(QStringLiteral(", "));
}
} // namespace

int runCycleCommand(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("cycle takes no arguments."));
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto report = runCycle(*workspace, context.workspace);
    context.printWarnings(*workspace);
    if (!report) {
        return context.fail(report.error());
    }
    if (context.json) {
        context.printJson(report->toJson());
        return Success;
    }
    QTextStream &out = context.out;
    out << Tr::tr("Jobs: %n run(s).", nullptr, int(report->jobRuns.size())) << '\n';
    for (const TaskRunRecord &run : std::as_const(report->jobRuns)) {
        out << Tr::tr("  %1: %2").arg(run.jobName, run.outcome) << '\n';
    }
    out << Tr::tr("Detection: %n proposal(s).", nullptr, int(report->decisions.size())) << '\n';
    for (const ProposalDecision &decision : std::as_const(report->decisions)) {
        out << (decision.accepted
                    ? Tr::tr("  accepted: %1 (goal %2, %3)")
                          .arg(decision.draft.title)
                          .arg(decision.goalId)
                          .arg(decision.goalState)
                    : Tr::tr("  refused (%1): %2: %3").arg(decision.check, decision.draft.title, decision.reason))
            << '\n';
    }
    out << Tr::tr("Planning: %n plan(s).", nullptr, int(report->plans.size())) << '\n';
    for (const PlanRecord &plan : std::as_const(report->plans)) {
        out << Tr::tr("  goal %1: plan %2 (%3)").arg(plan.goalId).arg(plan.id).arg(toString(plan.state)) << '\n';
    }
    for (const QString &problem : std::as_const(report->planProblems)) {
        out << QStringLiteral("  ") << problem << '\n';
    }
    out << Tr::tr("Execution: %n task(s) run: %1 succeeded, %2 failed.", nullptr, report->scheduler.started)
               .arg(report->scheduler.succeeded)
               .arg(report->scheduler.failed)
        << '\n';
    out << Tr::tr("Waiting for a person:") << '\n';
    out << Tr::tr("  goals to approve: %1")
               .arg(report->goalsAwaitingApproval.isEmpty() ? Tr::tr("none") : idList(report->goalsAwaitingApproval))
        << '\n';
    out << Tr::tr("  plans to approve (goals): %1")
               .arg(report->plansAwaitingApproval.isEmpty() ? Tr::tr("none") : idList(report->plansAwaitingApproval))
        << '\n';
    out << Tr::tr("  modifications to review: %1")
               .arg(report->modificationsAwaitingReview.isEmpty() ? Tr::tr("none")
                                                                  : idList(report->modificationsAwaitingReview))
        << '\n';
    return report->scheduler.errors.isEmpty() ? Success : Failed;
}

namespace {
std::atomic<bool> g_stopWorker{false};

extern "C" void stopWorker(int)
{
    g_stopWorker = true;
}
} // namespace

int runWorker(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("once"), QStringLiteral("poll")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("worker takes no arguments."));
    }
    int pollSeconds = 30;
    if (context.parser.isSet(QStringLiteral("poll"))) {
        bool ok = false;
        pollSeconds = context.parser.value(QStringLiteral("poll")).toInt(&ok);
        if (!ok || pollSeconds < 1) {
            return context.usage(Tr::tr("--poll must be a whole number of seconds, 1 or more."));
        }
    }
    const bool once = context.parser.isSet(QStringLiteral("once"));
    // In a clone that follows the team's repository by URL, the target and the modification
    // branches are fetched first and at each turn; a move of the target opens the workspace
    // again, since the policy in force is the one committed there. A failed fetch after the
    // start skips the turn (`unreachable`), as the network may come back.
    auto openFollowing = [&context, &exitCode](bool *unreachable) -> std::unique_ptr<Workspace> {
        auto workspace = context.openWorkspace(&exitCode);
        if (!workspace) {
            return nullptr;
        }
        auto moved = workspace->followTeamRepository();
        if (!moved) {
            exitCode = context.fail(moved.error());
            *unreachable = moved.error().kind == ErrorKind::Transient;
            return nullptr;
        }
        if (!*moved) {
            return workspace;
        }
        workspace.reset(); // closed first, so that the next one finds itself alone
        return context.openWorkspace(&exitCode);
    };
    // What the worker needs is checked before it claims anything.
    {
        bool unreachable = false;
        auto workspace = openFollowing(&unreachable);
        if (!workspace) {
            return exitCode;
        }
        Status ready = workspace->checkWorkerReady();
        context.printWarnings(*workspace);
        if (!ready) {
            return context.fail(ready.error());
        }
    }
    g_stopWorker = false;
    std::signal(SIGTERM, stopWorker);
    std::signal(SIGINT, stopWorker);
    QElapsedTimer sinceDetection;
    bool detectedOnce = false;
    QJsonArray turns;
    while (!g_stopWorker) {
        // Opened each turn: the configuration may have changed, and recovery runs.
        bool unreachable = false;
        auto workspace = openFollowing(&unreachable);
        if (!workspace && (!unreachable || once)) {
            return exitCode;
        }
        if (!workspace) {
            for (int waited = 0; waited < pollSeconds * 10 && !g_stopWorker; ++waited) {
                QThread::msleep(100);
            }
            continue;
        }
        CycleOptions options;
        const qint64 intervalMs = qint64(workspace->config().generator.interval.count()) * 1000;
        options.detect = !detectedOnce || sinceDetection.elapsed() >= intervalMs;
        auto report = runCycle(*workspace, context.workspace, options);
        context.printWarnings(*workspace);
        if (!report) {
            context.err << QStringLiteral("astra: ") << report.error().message << '\n';
            context.err.flush();
            if (once) {
                return Failed;
            }
        } else {
            if (options.detect) {
                detectedOnce = true;
                sinceDetection.start();
            }
            if (context.json) {
                turns.append(report->toJson());
            } else {
                context.out << Tr::tr("%1: %n job run(s); proposals %2, plans %3, tasks %4; awaiting review %5.",
                                      nullptr,
                                      int(report->jobRuns.size()))
                                   .arg(isoNow())
                                   .arg(report->decisions.size())
                                   .arg(report->plans.size())
                                   .arg(report->scheduler.started)
                                   .arg(report->modificationsAwaitingReview.size())
                            << '\n';
                context.out.flush();
            }
        }
        if (once) {
            break;
        }
        for (int waited = 0; waited < pollSeconds * 10 && !g_stopWorker; ++waited) {
            QThread::msleep(100);
        }
    }
    if (context.json) {
        context.printJson(turns);
    }
    return Success;
}

} // namespace astra::cli
