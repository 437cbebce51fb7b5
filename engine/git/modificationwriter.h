#pragma once

#include "base/result.h"
#include "model/modification.h"
#include "policy/pathpolicy.h"

namespace astra {

class GitRepository;

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
    // The author is the change's own when it has one (an import), else the agent; Astra Review
    // commits it.
    Result<QString> commit(const PreparedModification &prepared,
                           const QString &message,
                           const std::optional<ChangeAuthor> &author = std::nullopt);

private:
    GitRepository &m_repo;
    const PathPolicy &m_policy;
};

// Reviewer flags for a path: auto-run files (build scripts, test configuration) and tests.
bool isAutoRunFile(const QString &path);
bool isTestFile(const QString &path);

} // namespace astra
