#include "model/plan.h"

#include <QHash>
#include <QJsonArray>

#include <functional>

namespace astra {

namespace {
const char *const planStateNames[] = {"proposed", "approved", "superseded", "failed"};
const char *const nodeKindNames[] = {"task", "method", "action", "rejected_method"};
} // namespace

QString toString(PlanState state)
{
    return QString::fromLatin1(planStateNames[int(state)]);
}

std::optional<PlanState> planStateFromString(const QString &name)
{
    for (int i = 0; i < 4; ++i) {
        if (name == QLatin1String(planStateNames[i])) {
            return PlanState(i);
        }
    }
    return std::nullopt;
}

QString toString(PlanNodeRecord::Kind kind)
{
    return QString::fromLatin1(nodeKindNames[int(kind)]);
}

std::optional<PlanNodeRecord::Kind> planNodeKindFromString(const QString &name)
{
    for (int i = 0; i < 4; ++i) {
        if (name == QLatin1String(nodeKindNames[i])) {
            return PlanNodeRecord::Kind(i);
        }
    }
    return std::nullopt;
}

QHash<qint64, QList<const PlanNodeRecord *>> planChildren(const QList<PlanNodeRecord> &nodes)
{
    QHash<qint64, QList<const PlanNodeRecord *>> children;
    for (const PlanNodeRecord &node : nodes) {
        children[node.parentId].append(&node);
    }
    for (auto &list : children) {
        std::stable_sort(list.begin(), list.end(), [](const PlanNodeRecord *a, const PlanNodeRecord *b) {
            return a->ordinal < b->ordinal;
        });
    }
    return children;
}

QString PlanRecord::treeText() const
{
    const auto children = planChildren(nodes);
    QString out;
    std::function<void(qint64, int)> print = [&](qint64 parent, int depth) {
        for (const PlanNodeRecord *node : children.value(parent)) {
            const QString indent(depth * 2, u' ');
            const QString call = QStringList(QStringList{node->name} + node->arguments).join(u' ');
            switch (node->kind) {
            case PlanNodeRecord::Kind::Task:
                out += indent + QStringLiteral("task ") + call + u'\n';
                break;
            case PlanNodeRecord::Kind::Method:
                out += indent + QStringLiteral("-> ") + call + u'\n';
                break;
            case PlanNodeRecord::Kind::Action:
                out += indent + QStringLiteral("action ") + call + u'\n';
                break;
            case PlanNodeRecord::Kind::RejectedMethod:
                out += indent
                    + QStringLiteral("x %1 [%2]: %3\n").arg(node->name, node->arguments.join(u' '), node->reason);
                break;
            }
            print(node->id, depth + 1);
        }
    };
    print(0, 0);
    return out;
}

QJsonObject PlanRecord::toJson() const
{
    const auto children = planChildren(nodes);
    std::function<QJsonArray(qint64)> tree = [&](qint64 parent) {
        QJsonArray array;
        for (const PlanNodeRecord *node : children.value(parent)) {
            QJsonObject object;
            object.insert(QStringLiteral("id"), double(node->id));
            object.insert(QStringLiteral("kind"), toString(node->kind));
            object.insert(QStringLiteral("name"), node->name);
            object.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(node->arguments));
            if (!node->reason.isEmpty()) {
                object.insert(QStringLiteral("reason"), node->reason);
            }
            if (!node->why.isEmpty()) {
                object.insert(QStringLiteral("why"), node->why);
            }
            const QJsonArray below = tree(node->id);
            if (!below.isEmpty()) {
                object.insert(QStringLiteral("children"), below);
            }
            array.append(object);
        }
        return array;
    };
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("goal"), double(goalId));
    object.insert(QStringLiteral("state"), toString(state));
    object.insert(QStringLiteral("state_reason"), stateReason);
    if (!failureWhy.isEmpty()) {
        object.insert(QStringLiteral("failure_why"), failureWhy);
    }
    object.insert(QStringLiteral("domain"), domain);
    object.insert(QStringLiteral("outcome"), outcome);
    object.insert(QStringLiteral("expansions"), double(expansions));
    object.insert(QStringLiteral("elapsed_ms"), double(elapsedMs));
    object.insert(QStringLiteral("ipc_plan"), ipcPlan);
    object.insert(QStringLiteral("failure"), failure);
    object.insert(QStringLiteral("problem"), problem);
    object.insert(QStringLiteral("approved_by"), approvedBy);
    object.insert(QStringLiteral("approved_at"), approvedAt);
    object.insert(QStringLiteral("version"), version);
    object.insert(QStringLiteral("created_at"), createdAt);
    object.insert(QStringLiteral("tree"), tree(0));
    return object;
}

namespace PlanStateMachine {

QList<PlanState> legalNextStates(PlanState from)
{
    switch (from) {
    case PlanState::Proposed:
        return {PlanState::Approved, PlanState::Superseded, PlanState::Failed};
    case PlanState::Approved:
        return {PlanState::Superseded, PlanState::Failed};
    case PlanState::Superseded:
    case PlanState::Failed:
        return {};
    }
    return {};
}

QString eventFor(PlanState to)
{
    return QStringLiteral("plan_") + toString(to);
}

} // namespace PlanStateMachine

} // namespace astra
