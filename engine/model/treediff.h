#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QSharedPointer>
#include <QString>
#include <QStringList>
#include <QVector>

#include <algorithm>
#include <optional>

namespace astra {

// A range of changed characters inside a line (intra-line change).
struct CharRange
{
    int start = 0;
    int length = 0;
    bool operator==(const CharRange &other) const
    {
        return start == other.start && length == other.length;
    }
};

struct DiffLine
{
    char origin = ' '; // ' ' context, '-' removed, '+' added
    int oldNo = 0; // 1-based line numbers; 0 on the side the line is not on
    int newNo = 0;
    QString text; // without the line break
    // A removed line and the added line that replaces it are paired (side-by-side shows them
    // on one row); `pair` is the other line's index in the hunk, -1 when unpaired.
    int pair = -1;
    QVector<CharRange> changed; // the characters that differ from the paired line
};

struct DiffHunk
{
    int oldStart = 0;
    int oldLines = 0;
    int newStart = 0;
    int newLines = 0;
    QString header; // "@@ -12,7 +12,9 @@ def upload(...)"
    QList<DiffLine> lines;
    QString key; // hunkContentKey(), filled when the diff is read
};

struct FileDiff
{
    QString path; // the new path (the old one for deletions)
    QString oldPath; // differs from path for renames
    QString change; // added, deleted, modified, renamed, typechange
    int similarity = 0; // renamed: how alike the two sides are, in percent (git's measure)
    quint32 oldMode = 0;
    quint32 newMode = 0;
    QString oldId; // the blobs (hex), empty on the side the file is not on
    QString newId;
    // Whether the lines below were read: an outline lists the files first (diffOutline()).
    bool loaded = true;
    bool binary = false;
    bool tooLarge = false; // over the size limit: not diffed
    qint64 oldSize = 0;
    qint64 newSize = 0;
    int additions = 0;
    int deletions = 0;
    bool oldEndsWithoutNewline = false;
    bool newEndsWithoutNewline = false;
    // The old text (UTF-8), kept for showing the unchanged lines between hunks on demand.
    QByteArray oldContent;
    int oldLineCount = 0;
    QList<DiffHunk> hunks;

    bool modeChanged() const
    {
        return oldMode != 0 && newMode != 0 && oldMode != newMode;
    }
    // Lines [from, from + count) of the old text (1-based), for an expanded unchanged region.
    QStringList oldLines(int from, int count) const;
};

struct TreeDiffOptions
{
    int contextLines = 3;
    qint64 maxFileBytes = 8 * 1024 * 1024; // a side larger than this is shown as over-size
    int maxIntraLineLength = 1000; // longer lines get no intra-line ranges
    // The list of files (identical files paired as renames) and the first file's lines only, at
    // once on any size of change; DiffFiller (workspace/difffiller.h) brings the rest.
    bool outline = false;
    // Lines that differ only in whitespace are the same (git diff -w).
    bool ignoreWhitespace = false;
};

struct TreeDiff
{
    QString fromCommit;
    QString toCommit;
    QList<FileDiff> files;
    int additions = 0;
    int deletions = 0;
    qint64 maxFileBytes = 0; // the limit over-size files were measured against
    bool renamesFound = true; // false: only identical files are paired as renames yet

    // Every file read and the renames final: nothing more will come for this diff.
    bool isComplete() const
    {
        return renamesFound
            && std::all_of(files.cbegin(), files.cend(), [](const FileDiff &file) { return file.loaded; });
    }
};

using TreeDiffPtr = QSharedPointer<const TreeDiff>;

// A hunk named by what it changes — its file and its removed and added lines, not where they
// are — so that the same change keeps its name in a new revision, after a rebase that moved it,
// and after a restart: 20 hex digits of SHA-256.
QString hunkContentKey(const FileDiff &file, const DiffHunk &hunk);

// The hunk as unified diff text: its header, then each line with its ' ', '-' or '+'.
QString hunkText(const DiffHunk &hunk);

// Where line `oldLine` of the file's old side is on its new side, through `file`'s hunks (any
// context); nothing when the line was removed or changed.
std::optional<int> followLine(const FileDiff &file, int oldLine);

struct CommitSummary
{
    QString id;
    QString summary; // the first line of the message
    QString author;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::TreeDiffPtr)
