#include "git/treeexport.h"

#include "git/git.h"
#include "git/gitrepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TreeExport)
};

struct ExportState
{
    git_repository *repo = nullptr;
    QString folder;
    QString error;
};

int exportEntry(const char *root, const git_tree_entry *entry, void *payload)
{
    auto *state = static_cast<ExportState *>(payload);
    const QString relative = QString::fromUtf8(root) + QString::fromUtf8(git_tree_entry_name(entry));
    const QString path = state->folder + u'/' + relative;
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE || mode == GIT_FILEMODE_COMMIT) {
        if (!QDir().mkpath(path)) {
            state->error = Tr::tr("Cannot create %1").arg(path);
            return -1;
        }
        return mode == GIT_FILEMODE_COMMIT ? 1 : 0;
    }
    git_blob *raw = nullptr;
    if (git_blob_lookup(&raw, state->repo, git_tree_entry_id(entry)) != 0) {
        state->error = git::error(-1, Tr::tr("Reading %1").arg(relative)).message;
        return -1;
    }
    git::BlobPtr blob(raw);
    const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                             qsizetype(git_blob_rawsize(blob.get())));
    if (mode == GIT_FILEMODE_LINK) {
        if (!QFile::link(QString::fromUtf8(content), path)) {
            state->error = Tr::tr("Cannot create the symlink %1").arg(path);
            return -1;
        }
        return 0;
    }
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()) {
        state->error = Tr::tr("Cannot write %1: %2").arg(path, file.errorString());
        return -1;
    }
    file.close();
    QFile::Permissions permissions = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    if (mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
        permissions |= QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    }
    QFile::setPermissions(path, permissions);
    return 0;
}
} // namespace

Status exportTree(GitRepository &repo, const QString &commit, const QString &folder)
{
    auto tree = git::commitTree(repo.handle(), commit);
    if (!tree) {
        return tree.error();
    }
    ExportState state{repo.handle(), QDir(folder).absolutePath(), {}};
    const int code = git_tree_walk(tree->get(), GIT_TREEWALK_PRE, exportEntry, &state);
    if (code < 0) {
        return makeError(state.error.isEmpty() ? git::error(code, Tr::tr("Exporting %1").arg(commit)).message
                                               : state.error);
    }
    return {};
}

} // namespace astra
