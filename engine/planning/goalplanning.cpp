#include "planning/goalplanning.h"

#include "policy/pathpolicy.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>

#include <functional>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initDomainResources()
{
    Q_INIT_RESOURCE(domains);
}

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GoalPlanning)
};

QString oneLine(QString text)
{
    text.replace(u'\n', u' ').replace(u'\r', u' ');
    return text.left(200);
}

int timeoutFor(const QString &kind, const Config &config)
{
    if (kind == u"code_test") {
        return config.tests.timeoutS + 60; // the test runner stops itself first
    }
    if (kind == u"code_analyze") {
        return config.proposer.timeoutS + 30;
    }
    return 120;
}
} // namespace

WorkspaceFacts workspaceFacts(const Goal &goal,
                              const Config &config,
                              const PathPolicy &policy,
                              const QStringList &implementedProposers)
{
    WorkspaceFacts facts;
    facts.files = goal.files();
    for (const QString &file : std::as_const(facts.files)) {
        if (auto violation = policy.checkPath(file.toUtf8())) {
            facts.deniedReasons.append(violation->message);
        } else {
            facts.allowedFiles.append(file);
        }
    }
    facts.hasFixits = !goal.evidence.value(QStringLiteral("fixits")).toArray().isEmpty()
        && implementedProposers.contains(QStringLiteral("fixits"));
    const QString configured = proposerKindName(config.proposer.kind);
    if (configured != u"none" && configured != u"fixits" && implementedProposers.contains(configured)) {
        facts.proposers.append(configured);
    }
    facts.testCommand = !config.tests.command.trimmed().isEmpty();
    return facts;
}

GoalProblem goalProblem(const Goal &goal, const WorkspaceFacts &facts)
{
    GoalProblem problem;
    problem.goalObject = QStringLiteral("g%1").arg(goal.id);
    // "@means" says what each object stands for, for readers of the plan (hddl::readMeanings).
    QString header =
        QStringLiteral("; Goal %1: %2\n; @means %3 %2\n").arg(goal.id).arg(oneLine(goal.title), problem.goalObject);
    QStringList objects{problem.goalObject + QStringLiteral(" - goal")};
    QStringList init;
    QStringList fileNames;
    for (int i = 0; i < facts.files.size(); ++i) {
        const QString object = QStringLiteral("file%1").arg(i + 1);
        problem.fileObjects.insert(object, facts.files.at(i));
        header += QStringLiteral("; @means %1 %2\n").arg(object, oneLine(facts.files.at(i)));
        fileNames.append(object);
        init.append(QStringLiteral("(goal-file %1 %2)").arg(problem.goalObject, object));
        if (facts.allowedFiles.contains(facts.files.at(i))) {
            init.append(QStringLiteral("(file-allowed %1)").arg(object));
        }
    }
    if (!fileNames.isEmpty()) {
        objects.append(fileNames.join(u' ') + QStringLiteral(" - file"));
    }
    if (!facts.proposers.isEmpty()) {
        objects.append(facts.proposers.join(u' ') + QStringLiteral(" - proposer"));
        for (const QString &proposer : facts.proposers) {
            init.append(QStringLiteral("(proposer-available %1)").arg(proposer));
        }
    }
    if (facts.hasFixits) {
        init.append(QStringLiteral("(has-fixits %1)").arg(problem.goalObject));
    }
    if (facts.testCommand) {
        init.append(QStringLiteral("(test-command-configured)"));
    }
    const QString kind = goal.kind.isEmpty() ? QStringLiteral("user-request") : goal.kind;
    problem.text = header
        + QStringLiteral(
              "(define (problem goal-%1) (:domain code-maintenance)\n"
              "  (:objects %2)\n"
              "  (:htn :ordered-subtasks (%3 %4))\n"
              "  (:init %5))\n")
              .arg(QString::number(goal.id), objects.join(u' '), kind, problem.goalObject, init.join(u' '));
    return problem;
}

QByteArray builtinDomainSource()
{
    initDomainResources();
    QFile file(QStringLiteral(":/astra/domains/code-maintenance.hddl"));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

Result<hddl::Domain> builtinDomain()
{
    const QByteArray source = builtinDomainSource();
    if (source.isEmpty()) {
        return makeError(Tr::tr("Internal error: the built-in domain is missing from this build"));
    }
    return hddl::parseDomain(source, QStringLiteral("code-maintenance.hddl"));
}

GoalPlan goalPlanFrom(const hddl::PlanResult &result,
                      const hddl::Domain &domain,
                      const hddl::Problem &parsed,
                      const GoalProblem &problem,
                      const Goal &goal,
                      const Config &config)
{
    GoalPlan out;
    out.solved = result.outcome == hddl::PlanResult::Outcome::Solved;
    out.plan.goalId = goal.id;
    out.plan.state = out.solved ? PlanState::Proposed : PlanState::Failed;
    out.plan.domain = QStringLiteral("code-maintenance");
    out.plan.problem = problem.text;
    out.plan.outcome = hddl::toString(result.outcome);
    out.plan.expansions = result.expansions;
    out.plan.elapsedMs = result.elapsedMs;
    if (out.solved) {
        out.plan.ipcPlan = result.toIpcFormat(domain, parsed);
    } else {
        QStringList lines;
        lines.append(Tr::tr("No plan for %1 (%2).").arg(result.failedTask, out.plan.outcome));
        for (const hddl::MethodAttempt &attempt : result.failure) {
            lines.append(QStringLiteral("%1 [%2]: %3").arg(attempt.method, attempt.binding, attempt.reason));
        }
        if (!result.furthestTask.isEmpty()) {
            lines.append(
                Tr::tr("The search got furthest after %n action(s), at %1: %2", nullptr, result.furthestActions)
                    .arg(result.furthestTask, result.furthestReason));
        }
        out.plan.failure = lines.join(u'\n');
        if (!result.furthestTask.isEmpty()) {
            QStringList call = result.furthestTask.split(u' ', Qt::SkipEmptyParts);
            QJsonObject furthest;
            furthest.insert(QStringLiteral("task"), call.takeFirst());
            furthest.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(call));
            furthest.insert(QStringLiteral("actions"), result.furthestActions);
            furthest.insert(QStringLiteral("why"), result.furthestWhy);
            out.plan.failureWhy = furthest;
        }
        out.plan.stateReason = lines.value(0);
    }

    QHash<int, int> storedIndex; // planner node index -> index in out.plan.nodes
    std::function<void(int, int, int)> add = [&](int index, int parentStored, int ordinal) {
        const hddl::DecompositionNode &node = result.nodes.at(index);
        PlanNodeRecord record;
        record.parentId = parentStored + 1;
        record.ordinal = ordinal;
        record.kind = node.primitive ? PlanNodeRecord::Kind::Action : PlanNodeRecord::Kind::Task;
        record.name = node.name;
        record.arguments = node.arguments;
        record.plannerId = node.id;
        const int self = int(out.plan.nodes.size());
        record.id = self + 1; // until stored, a node's id is its index + 1, like parentId
        out.plan.nodes.append(record);
        storedIndex.insert(index, self);
        if (node.primitive) {
            return;
        }
        int childOrdinal = 0;
        QString chosenBinding;
        for (const hddl::MethodAttempt &attempt : node.attempts) {
            if (attempt.reason.isEmpty()) {
                chosenBinding = attempt.binding;
                continue;
            }
            PlanNodeRecord rejected;
            rejected.parentId = self + 1;
            rejected.ordinal = childOrdinal++;
            rejected.kind = PlanNodeRecord::Kind::RejectedMethod;
            rejected.name = attempt.method;
            rejected.arguments = attempt.binding.isEmpty() ? QStringList() : attempt.binding.split(u' ');
            rejected.reason = attempt.reason;
            rejected.why = attempt.why;
            rejected.id = out.plan.nodes.size() + 1;
            out.plan.nodes.append(rejected);
        }
        if (node.method.isEmpty()) {
            return;
        }
        PlanNodeRecord method;
        method.parentId = self + 1;
        method.ordinal = childOrdinal;
        method.kind = PlanNodeRecord::Kind::Method;
        method.name = node.method;
        method.arguments = chosenBinding.isEmpty() ? QStringList() : chosenBinding.split(u' ');
        const int methodIndex = int(out.plan.nodes.size());
        method.id = methodIndex + 1;
        out.plan.nodes.append(method);
        int subtask = 0;
        for (int child : node.children) {
            add(child, methodIndex, subtask++);
        }
    };
    int rootOrdinal = 0;
    for (int root : result.roots) {
        add(root, -1, rootOrdinal++);
    }

    if (!out.solved) {
        return out;
    }
    int ordinal = 0;
    for (int index : result.plan) {
        const hddl::DecompositionNode &node = result.nodes.at(index);
        TaskRecord task;
        task.goalId = goal.id;
        task.ordinal = ordinal++;
        task.kind = node.name;
        task.arguments = node.arguments;
        task.timeoutS = timeoutFor(node.name, config);
        task.maxAttempts = 3;
        QJsonObject input;
        input.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(node.arguments));
        input.insert(QStringLiteral("goal"), double(goal.id));
        for (const QString &argument : node.arguments) {
            if (problem.fileObjects.contains(argument)) {
                input.insert(QStringLiteral("path"), problem.fileObjects.value(argument));
            }
        }
        if (node.name == u"code_analyze" && node.arguments.size() > 1) {
            input.insert(QStringLiteral("proposer"), node.arguments.at(1));
        }
        task.input = input;
        out.tasks.append(task);
        out.taskNodes.append(storedIndex.value(index, -1));
    }
    return out;
}

Result<GoalPlan> planForGoal(const Goal &goal,
                             const Config &config,
                             const hddl::Domain &domain,
                             const WorkspaceFacts &facts,
                             const hddl::PlannerLimits &limits)
{
    const QString kind = goal.kind.isEmpty() ? QStringLiteral("user-request") : goal.kind;
    if (!domain.task(kind)) {
        QStringList tasks;
        for (const hddl::CompoundTask &task : domain.tasks) {
            tasks.append(task.name);
        }
        return makeError(Tr::tr("Goal %1 is of kind '%2', which is not a task of the domain %3 (its tasks: %4). "
                                "Create the goal with one of those kinds.")
                             .arg(goal.id)
                             .arg(kind, domain.name, tasks.join(QStringLiteral(", "))),
                         ErrorKind::Invalid);
    }
    const GoalProblem problem = goalProblem(goal, facts);
    auto parsed = hddl::parseProblem(problem.text.toUtf8(), QStringLiteral("goal-%1.hddl").arg(goal.id), domain);
    if (!parsed) {
        return makeError(Tr::tr("Internal error: the problem made for goal %1 does not parse: %2")
                             .arg(goal.id)
                             .arg(parsed.message()));
    }
    const hddl::PlanResult result = hddl::solve(domain, *parsed, limits);
    GoalPlan plan = goalPlanFrom(result, domain, *parsed, problem, goal, config);
    if (!plan.solved && !facts.deniedReasons.isEmpty()) {
        plan.plan.failure +=
            u'\n' + Tr::tr("The path policy forbids: %1").arg(facts.deniedReasons.join(QStringLiteral("; ")));
    }
    return plan;
}

} // namespace astra
