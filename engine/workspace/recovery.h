#pragma once

#include "base/result.h"

namespace astra {

class Database;
class GitRepository;
class Ledger;

// Brings the state back in line with git after a process died in the middle of an operation:
// requeues tasks a dead process left running, removes branches whose modification was never
// recorded, records merges and rollbacks whose ref moved but whose row did not, requeues tests
// that were running. Each repair is ledgered, marked as recovered.
Status recoverInterrupted(Database &db, GitRepository &repo, Ledger &ledger);

} // namespace astra
