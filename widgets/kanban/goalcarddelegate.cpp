#include "goalcarddelegate.h"

#include "goalboardmodel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QTextLayout>

namespace astra {

QString planStateText(const QString &state)
{
    if (state == u"proposed")
        return GoalCardDelegate::tr("plan awaits approval");
    if (state == u"approved")
        return GoalCardDelegate::tr("plan approved");
    if (state == u"failed")
        return GoalCardDelegate::tr("plan failed");
    return state;
}

QString modificationStatusText(const QString &status)
{
    if (status == u"pending")
        return GoalCardDelegate::tr("change pending");
    if (status == u"testing")
        return GoalCardDelegate::tr("change in testing");
    if (status == u"awaiting_approval")
        return GoalCardDelegate::tr("change awaits approval");
    if (status == u"tests_failed")
        return GoalCardDelegate::tr("tests failed");
    if (status == u"approved")
        return GoalCardDelegate::tr("change approved");
    if (status == u"merged")
        return GoalCardDelegate::tr("merged");
    if (status == u"conflicted")
        return GoalCardDelegate::tr("conflicted");
    if (status == u"rejected")
        return GoalCardDelegate::tr("change rejected");
    if (status == u"rolled_back")
        return GoalCardDelegate::tr("rolled back");
    return status;
}

namespace {
constexpr int margin = 4;
constexpr int padding = 8;
constexpr int stripe = 4;

QColor sourceColour(const QString &source)
{
    if (source == u"system")
        return QColor(0x3d, 0x7e, 0xd6); // found by a detector
    if (source == u"collaborative")
        return QColor(0x8e, 0x5c, 0xc2);
    return QColor(0x4c, 0xa3, 0x6a); // a person's own goal
}
} // namespace

GoalCardDelegate::GoalCardDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{}

QString GoalCardDelegate::metaLine(const QModelIndex &index) const
{
    QStringList parts{QStringLiteral("#%1").arg(index.data(GoalBoardModel::IdRole).toLongLong())};
    const QString detector = index.data(GoalBoardModel::DetectorRole).toString();
    const QString source = index.data(GoalBoardModel::SourceRole).toString();
    parts.append(detector.isEmpty() ? (source == u"user" ? tr("by hand") : source) : detector);
    if (!detector.isEmpty()) {
        parts.append(tr("confidence %1").arg(index.data(GoalBoardModel::ConfidenceRole).toDouble(), 0, 'f', 2));
    }
    const int priority = index.data(GoalBoardModel::PriorityRole).toInt();
    if (priority != 0) {
        parts.append(tr("P%1").arg(priority));
    }
    const QDateTime now = m_now.isValid() ? m_now : QDateTime::currentDateTimeUtc();
    const QString age = GoalBoardModel::ageText(index.data(GoalBoardModel::CreatedAtRole).toDateTime(), now);
    if (!age.isEmpty()) {
        parts.append(age);
    }
    return parts.join(QStringLiteral(" · "));
}

QString GoalCardDelegate::statusLine(const QModelIndex &index) const
{
    // The modification first: it is what a reviewer acts on.
    QStringList parts;
    const QString modification = index.data(GoalBoardModel::ModificationStatusRole).toString();
    if (!modification.isEmpty()) {
        parts.append(modificationStatusText(modification));
    }
    const QString plan = index.data(GoalBoardModel::PlanStateRole).toString();
    if (!plan.isEmpty()) {
        parts.append(planStateText(plan));
    }
    return parts.isEmpty() ? tr("no plan yet") : parts.join(QStringLiteral(" · "));
}

QSize GoalCardDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int line = option.fontMetrics.lineSpacing();
    return {option.rect.width() > 0 ? option.rect.width() : 220, 2 * margin + 2 * padding + 4 * line + 6};
}

void GoalCardDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &palette = option.palette;
    const QRectF card = QRectF(option.rect).adjusted(margin, margin, -margin, -margin);
    const bool selected = option.state & QStyle::State_Selected;

    QPainterPath path;
    path.addRoundedRect(card, 6, 6);
    painter->fillPath(path, palette.color(QPalette::Base));
    painter->setPen(
        QPen(selected ? palette.color(QPalette::Highlight) : palette.color(QPalette::Mid), selected ? 2.0 : 1.0));
    painter->drawPath(path);
    painter->setClipPath(path);
    painter->fillRect(QRectF(card.left(), card.top(), stripe, card.height()),
                      sourceColour(index.data(GoalBoardModel::SourceRole).toString()));
    painter->setClipping(false);

    const QFontMetrics metrics = option.fontMetrics;
    const int line = metrics.lineSpacing();
    const qreal left = card.left() + stripe + padding;
    qreal width = card.right() - padding - left;
    qreal top = card.top() + padding;

    const bool overlap = !index.data(GoalBoardModel::OverlapRole).value<QList<qint64>>().isEmpty();
    if (overlap) {
        // A warning mark in the corner; the tooltip names the other goals.
        const QRectF mark(card.right() - padding - line, top, line, line);
        QPainterPath triangle;
        triangle.moveTo(mark.center().x(), mark.top());
        triangle.lineTo(mark.right(), mark.bottom());
        triangle.lineTo(mark.left(), mark.bottom());
        triangle.closeSubpath();
        painter->fillPath(triangle, QColor(0xe0, 0x9b, 0x1a));
        painter->setPen(Qt::black);
        painter->drawText(mark.adjusted(0, 2, 0, 0), Qt::AlignCenter, QStringLiteral("!"));
        width -= line + 4;
    }

    // Title: bold, up to two lines, elided.
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(palette.color(QPalette::Text));
    const QFontMetrics boldMetrics(bold);
    QTextLayout layout(index.data(GoalBoardModel::TitleRole).toString(), bold);
    layout.beginLayout();
    int lines = 0;
    qreal y = top;
    while (lines < 2) {
        QTextLine textLine = layout.createLine();
        if (!textLine.isValid()) {
            break;
        }
        textLine.setLineWidth(width);
        const QString rest = layout.text().mid(textLine.textStart());
        if (lines == 1 && textLine.textStart() + textLine.textLength() < layout.text().size()) {
            painter->drawText(QPointF(left, y + boldMetrics.ascent()),
                              boldMetrics.elidedText(rest, Qt::ElideRight, int(width)));
        } else {
            painter->drawText(QPointF(left, y + boldMetrics.ascent()),
                              layout.text().mid(textLine.textStart(), textLine.textLength()));
        }
        y += line;
        ++lines;
    }
    layout.endLayout();

    painter->setFont(option.font);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    const qreal metaTop = top + 2 * line + 3;
    painter->drawText(QPointF(left, metaTop + metrics.ascent()),
                      metrics.elidedText(metaLine(index), Qt::ElideRight, int(card.right() - padding - left)));
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QPointF(left, metaTop + line + metrics.ascent()),
                      metrics.elidedText(statusLine(index), Qt::ElideRight, int(card.right() - padding - left)));
    painter->restore();
}

} // namespace astra
