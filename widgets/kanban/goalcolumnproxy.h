#pragma once

#include <QSortFilterProxyModel>

namespace astra {

// One column of the board: the goals in one state that pass the filters (text, source,
// detector), highest priority first, then oldest first.
class GoalColumnProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit GoalColumnProxy(const QString &state, QObject *parent = nullptr);

    QString state() const
    {
        return m_state;
    }
    void setText(const QString &text);
    void setSource(const QString &source); // empty: any
    void setDetector(const QString &detector); // empty: any

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_state;
    QStringList m_words;
    QString m_source;
    QString m_detector;
};

} // namespace astra
