#pragma once

#include "model/goal.h"

#include <QJsonObject>

namespace astra {

// The workstation's name for a goal state ("Awaiting review"), the same on every view.
QString goalStateLabel(GoalState state);

// The workstation's word for a stored run outcome ("passed", "failed", "timeout", "error",
// "running", "succeeded", "cancelled"), in the user's language; an unknown one as stored.
QString outcomeLabel(const QString &outcome);

// A goal's evidence as a reader wants it (HTML): each field by name, lists of runs or findings
// as one line each, long texts cut. The stored JSON stays one click away in the views.
QString evidenceHtml(const QJsonObject &evidence);

} // namespace astra
