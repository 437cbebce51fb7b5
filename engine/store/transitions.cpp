#include "store/transitions.h"

#include "base/softassert.h"
#include "model/goalstatemachine.h"
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

// "Plan 4 is 'failed' and cannot move to 'approved'. Legal next states from 'failed': none: it is final."
template<typename State>
Status checkMove(const QString &refusal, State from, State to, const QList<State> &legal)
{
    if (legal.contains(to)) {
        return {};
    }
    QStringList names;
    for (State state : legal) {
        names.append(toString(state));
    }
    return makeError(refusal.arg(toString(from),
                                 toString(to),
                                 names.isEmpty() ? Tr::tr("none: it is final") : names.join(QStringLiteral(", "))),
                     ErrorKind::Refused);
}
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

Status Transitions::record(const QString &subject,
                           const QString &event,
                           const QString &from,
                           const QString &to,
                           qint64 version,
                           const TransitionCause &cause)
{
    QJsonObject meta = cause.meta;
    meta.insert(QStringLiteral("from"), from);
    meta.insert(QStringLiteral("to"), to);
    meta.insert(QStringLiteral("version"), double(version));
    if (!cause.reason.isEmpty()) {
        meta.insert(QStringLiteral("reason"), cause.reason);
    }
    auto entry = m_ledger.append(LedgerRecord{cause.actor, event, subject, meta});
    return entry ? Status() : Status(entry.error());
}

Result<Goal> Transitions::goal(const Goal &current, GoalState to, const TransitionCause &cause)
{
    if (Status inside = insideTransaction(m_db, QStringLiteral("goal %1").arg(current.id)); !inside) {
        return inside.error();
    }
    if (Status legal = GoalStateMachine::check(current, to); !legal) {
        return legal.error();
    }
    auto updated = GoalRepository(m_db).updateState(current, to, cause.reason);
    if (!updated) {
        return updated.error();
    }
    const QString event = cause.event.isEmpty() ? GoalStateMachine::eventFor(to) : cause.event;
    if (Status logged = record(QStringLiteral("goal:%1").arg(current.id),
                               event,
                               toString(current.state),
                               toString(to),
                               updated->version,
                               cause);
        !logged) {
        return logged.error();
    }
    return updated;
}

Result<PlanRecord>
Transitions::plan(const PlanRecord &current, PlanState to, const TransitionCause &cause, const QString &approver)
{
    if (Status inside = insideTransaction(m_db, QStringLiteral("plan %1").arg(current.id)); !inside) {
        return inside.error();
    }
    if (Status legal = checkMove(
            Tr::tr("Plan %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(current.id),
            current.state,
            to,
            PlanStateMachine::legalNextStates(current.state));
        !legal) {
        return legal.error();
    }
    auto updated = PlanRepository(m_db).updateState(current, to, cause.reason, approver);
    if (!updated) {
        return updated.error();
    }
    const QString event = cause.event.isEmpty() ? PlanStateMachine::eventFor(to) : cause.event;
    if (Status logged = record(QStringLiteral("plan:%1").arg(current.id),
                               event,
                               toString(current.state),
                               toString(to),
                               updated->version,
                               cause);
        !logged) {
        return logged.error();
    }
    return updated;
}

Result<TaskRecord> Transitions::task(const TaskRecord &current, const TaskRecord &changed, const TransitionCause &cause)
{
    if (Status inside = insideTransaction(m_db, QStringLiteral("task %1").arg(current.id)); !inside) {
        return inside.error();
    }
    if (Status legal = checkMove(
            Tr::tr("Task %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(current.id),
            current.state,
            changed.state,
            TaskStateMachine::legalNextStates(current.state));
        !legal) {
        return legal.error();
    }
    if (!ASTRA_SOFT_ASSERT(!cause.event.isEmpty())) {
        return makeError(Tr::tr("Internal error: task %1 moved to '%2' without naming the event")
                             .arg(current.id)
                             .arg(toString(changed.state)));
    }
    auto updated = TaskRepository(m_db).update(current, changed);
    if (!updated) {
        return updated.error();
    }
    if (Status logged = record(QStringLiteral("task:%1").arg(current.id),
                               cause.event,
                               toString(current.state),
                               toString(changed.state),
                               updated->version,
                               cause);
        !logged) {
        return logged.error();
    }
    return updated;
}

Result<Modification>
Transitions::modification(const Modification &record, ModificationStatus to, const TransitionCause &cause)
{
    if (Status inside = insideTransaction(m_db, QStringLiteral("modification %1").arg(record.id)); !inside) {
        return inside.error();
    }
    if (Status legal = checkMove(
            Tr::tr("Modification %1 is '%2' and cannot move to '%3'. Legal next states from '%2': %4.").arg(record.id),
            record.status,
            to,
            ModificationStateMachine::legalNextStates(record.status));
        !legal) {
        return legal.error();
    }
    auto updated = ModificationRepository(m_db).updateStatus(record, to);
    if (!updated) {
        return updated.error();
    }
    const QString event = cause.event.isEmpty() ? ModificationStateMachine::eventFor(to) : cause.event;
    if (Status logged = this->record(QStringLiteral("modification:%1").arg(record.id),
                                     event,
                                     toString(record.status),
                                     toString(to),
                                     updated->version,
                                     cause);
        !logged) {
        return logged.error();
    }
    return updated;
}

} // namespace astra
