#pragma once

#include "base/result.h"

#include <QString>

#include <optional>

namespace astra {

class GitRepository;

// An external anchor of the ledger: refs/astra/ledger pushed to a git remote that the people
// who could edit this machine's state cannot rewrite. Because a checkpoint is pushed without
// force, the remote only ever moves forward; a local ref moved back or replaced no longer
// contains the remote's commit.

// Pushes refs/astra/ledger to `remote` (a configured remote's name, a URL or a path) as
// refs/astra/ledger there, fast-forward only. SSH remotes authenticate through the SSH agent;
// HTTPS ones with ASTRA_GIT_USERNAME and ASTRA_GIT_TOKEN when the server asks.
Status pushLedgerAnchor(GitRepository &repo, const QString &remote);

// The commit refs/astra/ledger points at on `remote`, if it has one (read without fetching).
Result<std::optional<QString>> readLedgerAnchor(GitRepository &repo, const QString &remote);

} // namespace astra
