#include "git/merger.h"

#include "base/crashpoint.h"
#include "git/git.h"
#include "git/gitrepository.h"

#include <QCoreApplication>
#include <QSet>

#include <initializer_list>
#include <vector>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Merger)
};

using DiffPtr = std::unique_ptr<git_diff, git::Deleter<git_diff, git_diff_free>>;

Result<QSet<QString>> changedPaths(git_repository *repo, git_tree *from, git_tree *to)
{
    git_diff *raw = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    if (const int code = git_diff_tree_to_tree(&raw, repo, from, to, &options); code < 0) {
        return git::error(code, Tr::tr("Comparing trees"));
    }
    DiffPtr diff(raw);
    QSet<QString> paths;
    for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        paths.insert(QString::fromUtf8(delta->old_file.path));
        paths.insert(QString::fromUtf8(delta->new_file.path));
    }
    return paths;
}

struct CheckoutConflicts
{
    QStringList paths;
};

int collectConflict(git_checkout_notify_t,
                    const char *path,
                    const git_diff_file *,
                    const git_diff_file *,
                    const git_diff_file *,
                    void *payload)
{
    static_cast<CheckoutConflicts *>(payload)->paths.append(QString::fromUtf8(path));
    return 0;
}

// Checks out `target` over `baseline` in the work tree; with dryRun, only reports the files
// whose local changes would be overwritten.
Result<QStringList> checkoutTree(git_repository *repo, git_tree *baseline, git_tree *target, bool dryRun)
{
    CheckoutConflicts conflicts;
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.checkout_strategy = GIT_CHECKOUT_SAFE | (dryRun ? GIT_CHECKOUT_DRY_RUN : 0);
    options.baseline = baseline;
    options.notify_flags = GIT_CHECKOUT_NOTIFY_CONFLICT; // only files the checkout would overwrite
    options.notify_cb = collectConflict;
    options.notify_payload = &conflicts;
    const int code = git_checkout_tree(repo, reinterpret_cast<git_object *>(target), &options);
    if (code < 0 && code != GIT_ECONFLICT) {
        return git::error(code, Tr::tr("Updating the work tree"));
    }
    conflicts.paths.removeDuplicates();
    conflicts.paths.sort();
    if (code == GIT_ECONFLICT && conflicts.paths.isEmpty()) {
        return git::error(code, Tr::tr("Updating the work tree"));
    }
    return conflicts.paths;
}

Result<git::SignaturePtr> signature()
{
    git_signature *raw = nullptr;
    if (const int code = git_signature_now(&raw, "Astra Review", "astra@localhost"); code < 0) {
        return git::error(code, Tr::tr("Creating the commit signature"));
    }
    return git::SignaturePtr(raw);
}

// Writes the tree of a merged or reverted `index` and a commit of it on `parents`; returns its id.
Result<QString> commitIndex(git_repository *repo,
                            git_index *index,
                            std::initializer_list<const git_commit *> parents,
                            const QString &message,
                            const QString &writingTree,
                            const QString &writingCommit)
{
    git_oid treeId;
    int code = git_index_write_tree_to(&treeId, index, repo);
    git_tree *rawTree = nullptr;
    if (code < 0 || (code = git_tree_lookup(&rawTree, repo, &treeId)) < 0) {
        return git::error(code, writingTree);
    }
    git::TreePtr tree(rawTree);
    auto sig = signature();
    if (!sig) {
        return sig.error();
    }
    std::vector<const git_commit *> parentList(parents);
    const QByteArray text = message.toUtf8();
    git_oid commitId;
    if ((code = git_commit_create(&commitId,
                                  repo,
                                  nullptr,
                                  sig->get(),
                                  sig->get(),
                                  "UTF-8",
                                  text.constData(),
                                  tree.get(),
                                  parentList.size(),
                                  parentList.data()))
        < 0) {
        return git::error(code, writingCommit);
    }
    return git::oidToString(commitId);
}
} // namespace

Merger::Merger(GitRepository &repo)
    : m_repo(repo)
{}

bool Merger::isCheckedOut(const QString &targetBranch) const
{
    return !m_repo.isBare() && m_repo.headBranch() == targetBranch;
}

Status Merger::moveTarget(const QString &targetBranch,
                          const QString &expectedTarget,
                          const QString &newCommit,
                          const QString &logMessage,
                          const char *crashPointName)
{
    git_repository *repo = m_repo.handle();
    auto oldCommit = git::lookupCommit(repo, expectedTarget);
    auto newCommitObject = git::lookupCommit(repo, newCommit);
    if (auto failed = git::firstError(oldCommit, newCommitObject)) {
        return *failed;
    }
    const bool checkedOut = isCheckedOut(targetBranch);
    git::TreePtr oldTree;
    git::TreePtr newTree;
    if (checkedOut) {
        auto from = git::treeOf(oldCommit->get());
        auto to = git::treeOf(newCommitObject->get());
        if (auto failed = git::firstError(from, to)) {
            return *failed;
        }
        oldTree = std::move(*from);
        newTree = std::move(*to);
        auto blocked = checkoutTree(repo, oldTree.get(), newTree.get(), true);
        if (!blocked) {
            return blocked.error();
        }
        if (!blocked->isEmpty()) {
            return makeError(Tr::tr("%1 is checked out and has local changes in files this would overwrite: %2. Commit "
                                    "or stash them and try again; nothing was changed.")
                                 .arg(targetBranch, blocked->join(QStringLiteral(", "))),
                             ErrorKind::Refused);
        }
    }
    const QByteArray ref = (QStringLiteral("refs/heads/") + targetBranch).toUtf8();
    const QByteArray log = logMessage.toUtf8();
    git_reference *raw = nullptr;
    int code = git_reference_create_matching(&raw,
                                             repo,
                                             ref.constData(),
                                             git_commit_id(newCommitObject->get()),
                                             1,
                                             git_commit_id(oldCommit->get()),
                                             log.constData());
    git::ReferencePtr moved(raw);
    if (code == GIT_EMODIFIED) {
        return makeError(Tr::tr("%1 moved while it was being updated (it is no longer at %2); nothing was changed. "
                                "Review the new head and try again.")
                             .arg(targetBranch, expectedTarget.left(12)),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Moving %1").arg(targetBranch));
    }
    if (checkedOut) {
        auto checkedOutTree = checkoutTree(repo, oldTree.get(), newTree.get(), false);
        if (!checkedOutTree || !checkedOutTree->isEmpty()) {
            // Put the branch back where it was so that ref and work tree agree.
            git_reference *rawBack = nullptr;
            git_reference_create_matching(&rawBack,
                                          repo,
                                          ref.constData(),
                                          git_commit_id(oldCommit->get()),
                                          1,
                                          git_commit_id(newCommitObject->get()),
                                          "astra: undo a move whose checkout failed");
            git::ReferencePtr back(rawBack);
            return makeError(
                Tr::tr("Updating the checked-out work tree of %1 failed (%2); the branch was left where "
                       "it was.")
                    .arg(targetBranch,
                         checkedOutTree ? checkedOutTree->join(QStringLiteral(", ")) : checkedOutTree.message()),
                ErrorKind::Refused);
        }
    }
    crashPoint(crashPointName);
    return {};
}

Result<MergeOutcome> Merger::merge(const QString &targetBranch,
                                   const QString &expectedTarget,
                                   const QString &base,
                                   const QString &head,
                                   const QString &message)
{
    git_repository *repo = m_repo.handle();
    auto current = m_repo.branchCommit(targetBranch);
    if (!current) {
        return current.error();
    }
    if (*current != expectedTarget) {
        return makeError(Tr::tr("%1 moved since the review (it was at %2, it is at %3); nothing was changed. Review "
                                "the modification again against the new head.")
                             .arg(targetBranch, expectedTarget.left(12), current->left(12)),
                         ErrorKind::Conflict);
    }
    MergeOutcome outcome;
    if (*current == base) {
        if (Status moved = moveTarget(targetBranch,
                                      expectedTarget,
                                      head,
                                      QStringLiteral("astra: merge (fast-forward)"),
                                      "merge-ref-moved");
            !moved) {
            return moved.error();
        }
        outcome.kind = MergeOutcome::Kind::FastForward;
        outcome.commit = head;
        return outcome;
    }

    auto baseCommit = git::lookupCommit(repo, base);
    auto targetCommit = git::lookupCommit(repo, *current);
    auto headCommit = git::lookupCommit(repo, head);
    if (auto failed = git::firstError(baseCommit, targetCommit, headCommit)) {
        return *failed;
    }
    auto baseTree = git::treeOf(baseCommit->get());
    auto targetTree = git::treeOf(targetCommit->get());
    auto headTree = git::treeOf(headCommit->get());
    if (auto failed = git::firstError(baseTree, targetTree, headTree)) {
        return *failed;
    }
    auto ours = changedPaths(repo, baseTree->get(), targetTree->get());
    auto theirs = changedPaths(repo, baseTree->get(), headTree->get());
    if (auto failed = git::firstError(ours, theirs)) {
        return *failed;
    }
    QSet<QString> overlap = *ours;
    overlap.intersect(*theirs);
    if (!overlap.isEmpty()) {
        outcome.kind = MergeOutcome::Kind::Conflicted;
        outcome.paths = overlap.values();
        outcome.paths.sort();
        return outcome;
    }
    git_index *rawIndex = nullptr;
    git_merge_options options = GIT_MERGE_OPTIONS_INIT;
    int code = git_merge_trees(&rawIndex, repo, baseTree->get(), targetTree->get(), headTree->get(), &options);
    if (code < 0) {
        return git::error(code, Tr::tr("Merging"));
    }
    git::IndexPtr index(rawIndex);
    if (git_index_has_conflicts(index.get())) {
        auto paths = git::conflictPaths(index.get());
        if (!paths) {
            return paths.error();
        }
        outcome.kind = MergeOutcome::Kind::Conflicted;
        outcome.paths = *paths;
        return outcome;
    }
    auto merged = commitIndex(repo,
                              index.get(),
                              {targetCommit->get(), headCommit->get()},
                              message,
                              Tr::tr("Writing the merged tree"),
                              Tr::tr("Writing the merge commit"));
    if (!merged) {
        return merged.error();
    }
    if (Status moved = moveTarget(targetBranch, *current, *merged, QStringLiteral("astra: merge"), "merge-ref-moved");
        !moved) {
        return moved.error();
    }
    outcome.kind = MergeOutcome::Kind::MergeCommit;
    outcome.commit = *merged;
    return outcome;
}

Result<RevertOutcome> Merger::revert(const QString &targetBranch, const QString &commit, const QString &message)
{
    git_repository *repo = m_repo.handle();
    auto current = m_repo.branchCommit(targetBranch);
    if (!current) {
        return current.error();
    }
    auto toRevert = git::lookupCommit(repo, commit);
    auto targetCommit = git::lookupCommit(repo, *current);
    if (auto failed = git::firstError(toRevert, targetCommit)) {
        return *failed;
    }
    const unsigned int mainline = git_commit_parentcount(toRevert->get()) > 1 ? 1 : 0;
    git_index *rawIndex = nullptr;
    git_merge_options options = GIT_MERGE_OPTIONS_INIT;
    int code = git_revert_commit(&rawIndex, repo, toRevert->get(), targetCommit->get(), mainline, &options);
    if (code < 0) {
        return git::error(code, Tr::tr("Reverting %1").arg(commit.left(12)));
    }
    git::IndexPtr index(rawIndex);
    RevertOutcome outcome;
    if (git_index_has_conflicts(index.get())) {
        auto paths = git::conflictPaths(index.get());
        if (!paths) {
            return paths.error();
        }
        outcome.conflicted = true;
        outcome.paths = *paths;
        return outcome;
    }
    auto reverted = commitIndex(repo,
                                index.get(),
                                {targetCommit->get()},
                                message,
                                Tr::tr("Writing the reverted tree"),
                                Tr::tr("Writing the revert commit"));
    if (!reverted) {
        return reverted.error();
    }
    if (Status moved =
            moveTarget(targetBranch, *current, *reverted, QStringLiteral("astra: rollback"), "revert-ref-moved");
        !moved) {
        return moved.error();
    }
    outcome.commit = *reverted;
    return outcome;
}

} // namespace astra
