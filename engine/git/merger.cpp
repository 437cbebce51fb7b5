#include "git/merger.h"

#include "base/crashpoint.h"
#include "base/processid.h"
#include "git/git.h"
#include "git/gitrepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QScopeGuard>
#include <QSet>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <initializer_list>
#include <sys/file.h>
#include <unistd.h>
#include <vector>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Merger)
};

using git::DiffPtr;

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
    // Ignored files are the user's too (a local settings file with a password): one the target
    // would overwrite is a conflict like any local change.
    options.checkout_strategy =
        GIT_CHECKOUT_SAFE | GIT_CHECKOUT_DONT_OVERWRITE_IGNORED | (dryRun ? GIT_CHECKOUT_DRY_RUN : 0);
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

// Whether the work tree's `path` is what an interrupted checkout to `target` leaves: missing,
// or a regular file holding a proper prefix of the target's blob (empty included).
bool isInterruptedWrite(GitRepository &repo, git_tree *target, const QString &path)
{
    const QString file = QDir(repo.workDir()).filePath(path);
    const QFileInfo info(file);
    if (!info.exists() && !info.isSymLink()) {
        return true;
    }
    if (info.isSymLink() || !info.isFile()) {
        return false;
    }
    git_tree_entry *rawEntry = nullptr;
    if (git_tree_entry_bypath(&rawEntry, target, path.toUtf8().constData()) < 0) {
        return false;
    }
    const std::unique_ptr<git_tree_entry, git::Deleter<git_tree_entry, git_tree_entry_free>> entry(rawEntry);
    git_blob *rawBlob = nullptr;
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB
        || git_blob_lookup(&rawBlob, repo.handle(), git_tree_entry_id(entry.get())) < 0) {
        return false;
    }
    const git::BlobPtr blob(rawBlob);
    const auto size = qint64(git_blob_rawsize(blob.get()));
    if (info.size() >= size) {
        return false;
    }
    QFile handle(file);
    if (!handle.open(QIODevice::ReadOnly)) {
        return false;
    }
    const QByteArray content = handle.read(size);
    return content.size() == info.size()
        && std::memcmp(content.constData(), git_blob_rawcontent(blob.get()), size_t(content.size())) == 0;
}

// Writes `paths` of `target` into the work tree and index whatever is there.
Status forceCheckoutPaths(git_repository *repo, git_tree *target, const QStringList &paths)
{
    QList<QByteArray> encoded;
    std::vector<char *> pointers;
    for (const QString &path : paths) {
        encoded.append(path.toUtf8());
    }
    for (QByteArray &path : encoded) {
        pointers.push_back(path.data());
    }
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
    options.paths = {pointers.data(), pointers.size()};
    if (const int code = git_checkout_tree(repo, reinterpret_cast<git_object *>(target), &options); code < 0) {
        return git::error(code, Tr::tr("Finishing the files an interrupted checkout left half written"));
    }
    return {};
}

// The record of a move of a checked-out branch whose checkout has not finished: written (and
// flushed) before the ref moves, removed once ref, index and work tree agree again.
QString intentPath(GitRepository &repo)
{
    return QDir(repo.gitDir()).filePath(QStringLiteral("astra/checkout-intent.json"));
}

// The target-move locks this thread holds, by path: taken again, they are not waited for.
QSet<QString> &heldTargetLocks()
{
    thread_local QSet<QString> held;
    return held;
}

Status writeIntent(GitRepository &repo, const QString &branch, const QString &from, const QString &to)
{
    QDir().mkpath(QFileInfo(intentPath(repo)).absolutePath());
    QJsonObject intent;
    intent.insert(QStringLiteral("branch"), branch);
    intent.insert(QStringLiteral("from"), from);
    intent.insert(QStringLiteral("to"), to);
    intent.insert(QStringLiteral("process"), currentProcessId());
    QSaveFile file(intentPath(repo));
    const QByteArray text = QJsonDocument(intent).toJson(QJsonDocument::Compact);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        return makeError(Tr::tr("The record of the checkout of %1 could not be written (%2); nothing was changed.")
                             .arg(branch, file.errorString()));
    }
    return {};
}

using WorktreePtr = std::unique_ptr<git_worktree, git::Deleter<git_worktree, git_worktree_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, git::Deleter<git_reference_iterator, git_reference_iterator_free>>;

// The linked work trees (git worktree add) that have `branch` checked out, by path.
Result<QStringList> linkedWorktreesOn(git_repository *repo, const QString &branch)
{
    git_strarray names{};
    if (const int code = git_worktree_list(&names, repo); code < 0) {
        return git::error(code, Tr::tr("Listing the linked work trees"));
    }
    const QByteArray wanted = (QStringLiteral("refs/heads/") + branch).toUtf8();
    QStringList paths;
    for (size_t i = 0; i < names.count; ++i) {
        git_worktree *rawTree = nullptr;
        if (git_worktree_lookup(&rawTree, repo, names.strings[i]) < 0) {
            continue;
        }
        WorktreePtr tree(rawTree);
        if (git_worktree_validate(tree.get()) < 0) {
            continue; // its folder is gone: git prunes it
        }
        git_repository *rawLinked = nullptr;
        if (git_repository_open_from_worktree(&rawLinked, tree.get()) < 0) {
            continue;
        }
        git::RepositoryPtr linked(rawLinked);
        git_reference *rawHead = nullptr;
        if (git_reference_lookup(&rawHead, linked.get(), "HEAD") < 0) {
            continue;
        }
        git::ReferencePtr head(rawHead);
        const char *target = git_reference_symbolic_target(head.get());
        if (target && wanted == target) {
            paths.append(QString::fromUtf8(git_worktree_path(tree.get())));
        }
    }
    git_strarray_dispose(&names);
    return paths;
}

// A branch may move only where what git shows is what was reviewed, and only where no other
// work tree is left behind by the move.
Status checkSafeToMove(GitRepository &repo, const QString &branch)
{
    auto linked = linkedWorktreesOn(repo.handle(), branch);
    if (!linked) {
        return linked.error();
    }
    if (!linked->isEmpty()) {
        return makeError(Tr::tr("%1 is checked out in the linked work tree %2, which this would leave behind (git "
                                "refuses the same); nothing was changed. Check out another branch there, or merge "
                                "from that work tree.")
                             .arg(branch, linked->join(QStringLiteral(", "))),
                         ErrorKind::Refused);
    }
    git_reference_iterator *rawIterator = nullptr;
    if (const int code = git_reference_iterator_glob_new(&rawIterator, repo.handle(), "refs/replace/*"); code < 0) {
        return git::error(code, Tr::tr("Looking for replacement refs"));
    }
    ReferenceIteratorPtr iterator(rawIterator);
    const char *name = nullptr;
    const bool replaced = git_reference_next_name(&name, iterator.get()) == 0;
    const bool grafted = QFileInfo::exists(QDir(repo.commonDir()).filePath(QStringLiteral("info/grafts")));
    if (replaced || grafted) {
        return makeError(Tr::tr("The repository has %1: with them git shows and checks out other content than the "
                                "commits that were tested and reviewed; nothing was changed. Remove them (%2) and "
                                "try again.")
                             .arg(replaced ? Tr::tr("replacement refs (%1)").arg(QString::fromUtf8(name))
                                           : Tr::tr("grafts (info/grafts)"),
                                  replaced ? Tr::tr("git replace -d each of them")
                                           : Tr::tr("delete info/grafts in %1").arg(repo.commonDir())),
                         ErrorKind::Refused);
    }
    return {};
}

// The person the commits are made for, or the engine when none is named.
Result<git::SignaturePtr> signature(const GitIdentity &who)
{
    git_signature *raw = nullptr;
    const QByteArray name = who.name.isEmpty() ? QByteArrayLiteral("Astra Review") : who.name.toUtf8();
    const QByteArray email = who.email.isEmpty() ? QByteArrayLiteral("astra@localhost") : who.email.toUtf8();
    if (const int code = git_signature_now(&raw, name.constData(), email.constData()); code < 0) {
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
                            const QString &writingCommit,
                            const GitIdentity &who)
{
    git_oid treeId;
    int code = git_index_write_tree_to(&treeId, index, repo);
    git_tree *rawTree = nullptr;
    if (code < 0 || (code = git_tree_lookup(&rawTree, repo, &treeId)) < 0) {
        return git::error(code, writingTree);
    }
    git::TreePtr tree(rawTree);
    auto sig = signature(who);
    if (!sig) {
        return sig.error();
    }
    return git::createCommit(repo, sig->get(), sig->get(), message, tree.get(), parents, writingCommit);
}
} // namespace

TargetMoveLock::TargetMoveLock(const GitRepository &repo)
    : m_path(QDir(repo.commonDir()).filePath(QStringLiteral("astra/target-move")))
{
    if (heldTargetLocks().contains(m_path)) {
        return;
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    m_fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0) {
        return;
    }
    while (::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
    heldTargetLocks().insert(m_path);
}

TargetMoveLock::~TargetMoveLock()
{
    if (m_fd >= 0) {
        heldTargetLocks().remove(m_path);
        ::close(m_fd);
    }
}

Merger::Merger(GitRepository &repo, GitIdentity who)
    : m_repo(repo)
    , m_who(std::move(who))
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
    const TargetMoveLock turn(m_repo);
    // Whoever had the turn before may have moved the branch: then nothing here applies.
    if (auto current = m_repo.branchCommit(targetBranch); current && *current != expectedTarget) {
        return makeError(Tr::tr("%1 moved while it was being updated (it is no longer at %2); nothing was changed. "
                                "Review the new head and try again.")
                             .arg(targetBranch, expectedTarget.left(12)),
                         ErrorKind::Conflict);
    }
    // The record goes first: from here on this process may hold the branch's lock and the
    // index's (the checks below read and refresh the index), and if it dies holding them, the
    // record is how the next start knows whose they were. Dropped on every way out but one.
    if (Status written = writeIntent(m_repo, targetBranch, expectedTarget, newCommit); !written) {
        return written;
    }
    bool keepIntent = false;
    const auto intentGuard = qScopeGuard([&] {
        if (!keepIntent) {
            QFile::remove(intentPath(m_repo));
        }
    });
    if (Status safe = checkSafeToMove(m_repo, targetBranch); !safe) {
        return safe;
    }
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
    if (code == GIT_ELOCKED) {
        return makeError(Tr::tr("%1 is being moved by another process right now (its ref is locked); nothing was "
                                "changed. Try again in a moment; if it stays locked, `astra status` names the lock "
                                "file.")
                             .arg(targetBranch),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Moving %1").arg(targetBranch));
    }
    if (checkedOut) {
        crashPoint(QByteArray(QByteArray(crashPointName) + "-before-checkout").constData());
        auto checkedOutTree = checkoutTree(repo, oldTree.get(), newTree.get(), false);
        if (!checkedOutTree || !checkedOutTree->isEmpty()) {
            const QString why = checkedOutTree ? checkedOutTree->join(QStringLiteral(", ")) : checkedOutTree.message();
            // Put the branch and the files back where they were so that ref and work tree agree.
            git_reference *rawBack = nullptr;
            const int undone = git_reference_create_matching(&rawBack,
                                                             repo,
                                                             ref.constData(),
                                                             git_commit_id(oldCommit->get()),
                                                             1,
                                                             git_commit_id(newCommitObject->get()),
                                                             "astra: undo a move whose checkout failed");
            git::ReferencePtr back(rawBack);
            if (undone < 0) {
                // The record stays: the next astra command finishes the move (or reports what blocks it).
                keepIntent = true;
                return makeError(Tr::tr("Updating the checked-out work tree of %1 failed (%2), and moving %1 back "
                                        "failed too (%3). %1 points at %4 while some files are older; the next astra "
                                        "command finishes the update. Do not commit on %1 before that.")
                                     .arg(targetBranch,
                                          why,
                                          git::error(undone, Tr::tr("Moving %1 back").arg(targetBranch)).message,
                                          newCommit.left(12)),
                                 ErrorKind::Failed);
            }
            auto restored = checkoutTree(repo, newTree.get(), oldTree.get(), false);
            if (!restored || !restored->isEmpty()) {
                return makeError(Tr::tr("Updating the checked-out work tree of %1 failed (%2). %1 was moved back to "
                                        "%3, but some files could not be restored (%4): `git status` shows them; "
                                        "`git checkout -- FILE` restores each.")
                                     .arg(targetBranch,
                                          why,
                                          expectedTarget.left(12),
                                          restored ? restored->join(QStringLiteral(", ")) : restored.message()),
                                 ErrorKind::Failed);
            }
            return makeError(
                Tr::tr("Updating the checked-out work tree of %1 failed (%2); the branch and its files were put back "
                       "where they were.")
                    .arg(targetBranch, why),
                ErrorKind::Refused);
        }
    }
    QFile::remove(intentPath(m_repo)); // ref, index and work tree agree again
    crashPoint(crashPointName);
    return {};
}

Result<MergeOutcome> Merger::merge(const QString &targetBranch,
                                   const QString &expectedTarget,
                                   const QString &base,
                                   const QString &head,
                                   const QString &message)
{
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
    auto prepared = prepare(*current, base, head, message);
    if (!prepared || prepared->kind == MergeOutcome::Kind::Conflicted) {
        return prepared;
    }
    const bool fastForward = prepared->kind == MergeOutcome::Kind::FastForward;
    if (Status moved =
            moveTarget(targetBranch,
                       expectedTarget,
                       prepared->commit,
                       fastForward ? QStringLiteral("astra: merge (fast-forward)") : QStringLiteral("astra: merge"),
                       "merge-ref-moved");
        !moved) {
        return moved.error();
    }
    return prepared;
}

Result<MergeOutcome>
Merger::prepare(const QString &target, const QString &base, const QString &head, const QString &message)
{
    git_repository *repo = m_repo.handle();
    MergeOutcome outcome;
    if (target == base) {
        outcome.kind = MergeOutcome::Kind::FastForward;
        outcome.commit = head;
        return outcome;
    }

    auto baseCommit = git::lookupCommit(repo, base);
    auto targetCommit = git::lookupCommit(repo, target);
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
                              Tr::tr("Writing the merge commit"),
                              m_who);
    if (!merged) {
        return merged.error();
    }
    outcome.kind = MergeOutcome::Kind::MergeCommit;
    outcome.commit = *merged;
    return outcome;
}

Status Merger::fastForward(const QString &targetBranch, const QString &expectedTarget, const QString &commit)
{
    return moveTarget(targetBranch,
                      expectedTarget,
                      commit,
                      QStringLiteral("astra: fast-forward to the team's repository"),
                      "fast-forward-ref-moved");
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
                                Tr::tr("Writing the revert commit"),
                                m_who);
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

QString interruptedCheckoutBranch(GitRepository &repo)
{
    QFile file(intentPath(repo));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QJsonObject intent = QJsonDocument::fromJson(file.read(64 * 1024)).object();
    return isDeadLocalProcess(intent.value(QStringLiteral("process")).toString())
        ? intent.value(QStringLiteral("branch")).toString()
        : QString();
}

Result<FinishedCheckout> finishInterruptedCheckout(GitRepository &repo)
{
    QFile file(intentPath(repo));
    if (!file.exists()) {
        return FinishedCheckout{};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        return makeError(Tr::tr("The record %1 of an interrupted checkout cannot be read: %2")
                             .arg(file.fileName(), file.errorString()));
    }
    const QJsonObject intent = QJsonDocument::fromJson(file.read(64 * 1024)).object();
    file.close();
    const QString branch = intent.value(QStringLiteral("branch")).toString();
    const QString from = intent.value(QStringLiteral("from")).toString();
    const QString to = intent.value(QStringLiteral("to")).toString();
    if (!isDeadLocalProcess(intent.value(QStringLiteral("process")).toString())) {
        return FinishedCheckout{}; // still at work, or another machine's
    }
    auto current = repo.branchCommit(branch);
    if (branch.isEmpty() || !current) {
        QFile::remove(file.fileName());
        return FinishedCheckout{};
    }
    if (*current != to || repo.headBranch() != branch) {
        // The ref never moved (or has moved on, or another branch is checked out): nothing of this
        // move is left to finish.
        QFile::remove(file.fileName());
        return FinishedCheckout{};
    }
    git_repository *handle = repo.handle();
    auto fromCommit = git::lookupCommit(handle, from);
    auto toCommit = git::lookupCommit(handle, to);
    if (auto failed = git::firstError(fromCommit, toCommit)) {
        return *failed;
    }
    auto fromTree = git::treeOf(fromCommit->get());
    auto toTree = git::treeOf(toCommit->get());
    if (auto failed = git::firstError(fromTree, toTree)) {
        return *failed;
    }
    // The files still as they were are brought forward; the ones already written are left.
    auto finished = checkoutTree(handle, fromTree->get(), toTree->get(), false);
    if (!finished) {
        return finished.error();
    }
    if (!finished->isEmpty()) {
        // A file the dead process was writing when it stopped is missing or holds the start of
        // its new content (checkout truncates, then writes): finish it. Any other difference
        // may be someone's edit since, and is theirs to settle.
        QStringList interrupted;
        QStringList edited;
        for (const QString &path : std::as_const(*finished)) {
            (isInterruptedWrite(repo, toTree->get(), path) ? interrupted : edited).append(path);
        }
        if (edited.isEmpty()) {
            if (Status forced = forceCheckoutPaths(handle, toTree->get(), interrupted); !forced) {
                return forced.error();
            }
            finished = checkoutTree(handle, fromTree->get(), toTree->get(), false);
            if (!finished) {
                return finished.error();
            }
        }
    }
    if (!finished->isEmpty()) {
        return makeError(Tr::tr("%1 was moved to %2 by a process that died before it updated the work tree, and these "
                                "files now differ from both: %3. Compare them with %2 and commit or restore them; "
                                "then remove %4.")
                             .arg(branch, to.left(12), finished->join(QStringLiteral(", ")), file.fileName()),
                         ErrorKind::Conflict);
    }
    QFile::remove(file.fileName());
    return FinishedCheckout{true, branch, from, to};
}

} // namespace astra
