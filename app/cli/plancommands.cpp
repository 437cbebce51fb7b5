#include "cli.h"
#include "planning/plangraph.h"
#include "planning/planreading.h"
#include "scheduling/scheduler.h"
#include "workspace/taskexecutors.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMutex>
#include <QSaveFile>

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

// The state of each step, by plan node id.
QHash<qint64, QString> stepStates(const QList<TaskRecord> &tasks)
{
    QHash<qint64, QString> states;
    for (const TaskRecord &task : tasks) {
        states.insert(task.planNodeId, toString(task.state));
    }
    return states;
}

void printPlan(Context &context, Workspace &workspace, const PlanRecord &plan, bool symbolic)
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
    QHash<qint64, const TaskRecord *> byNode;
    if (tasks) {
        for (const TaskRecord &task : std::as_const(*tasks)) {
            byNode.insert(task.planNodeId, &task);
        }
    }
    const PlanReading reading(plan, PlanReading::domainOf(plan));
    context.out << '\n'
                << reading.text(symbolic, [&](const PlanNodeRecord &node) -> QString {
                       const TaskRecord *task = byNode.value(node.id);
                       if (!task) {
                           return QString();
                       }
                       QString state = task->state == TaskState::Queued && !task->planApproved
                           ? Tr::tr("waiting for the plan's approval")
                           : toString(task->state);
                       if (!task->summary.isEmpty()) {
                           state += QStringLiteral(" (%1)").arg(task->summary);
                       }
                       return Tr::tr("task %1, %2").arg(task->id).arg(state);
                   });
    if (const QString failure = reading.failure(); !symbolic && !failure.isEmpty()) {
        context.out << '\n' << failure << '\n';
    } else if (!plan.failure.isEmpty()) {
        context.out << '\n' << plan.failure << '\n';
    }
}

// The plan `--plan ID` names among the goal's, or the current one.
Result<PlanRecord> choosePlan(Context &context, Workspace &workspace, qint64 goalId, int *exitCode)
{
    if (!context.parser.isSet(QStringLiteral("plan"))) {
        return workspace.currentPlan(goalId);
    }
    qint64 planId = 0;
    if (!context.parseId(context.parser.value(QStringLiteral("plan")), Tr::tr("plan"), &planId, exitCode)) {
        return makeError(QString(), ErrorKind::Invalid);
    }
    auto plans = workspace.goalPlans(goalId);
    if (!plans) {
        return plans.error();
    }
    for (const PlanRecord &plan : std::as_const(*plans)) {
        if (plan.id == planId) {
            return plan;
        }
    }
    QStringList ids;
    for (const PlanRecord &plan : std::as_const(*plans)) {
        ids.append(QString::number(plan.id));
    }
    return makeError(ids.isEmpty()
                         ? Tr::tr("Plan %1 is not a plan of goal %2, which has none yet.").arg(planId).arg(goalId)
                         : Tr::tr("Plan %1 is not a plan of goal %2; its plans are %3 (`astra plan history %2`).")
                               .arg(planId)
                               .arg(goalId)
                               .arg(ids.join(QStringLiteral(", "))),
                     ErrorKind::NotFound);
}

int printHistory(Context &context, Workspace &workspace, qint64 goalId)
{
    auto plans = workspace.goalPlans(goalId);
    if (!plans) {
        return context.fail(plans.error());
    }
    if (context.json) {
        QJsonArray array;
        for (const PlanRecord &plan : std::as_const(*plans)) {
            QJsonObject object = plan.toJson();
            object.remove(QStringLiteral("tree"));
            object.remove(QStringLiteral("problem"));
            array.append(object);
        }
        context.printJson(array);
        return Success;
    }
    if (plans->isEmpty()) {
        context.out << Tr::tr("Goal %1 has no plan yet; make one with `astra plan %1`.").arg(goalId) << '\n';
        return Success;
    }
    for (const PlanRecord &plan : std::as_const(*plans)) {
        context.out
            << Tr::tr("Plan %1  %2  %3  %4").arg(plan.id).arg(toString(plan.state), plan.outcome, plan.createdAt);
        if (!plan.stateReason.isEmpty()) {
            context.out << QStringLiteral("  (%1)").arg(plan.stateReason);
        }
        context.out << '\n';
    }
    if (plans->size() > 1) {
        context.out
            << Tr::tr("Compare two with `astra plan compare %1 OLDER NEWER` (the newest two without them).").arg(goalId)
            << '\n';
    }
    return Success;
}

int printComparison(Context &context, Workspace &workspace, qint64 goalId, const QStringList &ids, bool symbolic)
{
    int exitCode = Success;
    auto plans = workspace.goalPlans(goalId);
    if (!plans) {
        return context.fail(plans.error());
    }
    const PlanRecord *older = nullptr;
    const PlanRecord *newer = nullptr;
    if (ids.isEmpty()) {
        if (plans->size() < 2) {
            return context.fail(
                makeError(Tr::tr("Goal %1 has %n plan(s); a comparison needs two. Replan it with `astra plan %1`.",
                                 nullptr,
                                 int(plans->size()))
                              .arg(goalId),
                          ErrorKind::Invalid));
        }
        newer = &plans->at(0);
        older = &plans->at(1);
    } else {
        qint64 a = 0;
        qint64 b = 0;
        if (!context.parseId(ids.at(0), Tr::tr("plan"), &a, &exitCode)
            || !context.parseId(ids.at(1), Tr::tr("plan"), &b, &exitCode)) {
            return exitCode;
        }
        for (const PlanRecord &plan : std::as_const(*plans)) {
            if (plan.id == a) {
                older = &plan;
            }
            if (plan.id == b) {
                newer = &plan;
            }
        }
        if (!older || !newer) {
            return context.fail(makeError(
                Tr::tr("Plan %1 is not a plan of goal %2; see `astra plan history %2`.").arg(older ? b : a).arg(goalId),
                ErrorKind::NotFound));
        }
    }
    const PlanReading before(*older, PlanReading::domainOf(*older));
    const PlanReading after(*newer, PlanReading::domainOf(*newer));
    const QList<PlanChange> changes = comparePlans(before, after, symbolic);
    if (context.json) {
        QJsonArray array;
        for (const PlanChange &change : changes) {
            QJsonObject object;
            object.insert(QStringLiteral("task"), change.task);
            object.insert(QStringLiteral("text"), change.text);
            object.insert(QStringLiteral("older_node"), double(change.olderNode));
            object.insert(QStringLiteral("newer_node"), double(change.newerNode));
            array.append(object);
        }
        QJsonObject object;
        object.insert(QStringLiteral("older"), double(older->id));
        object.insert(QStringLiteral("newer"), double(newer->id));
        object.insert(QStringLiteral("changes"), array);
        context.printJson(object);
        return Success;
    }
    context.out << Tr::tr("From plan %1 (%2) to plan %3 (%4):")
                       .arg(older->id)
                       .arg(older->createdAt)
                       .arg(newer->id)
                       .arg(newer->createdAt)
                << '\n';
    if (changes.isEmpty()) {
        context.out << Tr::tr("  The same decomposition.") << '\n';
    }
    for (const PlanChange &change : changes) {
        context.out << QStringLiteral("  ") << change.text << '\n';
    }
    return Success;
}

int exportPlan(Context &context, Workspace &workspace, const PlanRecord &plan, bool symbolic)
{
    const bool svg = context.parser.isSet(QStringLiteral("svg"));
    const bool dot = context.parser.isSet(QStringLiteral("dot"));
    if (svg == dot) {
        return context.usage(Tr::tr("plan export needs one of --svg FILE or --dot FILE."));
    }
    const QString path = context.parser.value(svg ? QStringLiteral("svg") : QStringLiteral("dot"));
    auto tasks = workspace.planTasks(plan.id);
    if (!tasks) {
        return context.fail(tasks.error());
    }
    const PlanReading reading(plan, PlanReading::domainOf(plan));
    QString text;
    if (svg) {
        const GraphMetrics metrics;
        text = planSvg(layoutPlan(reading, symbolic, metrics),
                       stepStates(*tasks),
                       metrics,
                       Tr::tr("Plan %1 of goal %2").arg(plan.id).arg(plan.goalId));
    } else {
        text = planDot(reading, symbolic, stepStates(*tasks));
    }
    if (path == u"-") {
        context.out << text;
        return Success;
    }
    // Written whole or not at all: a reader never sees half a picture.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        return context.fail(makeError(
            Tr::tr("Cannot write %1: %2. Nothing was written; choose a writable path.").arg(path, file.errorString()),
            ErrorKind::Invalid));
    }
    context.out << Tr::tr("Wrote plan %1 (%n node(s)) to %2.", nullptr, int(plan.nodes.size())).arg(plan.id).arg(path)
                << '\n';
    return Success;
}
} // namespace

int runPlan(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("reason"),
                              QStringLiteral("plan"),
                              QStringLiteral("symbolic"),
                              QStringLiteral("svg"),
                              QStringLiteral("dot")},
                             &exitCode)) {
        return exitCode;
    }
    static const QStringList subcommands{QStringLiteral("approve"),
                                         QStringLiteral("show"),
                                         QStringLiteral("history"),
                                         QStringLiteral("compare"),
                                         QStringLiteral("export")};
    const QString sub =
        !context.args.isEmpty() && subcommands.contains(context.args.first()) ? context.args.first() : QString();
    const QStringList rest = sub.isEmpty() ? context.args : context.args.mid(1);
    const bool compare = sub == u"compare";
    if (rest.isEmpty() || (compare ? (rest.size() != 1 && rest.size() != 3) : rest.size() != 1)) {
        return context.usage(
            Tr::tr("Usage: astra plan GOAL | astra plan show GOAL [--plan ID] [--symbolic] | astra plan approve GOAL "
                   "[--reason TEXT] | astra plan history GOAL | astra plan compare GOAL [OLDER NEWER] | astra plan "
                   "export GOAL --svg FILE|--dot FILE [--plan ID] [--symbolic]"));
    }
    const bool symbolic = context.parser.isSet(QStringLiteral("symbolic"));
    if (context.parser.isSet(QStringLiteral("plan")) && sub != u"show" && sub != u"export") {
        return context.usage(Tr::tr("--plan ID goes with plan show and plan export."));
    }
    if ((context.parser.isSet(QStringLiteral("svg")) || context.parser.isSet(QStringLiteral("dot")))
        && sub != u"export") {
        return context.usage(Tr::tr("--svg and --dot go with plan export."));
    }
    qint64 goalId = 0;
    if (!context.parseId(rest.first(), Tr::tr("goal"), &goalId, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    if (sub == u"history") {
        const int code = printHistory(context, *workspace, goalId);
        context.printWarnings(*workspace);
        return code;
    }
    if (compare) {
        const int code = printComparison(context, *workspace, goalId, rest.mid(1), symbolic);
        context.printWarnings(*workspace);
        return code;
    }
    Result<PlanRecord> plan = sub == u"approve"
        ? workspace->approvePlan(goalId, context.parser.value(QStringLiteral("reason")))
        : (sub == u"show" || sub == u"export") ? choosePlan(context, *workspace, goalId, &exitCode)
                                               : workspace->planGoal(goalId);
    context.printWarnings(*workspace);
    if (!plan) {
        return plan.message().isEmpty() ? exitCode : context.fail(plan.error());
    }
    if (sub == u"export") {
        return exportPlan(context, *workspace, *plan, symbolic);
    }
    printPlan(context, *workspace, *plan, symbolic);
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
    options.lease = std::chrono::duration_cast<std::chrono::milliseconds>(workspace->config().team.lease);
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
