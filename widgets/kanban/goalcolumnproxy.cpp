#include "goalcolumnproxy.h"

#include "goalboardmodel.h"

namespace astra {

GoalColumnProxy::GoalColumnProxy(const QString &state, QObject *parent)
    : QSortFilterProxyModel(parent)
    , m_state(state)
{
    setDynamicSortFilter(true);
    sort(0);
}

void GoalColumnProxy::setText(const QString &text)
{
    const QStringList words = text.toLower().split(u' ', Qt::SkipEmptyParts);
    if (words != m_words) {
        m_words = words;
        invalidateFilter();
    }
}

void GoalColumnProxy::setSource(const QString &source)
{
    if (source != m_source) {
        m_source = source;
        invalidateFilter();
    }
}

void GoalColumnProxy::setDetector(const QString &detector)
{
    if (detector != m_detector) {
        m_detector = detector;
        invalidateFilter();
    }
}

bool GoalColumnProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (index.data(GoalBoardModel::StateRole).toString() != m_state) {
        return false;
    }
    if (!m_source.isEmpty() && index.data(GoalBoardModel::SourceRole).toString() != m_source) {
        return false;
    }
    if (!m_detector.isEmpty() && index.data(GoalBoardModel::DetectorRole).toString() != m_detector) {
        return false;
    }
    if (!m_words.isEmpty()) {
        const QString text = index.data(GoalBoardModel::SearchTextRole).toString();
        for (const QString &word : m_words) {
            if (!text.contains(word)) {
                return false;
            }
        }
    }
    return true;
}

bool GoalColumnProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const int leftPriority = left.data(GoalBoardModel::PriorityRole).toInt();
    const int rightPriority = right.data(GoalBoardModel::PriorityRole).toInt();
    if (leftPriority != rightPriority) {
        return leftPriority > rightPriority;
    }
    return left.data(GoalBoardModel::IdRole).toLongLong() < right.data(GoalBoardModel::IdRole).toLongLong();
}

} // namespace astra
