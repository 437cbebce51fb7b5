#pragma once

#include "planning/plangraph.h"

#include <QGraphicsView>
#include <QHash>

class QGraphicsPathItem;

namespace astra {

class PlanNodeItem;

// The decomposition as a picture: compound tasks, the ways chosen and rejected, the steps in
// the order they run, each step coloured by its live state. Zoom with Ctrl+wheel or the
// actions, pan by dragging; clicking a node reports it (nodeActivated), and selectNode() shows
// one. Exports are made here from what is shown and written off the UI thread.
class PlanGraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit PlanGraphView(QWidget *parent = nullptr);
    ~PlanGraphView() override;

    // Lays out and draws `reading`'s plan; `states` are the steps' task states by node id.
    void setPlan(const PlanReading &reading, const QHash<qint64, QString> &states, bool symbolic);
    void clear();
    // Selects the node and scrolls it into view (nothing when it is not drawn).
    void selectNode(qint64 nodeId);
    qint64 selectedNode() const;

    int nodeCount() const
    {
        return int(m_items.size());
    }
    const PlanGraph &graph() const
    {
        return m_graph;
    }
    qreal zoom() const;

    void zoomIn();
    void zoomOut();
    void zoomToFit();
    void resetZoom();
    // A new plan's first look: the whole picture when it can be read at that size, otherwise
    // its start (the goal's task) at a readable size.
    void showOverview();

    // The picture as SVG text and as an image (at most 16,384 pixels a side).
    QString svg(const QString &title) const;
    QImage image() const;

Q_SIGNALS:
    void nodeActivated(qint64 nodeId);

protected:
    void wheelEvent(QWheelEvent *event) override;

private:
    void setZoom(qreal factor);
    GraphMetrics metrics() const;

    PlanGraph m_graph;
    QHash<qint64, QString> m_states;
    QHash<qint64, PlanNodeItem *> m_items;
    QGraphicsPathItem *m_edges = nullptr;
    mutable bool m_selecting = false;
};

} // namespace astra
