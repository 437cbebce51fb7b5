#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace astra {

enum class GoalState
{
    Proposed,
    Active,
    Planned,
    Executing,
    AwaitingReview,
    Completed,
    Rejected,
    Failed,
    Abandoned,
};

enum class GoalSource
{
    User,
    System,
    Collaborative,
};

QString toString(GoalState state); // the stored name: "awaiting_review"
std::optional<GoalState> goalStateFromString(const QString &name);
QList<GoalState> allGoalStates();
QString toString(GoalSource source);
std::optional<GoalSource> goalSourceFromString(const QString &name);

struct Goal
{
    qint64 id = 0;
    QString kind; // user-request, fix-job-failure, fix-failing-test, apply-analyzer-fixes
    QString title;
    QString description;
    GoalState state = GoalState::Proposed;
    GoalSource source = GoalSource::User;
    QString createdBy; // a person (actor) or a detector name
    std::optional<qint64> proposalId;
    double confidence = 1.0;
    int priority = 0;
    QString fingerprint;
    QJsonObject evidence; // {"files": [...], ...}
    bool autoApproved = false;
    QString stateReason;
    int version = 1;
    QString createdAt;
    QString updatedAt;

    QStringList files() const;
    QJsonObject toJson() const;
};

// A stable fingerprint of what a goal is about, for "no open goal with the same fingerprint".
QString goalFingerprint(const QString &kind, const QString &title, const QStringList &files);

} // namespace astra

Q_DECLARE_METATYPE(astra::Goal)
Q_DECLARE_METATYPE(astra::GoalState)
