#pragma once

#include "base/result.h"

#include <QString>
#include <QStringList>

namespace astra {

class GitRepository;

// A clone that reaches the team's repository by URL (git config astra.remote names the remote):
// a worker's own clone on a machine that has no path to it. The team's repository is the one
// the workstations decide in; such a clone follows it. It fetches the target branch and
// Astra's own refs from it, and pushes every branch and revision ref it writes before the
// database names them, so that what a row names is always in the team's repository.

// Where the team's target branch is kept in a following clone, apart from the clone's branches.
QString teamTargetRef(const QString &targetBranch);

// Fetches from `remote` the target branch (into teamTargetRef()) and Astra's refs: the
// modification branches refs/heads/astra/* and the revision refs refs/astra/modifications/*,
// which only the team's repository moves. Returns the commit the team's target is at.
Result<QString> fetchTeamRefs(GitRepository &repo, const QString &remote, const QString &targetBranch);

// Pushes `refspecs` ("src:dst", "+" in front forces, ":dst" deletes) to `remote`. A ref the
// remote refuses (not a fast-forward, hook, permissions) is an error that names it.
Status pushTeamRefs(GitRepository &repo, const QString &remote, const QStringList &refspecs);

} // namespace astra
