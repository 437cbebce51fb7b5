#pragma once

// Internal to astra-engine: the only header that includes git2.h. Everything above the
// engine sees libgit2 through GitRepository.

#include "base/result.h"

#include <QString>
#include <QStringList>

#include <git2.h>

#include <memory>
#include <optional>
#include <vector>

namespace astra {
struct FileDiff;
}

namespace astra::git {

// Initialises libgit2 once per process with the settings the engine relies on: fsync of
// the git dir on, owner validation on, strict hash verification and object creation on (the
// defaults). A setting libgit2 refuses is an error for every repository opened afterwards.
Status ensureInitialised();

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *handle) const
    {
        Free(handle);
    }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using IndexPtr = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using ConfigPtr = std::unique_ptr<git_config, Deleter<git_config, git_config_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder, git_treebuilder_free>>;
using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;
using PatchPtr = std::unique_ptr<git_patch, Deleter<git_patch, git_patch_free>>;

// The error of a failed call, captured at the failure site on this thread: "what: libgit2
// message (code N)". Keeps GIT_ENOTFOUND and friends distinguishable through the kind.
Error error(int code, const QString &what);

QString oidToString(const git_oid &oid);

Result<CommitPtr> lookupCommit(git_repository *repo, const QString &id);
Result<TreePtr> treeOf(git_commit *commit);
// The tree of the commit `id`.
Result<TreePtr> commitTree(git_repository *repo, const QString &id);
// Writes a commit object (UTF-8 message) and returns its id; moves no ref. `what` names the
// step in the error.
Result<QString> createCommit(git_repository *repo,
                             const git_signature *author,
                             const git_signature *committer,
                             const QString &message,
                             const git_tree *tree,
                             const std::vector<const git_commit *> &parents,
                             const QString &what);
// The diff a reviewer sees between two trees (implemented with diffCommits(), git/treediff.cpp):
// `contextLines` of context, type changes reported, renames found. Every hunk index the review
// names refers to this diff, so whatever applies or rejects hunks builds it here. With `binary`
// the binary deltas carry their data (git_apply needs it). Renames are the ones `git diff -M`
// finds (git/renames.h).
Result<DiffPtr>
reviewDiff(git_repository *repo, const git_tree *from, const git_tree *to, int contextLines, bool binary);
// The hunks and lines of one file's patch appended to `file` (its counts updated).
Status readPatch(git_patch *patch, FileDiff &file, int maxIntraLineLength);

// libgit2's git_apply_to_tree() of `diff` onto `base` (with the callbacks of `options`), and
// what it cannot apply done on the index it made: a binary file whose content the diff does not
// carry because it did not change (a mode change, a rename) or is empty, added, moved or set
// where the base has it as the change found it. A conflict is an ErrorKind::Conflict.
Result<IndexPtr> applyToTree(git_repository *repo, git_tree *base, git_diff *diff, const git_apply_options *options);

// The paths of the conflicts an index holds after a merge or revert, sorted.
Result<QStringList> conflictPaths(git_index *index);

// The error of the first of `results` that failed, if any: a caller that needs several objects
// reports the one libgit2 refused, with its code and message.
template<typename... Results>
std::optional<Error> firstError(const Results &...results)
{
    std::optional<Error> found;
    ((found || results ? void() : void(found = results.error())), ...);
    return found;
}

} // namespace astra::git
