#pragma once

#include "base/result.h"

namespace astra {

class Database;
class GitRepository;
class Ledger;

// Brings the state back in line with git after a process died in the middle of an operation:
// requeues tasks a dead process left running, removes branches whose modification was never
// recorded, records merges and rollbacks whose ref moved but whose row did not, requeues tests
// that were running. Each repair is ledgered, marked as recovered. `decisionsHere`: false in a
// clone that follows the team's repository by URL (teamremote.h), whose target moves only by
// fetching decisions made there: a merge fetched before its row was written is not a crash.
Status recoverInterrupted(Database &db, GitRepository &repo, Ledger &ledger, bool decisionsHere = true);

} // namespace astra
