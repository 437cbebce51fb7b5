#pragma once

#include "base/result.h"
#include "model/treediff.h"

#include <QStringView>

namespace astra {

class GitRepository;

// The diff between two commits' trees with libgit2 (renames found, type changes reported),
// hunks with `contextLines` of context, and intra-line changes on paired lines (dtl, by
// word). Blocking: call it off the UI thread.
Result<TreeDiff> diffCommits(GitRepository &repo,
                             const QString &fromCommit,
                             const QString &toCommit,
                             const TreeDiffOptions &options = {});

// Pairs the removed and added lines of each change block in order and fills their intra-line
// ranges (diffCommits() calls it; exposed for tests).
void annotateIntraLine(DiffHunk &hunk, int maxLineLength = 1000);

// The words, spaces and punctuation a line is compared by for intra-line changes.
QList<QStringView> diffTokens(QStringView line);

// Commits reachable from `head` by first parents, newest first, down to (not including)
// `stopAt`, that change any of `paths`; at most `limit` commits are looked at.
Result<QList<CommitSummary>> commitsTouching(GitRepository &repo,
                                             const QString &head,
                                             const QString &stopAt,
                                             const QStringList &paths,
                                             int limit = 1000);

// Which of `paths` have uncommitted changes (index or work tree) in the repository's work tree.
Result<QStringList> uncommittedPaths(GitRepository &repo, const QStringList &paths);

} // namespace astra
