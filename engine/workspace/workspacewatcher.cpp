#include "workspace/workspacewatcher.h"

#include "base/logging.h"
#include "git/gitrepository.h"
#include "goals/goalboard.h"
#include "policy/pathpolicy.h"
#include "store/changefeed.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <algorithm>
#include <mutex>

namespace astra {

namespace {
struct StatusLoad
{
    bool ok = false;
    QString error;

    static StatusLoad failure(const QString &message)
    {
        StatusLoad load;
        load.error = message;
        return load;
    }
    WorkspaceStatus status;
    QList<GoalCard> cards;
    QList<TaskRecord> tasks;
    QList<InboxItem> inbox;
};

bool waitsForAPerson(ModificationStatus status)
{
    switch (status) {
    case ModificationStatus::Pending:
    case ModificationStatus::AwaitingApproval:
    case ModificationStatus::Approved:
    case ModificationStatus::TestsFailed:
    case ModificationStatus::Conflicted:
        return true;
    case ModificationStatus::Testing:
    case ModificationStatus::Merged:
    case ModificationStatus::Rejected:
    case ModificationStatus::RolledBack:
        return false;
    }
    return false;
}

Result<QList<InboxItem>> loadInbox(Workspace &workspace, const QList<GoalCard> &cards)
{
    auto all = workspace.modifications();
    if (!all) {
        return all.error();
    }
    QHash<qint64, const Goal *> goals;
    QHash<qint64, qint64> latest; // goal -> its latest modification
    for (const GoalCard &card : cards) {
        goals.insert(card.goal.id, &card.goal);
        latest.insert(card.goal.id, card.modificationId);
    }
    QList<Modification> waiting;
    QList<qint64> ids;
    for (const Modification &listed : std::as_const(*all)) {
        // A modification a newer one of its goal replaced waits for nobody.
        if (waitsForAPerson(listed.status) && latest.value(listed.goalId) == listed.id
            && goals.contains(listed.goalId)) {
            waiting.append(listed);
            ids.append(listed.id);
        }
    }
    // Five queries for all of them, whatever their number.
    ModificationRepository repository(workspace.database());
    auto files = repository.filesOf(ids);
    auto revisions = repository.revisionsOf(ids);
    auto tests = repository.testResultsOf(ids, true);
    if (!files || !revisions || !tests) {
        return !files ? files.error() : (!revisions ? revisions.error() : tests.error());
    }
    auto approvers = repository.approversOf(ids);
    auto assignees = repository.assigneesOf(ids);
    if (!approvers || !assignees) {
        return !approvers ? approvers.error() : assignees.error();
    }
    QList<InboxItem> items;
    for (const Modification &listed : std::as_const(waiting)) {
        InboxItem item;
        item.modification = listed;
        item.modification.files = files->value(listed.id);
        item.modification.revisions = revisions->value(listed.id);
        item.modification.approvers = approvers->value(listed.id);
        item.modification.assignees = assignees->value(listed.id);
        item.goal = *goals.value(listed.goalId);
        // The flags the review's Flags section lists: one per file and kind ("test_file" only
        // says what a file is), and a change with no stated scope.
        item.flags = listed.flags.contains(QStringLiteral("no_stated_scope")) ? 1 : 0;
        for (const ModificationFile &file : std::as_const(item.modification.files)) {
            item.additions += file.additions;
            item.deletions += file.deletions;
            item.flags += int(file.flags.size() - file.flags.count(QStringLiteral("test_file")));
        }
        const QList<TestResultRecord> latestRun = tests->value(listed.id);
        if (!latestRun.isEmpty()) {
            item.testOutcome = latestRun.constLast().outcome;
            item.testsPassed = latestRun.constLast().passed;
            item.testsFailed = latestRun.constLast().failed;
        }
        items.append(item);
    }
    return items;
}

// An action's result: `ok` says the workspace could be used, `status` what the action said.
struct ActionDone
{
    bool ok = false;
    Status status;

    static ActionDone failure(const QString &message)
    {
        ActionDone done;
        done.status = makeError(message);
        return done;
    }
};

StatusLoad loadStatus(Workspace &workspace)
{
    StatusLoad load;
    auto status = workspace.status();
    if (!status) {
        load.error = status.message();
        return load;
    }
    auto cards = loadGoalCards(workspace.database());
    if (!cards) {
        load.error = cards.message();
        return load;
    }
    auto tasks = workspace.tasks();
    if (!tasks) {
        load.error = tasks.message();
        return load;
    }
    auto inbox = loadInbox(workspace, *cards);
    if (!inbox) {
        load.error = inbox.message();
        return load;
    }
    load.inbox = *inbox;
    load.ok = true;
    load.status = *status;
    load.cards = *cards;
    load.tasks = *tasks;
    std::reverse(load.tasks.begin(), load.tasks.end());
    return load;
}

struct PlanLoad
{
    bool ok = false;
    QString error;

    static PlanLoad failure(const QString &message)
    {
        PlanLoad load;
        load.error = message;
        return load;
    }
    PlanSnapshot snapshot;
};

PlanLoad loadPlanOf(Workspace &workspace, qint64 goalId)
{
    PlanLoad load;
    load.snapshot.goalId = goalId;
    auto plan = workspace.currentPlan(goalId);
    if (!plan) {
        // No plan yet is a state, not an error.
        load.ok = plan.error().kind == ErrorKind::NotFound;
        load.error = plan.message();
        return load;
    }
    load.snapshot.hasPlan = true;
    load.snapshot.plan = *plan;
    auto tasks = workspace.planTasks(plan->id);
    if (!tasks) {
        load.error = tasks.message();
        return load;
    }
    load.snapshot.tasks = *tasks;
    auto runs = workspace.planRuns(plan->id);
    if (!runs) {
        load.error = runs.message();
        return load;
    }
    for (const TaskRunRecord &run : std::as_const(*runs)) {
        load.snapshot.runs[run.taskId.value_or(0)].append(run);
    }
    auto plans = workspace.goalPlans(goalId);
    if (!plans) {
        load.error = plans.message();
        return load;
    }
    load.snapshot.plans = *plans;
    load.ok = true;
    return load;
}

struct ReviewLoad
{
    bool ok = false;
    QString error;

    static ReviewLoad failure(const QString &message)
    {
        ReviewLoad load;
        load.error = message;
        return load;
    }
    ReviewSnapshot snapshot;
};

QString tailOf(const QString &fileName, qint64 maxBytes)
{
    QFile file(fileName);
    if (fileName.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        return {};
    }
    if (file.size() > maxBytes) {
        file.seek(file.size() - maxBytes);
        file.readLine(); // start at a line
    }
    return QString::fromUtf8(file.readAll());
}

struct TaskLogLoad
{
    bool ok = false;
    QString error;

    static TaskLogLoad failure(const QString &message)
    {
        TaskLogLoad load;
        load.error = message;
        return load;
    }
    qint64 taskId = 0;
    QString text;
    bool running = false;
};

// The end of the log of a task's latest run. Only a file under the workspace's state folder is
// read: the row names it, and a row is data, not a licence to show any file.
// A log file of the state folder's, or nothing: a path recorded in the state is not followed
// elsewhere.
QString stateLogTail(Workspace &ws, const QString &path)
{
    const QString file = QFileInfo(path).canonicalFilePath();
    const QString state = QFileInfo(ws.stateDir()).canonicalFilePath();
    return !file.isEmpty() && !state.isEmpty() && file.startsWith(state + u'/') ? tailOf(file, 64 * 1024) : QString();
}

TaskLogLoad loadTaskLogOf(Workspace &ws, qint64 taskId)
{
    TaskLogLoad load;
    load.taskId = taskId;
    auto runs = ws.taskRuns(taskId);
    if (!runs) {
        load.error = runs.message();
        return load;
    }
    load.ok = true;
    if (runs->isEmpty()) {
        return load;
    }
    const TaskRunRecord &run = runs->constLast();
    load.running = run.outcome == u"running";
    load.text = stateLogTail(ws, run.outputPath);
    return load;
}

struct StepLoad
{
    bool ok = true;
    QString error;
    StepDetail detail;

    static StepLoad failure(const QString &message)
    {
        StepLoad load;
        load.ok = false;
        load.error = message;
        return load;
    }
};

StepLoad loadStepOf(Workspace &ws, const TaskRecord &task)
{
    StepLoad load;
    StepDetail &detail = load.detail;
    detail.taskId = task.id;
    const QJsonObject &output = task.output;
    const qint64 modification = qint64(output.value(QStringLiteral("modification")).toDouble());
    if (task.kind == u"code_read" && output.value(QStringLiteral("exists")).toBool()) {
        detail.path = output.value(QStringLiteral("path")).toString();
        detail.commit = output.value(QStringLiteral("commit")).toString();
        auto content = ws.readFile(detail.commit, detail.path.toUtf8());
        if (!content) {
            detail.readError = content.message();
            return load;
        }
        detail.truncated = content->size() > stepFileLimit;
        const QByteArray shown = content->left(stepFileLimit);
        detail.binary = shown.contains('\0');
        if (!detail.binary) {
            detail.text = QString::fromUtf8(shown);
        }
    } else if (task.kind == u"code_modify" && modification > 0) {
        auto record = ws.modification(modification);
        if (!record) {
            return StepLoad::failure(record.message());
        }
        detail.files = record->files;
    } else if (task.kind == u"code_test" && modification > 0) {
        auto tests = ws.testResults(modification);
        if (!tests) {
            return StepLoad::failure(tests.message());
        }
        const qint64 id = qint64(output.value(QStringLiteral("test_result")).toDouble());
        for (const TestResultRecord &test : std::as_const(*tests)) {
            if (test.id == id) {
                detail.test = test;
                detail.testLog = stateLogTail(ws, test.outputPath);
            }
        }
    }
    return load;
}

ReviewLoad loadReviewOf(Workspace &ws, qint64 modificationId, const QString &knownDiff, int compareFrom)
{
    ReviewLoad load;
    load.snapshot.modificationId = modificationId;
    auto modification = ws.modification(modificationId);
    if (!modification) {
        load.error = modification.message();
        return load;
    }
    ReviewSnapshot &snapshot = load.snapshot;
    snapshot.modification = *modification;
    auto goal = ws.goal(modification->goalId);
    if (!goal) {
        load.error = goal.message();
        return load;
    }
    snapshot.goal = *goal;
    if (goal->proposalId) {
        auto proposal = ws.proposal(*goal->proposalId);
        if (!proposal) {
            load.error = proposal.message();
            return load;
        }
        snapshot.proposal = *proposal;
    }
    auto tests = ws.testResults(modificationId);
    if (!tests) {
        load.error = tests.message();
        return load;
    }
    snapshot.tests = *tests;
    if (!snapshot.tests.isEmpty()) {
        snapshot.testLog = tailOf(snapshot.tests.last().outputPath, 64 * 1024);
    }
    RevisionService &revisions = ws.revisions();
    auto decisions = revisions.decisions(modificationId);
    auto comments = revisions.comments(modificationId);
    auto lastReviewed = revisions.lastReviewedRevision(modificationId);
    if (!decisions || !comments || !lastReviewed) {
        load.error = !decisions ? decisions.message() : (!comments ? comments.message() : lastReviewed.message());
        return load;
    }
    snapshot.decisions = *decisions;
    snapshot.comments = *comments;
    snapshot.lastReviewed = *lastReviewed;
    snapshot.currentRevision = modification->revisionOf(modification->headCommit);
    snapshot.compareFrom = compareFrom >= 0 ? compareFrom : snapshot.lastReviewed;
    if (snapshot.compareFrom >= snapshot.currentRevision) {
        snapshot.compareFrom = 0;
    }
    if (auto target = ws.repository().branchCommit(modification->targetBranch)) {
        snapshot.targetHead = *target;
    }
    snapshot.requiredApprovals = ws.config().team.requiredApprovals;
    QString fromCommit = modification->baseCommit;
    for (const Revision &revision : std::as_const(modification->revisions)) {
        if (snapshot.compareFrom > 0 && revision.number == snapshot.compareFrom) {
            fromCommit = revision.commit;
        }
    }
    // A status change (approved, merged) leaves the commits alone: the diff the caller shows stays.
    snapshot.diffUnchanged = knownDiff == fromCommit + QStringLiteral("..") + modification->headCommit;
    if (!snapshot.diffUnchanged) {
        // The list and the first file at once; DiffFiller reads the rest behind the view.
        TreeDiffOptions outline;
        outline.outline = true;
        auto diff = snapshot.compareFrom > 0 ? revisions.diff(modificationId, snapshot.compareFrom, 0, outline)
                                             : ws.modificationDiff(modificationId, outline);
        if (diff) {
            snapshot.diff = TreeDiffPtr(new TreeDiff(std::move(*diff)));
        } else {
            snapshot.diffError = diff.message();
        }
    }
    if (modification->status == ModificationStatus::Merged) {
        auto impact = ws.rollbackImpact(modificationId);
        if (!impact) {
            load.error = impact.message();
            return load;
        }
        snapshot.rollback = *impact;
    }
    load.ok = true;
    return load;
}

struct LedgerLoad
{
    bool ok = false;
    QString error;

    static LedgerLoad failure(const QString &message)
    {
        LedgerLoad load;
        load.error = message;
        return load;
    }
    LedgerSnapshot snapshot;
};

LedgerLoad loadLedgerOf(Workspace &workspace, bool verify, int limit)
{
    LedgerLoad load;
    Ledger ledger = workspace.ledger();
    auto head = ledger.head();
    if (!head) {
        load.error = head.message();
        return load;
    }
    load.snapshot.totalEntries = head->seq;
    auto entries = ledger.entries(std::max<qint64>(0, head->seq - limit), limit);
    if (!entries) {
        load.error = entries.message();
        return load;
    }
    load.snapshot.entries = *entries;
    if (verify) {
        auto verification = workspace.verifyLedger();
        if (!verification) {
            load.error = verification.message();
            return load;
        }
        load.snapshot.verified = true;
        load.snapshot.verification = *verification;
    }
    load.ok = true;
    return load;
}

} // namespace

// Touched only on the worker thread.
struct WorkspaceWatcher::WorkerState
{
    WorkspaceOptions options; // what `workspace` was opened with
    std::unique_ptr<Workspace> workspace;
    std::unique_ptr<ChangeFeed> feed; // on workspace's database; closed before it
    std::function<void()> onChange; // called on the worker thread when another process changed the state
    // Called on the worker thread when the database went away, and when it is back.
    std::function<void(const QString &)> onAway;
    std::function<void()> onBack;
    // Every heartbeatMs: is a shared database still there (a restart drops the connection and
    // the notifications with it)? While away, it tries to open the workspace again.
    std::unique_ptr<QTimer> heartbeat;
    bool away = false;
    bool openedBefore = false;
    static constexpr int heartbeatMs = 2000;
    QFileInfo config; // .astra.toml as it was when `workspace` read it
    bool configExisted = false;
    QDateTime configModified;
    qint64 configSize = -1;

    bool configChanged()
    {
        config.refresh();
        return config.exists() != configExisted
            || (configExisted && (config.lastModified() != configModified || config.size() != configSize));
    }

    void close()
    {
        feed.reset();
        workspace.reset();
    }

    // On the worker thread, once: the heartbeat's timer lives there.
    void startHeartbeat()
    {
        if (heartbeat) {
            return;
        }
        heartbeat = std::make_unique<QTimer>();
        heartbeat->setInterval(heartbeatMs);
        QObject::connect(heartbeat.get(), &QTimer::timeout, heartbeat.get(), [this] { beat(); });
        heartbeat->start();
    }

    void beat()
    {
        if (!away && !workspace && openedBefore) {
            // A load failed and closed it: open it again now rather than at the next load, so
            // that a database that went away is noticed.
            if (auto opened = get(options); !opened && opened.error().kind == ErrorKind::Transient) {
                goneAway(opened.message());
            }
            return;
        }
        if (!away) {
            if (!workspace || workspace->database().location().driver != DatabaseLocation::Driver::PostgreSQL) {
                return; // an SQLite file does not go away
            }
            auto alive =
                workspace->database().exec(QStringLiteral("Checking the connection"), QStringLiteral("SELECT 1"));
            if (alive) {
                return;
            }
            goneAway(alive.message());
            return;
        }
        auto opened = get(options);
        if (!opened) {
            qCInfo(lcWorkspace) << "still away:" << opened.message();
            return;
        }
        away = false;
        qCInfo(lcWorkspace) << "the database is back";
        if (onBack) {
            onBack();
        }
    }

    void goneAway(const QString &message)
    {
        if (away) {
            return;
        }
        qCWarning(lcWorkspace) << "the database went away:" << message;
        close();
        away = true;
        if (onAway) {
            onAway(message);
        }
    }

    // The workspace for `wanted`: the open one, or one opened (and recovered) now.
    Result<Workspace *> get(const WorkspaceOptions &wanted)
    {
        const bool sameOptions = workspace && options.repoPath == wanted.repoPath && options.dbUrl == wanted.dbUrl
            && options.recover == wanted.recover;
        if (sameOptions && !configChanged()) {
            return workspace.get();
        }
        close();
        auto opened = Workspace::open(wanted);
        if (!opened) {
            return opened.error();
        }
        workspace = std::move(*opened);
        openedBefore = true;
        // Changes made by other processes (the CLI, a worker, the background cycle) arrive
        // without polling.
        feed = std::make_unique<ChangeFeed>(workspace->database());
        QObject::connect(feed.get(), &ChangeFeed::changed, feed.get(), [this] {
            if (onChange) {
                onChange();
            }
        });
        if (Status started = feed->start(); !started) {
            qCWarning(lcWorkspace) << started.message();
        }
        options = wanted;
        config = QFileInfo(workspace->config().sourcePath);
        configExisted = config.exists();
        configModified = configExisted ? config.lastModified() : QDateTime();
        configSize = configExisted ? config.size() : -1;
        return workspace.get();
    }
};

WorkspaceWatcher::WorkspaceWatcher(QObject *parent)
    : QObject(parent)
    , m_worker(new QObject)
    , m_state(std::make_shared<WorkerState>())
{
    qRegisterMetaType<astra::WorkspaceStatus>();
    qRegisterMetaType<astra::ReviewSnapshot>();
    qRegisterMetaType<astra::LedgerSnapshot>();
    qRegisterMetaType<astra::StepDetail>();
    qRegisterMetaType<QList<astra::InboxItem>>();
    m_thread.setObjectName(QStringLiteral("astra-workspace"));
    m_worker->moveToThread(&m_thread);
    // Set before the thread starts; called there. The event is dropped once the watcher is gone.
    m_state->onChange = [this] {
        QMetaObject::invokeMethod(
            this,
            [this] { Q_EMIT stateChanged(); },
            Qt::QueuedConnection);
    };
    m_state->onAway = [this](const QString &message) {
        QMetaObject::invokeMethod(
            this,
            [this, message] {
                m_away = true;
                Q_EMIT connectionLost(message);
            },
            Qt::QueuedConnection);
    };
    // Back: what changed meanwhile was not announced, so every view reloads.
    m_state->onBack = [this] {
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_away = false;
                Q_EMIT connectionRestored();
                Q_EMIT stateChanged();
            },
            Qt::QueuedConnection);
    };
    m_thread.start();
}

WorkspaceWatcher::~WorkspaceWatcher()
{
    // A long action is not cut off in the middle of its writes: it ends first (its result is
    // dropped with the watcher).
    for (QThread *thread : std::as_const(m_longActions)) {
        thread->wait();
        delete thread;
    }
    // The workspace (its connection and repository) is closed on the thread that opened it,
    // after the work queued before it.
    // The state comes back to this thread under a standard lock, a hand-over ThreadSanitizer
    // follows (Qt's blocking call and QThread::wait it cannot see).
    std::shared_ptr<WorkerState> state = m_state;
    std::mutex handOver;
    QMetaObject::invokeMethod(
        m_worker,
        [state, &handOver] {
            std::lock_guard locker(handOver);
            state->heartbeat.reset();
            state->close();
        },
        Qt::BlockingQueuedConnection);
    {
        std::lock_guard locker(handOver);
    }
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
}

void WorkspaceWatcher::setOptions(const WorkspaceOptions &options)
{
    m_options = options;
}

template<typename Work, typename Done>
void WorkspaceWatcher::runOnWorker(Work work, Done done)
{
    using T = decltype(work(std::declval<Workspace &>()));
    if (m_running++ == 0) {
        Q_EMIT busyChanged(true);
    }
    auto finished = [this, done = std::move(done)](const T &result) {
        if (--m_running == 0) {
            Q_EMIT busyChanged(false);
        }
        done(result);
    };
    QMetaObject::invokeMethod(
        m_worker,
        [this, state = m_state, options = m_options, work = std::move(work), finished = std::move(finished)] {
            T result;
            state->startHeartbeat();
            auto workspace = state->get(options);
            if (!workspace) {
                result = T::failure(workspace.message());
                if (workspace.error().kind == ErrorKind::Transient) {
                    state->goneAway(workspace.message());
                }
            } else {
                result = work(**workspace);
                if (!result.ok) {
                    state->close(); // a load that failed opens anew next time
                }
            }
            // Delivered on this object's thread; dropped if the watcher is gone by then.
            QMetaObject::invokeMethod(
                this,
                [finished, result] { finished(result); },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void WorkspaceWatcher::refresh()
{
    const quint64 generation = ++m_generation;
    runOnWorker([](Workspace &workspace) { return loadStatus(workspace); },
                [this, generation](const StatusLoad &load) {
                    if (generation != m_generation) {
                        return; // a newer refresh is on its way
                    }
                    if (load.ok) {
                        Q_EMIT statusLoaded(load.status);
                        Q_EMIT goalsLoaded(load.cards);
                        Q_EMIT tasksLoaded(load.tasks);
                        Q_EMIT inboxLoaded(load.inbox);
                    } else {
                        Q_EMIT loadFailed(load.error);
                    }
                });
}

void WorkspaceWatcher::loadPlan(qint64 goalId)
{
    const quint64 generation = ++m_planGeneration;
    runOnWorker([goalId](Workspace &workspace) { return loadPlanOf(workspace, goalId); },
                [this, generation, goalId](const PlanLoad &load) {
                    if (generation != m_planGeneration) {
                        return;
                    }
                    if (load.ok) {
                        Q_EMIT planLoaded(load.snapshot);
                    } else {
                        Q_EMIT planLoadFailed(goalId, load.error);
                    }
                });
}

void WorkspaceWatcher::loadReview(qint64 modificationId, const QString &knownDiff, int compareFrom)
{
    const quint64 generation = ++m_reviewGeneration;
    runOnWorker([modificationId, knownDiff, compareFrom](
                    Workspace &workspace) { return loadReviewOf(workspace, modificationId, knownDiff, compareFrom); },
                [this, generation, modificationId](const ReviewLoad &load) {
                    if (generation != m_reviewGeneration) {
                        return;
                    }
                    if (load.ok) {
                        Q_EMIT reviewLoaded(load.snapshot);
                    } else {
                        Q_EMIT reviewLoadFailed(modificationId, load.error);
                    }
                });
}

void WorkspaceWatcher::loadTaskLog(qint64 taskId)
{
    const quint64 generation = ++m_taskLogGeneration;
    runOnWorker([taskId](Workspace &workspace) { return loadTaskLogOf(workspace, taskId); },
                [this, generation](const TaskLogLoad &load) {
                    if (generation == m_taskLogGeneration && load.ok) {
                        Q_EMIT taskLogLoaded(load.taskId, load.text, load.running);
                    }
                });
}

void WorkspaceWatcher::loadStep(const TaskRecord &task)
{
    const quint64 generation = ++m_stepGeneration;
    runOnWorker([task](Workspace &workspace) { return loadStepOf(workspace, task); },
                [this, generation](const StepLoad &load) {
                    if (generation == m_stepGeneration && load.ok) {
                        Q_EMIT stepLoaded(load.detail);
                    }
                });
}

void WorkspaceWatcher::loadLedger(bool verify, int limit)
{
    const quint64 generation = ++m_ledgerGeneration;
    runOnWorker([verify, limit](Workspace &workspace) { return loadLedgerOf(workspace, verify, limit); },
                [this, generation](const LedgerLoad &load) {
                    if (generation != m_ledgerGeneration) {
                        return;
                    }
                    if (load.ok) {
                        Q_EMIT ledgerLoaded(load.snapshot);
                    } else {
                        Q_EMIT ledgerLoadFailed(load.error);
                    }
                });
}

void WorkspaceWatcher::perform(const QString &what, Action action, std::function<void(const Status &)> after)
{
    runOnWorker(
        [action = std::move(action)](Workspace &workspace) {
            ActionDone done;
            done.ok = true; // the workspace is fine whatever the action said
            done.status = action(workspace);
            return done;
        },
        [this, what, after = std::move(after)](const ActionDone &done) {
            if (after) {
                after(done.status);
            }
            if (done.status) {
                Q_EMIT actionSucceeded(what);
            } else {
                Q_EMIT actionFailed(what, done.status.message());
            }
            refresh();
        });
}

void WorkspaceWatcher::performLong(const QString &what, Action action)
{
    if (m_running++ == 0) {
        Q_EMIT busyChanged(true);
    }
    auto *thread = QThread::create([this, what, options = m_options, action = std::move(action)] {
        Status status;
        auto workspace = Workspace::open(options);
        status = workspace ? action(**workspace) : Status(workspace.error());
        QMetaObject::invokeMethod(
            this,
            [this, what, status] {
                if (--m_running == 0) {
                    Q_EMIT busyChanged(false);
                }
                if (status) {
                    Q_EMIT actionSucceeded(what);
                } else {
                    Q_EMIT actionFailed(what, status.message());
                }
                refresh();
            },
            Qt::QueuedConnection);
    });
    m_longActions.append(thread);
    connect(thread, &QThread::finished, this, [this, thread] {
        m_longActions.removeAll(thread);
        thread->deleteLater();
    });
    thread->start();
}

void WorkspaceWatcher::waitForIdle()
{
    // The worker runs its queue in order: when this empty call returns, all before it has run.
    QMetaObject::invokeMethod(
        m_worker,
        [] {},
        Qt::BlockingQueuedConnection);
}

} // namespace astra
