#pragma once

#include "model/goalcard.h"
#include "model/plan.h"
#include "model/task.h"
#include "model/workspacestatus.h"
#include "workspace/workspace.h"

#include <QHash>
#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace astra {

// A goal's current plan with its tasks and their runs, as the plan view shows it.
struct PlanSnapshot
{
    qint64 goalId = 0;
    bool hasPlan = false;
    PlanRecord plan;
    QList<TaskRecord> tasks;
    QHash<qint64, QList<TaskRunRecord>> runs; // by task id
    QList<PlanRecord> plans; // every plan of the goal, the newest first (the current one among them)
};

// What a plan step produced, beyond its task row: the file it read, as read; the files of the
// change it wrote; the test run with the end of its log.
struct StepDetail
{
    qint64 taskId = 0;
    QString path; // code_read: the file, at `commit`
    QString commit;
    QString text; // its content (empty when binary or not read)
    bool binary = false;
    bool truncated = false; // only the first stepFileLimit bytes are in `text`
    QString readError; // why the file could not be read
    QList<ModificationFile> files; // code_modify: the change's files
    std::optional<TestResultRecord> test; // code_test: the run it recorded
    QString testLog; // its log's end
};
constexpr qint64 stepFileLimit = 512 * 1024;

// What the review panel and the diff viewer show of one modification.
struct ReviewSnapshot
{
    qint64 modificationId = 0;
    Modification modification;
    Goal goal;
    std::optional<ProposalDecision> proposal; // the detector's proposal behind the goal
    QList<TestResultRecord> tests; // newest last
    QString testLog; // the end of the latest test run's output
    TreeDiffPtr diff; // null when diffUnchanged or diffError
    bool diffUnchanged = false; // the caller already has this base..head (see loadReview())
    QString diffError; // why there is no diff
    std::optional<RollbackImpact> rollback; // merged modifications
    QList<HunkDecision> decisions; // on the current revision
    QList<ReviewComment> comments; // all of them, oldest first
    int currentRevision = 0;
    int compareFrom = 0; // the diff is revision compareFrom → currentRevision (0: the base → it)
    int lastReviewed = 0; // the newest older revision the person reviewed (0: none)
    QString targetHead; // the target branch's head now (an update is possible when it moved)
    int requiredApprovals = 1; // [team] required_approvals
};

// A modification that waits for a person: to test, to approve or reject, to merge, or to look
// at after its tests failed or it conflicted. The review inbox lists them.
struct InboxItem
{
    Modification modification; // with its files
    Goal goal;
    int additions = 0;
    int deletions = 0;
    int flags = 0; // reviewer flags, of the modification and its files
    QString testOutcome; // the latest run's: passed, failed, error, timeout, running; empty: none
    int testsPassed = 0;
    int testsFailed = 0;
};

// The ledger's latest entries and, when asked, a verification of the whole chain.
struct LedgerSnapshot
{
    QList<LedgerEntry> entries; // oldest first
    qint64 totalEntries = 0;
    bool verified = false;
    LedgerVerification verification;
};

// Loads a workspace's status and goal cards on a worker thread and hands them to the caller's
// thread through a queued signal, so the UI thread never waits on the database or git. A newer
// refresh() supersedes an older one still running: only the latest result is delivered.
// perform() runs an action (approve, reject, ...) on the same single worker thread, so a
// refresh queued after it sees its result.
//
// The worker thread lives as long as the watcher and keeps one Workspace open on it: the
// repository is discovered, .astra.toml read, the database opened and migrated and the recovery
// scan run once, at the first load. It is opened again only when the options change, when
// .astra.toml changes (size, time or presence), or after a load failed.
class WorkspaceWatcher : public QObject
{
    Q_OBJECT
public:
    explicit WorkspaceWatcher(QObject *parent = nullptr);
    ~WorkspaceWatcher() override;

    void setOptions(const WorkspaceOptions &options);
    WorkspaceOptions options() const
    {
        return m_options;
    }
    bool isBusy() const
    {
        return m_running > 0;
    }
    // Whether the shared database is out of reach (between connectionLost and connectionRestored).
    bool isAway() const
    {
        return m_away;
    }

    void refresh();

    // Loads the current plan of a goal (planLoaded), on the same worker thread; a newer
    // loadPlan() supersedes an older one.
    void loadPlan(qint64 goalId);

    // Loads a modification with its goal, proposal, tests, diff and rollback impact
    // (reviewLoaded); a newer loadReview() supersedes an older one. The diff is not computed
    // again when the diff it would show ("from..head") is `knownDiff` (diffUnchanged is set).
    // `compareFrom`: the revision the diff starts from (0: the base; -1: the one the person last
    // reviewed, else the base).
    void loadReview(qint64 modificationId, const QString &knownDiff = {}, int compareFrom = -1);
    // Loads what a plan step produced (stepLoaded): the file it read, the change's files, the
    // test run with its log; a newer call supersedes.
    void loadStep(const astra::TaskRecord &task);
    // Loads the end of the log of a task's latest run (taskLogLoaded); a newer call supersedes.
    void loadTaskLog(qint64 taskId);
    // Loads the latest `limit` ledger entries, and verifies the chain when `verify`.
    void loadLedger(bool verify, int limit = 5000);

    using Action = std::function<Status(Workspace &)>;
    // Runs `action` on the worker thread's workspace, then refreshes. `what` names
    // the action in the signals ("Approve goal 3").
    // `done` hears of the result on the caller's thread first (e.g. to show what the action found).
    void perform(const QString &what, Action action, std::function<void(const Status &)> done = {});
    // Runs a long action (an agent's run for requested changes) on a thread of its own with a
    // workspace of its own, so that loads and other actions go on meanwhile; then as perform().
    void performLong(const QString &what, Action action);

    // Waits for the background work to end (for shutdown and tests; never from a slot).
    void waitForIdle();

Q_SIGNALS:
    void statusLoaded(const astra::WorkspaceStatus &status);
    // Right after statusLoaded, from the same load.
    void goalsLoaded(const QList<astra::GoalCard> &cards);
    // Right after goalsLoaded: every task of every plan, newest first.
    void tasksLoaded(const QList<astra::TaskRecord> &tasks);
    // Right after tasksLoaded: the modifications waiting for a person, oldest first.
    void inboxLoaded(const QList<astra::InboxItem> &items);
    void planLoaded(const astra::PlanSnapshot &snapshot);
    void planLoadFailed(qint64 goalId, const QString &message);
    void reviewLoaded(const astra::ReviewSnapshot &snapshot);
    void reviewLoadFailed(qint64 modificationId, const QString &message);
    void ledgerLoaded(const astra::LedgerSnapshot &snapshot);
    // `running`: the run goes on and its log grows.
    void taskLogLoaded(qint64 taskId, const QString &text, bool running);
    void stepLoaded(const astra::StepDetail &detail);
    void ledgerLoadFailed(const QString &message);
    void actionSucceeded(const QString &what);
    void actionFailed(const QString &what, const QString &message);
    void loadFailed(const QString &message);
    void busyChanged(bool busy);
    // Another process, or another connection of this one, changed the state (ChangeFeed):
    // the views refresh. Not emitted for the watcher's own perform() actions, which refresh.
    void stateChanged();
    // The database went away (a restarted or unreachable PostgreSQL server): the watcher tries
    // again every few seconds by itself. connectionRestored() is followed by stateChanged(), so
    // the views catch up on what happened meanwhile.
    void connectionLost(const QString &message);
    void connectionRestored();

private:
    struct WorkerState; // what lives on the worker thread: its open workspace
    // Runs `work(state)` on the worker thread and `done` with its result on this object's thread.
    template<typename Work, typename Done>
    void runOnWorker(Work work, Done done);

    WorkspaceOptions m_options;
    QThread m_thread;
    QObject *m_worker = nullptr; // lives on m_thread: queued work runs there, in order
    std::shared_ptr<WorkerState> m_state;
    quint64 m_generation = 0;
    quint64 m_planGeneration = 0;
    quint64 m_reviewGeneration = 0;
    QList<QThread *> m_longActions; // performLong()'s threads, joined before the watcher goes
    quint64 m_ledgerGeneration = 0;
    quint64 m_taskLogGeneration = 0;
    quint64 m_stepGeneration = 0;
    int m_running = 0;
    bool m_away = false;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::PlanSnapshot)
Q_DECLARE_METATYPE(astra::StepDetail)
Q_DECLARE_METATYPE(astra::InboxItem)
Q_DECLARE_METATYPE(astra::ReviewSnapshot)
Q_DECLARE_METATYPE(astra::LedgerSnapshot)
