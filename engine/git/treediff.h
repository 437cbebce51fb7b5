#pragma once

#include "base/result.h"
#include "model/treediff.h"

#include <QStringView>

namespace astra {

class GitRepository;

// The diff between two commits' trees with libgit2 (renames as `git diff -M` finds them, type
// changes reported), hunks with `contextLines` of context, and intra-line changes on paired
// lines (dtl, by word): diffOutline() and loadFileDiff() of every file. Blocking: call it off
// the UI thread.
Result<TreeDiff> diffCommits(GitRepository &repo,
                             const QString &fromCommit,
                             const QString &toCommit,
                             const TreeDiffOptions &options = {});

enum class RenameDetection
{
    Exact, // identical content only: no file is read (the first list, at once)
    Git, // as `git diff -M`: git/renames.h
};
// The files of that diff without their lines (FileDiff::loaded false): paths, change, modes and
// blob ids, in the order libgit2 lists them. A tree diff and, with Exact, no content read: fast
// on any size of change.
Result<TreeDiff> diffOutline(GitRepository &repo,
                             const QString &fromCommit,
                             const QString &toCommit,
                             RenameDetection renames,
                             const TreeDiffOptions &options = {});
// Reads one file of an outline: its sizes, whether it is binary or over the size limit, its
// hunks, lines and intra-line changes, and its old text (the same patch as the whole diff's).
Status loadFileDiff(GitRepository &repo, FileDiff &file, const TreeDiffOptions &options = {});

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
