#include "git/revisions.h"

#include "git/git.h"
#include "git/gitrepository.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Revisions)
};

struct ApplyPayload
{
    const HunkSelection *selection = nullptr;
    QSet<QString> rejectedFiles;
    QString path;
    int hunk = -1;
};

QString deltaPath(const git_diff_delta *delta)
{
    return QString::fromUtf8(delta->status == GIT_DELTA_DELETED ? delta->old_file.path : delta->new_file.path);
}

int onDelta(const git_diff_delta *delta, void *data)
{
    auto *payload = static_cast<ApplyPayload *>(data);
    payload->path = deltaPath(delta);
    payload->hunk = -1;
    return payload->rejectedFiles.contains(payload->path) ? 1 : 0; // > 0: skip the delta
}

int onHunk(const git_diff_hunk *, void *data)
{
    auto *payload = static_cast<ApplyPayload *>(data);
    ++payload->hunk;
    const auto found = payload->selection->rejectedHunks.constFind(payload->path);
    return found != payload->selection->rejectedHunks.cend() && found->contains(payload->hunk) ? 1 : 0;
}

using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator, git::Deleter<git_reference_iterator, git_reference_iterator_free>>;
using IndexConflictIteratorPtr =
    std::unique_ptr<git_index_conflict_iterator,
                    git::Deleter<git_index_conflict_iterator, git_index_conflict_iterator_free>>;

QByteArray revisionRef(qint64 modificationId, int revision)
{
    return revisionRefName(modificationId, revision).toUtf8();
}

} // namespace

QString revisionRefName(qint64 modificationId, int revision)
{
    return QStringLiteral("refs/astra/modifications/%1/%2").arg(modificationId).arg(revision);
}

namespace {
Result<git_oid> parseOid(const QString &id)
{
    git_oid oid;
    if (const int code = git_oid_fromstr(&oid, id.toLatin1().constData()); code < 0) {
        return git::error(code, Tr::tr("Reading the object id '%1'").arg(id));
    }
    return oid;
}

// One side of a conflict as a blob (null when the side deleted the file).
Result<git::BlobPtr> conflictBlob(git_repository *repo, const git_index_entry *entry)
{
    if (!entry) {
        return git::BlobPtr();
    }
    git_blob *raw = nullptr;
    if (const int code = git_blob_lookup(&raw, repo, &entry->id); code < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QString::fromUtf8(entry->path)));
    }
    return git::BlobPtr(raw);
}
} // namespace

Result<QString>
applySelection(GitRepository &repo, const QString &fromCommit, const QString &toCommit, const HunkSelection &selection)
{
    git_repository *handle = repo.handle();
    auto fromTree = git::commitTree(handle, fromCommit);
    auto toTree = git::commitTree(handle, toCommit);
    if (auto failed = git::firstError(fromTree, toTree)) {
        return *failed;
    }
    auto diff = git::reviewDiff(handle, fromTree->get(), toTree->get(), selection.contextLines, true);
    if (!diff) {
        return diff.error();
    }
    ApplyPayload payload;
    payload.selection = &selection;
    payload.rejectedFiles = selection.rejectedFiles;
    git_apply_options options = GIT_APPLY_OPTIONS_INIT;
    options.delta_cb = onDelta;
    options.hunk_cb = onHunk;
    options.payload = &payload;
    auto applied = git::applyToTree(handle, fromTree->get(), diff->get(), &options);
    if (!applied) {
        return makeError(Tr::tr("Applying the accepted hunks of %1 to %2: %3")
                             .arg(toCommit.left(12), fromCommit.left(12), applied.error().message),
                         applied.error().kind);
    }
    git::IndexPtr index = std::move(*applied);
    git_oid tree;
    if (const int code = git_index_write_tree_to(&tree, index.get(), handle); code < 0) {
        return git::error(code, Tr::tr("Writing the tree of the accepted hunks"));
    }
    return git::oidToString(tree);
}

Result<ReplayedChange> replayChange(GitRepository &repo, const QString &base, const QString &head, const QString &onto)
{
    git_repository *handle = repo.handle();
    auto baseTree = git::commitTree(handle, base);
    auto headTree = git::commitTree(handle, head);
    auto ontoTree = git::commitTree(handle, onto);
    if (auto failed = git::firstError(baseTree, headTree, ontoTree)) {
        return *failed;
    }
    git_merge_options options = GIT_MERGE_OPTIONS_INIT;
    options.flags = GIT_MERGE_FIND_RENAMES;
    git_index *rawIndex = nullptr;
    if (const int code =
            git_merge_trees(&rawIndex, handle, baseTree->get(), ontoTree->get(), headTree->get(), &options);
        code < 0) {
        return git::error(code, Tr::tr("Replaying %1 onto %2").arg(head.left(12), onto.left(12)));
    }
    git::IndexPtr index(rawIndex);
    ReplayedChange replayed;
    if (!git_index_has_conflicts(index.get())) {
        git_oid tree;
        if (const int code = git_index_write_tree_to(&tree, index.get(), handle); code < 0) {
            return git::error(code, Tr::tr("Writing the replayed tree"));
        }
        replayed.tree = git::oidToString(tree);
        return replayed;
    }
    auto paths = git::conflictPaths(index.get());
    if (!paths) {
        return paths.error();
    }
    replayed.conflictPaths = *paths;
    git_index_conflict_iterator *rawIterator = nullptr;
    if (const int code = git_index_conflict_iterator_new(&rawIterator, index.get()); code < 0) {
        return git::error(code, Tr::tr("Reading the conflicts"));
    }
    IndexConflictIteratorPtr iterator(rawIterator);
    const git_index_entry *ancestor = nullptr;
    const git_index_entry *ours = nullptr;
    const git_index_entry *theirs = nullptr;
    while (git_index_conflict_next(&ancestor, &ours, &theirs, iterator.get()) == 0) {
        const git_index_entry *named = theirs ? theirs : (ours ? ours : ancestor);
        FileDiff file;
        file.path = QString::fromUtf8(named->path);
        file.oldPath = QString::fromUtf8(ours ? ours->path : named->path);
        file.change = QStringLiteral("conflict");
        file.oldMode = ours ? ours->mode : 0;
        file.newMode = theirs ? theirs->mode : 0;
        auto ourBlob = conflictBlob(handle, ours);
        auto theirBlob = conflictBlob(handle, theirs);
        if (auto failed = git::firstError(ourBlob, theirBlob)) {
            return *failed;
        }
        git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
        git_patch *rawPatch = nullptr;
        const QByteArray ourPath = file.oldPath.toUtf8();
        const QByteArray theirPath = file.path.toUtf8();
        if (const int code = git_patch_from_blobs(&rawPatch,
                                                  ourBlob->get(),
                                                  ourPath.constData(),
                                                  theirBlob->get(),
                                                  theirPath.constData(),
                                                  &diffOptions);
            code < 0) {
            return git::error(code, Tr::tr("Comparing both sides of %1").arg(file.path));
        }
        git::PatchPtr patch(rawPatch);
        if ((git_patch_get_delta(patch.get())->flags & GIT_DIFF_FLAG_BINARY) != 0) {
            file.binary = true;
        } else if (Status read = git::readPatch(patch.get(), file, 1000); !read) {
            return read.error();
        }
        replayed.conflicts.append(file);
    }
    return replayed;
}

Status keepRevisionRef(GitRepository &repo, qint64 modificationId, int revision, const QString &commit)
{
    auto oid = parseOid(commit);
    if (!oid) {
        return oid.error();
    }
    const QByteArray name = revisionRef(modificationId, revision);
    git_reference *raw = nullptr;
    int code = git_reference_create(
        &raw,
        repo.handle(),
        name.constData(),
        &*oid,
        0,
        QStringLiteral("astra: revision %1 of modification %2").arg(revision).arg(modificationId).toUtf8().constData());
    if (code == 0) {
        git::ReferencePtr created(raw);
        return {};
    }
    if (code != GIT_EEXISTS) {
        return git::error(code, Tr::tr("Keeping revision %1 of modification %2").arg(revision).arg(modificationId));
    }
    if ((code = git_reference_lookup(&raw, repo.handle(), name.constData())) < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QString::fromUtf8(name)));
    }
    git::ReferencePtr existing(raw);
    const git_oid *target = git_reference_target(existing.get());
    if (target && git_oid_equal(target, &*oid)) {
        return {};
    }
    return makeError(Tr::tr("%1 already names another commit than revision %2 (%3); nothing was changed. "
                            "Something other than Astra Review wrote it.")
                         .arg(QString::fromUtf8(name))
                         .arg(revision)
                         .arg(commit.left(12)),
                     ErrorKind::Conflict);
}

Status dropRevisionRefs(GitRepository &repo, qint64 modificationId, int onlyRevision)
{
    const QByteArray glob = onlyRevision > 0
        ? revisionRef(modificationId, onlyRevision)
        : QStringLiteral("refs/astra/modifications/%1/*").arg(modificationId).toUtf8();
    git_reference_iterator *rawIterator = nullptr;
    if (const int code = git_reference_iterator_glob_new(&rawIterator, repo.handle(), glob.constData()); code < 0) {
        return git::error(code, Tr::tr("Listing the revisions of modification %1").arg(modificationId));
    }
    ReferenceIteratorPtr iterator(rawIterator);
    QList<QByteArray> names;
    const char *name = nullptr;
    while (git_reference_next_name(&name, iterator.get()) == 0) {
        names.append(QByteArray(name));
    }
    for (const QByteArray &ref : std::as_const(names)) {
        if (const int code = git_reference_remove(repo.handle(), ref.constData()); code < 0 && code != GIT_ENOTFOUND) {
            return git::error(code, Tr::tr("Removing %1").arg(QString::fromUtf8(ref)));
        }
    }
    return {};
}

Status moveBranch(GitRepository &repo,
                  const QString &branch,
                  const QString &expected,
                  const QString &to,
                  const QString &logMessage)
{
    auto from = parseOid(expected);
    auto target = parseOid(to);
    if (auto failed = git::firstError(from, target)) {
        return *failed;
    }
    const QByteArray name = (QStringLiteral("refs/heads/") + branch).toUtf8();
    git_reference *raw = nullptr;
    const int code = git_reference_create_matching(&raw,
                                                   repo.handle(),
                                                   name.constData(),
                                                   &*target,
                                                   1,
                                                   &*from,
                                                   logMessage.toUtf8().constData());
    if (code < 0) {
        if (code == GIT_EMODIFIED || code == GIT_ENOTFOUND) {
            return makeError(Tr::tr("The branch %1 is no longer at %2 (someone moved it); nothing was changed.")
                                 .arg(branch, expected.left(12)),
                             ErrorKind::Conflict);
        }
        return git::error(code, Tr::tr("Moving %1 to %2").arg(branch, to.left(12)));
    }
    git::ReferencePtr moved(raw);
    return {};
}

} // namespace astra
