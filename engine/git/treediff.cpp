#include "git/treediff.h"

#include "git/git.h"
#include "git/gitrepository.h"
#include "git/renames.h"

#include <QCoreApplication>

#include <dtl/dtl.hpp>
#include <vector>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::TreeDiff)
};

using git::DiffPtr;
using git::PatchPtr;
using OdbPtr = std::unique_ptr<git_odb, git::Deleter<git_odb, git_odb_free>>;

QString changeName(git_delta_t status)
{
    switch (status) {
    case GIT_DELTA_ADDED:
        return QStringLiteral("added");
    case GIT_DELTA_DELETED:
        return QStringLiteral("deleted");
    case GIT_DELTA_RENAMED:
        return QStringLiteral("renamed");
    case GIT_DELTA_COPIED:
        return QStringLiteral("copied");
    case GIT_DELTA_TYPECHANGE:
        return QStringLiteral("typechange");
    default:
        return QStringLiteral("modified");
    }
}

qint64 objectSize(git_odb *odb, const git_oid &id)
{
    if (git_oid_is_zero(&id)) {
        return 0;
    }
    size_t size = 0;
    git_object_t type = GIT_OBJECT_ANY;
    if (git_odb_read_header(&size, &type, odb, &id) < 0) {
        return 0;
    }
    return qint64(size);
}

QString lineText(const git_diff_line *line)
{
    qsizetype length = qsizetype(line->content_len);
    while (length > 0 && (line->content[length - 1] == '\n' || line->content[length - 1] == '\r')) {
        --length;
    }
    return QString::fromUtf8(line->content, length);
}

enum class TokenClass
{
    Word,
    Space,
    Other,
};

TokenClass classOf(QChar c)
{
    if (c.isLetterOrNumber() || c == u'_') {
        return TokenClass::Word;
    }
    return c.isSpace() ? TokenClass::Space : TokenClass::Other;
}

// Intra-line ranges of a removed line `a` and its replacement `b`, by token.
void intraLine(DiffLine &a, DiffLine &b)
{
    const QList<QStringView> left = diffTokens(a.text);
    const QList<QStringView> right = diffTokens(b.text);
    const std::vector<QStringView> x(left.begin(), left.end());
    const std::vector<QStringView> y(right.begin(), right.end());
    dtl::Diff<QStringView, std::vector<QStringView>> diff(x, y);
    diff.compose();
    auto offsetOf = [](const QString &text, QStringView token) {
        return int(token.data() - text.constData());
    };
    auto add = [](QVector<CharRange> &ranges, int start, int length) {
        if (!ranges.isEmpty() && ranges.last().start + ranges.last().length == start) {
            ranges.last().length += length;
        } else {
            ranges.append({start, length});
        }
    };
    QVector<CharRange> removed;
    QVector<CharRange> added;
    for (const auto &[token, info] : diff.getSes().getSequence()) {
        if (info.type == dtl::SES_DELETE) {
            add(removed, offsetOf(a.text, x[size_t(info.beforeIdx - 1)]), int(token.size()));
        } else if (info.type == dtl::SES_ADD) {
            add(added, offsetOf(b.text, y[size_t(info.afterIdx - 1)]), int(token.size()));
        }
    }
    // A line rewritten almost completely reads better without marks.
    auto marked = [](const QVector<CharRange> &ranges) {
        int total = 0;
        for (const CharRange &range : ranges) {
            total += range.length;
        }
        return total;
    };
    const bool rewritten = marked(removed) * 10 > a.text.size() * 7 && marked(added) * 10 > b.text.size() * 7;
    if (!rewritten) {
        a.changed = removed;
        b.changed = added;
    }
}
} // namespace

QList<QStringView> diffTokens(QStringView line)
{
    QList<QStringView> tokens;
    qsizetype i = 0;
    while (i < line.size()) {
        const TokenClass kind = classOf(line.at(i));
        qsizetype end = i + 1;
        if (kind != TokenClass::Other) {
            while (end < line.size() && classOf(line.at(end)) == kind) {
                ++end;
            }
        }
        tokens.append(line.mid(i, end - i));
        i = end;
    }
    return tokens;
}

void annotateIntraLine(DiffHunk &hunk, int maxLineLength)
{
    QList<DiffLine> &lines = hunk.lines;
    int i = 0;
    while (i < lines.size()) {
        if (lines.at(i).origin != '-') {
            ++i;
            continue;
        }
        const int removedStart = i;
        while (i < lines.size() && lines.at(i).origin == '-') {
            ++i;
        }
        const int addedStart = i;
        while (i < lines.size() && lines.at(i).origin == '+') {
            ++i;
        }
        const int pairs = std::min(addedStart - removedStart, i - addedStart);
        for (int k = 0; k < pairs; ++k) {
            DiffLine &a = lines[removedStart + k];
            DiffLine &b = lines[addedStart + k];
            a.pair = addedStart + k;
            b.pair = removedStart + k;
            if (a.text.size() <= maxLineLength && b.text.size() <= maxLineLength) {
                intraLine(a, b);
            }
        }
    }
}

namespace git {

Result<DiffPtr>
reviewDiff(git_repository *repo, const git_tree *from, const git_tree *to, int contextLines, bool binary)
{
    git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
    diffOptions.context_lines = uint32_t(std::max(0, contextLines));
    diffOptions.flags = GIT_DIFF_INCLUDE_TYPECHANGE | (binary ? GIT_DIFF_SHOW_BINARY : 0);
    git_diff *rawDiff = nullptr;
    int code =
        git_diff_tree_to_tree(&rawDiff, repo, const_cast<git_tree *>(from), const_cast<git_tree *>(to), &diffOptions);
    if (code < 0) {
        return git::error(code, Tr::tr("Comparing two trees"));
    }
    DiffPtr diff(rawDiff);
    if (Status renamed = findAndApplyRenames(repo, diff.get()); !renamed) {
        return renamed.error();
    }
    return diff;
}

Status readPatch(git_patch *patch, FileDiff &file, int maxIntraLineLength)
{
    int code = 0;
    const size_t hunks = git_patch_num_hunks(patch);
    for (size_t h = 0; h < hunks; ++h) {
        const git_diff_hunk *rawHunk = nullptr;
        size_t lines = 0;
        if ((code = git_patch_get_hunk(&rawHunk, &lines, patch, h)) < 0) {
            return git::error(code, Tr::tr("Reading the changes of %1").arg(file.path));
        }
        DiffHunk hunk;
        hunk.oldStart = rawHunk->old_start;
        hunk.oldLines = rawHunk->old_lines;
        hunk.newStart = rawHunk->new_start;
        hunk.newLines = rawHunk->new_lines;
        hunk.header = QString::fromUtf8(rawHunk->header, qsizetype(rawHunk->header_len)).trimmed();
        hunk.lines.reserve(qsizetype(lines));
        for (size_t l = 0; l < lines; ++l) {
            const git_diff_line *rawLine = nullptr;
            if ((code = git_patch_get_line_in_hunk(&rawLine, patch, h, l)) < 0) {
                return git::error(code, Tr::tr("Reading the changes of %1").arg(file.path));
            }
            switch (rawLine->origin) {
            case GIT_DIFF_LINE_CONTEXT:
            case GIT_DIFF_LINE_ADDITION:
            case GIT_DIFF_LINE_DELETION: {
                DiffLine line;
                line.origin = rawLine->origin == GIT_DIFF_LINE_CONTEXT
                    ? ' '
                    : (rawLine->origin == GIT_DIFF_LINE_ADDITION ? '+' : '-');
                line.oldNo = std::max(0, rawLine->old_lineno);
                line.newNo = std::max(0, rawLine->new_lineno);
                line.text = lineText(rawLine);
                if (line.origin == '+') {
                    ++file.additions;
                } else if (line.origin == '-') {
                    ++file.deletions;
                }
                hunk.lines.append(std::move(line));
                break;
            }
            case GIT_DIFF_LINE_DEL_EOFNL:
                file.oldEndsWithoutNewline = true;
                break;
            case GIT_DIFF_LINE_ADD_EOFNL:
                file.newEndsWithoutNewline = true;
                break;
            case GIT_DIFF_LINE_CONTEXT_EOFNL:
                file.oldEndsWithoutNewline = true;
                file.newEndsWithoutNewline = true;
                break;
            default:
                break;
            }
        }
        annotateIntraLine(hunk, maxIntraLineLength);
        hunk.key = hunkContentKey(file, hunk);
        file.hunks.append(std::move(hunk));
    }
    return {};
}

} // namespace git

namespace {
QString idText(const git_oid &id)
{
    return git_oid_is_zero(&id) ? QString() : git::oidToString(id);
}

// Where the file sorts in the list: by the path it has after the change (the old one for a
// deletion), as libgit2 orders a diff's deltas.
QString sortPath(const FileDiff &file)
{
    return file.change == u"deleted" ? file.oldPath : file.path;
}

Result<git::BlobPtr> blobOf(git_repository *repo, const QString &id)
{
    if (id.isEmpty()) {
        return git::BlobPtr();
    }
    git_oid oid;
    git_blob *raw = nullptr;
    int code = git_oid_fromstr(&oid, id.toLatin1().constData());
    if (code == 0) {
        code = git_blob_lookup(&raw, repo, &oid);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading the blob %1").arg(id));
    }
    return git::BlobPtr(raw);
}
} // namespace

Result<TreeDiff> diffOutline(GitRepository &repo,
                             const QString &fromCommit,
                             const QString &toCommit,
                             RenameDetection renames,
                             const TreeDiffOptions &options)
{
    git_repository *handle = repo.handle();
    auto fromTree = git::commitTree(handle, fromCommit);
    auto toTree = git::commitTree(handle, toCommit);
    if (auto failed = git::firstError(fromTree, toTree)) {
        return *failed;
    }
    git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
    diffOptions.flags = GIT_DIFF_INCLUDE_TYPECHANGE;
    git_diff *rawDiff = nullptr;
    if (const int code = git_diff_tree_to_tree(&rawDiff, handle, fromTree->get(), toTree->get(), &diffOptions);
        code < 0) {
        return git::error(code, Tr::tr("Comparing two trees"));
    }
    DiffPtr diff(rawDiff);
    git::RenameOptions renameOptions;
    if (renames == RenameDetection::Exact) {
        renameOptions.minimumScore = git::renameMaxScore;
    }
    auto found = git::findRenames(handle, diff.get(), renameOptions);
    if (!found) {
        return found.error();
    }
    const size_t count = git_diff_num_deltas(diff.get());
    std::vector<int> pairOfTarget(count, -1);
    std::vector<bool> isSource(count, false);
    for (int p = 0; p < found->pairs.size(); ++p) {
        pairOfTarget[found->pairs.at(p).target] = p;
        isSource[found->pairs.at(p).source] = true;
    }
    TreeDiff result;
    result.fromCommit = fromCommit;
    result.toCommit = toCommit;
    result.maxFileBytes = options.maxFileBytes;
    result.renamesFound = renames == RenameDetection::Git;
    result.files.reserve(qsizetype(count - size_t(found->pairs.size())));
    for (size_t index = 0; index < count; ++index) {
        if (isSource[index]) {
            continue;
        }
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), index);
        FileDiff file;
        file.loaded = false;
        file.path = QString::fromUtf8(delta->status == GIT_DELTA_DELETED ? delta->old_file.path : delta->new_file.path);
        file.oldPath = QString::fromUtf8(delta->old_file.path);
        file.change = changeName(delta->status);
        file.oldMode = delta->status == GIT_DELTA_ADDED ? 0 : delta->old_file.mode;
        file.newMode = delta->status == GIT_DELTA_DELETED ? 0 : delta->new_file.mode;
        file.oldId = delta->status == GIT_DELTA_ADDED ? QString() : idText(delta->old_file.id);
        file.newId = delta->status == GIT_DELTA_DELETED ? QString() : idText(delta->new_file.id);
        if (const int p = pairOfTarget[index]; p >= 0) {
            const git::RenamePair &pair = found->pairs.at(p);
            const git_diff_delta *source = git_diff_get_delta(diff.get(), pair.source);
            file.change = changeName(GIT_DELTA_RENAMED);
            file.oldPath = QString::fromUtf8(source->old_file.path);
            file.oldMode = source->old_file.mode;
            file.oldId = idText(source->old_file.id);
            file.similarity = pair.score * 100 / git::renameMaxScore;
        }
        result.files.append(std::move(file));
    }
    std::stable_sort(result.files.begin(), result.files.end(), [](const FileDiff &a, const FileDiff &b) {
        return sortPath(a) < sortPath(b);
    });
    return result;
}

Status loadFileDiff(GitRepository &repo, FileDiff &file, const TreeDiffOptions &options)
{
    if (file.loaded) {
        return {};
    }
    git_repository *handle = repo.handle();
    git_odb *rawOdb = nullptr;
    if (const int code = git_repository_odb(&rawOdb, handle); code < 0) {
        return git::error(code, Tr::tr("Opening the object database"));
    }
    OdbPtr odb(rawOdb);
    const auto sizeOf = [&](const QString &id) -> qint64 {
        git_oid oid;
        if (id.isEmpty() || git_oid_fromstr(&oid, id.toLatin1().constData()) < 0) {
            return 0;
        }
        return objectSize(odb.get(), oid);
    };
    const bool oldBlob = (file.oldMode & 0170000) == 0100000 || (file.oldMode & 0170000) == 0120000;
    const bool newBlob = (file.newMode & 0170000) == 0100000 || (file.newMode & 0170000) == 0120000;
    file.oldSize = oldBlob ? sizeOf(file.oldId) : 0;
    file.newSize = newBlob ? sizeOf(file.newId) : 0;
    file.additions = file.deletions = 0;
    file.hunks.clear();
    file.loaded = true;
    if (file.oldSize > options.maxFileBytes || file.newSize > options.maxFileBytes) {
        file.tooLarge = true;
        return {};
    }
    if (file.change == u"typechange") {
        return {}; // shown as the change of type it is
    }
    auto oldSide = oldBlob ? blobOf(handle, file.oldId) : Result<git::BlobPtr>(git::BlobPtr());
    auto newSide = newBlob ? blobOf(handle, file.newId) : Result<git::BlobPtr>(git::BlobPtr());
    if (auto failed = git::firstError(oldSide, newSide)) {
        return *failed;
    }
    git_diff_options diffOptions = GIT_DIFF_OPTIONS_INIT;
    diffOptions.context_lines = uint32_t(std::max(0, options.contextLines));
    if (options.ignoreWhitespace) {
        diffOptions.flags |= GIT_DIFF_IGNORE_WHITESPACE;
    }
    const QByteArray oldPath = file.oldPath.toUtf8();
    const QByteArray newPath = file.path.toUtf8();
    git_patch *rawPatch = nullptr;
    int code = 0;
    if ((file.oldMode & 0170000) == 0160000 || (file.newMode & 0170000) == 0160000) {
        // A submodule is the commit it points at, as git shows it.
        const auto commitLine = [](quint32 mode, const QString &id) {
            return (mode & 0170000) == 0160000 ? QByteArray("Subproject commit " + id.toLatin1() + '\n') : QByteArray();
        };
        const QByteArray before = commitLine(file.oldMode, file.oldId);
        const QByteArray after = commitLine(file.newMode, file.newId);
        code = git_patch_from_buffers(&rawPatch,
                                      before.constData(),
                                      size_t(before.size()),
                                      oldPath.constData(),
                                      after.constData(),
                                      size_t(after.size()),
                                      newPath.constData(),
                                      &diffOptions);
    } else {
        code = git_patch_from_blobs(&rawPatch,
                                    oldSide->get(),
                                    oldPath.constData(),
                                    newSide->get(),
                                    newPath.constData(),
                                    &diffOptions);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Reading the changes of %1").arg(file.path));
    }
    PatchPtr patch(rawPatch);
    if ((git_patch_get_delta(patch.get())->flags & GIT_DIFF_FLAG_BINARY) != 0) {
        file.binary = true;
        return {};
    }
    if (oldSide->get() && (file.oldMode & 0170000) == 0100000) {
        file.oldContent = QByteArray(static_cast<const char *>(git_blob_rawcontent(oldSide->get())),
                                     qsizetype(git_blob_rawsize(oldSide->get())));
        file.oldLineCount = int(file.oldContent.count('\n'));
        if (!file.oldContent.isEmpty() && !file.oldContent.endsWith('\n')) {
            ++file.oldLineCount;
        }
    }
    return git::readPatch(patch.get(), file, options.maxIntraLineLength);
}

Result<TreeDiff>
diffCommits(GitRepository &repo, const QString &fromCommit, const QString &toCommit, const TreeDiffOptions &options)
{
    auto outline = diffOutline(repo,
                               fromCommit,
                               toCommit,
                               options.outline ? RenameDetection::Exact : RenameDetection::Git,
                               options);
    if (!outline) {
        return outline.error();
    }
    for (FileDiff &file : outline->files) {
        if (options.outline && &file != &outline->files.first()) {
            break;
        }
        if (Status loaded = loadFileDiff(repo, file, options); !loaded) {
            return loaded.error();
        }
        outline->additions += file.additions;
        outline->deletions += file.deletions;
    }
    return outline;
}

} // namespace astra

namespace astra {

namespace {
struct Pathspec
{
    QList<QByteArray> bytes;
    std::vector<char *> pointers;
    explicit Pathspec(const QStringList &paths)
    {
        for (const QString &path : paths) {
            bytes.append(path.toUtf8());
        }
        for (QByteArray &path : bytes) {
            pointers.push_back(path.data());
        }
    }
    git_strarray array()
    {
        return {pointers.data(), pointers.size()};
    }
};
} // namespace

Result<QList<CommitSummary>>
commitsTouching(GitRepository &repo, const QString &head, const QString &stopAt, const QStringList &paths, int limit)
{
    QList<CommitSummary> found;
    auto history = repo.firstParentHistory(head, limit);
    if (!history) {
        return history.error();
    }
    Pathspec spec(paths);
    git_repository *handle = repo.handle();
    for (const QString &id : std::as_const(*history)) {
        if (id == stopAt) {
            break;
        }
        auto commit = git::lookupCommit(handle, id);
        if (!commit) {
            return commit.error();
        }
        auto tree = git::treeOf(commit->get());
        if (!tree) {
            return tree.error();
        }
        git::TreePtr parentTree;
        if (git_commit_parentcount(commit->get()) > 0) {
            git_commit *rawParent = nullptr;
            if (const int code = git_commit_parent(&rawParent, commit->get(), 0); code < 0) {
                return git::error(code, Tr::tr("Reading the parent of %1").arg(id));
            }
            git::CommitPtr parent(rawParent);
            auto parentResult = git::treeOf(parent.get());
            if (!parentResult) {
                return parentResult.error();
            }
            parentTree = std::move(*parentResult);
        }
        git_diff_options options = GIT_DIFF_OPTIONS_INIT;
        options.pathspec = spec.array();
        options.flags = GIT_DIFF_DISABLE_PATHSPEC_MATCH;
        git_diff *rawDiff = nullptr;
        if (const int code = git_diff_tree_to_tree(&rawDiff, handle, parentTree.get(), tree->get(), &options);
            code < 0) {
            return git::error(code, Tr::tr("Comparing %1 with its parent").arg(id));
        }
        DiffPtr diff(rawDiff);
        if (git_diff_num_deltas(diff.get()) == 0) {
            continue;
        }
        const git_signature *author = git_commit_author(commit->get());
        found.append({id,
                      QString::fromUtf8(git_commit_summary(commit->get())),
                      author ? QString::fromUtf8(author->name) : QString()});
    }
    return found;
}

Result<QStringList> uncommittedPaths(GitRepository &repo, const QStringList &paths)
{
    if (repo.isBare() || paths.isEmpty()) {
        return QStringList();
    }
    Pathspec spec(paths);
    git_status_options options = GIT_STATUS_OPTIONS_INIT;
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags = GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH | GIT_STATUS_OPT_INCLUDE_UNTRACKED;
    options.pathspec = spec.array();
    git_status_list *rawList = nullptr;
    if (const int code = git_status_list_new(&rawList, repo.handle(), &options); code < 0) {
        return git::error(code, Tr::tr("Reading the status of the work tree"));
    }
    std::unique_ptr<git_status_list, git::Deleter<git_status_list, git_status_list_free>> list(rawList);
    QStringList dirty;
    const size_t count = git_status_list_entrycount(list.get());
    for (size_t i = 0; i < count; ++i) {
        const git_status_entry *entry = git_status_byindex(list.get(), i);
        if (entry->status == GIT_STATUS_CURRENT || (entry->status & GIT_STATUS_IGNORED) != 0) {
            continue;
        }
        const git_diff_delta *delta = entry->index_to_workdir ? entry->index_to_workdir : entry->head_to_index;
        if (delta) {
            dirty.append(QString::fromUtf8(delta->new_file.path ? delta->new_file.path : delta->old_file.path));
        }
    }
    dirty.removeDuplicates();
    dirty.sort();
    return dirty;
}

} // namespace astra
