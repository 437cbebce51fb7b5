#include "cli.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace astra::cli {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::cli)
};
} // namespace

int runJobs(Context &context)
{
    int exitCode = Success;
    if (!context.onlyOptions({}, &exitCode)) {
        return exitCode;
    }
    if (context.args.isEmpty() || (context.args.first() != u"run" && context.args.first() != u"list")
        || context.args.size() > 2 || (context.args.first() == u"list" && context.args.size() > 1)) {
        return context.usage(Tr::tr("Usage: astra jobs run [NAME] | astra jobs list"));
    }
    auto workspace = context.openWorkspace(&exitCode);
    if (!workspace) {
        return exitCode;
    }
    if (context.args.first() == u"list") {
        auto due = workspace->dueJobs();
        if (!due) {
            return context.fail(due.error());
        }
        QJsonArray array;
        for (const JobConfig &job : workspace->config().jobs) {
            auto runs = workspace->jobRuns(job.name);
            const TaskRunRecord last = runs && !runs->isEmpty() ? runs->constLast() : TaskRunRecord();
            QJsonObject object;
            object.insert(QStringLiteral("id"), job.name);
            object.insert(QStringLiteral("name"), job.name);
            object.insert(QStringLiteral("command"), job.command);
            object.insert(QStringLiteral("every_s"), double(job.every.count()));
            object.insert(QStringLiteral("due"), due->contains(job.name));
            object.insert(QStringLiteral("runs"), runs ? int(runs->size()) : 0);
            object.insert(QStringLiteral("last_outcome"), last.outcome);
            object.insert(QStringLiteral("last_started_at"), last.startedAt);
            array.append(object);
            if (!context.json) {
                context.out << QStringLiteral("%1  %2  %3")
                                   .arg(job.name, -16)
                                   .arg(last.outcome.isEmpty() ? Tr::tr("never run") : last.outcome, -10)
                                   .arg(due->contains(job.name) ? Tr::tr("due") : QString())
                            << '\n';
            }
        }
        if (context.json) {
            context.printJson(array);
        } else if (array.isEmpty()) {
            context.out << Tr::tr("No jobs in %1.").arg(workspace->config().sourcePath) << '\n';
        }
        return Success;
    }
    auto runs = workspace->runJobs(context.args.value(1));
    context.printWarnings(*workspace);
    if (!runs) {
        return context.fail(runs.error());
    }
    // A job that did not pass makes the command fail, so scripts can react.
    bool allPassed = true;
    for (const TaskRunRecord &run : std::as_const(*runs)) {
        allPassed = allPassed && run.outcome == u"succeeded";
    }
    if (context.json) {
        QJsonArray array;
        for (const TaskRunRecord &run : std::as_const(*runs)) {
            array.append(run.toJson());
        }
        context.printJson(array);
        return allPassed ? Success : Failed;
    }
    for (const TaskRunRecord &run : std::as_const(*runs)) {
        context.out
            << Tr::tr("Job %1 (run %2): %3 in %4 ms").arg(run.jobName).arg(run.id).arg(run.outcome).arg(run.durationMs)
            << '\n';
        if (run.outcome != u"succeeded") {
            for (const QString &line : run.summary.split(u'\n')) {
                context.out << QStringLiteral("  | ") << line << '\n';
            }
        }
    }
    return allPassed ? Success : Failed;
}

} // namespace astra::cli
