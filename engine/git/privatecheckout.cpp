#include "git/privatecheckout.h"

#include "git/git.h"
#include "git/gitrepository.h"
#include "git/treeexport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>

#include <git2/sys/repository.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PrivateCheckout)
};

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

using PackbuilderPtr = std::unique_ptr<git_packbuilder, git::Deleter<git_packbuilder, git_packbuilder_free>>;

struct PackState
{
    git_packbuilder *pack;
    int code = 0;
};

int packEntry(const char *, const git_tree_entry *entry, void *payload)
{
    auto *state = static_cast<PackState *>(payload);
    if (git_tree_entry_type(entry) == GIT_OBJECT_COMMIT) {
        return 1; // a submodule: its commit is not in this repository
    }
    state->code = git_packbuilder_insert(state->pack, git_tree_entry_id(entry), nullptr);
    return state->code < 0 ? -1 : 0;
}

// Every regular file and symlink under `dir` (relative to `base`), symlinks not followed.
// Content only of regular files; a symlink's is its target.
void readGuarded(const QString &base, const QString &relative, QHash<QString, QByteArray> &out)
{
    const QString path = relative.isEmpty() ? base : base + u'/' + relative;
    struct stat info
    {};
    if (::lstat(QFile::encodeName(path).constData(), &info) != 0) {
        return;
    }
    if (S_ISLNK(info.st_mode)) {
        out.insert(relative, QFile::encodeName(QFile::symLinkTarget(path)));
    } else if (S_ISREG(info.st_mode)) {
        QFile file(path);
        if (file.open(QIODevice::ReadOnly)) {
            out.insert(relative, file.read(1024 * 1024));
        }
    } else if (S_ISDIR(info.st_mode)) {
        const QStringList names =
            QDir(path).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &name : names) {
            readGuarded(base, relative.isEmpty() ? name : relative + u'/' + name, out);
        }
    }
}

// The guarded files of the checkout's .git, read without following a link. A .git that is no
// longer a folder (an agent replaced it with a link to somewhere else) is the one entry "",
// holding the link's target, and nothing is read through it.
QHash<QString, QByteArray> guardedFiles(const QString &gitDir)
{
    QHash<QString, QByteArray> files;
    struct stat info
    {};
    if (::lstat(QFile::encodeName(gitDir).constData(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        files.insert(QString(), S_ISLNK(info.st_mode) ? QFile::encodeName(QFile::symLinkTarget(gitDir)) : QByteArray());
        return files;
    }
    QHash<QString, QByteArray> hooks;
    readGuarded(gitDir + QStringLiteral("/hooks"), QString(), hooks);
    for (auto it = hooks.cbegin(); it != hooks.cend(); ++it) {
        files.insert(it.key().isEmpty() ? QStringLiteral("hooks") : QStringLiteral("hooks/") + it.key(), it.value());
    }
    QHash<QString, QByteArray> config;
    readGuarded(gitDir + QStringLiteral("/config"), QString(), config);
    if (config.contains(QString())) {
        files.insert(QStringLiteral("config"), config.value(QString()));
    }
    return files;
}

// The harvest's walk over the work tree.
class Harvest
{
public:
    Harvest(git_tree *base, git_repository *ignores, const QString &folder, HarvestLimits limits)
        : m_base(base)
        , m_ignores(ignores)
        , m_folder(folder)
        , m_limits(limits)
    {}

    Status walk(const QString &relative)
    {
        const QString dir = relative.isEmpty() ? m_folder : m_folder + u'/' + relative;
        const QString shown = relative.isEmpty() ? QStringLiteral(".") : relative;
        if (!QDir(dir).isReadable()) {
            return makeError(
                Tr::tr("The folder %1 in the agent's checkout cannot be read; nothing was harvested.").arg(shown),
                ErrorKind::Refused);
        }
        // libgit2 opens the .gitignore of each folder it asks about: anything but a file there
        // (a fifo would block the read forever) is refused before it is asked.
        struct stat ignoreFile
        {};
        const QByteArray ignorePath = QFile::encodeName(dir + QStringLiteral("/.gitignore"));
        if (::lstat(ignorePath.constData(), &ignoreFile) == 0 && !S_ISREG(ignoreFile.st_mode)) {
            return makeError(Tr::tr("The agent left %1/.gitignore as something other than a file; nothing was "
                                    "harvested.")
                                 .arg(shown),
                             ErrorKind::Refused);
        }
        const QStringList names =
            QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &name : names) {
            if (relative.isEmpty() && name == u".git") {
                continue; // the checkout's own repository: only its guarded files count
            }
            if (++m_entries > m_limits.maxEntries) {
                return makeError(Tr::tr("The agent left more than %1 files and folders in its checkout; nothing was "
                                        "harvested.")
                                     .arg(m_limits.maxEntries),
                                 ErrorKind::Refused);
            }
            const QString path = relative.isEmpty() ? name : relative + u'/' + name;
            if (Status visited = visit(path); !visited) {
                return visited;
            }
        }
        return {};
    }

    // Base files the work tree no longer has.
    Status collectDeletions()
    {
        const int code = git_tree_walk(
            m_base,
            GIT_TREEWALK_PRE,
            [](const char *root, const git_tree_entry *entry, void *payload) -> int {
                auto *self = static_cast<Harvest *>(payload);
                const git_object_t type = git_tree_entry_type(entry);
                if (type == GIT_OBJECT_COMMIT) {
                    return 1;
                }
                if (type != GIT_OBJECT_BLOB) {
                    return 0;
                }
                const QByteArray path = QByteArray(root) + git_tree_entry_name(entry);
                if (!self->m_seen.contains(path)) {
                    FileChange change;
                    change.kind = FileChange::Kind::Delete;
                    change.path = path;
                    change.hasContent = false;
                    self->m_changes.files.append(change);
                }
                return 0;
            },
            this);
        if (code < 0) {
            return git::error(
                code,
                Tr::tr("Reading the base tree %1").arg(QString::fromUtf8(git_oid_tostr_s(git_tree_id(m_base)))));
        }
        return {};
    }

    void add(FileChange change)
    {
        m_changes.files.append(std::move(change));
    }

    ChangeSet takeChanges()
    {
        return std::move(m_changes);
    }

private:
    // The base tree's entry at `path`, if any.
    std::optional<std::pair<git_oid, git_filemode_t>> baseEntry(const QByteArray &path) const
    {
        git_tree_entry *raw = nullptr;
        if (git_tree_entry_bypath(&raw, m_base, path.constData()) != 0) {
            return std::nullopt;
        }
        const std::pair<git_oid, git_filemode_t> found{*git_tree_entry_id(raw), git_tree_entry_filemode(raw)};
        git_tree_entry_free(raw);
        return found;
    }

    Result<bool> ignored(const QByteArray &path, bool directory) const
    {
        int ignored = 0;
        const QByteArray asked = directory ? path + '/' : path;
        if (const int code = git_ignore_path_is_ignored(&ignored, m_ignores, asked.constData()); code < 0) {
            return git::error(code, Tr::tr("Reading the ignore rules for %1").arg(QString::fromUtf8(path)));
        }
        return ignored != 0;
    }

    Status visit(const QString &relative)
    {
        const QString full = m_folder + u'/' + relative;
        const QByteArray path = QFile::encodeName(relative);
        struct stat info
        {};
        if (::lstat(QFile::encodeName(full).constData(), &info) != 0) {
            return makeError(Tr::tr("Reading %1 in the agent's checkout failed: %2").arg(relative, systemError()));
        }
        const auto base = baseEntry(path);
        if (S_ISDIR(info.st_mode)) {
            if (base && base->second == GIT_FILEMODE_COMMIT) {
                return {}; // a submodule's folder: never harvested
            }
            if (!base) {
                auto skip = ignored(path, true);
                if (!skip) {
                    return skip.error();
                }
                if (*skip) {
                    return {};
                }
            }
            return walk(relative);
        }
        if (!S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode)) {
            return makeError(Tr::tr("The agent left %1, which is neither a file, a folder nor a symlink; nothing was "
                                    "harvested.")
                                 .arg(relative),
                             ErrorKind::Refused);
        }
        if (!base) {
            auto skip = ignored(path, false);
            if (!skip) {
                return skip.error();
            }
            if (*skip) {
                return {};
            }
        }
        m_seen.insert(path);

        FileChange change;
        change.path = path;
        if (S_ISLNK(info.st_mode)) {
            change.mode = GIT_FILEMODE_LINK;
            QByteArray target(qMax<qsizetype>(1, qsizetype(info.st_size)), Qt::Uninitialized);
            const ssize_t length =
                ::readlink(QFile::encodeName(full).constData(), target.data(), size_t(target.size()));
            if (length < 0) {
                return makeError(
                    Tr::tr("Reading the symlink %1 in the agent's checkout failed: %2").arg(relative, systemError()));
            }
            change.content = target.left(length);
        } else {
            change.mode = (info.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB;
            const int fd = ::open(QFile::encodeName(full).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                return makeError(Tr::tr("Reading %1 in the agent's checkout failed: %2").arg(relative, systemError()));
            }
            QFile file;
            if (!file.open(fd, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
                ::close(fd);
                return makeError(
                    Tr::tr("Reading %1 in the agent's checkout failed: %2").arg(relative, file.errorString()));
            }
            change.content = file.read(m_limits.maxFileBytes + 1);
        }
        if (base) {
            // A file read only in part (past the size limit) is hashed whole from disk, so that an
            // unchanged large file of the base is not taken for a change.
            const bool cut = S_ISREG(info.st_mode) && qint64(info.st_size) > m_limits.maxFileBytes;
            git_oid id;
            if (const int code = cut
                    ? git_odb_hashfile(&id, QFile::encodeName(full).constData(), GIT_OBJECT_BLOB)
                    : git_odb_hash(&id, change.content.constData(), size_t(change.content.size()), GIT_OBJECT_BLOB);
                code < 0) {
                return git::error(code, Tr::tr("Hashing %1").arg(relative));
            }
            if (git_oid_equal(&id, &base->first) && git_filemode_t(change.mode) == base->second) {
                return {}; // unchanged
            }
        }
        m_changedBytes += change.content.size();
        if (m_changedBytes > m_limits.maxTotalBytes) {
            return makeError(Tr::tr("The agent's change holds more than %1 MiB; nothing was harvested.")
                                 .arg(m_limits.maxTotalBytes / (1024 * 1024)),
                             ErrorKind::Refused);
        }
        m_changes.files.append(change);
        return {};
    }

    git_tree *m_base;
    git_repository *m_ignores;
    QString m_folder;
    HarvestLimits m_limits;
    int m_entries = 0;
    qint64 m_changedBytes = 0;
    QSet<QByteArray> m_seen;
    ChangeSet m_changes;
};

} // namespace

Result<PrivateCheckout>
createPrivateCheckout(GitRepository &repo, const QString &baseCommit, const QString &folder, const QString &branch)
{
    const QString absolute = QDir(folder).absolutePath();
    auto baseTree = git::commitTree(repo.handle(), baseCommit);
    if (!baseTree) {
        return baseTree.error();
    }
    if (Status exported = exportTree(repo, baseCommit, absolute); !exported) {
        return exported.error();
    }

    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    // No external template: nothing of the user's init.templateDir or the system's hooks.
    options.flags = GIT_REPOSITORY_INIT_NO_REINIT;
    const QByteArray head = branch.toUtf8();
    options.initial_head = head.constData();
    git_repository *raw = nullptr;
    if (const int code = git_repository_init_ext(&raw, QFile::encodeName(absolute).constData(), &options); code < 0) {
        return git::error(code, Tr::tr("Creating the agent's checkout in %1").arg(absolute));
    }
    git::RepositoryPtr checkout(raw);

    // The base tree's objects, so that its commit is this very tree: one pack, not a loose file
    // (and a flush to disk) per object.
    git_packbuilder *rawPack = nullptr;
    int code = git_packbuilder_new(&rawPack, repo.handle());
    PackbuilderPtr pack(rawPack);
    if (code == 0) {
        code = git_packbuilder_insert(pack.get(), git_tree_id(baseTree->get()), nullptr);
    }
    PackState state{pack.get()};
    if (code == 0) {
        code = git_tree_walk(baseTree->get(), GIT_TREEWALK_PRE, packEntry, &state);
        if (state.code < 0) {
            code = state.code;
        }
    }
    if (code == 0) {
        const QByteArray packs = QFile::encodeName(absolute + QStringLiteral("/.git/objects/pack"));
        code = git_packbuilder_write(pack.get(), packs.constData(), 0, nullptr, nullptr);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Copying the tree of %1 into the agent's checkout").arg(baseCommit));
    }
    // (An object database opened before the pack was written finds it on its first miss.)

    git_tree *rawTree = nullptr;
    code = git_tree_lookup(&rawTree, checkout.get(), git_tree_id(baseTree->get()));
    git::TreePtr tree(rawTree);
    git_signature *rawSignature = nullptr;
    if (code == 0) {
        code = git_signature_now(&rawSignature, "Astra Review", "astra@localhost");
    }
    git::SignaturePtr signature(rawSignature);
    git_oid commit;
    const QByteArray message = QStringLiteral("Base %1\n").arg(baseCommit).toUtf8();
    if (code == 0) {
        code = git_commit_create(&commit,
                                 checkout.get(),
                                 "HEAD",
                                 signature.get(),
                                 signature.get(),
                                 "UTF-8",
                                 message.constData(),
                                 tree.get(),
                                 0,
                                 nullptr);
    }
    git_index *rawIndex = nullptr;
    if (code == 0) {
        code = git_repository_index(&rawIndex, checkout.get());
    }
    git::IndexPtr index(rawIndex);
    if (code == 0) {
        code = git_index_read_tree(index.get(), tree.get());
    }
    if (code == 0) {
        code = git_index_write(index.get());
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Committing the base into the agent's checkout"));
    }

    PrivateCheckout made;
    made.folder = absolute;
    made.baseCommit = baseCommit;
    made.guarded = guardedFiles(absolute + QStringLiteral("/.git"));
    return made;
}

Result<ChangeSet> harvestCheckout(GitRepository &repo, const PrivateCheckout &checkout, const HarvestLimits &limits)
{
    auto baseTree = git::commitTree(repo.handle(), checkout.baseCommit);
    if (!baseTree) {
        return baseTree.error();
    }
    // Ignore rules come from the checkout's .gitignore files, read through a repository of
    // our own: the checkout's .git is the agent's, and its config is not to be believed.
    QTemporaryDir metaDir;
    if (!metaDir.isValid()) {
        return makeError(
            Tr::tr("Cannot create a temporary folder to harvest the agent's change: %1").arg(metaDir.errorString()));
    }
    git_repository *rawMeta = nullptr;
    int code = git_repository_init(&rawMeta, QFile::encodeName(metaDir.path()).constData(), 0);
    git::RepositoryPtr meta(rawMeta);
    git_config *rawConfig = nullptr;
    if (code == 0) {
        code = git_config_new(&rawConfig);
    }
    git::ConfigPtr config(rawConfig);
    if (code == 0) {
        code =
            git_config_add_file_ondisk(config.get(),
                                       QFile::encodeName(metaDir.path() + QStringLiteral("/.git/config")).constData(),
                                       GIT_CONFIG_LEVEL_LOCAL,
                                       meta.get(),
                                       0);
    }
    if (code == 0) {
        code = git_repository_set_config(meta.get(), config.get());
    }
    if (code == 0) {
        code = git_repository_set_workdir(meta.get(), QFile::encodeName(checkout.folder).constData(), 0);
    }
    if (code == 0 && !limits.ignoreRules.isEmpty()) {
        code = git_ignore_add_rule(meta.get(), limits.ignoreRules.constData());
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Preparing to harvest the agent's change"));
    }

    Harvest harvest(baseTree->get(), meta.get(), checkout.folder, limits);
    if (Status walked = harvest.walk(QString()); !walked) {
        return walked.error();
    }
    if (Status deleted = harvest.collectDeletions(); !deleted) {
        return deleted.error();
    }
    // The checkout's hooks and config: changed or new ones are harvested as changes to .git,
    // which the path policy refuses (and the ledger records).
    const QHash<QString, QByteArray> now = guardedFiles(checkout.folder + QStringLiteral("/.git"));
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        const auto before = checkout.guarded.constFind(it.key());
        if (before == checkout.guarded.cend() || before.value() != it.value()) {
            FileChange change;
            change.path = it.key().isEmpty() ? QByteArrayLiteral(".git")
                                             : QByteArrayLiteral(".git/") + QFile::encodeName(it.key());
            change.content = it.value();
            harvest.add(change);
        }
    }
    return harvest.takeChanges();
}

} // namespace astra
