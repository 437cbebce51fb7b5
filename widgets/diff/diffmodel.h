#pragma once

#include "model/modification.h"
#include "model/treediff.h"
#include "workspace/difffiller.h"

#include <QAbstractListModel>
#include <QHash>
#include <QSet>
#include <QVector>

namespace astra {

// The rows of a diff as the viewer shows them: a header per file, its hunks and their lines,
// and the unchanged regions between hunks collapsed into one row that expands on request.
// Side by side, a removed line and the added line that replaces it share a row; unified,
// every line has its own. Row building is linear in the number of lines; the diff itself
// (libgit2, intra-line ranges) is computed off the UI thread before it gets here.
class DiffModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum class Mode
    {
        SideBySide,
        Unified,
    };
    enum class RowKind : quint8
    {
        File, // the file's header: path, change, counts, mode
        Notice, // binary, over-size, type change: why no lines are shown
        Hunk, // "@@ -a,b +c,d @@" with its seen mark
        Line, // a line or, side by side, a pair of lines
        Gap, // collapsed unchanged lines
        GapLine, // an unchanged line of an expanded gap
        Comment, // a reviewer's comment, after its line (after the gap that holds it; after the header)
    };
    struct Row
    {
        RowKind kind = RowKind::File;
        int file = 0;
        int part = 0; // hunk or gap index; Comment: the comment's index in comments()
        int left = -1; // Line: the old-side line's index in the hunk; GapLine: offset in the gap
        int right = -1; // Line: the new-side line's index in the hunk
    };
    // Unchanged lines between hunks (and before the first, after the last), old numbering.
    struct Gap
    {
        int oldFrom = 1;
        int newFrom = 1;
        int count = 0;
        bool expanded = false;
    };
    enum Roles
    {
        KindRole = Qt::UserRole + 1,
        FileRole,
        PartRole,
        SeenRole,
        DecisionRole, // Hunk rows: "accepted", "rejected" or empty
        CommentIdRole, // Comment rows: the comment's id
    };

    explicit DiffModel(QObject *parent = nullptr);

    // The diff to show; files not read yet (FileDiff::loaded false) show a line that says so
    // until setFiles() brings them.
    void setDiff(TreeDiffPtr diff);
    TreeDiffPtr diff() const
    {
        return m_diff;
    }
    // Files read since (DiffFiller): their rows replace the "Reading…" line; the rows and marks
    // of the others keep their places (persistent indexes follow).
    void setFiles(const QList<LoadedFile> &files);
    // Every file read and the renames found.
    bool isComplete() const;
    int loadedCount() const;
    // The lines added and removed in the files read so far.
    int additions() const
    {
        return m_additions;
    }
    int deletions() const
    {
        return m_deletions;
    }
    void setMode(Mode mode);
    Mode mode() const
    {
        return m_mode;
    }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    const Row &row(int index) const
    {
        return m_rows.at(index);
    }
    const FileDiff &file(int index) const
    {
        return m_diff->files.at(index);
    }
    const Gap &gap(int file, int gap) const
    {
        return m_gaps.at(file).at(gap);
    }
    // The text of a GapLine row.
    QString gapLineText(const Row &row) const;
    // Line numbers shown in the gutters (0: none).
    int oldNumber(const Row &row) const;
    int newNumber(const Row &row) const;
    QString fileHeaderText(int file) const;
    // The change in a word or two: "added", "binary", "mode changed" ...
    static QString changeText(const FileDiff &file);
    QString noticeText(int file) const;
    QString gapText(const Row &row) const;

    // Navigation: the row of the next/previous hunk or file header after/before `row`; -1 at
    // the end.
    int nextHunkRow(int row) const;
    int previousHunkRow(int row) const;
    int nextFileRow(int row) const;
    int previousFileRow(int row) const;
    int fileRow(int file) const;
    // The hunk header row `row` belongs to (-1 outside hunks).
    int hunkRowOf(int row) const;

    // Expands a collapsed gap row (or collapses an expanded gap that `row` is in); on the notice
    // of a collapsed generated file, shows the file (and again hides it).
    bool toggleGap(int row);

    // Lock files and generated files (package-lock.json, go.sum, *.min.js, *_pb2.py …) are
    // collapsed to their header and a notice until asked for.
    // What such a file is ("Lock file", "Minified file", "Generated file"); empty for others.
    static QString generatedKind(const QString &path);
    bool isCollapsed(int file) const
    {
        return m_collapsed.contains(file);
    }
    void setCollapsed(int file, bool collapsed);
    // Every generated file shown (or collapsed again).
    void showGenerated(bool shown);
    int generatedCount() const;

    // Search: the rows whose text holds `text` (case-insensitive), the next one from a row.
    void setSearch(const QString &text);
    QString search() const
    {
        return m_search;
    }
    int matchCount() const
    {
        return m_matchCount;
    }
    // The next (or previous) row after (before) `row` that holds the search text, wrapping; -1.
    int findRow(int row, bool forward) const;
    bool rowMatches(int row) const;

    // Lines compared without whitespace (git diff -w): the files are read again (DiffFiller).
    bool ignoresWhitespace() const
    {
        return m_ignoreWhitespace;
    }
    // Forgets the lines of every file (they are read again with `ignoreWhitespace`).
    void unloadFiles(bool ignoreWhitespace);
    // The files of the diff shown are read without whitespace (kept across a new outline).
    void setIgnoresWhitespace(bool ignore)
    {
        m_ignoreWhitespace = ignore;
    }
    void expandAllGaps();

    // Seen marks, per hunk.
    bool isSeen(int file, int hunk) const;
    void setSeen(int file, int hunk, bool seen);
    int seenCount() const
    {
        return int(m_seen.size());
    }
    int hunkCount() const
    {
        return m_hunkCount;
    }
    // The seen hunks by their content (hunkContentKey(); a hunk that repeats an earlier one of its
    // file gets "#2", "#3"…), so that the marks outlive a new revision, a rebase and a restart:
    // only a hunk whose changes differ comes back unseen.
    QStringList seenKeys() const;
    void setSeenKeys(const QStringList &keys);
    QString hunkKey(int file, int hunk) const;
    // A file's "viewed" mark, for files read as a whole (binary and mode-only changes too): named
    // by the file's path and changes, so that it resets when the file changes in a new revision.
    // Marking a file viewed marks its hunks seen.
    bool isViewed(int file) const;
    void setViewed(int file, bool viewed);
    QString fileKey(int file) const;
    QStringList viewedKeys() const;
    void setViewedKeys(const QStringList &keys);

    // What the reviewer said about this diff: decisions on its hunks and files, and the comments
    // shown beside their lines. Decisions and comments name files by path and hunks by key.
    void setReview(const QList<HunkDecision> &decisions, const QList<ReviewComment> &comments);
    // The decision on a hunk (its own, else its file's), or on the file when `hunk` is -1.
    QString decisionOf(int file, int hunk) const;
    const QList<ReviewComment> &comments() const
    {
        return m_comments;
    }
    QString commentText(const Row &row) const;
    // The file row's hunk index (0-based) of `row`: the hunk it is in or heads; -1 outside.
    int hunkOf(int row) const;

    // The rows as text, for tests and for copying: gutters, the lines, intra-line changes as
    // [-removed-] and {+added+}.
    QString dump() const;

Q_SIGNALS:
    void seenChanged();
    // setFiles() read these files (indices).
    void filesChanged(const QList<int> &files);

private:
    static quint64 key(int file, int part)
    {
        return (quint64(quint32(file)) << 32) | quint32(part);
    }
    void rebuild();
    void indexFile(int file); // hunk keys, gaps and counts of a file
    void countMatches();
    void appendGapRows(QVector<Row> &rows, int file, int gap) const;
    void appendHunkRows(QVector<Row> &rows, int file, int hunk) const;
    void indexRows();
    QString lineDump(const DiffLine *line, bool withMarks) const;

    QSharedPointer<TreeDiff> m_own; // the files as read so far
    TreeDiffPtr m_diff; // m_own, read-only
    QSet<QString> m_pendingSeen; // seen marks of hunks in files not read yet
    QSet<int> m_collapsed; // generated files shown as a notice
    QString m_search;
    int m_matchCount = 0;
    bool m_ignoreWhitespace = false;
    QSet<QString> m_pendingViewed;
    int m_additions = 0;
    int m_deletions = 0;
    Mode m_mode = Mode::SideBySide;
    QVector<Row> m_rows;
    QVector<QVector<Gap>> m_gaps;
    QVector<int> m_hunkRows;
    QVector<int> m_fileRows; // by file
    QSet<quint64> m_seen;
    QSet<int> m_viewed;
    QVector<QVector<QString>> m_hunkKeys; // per file, per hunk: hunkContentKey()
    QHash<QString, QString> m_decisions; // path + '\n' + hunk key (empty: the file) -> decision
    QList<ReviewComment> m_comments;
    void placeComments();
    int m_hunkCount = 0;
    mutable QHash<quint64, QStringList> m_gapTexts;
};

} // namespace astra
