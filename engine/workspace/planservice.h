#pragma once

#include "base/result.h"
#include "model/plan.h"
#include "model/task.h"

#include <optional>

namespace astra {

class Database;
class Decisions;
class Ledger;
struct Config;

// Plans of goals (the built-in domain over the workspace's facts), their approval, and the
// tasks they queue.
class PlanService
{
public:
    PlanService(Database &db, const Config &config, Ledger &ledger, Decisions &decisions);

    // The goal (active, or planned and not started) is planned; a plan found moves the goal to
    // planned and waits for approval; no plan is stored as a failed plan and is an error.
    Result<PlanRecord> plan(qint64 goalId);
    Result<QList<PlanRecord>> ofGoal(qint64 goalId);
    // `approver`: the approver recorded (empty: the person acting).
    Result<PlanRecord> approve(qint64 goalId, const QString &reason, const QString &approver);
    // The goal's newest plan that is not superseded (NotFound when it has none).
    Result<PlanRecord> current(qint64 goalId);
    Result<QList<TaskRecord>> planTasks(qint64 planId);
    Result<QList<TaskRecord>> tasks(std::optional<TaskState> state);
    Result<TaskRecord> task(qint64 id);
    Result<QList<TaskRunRecord>> taskRuns(qint64 taskId);
    Result<QList<TaskRunRecord>> planRuns(qint64 planId);
    // Asks a queued or running task to stop (a running one stops at its next check).
    Status cancelTask(qint64 taskId);

private:
    Database &m_db;
    const Config &m_config;
    Ledger &m_ledger;
    Decisions &m_decisions;
};

} // namespace astra
