#include "workspace/taskexecutors.h"

#include "base/sharedtext.h"
#include "base/softassert.h"
#include "git/gitrepository.h"
#include "policy/pathpolicy.h"
#include "proposers/proposer.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/taskrepository.h"
#include "workspace/exportedrun.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Executors)
};

// The log a running task writes its programs' output to, recorded on its run so that a person
// can follow it while it runs: <state dir>/task-output/task-<id>-run-<run>.log. Empty (no live
// log, the run goes on) when it cannot be recorded.
QString taskLog(Workspace &workspace, const TaskContext &context)
{
    if (context.runId <= 0) {
        return QString();
    }
    const QString path = QDir(outputFolder(workspace.stateDir(), QStringLiteral("task-output")))
                             .filePath(QStringLiteral("task-%1-run-%2.log").arg(context.task.id).arg(context.runId));
    Status recorded = workspace.database().writeTransaction(
        [&] { return TaskRepository(workspace.database()).setRunOutput(context.runId, path); });
    if (!recorded) {
        workspace.warn(
            Tr::tr("task %1: its log could not be recorded: %2").arg(context.task.id).arg(recorded.message()));
        return QString();
    }
    return path;
}

QString pathOf(const TaskRecord &task)
{
    return task.input.value(QStringLiteral("path")).toString();
}

// The commit a plan works on: the one its first code_read saw, else the target's head now.
Result<QString> planBase(Workspace &workspace, TaskContext &context)
{
    for (const TaskRecord &task : std::as_const(context.earlier)) {
        const QString commit = task.output.value(QStringLiteral("commit")).toString();
        if (task.kind == u"code_read" && !commit.isEmpty()) {
            return commit;
        }
    }
    return workspace.repository().branchCommit(workspace.config().workspace.targetBranch);
}

QJsonArray encodeChanges(const ChangeSet &changes)
{
    QJsonArray array;
    for (const FileChange &change : changes.files) {
        QJsonObject object;
        object.insert(QStringLiteral("kind"),
                      change.kind == FileChange::Kind::Write        ? QStringLiteral("write")
                          : change.kind == FileChange::Kind::Delete ? QStringLiteral("delete")
                                                                    : QStringLiteral("rename"));
        object.insert(QStringLiteral("path"), QString::fromUtf8(change.path));
        if (!change.oldPath.isEmpty()) {
            object.insert(QStringLiteral("old_path"), QString::fromUtf8(change.oldPath));
        }
        object.insert(QStringLiteral("has_content"), change.hasContent);
        if (change.hasContent) {
            object.insert(QStringLiteral("content_base64"), QString::fromLatin1(change.content.toBase64()));
        }
        object.insert(QStringLiteral("mode"), double(change.mode));
        array.append(object);
    }
    return array;
}

ChangeSet decodeChanges(const QJsonObject &output)
{
    ChangeSet changes;
    changes.title = output.value(QStringLiteral("title")).toString();
    changes.rationale = output.value(QStringLiteral("rationale")).toString();
    for (const QJsonValue &value : output.value(QStringLiteral("changes")).toArray()) {
        const QJsonObject object = value.toObject();
        FileChange change;
        const QString kind = object.value(QStringLiteral("kind")).toString();
        change.kind = kind == u"delete" ? FileChange::Kind::Delete
            : kind == u"rename"         ? FileChange::Kind::Rename
                                        : FileChange::Kind::Write;
        change.path = object.value(QStringLiteral("path")).toString().toUtf8();
        change.oldPath = object.value(QStringLiteral("old_path")).toString().toUtf8();
        change.hasContent = object.value(QStringLiteral("has_content")).toBool();
        change.content = QByteArray::fromBase64(object.value(QStringLiteral("content_base64")).toString().toLatin1());
        change.mode = quint32(object.value(QStringLiteral("mode")).toDouble(0100644));
        changes.files.append(change);
    }
    return changes;
}

qint64 modificationOf(TaskContext &context)
{
    const TaskRecord *modify = context.earlierOf(QStringLiteral("code_modify"));
    return modify ? qint64(modify->output.value(QStringLiteral("modification")).toDouble()) : 0;
}

TaskOutcome codeRead(Workspace &workspace, TaskContext &context)
{
    const QString path = pathOf(context.task);
    auto commit = planBase(workspace, context);
    if (!commit) {
        return TaskOutcome::failed(commit.error());
    }
    QJsonObject output;
    output.insert(QStringLiteral("path"), path);
    output.insert(QStringLiteral("commit"), *commit);
    auto content = workspace.readFile(*commit, path.toUtf8());
    if (!content) {
        if (content.error().kind != ErrorKind::NotFound) {
            return TaskOutcome::failed(content.error());
        }
        output.insert(QStringLiteral("exists"), false);
        return TaskOutcome::succeeded(
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "%1 does not exist at %2 yet"), {path, commit->left(12)})
                .text,
            output);
    }
    output.insert(QStringLiteral("exists"), true);
    output.insert(QStringLiteral("bytes"), double(content->size()));
    output.insert(QStringLiteral("sha256"),
                  QString::fromLatin1(QCryptographicHash::hash(*content, QCryptographicHash::Sha256).toHex()));
    return TaskOutcome::succeeded(sharedText(QT_TRANSLATE_N_NOOP("astra::Shared", "read %1 (%n byte(s)) at %2"),
                                             {path, commit->left(12)},
                                             int(content->size()))
                                      .text,
                                  output);
}

TaskOutcome codeAnalyze(Workspace &workspace, TaskContext &context)
{
    auto goal = workspace.goal(context.task.goalId);
    if (!goal) {
        return TaskOutcome::failed(goal.error());
    }
    auto base = planBase(workspace, context);
    if (!base) {
        return TaskOutcome::failed(base.error());
    }
    const QString proposerName = context.task.input.value(QStringLiteral("proposer")).toString();
    auto proposer = createProposer(proposerName, workspace.config());
    if (!proposer) {
        return TaskOutcome::failed(proposer.error());
    }
    ProposalContext proposal;
    proposal.goal = *goal;
    proposal.baseCommit = *base;
    proposal.targetBranch = workspace.config().workspace.targetBranch;
    for (const TaskRecord &read : std::as_const(context.earlier)) {
        if (read.kind != u"code_read") {
            continue;
        }
        ProposalFile file;
        file.path = read.output.value(QStringLiteral("path")).toString();
        file.exists = read.output.value(QStringLiteral("exists")).toBool();
        if (file.exists) {
            auto content = workspace.readFile(*base, file.path.toUtf8());
            if (!content) {
                return TaskOutcome::failed(content.error());
            }
            file.content = *content;
        }
        proposal.files.append(file);
    }
    proposal.logFile = taskLog(workspace, context);
    context.progress(10, Tr::tr("asking the %1 proposer").arg(proposerName));
    auto answer = (*proposer)->propose(proposal, workspace.repository(), context.stop);
    if (!answer) {
        TaskOutcome outcome = TaskOutcome::failed(answer.error());
        if (!(*proposer)->lastTranscript().isEmpty()) {
            outcome.output.insert(QStringLiteral("transcript"), (*proposer)->lastTranscript());
        }
        if (context.stop && context.stop->load()) {
            outcome.kind = TaskOutcome::Kind::Cancelled;
        }
        return outcome;
    }
    for (const QJsonValue &warning : answer->transcript.value(QStringLiteral("warnings")).toArray()) {
        workspace.warn(warning.toString());
    }
    if (answer->transcript.value(QStringLiteral("sandboxed")) == QJsonValue(false)) {
        workspace.warn(Tr::tr("The agent of goal %1 ran without a sandbox (sandbox = \"none\" in [proposer]): it "
                              "could read and change anything you can, though it worked in a private checkout.")
                           .arg(context.task.goalId));
    }
    QJsonObject output;
    output.insert(QStringLiteral("proposer"), proposerName);
    output.insert(QStringLiteral("base"), *base);
    output.insert(QStringLiteral("title"), answer->changes.title);
    output.insert(QStringLiteral("rationale"), answer->changes.rationale);
    output.insert(QStringLiteral("changes"), encodeChanges(answer->changes));
    output.insert(QStringLiteral("transcript"), answer->transcript);
    return TaskOutcome::succeeded(sharedText(QT_TRANSLATE_N_NOOP("astra::Shared", "the %1 proposer changed %n file(s)"),
                                             {proposerName},
                                             int(answer->changes.files.size()))
                                      .text,
                                  output);
}

TaskOutcome codeModify(Workspace &workspace, TaskContext &context)
{
    // Idempotent: a run that died after writing the modification finds it again.
    auto existing = ModificationRepository(workspace.database()).list();
    if (!existing) {
        return TaskOutcome::failed(existing.error());
    }
    for (const Modification &modification : std::as_const(*existing)) {
        if (modification.taskId && *modification.taskId == context.task.id) {
            QJsonObject output;
            output.insert(QStringLiteral("modification"), double(modification.id));
            output.insert(QStringLiteral("branch"), modification.branch);
            output.insert(QStringLiteral("head"), modification.headCommit);
            return TaskOutcome::succeeded(
                sharedText(QT_TRANSLATE_NOOP("astra::Shared", "modification %1 was already written"),
                           {QString::number(modification.id)})
                    .text,
                output);
        }
    }
    const TaskRecord *analyze = context.earlierOf(QStringLiteral("code_analyze"));
    if (!analyze) {
        return TaskOutcome::failed(
            makeError(Tr::tr("Task %1 (code_modify) has no code_analyze before it in plan %2, so there is no change "
                             "set to write.")
                          .arg(context.task.id)
                          .arg(context.task.planId),
                      ErrorKind::Invalid));
    }
    const ChangeSet changes = decodeChanges(analyze->output);
    auto created = workspace.createModification(context.task.goalId,
                                                changes,
                                                QStringLiteral("astra"),
                                                context.task.claim(),
                                                analyze->output.value(QStringLiteral("base")).toString());
    if (!created) {
        return TaskOutcome::failed(created.error());
    }
    QJsonObject output;
    output.insert(QStringLiteral("modification"), double(created->id));
    output.insert(QStringLiteral("branch"), created->branch);
    output.insert(QStringLiteral("head"), created->headCommit);
    output.insert(QStringLiteral("files"), int(created->files.size()));
    return TaskOutcome::succeeded(sharedText(QT_TRANSLATE_N_NOOP("astra::Shared", "modification %1 on %2 (%n file(s))"),
                                             {QString::number(created->id), created->branch},
                                             int(created->files.size()))
                                      .text,
                                  output);
}

TaskOutcome codeTest(Workspace &workspace, TaskContext &context)
{
    const qint64 id = modificationOf(context);
    if (id == 0) {
        return TaskOutcome::failed(
            makeError(Tr::tr("Task %1 (code_test) has no modification to test: no code_modify before it in plan %2.")
                          .arg(context.task.id)
                          .arg(context.task.planId),
                      ErrorKind::Invalid));
    }
    auto modification = workspace.modification(id);
    if (!modification) {
        return TaskOutcome::failed(modification.error());
    }
    if (modification->status == ModificationStatus::Pending) {
        context.progress(10, Tr::tr("testing modification %1").arg(id));
        modification = workspace.testModification(id, taskLog(workspace, context));
        if (!modification) {
            return TaskOutcome::failed(modification.error());
        }
    }
    auto results = workspace.testResults(id);
    QJsonObject output;
    output.insert(QStringLiteral("modification"), double(id));
    output.insert(QStringLiteral("status"), toString(modification->status));
    if (results && !results->isEmpty()) {
        const TestResultRecord &last = results->constLast();
        output.insert(QStringLiteral("test_result"), double(last.id));
        output.insert(QStringLiteral("commit"), last.commitId);
        output.insert(QStringLiteral("outcome"), last.outcome);
        output.insert(QStringLiteral("passed"), last.passed);
        output.insert(QStringLiteral("failed"), last.failed);
    }
    if (modification->status != ModificationStatus::AwaitingApproval) {
        TaskOutcome outcome = TaskOutcome::failed(
            makeError(Tr::tr("The tests of modification %1 did not pass (it is '%2'); `astra mod show %1` has the "
                             "results.")
                          .arg(id)
                          .arg(toString(modification->status)),
                      ErrorKind::Refused));
        outcome.output = output;
        return outcome;
    }
    return TaskOutcome::succeeded(
        sharedText(QT_TRANSLATE_NOOP("astra::Shared", "tests passed on %1"), {modification->headCommit.left(12)}).text,
        output);
}

TaskOutcome requestReview(Workspace &workspace, TaskContext &context)
{
    auto goal = workspace.goal(context.task.goalId);
    if (!goal) {
        return TaskOutcome::failed(goal.error());
    }
    const qint64 id = modificationOf(context);
    QJsonObject output;
    output.insert(QStringLiteral("modification"), double(id));
    if (goal->state == GoalState::Executing) {
        auto moved = workspace.moveGoal(
            goal->id,
            GoalState::AwaitingReview,
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "modification %1 awaits review"), {QString::number(id)}).text,
            QStringLiteral("astra"));
        if (!moved) {
            return TaskOutcome::failed(moved.error());
        }
    } else if (goal->state != GoalState::AwaitingReview) {
        return TaskOutcome::failed(makeError(
            Tr::tr("Goal %1 is '%2', so its review cannot be requested.").arg(goal->id).arg(toString(goal->state)),
            ErrorKind::Refused));
    }
    output.insert(QStringLiteral("goal_state"), toString(GoalState::AwaitingReview));
    return TaskOutcome::succeeded(
        sharedText(QT_TRANSLATE_NOOP("astra::Shared", "modification %1 awaits review"), {QString::number(id)}).text,
        output);
}
} // namespace

namespace {
// The scheduler's session for a runner thread: that thread's own workspace.
class WorkspaceTaskSession final : public TaskSession
{
public:
    explicit WorkspaceTaskSession(std::unique_ptr<Workspace> workspace)
        : m_workspace(std::move(workspace))
        , m_ledger(m_workspace->ledger())
    {}
    Database &database() override
    {
        return m_workspace->database();
    }
    Ledger &ledger() override
    {
        return m_ledger;
    }
    Workspace &workspace()
    {
        return *m_workspace;
    }

private:
    std::unique_ptr<Workspace> m_workspace;
    Ledger m_ledger;
};

using WorkspaceExecutor = TaskOutcome (*)(Workspace &, TaskContext &);

TaskExecutor onWorkspace(WorkspaceExecutor executor)
{
    return [executor](TaskContext &context) {
        Workspace *workspace = workspaceOf(context);
        if (!workspace) {
            return TaskOutcome::failed(makeError(
                Tr::tr("Task %1 (%2) needs a workspace session, and the scheduler gave it another kind of session.")
                    .arg(context.task.id)
                    .arg(context.task.kind),
                ErrorKind::Invalid));
        }
        TaskOutcome outcome = executor(*workspace, context);
        outcome.warnings += workspace->takeWarnings();
        return outcome;
    };
}
} // namespace

Workspace *workspaceOf(TaskContext &context)
{
    auto *session = dynamic_cast<WorkspaceTaskSession *>(&context.session);
    ASTRA_SOFT_ASSERT(session);
    return session ? &session->workspace() : nullptr;
}

TaskSessionFactory workspaceTaskSessions(const WorkspaceOptions &options)
{
    return [options](SessionRole role) -> Result<std::unique_ptr<TaskSession>> {
        WorkspaceOptions opened = options;
        opened.recover = role == SessionRole::Dispatcher;
        auto workspace = Workspace::open(opened);
        if (!workspace) {
            return workspace.error();
        }
        return std::unique_ptr<TaskSession>(std::make_unique<WorkspaceTaskSession>(std::move(*workspace)));
    };
}

ExecutorRegistry builtinExecutors()
{
    ExecutorRegistry registry;
    registry.add(QStringLiteral("code_read"), onWorkspace(codeRead));
    registry.add(QStringLiteral("code_analyze"), onWorkspace(codeAnalyze));
    registry.add(QStringLiteral("code_modify"), onWorkspace(codeModify), true);
    registry.add(QStringLiteral("code_test"), onWorkspace(codeTest));
    registry.add(QStringLiteral("request_review"), onWorkspace(requestReview));
    return registry;
}

} // namespace astra
