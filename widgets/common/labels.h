#pragma once

#include "model/goal.h"

namespace astra {

// The workstation's name for a goal state ("Awaiting review"), the same on every view.
QString goalStateLabel(GoalState state);

// The workstation's word for a stored run outcome ("passed", "failed", "timeout", "error",
// "running", "succeeded", "cancelled"), in the user's language; an unknown one as stored.
QString outcomeLabel(const QString &outcome);

} // namespace astra
