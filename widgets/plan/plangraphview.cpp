#include "plangraphview.h"

#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>

#include <cmath>

namespace astra {

namespace {
QColor colorOf(quint32 rgb)
{
    return QColor(QRgb(0xff000000u | rgb));
}
constexpr qreal minZoom = 0.05;
constexpr qreal maxZoom = 4.0;
} // namespace

// One node: a rounded box with its title and, for a rejected way, why. Painted directly (no
// child items), so that a thousand of them stay cheap.
class PlanNodeItem : public QGraphicsItem
{
public:
    PlanNodeItem(const PlanGraphNode &node, const NodeColors &colors, const GraphMetrics &metrics, const QFont &font)
        : m_node(node)
        , m_colors(colors)
        , m_padding(metrics.padding)
        , m_lineHeight(metrics.lineHeight)
        , m_font(font)
    {
        setPos(node.box.topLeft());
        setFlag(ItemIsSelectable);
        setToolTip(node.tooltip);
        setData(0, node.nodeId);
    }

    QRectF boundingRect() const override
    {
        return QRectF(QPointF(-2, -2), m_node.box.size() + QSizeF(4, 4));
    }

    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *) override
    {
        const QRectF box(QPointF(0, 0), m_node.box.size());
        QPen pen(colorOf(m_colors.stroke), isSelected() ? 2.5 : 1.0);
        if (m_colors.dashed) {
            pen.setStyle(Qt::DashLine);
        }
        if (isSelected()) {
            pen.setColor(option->palette.color(QPalette::Highlight));
        }
        painter->setPen(pen);
        painter->setBrush(colorOf(m_colors.fill));
        painter->drawRoundedRect(box, 4, 4);
        // Far out, the words cannot be read: boxes only.
        if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.35) {
            return;
        }
        QFont font = m_font;
        font.setBold(m_node.kind == PlanNodeRecord::Kind::Action);
        font.setItalic(m_node.kind == PlanNodeRecord::Kind::Method
                       || m_node.kind == PlanNodeRecord::Kind::RejectedMethod);
        painter->setFont(font);
        painter->setPen(colorOf(m_colors.text));
        const QRectF first(m_padding, m_padding, box.width() - 2 * m_padding, m_lineHeight);
        painter->drawText(first, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, m_node.title);
        if (!m_node.detail.isEmpty()) {
            QFont detail = m_font;
            painter->setFont(detail);
            painter->drawText(first.translated(0, m_lineHeight),
                              Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine,
                              m_node.detail);
        }
    }

    void setColors(const NodeColors &colors)
    {
        m_colors = colors;
        update();
    }

private:
    PlanGraphNode m_node;
    NodeColors m_colors;
    qreal m_padding;
    qreal m_lineHeight;
    QFont m_font;
};

PlanGraphView::PlanGraphView(QWidget *parent)
    : QGraphicsView(parent)
{
    setObjectName(QStringLiteral("planGraph"));
    setScene(new QGraphicsScene(this));
    setDragMode(QGraphicsView::ScrollHandDrag);
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlag(QGraphicsView::DontSavePainterState);
    setBackgroundBrush(QColor(0xfb, 0xfb, 0xfb));
    connect(scene(), &QGraphicsScene::selectionChanged, this, [this] {
        if (m_selecting) {
            return;
        }
        if (const qint64 node = selectedNode(); node > 0) {
            Q_EMIT nodeActivated(node);
        }
    });
}

PlanGraphView::~PlanGraphView()
{
    // The scene goes with the QWidget part, after this part: its last selection change must not
    // reach this object then.
    QObject::disconnect(scene(), nullptr, this, nullptr);
}

GraphMetrics PlanGraphView::metrics() const
{
    GraphMetrics metrics;
    const QFont font = this->font();
    const QFontMetricsF measure(font);
    QFont bold = font;
    bold.setBold(true);
    const QFontMetricsF boldMeasure(bold);
    // Bold is the widest of the styles used; measuring with it keeps every title inside its box.
    metrics.textWidth = [boldMeasure](const QString &text) {
        return boldMeasure.horizontalAdvance(text);
    };
    metrics.lineHeight = std::ceil(measure.height() + 2);
    metrics.fontSize = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * logicalDpiY() / 72.0;
    metrics.fontFamily = font.family();
    return metrics;
}

void PlanGraphView::clear()
{
    m_selecting = true;
    scene()->clear();
    m_selecting = false;
    m_items.clear();
    m_edges = nullptr;
    m_graph = PlanGraph();
    m_states.clear();
}

void PlanGraphView::setPlan(const PlanReading &reading, const QHash<qint64, QString> &states, bool symbolic)
{
    const qint64 keep = selectedNode();
    clear();
    const GraphMetrics measures = metrics();
    m_graph = layoutPlan(reading, symbolic, measures);
    m_states = states;
    QPainterPath edges;
    for (const PlanGraphNode &node : std::as_const(m_graph.nodes)) {
        if (node.parent < 0) {
            continue;
        }
        QPointF points[4];
        PlanGraph::edge(m_graph.nodes.at(node.parent).box, node.box, points);
        edges.moveTo(points[0]);
        edges.cubicTo(points[1], points[2], points[3]);
    }
    m_edges = scene()->addPath(edges, QPen(QColor(0x9a, 0x9a, 0x9a), 1.0));
    m_edges->setZValue(-1);
    m_items.reserve(m_graph.nodes.size());
    for (const PlanGraphNode &node : std::as_const(m_graph.nodes)) {
        auto *item = new PlanNodeItem(node, nodeColors(node.kind, states.value(node.nodeId)), measures, font());
        scene()->addItem(item);
        m_items.insert(node.nodeId, item);
    }
    scene()->setSceneRect(QRectF(QPointF(0, 0), m_graph.size));
    if (keep > 0 && m_items.contains(keep)) {
        m_selecting = true;
        m_items.value(keep)->setSelected(true);
        m_selecting = false;
    }
}

void PlanGraphView::selectNode(qint64 nodeId)
{
    PlanNodeItem *item = m_items.value(nodeId);
    if (!item) {
        return;
    }
    m_selecting = true;
    scene()->clearSelection();
    item->setSelected(true);
    m_selecting = false;
    ensureVisible(item, 40, 40);
}

qint64 PlanGraphView::selectedNode() const
{
    const QList<QGraphicsItem *> selected = scene()->selectedItems();
    return selected.isEmpty() ? 0 : selected.constFirst()->data(0).toLongLong();
}

qreal PlanGraphView::zoom() const
{
    return transform().m11();
}

void PlanGraphView::setZoom(qreal factor)
{
    const qreal bounded = qBound(minZoom, factor, maxZoom);
    setTransform(QTransform::fromScale(bounded, bounded));
}

void PlanGraphView::zoomIn()
{
    setZoom(zoom() * 1.25);
}

void PlanGraphView::zoomOut()
{
    setZoom(zoom() / 1.25);
}

void PlanGraphView::resetZoom()
{
    setZoom(1.0);
}

void PlanGraphView::zoomToFit()
{
    if (m_graph.nodes.isEmpty()) {
        return;
    }
    const QSizeF room = viewport()->size();
    const qreal factor = qMin(room.width() / m_graph.size.width(), room.height() / m_graph.size.height());
    setZoom(qMin(factor, 1.0));
    centerOn(scene()->sceneRect().center());
}

void PlanGraphView::showOverview()
{
    if (m_graph.nodes.isEmpty()) {
        return;
    }
    const QSizeF room = viewport()->size();
    const qreal fit = qMin(room.width() / m_graph.size.width(), room.height() / m_graph.size.height());
    if (fit >= 0.6) {
        setZoom(qMin(fit, 1.0));
        centerOn(scene()->sceneRect().center());
        return;
    }
    setZoom(0.8);
    const QRectF root = m_graph.nodes.constFirst().box;
    centerOn(root.center() + QPointF(room.width() / 2 / 0.8 - root.width(), 0));
}

void PlanGraphView::wheelEvent(QWheelEvent *event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        const int steps = event->angleDelta().y() / 120;
        if (steps != 0) {
            setZoom(zoom() * std::pow(1.15, steps));
        }
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

QString PlanGraphView::svg(const QString &title) const
{
    return planSvg(m_graph, m_states, metrics(), title);
}

QImage PlanGraphView::image() const
{
    constexpr qreal limit = 16384;
    const qreal scale =
        qMin<qreal>(2.0,
                    qMin(limit / qMax<qreal>(1, m_graph.size.width()), limit / qMax<qreal>(1, m_graph.size.height())));
    QImage image((m_graph.size * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) {
        return image;
    }
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    const QList<QGraphicsItem *> selected = scene()->selectedItems();
    m_selecting = true;
    for (QGraphicsItem *item : selected) {
        item->setSelected(false); // the picture shows the plan, not the selection
    }
    scene()->render(&painter, QRectF(QPointF(0, 0), m_graph.size * scale), QRectF(QPointF(0, 0), m_graph.size));
    for (QGraphicsItem *item : selected) {
        item->setSelected(true);
    }
    m_selecting = false;
    return image;
}

} // namespace astra
