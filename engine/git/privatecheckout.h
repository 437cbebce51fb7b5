#pragma once

#include "base/result.h"
#include "model/modification.h"

#include <QHash>
#include <QString>

namespace astra {

class GitRepository;

// A throw-away git repository holding exactly one commit's tree, for an agent to work in:
// one commit whose tree is the base's, no remotes, no hooks but libgit2's README sample, none
// of the user's git configuration (the repository's own config file only).
struct PrivateCheckout
{
    QString folder; // absolute
    QString baseCommit;
    // The files of its .git an agent has no business changing (hooks, config), as made:
    // path inside .git -> content. A change to them is harvested as a change to ".git/<path>".
    QHash<QString, QByteArray> guarded;
};

// Writes the tree of `baseCommit` into `folder` (which must exist and be empty) and makes it
// a repository of its own whose HEAD, on branch `branch`, is a commit of that very tree.
Result<PrivateCheckout>
createPrivateCheckout(GitRepository &repo, const QString &baseCommit, const QString &folder, const QString &branch);

struct HarvestLimits
{
    // Content read per file: a larger file is harvested cut at this size plus one byte, so the
    // path policy's size check refuses it without the whole file in memory.
    qint64 maxFileBytes = 1024 * 1024;
    int maxEntries = 20000; // files and folders looked at; more is an error
    qint64 maxTotalBytes = 256LL * 1024 * 1024; // content of the changed files together; more is an error
    // More ignore rules (.gitignore syntax) for untracked files: an agent's own droppings
    // (".aider*"), applied with the repository's.
    QByteArray ignoreRules;
};

// What the agent left in the checkout, against its base: added, modified and deleted files,
// executable bits, symlinks (as links, never followed), the files the repository's ignore
// rules ignore left out (build outputs), and changes to the guarded files of its .git.
// Nothing is written anywhere. Other kinds of files (fifos, sockets, devices) are an error.
Result<ChangeSet> harvestCheckout(GitRepository &repo, const PrivateCheckout &checkout, const HarvestLimits &limits);

} // namespace astra
