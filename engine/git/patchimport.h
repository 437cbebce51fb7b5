#pragma once

#include "base/result.h"
#include "model/modification.h"

namespace astra {

class GitRepository;

// A unified diff (as `git diff` or an agent writes it), applied by libgit2 to the tree of
// `baseCommit`, turned into the change set it amounts to. The header paths are checked as
// written: a path the parser would have rewritten (an absolute path, say) is refused, never
// silently normalised. `rawPaths` receives the paths as the patch wrote them.
Result<ChangeSet> changeSetFromPatch(GitRepository &repo,
                                     const QString &baseCommit,
                                     const QByteArray &patch,
                                     QList<QByteArray> *rawPaths);

// What `branch` changed since its merge base with `targetCommit`, applied onto `targetCommit`.
Result<ChangeSet>
changeSetFromBranch(GitRepository &repo, const QString &targetCommit, const QString &branch, QString *mergeBase);

} // namespace astra
