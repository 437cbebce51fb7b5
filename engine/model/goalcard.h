#pragma once

#include "model/goal.h"

#include <QMetaType>
#include <QString>

namespace astra {

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

} // namespace astra

Q_DECLARE_METATYPE(astra::GoalCard)
