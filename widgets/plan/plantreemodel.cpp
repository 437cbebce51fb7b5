#include "plantreemodel.h"

#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace astra {

QString durationText(qint64 ms)
{
    if (ms < 0) {
        return QString();
    }
    if (ms < 1000) {
        return PlanTreeModel::tr("%1 ms").arg(ms);
    }
    if (ms < 60000) {
        return PlanTreeModel::tr("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    }
    return PlanTreeModel::tr("%1 min %2 s").arg(ms / 60000).arg((ms % 60000) / 1000);
}

PlanTreeModel::PlanTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

void PlanTreeModel::setSnapshot(const PlanSnapshot &snapshot)
{
    beginResetModel();
    m_snapshot = snapshot;
    m_nodes.clear();
    m_roots.clear();
    m_paths.clear();
    QHash<qint64, int> byId;
    for (const PlanNodeRecord &record : std::as_const(m_snapshot.plan.nodes)) {
        byId.insert(record.id, int(m_nodes.size()));
        Node node;
        node.record = record;
        m_nodes.append(node);
    }
    for (int i = 0; i < m_nodes.size(); ++i) {
        Node &node = m_nodes[i];
        const int parent = node.record.parentId == 0 ? -1 : byId.value(node.record.parentId, -1);
        node.parent = parent;
        QList<int> &siblings = parent < 0 ? m_roots : m_nodes[parent].children;
        node.row = int(siblings.size());
        siblings.append(i);
    }
    for (int t = 0; t < m_snapshot.tasks.size(); ++t) {
        const TaskRecord &task = m_snapshot.tasks.at(t);
        if (auto it = byId.constFind(task.planNodeId); it != byId.cend()) {
            m_nodes[*it].task = t;
        }
        const QString path = task.input.value(QStringLiteral("path")).toString();
        if (!path.isEmpty() && task.arguments.size() > 1) {
            m_paths.insert(task.arguments.at(1), path);
        }
    }
    // Costs and durations bottom-up: children have higher ids than their parents.
    for (int i = int(m_nodes.size()) - 1; i >= 0; --i) {
        Node &node = m_nodes[i];
        if (node.record.kind == PlanNodeRecord::Kind::Action) {
            node.cost = 1;
            if (node.task >= 0) {
                qint64 total = -1;
                for (const TaskRunRecord &run : m_snapshot.runs.value(m_snapshot.tasks.at(node.task).id)) {
                    if (run.durationMs >= 0) {
                        total = qMax<qint64>(total, 0) + run.durationMs;
                    }
                }
                node.durationMs = total;
            }
        } else if (node.record.kind != PlanNodeRecord::Kind::RejectedMethod) {
            for (int child : std::as_const(node.children)) {
                const Node &below = m_nodes.at(child);
                if (below.record.kind == PlanNodeRecord::Kind::RejectedMethod) {
                    continue;
                }
                node.cost += below.cost;
                if (below.durationMs >= 0) {
                    node.durationMs = qMax<qint64>(node.durationMs, 0) + below.durationMs;
                }
            }
        }
    }
    endResetModel();
}

const TaskRecord *PlanTreeModel::taskAt(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return nullptr;
    }
    const Node &node = m_nodes.at(int(index.internalId()));
    return node.task >= 0 ? &m_snapshot.tasks.at(node.task) : nullptr;
}

QModelIndex PlanTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0) {
        return {};
    }
    const QList<int> &siblings = parent.isValid() ? m_nodes.at(int(parent.internalId())).children : m_roots;
    if (row >= siblings.size()) {
        return {};
    }
    return createIndex(row, column, quintptr(siblings.at(row)));
}

QModelIndex PlanTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid()) {
        return {};
    }
    const int parent = m_nodes.at(int(child.internalId())).parent;
    if (parent < 0) {
        return {};
    }
    return createIndex(m_nodes.at(parent).row, 0, quintptr(parent));
}

int PlanTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid()) {
        return int(m_roots.size());
    }
    if (parent.column() != 0) {
        return 0;
    }
    return int(m_nodes.at(int(parent.internalId())).children.size());
}

int PlanTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QString PlanTreeModel::nameOf(const Node &node) const
{
    const PlanNodeRecord &record = node.record;
    QStringList arguments;
    for (const QString &argument : record.arguments) {
        const QString path = m_paths.value(argument);
        arguments.append(path.isEmpty() ? argument : QStringLiteral("%1 (%2)").arg(argument, path));
    }
    const QString text = QString(record.name + u' ' + arguments.join(u' ')).trimmed();
    switch (record.kind) {
    case PlanNodeRecord::Kind::Method:
        return tr("→ %1").arg(text);
    case PlanNodeRecord::Kind::RejectedMethod:
        return tr("✗ %1").arg(text);
    case PlanNodeRecord::Kind::Task:
    case PlanNodeRecord::Kind::Action:
        break;
    }
    return text;
}

QString PlanTreeModel::statusOf(const Node &node) const
{
    switch (node.record.kind) {
    case PlanNodeRecord::Kind::RejectedMethod:
        return tr("not applicable");
    case PlanNodeRecord::Kind::Method:
        return tr("chosen");
    case PlanNodeRecord::Kind::Task:
        return tr("compound");
    case PlanNodeRecord::Kind::Action:
        break;
    }
    if (node.task < 0) {
        return tr("no task");
    }
    const TaskRecord &task = m_snapshot.tasks.at(node.task);
    if (task.state == TaskState::Queued && !task.planApproved) {
        return tr("waiting for plan approval");
    }
    return toString(task.state);
}

QString PlanTreeModel::noteOf(const Node &node) const
{
    if (node.record.kind == PlanNodeRecord::Kind::RejectedMethod) {
        return node.record.reason;
    }
    if (node.task >= 0) {
        return m_snapshot.tasks.at(node.task).summary;
    }
    return QString();
}

QVariant PlanTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) {
        return {};
    }
    const Node &node = m_nodes.at(int(index.internalId()));
    const bool rejected = node.record.kind == PlanNodeRecord::Kind::RejectedMethod;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return nameOf(node);
        case StatusColumn:
            return statusOf(node);
        case DurationColumn:
            return durationText(node.durationMs);
        case CostColumn:
            return rejected ? QString() : QString::number(node.cost);
        case NoteColumn:
            return noteOf(node);
        }
        return {};
    case Qt::ToolTipRole:
        return index.column() == NoteColumn || rejected ? noteOf(node) : QVariant();
    case Qt::ForegroundRole:
        if (rejected) {
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        }
        if (index.column() == StatusColumn && node.task >= 0) {
            switch (m_snapshot.tasks.at(node.task).state) {
            case TaskState::Succeeded:
                return QColor(0x2e, 0x8b, 0x57);
            case TaskState::Failed:
                return QColor(0xc0, 0x39, 0x2b);
            case TaskState::Running:
                return QColor(0x29, 0x80, 0xb9);
            default:
                break;
            }
        }
        return {};
    case Qt::FontRole:
        if (rejected || node.record.kind == PlanNodeRecord::Kind::Method) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        if (node.record.kind == PlanNodeRecord::Kind::Action) {
            QFont font;
            font.setBold(index.column() == NameColumn);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == DurationColumn || index.column() == CostColumn
            ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
            : QVariant();
    case KindRole:
        return toString(node.record.kind);
    case TaskIdRole:
        return node.task >= 0 ? m_snapshot.tasks.at(node.task).id : qint64(0);
    case NodeIdRole:
        return node.record.id;
    default:
        return {};
    }
}

QVariant PlanTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case NameColumn:
        return tr("Decomposition");
    case StatusColumn:
        return tr("Status");
    case DurationColumn:
        return tr("Duration");
    case CostColumn:
        return tr("Cost");
    case NoteColumn:
        return tr("Why / outcome");
    }
    return {};
}

void PlanTreeModel::dumpInto(int node, int depth, QString *out) const
{
    const Node &n = m_nodes.at(node);
    *out += QString(depth * 2, u' ') + nameOf(n) + QStringLiteral(" | ") + statusOf(n) + u'\n';
    for (int child : n.children) {
        dumpInto(child, depth + 1, out);
    }
}

QString PlanTreeModel::dump() const
{
    QString out;
    for (int root : m_roots) {
        dumpInto(root, 0, &out);
    }
    return out;
}

} // namespace astra
