#include "store/transitions.h"

#include "base/softassert.h"
#include "model/goalstatemachine.h"
#include "model/statemachine.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Transitions)
};

// A transition outside a transaction would commit its row before its ledger entry.
Status insideTransaction(const Database &db, const QString &subject)
{
    if (ASTRA_SOFT_ASSERT(db.inTransaction())) {
        return {};
    }
    return makeError(
        Tr::tr("Internal error: %1 must change state inside a write transaction; nothing was written").arg(subject));
}
} // namespace

Transitions::Transitions(Database &db, Ledger &ledger)
    : m_db(db)
    , m_ledger(ledger)
{}

template<typename Record, typename State, typename Update>
Result<Record> Transitions::move(const QString &subject,
                                 const Status &legal,
                                 State from,
                                 State to,
                                 const QString &event,
                                 const TransitionCause &cause,
                                 Update update)
{
    if (Status inside = insideTransaction(m_db, subject); !inside) {
        return inside.error();
    }
    if (!legal) {
        return legal.error();
    }
    Result<Record> updated = update();
    if (!updated) {
        return updated.error();
    }
    QJsonObject meta = cause.meta;
    meta.insert(QStringLiteral("from"), toString(from));
    meta.insert(QStringLiteral("to"), toString(to));
    meta.insert(QStringLiteral("version"), double(updated->version));
    if (!cause.reason.isEmpty()) {
        meta.insert(QStringLiteral("reason"), cause.reason);
    }
    if (auto entry = m_ledger.append(LedgerRecord{cause.actor, event, subject, meta}); !entry) {
        return entry.error();
    }
    return updated;
}

Result<Goal> Transitions::goal(const Goal &current, GoalState to, const TransitionCause &cause)
{
    return move<Goal>(QStringLiteral("goal:%1").arg(current.id),
                      GoalStateMachine::check(current, to),
                      current.state,
                      to,
                      cause.event.isEmpty() ? GoalStateMachine::eventFor(to) : cause.event,
                      cause,
                      [&] { return GoalRepository(m_db).updateState(current, to, cause.reason); });
}

Result<PlanRecord>
Transitions::plan(const PlanRecord &current, PlanState to, const TransitionCause &cause, const QString &approver)
{
    return move<PlanRecord>(
        QStringLiteral("plan:%1").arg(current.id),
        checkTransition(
            Tr::tr("Plan %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(current.id),
            current.state,
            to,
            PlanStateMachine::legalNextStates(current.state)),
        current.state,
        to,
        cause.event.isEmpty() ? PlanStateMachine::eventFor(to) : cause.event,
        cause,
        [&] { return PlanRepository(m_db).updateState(current, to, cause.reason, approver); });
}

Result<TaskRecord> Transitions::task(const TaskRecord &current, const TaskRecord &changed, const TransitionCause &cause)
{
    // A task's moves differ by more than the state (a retry, a recovery): the caller names each.
    if (!ASTRA_SOFT_ASSERT(!cause.event.isEmpty())) {
        return makeError(Tr::tr("Internal error: task %1 moved to '%2' without naming the event")
                             .arg(current.id)
                             .arg(toString(changed.state)));
    }
    return move<TaskRecord>(
        QStringLiteral("task:%1").arg(current.id),
        checkTransition(
            Tr::tr("Task %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(current.id),
            current.state,
            changed.state,
            TaskStateMachine::legalNextStates(current.state)),
        current.state,
        changed.state,
        cause.event,
        cause,
        [&] { return TaskRepository(m_db).update(current, changed); });
}

Result<Modification>
Transitions::modification(const Modification &record, ModificationStatus to, const TransitionCause &cause)
{
    return move<Modification>(
        QStringLiteral("modification:%1").arg(record.id),
        checkTransition(
            Tr::tr("Modification %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(record.id),
            record.status,
            to,
            ModificationStateMachine::legalNextStates(record.status)),
        record.status,
        to,
        cause.event.isEmpty() ? ModificationStateMachine::eventFor(to) : cause.event,
        cause,
        [&] { return ModificationRepository(m_db).updateStatus(record, to); });
}

} // namespace astra
