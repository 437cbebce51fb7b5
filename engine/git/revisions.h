#pragma once

#include "base/result.h"
#include "model/treediff.h"

#include <QHash>
#include <QSet>
#include <QString>

namespace astra {

class GitRepository;

// The parts of a change a reviewer turned down: whole files (by the path the review diff shows
// them under) and single hunks (by file and 0-based index in that file's hunks of the review
// diff, diffCommits() with `contextLines`).
struct HunkSelection
{
    QSet<QString> rejectedFiles;
    QHash<QString, QSet<int>> rejectedHunks;
    int contextLines = 3;

    bool isEmpty() const
    {
        return rejectedFiles.isEmpty() && rejectedHunks.isEmpty();
    }
};

// The tree of `fromCommit` with the change fromCommit → toCommit applied except what `selection`
// rejects (libgit2's git_apply_to_tree on the review diff, its hunk and delta callbacks skipping
// the rejected parts). A file whose hunks are all rejected must be given as a rejected file
// (so that an added file is not left behind empty): the caller knows the hunks it showed. Writes
// the tree object and returns its id; moves no ref, touches no work tree or index.
Result<QString>
applySelection(GitRepository &repo, const QString &fromCommit, const QString &toCommit, const HunkSelection &selection);

// A change replayed onto another commit in memory (cherry-pick: git_merge_trees with the
// change's base as the ancestor).
struct ReplayedChange
{
    QString tree; // the result; empty when it conflicts
    QStringList conflictPaths;
    // Per conflicting file: the target's version (old side) against the change's (new side).
    QList<FileDiff> conflicts;
};

// `base` → `head` replayed onto `onto`. Nothing is written but the merged tree's objects.
Result<ReplayedChange> replayChange(GitRepository &repo, const QString &base, const QString &head, const QString &onto);

// The ref that keeps revision `revision` of a modification: refs/astra/modifications/ID/N.
QString revisionRefName(qint64 modificationId, int revision);

// Keeps `commit` reachable under refs/astra/modifications/<id>/<revision> (an old revision
// stays readable after the branch moved on). Overwrites nothing that differs.
Status keepRevisionRef(GitRepository &repo, qint64 modificationId, int revision, const QString &commit);
// Removes the revision refs of modification `id` (when its branch is pruned), or only that of
// `onlyRevision` (a revision whose recording failed).
Status dropRevisionRefs(GitRepository &repo, qint64 modificationId, int onlyRevision = 0);

// Moves refs/heads/<branch> from `expected` to `to` (compare-and-swap: refused when the branch is
// elsewhere).
Status moveBranch(GitRepository &repo,
                  const QString &branch,
                  const QString &expected,
                  const QString &to,
                  const QString &logMessage);

} // namespace astra
