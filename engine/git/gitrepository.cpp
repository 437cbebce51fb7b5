#include "git/gitrepository.h"

#include "base/logging.h"
#include "base/threadowner.h"
#include "git/git.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GitRepository)
};

const char ledgerRef[] = "refs/astra/ledger";
const char checkpointFile[] = "checkpoint.json";

QString stripSlash(const char *path)
{
    QString result = QString::fromUtf8(path);
    while (result.size() > 1 && result.endsWith(u'/')) {
        result.chop(1);
    }
    return result;
}
} // namespace

struct GitRepository::Private
{
    git::RepositoryPtr repo;
    ThreadOwner owner; // libgit2 objects never cross threads
};

GitRepository::GitRepository(std::unique_ptr<Private> data)
    : d(std::move(data))
{}
GitRepository::GitRepository(GitRepository &&) noexcept = default;
GitRepository &GitRepository::operator=(GitRepository &&) noexcept = default;
GitRepository::~GitRepository() = default;

Result<GitRepository> GitRepository::discover(const QString &path)
{
    if (Status initialised = git::ensureInitialised(); !initialised) {
        return initialised.error();
    }
    git_repository *raw = nullptr;
    const QByteArray native = QFile::encodeName(QDir(path).absolutePath());
    const int code = git_repository_open_ext(&raw, native.constData(), 0, nullptr);
    if (code == GIT_ENOTFOUND) {
        return makeError(Tr::tr("%1 is not inside a git repository. Run the command inside one, pass --repo PATH, or "
                                "create one with `git init`.")
                             .arg(QDir::toNativeSeparators(QDir(path).absolutePath())),
                         ErrorKind::NotFound);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Opening the git repository at %1").arg(path));
    }
    auto data = std::make_unique<Private>();
    data->repo.reset(raw);
    // core.worktree is ignored: the work tree is the folder that holds .git, as found from
    // `path`, never a place the repository's configuration points to.
    if (!git_repository_is_bare(raw)) {
        QDir dir(QDir(path).absolutePath());
        while (!QFileInfo::exists(dir.filePath(QStringLiteral(".git"))) && dir.cdUp()) {
        }
        if (QFileInfo::exists(dir.filePath(QStringLiteral(".git")))) {
            const QString root = QDir::cleanPath(dir.absolutePath());
            const char *configured = git_repository_workdir(raw);
            if (!configured || QDir::cleanPath(QString::fromUtf8(configured)) != root) {
                const QByteArray rootBytes = QFile::encodeName(root);
                if (const int set = git_repository_set_workdir(raw, rootBytes.constData(), 0); set < 0) {
                    return git::error(set, Tr::tr("Opening the git repository at %1").arg(path));
                }
            }
        }
    }
    return GitRepository(std::move(data));
}

Result<GitRepository> GitRepository::init(const QString &path, const QString &initialBranch)
{
    if (Status initialised = git::ensureInitialised(); !initialised) {
        return initialised.error();
    }
    git_repository_init_options options = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    options.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
    const QByteArray head = initialBranch.toUtf8();
    options.initial_head = head.constData();
    git_repository *raw = nullptr;
    const QByteArray native = QFile::encodeName(path);
    const int code = git_repository_init_ext(&raw, native.constData(), &options);
    if (code < 0) {
        return git::error(code, Tr::tr("Creating a git repository at %1").arg(path));
    }
    auto data = std::make_unique<Private>();
    data->repo.reset(raw);
    return GitRepository(std::move(data));
}

QString GitRepository::gitDir() const
{
    return stripSlash(git_repository_path(d->repo.get()));
}

QString GitRepository::commonDir() const
{
    return stripSlash(git_repository_commondir(d->repo.get()));
}

QString GitRepository::workDir() const
{
    const char *workdir = git_repository_workdir(d->repo.get());
    return workdir ? stripSlash(workdir) : QString();
}

bool GitRepository::isBare() const
{
    return git_repository_is_bare(d->repo.get()) == 1;
}

QString GitRepository::headBranch() const
{
    git_reference *raw = nullptr;
    if (git_reference_lookup(&raw, d->repo.get(), "HEAD") < 0) {
        return QString();
    }
    git::ReferencePtr head(raw);
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) {
        return QString();
    }
    QString target = QString::fromUtf8(git_reference_symbolic_target(head.get()));
    if (target.startsWith(u"refs/heads/")) {
        target = target.mid(11);
    }
    return target;
}

QString GitRepository::configValue(const QString &key) const
{
    git_config *raw = nullptr;
    if (git_repository_config_snapshot(&raw, d->repo.get()) < 0) {
        return QString();
    }
    git::ConfigPtr config(raw);
    const char *value = nullptr;
    if (git_config_get_string(&value, config.get(), key.toUtf8().constData()) == 0 && value) {
        return QString::fromUtf8(value);
    }
    return QString();
}

GitIdentity GitRepository::identity() const
{
    GitIdentity identity;
    // An explicit identity for decisions ("Name <email>") wins over the commit identity.
    static const QRegularExpression explicitIdentity(QStringLiteral("^\\s*(.*?)\\s*<([^<>]+)>\\s*$"));
    if (const auto match = explicitIdentity.match(configValue(QStringLiteral("astra.identity"))); match.hasMatch()) {
        identity.name = match.captured(1);
        identity.email = match.captured(2).trimmed();
        return identity;
    }
    identity.name = configValue(QStringLiteral("user.name"));
    identity.email = configValue(QStringLiteral("user.email"));
    return identity;
}

namespace {
// The checkpoint recorded by one commit of refs/astra/ledger; `parent` receives its parent, if any.
Result<LedgerCheckpoint> checkpointAt(git_repository *repo, const git_oid &commitId, std::optional<git_oid> *parent)
{
    git_commit *rawCommit = nullptr;
    int code = git_commit_lookup(&rawCommit, repo, &commitId);
    if (code < 0) {
        return git::error(code, Tr::tr("Reading the ledger checkpoint commit %1").arg(git::oidToString(commitId)));
    }
    git::CommitPtr commit(rawCommit);
    if (parent) {
        parent->reset();
        if (git_commit_parentcount(commit.get()) > 0) {
            *parent = *git_commit_parent_id(commit.get(), 0);
        }
    }
    git_tree *rawTree = nullptr;
    if ((code = git_commit_tree(&rawTree, commit.get())) < 0) {
        return git::error(code, Tr::tr("Reading the ledger checkpoint tree"));
    }
    git::TreePtr tree(rawTree);
    const git_tree_entry *entry = git_tree_entry_byname(tree.get(), checkpointFile);
    if (!entry || git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
        return makeError(Tr::tr("The ledger checkpoint commit %1 in %2 has no %3; the ref was overwritten by something "
                                "else. Inspect it with `git show %1`.")
                             .arg(git::oidToString(commitId), QLatin1String(ledgerRef), QLatin1String(checkpointFile)),
                         ErrorKind::Refused);
    }
    git_blob *rawBlob = nullptr;
    if ((code = git_blob_lookup(&rawBlob, repo, git_tree_entry_id(entry))) < 0) {
        return git::error(code, Tr::tr("Reading the ledger checkpoint"));
    }
    git::BlobPtr blob(rawBlob);
    const QByteArray content(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                             qsizetype(qMin<git_object_size_t>(git_blob_rawsize(blob.get()), 4096)));
    const QJsonObject object = QJsonDocument::fromJson(content).object();
    LedgerCheckpoint checkpoint;
    checkpoint.seq = qint64(object.value(QStringLiteral("seq")).toDouble());
    checkpoint.hash = object.value(QStringLiteral("hash")).toString();
    checkpoint.ts = object.value(QStringLiteral("ts")).toString();
    checkpoint.commit = git::oidToString(commitId);
    if (checkpoint.seq <= 0 || checkpoint.hash.size() != 64) {
        return makeError(
            Tr::tr("The ledger checkpoint in %1 (commit %2) is malformed: expected a seq and a sha256 hash.")
                .arg(QLatin1String(ledgerRef), checkpoint.commit),
            ErrorKind::Refused);
    }
    return checkpoint;
}
} // namespace

Result<std::optional<LedgerCheckpoint>> GitRepository::ledgerCheckpoint() const
{
    git_oid commitId;
    int code = git_reference_name_to_id(&commitId, d->repo.get(), ledgerRef);
    if (code == GIT_ENOTFOUND) {
        return std::optional<LedgerCheckpoint>();
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QLatin1String(ledgerRef)));
    }
    auto checkpoint = checkpointAt(d->repo.get(), commitId, nullptr);
    if (!checkpoint) {
        return checkpoint.error();
    }
    return std::optional<LedgerCheckpoint>(*checkpoint);
}

Result<QList<LedgerCheckpoint>> GitRepository::ledgerCheckpointHistory() const
{
    QList<LedgerCheckpoint> history;
    git_oid commitId;
    int code = git_reference_name_to_id(&commitId, d->repo.get(), ledgerRef);
    if (code == GIT_ENOTFOUND) {
        return history;
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QLatin1String(ledgerRef)));
    }
    std::optional<git_oid> next = commitId;
    while (next) {
        const git_oid current = *next;
        auto checkpoint = checkpointAt(d->repo.get(), current, &next);
        if (!checkpoint) {
            return checkpoint.error();
        }
        // A history is made by astra one entry at a time, so a chain that does not go down is
        // forged or looping; the caller reports it, and walking stops here.
        history.append(*checkpoint);
        if (history.size() > 1 && history.at(history.size() - 2).seq <= checkpoint->seq) {
            break;
        }
    }
    return history;
}

Result<LedgerCheckpoint> GitRepository::writeLedgerCheckpoint(qint64 seq, const QString &hash)
{
    auto existing = ledgerCheckpoint();
    if (!existing) {
        return existing.error();
    }
    if (*existing && (*existing)->seq >= seq) {
        return **existing;
    }
    git_repository *repo = d->repo.get();
    LedgerCheckpoint checkpoint;
    checkpoint.seq = seq;
    checkpoint.hash = hash;
    checkpoint.ts = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);

    QJsonObject object;
    object.insert(QStringLiteral("seq"), double(seq));
    object.insert(QStringLiteral("hash"), hash);
    object.insert(QStringLiteral("ts"), checkpoint.ts);
    const QByteArray content = QJsonDocument(object).toJson(QJsonDocument::Indented);

    int code = 0;
    git_oid blobId;
    if ((code = git_blob_create_from_buffer(&blobId, repo, content.constData(), size_t(content.size()))) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git_treebuilder *rawBuilder = nullptr;
    if ((code = git_treebuilder_new(&rawBuilder, repo, nullptr)) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git::TreeBuilderPtr builder(rawBuilder);
    if ((code = git_treebuilder_insert(nullptr, builder.get(), checkpointFile, &blobId, GIT_FILEMODE_BLOB)) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git_oid treeId;
    if ((code = git_treebuilder_write(&treeId, builder.get())) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git_tree *rawTree = nullptr;
    if ((code = git_tree_lookup(&rawTree, repo, &treeId)) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git::TreePtr tree(rawTree);

    git::CommitPtr parent;
    git_oid parentId;
    if (*existing) {
        if ((code = git_oid_fromstr(&parentId, (*existing)->commit.toLatin1().constData())) < 0) {
            return git::error(code, Tr::tr("Reading the previous ledger checkpoint"));
        }
        git_commit *rawParent = nullptr;
        if ((code = git_commit_lookup(&rawParent, repo, &parentId)) < 0) {
            return git::error(code, Tr::tr("Reading the previous ledger checkpoint"));
        }
        parent.reset(rawParent);
    }
    git_signature *rawSignature = nullptr;
    if ((code = git_signature_now(&rawSignature, "Astra Review", "astra@localhost")) < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint"));
    }
    git::SignaturePtr signature(rawSignature);
    const QByteArray message = QStringLiteral(
                                   "Astra ledger checkpoint at entry %1\n\nAstra-Ledger-Seq: %1\n"
                                   "Astra-Ledger-Hash: %2\n")
                                   .arg(seq)
                                   .arg(hash)
                                   .toUtf8();
    const git_commit *parents[] = {parent.get()};
    git_oid commitId;
    if ((code = git_commit_create(&commitId,
                                  repo,
                                  nullptr,
                                  signature.get(),
                                  signature.get(),
                                  "UTF-8",
                                  message.constData(),
                                  tree.get(),
                                  parent ? 1 : 0,
                                  parents))
        < 0) {
        return git::error(code, Tr::tr("Writing the ledger checkpoint commit"));
    }
    const QByteArray logMessage = QStringLiteral("astra: ledger checkpoint %1").arg(seq).toUtf8();
    git_reference *rawRef = nullptr;
    if (parent) {
        code = git_reference_create_matching(&rawRef, repo, ledgerRef, &commitId, 1, &parentId, logMessage.constData());
    } else {
        code = git_reference_create(&rawRef, repo, ledgerRef, &commitId, 0, logMessage.constData());
    }
    git::ReferencePtr ref(rawRef);
    if (code < 0) {
        return git::error(code,
                          Tr::tr("Moving %1 (someone else may have moved it at the same time; try again)")
                              .arg(QLatin1String(ledgerRef)));
    }
    checkpoint.commit = git::oidToString(commitId);
    qCDebug(lcLedger) << "checkpoint" << seq << "in" << checkpoint.commit;
    return checkpoint;
}

Result<QString> GitRepository::commitFiles(const QString &branch,
                                           const QMap<QString, QByteArray> &files,
                                           const QString &message,
                                           const GitIdentity &author)
{
    git_repository *repo = d->repo.get();
    int code = 0;
    const QByteArray refName = (QStringLiteral("refs/heads/") + branch).toUtf8();

    git_index *rawIndex = nullptr;
    if ((code = git_index_new(&rawIndex)) < 0) {
        return git::error(code, Tr::tr("Creating an index"));
    }
    git::IndexPtr index(rawIndex);

    git::CommitPtr parent;
    git_oid parentId;
    code = git_reference_name_to_id(&parentId, repo, refName.constData());
    if (code == 0) {
        git_commit *rawParent = nullptr;
        if ((code = git_commit_lookup(&rawParent, repo, &parentId)) < 0) {
            return git::error(code, Tr::tr("Reading branch %1").arg(branch));
        }
        parent.reset(rawParent);
        git_tree *rawTree = nullptr;
        if ((code = git_commit_tree(&rawTree, parent.get())) < 0) {
            return git::error(code, Tr::tr("Reading branch %1").arg(branch));
        }
        git::TreePtr parentTree(rawTree);
        if ((code = git_index_read_tree(index.get(), parentTree.get())) < 0) {
            return git::error(code, Tr::tr("Reading branch %1").arg(branch));
        }
    } else if (code != GIT_ENOTFOUND) {
        return git::error(code, Tr::tr("Reading branch %1").arg(branch));
    }

    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QByteArray path = it.key().toUtf8();
        if (it.value().isNull()) {
            if ((code = git_index_remove_bypath(index.get(), path.constData())) < 0) {
                return git::error(code, Tr::tr("Removing %1").arg(it.key()));
            }
            continue;
        }
        git_oid blobId;
        if ((code = git_blob_create_from_buffer(&blobId, repo, it.value().constData(), size_t(it.value().size())))
            < 0) {
            return git::error(code, Tr::tr("Writing %1").arg(it.key()));
        }
        git_index_entry entry{};
        entry.path = path.constData();
        entry.mode = GIT_FILEMODE_BLOB;
        entry.id = blobId;
        entry.file_size = quint32(it.value().size());
        if ((code = git_index_add(index.get(), &entry)) < 0) {
            return git::error(code, Tr::tr("Adding %1").arg(it.key()));
        }
    }
    git_oid treeId;
    if ((code = git_index_write_tree_to(&treeId, index.get(), repo)) < 0) {
        return git::error(code, Tr::tr("Writing the tree"));
    }
    git_tree *rawTree = nullptr;
    if ((code = git_tree_lookup(&rawTree, repo, &treeId)) < 0) {
        return git::error(code, Tr::tr("Writing the tree"));
    }
    git::TreePtr tree(rawTree);
    git_signature *rawSignature = nullptr;
    if ((code = git_signature_now(&rawSignature, author.name.toUtf8().constData(), author.email.toUtf8().constData()))
        < 0) {
        return git::error(code, Tr::tr("Creating the commit signature"));
    }
    git::SignaturePtr signature(rawSignature);
    const git_commit *parents[] = {parent.get()};
    git_oid commitId;
    const QByteArray messageBytes = message.toUtf8();
    if ((code = git_commit_create(&commitId,
                                  repo,
                                  refName.constData(),
                                  signature.get(),
                                  signature.get(),
                                  "UTF-8",
                                  messageBytes.constData(),
                                  tree.get(),
                                  parent ? 1 : 0,
                                  parents))
        < 0) {
        return git::error(code, Tr::tr("Committing on %1").arg(branch));
    }
    return git::oidToString(commitId);
}

Status GitRepository::checkoutHeadForce()
{
    git_checkout_options options = GIT_CHECKOUT_OPTIONS_INIT;
    options.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (const int code = git_checkout_head(d->repo.get(), &options); code < 0) {
        return git::error(code, Tr::tr("Checking out HEAD"));
    }
    return {};
}

Result<QList<QPair<QString, QString>>> GitRepository::branches(const QString &prefix) const
{
    QList<QPair<QString, QString>> result;
    git_reference_iterator *rawIterator = nullptr;
    const QByteArray glob = (QStringLiteral("refs/heads/") + prefix + u'*').toUtf8();
    int code = git_reference_iterator_glob_new(&rawIterator, d->repo.get(), glob.constData());
    if (code < 0) {
        return git::error(code, Tr::tr("Listing branches"));
    }
    std::unique_ptr<git_reference_iterator, git::Deleter<git_reference_iterator, git_reference_iterator_free>> iterator(
        rawIterator);
    git_reference *raw = nullptr;
    while ((code = git_reference_next(&raw, iterator.get())) == 0) {
        git::ReferencePtr reference(raw);
        const git_oid *target = git_reference_target(reference.get());
        if (target) {
            result.append({QString::fromUtf8(git_reference_name(reference.get())).mid(11), git::oidToString(*target)});
        }
    }
    if (code != GIT_ITEROVER) {
        return git::error(code, Tr::tr("Listing branches"));
    }
    return result;
}

Result<QString> GitRepository::commitMessage(const QString &commit) const
{
    auto object = git::lookupCommit(d->repo.get(), commit);
    if (!object) {
        return object.error();
    }
    return QString::fromUtf8(git_commit_message(object->get()));
}

Result<ChangeAuthor> GitRepository::commitAuthor(const QString &commit, bool committer) const
{
    auto object = git::lookupCommit(d->repo.get(), commit);
    if (!object) {
        return object.error();
    }
    const git_signature *signature = committer ? git_commit_committer(object->get()) : git_commit_author(object->get());
    ChangeAuthor author;
    author.name = QString::fromUtf8(signature->name);
    author.email = QString::fromUtf8(signature->email);
    author.time = qint64(signature->when.time);
    author.offsetMinutes = signature->when.offset;
    return author;
}

Result<QString> GitRepository::recommit(const QString &commit, const GitIdentity &committer, const QString &message)
{
    auto object = git::lookupCommit(d->repo.get(), commit);
    if (!object) {
        return object.error();
    }
    const QString writing = Tr::tr("Writing the merged commit of %1").arg(commit.left(12));
    git_tree *rawTree = nullptr;
    int code = git_commit_tree(&rawTree, object->get());
    if (code < 0) {
        return git::error(code, writing);
    }
    git::TreePtr tree(rawTree);
    std::vector<git::CommitPtr> parents;
    std::vector<const git_commit *> parentList;
    for (unsigned int i = 0; i < git_commit_parentcount(object->get()); ++i) {
        git_commit *rawParent = nullptr;
        if ((code = git_commit_parent(&rawParent, object->get(), i)) < 0) {
            return git::error(code, writing);
        }
        parents.emplace_back(rawParent);
        parentList.push_back(rawParent);
    }
    git_signature *rawCommitter = nullptr;
    const QByteArray name = committer.name.toUtf8();
    const QByteArray email = committer.email.toUtf8();
    if ((code = git_signature_now(&rawCommitter, name.constData(), email.constData())) < 0) {
        return git::error(code, writing);
    }
    git::SignaturePtr committerSignature(rawCommitter);
    return git::createCommit(d->repo.get(),
                             git_commit_author(object->get()),
                             committerSignature.get(),
                             message,
                             tree.get(),
                             parentList,
                             writing);
}

Result<bool> GitRepository::sameTreeAndParents(const QString &one, const QString &two) const
{
    auto first = git::lookupCommit(d->repo.get(), one);
    auto second = git::lookupCommit(d->repo.get(), two);
    if (auto failed = git::firstError(first, second)) {
        return *failed;
    }
    const unsigned int count = git_commit_parentcount(first->get());
    if (count != git_commit_parentcount(second->get())
        || !git_oid_equal(git_commit_tree_id(first->get()), git_commit_tree_id(second->get()))) {
        return false;
    }
    for (unsigned int i = 0; i < count; ++i) {
        if (!git_oid_equal(git_commit_parent_id(first->get(), i), git_commit_parent_id(second->get(), i))) {
            return false;
        }
    }
    return true;
}

Result<QString> GitRepository::commitTreeId(const QString &commit) const
{
    auto found = git::lookupCommit(d->repo.get(), commit);
    if (!found) {
        return found.error();
    }
    return git::oidToString(*git_commit_tree_id(found->get()));
}

Result<QStringList> GitRepository::commitParents(const QString &commit) const
{
    auto object = git::lookupCommit(d->repo.get(), commit);
    if (!object) {
        return object.error();
    }
    QStringList parents;
    for (unsigned int i = 0; i < git_commit_parentcount(object->get()); ++i) {
        parents.append(git::oidToString(*git_commit_parent_id(object->get(), i)));
    }
    return parents;
}

Result<bool> GitRepository::isAncestor(const QString &ancestor, const QString &commit) const
{
    auto older = git::lookupCommit(d->repo.get(), ancestor);
    auto newer = git::lookupCommit(d->repo.get(), commit);
    if (auto failed = git::firstError(older, newer)) {
        return *failed;
    }
    if (ancestor == commit) {
        return true;
    }
    const int code = git_graph_descendant_of(d->repo.get(), git_commit_id(newer->get()), git_commit_id(older->get()));
    if (code < 0) {
        return git::error(code, Tr::tr("Comparing the history of %1 and %2").arg(commit.left(12), ancestor.left(12)));
    }
    return code == 1;
}

Result<QStringList> GitRepository::firstParentHistory(const QString &commit, int limit) const
{
    QStringList history;
    QString current = commit;
    while (!current.isEmpty() && history.size() < limit) {
        history.append(current);
        auto parents = commitParents(current);
        if (!parents) {
            return parents.error();
        }
        current = parents->isEmpty() ? QString() : parents->constFirst();
    }
    return history;
}

git_repository *GitRepository::handle() const
{
    d->owner.check("a GitRepository");
    return d->repo.get();
}

Result<QString> GitRepository::branchCommit(const QString &branch) const
{
    git_oid id;
    const QByteArray ref = (QStringLiteral("refs/heads/") + branch).toUtf8();
    const int code = git_reference_name_to_id(&id, d->repo.get(), ref.constData());
    if (code == GIT_ENOTFOUND) {
        return makeError(Tr::tr("The branch '%1' does not exist in %2. Check [workspace] target_branch in .astra.toml "
                                "or create the branch.")
                             .arg(branch, workDir()),
                         ErrorKind::NotFound);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading branch %1").arg(branch));
    }
    return git::oidToString(id);
}

Result<QByteArray> GitRepository::readFile(const QString &commit, const QByteArray &path, qint64 maxBytes) const
{
    auto tree = git::commitTree(d->repo.get(), commit);
    if (!tree) {
        return tree.error();
    }
    git_tree_entry *rawEntry = nullptr;
    int code = git_tree_entry_bypath(&rawEntry, tree->get(), path.constData());
    if (code == GIT_ENOTFOUND) {
        return makeError(Tr::tr("%1 does not exist at commit %2.").arg(QString::fromUtf8(path), commit.left(12)),
                         ErrorKind::NotFound);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QString::fromUtf8(path)));
    }
    std::unique_ptr<git_tree_entry, git::Deleter<git_tree_entry, git_tree_entry_free>> entry(rawEntry);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) {
        return makeError(Tr::tr("%1 is not a file at commit %2.").arg(QString::fromUtf8(path), commit.left(12)),
                         ErrorKind::Invalid);
    }
    if (maxBytes >= 0) {
        git_odb *rawOdb = nullptr;
        if ((code = git_repository_odb(&rawOdb, d->repo.get())) < 0) {
            return git::error(code, Tr::tr("Reading %1").arg(QString::fromUtf8(path)));
        }
        const std::unique_ptr<git_odb, git::Deleter<git_odb, git_odb_free>> odb(rawOdb);
        size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if ((code = git_odb_read_header(&size, &type, odb.get(), git_tree_entry_id(entry.get()))) < 0) {
            return git::error(code, Tr::tr("Reading the size of %1").arg(QString::fromUtf8(path)));
        }
        if (qint64(size) > maxBytes) {
            return makeError(Tr::tr("%1 at commit %2 is %3 bytes, more than the %4 bytes read for it.")
                                 .arg(QString::fromUtf8(path), commit.left(12))
                                 .arg(qint64(size))
                                 .arg(maxBytes),
                             ErrorKind::Invalid);
        }
    }
    git_blob *rawBlob = nullptr;
    if ((code = git_blob_lookup(&rawBlob, d->repo.get(), git_tree_entry_id(entry.get()))) < 0) {
        return git::error(code, Tr::tr("Reading %1").arg(QString::fromUtf8(path)));
    }
    git::BlobPtr blob(rawBlob);
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                      qsizetype(git_blob_rawsize(blob.get())));
}

Status GitRepository::createBranch(const QString &branch, const QString &commit, const QString &logMessage)
{
    git_oid id;
    int code = git_oid_fromstr(&id, commit.toLatin1().constData());
    if (code < 0) {
        return git::error(code, Tr::tr("Creating branch %1").arg(branch));
    }
    const QByteArray ref = (QStringLiteral("refs/heads/") + branch).toUtf8();
    const QByteArray log = logMessage.toUtf8();
    git_reference *raw = nullptr;
    code = git_reference_create(&raw, d->repo.get(), ref.constData(), &id, 0, log.constData());
    git::ReferencePtr created(raw);
    if (code == GIT_EEXISTS) {
        return makeError(Tr::tr("The branch %1 already exists; refusing to overwrite it.").arg(branch),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Creating branch %1").arg(branch));
    }
    return {};
}

Status GitRepository::deleteBranch(const QString &branch, const QString &expectedCommit)
{
    const QByteArray ref = (QStringLiteral("refs/heads/") + branch).toUtf8();
    git_reference *raw = nullptr;
    int code = git_reference_lookup(&raw, d->repo.get(), ref.constData());
    if (code == GIT_ENOTFOUND) {
        return {};
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading branch %1").arg(branch));
    }
    git::ReferencePtr reference(raw);
    const git_oid *target = git_reference_target(reference.get());
    if (!target || git::oidToString(*target) != expectedCommit) {
        return makeError(Tr::tr("The branch %1 was moved since Astra Review created it (now at %2); it was kept.")
                             .arg(branch, target ? git::oidToString(*target).left(12) : QStringLiteral("?")),
                         ErrorKind::Conflict);
    }
    if ((code = git_reference_delete(reference.get())) < 0) {
        return git::error(code, Tr::tr("Deleting branch %1").arg(branch));
    }
    return {};
}

QString libgit2Version()
{
    int major = 0;
    int minor = 0;
    int revision = 0;
    git_libgit2_version(&major, &minor, &revision);
    return QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(revision);
}

bool isValidBranchName(const QString &name)
{
    if (!git::ensureInitialised()) {
        return false;
    }
    int valid = 0;
    const QByteArray utf8 = name.toUtf8();
    if (utf8.contains('\0') || git_branch_name_is_valid(&valid, utf8.constData()) < 0) {
        return false;
    }
    return valid != 0;
}

} // namespace astra
