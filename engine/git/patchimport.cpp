#include "git/patchimport.h"

#include "git/git.h"
#include "git/gitrepository.h"
#include "git/renames.h"

#include <QCoreApplication>
#include <QSet>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PatchImport)
};

using git::DiffPtr;
using ObjectPtr = std::unique_ptr<git_object, git::Deleter<git_object, git_object_free>>;

// Git writes paths with unusual bytes C-quoted: "a/\303\244 b.txt".
QByteArray unquote(const QByteArray &text)
{
    if (!text.startsWith('"') || !text.endsWith('"') || text.size() < 2) {
        return text;
    }
    QByteArray out;
    for (int i = 1; i < text.size() - 1; ++i) {
        const char c = text.at(i);
        if (c != '\\' || i + 1 >= text.size() - 1) {
            out.append(c);
            continue;
        }
        const char next = text.at(++i);
        switch (next) {
        case 'n':
            out.append('\n');
            break;
        case 't':
            out.append('\t');
            break;
        case 'r':
            out.append('\r');
            break;
        case 'a':
            out.append('\a');
            break;
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'v':
            out.append('\v');
            break;
        default:
            if (next >= '0' && next <= '7' && i + 2 < text.size() - 1) {
                out.append(char(text.mid(i, 3).toInt(nullptr, 8)));
                i += 2;
            } else {
                out.append(next);
            }
        }
    }
    return out;
}

// The two paths of a "diff --git a/X b/Y" line, as written (quoted ones unquoted), without their
// a/ and b/ prefixes. Unquoted paths with spaces are split where the line is symmetric (the
// path is the same on both sides) or else at " b/".
QList<QByteArray> gitLineTokens(const QByteArray &rest)
{
    QList<QByteArray> raw;
    if (rest.startsWith('"')) {
        qsizetype end = 1;
        while (end < rest.size() && rest.at(end) != '"') {
            end += rest.at(end) == '\\' ? 2 : 1;
        }
        raw = {rest.left(end + 1), rest.mid(end + 2)};
    } else {
        const qsizetype half = (rest.size() - 1) / 2;
        if (rest.size() % 2 == 1 && rest.at(half) == ' ' && rest.left(half).mid(2) == rest.mid(half + 1).mid(2)) {
            raw = {rest.left(half), rest.mid(half + 1)};
        } else {
            const qsizetype split = rest.indexOf(" b/");
            if (split < 0) {
                return {};
            }
            raw = {rest.left(split), rest.mid(split + 1)};
        }
    }
    return raw;
}

QList<QByteArray> gitLinePaths(const QByteArray &rest)
{
    QList<QByteArray> paths;
    for (QByteArray path : gitLineTokens(rest)) {
        path = unquote(path);
        if (path.startsWith("a/") || path.startsWith("b/")) {
            paths.append(path.mid(2));
        }
    }
    return paths;
}

// A new or deleted empty file is, in git's patches, a "diff --git" header with no ---/+++ lines
// and no hunk, which libgit2 1.5 cannot read: such a section gets the ---/+++ lines git would
// write for content, naming the same paths as its "diff --git" line.
QByteArray withEmptyFileHeaders(const QByteArray &patch)
{
    const QList<QByteArray> lines = patch.split('\n');
    QByteArray out;
    QList<QByteArray> tokens;
    bool created = false;
    bool deleted = false;
    bool hasBody = true;
    const auto closeSection = [&] {
        if (!hasBody && (created || deleted) && tokens.size() == 2) {
            if (created) {
                out += "--- /dev/null\n+++ " + tokens.at(1) + '\n';
            } else {
                out += "--- " + tokens.at(0) + "\n+++ /dev/null\n";
            }
        }
    };
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.startsWith("diff --git ")) {
            closeSection();
            tokens = gitLineTokens(line.mid(11));
            created = deleted = hasBody = false;
        } else if (line.startsWith("new file mode ")) {
            created = true;
        } else if (line.startsWith("deleted file mode ")) {
            deleted = true;
        } else if (line.startsWith("--- ") || line.startsWith("+++ ") || line.startsWith("@@ ")
                   || line.startsWith("GIT binary patch") || line.startsWith("Binary files ")) {
            hasBody = true;
        }
        if (i + 1 == lines.size() && line.isEmpty()) {
            break; // the newline that ends the patch
        }
        out += line + '\n';
    }
    closeSection();
    return out;
}

// The paths named by the diff --git, ---/+++ and rename/copy header lines, as written.
QSet<QByteArray> headerPaths(const QByteArray &patch)
{
    QSet<QByteArray> paths;
    const QList<QByteArray> lines = patch.split('\n');
    for (QByteArray line : lines) {
        if (line.endsWith('\r')) {
            line.chop(1);
        }
        QByteArray path;
        if (line.startsWith("diff --git ")) {
            // Binary patches, mode changes and empty files have no ---/+++ lines: only this one.
            for (const QByteArray &named : gitLinePaths(line.mid(11))) {
                paths.insert(named);
            }
            continue;
        }
        if (line.startsWith("--- ") || line.startsWith("+++ ")) {
            path = line.mid(4);
            const int tab = path.indexOf('\t');
            if (tab >= 0) {
                path.truncate(tab);
            }
            path = unquote(path);
            if (path == "/dev/null") {
                continue;
            }
            if (path.startsWith("a/") || path.startsWith("b/")) {
                path = path.mid(2);
            }
        } else if (line.startsWith("rename from ") || line.startsWith("copy from ")) {
            path = unquote(line.mid(line.indexOf(" from ") + 6));
        } else if (line.startsWith("rename to ") || line.startsWith("copy to ")) {
            path = unquote(line.mid(line.indexOf(" to ") + 4));
        } else {
            continue;
        }
        paths.insert(path);
    }
    return paths;
}

QByteArray blobContent(git_repository *repo, const git_oid &id, bool *ok)
{
    git_blob *raw = nullptr;
    if (git_blob_lookup(&raw, repo, &id) != 0) {
        *ok = false;
        return {};
    }
    git::BlobPtr blob(raw);
    *ok = true;
    return QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                      qsizetype(git_blob_rawsize(blob.get())));
}

// Applies `diff` to `base` and describes the result as a change set.
Result<ChangeSet> applyToTree(git_repository *repo, git_tree *base, git_diff *diff, const QString &what)
{
    auto applied = git::applyToTree(repo, base, diff, nullptr);
    if (!applied) {
        return makeError(Tr::tr("%1 does not apply cleanly to the base commit; nothing was written. %2")
                             .arg(what, applied.error().message),
                         ErrorKind::Conflict);
    }
    git::IndexPtr index = std::move(*applied);
    int code = 0;
    git_diff *rawResult = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    if ((code = git_diff_tree_to_index(&rawResult, repo, base, index.get(), &options)) < 0) {
        return git::error(code, what);
    }
    DiffPtr result(rawResult);
    if (Status renamed = git::findAndApplyRenames(repo, result.get()); !renamed) {
        return renamed.error();
    }
    ChangeSet changes;
    const size_t count = git_diff_num_deltas(result.get());
    for (size_t i = 0; i < count; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(result.get(), i);
        FileChange file;
        file.path = QByteArray(delta->new_file.path);
        file.mode = delta->new_file.mode;
        if (delta->status == GIT_DELTA_DELETED) {
            file.kind = FileChange::Kind::Delete;
            file.path = QByteArray(delta->old_file.path);
            file.hasContent = false;
        } else {
            if (delta->status == GIT_DELTA_RENAMED) {
                file.kind = FileChange::Kind::Rename;
                file.oldPath = QByteArray(delta->old_file.path);
            }
            bool ok = false;
            file.content = blobContent(repo, delta->new_file.id, &ok);
            if (!ok) {
                return makeError(Tr::tr("%1: the content of %2 is missing from the object database.")
                                     .arg(what, quotedPath(file.path)));
            }
        }
        changes.files.append(file);
    }
    if (changes.files.isEmpty()) {
        return makeError(Tr::tr("%1 changes nothing.").arg(what), ErrorKind::Invalid);
    }
    return changes;
}
} // namespace

Result<ChangeSet>
changeSetFromPatch(GitRepository &repo, const QString &baseCommit, const QByteArray &patch, QList<QByteArray> *rawPaths)
{
    git_repository *handle = repo.handle();
    const QSet<QByteArray> written = headerPaths(patch);
    if (rawPaths) {
        *rawPaths = written.values();
    }
    const QByteArray readable = withEmptyFileHeaders(patch);
    git_diff *rawDiff = nullptr;
    int code = git_diff_from_buffer(&rawDiff, readable.constData(), size_t(readable.size()));
    if (code < 0) {
        const Error error = git::error(code, Tr::tr("Reading the patch"));
        return makeError(Tr::tr("The patch is not a unified diff libgit2 can read: %1").arg(error.message),
                         ErrorKind::Invalid);
    }
    DiffPtr diff(rawDiff);
    // Every path libgit2 parsed must be spelled exactly so in the patch.
    const size_t count = git_diff_num_deltas(diff.get());
    if (count == 0) {
        return makeError(Tr::tr("The patch holds no file changes."), ErrorKind::Invalid);
    }
    for (size_t i = 0; i < count; ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        for (const char *parsed : {delta->old_file.path, delta->new_file.path}) {
            if (parsed && !written.contains(QByteArray(parsed))) {
                return makeError(Tr::tr("The patch names a path that is not in canonical form; it was read as %1. "
                                        "Write repository-relative paths (a/src/x.cpp, b/src/x.cpp); nothing was "
                                        "written.")
                                     .arg(quotedPath(QByteArray(parsed))),
                                 ErrorKind::Refused);
            }
        }
    }
    auto base = git::commitTree(handle, baseCommit);
    if (!base) {
        return base.error();
    }
    return applyToTree(handle, base->get(), diff.get(), Tr::tr("The patch"));
}

Result<ChangeSet> changeSetFromBranch(GitRepository &repo,
                                      const QString &targetCommit,
                                      const QString &branch,
                                      QString *mergeBase,
                                      const PathPolicy &policy,
                                      QList<PolicyViolation> *violations)
{
    git_repository *handle = repo.handle();
    auto branchHead = repo.branchCommit(branch);
    if (!branchHead) {
        return branchHead.error();
    }
    git_oid one;
    git_oid two;
    git_oid base;
    int code = git_oid_fromstr(&one, targetCommit.toLatin1().constData());
    if (code == 0) {
        code = git_oid_fromstr(&two, branchHead->toLatin1().constData());
    }
    if (code == 0) {
        code = git_merge_base(&base, handle, &one, &two);
    }
    if (code == GIT_ENOTFOUND) {
        return makeError(Tr::tr("The branch %1 shares no history with the target; it cannot be imported.").arg(branch),
                         ErrorKind::Invalid);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Finding the merge base of %1").arg(branch));
    }
    if (mergeBase) {
        *mergeBase = git::oidToString(base);
    }
    auto baseTree = git::commitTree(handle, git::oidToString(base));
    auto branchTree = git::commitTree(handle, *branchHead);
    auto targetTree = git::commitTree(handle, targetCommit);
    if (auto failed = git::firstError(baseTree, branchTree, targetTree)) {
        return *failed;
    }
    git_diff *rawDiff = nullptr;
    git_diff_options options = GIT_DIFF_OPTIONS_INIT;
    options.flags |= GIT_DIFF_SHOW_BINARY;
    if ((code = git_diff_tree_to_tree(&rawDiff, handle, baseTree->get(), branchTree->get(), &options)) < 0) {
        return git::error(code, Tr::tr("Comparing %1 with its merge base").arg(branch));
    }
    DiffPtr diff(rawDiff);

    // The policy first, on what git stores, before anything is inflated or applied.
    git_odb *rawOdb = nullptr;
    if ((code = git_repository_odb(&rawOdb, handle)) < 0) {
        return git::error(code, Tr::tr("Opening the object database"));
    }
    const std::unique_ptr<git_odb, git::Deleter<git_odb, git_odb_free>> odb(rawOdb);
    QList<PolicyViolation> found;
    const auto note = [&](const std::optional<PolicyViolation> &violation) {
        if (violation) {
            found.append(*violation);
        }
    };
    for (size_t i = 0; i < git_diff_num_deltas(diff.get()); ++i) {
        const git_diff_delta *delta = git_diff_get_delta(diff.get(), i);
        note(policy.checkPath(QByteArray(delta->old_file.path)));
        if (qstrcmp(delta->old_file.path, delta->new_file.path) != 0) {
            note(policy.checkPath(QByteArray(delta->new_file.path)));
        }
        if (delta->status == GIT_DELTA_DELETED || delta->new_file.mode == GIT_FILEMODE_COMMIT) {
            continue;
        }
        size_t size = 0;
        git_object_t type = GIT_OBJECT_INVALID;
        if ((code = git_odb_read_header(&size, &type, odb.get(), &delta->new_file.id)) < 0) {
            return git::error(code, Tr::tr("Reading the size of %1").arg(quotedPath(QByteArray(delta->new_file.path))));
        }
        PathChange sized;
        sized.path = QByteArray(delta->new_file.path);
        sized.newMode = delta->new_file.mode;
        sized.newSize = qint64(size);
        for (const PolicyViolation &violation : policy.checkChanges({sized}, BaseTreeFacts{})) {
            if (violation.rule == PolicyRule::FileTooLarge) {
                found.append(violation);
            }
        }
    }
    if (!found.isEmpty()) {
        QStringList lines;
        for (const PolicyViolation &violation : std::as_const(found)) {
            lines.append(violation.message);
        }
        if (violations) {
            *violations = found;
        }
        return makeError(
            Tr::tr("The path policy refused the branch %1; nothing was written:\n%2").arg(branch, lines.join(u'\n')),
            ErrorKind::Refused);
    }
    return applyToTree(handle, targetTree->get(), diff.get(), Tr::tr("The branch %1").arg(branch));
}

} // namespace astra
