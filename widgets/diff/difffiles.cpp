#include "difffiles.h"

#include "diffmodel.h"
#include "diffview.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace astra {

namespace {
constexpr int FileRole = Qt::UserRole + 1; // tree items: the file's index, -1 for a folder
}

DiffFilesPanel::DiffFilesPanel(DiffFileListModel *files, QWidget *parent)
    : QWidget(parent)
    , m_files(files)
    , m_flat(new QSortFilterProxyModel(this))
    , m_tree(new QStandardItemModel(this))
    , m_view(new QTreeView(this))
    , m_filter(new QLineEdit(this))
    , m_treeButton(new QToolButton(this))
{
    m_flat->setSourceModel(files);
    m_flat->setFilterKeyColumn(DiffFileListModel::PathColumn);
    m_flat->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filter->setObjectName(QStringLiteral("diffFileFilter"));
    m_filter->setPlaceholderText(tr("Filter files by name"));
    m_filter->setClearButtonEnabled(true);
    m_treeButton->setObjectName(QStringLiteral("diffFileTree"));
    m_treeButton->setText(tr("Folders"));
    m_treeButton->setToolTip(tr("Show the files in their folders, or as one list"));
    m_treeButton->setCheckable(true);
    m_view->setObjectName(QStringLiteral("diffFiles"));
    m_view->setUniformRowHeights(true);
    m_view->setTextElideMode(Qt::ElideLeft); // a long path keeps its file name
    m_view->header()->setStretchLastSection(false);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_filter, 1);
    top->addWidget(m_treeButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_flat->setFilterFixedString(text);
        if (usesTree()) {
            rebuildTree();
        }
    });
    connect(m_treeButton, &QToolButton::toggled, this, [this](bool tree) {
        setTree(tree);
        QSettings().setValue(QStringLiteral("diff/fileTree"), tree);
    });
    connect(files, &QAbstractItemModel::modelReset, this, [this] {
        if (usesTree()) {
            rebuildTree();
        }
    });
    // Counts and seen marks change as files are read and reviewed: the tree's copies follow.
    connect(files, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        if (!usesTree()) {
            return;
        }
        for (int row = from.row(); row <= to.row() && row < m_treeItems.size(); ++row) {
            QStandardItem *item = m_treeItems.at(row);
            if (!item) {
                continue;
            }
            QStandardItem *parentItem = item->parent() ? item->parent() : m_tree->invisibleRootItem();
            for (int column = 1; column < DiffFileListModel::ColumnCount; ++column) {
                if (QStandardItem *cell = parentItem->child(item->row(), column)) {
                    cell->setText(m_files->index(row, column).data().toString());
                }
            }
        }
    });
    connect(m_view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (const int file = fileOf(index); file >= 0) {
            Q_EMIT fileChosen(file);
        }
    });
    connect(m_view, &QAbstractItemView::clicked, this, [this](const QModelIndex &index) {
        if (const int file = fileOf(index); file >= 0) {
            Q_EMIT fileChosen(file);
        }
    });
    setTree(QSettings().value(QStringLiteral("diff/fileTree")).toBool());
}

bool DiffFilesPanel::isTree() const
{
    return m_treeMode;
}

bool DiffFilesPanel::usesTree() const
{
    return m_treeMode || !m_beyond.isEmpty();
}

void DiffFilesPanel::setTree(bool tree)
{
    m_treeButton->blockSignals(true);
    m_treeButton->setChecked(tree);
    m_treeButton->blockSignals(false);
    m_treeMode = tree;
    showModel();
}

void DiffFilesPanel::setBeyondScope(const QStringList &paths)
{
    if (paths == m_beyond) {
        return;
    }
    m_beyond = paths;
    showModel();
}

QStringList DiffFilesPanel::beyondScope() const
{
    return m_beyond;
}

void DiffFilesPanel::showModel()
{
    const int current = currentFile();
    QAbstractItemModel *wanted = usesTree() ? static_cast<QAbstractItemModel *>(m_tree) : m_flat;
    if (usesTree()) {
        rebuildTree();
    }
    if (m_view->model() != wanted) {
        // The view makes a new selection model for the new model; the old one is ours to delete.
        QItemSelectionModel *old = m_view->selectionModel();
        m_view->setModel(wanted);
        delete old;
        // Up and Down (and any other way the current row moves) choose the file.
        connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &index) {
            if (m_following) {
                return;
            }
            if (const int file = fileOf(index); file >= 0) {
                Q_EMIT fileChosen(file);
            }
        });
    }
    m_view->setRootIsDecorated(usesTree());
    if (usesTree()) {
        m_view->expandAll();
    }
    sizeColumns();
    if (current >= 0) {
        follow(current);
    }
}

void DiffFilesPanel::rebuildTree()
{
    m_tree->clear();
    m_treeItems.clear();
    QStringList headers;
    for (int column = 0; column < DiffFileListModel::ColumnCount; ++column) {
        headers.append(m_files->headerData(column, Qt::Horizontal).toString());
    }
    m_tree->setHorizontalHeaderLabels(headers);
    const int count = m_files->rowCount();
    m_treeItems = QVector<QStandardItem *>(count, nullptr);
    const auto pathOf = [this](int file) {
        return m_files->index(file, DiffFileListModel::PathColumn).data(Qt::EditRole).toString();
    };
    // A row of `parentItem` whose first cell is `text`, the others empty.
    const auto labelRow = [](QStandardItem *parentItem, const QString &text) {
        auto *item = new QStandardItem(text);
        item->setData(-1, FileRole);
        item->setEditable(false);
        QList<QStandardItem *> row{item};
        for (int column = 1; column < DiffFileListModel::ColumnCount; ++column) {
            row.append(new QStandardItem());
            row.last()->setEditable(false);
        }
        parentItem->appendRow(row);
        return item;
    };
    // The files shown (the filter), and which of them are beyond the scope. A grouped list shows
    // what the flat one does (a rename as "old → new").
    const QString filter = m_filter->text();
    const auto shownText = [this](int file) {
        return m_files->index(file, DiffFileListModel::PathColumn).data().toString();
    };
    QVector<int> shown;
    int beyond = 0;
    for (int file = 0; file < count; ++file) {
        if (!filter.isEmpty() && !pathOf(file).contains(filter, Qt::CaseInsensitive)
            && !shownText(file).contains(filter, Qt::CaseInsensitive)) {
            continue;
        }
        shown.append(file);
        beyond += m_beyond.contains(pathOf(file)) ? 1 : 0;
    }
    // The groups, when a file shown is beyond the scope: those first, where a reviewer sees them.
    QStandardItem *beyondGroup = nullptr;
    QStandardItem *inScopeGroup = nullptr;
    if (beyond > 0) {
        beyondGroup = labelRow(m_tree->invisibleRootItem(), tr("⚠ Beyond the scope (%n)", nullptr, beyond));
        beyondGroup->setToolTip(
            tr("Files the change touched that its goal, plan, import and review comments do not "
               "name"));
        QFont bold = beyondGroup->font();
        bold.setBold(true);
        beyondGroup->setFont(bold);
        if (beyond < shown.size()) {
            inScopeGroup =
                labelRow(m_tree->invisibleRootItem(), tr("In scope (%n)", nullptr, int(shown.size()) - beyond));
        }
    }
    QHash<QString, QStandardItem *> folders;
    const auto folder = [&](QStandardItem *group, const QString &path, const auto &self) -> QStandardItem * {
        QStandardItem *root = group ? group : m_tree->invisibleRootItem();
        if (path.isEmpty() || !m_treeMode) {
            return root;
        }
        const QString key = (group == beyondGroup ? QStringLiteral("b:") : QStringLiteral("i:")) + path;
        if (QStandardItem *known = folders.value(key)) {
            return known;
        }
        const int slash = int(path.lastIndexOf(u'/'));
        QStandardItem *item =
            labelRow(self(group, slash < 0 ? QString() : path.left(slash), self), path.mid(slash + 1) + u'/');
        folders.insert(key, item);
        return item;
    };
    for (const int file : std::as_const(shown)) {
        const QString path = pathOf(file);
        const int slash = int(path.lastIndexOf(u'/'));
        auto *item = new QStandardItem(m_treeMode ? path.mid(slash + 1) : shownText(file));
        item->setData(file, FileRole);
        item->setToolTip(m_files->index(file, DiffFileListModel::PathColumn).data(Qt::ToolTipRole).toString());
        item->setEditable(false);
        QList<QStandardItem *> row{item};
        for (int column = 1; column < DiffFileListModel::ColumnCount; ++column) {
            row.append(new QStandardItem(m_files->index(file, column).data().toString()));
            row.last()->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row.last()->setEditable(false);
        }
        QStandardItem *group = m_beyond.contains(path) ? beyondGroup : inScopeGroup;
        folder(group, slash < 0 ? QString() : path.left(slash), folder)->appendRow(row);
        m_treeItems[file] = item;
    }
    if (m_view->model() == m_tree) {
        // Clearing the model dropped the columns: their widths and which one stretches.
        sizeColumns();
        m_view->expandAll();
    }
}

void DiffFilesPanel::sizeColumns()
{
    QHeaderView *header = m_view->header();
    header->setSectionResizeMode(DiffFileListModel::PathColumn, QHeaderView::Stretch);
    const QFontMetrics metrics(m_view->font());
    const int padding = metrics.horizontalAdvance(QLatin1Char('M'));
    int change =
        metrics.horizontalAdvance(m_files->headerData(DiffFileListModel::ChangeColumn, Qt::Horizontal).toString());
    // The common words; a rare longer one ("mode changed") is elided, its tooltip says it all.
    FileDiff sample;
    for (const char *kind : {"added", "deleted", "renamed", "modified"}) {
        sample.change = QString::fromLatin1(kind);
        change = std::max(change, metrics.horizontalAdvance(DiffModel::changeText(sample)));
    }
    const int number = metrics.horizontalAdvance(tr("+%1").arg(99999));
    const int seen =
        std::max(metrics.horizontalAdvance(tr("✓ viewed")), metrics.horizontalAdvance(tr("%1/%2").arg(999).arg(999)));
    const QList<std::pair<int, int>> widths{{DiffFileListModel::ChangeColumn, change},
                                            {DiffFileListModel::AddedColumn, number},
                                            {DiffFileListModel::RemovedColumn, number},
                                            {DiffFileListModel::SeenColumn, seen}};
    for (const auto &[column, width] : widths) {
        const int title = metrics.horizontalAdvance(m_files->headerData(column, Qt::Horizontal).toString());
        header->setSectionResizeMode(column, QHeaderView::Interactive);
        header->resizeSection(column, std::max(width, title) + padding);
    }
}

void DiffFilesPanel::fitColumns()
{
    for (int column = DiffFileListModel::ChangeColumn; column < DiffFileListModel::ColumnCount; ++column) {
        m_view->resizeColumnToContents(column);
    }
}

int DiffFilesPanel::fileOf(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return -1;
    }
    if (index.model() == m_tree) {
        return index.siblingAtColumn(0).data(FileRole).toInt();
    }
    return m_flat->mapToSource(index).row();
}

QModelIndex DiffFilesPanel::indexOf(int file) const
{
    if (usesTree()) {
        QStandardItem *item = file >= 0 && file < m_treeItems.size() ? m_treeItems.at(file) : nullptr;
        return item ? item->index() : QModelIndex();
    }
    return m_flat->mapFromSource(m_files->index(file, 0));
}

void DiffFilesPanel::follow(int file)
{
    const QModelIndex index = indexOf(file);
    if (!index.isValid() || m_view->currentIndex().siblingAtColumn(0) == index) {
        return;
    }
    m_following = true;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
    m_following = false;
}

int DiffFilesPanel::currentFile() const
{
    return fileOf(m_view->currentIndex());
}

int DiffFilesPanel::shownFiles() const
{
    if (usesTree()) {
        return int(std::count_if(m_treeItems.cbegin(), m_treeItems.cend(), [](const QStandardItem *item) {
            return item != nullptr;
        }));
    }
    return m_flat->rowCount();
}

void DiffFilesPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::LanguageChange) {
        sizeColumns();
    }
    QWidget::changeEvent(event);
}

} // namespace astra
