#pragma once

#include "model/goal.h"

#include <QJsonObject>

namespace astra {

// The workstation's name for a goal state ("Awaiting review"), the same on every view.
QString goalStateLabel(GoalState state);

// The workstation's word for a stored run outcome ("passed", "failed", "timeout", "error",
// "running", "succeeded", "cancelled"), in the user's language; an unknown one as stored.
QString outcomeLabel(const QString &outcome);

// The workstation's word for a stored plan state ("proposed", "approved", "superseded",
// "failed"); an unknown one as stored.
QString planStateLabel(const QString &state);

// A goal's evidence as a reader wants it (HTML): each field by name, lists of runs or findings
// as one line each, long texts cut. The stored JSON stays one click away in the views.
QString evidenceHtml(const QJsonObject &evidence);

// A goal's title in the reader's language: the stored title is English (base/sharedtext.h),
// rendered from its message when the goal has one ("title_message" in the evidence), or looked
// up as a message of its own; a person's title as they wrote it.
QString goalTitle(const Goal &goal);
// A person as a recorded actor names them ("dana (Dana Reviewer <dana@example.org>)"): the name
// from their git identity, else the user.
QString personName(const QString &actor);
// A stored English reason in the reader's language when it is one of Astra's messages: with
// its message from the ledger entry's meta ("reason_message"), or as a text of its own.
QString sharedReason(const QString &stored, const QJsonObject &message = {});

} // namespace astra
