#pragma once

#include "base/result.h"
#include "model/plan.h"
#include "model/task.h"

#include <optional>

namespace astra {

class Database;

// Plans, their decomposition trees and their tasks. Mutations run inside
// Database::writeTransaction next to their ledger entries; state changes are optimistic-locked.
class PlanRepository
{
public:
    explicit PlanRepository(Database &db);

    // Inserts the plan, then its nodes (parents before children; parentId and the task's
    // planNodeId refer to positions in `plan.nodes` until stored), then its tasks.
    // `taskNodes[i]` is the index in plan.nodes of tasks[i]'s action node.
    Result<PlanRecord> insert(const PlanRecord &plan, QList<TaskRecord> tasks, const QList<int> &taskNodes);
    Result<PlanRecord> find(qint64 id) const; // with its nodes
    Result<PlanRecord> header(qint64 id) const; // the row only (claims read it for every task)
    // The newest plan of a goal that is not superseded.
    Result<std::optional<PlanRecord>> current(qint64 goalId) const;
    // Every plan of a goal, the newest first, with their nodes: a goal is replanned a few
    // times, not hundreds.
    Result<QList<PlanRecord>> ofGoal(qint64 goalId) const;
    // Moves the plan to `to` if still at the version read (a Conflict otherwise).
    // The versioned row update behind Transitions (store/transitions.h), which checks the state
    // machine and writes the ledger entry: state changes go through Transitions, not here.
    Result<PlanRecord>
    updateState(const PlanRecord &plan, PlanState to, const QString &reason, const QString &approver = {});

private:
    Result<QList<PlanNodeRecord>> nodes(qint64 planId) const;
    Database &m_db;
};

} // namespace astra
