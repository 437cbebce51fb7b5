#pragma once

#include "base/result.h"
#include "model/goal.h"
#include "model/goalstatemachine.h"

#include <optional>

namespace astra {

class Database;
class Decisions;
class Ledger;

// Files a person names for a goal or an import (--files): paths relative to the repository root,
// inside it; an error names the first that is not.
Status checkGoalFiles(const QStringList &files);

// Goals a person adds and moves. Every change is one transition with its ledger entry.
class GoalService
{
public:
    GoalService(Database &db, Ledger &ledger, Decisions &decisions);

    Result<Goal> add(const QString &title, const QStringList &files, const QString &description = {});
    // add() in two steps, for a goal made together with something else in one transaction:
    // the checked goal, not yet stored; then its row and ledger entry, inside the caller's
    // write transaction (no checkpoint).
    Result<Goal> draft(const QString &title, const QStringList &files, const QString &description = {}) const;
    Result<Goal> insert(const Goal &draft);
    Result<QList<Goal>> list(std::optional<GoalState> state = std::nullopt);
    Result<Goal> find(qint64 id);
    // A person's action (approve, abandon, …), ledgered and checkpointed.
    Result<Goal> apply(qint64 id, GoalAction action, const QString &reason);
    // Any legal transition, ledgered as done by `who`.
    Result<Goal> move(qint64 id, GoalState to, const QString &reason, const QString &who);

private:
    Database &m_db;
    Ledger &m_ledger;
    Decisions &m_decisions;
};

} // namespace astra
