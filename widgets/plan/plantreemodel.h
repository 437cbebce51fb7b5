#pragma once

#include "planning/planreading.h"
#include "workspace/workspacewatcher.h"

#include <QAbstractItemModel>

#include <optional>

namespace astra {

// The decomposition of a goal's plan as a tree: compound tasks, the ways tried and rejected
// (with why), the chosen way, and the steps with their live state, duration and what they
// produced. In the reader's words (PlanReading), or in the planner's symbols with
// setSymbolic(). Built from a PlanSnapshot; replaced as a whole when a newer snapshot arrives.
class PlanTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        StatusColumn,
        DurationColumn,
        CostColumn,
        NoteColumn,
        ColumnCount
    };
    enum Role
    {
        KindRole = Qt::UserRole + 1, // "task", "method", "action", "rejected_method"
        TaskIdRole, // primitive tasks: the task row's id; 0 otherwise
        NodeIdRole,
        SymbolRole, // the node in the planner's symbols
        SourceRole, // where the domain says it: "code-maintenance.hddl:84" (empty if unknown)
        SourceLineRole, // that line, as an int
    };

    explicit PlanTreeModel(QObject *parent = nullptr);

    void setSnapshot(const PlanSnapshot &snapshot);
    // The planner's symbols instead of words.
    void setSymbolic(bool symbolic);
    bool isSymbolic() const
    {
        return m_symbolic;
    }
    // How the shown plan reads (null before a plan is set).
    const PlanReading *reading() const
    {
        return m_reading ? &*m_reading : nullptr;
    }
    // The index of a node (column 0), invalid if the plan has no such node.
    QModelIndex indexOfNode(qint64 nodeId) const;
    // The task state of each step, by node id, for the picture.
    QHash<qint64, QString> stepStates() const;
    const PlanSnapshot &snapshot() const
    {
        return m_snapshot;
    }
    // The task of a primitive node, or nullptr.
    const TaskRecord *taskAt(const QModelIndex &index) const;
    // The tree as indented text, one node per line: "name | status" (for tests).
    QString dump() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node
    {
        PlanNodeRecord record;
        int parent = -1;
        int row = 0;
        QList<int> children;
        int task = -1; // index into m_snapshot.tasks
        qint64 durationMs = -1; // actions: their runs; compounds: the sum below (-1: none ran)
        int cost = 0; // what the steps at or below cost (the domain's @cost, 1 without it)
        int steps = 0; // the steps at or below
        int done = 0; // of those: succeeded
        int failed = 0; // failed or cancelled
        int running = 0;
    };
    QString nameOf(const Node &node) const;
    QString tooltipOf(const Node &node) const;
    QString statusOf(const Node &node) const;
    QString noteOf(const Node &node) const;
    void dumpInto(int node, int depth, QString *out) const;

    PlanSnapshot m_snapshot;
    QList<Node> m_nodes;
    QList<int> m_roots;
    QHash<qint64, int> m_byId;
    std::optional<PlanReading> m_reading;
    bool m_symbolic = false;
};

QString durationText(qint64 ms);

} // namespace astra
