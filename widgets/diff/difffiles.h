#pragma once

#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QStandardItem;
class QStandardItemModel;
class QToolButton;
class QTreeView;

namespace astra {

class DiffFileListModel;

// The files of a diff beside it: a flat list or a tree of folders, and a filter by name. Choosing
// a file (click, Enter, or the arrow keys) asks for it; the list follows the file being read. Files
// changed beyond the change's scope stand in a group of their own, before those in scope.
class DiffFilesPanel : public QWidget
{
    Q_OBJECT
public:
    DiffFilesPanel(DiffFileListModel *files, QWidget *parent = nullptr);

    QTreeView *view() const
    {
        return m_view;
    }
    QLineEdit *filterEdit() const
    {
        return m_filter;
    }
    // Flat list or folders.
    void setTree(bool tree);
    bool isTree() const;
    // The paths (new side) of the files beyond the change's scope; empty: no groups.
    void setBeyondScope(const QStringList &paths);
    QStringList beyondScope() const;
    // Shows `file` as the current one without asking for it (the list follows the diff).
    void follow(int file);
    // The file of the current row; -1 for none or a folder.
    int currentFile() const;
    // How many files the filter shows.
    int shownFiles() const;
    // The columns sized to what they hold, once (a new diff, a diff read to the end); the path
    // keeps the rest.
    void fitColumns();

Q_SIGNALS:
    void fileChosen(int file);

protected:
    void changeEvent(QEvent *event) override;

private:
    // The flat list, or the tree model when folders or groups are shown.
    void showModel();
    bool usesTree() const;
    void rebuildTree();
    // Widths from the words and numbers the columns can hold, not from their rows: measuring
    // thousands of rows on every change would cost more than reading them.
    void sizeColumns();
    int fileOf(const QModelIndex &index) const;
    QModelIndex indexOf(int file) const;

    DiffFileListModel *m_files;
    QSortFilterProxyModel *m_flat;
    QStandardItemModel *m_tree;
    QVector<QStandardItem *> m_treeItems; // by file; null when filtered out
    QTreeView *m_view;
    QLineEdit *m_filter;
    QToolButton *m_treeButton;
    QStringList m_beyond;
    bool m_treeMode = false;
    bool m_following = false;
};

} // namespace astra
