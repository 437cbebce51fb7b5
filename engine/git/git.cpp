#include "git/git.h"

#include <QCoreApplication>

#include <mutex>

namespace astra::git {

Status ensureInitialised()
{
    static std::once_flag once;
    static Status initialised;
    std::call_once(once, [] {
        if (const int code = git_libgit2_init(); code < 0) {
            initialised = error(code, QCoreApplication::translate("astra::git", "Initialising libgit2"));
            return;
        }
        const struct
        {
            git_libgit2_opt_t option;
            const char *name;
        } settings[] = {
            {GIT_OPT_ENABLE_FSYNC_GITDIR, "fsync of the git dir"},
            {GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, "strict hash verification"},
            {GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, "strict object creation"},
            {GIT_OPT_SET_OWNER_VALIDATION, "owner validation"},
        };
        for (const auto &setting : settings) {
            if (const int code = git_libgit2_opts(setting.option, 1); code < 0) {
                initialised = error(code,
                                    QCoreApplication::translate("astra::git", "Turning on %1 in libgit2")
                                        .arg(QLatin1String(setting.name)));
                return;
            }
        }
    });
    return initialised;
}

Error error(int code, const QString &what)
{
    const git_error *last = git_error_last();
    const QString detail = last && last->message ? QString::fromUtf8(last->message)
                                                 : QCoreApplication::translate("astra::git", "no detail");
    ErrorKind kind = ErrorKind::Failed;
    if (code == GIT_ENOTFOUND) {
        kind = ErrorKind::NotFound;
    } else if (code == GIT_EEXISTS || code == GIT_EMODIFIED || code == GIT_ELOCKED || code == GIT_ECONFLICT) {
        kind = ErrorKind::Conflict;
    }
    return makeError(QStringLiteral("%1: %2 (libgit2 error %3)").arg(what, detail).arg(code), kind);
}

QString oidToString(const git_oid &oid)
{
    char buffer[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buffer, sizeof buffer, &oid);
    return QString::fromLatin1(buffer);
}

Result<CommitPtr> lookupCommit(git_repository *repo, const QString &id)
{
    git_oid oid;
    int code = git_oid_fromstr(&oid, id.toLatin1().constData());
    git_commit *raw = nullptr;
    if (code == 0) {
        code = git_commit_lookup(&raw, repo, &oid);
    }
    if (code < 0) {
        return error(code, QCoreApplication::translate("astra::git", "Reading commit %1").arg(id));
    }
    return CommitPtr(raw);
}

Result<TreePtr> treeOf(git_commit *commit)
{
    git_tree *raw = nullptr;
    if (const int code = git_commit_tree(&raw, commit); code < 0) {
        return error(code,
                     QCoreApplication::translate("astra::git", "Reading the tree of %1")
                         .arg(oidToString(*git_commit_id(commit))));
    }
    return TreePtr(raw);
}

Result<QString> createCommit(git_repository *repo,
                             const git_signature *author,
                             const git_signature *committer,
                             const QString &message,
                             const git_tree *tree,
                             const std::vector<const git_commit *> &parents,
                             const QString &what)
{
    const QByteArray text = message.toUtf8();
    git_oid id;
    if (const int code = git_commit_create(&id,
                                           repo,
                                           nullptr,
                                           author,
                                           committer,
                                           "UTF-8",
                                           text.constData(),
                                           tree,
                                           parents.size(),
                                           const_cast<const git_commit **>(parents.data()));
        code < 0) {
        return error(code, what);
    }
    return oidToString(id);
}

Result<TreePtr> commitTree(git_repository *repo, const QString &id)
{
    auto commit = lookupCommit(repo, id);
    if (!commit) {
        return commit.error();
    }
    return treeOf(commit->get());
}

Result<QStringList> conflictPaths(git_index *index)
{
    QStringList paths;
    git_index_conflict_iterator *raw = nullptr;
    if (const int code = git_index_conflict_iterator_new(&raw, index); code < 0) {
        return error(code, QCoreApplication::translate("astra::git", "Listing the conflicts"));
    }
    std::unique_ptr<git_index_conflict_iterator, Deleter<git_index_conflict_iterator, git_index_conflict_iterator_free>>
        iterator(raw);
    const git_index_entry *ancestor = nullptr;
    const git_index_entry *ours = nullptr;
    const git_index_entry *theirs = nullptr;
    int code = 0;
    while ((code = git_index_conflict_next(&ancestor, &ours, &theirs, iterator.get())) == 0) {
        const git_index_entry *any = ours ? ours : (theirs ? theirs : ancestor);
        paths.append(QString::fromUtf8(any->path));
    }
    if (code != GIT_ITEROVER) {
        return error(code, QCoreApplication::translate("astra::git", "Listing the conflicts"));
    }
    paths.removeDuplicates();
    paths.sort();
    return paths;
}

namespace {
// A binary delta libgit2 wrote no data for: nothing changed in the content (a mode change, a
// pure rename) or both sides are empty (an empty file that .gitattributes calls binary).
bool binaryWithoutData(const git_diff_delta *delta)
{
    if ((delta->flags & GIT_DIFF_FLAG_BINARY) == 0 || delta->status == GIT_DELTA_DELETED) {
        return false;
    }
    static const git_oid empty = [] {
        git_oid id;
        git_oid_fromstr(&id, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        return id;
    }();
    const auto none = [&](const git_oid &id) {
        return git_oid_is_zero(&id) || git_oid_equal(&id, &empty);
    };
    return git_oid_equal(&delta->old_file.id, &delta->new_file.id)
        || (none(delta->old_file.id) && none(delta->new_file.id));
}

// A delta libgit2 is not given (binaryWithoutData()), kept for the index.
struct ByHand
{
    git_delta_t status = GIT_DELTA_UNMODIFIED;
    git_oid oldId{};
    git_oid newId{};
    quint32 newMode = 0;
    QByteArray oldPath;
    QByteArray newPath;
};

struct ApplyWrapper
{
    const git_apply_options *given = nullptr;
    std::vector<ByHand> byHand;

    static int onDelta(const git_diff_delta *delta, void *payload)
    {
        auto *self = static_cast<ApplyWrapper *>(payload);
        if (self->given && self->given->delta_cb) {
            if (const int code = self->given->delta_cb(delta, self->given->payload); code != 0) {
                return code;
            }
        }
        if (!binaryWithoutData(delta)) {
            return 0;
        }
        self->byHand.push_back({delta->status,
                                delta->old_file.id,
                                delta->new_file.id,
                                delta->new_file.mode,
                                QByteArray(delta->old_file.path),
                                QByteArray(delta->new_file.path)});
        return 1; // done below
    }
    static int onHunk(const git_diff_hunk *hunk, void *payload)
    {
        auto *self = static_cast<ApplyWrapper *>(payload);
        return self->given && self->given->hunk_cb ? self->given->hunk_cb(hunk, self->given->payload) : 0;
    }
};
} // namespace

Result<IndexPtr> applyToTree(git_repository *repo, git_tree *base, git_diff *diff, const git_apply_options *given)
{
    ApplyWrapper wrapper;
    wrapper.given = given;
    git_apply_options options = GIT_APPLY_OPTIONS_INIT;
    options.delta_cb = &ApplyWrapper::onDelta;
    options.hunk_cb = &ApplyWrapper::onHunk;
    options.payload = &wrapper;
    options.flags = given ? given->flags : 0;
    git_index *raw = nullptr;
    if (const int code = git_apply_to_tree(&raw, repo, base, diff, &options); code < 0) {
        return error(code, QCoreApplication::translate("astra::git", "Applying the change"));
    }
    IndexPtr index(raw);
    // What libgit2 has no data to apply: the file must be on the base as the change found it.
    for (const ByHand &delta : wrapper.byHand) {
        const QString oldPath = QString::fromUtf8(delta.oldPath);
        if (delta.status != GIT_DELTA_ADDED) {
            const git_index_entry *entry = git_index_get_bypath(index.get(), delta.oldPath.constData(), 0);
            if (!entry || !git_oid_equal(&entry->id, &delta.oldId)) {
                return makeError(
                    QCoreApplication::translate("astra::git", "%1 is not on the base as the change found it.")
                        .arg(oldPath),
                    ErrorKind::Conflict);
            }
            if (const int code = git_index_remove_bypath(index.get(), delta.oldPath.constData()); code < 0) {
                return error(code, oldPath);
            }
        } else if (git_index_get_bypath(index.get(), delta.oldPath.constData(), 0)) {
            return makeError(QCoreApplication::translate("astra::git", "%1 is already on the base.").arg(oldPath),
                             ErrorKind::Conflict);
        }
    }
    for (const ByHand &delta : wrapper.byHand) {
        git_index_entry entry{};
        entry.path = delta.newPath.constData();
        entry.mode = delta.newMode;
        entry.id = delta.newId;
        if (const int code = git_index_add(index.get(), &entry); code < 0) {
            return error(code, QString::fromUtf8(delta.newPath));
        }
    }
    return index;
}

} // namespace astra::git
