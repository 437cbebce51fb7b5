#pragma once

#include "base/result.h"
#include "model/ledgerentry.h"
#include "model/modification.h"

#include <QByteArray>
#include <QMap>
#include <QString>

#include <memory>
#include <optional>

struct git_repository;

namespace astra {

struct GitIdentity
{
    QString name;
    QString email;
};

// One open repository. A GitRepository belongs to the thread that opened it (libgit2
// objects are not shared across threads): open one per thread.
class GitRepository
{
public:
    // Finds the repository around `path` (a work tree folder or a git dir).
    static Result<GitRepository> discover(const QString &path);
    // Creates a new repository with a work tree whose unborn HEAD is `initialBranch`.
    static Result<GitRepository> init(const QString &path, const QString &initialBranch);

    GitRepository(GitRepository &&) noexcept;
    GitRepository &operator=(GitRepository &&) noexcept;
    ~GitRepository();

    QString gitDir() const; // absolute, no trailing slash
    // The git dir shared by all work trees of the repository (differs from gitDir() in a
    // linked work tree); the workspace state lives under it.
    QString commonDir() const;
    QString workDir() const; // absolute, no trailing slash; empty when bare
    bool isBare() const;
    // The branch HEAD names (also when unborn); empty when HEAD is detached.
    QString headBranch() const;
    // user.name and user.email from the repository's configuration, when set.
    // Who acts: `astra.identity` ("Name <email>") from the git configuration when set, else
    // user.name and user.email (either may be empty).
    GitIdentity identity() const;
    // A string value of the git configuration (all levels), or an empty string.
    QString configValue(const QString &key) const;

    // The ledger checkpoint kept in refs/astra/ledger, if any.
    Result<std::optional<LedgerCheckpoint>> ledgerCheckpoint() const;
    // Every checkpoint of refs/astra/ledger, newest first, following each commit's parent. Astra
    // writes them with strictly growing entry numbers; the walk stops after the first one that
    // does not go down (a forged or looping history, which the ledger's verification reports).
    Result<QList<LedgerCheckpoint>> ledgerCheckpointHistory() const;
    // Records (seq, hash) as a new checkpoint commit and moves refs/astra/ledger to it with a
    // compare-and-swap against the checkpoint that was read. A checkpoint is never moved
    // backwards: one that already records a later entry is kept.
    Result<LedgerCheckpoint> writeLedgerCheckpoint(qint64 seq, const QString &hash);

    // Commits `files` (path -> content; a null QByteArray deletes) on top of `branch` (created
    // when it does not exist yet) and moves the branch. Used to build demo and test
    // repositories; it does not touch the work tree.
    Result<QString> commitFiles(const QString &branch,
                                const QMap<QString, QByteArray> &files,
                                const QString &message,
                                const GitIdentity &author);
    // Makes the work tree and index match HEAD (a new repository's first checkout).
    Status checkoutHeadForce();

    // The commit a local branch points at; NotFound when it does not exist.
    Result<QString> branchCommit(const QString &branch) const;
    // A file's content at a commit, read from git objects (never the file system).
    // With maxBytes >= 0 a larger blob is refused (ErrorKind::Invalid) before it is read.
    Result<QByteArray> readFile(const QString &commit, const QByteArray &path, qint64 maxBytes = -1) const;
    // Creates refs/heads/<branch> at `commit`; refuses to overwrite an existing branch.
    Status createBranch(const QString &branch, const QString &commit, const QString &logMessage);
    // Deletes refs/heads/<branch> if it still points at `expectedCommit`.
    Status deleteBranch(const QString &branch, const QString &expectedCommit);

    // Local branches whose names start with `prefix` (e.g. "astra/"), with their commits.
    Result<QList<QPair<QString, QString>>> branches(const QString &prefix) const;
    Result<QString> commitMessage(const QString &commit) const;
    // Who wrote `commit`, and when, as its author line says.
    Result<ChangeAuthor> commitAuthor(const QString &commit, bool committer = false) const;
    // A new commit with the tree, parents and author of `commit`, committed now by `committer`
    // with `message`: how an approved change is merged under the name of the person who merged
    // it without changing a byte of what was tested. Writes an object, moves no ref.
    Result<QString> recommit(const QString &commit, const GitIdentity &committer, const QString &message);
    // Whether two commits have the same tree and the same parents.
    Result<bool> sameTreeAndParents(const QString &one, const QString &two) const;
    Result<QStringList> commitParents(const QString &commit) const;
    // Whether `ancestor` is `commit` or one of its ancestors.
    Result<bool> isAncestor(const QString &ancestor, const QString &commit) const;
    // The id of `commit`'s tree.
    Result<QString> commitTreeId(const QString &commit) const;
    // `commit` and its first parents, newest first, at most `limit` of them.
    Result<QStringList> firstParentHistory(const QString &commit, int limit) const;

    // For engine code that talks to libgit2 directly (git.h); never shared across threads.
    git_repository *handle() const;

private:
    struct Private;
    explicit GitRepository(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

QString libgit2Version();

// Whether git takes `name` for a branch (refs/heads/<name>): git_branch_name_is_valid, which also
// refuses "HEAD" and names that start with "-".
bool isValidBranchName(const QString &name);

} // namespace astra
