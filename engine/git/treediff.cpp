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

Result<DiffPtr> reviewDiff(git_repository *repo,
                           const git_tree *from,
                           const git_tree *to,
                           int contextLines,
                           bool binary,
                           QHash<QByteArray, int> *similarity)
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
    auto renames = findRenames(repo, diff.get());
    if (!renames) {
        return renames.error();
    }
    if (similarity) {
        for (const RenamePair &pair : std::as_const(renames->pairs)) {
            similarity->insert(QByteArray(git_diff_get_delta(diff.get(), pair.target)->new_file.path),
                               pair.score * 100 / renameMaxScore);
        }
    }
    if (Status applied = applyRenames(diff.get(), *renames); !applied) {
        return applied.error();
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

Result<TreeDiff>
diffCommits(GitRepository &repo, const QString &fromCommit, const QString &toCommit, const TreeDiffOptions &options)
{
    git_repository *handle = repo.handle();
    auto fromTree = git::commitTree(handle, fromCommit);
    if (!fromTree) {
        return fromTree.error();
    }
    auto toTree = git::commitTree(handle, toCommit);
    if (!toTree) {
        return toTree.error();
    }
    QHash<QByteArray, int> similarity;
    auto made = git::reviewDiff(handle, fromTree->get(), toTree->get(), options.contextLines, false, &similarity);
    if (!made) {
        return made.error();
    }
    git::DiffPtr diff = std::move(*made);
    int code = 0;
    git_odb *rawOdb = nullptr;
    if ((code = git_repository_odb(&rawOdb, handle)) < 0) {
        return git::error(code, Tr::tr("Opening the object database"));
    }
    OdbPtr odb(rawOdb);

    TreeDiff result;
    result.fromCommit = fromCommit;
    result.toCommit = toCommit;
    result.maxFileBytes = options.maxFileBytes;
    const size_t count = git_diff_num_deltas(diff.get());
    for (size_t index = 0; index < count; ++index) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), index);
        FileDiff file;
        file.path = QString::fromUtf8(delta->status == GIT_DELTA_DELETED ? delta->old_file.path : delta->new_file.path);
        file.oldPath = QString::fromUtf8(delta->old_file.path);
        file.change = changeName(delta->status);
        if (delta->status == GIT_DELTA_RENAMED) {
            file.similarity = similarity.value(QByteArray(delta->new_file.path), 100);
        }
        file.oldMode = delta->status == GIT_DELTA_ADDED ? 0 : delta->old_file.mode;
        file.newMode = delta->status == GIT_DELTA_DELETED ? 0 : delta->new_file.mode;
        file.oldSize = objectSize(odb.get(), delta->old_file.id);
        file.newSize = objectSize(odb.get(), delta->new_file.id);
        if (file.oldSize > options.maxFileBytes || file.newSize > options.maxFileBytes) {
            file.tooLarge = true;
            result.files.append(file);
            continue;
        }
        git_patch *rawPatch = nullptr;
        if ((code = git_patch_from_diff(&rawPatch, diff.get(), index)) < 0) {
            return git::error(code, Tr::tr("Reading the changes of %1").arg(file.path));
        }
        PatchPtr patch(rawPatch);
        const git_diff_delta *loaded = git_patch_get_delta(patch.get());
        if ((loaded->flags & GIT_DIFF_FLAG_BINARY) != 0) {
            file.binary = true;
            result.files.append(file);
            continue;
        }
        if (delta->status != GIT_DELTA_ADDED && !git_oid_is_zero(&delta->old_file.id)
            && (file.oldMode & 0170000) == 0100000) {
            git_blob *rawBlob = nullptr;
            if (git_blob_lookup(&rawBlob, handle, &delta->old_file.id) == 0) {
                git::BlobPtr blob(rawBlob);
                file.oldContent = QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                                             qsizetype(git_blob_rawsize(blob.get())));
                file.oldLineCount = int(file.oldContent.count('\n'));
                if (!file.oldContent.isEmpty() && !file.oldContent.endsWith('\n')) {
                    ++file.oldLineCount;
                }
            }
        }
        if (Status read = git::readPatch(patch.get(), file, options.maxIntraLineLength); !read) {
            return read.error();
        }
        result.additions += file.additions;
        result.deletions += file.deletions;
        result.files.append(std::move(file));
    }
    return result;
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
