#pragma once

#include "base/result.h"
#include "model/proposal.h"

namespace astra {

class Database;
class Ledger;
struct Config;

// Turns detector drafts into goals, applying DESIGN.md's checks in this order, each with a
// recorded reason when it refuses:
//   1. confidence >= [generator] min_confidence;
//   2. rate limits: goals created by the generator today (UTC) below max_goals_per_day, and
//      by this detector below max_goals_per_detector_per_day;
//   3. duplicates: no open goal with the same fingerprint;
//   4. principles: the evidence is not only in paths the path policy forbids, touches no
//      [[principles]] deny_paths, and its title and description match no deny_goal_text;
//   5. feasibility: the planner finds a plan with the capabilities configured now.
// Accepted drafts become goals: `active` (auto-approved) when [generator] auto_approve is on
// and the confidence reaches auto_approve_confidence, `proposed` otherwise. Every decision is
// a `proposals` row and a ledger entry (proposal_accepted with goal_created, or
// proposal_refused), in one transaction each.
Result<QList<ProposalDecision>>
generateGoals(Database &db, Ledger &ledger, const Config &config, const QList<ProposalDraft> &drafts);

// The generator's recorded decisions, newest first: at most `limit` of them, only the refused
// ones when `refusedOnly`. An accepted one carries its goal and the goal's state now.
Result<QList<ProposalDecision>> listProposals(Database &db, bool refusedOnly, int limit);
// One recorded decision (NotFound when there is none with that id).
Result<ProposalDecision> findProposal(Database &db, qint64 proposalId);

} // namespace astra
