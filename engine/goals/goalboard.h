#pragma once

#include "base/result.h"
#include "model/goalcard.h"

#include <QMetaType>

namespace astra {

class Database;

// Every goal as a card, ordered by id: three queries whatever the number of goals.
Result<QList<GoalCard>> loadGoalCards(Database &db);

} // namespace astra
