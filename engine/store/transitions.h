#pragma once

#include "base/result.h"
#include "model/goal.h"
#include "model/modification.h"
#include "model/plan.h"
#include "model/task.h"

#include <QJsonObject>
#include <QString>

namespace astra {

class Database;
class Ledger;

// Why a state changes and who changes it.
struct TransitionCause
{
    QString actor;
    QString reason = {}; // recorded in the ledger entry (when not empty) and, for goals and plans, on the row
    QJsonObject meta = {}; // more for the ledger entry; `from`, `to` and `version` are added
    QString event = {}; // empty: the state machine's event for the new state
};

// The one way goals, plans, tasks and modifications change state. Each call runs inside the
// caller's write transaction (Database::writeTransaction), so that a change and its ledger entry
// are committed together or not at all, and it does three things in order:
//   1. checks the aggregate's state machine (an illegal move is refused, naming both states and
//      the legal next ones);
//   2. updates the row with the optimistic version (a row changed since it was read is a
//      Conflict, and nothing is written);
//   3. appends the ledger entry `event` on `<kind>:<id>` with the cause's meta, from, to and the
//      new version.
class Transitions
{
public:
    Transitions(Database &db, Ledger &ledger);

    Result<Goal> goal(const Goal &current, GoalState to, const TransitionCause &cause);
    // `approver` is recorded on the row when `to` is approved.
    Result<PlanRecord>
    plan(const PlanRecord &current, PlanState to, const TransitionCause &cause, const QString &approver = {});
    // `changed` carries the new state and the other fields the move sets (output, attempts, the
    // claim); `cause.event` names it (task_started, task_retry_scheduled, ...).
    Result<TaskRecord> task(const TaskRecord &current, const TaskRecord &changed, const TransitionCause &cause);
    // `record` is the modification as read (its status is the one it leaves), with the commits
    // and conflict paths the move records.
    Result<Modification> modification(const Modification &record, ModificationStatus to, const TransitionCause &cause);

private:
    template<typename Record, typename State, typename Update>
    Result<Record> move(const QString &subject,
                        const Status &legal, // the state machine's verdict on from -> to
                        State from,
                        State to,
                        const QString &event,
                        const TransitionCause &cause,
                        Update update);

    Database &m_db;
    Ledger &m_ledger;
};

} // namespace astra
