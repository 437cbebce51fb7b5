#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace astra {

enum class PlanState
{
    Proposed, // made by the planner, waiting for a person
    Approved, // may run
    Superseded, // replaced by a newer plan of the same goal
    Failed, // no plan was found, or a task of it failed or was cancelled
};

QString toString(PlanState state);
std::optional<PlanState> planStateFromString(const QString &name);

// proposed -> approved; proposed or approved -> superseded (replanned) or failed.
namespace PlanStateMachine {
QList<PlanState> legalNextStates(PlanState from);
QString eventFor(PlanState to); // plan_approved, plan_superseded, plan_failed
} // namespace PlanStateMachine

// A stored node of a decomposition tree. Compound tasks have the rejected methods (with the
// reason) and then the chosen method as children; the chosen method has the subtasks.
struct PlanNodeRecord
{
    enum class Kind
    {
        Task,
        Method,
        Action,
        RejectedMethod,
    };
    qint64 id = 0;
    qint64 planId = 0;
    qint64 parentId = 0; // 0 for a root
    int ordinal = 0;
    Kind kind = Kind::Task;
    QString name;
    QStringList arguments; // for methods: the binding, "?g=g1"
    QString reason; // rejected methods: why, in the planner's words
    QJsonObject why; // rejected methods: the same, structured (hddl::MethodAttempt::why)
    int plannerId = 0; // the id in the IPC plan output
};

QString toString(PlanNodeRecord::Kind kind);
std::optional<PlanNodeRecord::Kind> planNodeKindFromString(const QString &name);

// The children of each node by parent id (0: the roots), in ordinal order. The pointers are
// into `nodes`.
QHash<qint64, QList<const PlanNodeRecord *>> planChildren(const QList<PlanNodeRecord> &nodes);

struct PlanRecord
{
    qint64 id = 0;
    qint64 goalId = 0;
    PlanState state = PlanState::Proposed;
    QString stateReason;
    QString domain; // the domain's name
    QString problem; // the HDDL problem text the planner was given
    QString outcome; // solved, exhausted, node-limit, ...
    QString ipcPlan; // the plan in the HTN track's format (empty without a plan)
    QString failure; // without a plan: the failed-method trace
    // Without a plan: where the search came furthest, structured: {"task", "arguments",
    // "actions", "why"} (hddl::MethodAttempt::why).
    QJsonObject failureWhy;
    qint64 expansions = 0;
    qint64 elapsedMs = 0;
    QString approvedBy;
    QString approvedAt;
    int version = 1;
    QString createdAt;
    QString updatedAt;
    QList<PlanNodeRecord> nodes; // in id order

    // An indented text tree: "task ... -> method", "x method [binding]: reason", "action ...".
    QString treeText() const;
    QJsonObject toJson() const; // with the nested tree under "tree"
};

} // namespace astra
