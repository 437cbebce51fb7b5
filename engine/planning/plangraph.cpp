#include "planning/plangraph.h"

#include <QCoreApplication>
#include <QXmlStreamWriter>

#include <cmath>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PlanGraph)
};

QString hex(quint32 rgb)
{
    return QStringLiteral("#%1").arg(rgb & 0xffffff, 6, 16, QLatin1Char('0'));
}

QString number(qreal value)
{
    return QString::number(std::round(value * 10) / 10, 'f', 1);
}

// Text as XML 1.0 allows it: control characters and non-characters become U+FFFD, since a
// goal's title or a path comes from outside.
QString xmlSafe(const QString &text)
{
    QString out = text;
    for (int i = 0; i < int(out.size()); ++i) {
        const char16_t c = out.at(i).unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 < int(out.size()) && out.at(i + 1).isLowSurrogate()) {
                ++i; // a valid pair
                continue;
            }
            out[i] = QChar::ReplacementCharacter;
        } else if (QChar::isLowSurrogate(c) || c == 0xfffe || c == 0xffff
                   || (c < 0x20 && c != u'\t' && c != u'\n' && c != u'\r')) {
            out[i] = QChar::ReplacementCharacter;
        }
    }
    return out;
}

QString dotQuoted(const QString &text)
{
    QString out = text;
    out.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'"', QStringLiteral("\\\""))
        .replace(u'\n', QStringLiteral("\\n"));
    return u'"' + out + u'"';
}

// Title and detail of a node, as the picture and the exports show it.
struct Words
{
    QString title;
    QString detail;
    QString tooltip;
};

Words wordsOf(const PlanReading &reading, const PlanNodeRecord &node, bool symbolic)
{
    Words words;
    const QString name = symbolic ? PlanReading::symbol(node) : reading.title(node);
    switch (node.kind) {
    case PlanNodeRecord::Kind::Task:
        words.title = name;
        break;
    case PlanNodeRecord::Kind::Method:
        words.title = QStringLiteral("→ ") + name;
        break;
    case PlanNodeRecord::Kind::Action:
        words.title = QStringLiteral("%1. %2").arg(reading.stepNumbers().value(node.id)).arg(name);
        break;
    case PlanNodeRecord::Kind::RejectedMethod:
        words.title = QStringLiteral("✗ ") + name;
        words.detail = Tr::tr("not taken: %1").arg(symbolic ? node.reason : reading.why(node));
        break;
    }
    words.tooltip = words.detail.isEmpty() ? words.title : words.title + u'\n' + words.detail;
    if (!symbolic) {
        words.tooltip += u'\n' + PlanReading::symbol(node);
    }
    return words;
}
} // namespace

qreal GraphMetrics::width(const QString &text) const
{
    return textWidth ? textWidth(text) : averageCharWidth * qreal(text.size());
}

QString GraphMetrics::elided(const QString &text, qreal limit) const
{
    if (width(text) <= limit) {
        return text;
    }
    // Binary search on the length: measuring is the expensive part.
    qsizetype low = 0;
    qsizetype high = text.size();
    while (low < high) {
        const qsizetype mid = (low + high + 1) / 2;
        if (width(text.left(mid) + u'…') <= limit) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    return text.left(low) + u'…';
}

NodeColors nodeColors(PlanNodeRecord::Kind kind, const QString &state)
{
    switch (kind) {
    case PlanNodeRecord::Kind::Task:
        return {0xe8f0fe, 0x4a74c9, 0x1a1a1a, false};
    case PlanNodeRecord::Kind::Method:
        return {0xeef7ee, 0x3c8d4f, 0x1a1a1a, false};
    case PlanNodeRecord::Kind::RejectedMethod:
        return {0xf6f6f6, 0xa0a0a0, 0x6b6b6b, true};
    case PlanNodeRecord::Kind::Action:
        break;
    }
    if (state == u"running") {
        return {0xdbeafe, 0x2980b9, 0x1a1a1a, false};
    }
    if (state == u"succeeded") {
        return {0xe3f4e8, 0x2e8b57, 0x1a1a1a, false};
    }
    if (state == u"failed") {
        return {0xfde2e0, 0xc0392b, 0x1a1a1a, false};
    }
    if (state == u"cancelled" || state == u"skipped") {
        return {0xeeeeee, 0x8a8a8a, 0x555555, false};
    }
    return {0xffffff, 0x555555, 0x1a1a1a, false};
}

void PlanGraph::edge(const QRectF &parent, const QRectF &child, QPointF points[4])
{
    const QPointF from(parent.right(), parent.center().y());
    const QPointF to(child.left(), child.center().y());
    const qreal bend = (to.x() - from.x()) / 2;
    points[0] = from;
    points[1] = QPointF(from.x() + bend, from.y());
    points[2] = QPointF(to.x() - bend, to.y());
    points[3] = to;
}

PlanGraph layoutPlan(const PlanReading &reading, bool symbolic, const GraphMetrics &metrics)
{
    PlanGraph graph;
    const QList<PlanNodeRecord> &records = reading.plan().nodes;
    const auto children = planChildren(records);
    graph.nodes.reserve(records.size());

    // Nodes in depth-first order with their words and widths; the widest box of each depth
    // makes its column.
    QList<qreal> columnWidth;
    QList<QList<int>> kids;
    const qreal oneLine = metrics.lineHeight + 2 * metrics.padding;
    const qreal twoLines = 2 * metrics.lineHeight + 2 * metrics.padding;
    std::function<void(qint64, int, int)> collect = [&](qint64 parentId, int parent, int depth) {
        for (const PlanNodeRecord *record : children.value(parentId)) {
            const Words words = wordsOf(reading, *record, symbolic);
            PlanGraphNode node;
            node.nodeId = record->id;
            node.kind = record->kind;
            node.title = metrics.elided(words.title, metrics.maxTextWidth);
            node.detail = metrics.elided(words.detail, metrics.maxTextWidth);
            node.tooltip = words.tooltip;
            node.parent = parent;
            node.depth = depth;
            const qreal width = qMax(metrics.width(node.title), metrics.width(node.detail)) + 2 * metrics.padding;
            node.box.setSize(QSizeF(std::ceil(width), node.detail.isEmpty() ? oneLine : twoLines));
            if (columnWidth.size() <= depth) {
                columnWidth.append(0);
            }
            columnWidth[depth] = qMax(columnWidth.at(depth), node.box.width());
            const int index = int(graph.nodes.size());
            graph.nodes.append(node);
            kids.append(QList<int>());
            graph.byNodeId.insert(record->id, index);
            if (parent >= 0) {
                kids[parent].append(index);
            }
            collect(record->id, index, depth + 1);
        }
    };
    collect(0, -1, 0);

    QList<qreal> columnX;
    qreal x = metrics.columnGap / 2;
    for (qreal width : std::as_const(columnWidth)) {
        columnX.append(x);
        x += width + metrics.columnGap;
    }
    // Leaves take the next row, in order; a parent is centred on its first and last child.
    // Children come after their parent, so walking backwards sees children first.
    const qreal slot = twoLines + metrics.rowGap;
    qreal cursor = metrics.rowGap;
    for (int i = 0; i < graph.nodes.size(); ++i) {
        PlanGraphNode &node = graph.nodes[i];
        node.box.moveLeft(columnX.at(node.depth));
        if (kids.at(i).isEmpty()) {
            node.box.moveTop(cursor + (twoLines - node.box.height()) / 2);
            cursor += slot;
        }
    }
    for (int i = int(graph.nodes.size()) - 1; i >= 0; --i) {
        if (kids.at(i).isEmpty()) {
            continue;
        }
        PlanGraphNode &node = graph.nodes[i];
        const qreal top = graph.nodes.at(kids.at(i).constFirst()).box.center().y();
        const qreal bottom = graph.nodes.at(kids.at(i).constLast()).box.center().y();
        node.box.moveTop((top + bottom) / 2 - node.box.height() / 2);
    }
    graph.size = QSizeF(std::ceil(x - metrics.columnGap / 2), std::ceil(cursor));
    return graph;
}

QString
planSvg(const PlanGraph &graph, const QHash<qint64, QString> &states, const GraphMetrics &metrics, const QString &title)
{
    QString out;
    QXmlStreamWriter xml(&out);
    xml.setAutoFormatting(true);
    xml.setAutoFormattingIndent(1);
    xml.writeStartDocument();
    xml.writeStartElement(QStringLiteral("svg"));
    xml.writeDefaultNamespace(QStringLiteral("http://www.w3.org/2000/svg"));
    xml.writeAttribute(QStringLiteral("version"), QStringLiteral("1.1"));
    xml.writeAttribute(QStringLiteral("width"), number(graph.size.width()));
    xml.writeAttribute(QStringLiteral("height"), number(graph.size.height()));
    xml.writeAttribute(QStringLiteral("viewBox"),
                       QStringLiteral("0 0 %1 %2").arg(number(graph.size.width()), number(graph.size.height())));
    xml.writeAttribute(QStringLiteral("font-family"), metrics.fontFamily);
    xml.writeAttribute(QStringLiteral("font-size"), number(metrics.fontSize));
    xml.writeTextElement(QStringLiteral("title"), xmlSafe(title));
    xml.writeStartElement(QStringLiteral("rect"));
    xml.writeAttribute(QStringLiteral("width"), QStringLiteral("100%"));
    xml.writeAttribute(QStringLiteral("height"), QStringLiteral("100%"));
    xml.writeAttribute(QStringLiteral("fill"), QStringLiteral("#ffffff"));
    xml.writeEndElement();

    QString edges;
    for (const PlanGraphNode &node : graph.nodes) {
        if (node.parent < 0) {
            continue;
        }
        QPointF points[4];
        PlanGraph::edge(graph.nodes.at(node.parent).box, node.box, points);
        edges += QStringLiteral("M%1 %2C%3 %4 %5 %6 %7 %8")
                     .arg(number(points[0].x()), number(points[0].y()), number(points[1].x()), number(points[1].y()))
                     .arg(number(points[2].x()), number(points[2].y()), number(points[3].x()), number(points[3].y()));
    }
    xml.writeStartElement(QStringLiteral("path"));
    xml.writeAttribute(QStringLiteral("d"), edges);
    xml.writeAttribute(QStringLiteral("fill"), QStringLiteral("none"));
    xml.writeAttribute(QStringLiteral("stroke"), QStringLiteral("#9a9a9a"));
    xml.writeEndElement();

    for (const PlanGraphNode &node : graph.nodes) {
        const QString state = states.value(node.nodeId);
        const NodeColors colors = nodeColors(node.kind, state);
        xml.writeStartElement(QStringLiteral("g"));
        xml.writeAttribute(QStringLiteral("id"), QStringLiteral("node-%1").arg(node.nodeId));
        xml.writeAttribute(QStringLiteral("class"), toString(node.kind) + (state.isEmpty() ? QString() : u' ' + state));
        xml.writeTextElement(QStringLiteral("title"), xmlSafe(node.tooltip));
        xml.writeStartElement(QStringLiteral("rect"));
        xml.writeAttribute(QStringLiteral("x"), number(node.box.x()));
        xml.writeAttribute(QStringLiteral("y"), number(node.box.y()));
        xml.writeAttribute(QStringLiteral("width"), number(node.box.width()));
        xml.writeAttribute(QStringLiteral("height"), number(node.box.height()));
        xml.writeAttribute(QStringLiteral("rx"), QStringLiteral("4"));
        xml.writeAttribute(QStringLiteral("fill"), hex(colors.fill));
        xml.writeAttribute(QStringLiteral("stroke"), hex(colors.stroke));
        if (colors.dashed) {
            xml.writeAttribute(QStringLiteral("stroke-dasharray"), QStringLiteral("4 3"));
        }
        xml.writeEndElement();
        const auto line = [&](const QString &text, int row, bool bold) {
            xml.writeStartElement(QStringLiteral("text"));
            xml.writeAttribute(QStringLiteral("x"), number(node.box.x() + metrics.padding));
            xml.writeAttribute(QStringLiteral("y"),
                               number(node.box.y() + metrics.padding + metrics.lineHeight * (row + 0.75)));
            xml.writeAttribute(QStringLiteral("fill"), hex(colors.text));
            if (bold) {
                xml.writeAttribute(QStringLiteral("font-weight"), QStringLiteral("bold"));
            }
            xml.writeCharacters(xmlSafe(text));
            xml.writeEndElement();
        };
        line(node.title, 0, node.kind == PlanNodeRecord::Kind::Action);
        if (!node.detail.isEmpty()) {
            line(node.detail, 1, false);
        }
        xml.writeEndElement();
    }
    xml.writeEndElement();
    xml.writeEndDocument();
    return out;
}

QString planDot(const PlanReading &reading, bool symbolic, const QHash<qint64, QString> &states)
{
    QString out = QStringLiteral("digraph %1 {\n").arg(dotQuoted(QStringLiteral("plan %1").arg(reading.plan().id)));
    out += QStringLiteral(
        "  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n"
        "  edge [color=\"#9a9a9a\"];\n");
    const auto children = planChildren(reading.plan().nodes);
    for (const PlanNodeRecord &node : reading.plan().nodes) {
        const Words words = wordsOf(reading, node, symbolic);
        const NodeColors colors = nodeColors(node.kind, states.value(node.id));
        out += QStringLiteral("  n%1 [label=%2, fillcolor=\"%3\", color=\"%4\", fontcolor=\"%5\"%6];\n")
                   .arg(node.id)
                   .arg(dotQuoted(words.detail.isEmpty() ? words.title : words.title + u'\n' + words.detail),
                        hex(colors.fill),
                        hex(colors.stroke),
                        hex(colors.text),
                        colors.dashed ? QStringLiteral(", style=\"rounded,filled,dashed\"") : QString());
    }
    for (const PlanNodeRecord &node : reading.plan().nodes) {
        for (const PlanNodeRecord *child : children.value(node.id)) {
            out += QStringLiteral("  n%1 -> n%2;\n").arg(node.id).arg(child->id);
        }
    }
    out += QStringLiteral("}\n");
    return out;
}

} // namespace astra
