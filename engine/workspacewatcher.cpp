#include "workspacewatcher.h"

#include <QFutureWatcher>
#include <QPointer>

#include <QtConcurrent/QtConcurrentRun>

namespace astra {

namespace {
struct StatusLoad
{
    bool ok = false;
    QString error;
    WorkspaceStatus status;
    QList<GoalCard> cards;
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
    load.ok = true;
    load.status = *status;
    load.cards = *cards;
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
