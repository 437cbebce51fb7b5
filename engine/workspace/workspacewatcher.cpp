#include "workspace/workspacewatcher.h"

#include "git/gitrepository.h"
#include "goals/goalboard.h"
#include "policy/pathpolicy.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"

#include <QFile>
#include <QFutureWatcher>
#include <QPointer>

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace astra {

namespace {
struct StatusLoad
{
    bool ok = false;
    QString error;
    WorkspaceStatus status;
    QList<GoalCard> cards;
    QList<TaskRecord> tasks;
};

StatusLoad loadStatus(const WorkspaceOptions &options)
{
    StatusLoad load;
    auto workspace = Workspace::open(options);
    if (!workspace) {
        load.error = workspace.message();
        return load;
    }
    auto status = (*workspace)->status();
    if (!status) {
        load.error = status.message();
        return load;
    }
    auto cards = loadGoalCards((*workspace)->database());
    if (!cards) {
        load.error = cards.message();
        return load;
    }
    auto tasks = (*workspace)->tasks();
    if (!tasks) {
        load.error = tasks.message();
        return load;
    }
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
    PlanSnapshot snapshot;
};

PlanLoad loadPlanOf(const WorkspaceOptions &options, qint64 goalId)
{
    PlanLoad load;
    load.snapshot.goalId = goalId;
    auto workspace = Workspace::open(options);
    if (!workspace) {
        load.error = workspace.message();
        return load;
    }
    auto plan = (*workspace)->currentPlan(goalId);
    if (!plan) {
        // No plan yet is a state, not an error.
        load.ok = plan.error().kind == ErrorKind::NotFound;
        load.error = plan.message();
        return load;
    }
    load.snapshot.hasPlan = true;
    load.snapshot.plan = *plan;
    auto tasks = (*workspace)->planTasks(plan->id);
    if (!tasks) {
        load.error = tasks.message();
        return load;
    }
    load.snapshot.tasks = *tasks;
    auto runs = (*workspace)->planRuns(plan->id);
    if (!runs) {
        load.error = runs.message();
        return load;
    }
    for (const TaskRunRecord &run : std::as_const(*runs)) {
        load.snapshot.runs[run.taskId.value_or(0)].append(run);
    }
    load.ok = true;
    return load;
}

struct ReviewLoad
{
    bool ok = false;
    QString error;
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

ReviewLoad loadReviewOf(const WorkspaceOptions &options, qint64 modificationId, const QString &knownDiff)
{
    ReviewLoad load;
    load.snapshot.modificationId = modificationId;
    auto workspace = Workspace::open(options);
    if (!workspace) {
        load.error = workspace.message();
        return load;
    }
    Workspace &ws = **workspace;
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
    // A status change (approved, merged) leaves the commits alone: the diff the caller shows stays.
    snapshot.diffUnchanged = knownDiff == modification->baseCommit + QStringLiteral("..") + modification->headCommit;
    if (!snapshot.diffUnchanged) {
        auto diff = ws.modificationDiff(modificationId);
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
    LedgerSnapshot snapshot;
};

LedgerLoad loadLedgerOf(const WorkspaceOptions &options, bool verify, int limit)
{
    LedgerLoad load;
    auto workspace = Workspace::open(options);
    if (!workspace) {
        load.error = workspace.message();
        return load;
    }
    Ledger ledger = (*workspace)->ledger();
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
        auto verification = (*workspace)->verifyLedger();
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

Status performAction(const WorkspaceOptions &options, const WorkspaceWatcher::Action &action)
{
    auto workspace = Workspace::open(options);
    if (!workspace) {
        return workspace.error();
    }
    return action(**workspace);
}
} // namespace

WorkspaceWatcher::WorkspaceWatcher(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<astra::WorkspaceStatus>();
    qRegisterMetaType<astra::ReviewSnapshot>();
    qRegisterMetaType<astra::LedgerSnapshot>();
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(30000);
}

WorkspaceWatcher::~WorkspaceWatcher()
{
    m_pool.waitForDone();
}

void WorkspaceWatcher::setOptions(const WorkspaceOptions &options)
{
    m_options = options;
}

template<typename Work, typename Done>
void WorkspaceWatcher::runOnWorker(Work work, Done done)
{
    using T = decltype(work());
    auto *watcher = new QFutureWatcher<T>(this);
    connect(watcher, &QFutureWatcher<T>::finished, this, [this, watcher, done = std::move(done)] {
        const T result = watcher->result();
        watcher->deleteLater();
        if (--m_running == 0) {
            Q_EMIT busyChanged(false);
        }
        done(result);
    });
    if (m_running++ == 0) {
        Q_EMIT busyChanged(true);
    }
    watcher->setFuture(QtConcurrent::run(&m_pool, std::move(work)));
}

void WorkspaceWatcher::refresh()
{
    const quint64 generation = ++m_generation;
    const WorkspaceOptions options = m_options;
    runOnWorker([options] { return loadStatus(options); },
                [this, generation](const StatusLoad &load) {
                    if (generation != m_generation) {
                        return; // a newer refresh is on its way
                    }
                    if (load.ok) {
                        Q_EMIT statusLoaded(load.status);
                        Q_EMIT goalsLoaded(load.cards);
                        Q_EMIT tasksLoaded(load.tasks);
                    } else {
                        Q_EMIT loadFailed(load.error);
                    }
                });
}

void WorkspaceWatcher::loadPlan(qint64 goalId)
{
    const quint64 generation = ++m_planGeneration;
    const WorkspaceOptions options = m_options;
    runOnWorker([options, goalId] { return loadPlanOf(options, goalId); },
                [this, generation](const PlanLoad &load) {
                    if (generation != m_planGeneration) {
                        return;
                    }
                    if (load.ok) {
                        Q_EMIT planLoaded(load.snapshot);
                    } else {
                        Q_EMIT planLoadFailed(load.snapshot.goalId, load.error);
                    }
                });
}

void WorkspaceWatcher::loadReview(qint64 modificationId, const QString &knownDiff)
{
    const quint64 generation = ++m_reviewGeneration;
    const WorkspaceOptions options = m_options;
    runOnWorker([options, modificationId, knownDiff] { return loadReviewOf(options, modificationId, knownDiff); },
                [this, generation](const ReviewLoad &load) {
                    if (generation != m_reviewGeneration) {
                        return;
                    }
                    if (load.ok) {
                        Q_EMIT reviewLoaded(load.snapshot);
                    } else {
                        Q_EMIT reviewLoadFailed(load.snapshot.modificationId, load.error);
                    }
                });
}

void WorkspaceWatcher::loadLedger(bool verify, int limit)
{
    const quint64 generation = ++m_ledgerGeneration;
    const WorkspaceOptions options = m_options;
    runOnWorker([options, verify, limit] { return loadLedgerOf(options, verify, limit); },
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

void WorkspaceWatcher::perform(const QString &what, Action action)
{
    const WorkspaceOptions options = m_options;
    runOnWorker([options, action = std::move(action)] { return performAction(options, action); },
                [this, what](const Status &done) {
                    if (done) {
                        Q_EMIT actionSucceeded(what);
                    } else {
                        Q_EMIT actionFailed(what, done.message());
                    }
                    refresh();
                });
}

void WorkspaceWatcher::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace astra
