#include "cli.h"
#include "planning/planner.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonObject>
#include <QThread>

#include <climits>
#include <limits>
#include <memory>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};

bool readFile(Context &context, const QString &path, QByteArray *content, int *exitCode)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *exitCode = context.usage(Tr::tr("%1: cannot read it (%2).").arg(path, file.errorString()));
        return false;
    }
    auto read = readInput(file, path);
    if (!read) {
        *exitCode = context.fail(read.error());
        return false;
    }
    *content = std::move(*read);
    return true;
}
} // namespace

int runHddl(Context &context)
{
    int exitCode = Success;
    if (context.args.isEmpty() || (context.args.constFirst() != u"check" && context.args.constFirst() != u"solve")) {
        return context.usage(
            Tr::tr("hddl needs a subcommand: check DOMAIN [PROBLEM] or solve DOMAIN PROBLEM [--timeout S]."));
    }
    const QString sub = context.args.takeFirst();
    if (!context.onlyOptions(sub == u"solve" ? QStringList{QStringLiteral("timeout")} : QStringList{}, &exitCode)) {
        return exitCode;
    }
    if (sub == u"check" ? (context.args.isEmpty() || context.args.size() > 2) : context.args.size() != 2) {
        return context.usage(sub == u"check" ? Tr::tr("hddl check needs DOMAIN and optionally PROBLEM.")
                                             : Tr::tr("hddl solve needs DOMAIN and PROBLEM."));
    }
    qint64 timeoutMs = 60000;
    if (context.parser.isSet(QStringLiteral("timeout"))) {
        bool ok = false;
        const double seconds = context.parser.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || seconds <= 0) {
            return context.usage(Tr::tr("--timeout must be a positive number of seconds."));
        }
        timeoutMs = qint64(seconds * 1000);
    }
    QByteArray domainText;
    if (!readFile(context, context.args.at(0), &domainText, &exitCode)) {
        return exitCode;
    }
    auto domain = hddl::parseDomain(domainText, context.args.at(0));
    if (!domain) {
        context.err << QStringLiteral("astra: ") << domain.message() << '\n';
        return Usage;
    }
    std::optional<hddl::Problem> problem;
    if (context.args.size() == 2) {
        QByteArray problemText;
        if (!readFile(context, context.args.at(1), &problemText, &exitCode)) {
            return exitCode;
        }
        auto parsed = hddl::parseProblem(problemText, context.args.at(1), *domain);
        if (!parsed) {
            context.err << QStringLiteral("astra: ") << parsed.message() << '\n';
            return Usage;
        }
        problem = *parsed;
    }
    if (sub == u"check") {
        if (context.json) {
            QJsonObject object;
            object.insert(QStringLiteral("domain"), domain->name);
            object.insert(QStringLiteral("tasks"), int(domain->tasks.size()));
            object.insert(QStringLiteral("methods"), int(domain->methods.size()));
            object.insert(QStringLiteral("actions"), int(domain->actions.size()));
            if (problem) {
                object.insert(QStringLiteral("problem"), problem->name);
                object.insert(QStringLiteral("objects"), int(problem->objects.size()));
            }
            context.printJson(object);
        } else {
            context.out << Tr::tr("Domain %1: %2 tasks, %3 methods, %4 actions.")
                               .arg(domain->name)
                               .arg(domain->tasks.size())
                               .arg(domain->methods.size())
                               .arg(domain->actions.size())
                        << '\n';
            if (problem) {
                context.out << Tr::tr("Problem %1: %2 objects, %3 initial tasks, %4 facts.")
                                   .arg(problem->name)
                                   .arg(problem->objects.size())
                                   .arg(problem->htnTasks.size())
                                   .arg(problem->init.size())
                            << '\n';
            }
        }
        return Success;
    }
    // Any HDDL problem: bounded by time alone. The search recurses once per task it places, so
    // it runs on a thread with a stack for plans of hundreds of thousands of steps (address
    // space, taken only as used).
    hddl::PlannerLimits limits;
    limits.timeoutMs = timeoutMs;
    limits.maxNodes = std::numeric_limits<qint64>::max();
    limits.maxDepth = std::numeric_limits<int>::max();
    hddl::PlanResult result;
    std::unique_ptr<QThread> search(QThread::create([&] { result = hddl::solve(*domain, *problem, limits); }));
    search->setStackSize(uint(1) << 30);
    search->start();
    search->wait();
    if (result.outcome != hddl::PlanResult::Outcome::Solved) {
        context.err << Tr::tr("astra: no plan found (%1 after %2 expansions in %3 ms).")
                           .arg(hddl::toString(result.outcome))
                           .arg(result.expansions)
                           .arg(result.elapsedMs)
                    << '\n';
        if (result.outcome == hddl::PlanResult::Outcome::Exhausted && result.complete) {
            context.err << Tr::tr("The search space was exhausted: there is no plan.") << '\n';
        } else if (result.outcome == hddl::PlanResult::Outcome::Exhausted) {
            context.err << Tr::tr(
                "Every way was tried but %n that came back, partway through, to a task already "
                "being decomposed in the same state; a plan that needs such a repetition may "
                "exist.",
                nullptr,
                int(qMin<qint64>(result.loopsCut, INT_MAX)))
                        << '\n';
        }
        if (!result.failedTask.isEmpty()) {
            context.err << Tr::tr("%1 could not be decomposed:").arg(result.failedTask) << '\n';
            for (const hddl::MethodAttempt &attempt : result.failure) {
                context.err << QStringLiteral("  %1 [%2]: %3").arg(attempt.method, attempt.binding, attempt.reason)
                            << '\n';
            }
        }
        if (!result.furthestTask.isEmpty()) {
            context.err << Tr::tr("The search got furthest after %n action(s), at %1: %2",
                                  nullptr,
                                  result.furthestActions)
                               .arg(result.furthestTask, result.furthestReason)
                        << '\n';
        }
        context.err.flush();
        return Failed;
    }
    context.out << result.toIpcFormat(*domain, *problem);
    return Success;
}

} // namespace astra::cli
