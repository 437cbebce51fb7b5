#include "workspace/demo.h"

#include "base/sharedtext.h"
#include "config/astraconfig.h"
#include "git/gitrepository.h"
#include "model/goalstatemachine.h"
#include "policy/pathpolicy.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "workspace/cycle.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

// Outside any namespace, as Q_INIT_RESOURCE requires.
static void initDemoResources()
{
    Q_INIT_RESOURCE(demo);
}

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Demo)
};

struct DemoCommit
{
    const char *message;
    bool operators; // committed by the operators rather than the developer
    // repository path -> resource under :/astra/demo/ (empty: the same name)
    QList<QPair<const char *, const char *>> files;
};

// snapback's history. The fourth commit brings the bug the nightly job runs into: upload()
// holds the target lock and calls prune(), which waits for that lock forever.
const QList<DemoCommit> &history()
{
    static const QList<DemoCommit> commits = {
        {"Archive a folder into a dated tar.gz, with settings from backup.json",
         false,
         {{"README.md", ""},
          {".gitignore", "gitignore"},
          {"backup.json", ""},
          {"snapback/__init__.py", ""},
          {"snapback/archive.py", ""},
          {"snapback/config.py", ""},
          {"tests/__init__.py", ""},
          {"tests/test_archive.py", ""},
          {"tests/test_config.py", ""},
          {"tools/run_tests.py", ""}}},
        {"Upload archives to the backup target under a lock file",
         false,
         {{"snapback/remote.py", "snapback/remote-1.py"},
          {"scripts/daily_backup.py", "scripts/daily_backup-1.py"},
          {"tests/test_remote.py", "tests/test_remote-1.py"}}},
        {"Lint in CI with SARIF output; report backups to monitoring",
         true,
         {{"tools/lint.py", ""},
          {"deploy/post_backup.py", ""},
          {"deploy/monitoring.json", ""},
          {"docs/operations.md", ""}}},
        {"Keep only the newest archives: prune after each upload",
         false,
         {{"snapback/remote.py", ""}, {"scripts/daily_backup.py", ""}, {"tests/test_remote.py", ""}}},
        {"Let Astra Review maintain snapback", false, {{".astra.toml", "astra.toml"}, {"tools/demo_agent.py", ""}}},
    };
    return commits;
}

Result<QByteArray> demoFile(const QString &name)
{
    QFile file(QStringLiteral(":/astra/demo/") + name);
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(Tr::tr("Internal error: the demo file %1 is missing from this build.").arg(name));
    }
    QByteArray content = file.readAll();
    if (content.isNull()) {
        content = QByteArray("", 0); // an empty file, not a deletion (commitFiles reads null as one)
    }
    return content;
}

// A step of the demo did not go as the demo expects: say which, and what the engine said.
Error stepFailed(const QString &step, const QString &why)
{
    return makeError(Tr::tr("The demo workspace could not be completed at \"%1\": %2").arg(step, why));
}

struct Demo
{
    Workspace &ws;
    DemoReport &report;

    Result<Goal> userGoal(const char *title, const QStringList &files, const char *description)
    {
        auto goal = ws.addUserGoal(QString::fromUtf8(title), files, QString::fromUtf8(description));
        if (goal) {
            ++report.goals;
        }
        return goal;
    }

    Status approve(qint64 goalId, const QString &reason)
    {
        auto moved = ws.applyGoalAction(goalId, GoalAction::Approve, reason);
        return moved ? Status() : Status(moved.error());
    }

    Status planAndApprove(qint64 goalId)
    {
        auto plan = ws.planGoal(goalId);
        if (!plan) {
            return plan.error();
        }
        auto approved = ws.approvePlan(
            goalId,
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "the steps and files are what this change needs")).text);
        return approved ? Status() : Status(approved.error());
    }

    Result<Modification> modificationOf(qint64 goalId)
    {
        auto all = ws.modifications();
        if (!all) {
            return all.error();
        }
        for (const Modification &modification : std::as_const(*all)) {
            if (modification.goalId == goalId) {
                return modification;
            }
        }
        return makeError(Tr::tr("goal %1 has no modification").arg(goalId));
    }
};
} // namespace

namespace {
// Builds the demo in `absolute`, a new or empty folder.
Result<DemoReport> buildDemo(const QString &absolute)
{
    auto config = demoFile(QStringLiteral("astra.toml"));
    if (!config) {
        return config.error();
    }
    if (auto parsed = parseConfig(*config, QStringLiteral("demo .astra.toml"), configChecks()); !parsed) {
        return makeError(Tr::tr("Internal error: the demo configuration does not parse: %1").arg(parsed.message()));
    }

    auto repo = GitRepository::init(absolute, QStringLiteral("main"));
    if (!repo) {
        return repo.error();
    }
    DemoReport report;
    report.workDir = absolute;
    const GitIdentity developer{QStringLiteral("Dana Developer"), QStringLiteral("dana@example.org")};
    const GitIdentity operators{QStringLiteral("Olu Operator"), QStringLiteral("olu@example.org")};
    for (const DemoCommit &commit : history()) {
        QMap<QString, QByteArray> files;
        for (const auto &[path, resource] : commit.files) {
            auto content = demoFile(QString::fromUtf8(*resource ? resource : path));
            if (!content) {
                return content.error();
            }
            files.insert(QString::fromUtf8(path), *content);
        }
        auto id = repo->commitFiles(QStringLiteral("main"),
                                    files,
                                    QString::fromUtf8(commit.message),
                                    commit.operators ? operators : developer);
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
    auto opened = Workspace::open(options);
    if (!opened) {
        return opened.error();
    }
    Workspace &ws = **opened;
    Demo demo{ws, report};

    // The jobs run for real: lint writes its SARIF report; daily_backup hangs on its own lock
    // until its timeout stops it, and backup_report fails reading its settings, each three
    // times, which is the job-failure detector's threshold.
    QStringList jobs{QStringLiteral("lint")};
    for (int i = 0; i < 3; ++i) {
        jobs << QStringLiteral("daily_backup") << QStringLiteral("backup_report");
    }
    QStringList lintOutcomes; // what lint said, when detection does not find what it should
    for (const QString &job : std::as_const(jobs)) {
        auto runs = ws.runJobs(job);
        if (!runs) {
            return stepFailed(Tr::tr("run the job %1").arg(job), runs.message());
        }
        report.jobRuns += int(runs->size());
        for (const TaskRunRecord &run : std::as_const(*runs)) {
            if (job == u"lint" && run.outcome != u"succeeded") {
                lintOutcomes.append(QStringLiteral("%1 (%2)").arg(run.outcome, run.summary.trimmed()));
            }
        }
    }

    // Detection: the timeouts become a goal, and so do lint's fix-its in snapback/archive.py.
    // Refused: lint's finding in deploy/ (principles: the policy forbids every file of it) and
    // backup_report's failure, which is unexecutable: its traceback runs through
    // snapback/config.py, which the agent may change, and deploy/post_backup.py, which it may
    // not, so no plan can carry the fix out.
    auto decisions = ws.detect();
    if (!decisions) {
        return stepFailed(Tr::tr("detect"), decisions.message());
    }
    report.proposals = int(decisions->size());
    qint64 jobGoal = 0;
    qint64 fixitsGoal = 0;
    bool refused = false;
    for (const ProposalDecision &decision : std::as_const(*decisions)) {
        if (decision.accepted && decision.draft.evidence.value(QStringLiteral("job")).toString() == u"daily_backup") {
            jobGoal = decision.goalId;
        } else if (decision.accepted && decision.draft.title.contains(QStringLiteral("snapback/archive.py"))) {
            fixitsGoal = decision.goalId;
        } else if (!decision.accepted && decision.check == u"feasibility") {
            refused = true;
        }
    }
    if (jobGoal == 0 || fixitsGoal == 0 || !refused) {
        QStringList seen;
        for (const ProposalDecision &decision : std::as_const(*decisions)) {
            seen.append(decision.draft.title + QStringLiteral(": ")
                        + (decision.accepted ? QStringLiteral("accepted") : decision.check + u' ' + decision.reason));
        }
        QString why = Tr::tr("expected two accepted goals and a refusal for feasibility, got: %1")
                          .arg(seen.isEmpty() ? Tr::tr("nothing") : seen.join(QStringLiteral("; ")));
        if (!lintOutcomes.isEmpty()) {
            why += u' ' + Tr::tr("The lint job did not pass: %1.").arg(lintOutcomes.join(QStringLiteral("; ")));
        }
        return stepFailed(Tr::tr("detect"), why);
    }
    report.goals += 2;

    // Two requests from the developers, for the scripted agent.
    auto sizeGoal = demo.userGoal("Log the archive size after each backup",
                                  {QStringLiteral("scripts/daily_backup.py")},
                                  "A sudden change in size is the first sign that a backup went wrong.");
    auto hostGoal = demo.userGoal("Name archives after the host as well as the folder",
                                  {QStringLiteral("snapback/archive.py"), QStringLiteral("tests/test_archive.py")},
                                  "Three machines back up to the same target; their archives must not collide.");
    if (!sizeGoal || !hostGoal) {
        return stepFailed(Tr::tr("add goals"), (!sizeGoal ? sizeGoal.message() : hostGoal.message()));
    }

    // Approve the four goals and their plans; one turn of the loop runs the plans: each ends
    // with a tested modification awaiting review.
    for (qint64 goal : {jobGoal, fixitsGoal, sizeGoal->id, hostGoal->id}) {
        if (Status approved = demo.approve(goal, sharedText(QT_TRANSLATE_NOOP("astra::Shared", "worth doing")).text);
            !approved) {
            return stepFailed(Tr::tr("approve goal %1").arg(goal), approved.message());
        }
        if (Status planned = demo.planAndApprove(goal); !planned) {
            return stepFailed(Tr::tr("plan goal %1").arg(goal), planned.message());
        }
    }
    CycleOptions turn;
    turn.detect = false;
    auto cycle = runCycle(ws, options, turn);
    if (!cycle) {
        return stepFailed(Tr::tr("run the approved plans"), cycle.message());
    }
    if (cycle->modificationsAwaitingReview.size() != 4) {
        QStringList why = cycle->scheduler.errors;
        if (auto failed = ws.tasks(TaskState::Failed)) {
            for (const TaskRecord &task : std::as_const(*failed)) {
                why.append(QStringLiteral("%1 %2: %3").arg(task.kind).arg(task.id).arg(task.summary));
            }
        }
        return stepFailed(Tr::tr("run the approved plans"),
                          Tr::tr("expected four modifications awaiting review, got %1: %2")
                              .arg(cycle->modificationsAwaitingReview.size())
                              .arg(why.join(QStringLiteral("; "))));
    }
    report.modifications = 4;

    // Reviews: the lint fixes are merged; the host-name change touched the same line and now
    // conflicts; the size logging is rejected and its goal abandoned. The fix for the nightly
    // job waits for a person.
    const auto review = [&](qint64 goal) -> Status {
        auto modification = demo.modificationOf(goal);
        if (!modification) {
            return modification.error();
        }
        if (goal == sizeGoal->id) {
            auto rejected = ws.rejectModification(
                modification->id,
                sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                             "Bytes alone are hard to read in the job log: log a human-readable "
                                             "size (KiB, MiB) and the number of files instead."))
                    .text);
            if (!rejected) {
                return rejected.error();
            }
            auto abandoned = ws.applyGoalAction(
                goal,
                GoalAction::Abandon,
                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "will be asked again with the format spelled out")).text);
            return abandoned ? Status() : Status(abandoned.error());
        }
        auto approved = ws.approveModification(
            modification->id,
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "small, tested, and what the goal asked")).text);
        if (!approved) {
            return approved.error();
        }
        auto merged = ws.mergeModification(modification->id);
        if (goal == hostGoal->id) {
            // Expected: the merged lint fix changed the line this change rewrites.
            auto after = ws.modification(modification->id);
            if (merged || !after || after->status != ModificationStatus::Conflicted) {
                return makeError(Tr::tr("the host-name change was expected to conflict with the merged lint fixes"));
            }
            return {};
        }
        return merged ? Status() : Status(merged.error());
    };
    for (qint64 goal : {fixitsGoal, hostGoal->id, sizeGoal->id}) {
        if (Status reviewed = review(goal); !reviewed) {
            return stepFailed(Tr::tr("review the modification of goal %1").arg(goal), reviewed.message());
        }
    }
    // The fix that waits has a reviewer's question on its first added line: the conversation
    // with the agent (docs/revisions.md) starts there.
    {
        auto waiting = demo.modificationOf(jobGoal);
        if (!waiting) {
            return stepFailed(Tr::tr("comment on the modification of goal %1").arg(jobGoal), waiting.message());
        }
        auto diff = ws.revisions().diff(waiting->id, 0, 0);
        if (!diff) {
            return stepFailed(Tr::tr("comment on the modification of goal %1").arg(jobGoal), diff.message());
        }
        QString path;
        int line = 0;
        for (const FileDiff &file : std::as_const(diff->files)) {
            for (const DiffHunk &hunk : file.hunks) {
                for (const DiffLine &each : hunk.lines) {
                    if (line == 0 && each.origin == '+') {
                        path = file.path;
                        line = each.newNo;
                    }
                }
            }
        }
        if (line > 0) {
            auto commented = ws.revisions().comment(
                waiting->id,
                path,
                line,
                QStringLiteral("new"),
                QStringLiteral("Is the lock released when the upload fails halfway? Please add a test where the "
                               "upload raises."));
            if (!commented) {
                return stepFailed(Tr::tr("comment on the modification of goal %1").arg(jobGoal), commented.message());
            }
        }
    }

    // lint runs again on the merged code: only the finding in deploy/ is left.
    if (auto runs = ws.runJobs(QStringLiteral("lint")); !runs) {
        return stepFailed(Tr::tr("run the job %1").arg(QStringLiteral("lint")), runs.message());
    } else {
        report.jobRuns += int(runs->size());
    }

    // The rest of the board: a goal whose plan awaits approval, an approved goal not yet
    // planned, a new request and a refused one.
    auto dryRun = demo.userGoal("Add a --dry-run flag to daily_backup",
                                {QStringLiteral("scripts/daily_backup.py")},
                                "Print what would be archived, uploaded and pruned, and change nothing.");
    auto restore = demo.userGoal("Document how to restore from a backup",
                                 {QStringLiteral("docs/operations.md")},
                                 "Step by step, including how to check an archive before restoring it.");
    auto encrypt = demo.userGoal("Encrypt archives before upload",
                                 {QStringLiteral("snapback/remote.py")},
                                 "The target is a shared disk; archives must not be readable there.");
    auto rust = demo.userGoal("Rewrite the archiver in Rust", {QStringLiteral("snapback/archive.py")}, "");
    for (const auto *goal : {&dryRun, &restore, &encrypt, &rust}) {
        if (!*goal) {
            return stepFailed(Tr::tr("add goals"), goal->message());
        }
    }
    for (qint64 goal : {dryRun->id, restore->id}) {
        if (Status approved = demo.approve(goal, sharedText(QT_TRANSLATE_NOOP("astra::Shared", "worth doing")).text);
            !approved) {
            return stepFailed(Tr::tr("approve goal %1").arg(goal), approved.message());
        }
    }
    if (auto plan = ws.planGoal(dryRun->id); !plan) {
        return stepFailed(Tr::tr("plan goal %1").arg(dryRun->id), plan.message());
    }
    if (auto rejected = ws.applyGoalAction(
            rust->id,
            GoalAction::Reject,
            sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                         "Out of scope: snapback stays pure Python so that it runs wherever python3 "
                                         "does."))
                .text);
        !rejected) {
        return stepFailed(Tr::tr("reject goal %1").arg(rust->id), rejected.message());
    }
    if (auto checkpoint = ws.checkpointLedger(); !checkpoint) {
        return checkpoint.error();
    }
    return report;
}
} // namespace

Result<DemoReport> createDemoWorkspace(const QString &dir)
{
    initDemoResources();
    const QString absolute = QDir::cleanPath(QDir(dir).absolutePath());
    const QFileInfo info(absolute);
    if (info.exists()
        && (!info.isDir() || !QDir(absolute).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))) {
        return makeError(Tr::tr("%1 already exists and is not an empty folder; the demo workspace needs a new folder. "
                                "Pass another path or remove it.")
                             .arg(absolute),
                         ErrorKind::Refused);
    }
    const bool existed = info.exists();
    auto report = buildDemo(absolute); // the workspace is closed when it returns
    if (!report) {
        // A half-made demo is no demo: take back what was made, and leave the folder as it was.
        QDir(absolute).removeRecursively();
        if (existed) {
            QDir().mkpath(absolute);
        }
        return makeError(
            report.message() + u' '
                + Tr::tr("Nothing was kept in %1; fix the cause and run `astra demo` again.").arg(absolute),
            report.error().kind);
    }
    return report;
}

} // namespace astra
