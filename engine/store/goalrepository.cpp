#include "store/goalrepository.h"

#include "base/canonicaljson.h"
#include "model/goalstatemachine.h"
#include "store/database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GoalRepository)
};

const char *const goalColumns =
    "id, kind, title, description, state, source, created_by, proposal_id, confidence, "
    "priority, fingerprint, evidence, auto_approved, state_reason, version, created_at, "
    "updated_at";

Goal goalFromQuery(const QSqlQuery &query)
{
    Goal goal;
    goal.id = query.value(0).toLongLong();
    goal.kind = query.value(1).toString();
    goal.title = query.value(2).toString();
    goal.description = query.value(3).toString();
    goal.state = goalStateFromString(query.value(4).toString()).value_or(GoalState::Failed);
    goal.source = goalSourceFromString(query.value(5).toString()).value_or(GoalSource::User);
    goal.createdBy = query.value(6).toString();
    if (!query.value(7).isNull()) {
        goal.proposalId = query.value(7).toLongLong();
    }
    goal.confidence = query.value(8).toDouble();
    goal.priority = query.value(9).toInt();
    goal.fingerprint = query.value(10).toString();
    goal.evidence = QJsonDocument::fromJson(query.value(11).toString().toUtf8()).object();
    goal.autoApproved = query.value(12).toInt() != 0;
    goal.stateReason = query.value(13).toString();
    goal.version = query.value(14).toInt();
    goal.createdAt = query.value(15).toString();
    goal.updatedAt = query.value(16).toString();
    return goal;
}
} // namespace

GoalRepository::GoalRepository(Database &db)
    : m_db(db)
{}

Result<Goal> GoalRepository::insert(const Goal &goal)
{
    Goal stored = goal;
    stored.createdAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    stored.updatedAt = stored.createdAt;
    stored.version = 1;
    auto query = m_db.exec(
        Tr::tr("Creating a goal"),
        QStringLiteral("INSERT INTO goals (kind, title, description, state, source, created_by, proposal_id, "
                       "confidence, priority, fingerprint, evidence, auto_approved, state_reason, version, created_at, "
                       "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        {stored.kind,
         stored.title,
         stored.description,
         toString(stored.state),
         toString(stored.source),
         stored.createdBy,
         stored.proposalId ? QVariant(*stored.proposalId) : QVariant(),
         stored.confidence,
         stored.priority,
         stored.fingerprint,
         QString::fromUtf8(canonicalJson(stored.evidence)),
         stored.autoApproved ? 1 : 0,
         stored.stateReason,
         stored.version,
         stored.createdAt,
         stored.updatedAt});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Creating a goal returned no id in %1").arg(m_db.location().displayName()));
    }
    stored.id = query->value(0).toLongLong();
    return stored;
}

Result<Goal> GoalRepository::find(qint64 id) const
{
    return m_db.readOne(Tr::tr("Reading goal %1").arg(id),
                        QStringLiteral("SELECT %1 FROM goals WHERE id = ?").arg(QLatin1String(goalColumns)),
                        {id},
                        Tr::tr("Goal %1 does not exist; `astra goals` lists the goals of this workspace.").arg(id),
                        goalFromQuery);
}

Result<QList<Goal>> GoalRepository::list(std::optional<GoalState> state) const
{
    QString sql = QStringLiteral("SELECT %1 FROM goals").arg(QLatin1String(goalColumns));
    QVariantList binds;
    if (state) {
        sql += QStringLiteral(" WHERE state = ?");
        binds.append(toString(*state));
    }
    sql += QStringLiteral(" ORDER BY id");
    return m_db.readAll(Tr::tr("Listing goals"), sql, binds, goalFromQuery);
}

Result<QMap<GoalState, int>> GoalRepository::countByState() const
{
    auto query =
        m_db.exec(Tr::tr("Counting goals"), QStringLiteral("SELECT state, COUNT(*) FROM goals GROUP BY state"));
    if (!query) {
        return query.error();
    }
    QMap<GoalState, int> counts;
    for (GoalState state : allGoalStates()) {
        counts.insert(state, 0);
    }
    while (query->next()) {
        if (auto state = goalStateFromString(query->value(0).toString())) {
            counts[*state] = query->value(1).toInt();
        }
    }
    return counts;
}

Result<QList<qint64>> GoalRepository::openWithFingerprint(const QString &fingerprint) const
{
    auto query = m_db.exec(Tr::tr("Looking up goals by fingerprint"),
                           QStringLiteral("SELECT id, state FROM goals WHERE fingerprint = ? ORDER BY id"),
                           {fingerprint});
    if (!query) {
        return query.error();
    }
    QList<qint64> ids;
    while (query->next()) {
        const auto state = goalStateFromString(query->value(1).toString());
        if (state && GoalStateMachine::isOpen(*state)) {
            ids.append(query->value(0).toLongLong());
        }
    }
    return ids;
}

Result<Goal> GoalRepository::updateState(const Goal &goal, GoalState to, const QString &reason)
{
    Goal updated = goal;
    updated.state = to;
    updated.stateReason = reason;
    updated.version = goal.version + 1;
    updated.updatedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    if (Status written =
            m_db.execVersioned(Tr::tr("Updating goal %1").arg(goal.id),
                               QStringLiteral("UPDATE goals SET state = ?, state_reason = ?, version = ?, "
                                              "updated_at = ? WHERE id = ? AND version = ?"),
                               {toString(to), reason, updated.version, updated.updatedAt, goal.id, goal.version},
                               Tr::tr("Goal %1 was changed by someone else since it was read (version %2); nothing was "
                                      "written. Reload it and try again.")
                                   .arg(goal.id)
                                   .arg(goal.version));
        !written) {
        return written.error();
    }
    return updated;
}

} // namespace astra
