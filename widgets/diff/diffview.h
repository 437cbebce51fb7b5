#pragma once

#include "diffmodel.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
class QListView;
class QStackedWidget;
class QTreeView;
class QToolButton;

namespace astra {

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
    void setDiff(TreeDiffPtr diff, const QString &reviewKey = {});
    // Shows a sentence instead of a diff (loading, an error, nothing selected).
    void showMessage(const QString &message);

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
    SyntaxCache *syntax() const
    {
        return m_syntax.get();
    }
    QString headerText() const;
    int currentRow() const;
    void setCurrentRow(int row);

    void setMode(DiffModel::Mode mode);
    void toggleMode();
    void nextHunk();
    void previousHunk();
    void nextFile();
    void previousFile();
    // Marks the hunk of the current row seen (or unseen) and goes to the next hunk.
    void toggleSeenAndNext();
    void expandAll();
    // Expands or collapses the unchanged region at the current row.
    void toggleCurrentGap();

Q_SIGNALS:
    // The first paint of the diff after setDiff() (time to first paint).
    void diffPainted();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateHeader();
    void saveSeen();
    void goToRow(int row);

    DiffModel *m_model;
    DiffFileListModel *m_files;
    QListView *m_list;
    QTreeView *m_fileView;
    QLabel *m_header;
    QLabel *m_highlighting;
    QLabel *m_message;
    QStackedWidget *m_stack;
    QToolButton *m_modeButton;
    std::unique_ptr<SyntaxCache> m_syntax;
    QString m_reviewKey;
    bool m_waitingForPaint = false;
};

} // namespace astra
