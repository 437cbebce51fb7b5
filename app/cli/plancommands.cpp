#include "cli.h"
#include "scheduling/scheduler.h"
#include "workspace/taskexecutors.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMutex>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

QJsonArray tasksJson(const QList<TaskRecord> &tasks)
{
    QJsonArray array;
    for (const TaskRecord &task : tasks) {
        array.append(task.toJson());
    }
    return array;
}

void printTasks(QTextStream &out, const QList<TaskRecord> &tasks)
{
    for (const TaskRecord &task : tasks) {
        out << QStringLiteral("  %1  %2 %3  %4")
                   .arg(task.id, 4)
                   .arg(task.kind, task.arguments.join(u' '))
                   .arg(task.state == TaskState::Queued && !task.planApproved
                            ? Tr::tr("waiting for its plan's approval")
                            : toString(task.state));
        if (!task.summary.isEmpty()) {
            out << QStringLiteral(" (%1)").arg(task.summary);
        }
        out << '\n';
    }
}

void printPlan(Context &context, Workspace &workspace, const PlanRecord &plan)
{
    auto tasks = workspace.planTasks(plan.id);
    if (context.json) {
        QJsonObject object = plan.toJson();
        object.insert(QStringLiteral("tasks"), tasksJson(tasks ? *tasks : QList<TaskRecord>()));
        context.printJson(object);
        return;
    }
    context.out << Tr::tr("Plan %1 for goal %2: %3 (%4, %n expansion(s), %5 ms)", nullptr, int(plan.expansions))
                       .arg(plan.id)
                       .arg(plan.goalId)
                       .arg(toString(plan.state), plan.outcome)
                       .arg(plan.elapsedMs)
                << '\n';
    if (!plan.approvedBy.isEmpty()) {
        context.out << Tr::tr("Approved by %1 at %2").arg(plan.approvedBy, plan.approvedAt) << '\n';
    }
    context.out << plan.treeText();
    if (!plan.failure.isEmpty()) {
        context.out << plan.failure << '\n';
    }
    if (tasks && !tasks->isEmpty()) {
        context.out << Tr::tr("Tasks:") << '\n';
        printTasks(context.out, *tasks);
    }
}
} // namespace

int runPlan(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("reason")}, &exitCode)) {
        return exitCode;
    }
    const bool approve = !context.args.isEmpty() && context.args.first() == u"approve";
    const bool show = !context.args.isEmpty() && context.args.first() == u"show";
    const QStringList rest = (approve || show) ? context.args.mid(1) : context.args;
    if (rest.size() != 1) {
        return context.usage(
            Tr::tr("Usage: astra plan GOAL | astra plan show GOAL | astra plan approve GOAL [--reason TEXT]"));
    }
    qint64 goalId = 0;
    if (!context.parseId(rest.first(), Tr::tr("goal"), &goalId, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    Result<PlanRecord> plan = approve ? workspace->approvePlan(goalId, context.parser.value(QStringLiteral("reason")))
        : show                        ? workspace->currentPlan(goalId)
                                      : workspace->planGoal(goalId);
    context.printWarnings(*workspace);
    if (!plan) {
        return context.fail(plan.error());
    }
    printPlan(context, *workspace, *plan);
    if (!context.json && plan->state == PlanState::Proposed) {
        context.out << Tr::tr("Nothing runs until the plan is approved: `astra plan approve %1`.").arg(goalId) << '\n';
    }
    return Success;
}

int runTasks(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("state")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("tasks takes no arguments; filter with --state STATE."));
    }
    std::optional<TaskState> state;
    if (context.parser.isSet(QStringLiteral("state"))) {
        const QString name = context.parser.value(QStringLiteral("state"));
        state = taskStateFromString(name);
        if (!state) {
            return context.usage(
                Tr::tr("--state %1: not a task state; use queued, running, succeeded, failed, cancelled or skipped.")
                    .arg(name));
        }
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto tasks = workspace->tasks(state);
    context.printWarnings(*workspace);
    if (!tasks) {
        return context.fail(tasks.error());
    }
    if (context.json) {
        context.printJson(tasksJson(*tasks));
        return Success;
    }
    if (tasks->isEmpty()) {
        context.out << Tr::tr("No tasks.") << '\n';
    }
    printTasks(context.out, *tasks);
    return Success;
}

int runTask(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (context.args.size() != 2 || (context.args.first() != u"show" && context.args.first() != u"cancel")) {
        return context.usage(Tr::tr("Usage: astra task show|cancel ID"));
    }
    qint64 id = 0;
    if (!context.parseId(context.args.at(1), Tr::tr("task"), &id, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    if (context.args.first() == u"cancel") {
        Status cancelled = workspace->cancelTask(id);
        context.printWarnings(*workspace);
        if (!cancelled) {
            return context.fail(cancelled.error());
        }
    }
    auto task = workspace->task(id);
    if (!task) {
        return context.fail(task.error());
    }
    auto runs = workspace->taskRuns(id);
    if (!runs) {
        return context.fail(runs.error());
    }
    if (context.json) {
        QJsonObject object = task->toJson();
        QJsonArray runArray;
        for (const TaskRunRecord &run : std::as_const(*runs)) {
            runArray.append(run.toJson());
        }
        object.insert(QStringLiteral("runs"), runArray);
        context.printJson(object);
        return Success;
    }
    printTasks(context.out, {*task});
    for (const TaskRunRecord &run : std::as_const(*runs)) {
        context.out << Tr::tr("  run %1: attempt %2 %3, %4 ms, %5")
                           .arg(run.id)
                           .arg(run.attempt)
                           .arg(run.outcome)
                           .arg(run.durationMs)
                           .arg(run.summary)
                    << '\n';
    }
    return Success;
}

int runRun(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("goal")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("run takes no arguments; choose a goal with --goal ID."));
    }
    SchedulerOptions options;
    options.openSession = workspaceTaskSessions(context.workspace);
    if (context.parser.isSet(QStringLiteral("goal"))) {
        qint64 goalId = 0;
        if (!context.parseId(context.parser.value(QStringLiteral("goal")), Tr::tr("goal"), &goalId, &exitCode)) {
            return exitCode;
        }
        options.goalId = goalId;
    }
    // Opening here first reports a missing workspace the usual way, and recovers.
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    if (options.goalId) {
        if (auto goal = workspace->goal(*options.goalId); !goal) {
            return context.fail(goal.error());
        }
    }
    Scheduler scheduler(options, builtinExecutors());
    QMutex printing;
    QList<qint64> finished;
    bool anyFailed = false;
    // Progress as it goes (not with --json, whose output is the one document at the end).
    QObject::connect(
        &scheduler,
        &Scheduler::taskStarted,
        &scheduler,
        [&](qint64 taskId, qint64 planId, const QString &kind, int attempt) {
            if (context.json) {
                return;
            }
            QMutexLocker locker(&printing);
            context.out << (attempt > 1 ? Tr::tr("Task %1 (%2, plan %3) started, attempt %4…")
                                              .arg(taskId)
                                              .arg(kind)
                                              .arg(planId)
                                              .arg(attempt)
                                        : Tr::tr("Task %1 (%2, plan %3) started…").arg(taskId).arg(kind).arg(planId))
                        << '\n';
            context.out.flush();
        },
        Qt::DirectConnection);
    QObject::connect(
        &scheduler,
        &Scheduler::taskFinished,
        &scheduler,
        [&](qint64 taskId, const QString &state, const QString &summary) {
            QMutexLocker locker(&printing);
            finished.append(taskId);
            anyFailed = anyFailed || state == u"failed" || state == u"cancelled";
            if (!context.json) {
                context.out << Tr::tr("Task %1: %2, %3").arg(taskId).arg(state, summary) << '\n';
                context.out.flush();
            }
        },
        Qt::DirectConnection);
    QObject::connect(
        &scheduler,
        &Scheduler::taskWarning,
        &scheduler,
        [&](qint64 taskId, const QString &warning) {
            QMutexLocker locker(&printing);
            context.err << Tr::tr("astra: warning: task %1: %2").arg(taskId).arg(warning) << '\n';
            context.err.flush();
        },
        Qt::DirectConnection);
    auto report = scheduler.runUntilIdle();
    if (!report) {
        return context.fail(report.error());
    }
    // Modifications imported with `astra propose` have no plan: test them too.
    QList<Modification> tested;
    if (!options.goalId) {
        auto pending = workspace->testPending([&](const Modification &m) {
            if (!context.json) {
                context.out << Tr::tr("Testing modification %1 (%2)…").arg(m.id).arg(m.title) << '\n';
                context.out.flush();
            }
        });
        if (!pending) {
            return context.fail(pending.error());
        }
        tested = *pending;
    }
    context.printWarnings(*workspace);
    if (context.json) {
        QJsonObject object;
        object.insert(QStringLiteral("scheduler"), report->toJson());
        QJsonArray taskArray;
        for (qint64 id : std::as_const(finished)) {
            taskArray.append(double(id));
        }
        object.insert(QStringLiteral("tasks"), taskArray);
        QJsonArray mods;
        for (const Modification &m : std::as_const(tested)) {
            mods.append(m.toJson());
        }
        object.insert(QStringLiteral("modifications"), mods);
        context.printJson(object);
    } else {
        context.out << Tr::tr("%n task(s) run: %1 succeeded, %2 failed, %3 retried, %4 cancelled.",
                              nullptr,
                              report->started)
                           .arg(report->succeeded)
                           .arg(report->failed)
                           .arg(report->retried)
                           .arg(report->cancelled)
                    << '\n';
        for (const Modification &m : std::as_const(tested)) {
            context.out << Tr::tr("Modification %1: %2").arg(m.id).arg(toString(m.status)) << '\n';
            // Why, in the tests' own words: the latest run's message.
            if (m.status != ModificationStatus::AwaitingApproval) {
                auto results = workspace->testResults(m.id);
                if (results && !results->isEmpty()) {
                    context.out << QStringLiteral("  ")
                                << results->constLast().report.value(QStringLiteral("message")).toString() << '\n';
                }
            }
        }
    }
    for (const QString &error : std::as_const(report->errors)) {
        context.err << QStringLiteral("astra: ") << error << '\n';
    }
    const bool testsFailed = std::any_of(tested.cbegin(), tested.cend(), [](const Modification &m) {
        return m.status != ModificationStatus::AwaitingApproval;
    });
    return (anyFailed || testsFailed || !report->errors.isEmpty()) ? Failed : Success;
}

} // namespace astra::cli
