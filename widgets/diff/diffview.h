#pragma once

#include "diffmodel.h"

#include <QAbstractTableModel>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTreeView;
class QTimer;
class QToolButton;

namespace astra {

class DiffFilesPanel;
class SyntaxCache;

// The files of a diff: path, change, additions, deletions, and how many hunks were seen.
class DiffFileListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        PathColumn,
        ChangeColumn,
        AddedColumn,
        RemovedColumn,
        SeenColumn,
        ColumnCount,
    };
    explicit DiffFileListModel(DiffModel *diff, QObject *parent = nullptr);
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // The rows of files `first` to `last` (-1: only `first`) changed (their lines were read, their
    // seen count or viewed mark changed).
    void refresh(int first, int last = -1);

private:
    DiffModel *m_diff;
};

// The diff viewer: the file list beside the diff, side by side or unified, language
// highlighting per visible line, intra-line changes, collapsed unchanged regions, keyboard
// navigation by hunk and file and per-hunk seen marks (kept per commit pair).
class DiffView : public QWidget
{
    Q_OBJECT
public:
    explicit DiffView(QWidget *parent = nullptr);
    ~DiffView() override;

    // Shows `diff`; seen marks are kept under `reviewKey` (the workstation: per modification).
    // With `progressHead` (the change's head, when the diff is the whole change), how many of
    // its hunks are seen is kept too, for the inbox (seenProgress()).
    void setDiff(TreeDiffPtr diff, const QString &reviewKey = {}, const QString &progressHead = {});
    // What setDiff() kept for `reviewKey`: the head it was for, the hunks seen and in all.
    struct SeenProgress
    {
        QString head;
        int seen = 0;
        int total = 0;
    };
    static std::optional<SeenProgress> seenProgress(const QString &reviewKey);
    // Files of the shown diff read since setDiff() (DiffFiller): the place being read stays on
    // screen while the rows above it grow.
    void addFiles(const QList<LoadedFile> &files);
    // The shown diff's outline again, its renames found (DiffFiller::outlineChanged(), with the
    // files read before it): shown instead, with the marks and the place being read kept.
    void replaceOutline(TreeDiffPtr outline);
    // Shows a sentence instead of a diff (loading, an error, nothing selected).
    void showMessage(const QString &message);
    // The reviewer's decisions and comments on the shown diff. `decidable`: whether its hunks
    // can be accepted and rejected here (the current revision against its base, not an interdiff
    // or a conflict).
    void setReview(const QList<HunkDecision> &decisions, const QList<ReviewComment> &comments, bool decidable);
    // The revisions the diff compares: revision `current` against revision `from` (0: its base).
    // With more than one revision, a "Compare" choice offers every older one.
    void setRevisions(int current, int from);
    // Replaces the header's first words (e.g. "Conflicts with main at 1a2b3c"), until the next setDiff().
    void setCaption(const QString &caption);
    // The files of the shown diff that are beyond the change's scope: a group of their own in the
    // file list. Until the next setDiff().
    void setBeyondScope(const QStringList &paths);

    DiffModel *model() const
    {
        return m_model;
    }
    DiffFileListModel *fileModel() const
    {
        return m_files;
    }
    QListView *listView() const
    {
        return m_list;
    }
    QTreeView *fileView() const
    {
        return m_fileView;
    }
    DiffFilesPanel *filesPanel() const
    {
        return m_filesPanel;
    }
    // The sticky header's text, empty when the top row is a file's own header.
    QString stickyText() const;
    // Font size of the lines: `steps` points larger (negative: smaller); 0: the standard size.
    // Kept between sessions.
    void zoom(int steps);
    void zoomIn();
    // Ctrl+F: the find bar; F3 and Shift+F3 (Enter and Shift+Enter in the bar) go to the next and
    // previous row that holds the text, in the files read so far.
    void showFind();
    void findNext();
    void findPrevious();
    // Lines compared without whitespace (git diff -w): the files are read again
    // (readRequested()); hunks cannot be decided meanwhile.
    void setIgnoreWhitespace(bool ignore);
    // Long lines wrapped instead of cut at the edge (kept between sessions).
    void setWrap(bool wrap);
    bool wrapsLines() const
    {
        return m_wrapLines;
    }
    void zoomOut();
    void zoomReset();
    SyntaxCache *syntax() const
    {
        return m_syntax.get();
    }
    QString headerText() const;
    int currentRow() const;
    void setCurrentRow(int row);
    // Goes to the header of the file at `path` (the new path, or the old one of a rename);
    // false when the diff shown has no such file.
    bool showFile(const QString &path);

    void setMode(DiffModel::Mode mode);
    void toggleMode();
    void nextHunk();
    void previousHunk();
    void nextFile();
    void previousFile();
    // Marks the hunk of the current row seen (or unseen) and goes to the next hunk.
    void toggleSeenAndNext();
    // Marks the current file viewed (its hunks seen) and goes to the next file; again: not viewed.
    void toggleViewedAndNext();
    void expandAll();
    // Decisions on the hunk (or, on a file header, the file) at the current row; the same
    // decision again clears it. Each marks the hunk seen and moves on.
    void acceptHunk();
    void rejectHunk();
    void acceptFile();
    void rejectFile();
    // A comment on the current line (the new side's, else the old side's), on a hunk at its
    // header (its first changed line, with the hunk), or on the file at its header; on a comment,
    // opens it.
    void commentOnLine();
    // Expands or collapses the unchanged region at the current row.
    void toggleCurrentGap();

Q_SIGNALS:
    // The first paint of the diff after setDiff() (time to first paint).
    void diffPainted();
    // The diff shown from its outline is complete: every file read, the renames found.
    void diffCompleted();
    // Files not read yet that are on screen or next (indices), nearest first: read them first.
    void filesWanted(const QList<int> &files);
    // Read every file of `outline` again with `options` (ignore whitespace turned on or off).
    void readRequested(const astra::TreeDiffPtr &outline, const astra::TreeDiffOptions &options);
    // `hunk`: 1-based, as `astra mod diff` numbers them; 0: the whole file. `decision`:
    // accepted, rejected, or empty to clear.
    void decisionRequested(const QString &path, int hunk, const QString &decision);
    // `line` 0: the file; `side`: new or old.
    void commentRequested(const QString &path, int line, const QString &side);
    void commentActivated(qint64 commentId);
    void compareRequested(int fromRevision);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateHeader();
    void saveSeen();
    void goToRow(int row);
    void decide(const QString &decision, bool wholeFile);
    void updateDecisionActions();
    void askForVisibleFiles();
    // The file list and the sticky header follow the top row.
    void followScroll();
    void find(bool forward);
    void updateFindCount();
    void keepPlace(const std::function<void()> &change);

    DiffModel *m_model;
    DiffFileListModel *m_files;
    QListView *m_list;
    DiffFilesPanel *m_filesPanel;
    QTreeView *m_fileView;
    class DiffOverview *m_overview = nullptr;
    QLabel *m_sticky = nullptr;
    QWidget *m_findBar = nullptr;
    QLineEdit *m_findEdit = nullptr;
    QLabel *m_findCount = nullptr;
    QAction *m_ignoreWhitespace = nullptr;
    QAction *m_wrap = nullptr;
    QAction *m_showGenerated = nullptr;
    bool m_wrapLines = false;
    QLabel *m_header;
    QLabel *m_highlighting;
    QLabel *m_message;
    QStackedWidget *m_stack;
    QToolButton *m_modeButton;
    QComboBox *m_compare;
    QList<QAction *> m_decisionActions;
    bool m_decidable = false;
    QString m_caption;
    std::unique_ptr<SyntaxCache> m_syntax;
    QString m_reviewKey;
    QString m_progressHead;
    bool m_waitingForPaint = false;
    QTimer *m_wantTimer;
};

} // namespace astra
