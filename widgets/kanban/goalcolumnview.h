#pragma once

#include "model/goalstatemachine.h"

#include <QListView>

#include <optional>

namespace astra {

// What dropping a goal of state `from` on the column of state `to` means: the action a person
// takes (approve, reject, abandon), or why the board refuses it. Everything else follows from
// plans, runs and reviews, never from a drag.
struct DropDecision
{
    std::optional<GoalAction> action;
    QString refusal; // empty with an action, or when nothing changes (same column)
};
DropDecision decideDrop(qint64 goalId, GoalState from, GoalState to);

// One column of the board: a list of cards that accepts goals dragged from other columns and
// says why when it refuses one.
class GoalColumnView : public QListView
{
    Q_OBJECT
public:
    GoalColumnView(GoalState state, QWidget *parent = nullptr);
    GoalState state() const
    {
        return m_state;
    }

Q_SIGNALS:
    void actionRequested(qint64 goalId, astra::GoalAction action);
    void dropRefused(const QString &why);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void startDrag(Qt::DropActions supportedActions) override;

private:
    GoalState m_state;
};

} // namespace astra
