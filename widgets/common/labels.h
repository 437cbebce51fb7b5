#pragma once

#include "model/goal.h"

namespace astra {

// The workstation's name for a goal state ("Awaiting review"), the same on every view.
QString goalStateLabel(GoalState state);

} // namespace astra
