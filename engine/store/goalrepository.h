#pragma once

#include "base/result.h"
#include "model/goal.h"

#include <QMap>

#include <optional>

namespace astra {

class Database;

// The goals aggregate. Mutations must run inside Database::writeTransaction, next to the
// ledger entry that records them; updates use the version column for optimistic locking.
class GoalRepository
{
public:
    explicit GoalRepository(Database &db);

    // Inserts the goal and returns it with id, version and timestamps filled in.
    Result<Goal> insert(const Goal &goal);
    Result<Goal> find(qint64 id) const;
    Result<QList<Goal>> list(std::optional<GoalState> state = std::nullopt) const;
    Result<QMap<GoalState, int>> countByState() const;
    // Open goals with this fingerprint.
    Result<QList<qint64>> openWithFingerprint(const QString &fingerprint) const;

    // Moves the goal to `to` if it is still at the version read; a goal changed by someone
    // else in between is a Conflict and nothing is written.
    // The versioned row update behind Transitions (store/transitions.h), which checks the state
    // machine and writes the ledger entry: state changes go through Transitions, not here.
    Result<Goal> updateState(const Goal &goal, GoalState to, const QString &reason);

private:
    Database &m_db;
};

} // namespace astra
