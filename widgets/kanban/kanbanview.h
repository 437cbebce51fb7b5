#pragma once

#include "model/goalcard.h"
#include "model/goalstatemachine.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QTextBrowser;

namespace astra {

class GoalBoardModel;
class GoalCardDelegate;
class GoalColumnProxy;
class GoalColumnView;

// The goal board: a column per goal state with its count, cards that can be dragged only along
// the transitions a person makes (approve, reject, abandon), filters by text, source and
// detector, and a panel with the selected goal's evidence.
class KanbanView : public QWidget
{
    Q_OBJECT
public:
    explicit KanbanView(QWidget *parent = nullptr);
    ~KanbanView() override;

    void setCards(const QList<GoalCard> &cards);
    GoalBoardModel *model() const
    {
        return m_model;
    }
    GoalColumnView *column(GoalState state) const;
    GoalColumnProxy *columnProxy(GoalState state) const;
    QString columnTitle(GoalState state) const; // "Proposed (3)"
    QTextBrowser *detailPanel() const
    {
        return m_detail;
    }
    qint64 currentGoal() const
    {
        return m_current;
    }
    // Selects the goal's card; `takeFocus` moves the keyboard focus to its column too (a
    // person's choice). A reload keeps the selection without taking the focus from elsewhere.
    void selectGoal(qint64 goalId, bool takeFocus = true);
    void setFilterText(const QString &text);

Q_SIGNALS:
    void actionRequested(qint64 goalId, astra::GoalAction action);
    void dropRefused(const QString &why);
    void currentGoalChanged(qint64 goalId);
    // A card was double-clicked (or Enter pressed on it): open its review.
    void goalActivated(qint64 goalId);

private:
    void applyFilters();
    void updateHeaders();
    void showDetail(qint64 goalId);
    void requestForCurrent(GoalAction action);

    GoalBoardModel *m_model = nullptr;
    GoalCardDelegate *m_delegate = nullptr;
    QLineEdit *m_text = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_detector = nullptr;
    QList<GoalColumnProxy *> m_proxies;
    QList<GoalColumnView *> m_columns;
    QList<QLabel *> m_headers;
    QList<QWidget *> m_boxes; // each column with its header
    QHBoxLayout *m_columnsLayout = nullptr;
    QTextBrowser *m_detail = nullptr;
    qint64 m_current = 0;
    bool m_evidenceAsJson = false; // the detail panel shows the stored JSON
};

} // namespace astra
