#include "git/modificationwriter.h"

#include "git/git.h"
#include "git/gitrepository.h"
#include "git/renames.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::ModificationWriter)
};

using TreeEntryPtr = std::unique_ptr<git_tree_entry, git::Deleter<git_tree_entry, git_tree_entry_free>>;
using git::DiffPtr;
using git::PatchPtr;

struct WalkPayload
{
    BaseTreeFacts *facts;
};

int collectSpecialEntries(const char *root, const git_tree_entry *entry, void *payload)
{
    auto *facts = static_cast<WalkPayload *>(payload)->facts;
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_LINK || mode == GIT_FILEMODE_COMMIT) {
        const QByteArray path = QByteArray(root) + git_tree_entry_name(entry);
        (mode == GIT_FILEMODE_LINK ? facts->symlinks : facts->submodules).insert(path);
    }
    return 0;
}

// The mode of `path` in `tree`, 0 when absent.
quint32 modeAt(git_tree *tree, const QByteArray &path)
{
    git_tree_entry *raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree, path.constData()) != 0) {
        return 0;
    }
    TreeEntryPtr entry(raw);
    return quint32(git_tree_entry_filemode(entry.get()));
}

// The size of a blob from its object header: nothing is inflated.
qint64 blobSize(git_repository *repo, const git_oid &id)
{
    git_odb *raw = nullptr;
    if (git_repository_odb(&raw, repo) != 0) {
        return 0;
    }
    const std::unique_ptr<git_odb, git::Deleter<git_odb, git_odb_free>> odb(raw);
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    return git_odb_read_header(&size, &type, odb.get(), &id) == 0 ? qint64(size) : 0;
}

int countAssertions(const QByteArray &text)
{
    static const QRegularExpression pattern(
        QStringLiteral(
            R"(\b(assert\w*|ASSERT_\w+|EXPECT_\w+|QVERIFY\w*|QCOMPARE|QTRY_\w+|CHECK\w*|REQUIRE\w*|expect)\s*\()"
            // Python's assert statement: `assert x == y`, no parenthesis needed.
            R"(|^[ \t]*assert\b(?!\s*\())"),
        QRegularExpression::MultilineOption);
    int count = 0;
    auto it = pattern.globalMatch(QString::fromUtf8(text));
    while (it.hasNext()) {
        it.next();
        ++count;
    }
    return count;
}

QString describeViolations(const QList<PolicyViolation> &violations)
{
    QStringList lines;
    for (const PolicyViolation &violation : violations) {
        lines.append(violation.message);
    }
    return Tr::tr("The path policy refused the change; nothing was written:\n%1").arg(lines.join(u'\n'));
}
} // namespace

bool isAutoRunFile(const QString &path)
{
    static const QStringList names = {QStringLiteral("conftest.py"),
                                      QStringLiteral("setup.py"),
                                      QStringLiteral("setup.cfg"),
                                      QStringLiteral("pyproject.toml"),
                                      QStringLiteral("tox.ini"),
                                      QStringLiteral("noxfile.py"),
                                      QStringLiteral("pytest.ini"),
                                      QStringLiteral("CMakeLists.txt"),
                                      QStringLiteral("CMakePresets.json"),
                                      QStringLiteral("meson.build"),
                                      QStringLiteral(".envrc"),
                                      QStringLiteral("Makefile"),
                                      QStringLiteral("makefile"),
                                      QStringLiteral("GNUmakefile"),
                                      QStringLiteral("package.json"),
                                      QStringLiteral("build.rs"),
                                      QStringLiteral("Cargo.toml"),
                                      QStringLiteral("go.mod")};
    // Files that run where they lie: CI definitions, hooks managers, editor tasks, interpreter
    // start-up files, package managers' settings.
    static const QStringList paths = {QStringLiteral(".gitlab-ci.yml"),
                                      QStringLiteral(".travis.yml"),
                                      QStringLiteral("azure-pipelines.yml"),
                                      QStringLiteral("bitbucket-pipelines.yml"),
                                      QStringLiteral(".pre-commit-config.yaml"),
                                      QStringLiteral(".vscode/tasks.json"),
                                      QStringLiteral(".vscode/settings.json"),
                                      QStringLiteral(".cargo/config"),
                                      QStringLiteral(".cargo/config.toml")};
    static const QStringList prefixes = {QStringLiteral(".github/workflows/"),
                                         QStringLiteral(".github/actions/"),
                                         QStringLiteral(".circleci/"),
                                         QStringLiteral(".husky/"),
                                         QStringLiteral(".githooks/")};
    static const QStringList anywhere = {QStringLiteral("Jenkinsfile"),
                                         QStringLiteral("sitecustomize.py"),
                                         QStringLiteral("usercustomize.py"),
                                         QStringLiteral(".npmrc"),
                                         QStringLiteral(".yarnrc"),
                                         QStringLiteral(".yarnrc.yml"),
                                         QStringLiteral(".pypirc")};
    const QString name = QFileInfo(path).fileName();
    for (const QString &prefix : prefixes) {
        if (path.startsWith(prefix)) {
            return true;
        }
    }
    return names.contains(name) || anywhere.contains(name) || paths.contains(path)
        || name.endsWith(QStringLiteral(".cmake")) || name.endsWith(QStringLiteral(".mk"))
        || name.endsWith(QStringLiteral(".pth"));
}

bool isTestFile(const QString &path)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"((^|/)(tests?|testing|__tests__|spec)/|(^|/)(test_[^/]*|[^/]*_test\.[^/]*|[^/]*_tests?\.[^/]*|tst_[^/]*|[^/]*\.(test|spec)\.[^/]*|[^/]*Tests?\.[^/]*)$)"));
    return pattern.match(path).hasMatch();
}

ModificationWriter::ModificationWriter(GitRepository &repo, const PathPolicy &policy)
    : m_repo(repo)
    , m_policy(policy)
{}

Result<PreparedModification>
ModificationWriter::prepare(const QString &baseCommit, const ChangeSet &changes, QList<PolicyViolation> *violations)
{
    git_repository *repo = m_repo.handle();
    if (changes.files.isEmpty()) {
        return makeError(Tr::tr("The change set has no files; there is nothing to write."), ErrorKind::Invalid);
    }
    auto baseTree = git::commitTree(repo, baseCommit);
    if (!baseTree) {
        return baseTree.error();
    }

    BaseTreeFacts facts;
    WalkPayload payload{&facts};
    if (const int code = git_tree_walk(baseTree->get(), GIT_TREEWALK_PRE, collectSpecialEntries, &payload); code < 0) {
        return git::error(code, Tr::tr("Reading the base tree"));
    }

    // First check: the request as asked, before any object is written.
    QList<PathChange> requested;
    for (const FileChange &file : changes.files) {
        PathChange change;
        change.path = file.path;
        change.oldMode = modeAt(baseTree->get(), file.path);
        switch (file.kind) {
        case FileChange::Kind::Write:
            change.kind = change.oldMode == 0 ? PathChange::Kind::Add : PathChange::Kind::Modify;
            change.newMode = file.mode;
            change.newSize = file.content.size();
            break;
        case FileChange::Kind::Delete:
            change.kind = PathChange::Kind::Delete;
            if (change.oldMode == 0) {
                return makeError(Tr::tr("%1 cannot be deleted: it does not exist at the base commit %2.")
                                     .arg(quotedPath(file.path), baseCommit.left(12)),
                                 ErrorKind::Invalid);
            }
            break;
        case FileChange::Kind::Rename:
            change.kind = PathChange::Kind::Rename;
            change.oldPath = file.oldPath;
            change.oldMode = modeAt(baseTree->get(), file.oldPath);
            if (change.oldMode == 0) {
                return makeError(Tr::tr("%1 cannot be renamed: it does not exist at the base commit %2.")
                                     .arg(QString::fromUtf8(file.oldPath), baseCommit.left(12)),
                                 ErrorKind::Invalid);
            }
            change.newMode = file.hasContent ? file.mode : change.oldMode;
            change.newSize = file.content.size();
            break;
        }
        requested.append(change);
    }
    QList<PolicyViolation> refused = m_policy.checkChanges(requested, facts);
    if (!refused.isEmpty()) {
        if (violations) {
            *violations = refused;
        }
        return makeError(describeViolations(refused), ErrorKind::Refused);
    }

    // Build the new tree in an in-memory index that starts from the base tree.
    git_index *rawIndex = nullptr;
    int code = git_index_new(&rawIndex);
    if (code < 0) {
        return git::error(code, Tr::tr("Creating an index"));
    }
    git::IndexPtr index(rawIndex);
    if ((code = git_index_read_tree(index.get(), baseTree->get())) < 0) {
        return git::error(code, Tr::tr("Reading the base tree"));
    }
    for (const FileChange &file : changes.files) {
        if (file.kind == FileChange::Kind::Delete || file.kind == FileChange::Kind::Rename) {
            const QByteArray &gone = file.kind == FileChange::Kind::Delete ? file.path : file.oldPath;
            const git_index_entry *old = git_index_get_bypath(index.get(), gone.constData(), 0);
            git_oid oldId{};
            if (old) {
                git_oid_cpy(&oldId, &old->id);
            }
            if ((code = git_index_remove_bypath(index.get(), gone.constData())) < 0) {
                return git::error(code, Tr::tr("Removing %1").arg(QString::fromUtf8(gone)));
            }
            if (file.kind == FileChange::Kind::Delete) {
                continue;
            }
            if (!file.hasContent) {
                git_index_entry entry{};
                entry.path = file.path.constData();
                entry.mode = modeAt(baseTree->get(), file.oldPath);
                entry.id = oldId;
                if ((code = git_index_add(index.get(), &entry)) < 0) {
                    return git::error(code, Tr::tr("Adding %1").arg(quotedPath(file.path)));
                }
                continue;
            }
        }
        git_oid blobId;
        if ((code = git_blob_create_from_buffer(&blobId, repo, file.content.constData(), size_t(file.content.size())))
            < 0) {
            return git::error(code, Tr::tr("Writing %1").arg(quotedPath(file.path)));
        }
        git_index_entry entry{};
        entry.path = file.path.constData();
        entry.mode = file.mode;
        entry.id = blobId;
        if ((code = git_index_add(index.get(), &entry)) < 0) {
            return git::error(code, Tr::tr("Adding %1").arg(quotedPath(file.path)));
        }
    }
    git_oid treeId;
    if ((code = git_index_write_tree_to(&treeId, index.get(), repo)) < 0) {
        return git::error(code, Tr::tr("Writing the tree"));
    }
    git_tree *rawNewTree = nullptr;
    if ((code = git_tree_lookup(&rawNewTree, repo, &treeId)) < 0) {
        return git::error(code, Tr::tr("Writing the tree"));
    }
    git::TreePtr newTree(rawNewTree);
    return checkTree(baseCommit, baseTree->get(), newTree.get(), facts, violations);
}

Result<PreparedModification>
ModificationWriter::prepareTree(const QString &baseCommit, const QString &tree, QList<PolicyViolation> *violations)
{
    git_repository *repo = m_repo.handle();
    auto baseTree = git::commitTree(repo, baseCommit);
    if (!baseTree) {
        return baseTree.error();
    }
    BaseTreeFacts facts;
    WalkPayload payload{&facts};
    if (const int code = git_tree_walk(baseTree->get(), GIT_TREEWALK_PRE, collectSpecialEntries, &payload); code < 0) {
        return git::error(code, Tr::tr("Reading the base tree"));
    }
    git_oid treeId;
    git_tree *rawTree = nullptr;
    if (git_oid_fromstr(&treeId, tree.toLatin1().constData()) < 0 || git_tree_lookup(&rawTree, repo, &treeId) < 0) {
        return makeError(Tr::tr("The tree %1 is not in the repository.").arg(tree), ErrorKind::NotFound);
    }
    git::TreePtr newTree(rawTree);
    return checkTree(baseCommit, baseTree->get(), newTree.get(), facts, violations);
}

Result<PreparedModification> ModificationWriter::checkTree(const QString &baseCommit,
                                                           git_tree *baseTree,
                                                           git_tree *newTree,
                                                           const BaseTreeFacts &facts,
                                                           QList<PolicyViolation> *violations)
{
    git_repository *repo = m_repo.handle();
    const git_oid treeId = *git_tree_id(newTree);
    int code = 0;
    if (git_oid_equal(&treeId, git_tree_id(baseTree))) {
        return makeError(Tr::tr("The change set leaves every file as it is at %1; there is nothing to review.")
                             .arg(baseCommit.left(12)),
                         ErrorKind::Invalid);
    }

    // Second, authoritative check: the final tree diff, whatever produced it.
    git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
    git_diff *rawDiff = nullptr;
    if ((code = git_diff_tree_to_tree(&rawDiff, repo, baseTree, newTree, &diffOptions)) < 0) {
        return git::error(code, Tr::tr("Comparing the trees"));
    }
    DiffPtr diff(rawDiff);
    if (Status renamed = git::findAndApplyRenames(repo, diff.get()); !renamed) {
        return renamed.error();
    }

    PreparedModification prepared;
    prepared.baseCommit = baseCommit;
    prepared.tree = git::oidToString(treeId);
    QList<PathChange> finalChanges;
    const size_t deltas = git_diff_num_deltas(diff.get());
    for (size_t i = 0; i < deltas; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        PathChange change;
        change.path = QByteArray(delta->new_file.path ? delta->new_file.path : delta->old_file.path);
        change.oldMode = delta->old_file.mode;
        change.newMode = delta->new_file.mode;
        ModificationFile file;
        file.path = QString::fromUtf8(change.path);
        file.mode = delta->new_file.mode;
        switch (delta->status) {
        case GIT_DELTA_ADDED:
            change.kind = PathChange::Kind::Add;
            file.change = QStringLiteral("added");
            break;
        case GIT_DELTA_DELETED:
            change.kind = PathChange::Kind::Delete;
            change.path = QByteArray(delta->old_file.path);
            file.path = QString::fromUtf8(change.path);
            file.change = QStringLiteral("deleted");
            break;
        case GIT_DELTA_RENAMED:
            change.kind = PathChange::Kind::Rename;
            change.oldPath = QByteArray(delta->old_file.path);
            file.oldPath = QString::fromUtf8(change.oldPath);
            file.change = QStringLiteral("renamed");
            break;
        default:
            change.kind = PathChange::Kind::Modify;
            file.change = QStringLiteral("modified");
            break;
        }
        if (delta->status != GIT_DELTA_DELETED) {
            change.newSize = blobSize(repo, delta->new_file.id);
            file.newBlob = git::oidToString(delta->new_file.id);
        }
        if (delta->status != GIT_DELTA_ADDED) {
            file.oldBlob = git::oidToString(delta->old_file.id);
        }
        finalChanges.append(change);

        git_patch *rawPatch = nullptr;
        if (git_patch_from_diff(&rawPatch, diff.get(), i) == 0 && rawPatch) {
            PatchPtr patch(rawPatch);
            size_t context = 0;
            size_t additions = 0;
            size_t deletions = 0;
            if (git_patch_line_stats(&context, &additions, &deletions, patch.get()) == 0) {
                file.additions = int(additions);
                file.deletions = int(deletions);
            }
        }

        // Reviewer flags.
        if (isAutoRunFile(file.path) || (!file.oldPath.isEmpty() && isAutoRunFile(file.oldPath))) {
            file.flags.append(QStringLiteral("auto_run_file"));
        }
        if (isTestFile(file.path) || (!file.oldPath.isEmpty() && isTestFile(file.oldPath))) {
            file.flags.append(QStringLiteral("test_file"));
            if (delta->status == GIT_DELTA_DELETED) {
                file.flags.append(QStringLiteral("test_deleted"));
            } else if (delta->status != GIT_DELTA_ADDED) {
                auto before = m_repo.readFile(baseCommit, delta->old_file.path);
                QByteArray after;
                git_blob *rawBlob = nullptr;
                if (git_blob_lookup(&rawBlob, repo, &delta->new_file.id) == 0) {
                    git::BlobPtr blob(rawBlob);
                    after = QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                       qsizetype(git_blob_rawsize(blob.get())));
                }
                if (before && countAssertions(after) < countAssertions(*before)) {
                    file.flags.append(QStringLiteral("test_weakened"));
                }
            }
        }
        // Changed ignore rules hide files from `git status` and from review.
        if (QFileInfo(file.path).fileName() == u".gitignore"
            || (!file.oldPath.isEmpty() && QFileInfo(file.oldPath).fileName() == u".gitignore")) {
            file.flags.append(QStringLiteral("ignore_rules_changed"));
        }
        if (delta->new_file.mode == GIT_FILEMODE_BLOB_EXECUTABLE
            && delta->old_file.mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
            file.flags.append(QStringLiteral("exec_bit_set"));
        }
        for (const QString &flag : std::as_const(file.flags)) {
            const QString tagged = flag + u':' + file.path;
            if (flag != u"test_file" && !prepared.flags.contains(tagged)) {
                prepared.flags.append(tagged);
            }
        }
        prepared.files.append(file);
    }
    const QList<PolicyViolation> refused = m_policy.checkChanges(finalChanges, facts);
    if (!refused.isEmpty()) {
        if (violations) {
            *violations = refused;
        }
        return makeError(describeViolations(refused), ErrorKind::Refused);
    }
    return prepared;
}

Result<QString> ModificationWriter::commit(const PreparedModification &prepared,
                                           const QString &message,
                                           const std::optional<ChangeAuthor> &author)
{
    git_repository *repo = m_repo.handle();
    git_oid treeId;
    int code = git_oid_fromstr(&treeId, prepared.tree.toLatin1().constData());
    if (code < 0) {
        return git::error(code, Tr::tr("Writing the commit"));
    }
    git_tree *rawTree = nullptr;
    if ((code = git_tree_lookup(&rawTree, repo, &treeId)) < 0) {
        return git::error(code, Tr::tr("Writing the commit"));
    }
    git::TreePtr tree(rawTree);
    auto parent = git::lookupCommit(repo, prepared.baseCommit);
    if (!parent) {
        return parent.error();
    }
    git_signature *rawSignature = nullptr;
    // An imported change was written by its author and only committed here; the rest by the agent.
    if ((code = git_signature_now(&rawSignature, author ? "Astra Review" : "Astra Review agent", "astra@localhost"))
        < 0) {
        return git::error(code, Tr::tr("Writing the commit"));
    }
    git::SignaturePtr signature(rawSignature);
    git::SignaturePtr authorSignature;
    if (author) {
        git_signature *rawAuthor = nullptr;
        const QByteArray name = author->name.toUtf8();
        const QByteArray email = author->email.toUtf8();
        code = author->time > 0 ? git_signature_new(&rawAuthor,
                                                    name.constData(),
                                                    email.constData(),
                                                    git_time_t(author->time),
                                                    author->offsetMinutes)
                                : git_signature_now(&rawAuthor, name.constData(), email.constData());
        if (code < 0) {
            return git::error(code, Tr::tr("Writing the commit of %1 <%2>").arg(author->name, author->email));
        }
        authorSignature.reset(rawAuthor);
    }
    return git::createCommit(repo,
                             authorSignature ? authorSignature.get() : signature.get(),
                             signature.get(),
                             message,
                             tree.get(),
                             {parent->get()},
                             Tr::tr("Writing the commit"));
}

} // namespace astra
