#include "model/goal.h"

#include <QCryptographicHash>
#include <QJsonArray>

#include <algorithm>

namespace astra {

namespace {
struct StateName
{
    GoalState state;
    const char *name;
};
constexpr StateName stateNames[] = {
    {GoalState::Proposed, "proposed"},
    {GoalState::Active, "active"},
    {GoalState::Planned, "planned"},
    {GoalState::Executing, "executing"},
    {GoalState::AwaitingReview, "awaiting_review"},
    {GoalState::Completed, "completed"},
    {GoalState::Rejected, "rejected"},
    {GoalState::Failed, "failed"},
    {GoalState::Abandoned, "abandoned"},
};
} // namespace

QString toString(GoalState state)
{
    for (const StateName &entry : stateNames) {
        if (entry.state == state) {
            return QString::fromLatin1(entry.name);
        }
    }
    return QString();
}

std::optional<GoalState> goalStateFromString(const QString &name)
{
    for (const StateName &entry : stateNames) {
        if (name == QLatin1String(entry.name)) {
            return entry.state;
        }
    }
    return std::nullopt;
}

QList<GoalState> allGoalStates()
{
    QList<GoalState> states;
    for (const StateName &entry : stateNames) {
        states.append(entry.state);
    }
    return states;
}

QString toString(GoalSource source)
{
    switch (source) {
    case GoalSource::User:
        return QStringLiteral("user");
    case GoalSource::System:
        return QStringLiteral("system");
    case GoalSource::Collaborative:
        return QStringLiteral("collaborative");
    }
    return QString();
}

std::optional<GoalSource> goalSourceFromString(const QString &name)
{
    for (GoalSource source : {GoalSource::User, GoalSource::System, GoalSource::Collaborative}) {
        if (toString(source) == name) {
            return source;
        }
    }
    return std::nullopt;
}

QStringList Goal::files() const
{
    QStringList result;
    const QJsonArray array = evidence.value(QStringLiteral("files")).toArray();
    for (const QJsonValue &value : array) {
        result.append(value.toString());
    }
    return result;
}

QJsonObject Goal::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("kind"), kind);
    object.insert(QStringLiteral("title"), title);
    object.insert(QStringLiteral("description"), description);
    object.insert(QStringLiteral("state"), toString(state));
    object.insert(QStringLiteral("source"), toString(source));
    object.insert(QStringLiteral("created_by"), createdBy);
    object.insert(QStringLiteral("proposal_id"), proposalId ? QJsonValue(double(*proposalId)) : QJsonValue());
    object.insert(QStringLiteral("confidence"), confidence);
    object.insert(QStringLiteral("priority"), priority);
    object.insert(QStringLiteral("fingerprint"), fingerprint);
    object.insert(QStringLiteral("evidence"), evidence);
    object.insert(QStringLiteral("auto_approved"), autoApproved);
    object.insert(QStringLiteral("state_reason"), stateReason);
    object.insert(QStringLiteral("version"), version);
    object.insert(QStringLiteral("created_at"), createdAt);
    object.insert(QStringLiteral("updated_at"), updatedAt);
    return object;
}

QString goalFingerprint(const QString &kind, const QString &title, const QStringList &files)
{
    QStringList sorted = files;
    std::sort(sorted.begin(), sorted.end());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(kind.toUtf8());
    hash.addData(QByteArrayLiteral("\n"));
    hash.addData(title.simplified().toLower().toUtf8());
    for (const QString &file : std::as_const(sorted)) {
        hash.addData(QByteArrayLiteral("\n"));
        hash.addData(file.toUtf8());
    }
    return QString::fromLatin1(hash.result().toHex().left(32));
}

} // namespace astra
