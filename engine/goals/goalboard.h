#pragma once

#include "goals/goal.h"
#include "result.h"

#include <QMetaType>

namespace astra {

class Database;

// One card of the goal board: the goal with what a reviewer wants to see beside it — which
// detector proposed it, where its plan and its latest modification stand.
struct GoalCard
{
    Goal goal;
    QString detector; // the proposal's detector; empty for goals people added
    qint64 planId = 0; // the current plan (not superseded); 0: none
    QString planState; // proposed, approved, failed; empty: none
    qint64 modificationId = 0; // the latest modification; 0: none
    QString modificationStatus;
};

// Every goal as a card, ordered by id: three queries whatever the number of goals.
Result<QList<GoalCard>> loadGoalCards(Database &db);

} // namespace astra

Q_DECLARE_METATYPE(astra::GoalCard)
