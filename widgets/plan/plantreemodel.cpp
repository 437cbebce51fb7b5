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
    m_byId.clear();
    m_reading.reset();
    if (m_snapshot.hasPlan) {
        m_reading.emplace(m_snapshot.plan, PlanReading::domainOf(m_snapshot.plan));
    }
    QHash<qint64, int> &byId = m_byId;
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
    }
    // Costs and durations bottom-up: children have higher ids than their parents.
    for (int i = int(m_nodes.size()) - 1; i >= 0; --i) {
        Node &node = m_nodes[i];
        if (node.record.kind == PlanNodeRecord::Kind::Action) {
            node.cost = m_reading ? m_reading->cost(node.record) : 1;
            node.steps = 1;
            if (node.task >= 0) {
                switch (m_snapshot.tasks.at(node.task).state) {
                case TaskState::Succeeded:
                    ++node.done;
                    break;
                case TaskState::Failed:
                case TaskState::Cancelled:
                    ++node.failed;
                    break;
                case TaskState::Running:
                    ++node.running;
                    break;
                default:
                    break;
                }
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
                node.steps += below.steps;
                node.done += below.done;
                node.failed += below.failed;
                node.running += below.running;
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

void PlanTreeModel::setSymbolic(bool symbolic)
{
    if (symbolic == m_symbolic) {
        return;
    }
    m_symbolic = symbolic;
    if (!m_nodes.isEmpty()) {
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        // Below the roots too: views repaint what they show, which is enough for a tree whose
        // shape does not change; a reset would lose the expansion and the selection.
        for (int i = 0; i < m_nodes.size(); ++i) {
            if (!m_nodes.at(i).children.isEmpty()) {
                const QModelIndex parent = createIndex(m_nodes.at(i).row, 0, quintptr(i));
                Q_EMIT dataChanged(index(0, 0, parent),
                                   index(int(m_nodes.at(i).children.size()) - 1, ColumnCount - 1, parent));
            }
        }
    }
}

QModelIndex PlanTreeModel::indexOfNode(qint64 nodeId) const
{
    const auto it = m_byId.constFind(nodeId);
    return it == m_byId.cend() ? QModelIndex() : createIndex(m_nodes.at(*it).row, 0, quintptr(*it));
}

QHash<qint64, QString> PlanTreeModel::stepStates() const
{
    QHash<qint64, QString> states;
    for (const Node &node : m_nodes) {
        if (node.task >= 0) {
            states.insert(node.record.id, toString(m_snapshot.tasks.at(node.task).state));
        }
    }
    return states;
}

QString PlanTreeModel::nameOf(const Node &node) const
{
    const PlanNodeRecord &record = node.record;
    const QString text = m_symbolic || !m_reading ? PlanReading::symbol(record) : m_reading->title(record);
    switch (record.kind) {
    case PlanNodeRecord::Kind::Method:
        return tr("→ %1").arg(text);
    case PlanNodeRecord::Kind::RejectedMethod:
        return tr("✗ %1").arg(text);
    case PlanNodeRecord::Kind::Action:
        if (m_reading) {
            return tr("%1. %2").arg(m_reading->stepNumbers().value(record.id)).arg(text);
        }
        break;
    case PlanNodeRecord::Kind::Task:
        break;
    }
    return text;
}

QString PlanTreeModel::tooltipOf(const Node &node) const
{
    QStringList lines{nameOf(node)};
    if (const QString note = noteOf(node); !note.isEmpty()) {
        lines.append(note);
    }
    if (!m_symbolic) {
        lines.append(PlanReading::symbol(node.record));
    }
    if (m_reading) {
        if (const SourceRef ref = m_reading->source(node.record); ref.isValid()) {
            lines.append(tr("Defined at %1").arg(ref.toString()));
        }
    }
    return lines.join(u'\n');
}

QString PlanTreeModel::statusOf(const Node &node) const
{
    switch (node.record.kind) {
    case PlanNodeRecord::Kind::RejectedMethod:
        return tr("not taken");
    case PlanNodeRecord::Kind::Method:
    case PlanNodeRecord::Kind::Task:
        // What its steps have come to.
        if (node.steps == 0) {
            return node.record.kind == PlanNodeRecord::Kind::Method ? tr("chosen") : tr("nothing to do");
        }
        if (node.failed > 0) {
            return tr("%1 of %n step(s) failed", nullptr, node.steps).arg(node.failed);
        }
        if (node.done == node.steps) {
            return tr("done");
        }
        if (node.running > 0 || node.done > 0) {
            return tr("%1 of %n step(s) done", nullptr, node.steps).arg(node.done);
        }
        return node.record.kind == PlanNodeRecord::Kind::Method ? tr("chosen") : tr("%n step(s)", nullptr, node.steps);
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
        return m_symbolic || !m_reading ? node.record.reason : m_reading->why(node.record);
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
        return tooltipOf(node);
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
    case SymbolRole:
        return PlanReading::symbol(node.record);
    case SourceRole:
    case SourceLineRole: {
        const SourceRef ref = m_reading ? m_reading->source(node.record) : SourceRef();
        if (!ref.isValid()) {
            return {};
        }
        return role == SourceRole ? QVariant(ref.toString()) : QVariant(ref.line);
    }
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
