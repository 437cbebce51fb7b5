#pragma once

#include <QJsonObject>
#include <QString>

namespace astra {

// What a detector found: a candidate goal, before the generator's checks.
struct ProposalDraft
{
    QString detector; // "job_failure", ...
    QString kind; // the goal kind (a task of the planning domain)
    QString title; // English (base/sharedtext.h)
    QJsonObject titleMessage; // the title's message, kept in the goal's evidence as "title_message"
    QString fingerprint; // the same problem gives the same fingerprint
    double confidence = 0; // 0..1, by the detector's documented formula
    QString confidenceWhy; // the formula with its numbers
    QJsonObject evidence; // {"files": [...], ...} as stored on the goal
};

// The generator's verdict on one draft, as recorded in `proposals` and the ledger.
struct ProposalDecision
{
    qint64 proposalId = 0;
    ProposalDraft draft;
    bool accepted = false;
    QString check; // the check that refused it: confidence, rate_limit, duplicate, principles, feasibility
    QString reason;
    qint64 goalId = 0; // when accepted
    QString goalState; // proposed or active (auto-approved); as listed later: the goal's state now
    QString createdAt;
    // A refusal identical to the newest one recorded for this fingerprint (same check, same
    // evidence): not recorded again, proposalId names the one already there.
    bool alreadyRecorded = false;

    QJsonObject toJson() const;
};

} // namespace astra
