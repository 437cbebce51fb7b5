#pragma once

#include "base/result.h"
#include "model/modification.h"
#include "policy/pathpolicy.h"

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
// Before any content is read, every path of the branch's changes is checked as git stores it,
// and every new blob's size is read from its object header: what `policy` refuses (a hostile
// name, a file past the size limit however well it compresses) goes to `violations`, and the
// result is an ErrorKind::Refused error with nothing inflated.
Result<ChangeSet> changeSetFromBranch(GitRepository &repo,
                                      const QString &targetCommit,
                                      const QString &branch,
                                      QString *mergeBase,
                                      const PathPolicy &policy,
                                      QList<PolicyViolation> *violations);

} // namespace astra
