#pragma once

#include "base/result.h"
#include "model/modification.h"
#include "policy/pathpolicy.h"

struct git_tree;

namespace astra {

class GitRepository;
struct BaseTreeFacts;

struct PreparedModification
{
    QString baseCommit;
    QString tree;
    QList<ModificationFile> files;
    QStringList flags; // for the reviewer: auto_run_file, test_deleted, test_weakened, exec_bit_set
};

// Turns a change set into git objects without touching any work tree, index or ref:
// blobs and a tree in the object database, then a commit. The path policy runs on the
// request before anything is written and again, authoritatively, on the final tree diff.
class ModificationWriter
{
public:
    ModificationWriter(GitRepository &repo, const PathPolicy &policy);

    // `violations` receives every policy violation when the result is a refusal.
    Result<PreparedModification>
    prepare(const QString &baseCommit, const ChangeSet &changes, QList<PolicyViolation> *violations);
    // The tree `tree` (already in the object database, made by applying hunks or replaying a
    // change) as a change on `baseCommit`, checked by the path policy like prepare()'s final tree.
    Result<PreparedModification>
    prepareTree(const QString &baseCommit, const QString &tree, QList<PolicyViolation> *violations);
    // The author is the change's own when it has one (an import), else the agent; Astra Review
    // commits it.
    Result<QString> commit(const PreparedModification &prepared,
                           const QString &message,
                           const std::optional<ChangeAuthor> &author = std::nullopt);

private:
    // The authoritative check on the final tree diff, and the files and flags it records.
    Result<PreparedModification> checkTree(const QString &baseCommit,
                                           git_tree *baseTree,
                                           git_tree *newTree,
                                           const BaseTreeFacts &facts,
                                           QList<PolicyViolation> *violations);

    GitRepository &m_repo;
    const PathPolicy &m_policy;
};

// Reviewer flags for a path: auto-run files (build scripts, test configuration) and tests.
bool isAutoRunFile(const QString &path);
bool isTestFile(const QString &path);

} // namespace astra
