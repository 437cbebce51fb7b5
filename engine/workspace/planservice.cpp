#include "workspace/planservice.h"

#include "base/logging.h"
#include "base/processid.h"
#include "git/gitrepository.h"
#include "planning/goalplanning.h"
#include "policy/pathpolicy.h"
#include "proposers/proposer.h"
#include "scheduling/scheduler.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "store/transitions.h"
#include "workspace/decisions.h"

#include <QCoreApplication>
#include <QDateTime>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

} // namespace

PlanService::PlanService(Database &db, const Config &config, Ledger &ledger, Decisions &decisions)
    : m_db(db)
    , m_config(config)
    , m_ledger(ledger)
    , m_decisions(decisions)
{}

Result<PlanRecord> PlanService::plan(qint64 goalId)
{
    GoalRepository goals(m_db);
    auto goal = goals.find(goalId);
    if (!goal) {
        return goal.error();
    }
    if (goal->kind == u"imported-change") {
        return makeError(Tr::tr("Goal %1 exists for an imported change: it has no plan and no agent works on it. "
                                "Import a new change for it with `astra propose --goal %1`.")
                             .arg(goalId),
                         ErrorKind::Refused);
    }
    PlanRepository plans(m_db);
    std::optional<PlanRecord> previous;
    if (goal->state == GoalState::Planned) {
        auto current = plans.current(goalId);
        if (!current) {
            return current.error();
        }
        previous = *current;
        if (previous) {
            auto tasks = TaskRepository(m_db).forPlan(previous->id);
            if (!tasks) {
                return tasks.error();
            }
            if (hasStarted(*tasks)) {
                return makeError(Tr::tr("Plan %1 of goal %2 has started running; it cannot be replaced. Cancel its "
                                        "tasks first (`astra tasks`).")
                                     .arg(previous->id)
                                     .arg(goalId),
                                 ErrorKind::Refused);
            }
        }
    } else if (goal->state != GoalState::Active) {
        return makeError(Tr::tr("Goal %1 is '%2': only an active goal, or a planned one whose plan has not started, "
                                "can be planned. Approve a proposed goal first with `astra goal approve %1`.")
                             .arg(goalId)
                             .arg(toString(goal->state)),
                         ErrorKind::Refused);
    }

    auto domain = builtinDomain();
    if (!domain) {
        return domain.error();
    }
    auto policy = PathPolicy::create(m_config.policy);
    if (!policy) {
        return policy.error();
    }
    const WorkspaceFacts facts = workspaceFacts(*goal, m_config, *policy, implementedProposers());
    auto planned = planForGoal(*goal, m_config, *domain, facts);
    if (!planned) {
        return planned.error();
    }

    const QString who = m_decisions.actor();
    Ledger &ledger = m_ledger;
    Transitions transitions(m_db, ledger);
    auto stored = m_db.writeTransaction([&]() -> Result<PlanRecord> {
        if (auto locked = ledger.lockHead(); !locked) {
            return locked.error();
        }
        if (previous) {
            auto skipped = TaskRepository(m_db).skipAfter(previous->id, -1, Tr::tr("the plan was replaced"));
            if (!skipped) {
                return skipped.error();
            }
            QJsonObject meta;
            meta.insert(QStringLiteral("goal"), double(goalId));
            meta.insert(QStringLiteral("skipped_tasks"), *skipped);
            auto superseded =
                transitions.plan(*previous, PlanState::Superseded, TransitionCause{who, Tr::tr("replanned"), meta});
            if (!superseded) {
                return superseded.error();
            }
        }
        auto stored = plans.insert(planned->plan, planned->tasks, planned->taskNodes);
        if (!stored) {
            return stored.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("goal"), double(goalId));
        meta.insert(QStringLiteral("domain"), stored->domain);
        meta.insert(QStringLiteral("outcome"), stored->outcome);
        meta.insert(QStringLiteral("tasks"), int(planned->tasks.size()));
        meta.insert(QStringLiteral("expansions"), double(stored->expansions));
        if (!planned->solved) {
            meta.insert(QStringLiteral("reason"), stored->failure);
        }
        auto entry = ledger.append(
            LedgerRecord{who,
                         planned->solved ? QStringLiteral("plan_created") : QStringLiteral("plan_not_found"),
                         QStringLiteral("plan:%1").arg(stored->id),
                         meta});
        if (!entry) {
            return entry.error();
        }
        if (planned->solved && goal->state == GoalState::Active) {
            QJsonObject goalMeta;
            goalMeta.insert(QStringLiteral("plan"), double(stored->id));
            auto moved = transitions.goal(*goal,
                                          GoalState::Planned,
                                          TransitionCause{who, Tr::tr("plan %1").arg(stored->id), goalMeta});
            if (!moved) {
                return moved.error();
            }
        }
        return stored;
    });
    if (!stored) {
        return stored.error();
    }
    if (!planned->solved) {
        // What a person can change comes first; the planner's trace follows for the curious.
        QStringList causes;
        if (facts.proposers.isEmpty() && !facts.hasFixits) {
            causes.append(Tr::tr("No agent is configured ([proposer] kind is \"%1\"), so nothing can write the "
                                 "change. Set one in .astra.toml, e.g. [proposer] kind = \"agent\" with agent = "
                                 "\"claude\", or kind = \"command\" with your own command (docs/agents.md).")
                              .arg(proposerKindName(m_config.proposer.kind)));
        }
        if (!facts.testCommand) {
            causes.append(Tr::tr("No test command is set: set [tests] command in .astra.toml."));
        }
        return makeError((causes.isEmpty() ? QString() : causes.join(u'\n') + QStringLiteral("\n\n"))
                             + Tr::tr("Goal %1 has no plan (plan %2 records the attempt):\n%3")
                                   .arg(goalId)
                                   .arg(stored->id)
                                   .arg(stored->failure),
                         ErrorKind::Refused);
    }
    return stored;
}

Result<PlanRecord> PlanService::approve(qint64 goalId, const QString &reason, const QString &approver)
{
    auto plan = current(goalId);
    if (!plan) {
        return plan.error();
    }
    if (plan->state != PlanState::Proposed) {
        return makeError(Tr::tr("Plan %1 of goal %2 is '%3'; only a proposed plan can be approved.")
                             .arg(plan->id)
                             .arg(goalId)
                             .arg(toString(plan->state)),
                         ErrorKind::Refused);
    }
    auto goal = GoalRepository(m_db).find(goalId);
    if (!goal) {
        return goal.error();
    }
    if (goal->state != GoalState::Planned) {
        return makeError(Tr::tr("Goal %1 is '%2'; a plan is approved while its goal is planned.")
                             .arg(goalId)
                             .arg(toString(goal->state)),
                         ErrorKind::Refused);
    }
    const QString who = approver.isEmpty() ? m_decisions.actor() : approver;
    Ledger &ledger = m_ledger;
    auto approved = m_db.writeTransaction([&]() -> Result<PlanRecord> {
        QJsonObject meta;
        meta.insert(QStringLiteral("goal"), double(goalId));
        auto approved =
            Transitions(m_db, ledger).plan(*plan, PlanState::Approved, TransitionCause{who, reason, meta}, who);
        if (!approved) {
            return approved.error();
        }
        auto review = m_db.exec(Tr::tr("Recording the approval of plan %1").arg(plan->id),
                                QStringLiteral("INSERT INTO reviews (goal_id, plan_id, reviewer, decision, reason, "
                                               "created_at) VALUES (?, ?, ?, 'approved', ?, ?)"),
                                {goalId, plan->id, who, reason, isoNow()});
        if (!review) {
            return review.error();
        }
        return approved;
    });
    if (!approved) {
        return approved.error();
    }
    m_decisions.checkpointAfterDecision();
    approved->nodes = plan->nodes;
    return approved;
}

Result<PlanRecord> PlanService::current(qint64 goalId)
{
    auto goal = GoalRepository(m_db).find(goalId);
    if (!goal) {
        return goal.error();
    }
    auto plan = PlanRepository(m_db).current(goalId);
    if (!plan) {
        return plan.error();
    }
    if (!*plan) {
        return makeError(Tr::tr("Goal %1 has no plan yet; make one with `astra plan %1`.").arg(goalId),
                         ErrorKind::NotFound);
    }
    return **plan;
}

Result<QList<PlanRecord>> PlanService::ofGoal(qint64 goalId)
{
    if (auto goal = GoalRepository(m_db).find(goalId); !goal) {
        return goal.error();
    }
    return PlanRepository(m_db).ofGoal(goalId);
}

Result<QList<TaskRecord>> PlanService::planTasks(qint64 planId)
{
    return TaskRepository(m_db).forPlan(planId);
}

Result<QList<TaskRecord>> PlanService::tasks(std::optional<TaskState> state)
{
    return TaskRepository(m_db).list(state);
}

Result<TaskRecord> PlanService::task(qint64 id)
{
    return TaskRepository(m_db).find(id);
}

Result<QList<TaskRunRecord>> PlanService::taskRuns(qint64 taskId)
{
    return TaskRepository(m_db).runs(taskId);
}

Result<QList<TaskRunRecord>> PlanService::planRuns(qint64 planId)
{
    return TaskRepository(m_db).planRuns(planId);
}

Status PlanService::cancelTask(qint64 taskId)
{
    TaskRepository repository(m_db);
    auto task = repository.find(taskId);
    if (!task) {
        return task.error();
    }
    if (isFinal(task->state)) {
        return makeError(Tr::tr("Task %1 is '%2' already; only a queued or running task can be cancelled.")
                             .arg(taskId)
                             .arg(toString(task->state)),
                         ErrorKind::Refused);
    }
    const QString who = m_decisions.actor();
    Ledger &ledger = m_ledger;
    return m_db.writeTransaction([&]() -> Status {
        if (auto locked = ledger.lockHead(); !locked) {
            return locked.error();
        }
        auto fresh = repository.find(taskId);
        if (!fresh) {
            return fresh.error();
        }
        if (fresh->state == TaskState::Queued) {
            // Nobody runs it: cancel it here and now.
            return cancelQueuedTask(m_db, ledger, *fresh, Tr::tr("cancelled by %1").arg(who), who);
        }
        if (Status requested = repository.requestCancel(taskId); !requested) {
            return requested;
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("plan"), double(fresh->planId));
        meta.insert(QStringLiteral("goal"), double(fresh->goalId));
        meta.insert(QStringLiteral("state"), toString(fresh->state));
        auto entry = ledger.append(
            LedgerRecord{who, QStringLiteral("task_cancel_requested"), QStringLiteral("task:%1").arg(taskId), meta});
        return entry ? Status() : Status(entry.error());
    });
}

} // namespace astra
