#pragma once

#include <QDateTime>
#include <QStyledItemDelegate>

namespace astra {

// Paints a goal as a card: a stripe for where it came from, the title on up to two lines, then
// "#id · detector · confidence · priority · age", then its plan and modification, and a warning
// mark when an open goal touches the same files. Every card has the same height, so a column of
// thousands scrolls without measuring them.
class GoalCardDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit GoalCardDelegate(QObject *parent = nullptr);

    void setNow(const QDateTime &now)
    {
        m_now = now;
    }
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The card's second and third lines, as painted (for tests and accessibility).
    QString metaLine(const QModelIndex &index) const;
    QString statusLine(const QModelIndex &index) const;

private:
    QDateTime m_now;
};

// Words for the stored plan and modification states, as the board shows them.
QString planStateText(const QString &state);
QString modificationStatusText(const QString &status);

} // namespace astra
