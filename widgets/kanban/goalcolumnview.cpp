#include "goalcolumnview.h"

#include "goalboardmodel.h"

#include <QDrag>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>

namespace astra {

namespace {
// How a goal gets to a state other than by a person's action, for the refusal.
QString howReached(GoalState to)
{
    switch (to) {
    case GoalState::Planned:
        return GoalColumnView::tr("planning it (the plan view, or `astra plan`)");
    case GoalState::Executing:
        return GoalColumnView::tr("approving its plan; the scheduler then runs it");
    case GoalState::AwaitingReview:
        return GoalColumnView::tr("its plan's run ending with a modification, or importing a change for it");
    case GoalState::Completed:
        return GoalColumnView::tr("merging its approved modification (the review panel)");
    case GoalState::Failed:
        return GoalColumnView::tr("its plan failing");
    case GoalState::Active:
        return GoalColumnView::tr("approving it while it is proposed");
    case GoalState::Rejected:
        return GoalColumnView::tr("rejecting it while it is proposed");
    case GoalState::Proposed:
        return GoalColumnView::tr("rolling back the merged modification of a completed goal");
    case GoalState::Abandoned:
        break;
    }
    return GoalColumnView::tr("the engine");
}
} // namespace

DropDecision decideDrop(qint64 goalId, GoalState from, GoalState to)
{
    DropDecision decision;
    if (from == to) {
        return decision;
    }
    if (from == GoalState::Completed) {
        decision.refusal = GoalColumnView::tr(
                               "Goal %1 is completed, which is final; only rolling back its merged "
                               "modification (the review panel) reopens it.")
                               .arg(goalId);
        return decision;
    }
    const QList<GoalState> legal = GoalStateMachine::legalNextStates(from);
    if (legal.contains(to)) {
        if (from == GoalState::Proposed && to == GoalState::Active) {
            decision.action = GoalAction::Approve;
            return decision;
        }
        if (from == GoalState::Proposed && to == GoalState::Rejected) {
            decision.action = GoalAction::Reject;
            return decision;
        }
        if (to == GoalState::Abandoned) {
            decision.action = GoalAction::Abandon;
            return decision;
        }
        decision.refusal = GoalColumnView::tr("Goal %1 moves from %2 to %3 by %4, not by dragging it.")
                               .arg(goalId)
                               .arg(toString(from), toString(to), howReached(to));
        return decision;
    }
    if (legal.isEmpty()) {
        decision.refusal = GoalColumnView::tr("Goal %1 is %2, which is final: it does not move any more.")
                               .arg(goalId)
                               .arg(toString(from));
        return decision;
    }
    QStringList names;
    for (GoalState state : legal) {
        names.append(toString(state));
    }
    decision.refusal = GoalColumnView::tr(
                           "Goal %1 cannot go from %2 to %3; from %2 it can go to %4 (%3 is reached by "
                           "%5).")
                           .arg(goalId)
                           .arg(toString(from), toString(to), names.join(QStringLiteral(", ")), howReached(to));
    return decision;
}

GoalColumnView::GoalColumnView(GoalState state, QWidget *parent)
    : QListView(parent)
    , m_state(state)
{
    setObjectName(QStringLiteral("column-") + toString(state));
    setDragEnabled(true);
    setAcceptDrops(true);
    setDropIndicatorShown(false);
    setDragDropMode(QAbstractItemView::DragDrop);
    setDefaultDropAction(Qt::MoveAction);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setUniformItemSizes(true); // thousands of cards scroll without measuring each
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setFrameShape(QFrame::NoFrame);
    setMouseTracking(true);
    setAccessibleName(toString(state));
}

void GoalColumnView::dragEnterEvent(QDragEnterEvent *event)
{
    qint64 id = 0;
    QString from;
    if (GoalBoardModel::decodeDrag(event->mimeData(), &id, &from)) {
        event->setDropAction(Qt::MoveAction);
        event->accept(); // refusals are explained on drop, not by a silent "no" cursor
    } else {
        event->ignore();
    }
}

void GoalColumnView::dragMoveEvent(QDragMoveEvent *event)
{
    qint64 id = 0;
    QString from;
    if (GoalBoardModel::decodeDrag(event->mimeData(), &id, &from)) {
        event->setDropAction(Qt::MoveAction);
        event->accept();
    } else {
        event->ignore();
    }
}

void GoalColumnView::dropEvent(QDropEvent *event)
{
    qint64 id = 0;
    QString fromName;
    const auto from =
        GoalBoardModel::decodeDrag(event->mimeData(), &id, &fromName) ? goalStateFromString(fromName) : std::nullopt;
    if (!from) {
        event->ignore();
        return;
    }
    const DropDecision decision = decideDrop(id, *from, m_state);
    // The model is not changed here: the card moves when the engine has done the action and
    // the board reloads.
    event->setDropAction(Qt::IgnoreAction);
    event->accept();
    if (decision.action) {
        Q_EMIT actionRequested(id, *decision.action);
    } else if (!decision.refusal.isEmpty()) {
        Q_EMIT dropRefused(decision.refusal);
    }
}

void GoalColumnView::startDrag(Qt::DropActions supportedActions)
{
    const QModelIndexList indexes = selectedIndexes();
    if (indexes.isEmpty() || !(model()->flags(indexes.constFirst()) & Qt::ItemIsDragEnabled)) {
        return;
    }
    auto *drag = new QDrag(this);
    drag->setMimeData(model()->mimeData(indexes));
    const QRect rect = visualRect(indexes.constFirst());
    QPixmap pixmap(rect.size());
    pixmap.fill(Qt::transparent);
    render(&pixmap, QPoint(), QRegion(rect));
    drag->setPixmap(pixmap);
    drag->exec(supportedActions, Qt::MoveAction);
}

} // namespace astra
