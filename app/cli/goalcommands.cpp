#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

void printGoal(QTextStream &out, const Goal &goal)
{
    out << Tr::tr("Goal %1: %2").arg(goal.id).arg(goal.title) << '\n';
    out << Tr::tr("  state       %1%2")
               .arg(toString(goal.state),
                    goal.stateReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(goal.stateReason))
        << '\n';
    out << Tr::tr("  kind        %1").arg(goal.kind) << '\n';
    out << Tr::tr("  source      %1, created by %2").arg(toString(goal.source), goal.createdBy) << '\n';
    out << Tr::tr("  confidence  %1, priority %2").arg(goal.confidence).arg(goal.priority) << '\n';
    const QStringList files = goal.files();
    if (!files.isEmpty()) {
        out << Tr::tr("  files       %1").arg(files.join(QStringLiteral(", "))) << '\n';
    }
    out << Tr::tr("  created     %1, updated %2 (version %3)").arg(goal.createdAt, goal.updatedAt).arg(goal.version)
        << '\n';
}

QString stateNames()
{
    QStringList names;
    for (GoalState state : allGoalStates()) {
        names.append(toString(state));
    }
    return names.join(QStringLiteral(", "));
}
} // namespace

int runGoals(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({QStringLiteral("state")}, &exitCode)) {
        return exitCode;
    }
    if (!context.args.isEmpty()) {
        return context.usage(Tr::tr("goals takes no arguments; filter with --state STATE."));
    }
    std::optional<GoalState> state;
    if (context.parser.isSet(QStringLiteral("state"))) {
        const QString name = context.parser.value(QStringLiteral("state"));
        state = goalStateFromString(name);
        if (!state) {
            return context.usage(Tr::tr("--state %1: not a goal state; use one of %2.").arg(name, stateNames()));
        }
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto goals = workspace->goals(state);
    if (!goals) {
        return context.fail(goals.error());
    }
    if (context.json) {
        QJsonArray array;
        for (const Goal &goal : std::as_const(*goals)) {
            array.append(goal.toJson());
        }
        context.printJson(array);
        return Success;
    }
    if (goals->isEmpty()) {
        context.out << (state ? Tr::tr("No goals are '%1'.").arg(toString(*state)) : Tr::tr("No goals yet.")) << '\n';
        return Success;
    }
    for (const Goal &goal : std::as_const(*goals)) {
        context.out << QStringLiteral("%1  %2  %3").arg(goal.id, 5).arg(toString(goal.state), -15).arg(goal.title)
                    << '\n';
    }
    return Success;
}

int runGoal(Context &context)
{
    int exitCode = Success;
    if (context.args.isEmpty()) {
        return context.usage(Tr::tr("goal needs a subcommand: add, show, approve, reject or abandon."));
    }
    const QString sub = context.args.takeFirst();
    if (sub == u"add") {
        if (!context.onlyOptions({QStringLiteral("files")}, &exitCode)) {
            return exitCode;
        }
        if (context.args.isEmpty()) {
            return context.usage(Tr::tr("goal add needs the goal's text: astra goal add \"TEXT\" [--files PATH...]."));
        }
        const QString title = context.args.takeFirst();
        if (!context.args.isEmpty() && !context.parser.isSet(QStringLiteral("files"))) {
            return context.usage(Tr::tr("goal add takes one text; put quotes around it, or name files after --files."));
        }
        if (context.parser.isSet(QStringLiteral("files")) && context.args.isEmpty()) {
            return context.usage(Tr::tr("--files needs at least one path."));
        }
        auto workspace = context.openWorkspace(&exitCode);
        if (!workspace) {
            return exitCode;
        }
        auto goal = workspace->addUserGoal(title, context.args);
        if (!goal) {
            return context.fail(goal.error());
        }
        context.printWarnings(*workspace);
        if (context.json) {
            context.printJson(goal->toJson());
        } else {
            context.out << Tr::tr("Added goal %1 (%2): %3").arg(goal->id).arg(toString(goal->state), goal->title)
                        << '\n';
        }
        return Success;
    }

    std::optional<GoalAction> action;
    if (sub == u"approve") {
        action = GoalAction::Approve;
    } else if (sub == u"reject") {
        action = GoalAction::Reject;
    } else if (sub == u"abandon") {
        action = GoalAction::Abandon;
    } else if (sub != u"show") {
        return context.usage(Tr::tr("'goal %1' is not a command; use add, show, approve, reject or abandon.").arg(sub));
    }
    if (!context.onlyOptions(action ? QStringList{QStringLiteral("reason")} : QStringList{}, &exitCode)) {
        return exitCode;
    }
    if (context.args.size() != 1) {
        return context.usage(Tr::tr("goal %1 needs exactly one goal id.").arg(sub));
    }
    qint64 id = 0;
    if (!context.parseId(context.args.constFirst(), Tr::tr("The goal id"), &id, &exitCode)) {
        return exitCode;
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    auto goal = action ? workspace->applyGoalAction(id, *action, context.parser.value(QStringLiteral("reason")))
                       : workspace->goal(id);
    if (!goal) {
        return context.fail(goal.error());
    }
    context.printWarnings(*workspace);
    if (context.json) {
        context.printJson(goal->toJson());
    } else if (action) {
        context.out << Tr::tr("Goal %1 is now '%2'.").arg(goal->id).arg(toString(goal->state)) << '\n';
    } else {
        printGoal(context.out, *goal);
    }
    return Success;
}

} // namespace astra::cli
