#pragma once

#include "planning/planreading.h"

#include <QHash>
#include <QList>
#include <QRectF>
#include <QString>

#include <functional>

namespace astra {

// How text is measured and boxes are spaced. The workstation measures with its font; the
// command line, which has no fonts, with an average character width.
struct GraphMetrics
{
    std::function<qreal(const QString &)> textWidth; // null: averageCharWidth per character
    qreal averageCharWidth = 7.0;
    qreal fontSize = 12; // in pixels, for the SVG
    QString fontFamily = QStringLiteral("sans-serif");
    qreal lineHeight = 16;
    qreal padding = 6;
    qreal columnGap = 40;
    qreal rowGap = 8;
    qreal maxTextWidth = 340; // longer lines are elided; the whole text is the node's title

    qreal width(const QString &text) const;
    QString elided(const QString &text, qreal width) const;
};

// Colours of a node, 0xRRGGBB, shared by the workstation's drawing and the exports.
struct NodeColors
{
    quint32 fill = 0xffffff;
    quint32 stroke = 0x555555;
    quint32 text = 0x1a1a1a;
    bool dashed = false;
};
// `state` is the task state of a step ("queued", "running", "succeeded", …), empty otherwise.
NodeColors nodeColors(PlanNodeRecord::Kind kind, const QString &state);

struct PlanGraphNode
{
    qint64 nodeId = 0;
    PlanNodeRecord::Kind kind = PlanNodeRecord::Kind::Task;
    QString title; // "3. Run the tests", "✗ Use the analyzer's fix-its"
    QString detail; // rejected ways: "not taken: WHY"; empty otherwise
    QString tooltip; // everything, unelided
    QRectF box;
    int parent = -1; // index into PlanGraph::nodes
    int depth = 0;
};

// A decomposition laid out left to right: a column per depth, leaves in the order they run from
// top to bottom, each compound node centred on what it decomposes into. Linear in the nodes.
struct PlanGraph
{
    QList<PlanGraphNode> nodes; // parents before children
    QSizeF size;
    QHash<qint64, int> byNodeId;

    // The edge from a node to its parent, as the control points of a cubic curve.
    static void edge(const QRectF &parent, const QRectF &child, QPointF points[4]);
};

PlanGraph layoutPlan(const PlanReading &reading, bool symbolic, const GraphMetrics &metrics = {});

// The picture as a standalone SVG 1.1 document. `states`: task state by plan node id.
QString planSvg(const PlanGraph &graph,
                const QHash<qint64, QString> &states,
                const GraphMetrics &metrics,
                const QString &title);
// The decomposition in Graphviz's DOT language, for `dot -Tsvg` and the like.
QString planDot(const PlanReading &reading, bool symbolic, const QHash<qint64, QString> &states);

} // namespace astra
