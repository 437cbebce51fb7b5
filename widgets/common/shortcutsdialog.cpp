#include "shortcutsdialog.h"

#include "shortcuts.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace astra {

namespace {
QString actionName(const QAction *action)
{
    QString name = action->text().remove(u'&');
    name.remove(QStringLiteral("…"));
    return name;
}

struct Row
{
    QStringList texts; // action, keys, where
    QAction *action = nullptr; // the configurable action, if it is one
};

QList<Row> rowsOf(QWidget *window)
{
    QList<Row> rows;
    const QList<QAction *> configurable = Shortcuts::actions(window);
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (QAction *action : actions) {
        const QList<QKeySequence> keys = action->shortcuts();
        const bool changeable = configurable.contains(action);
        if (keys.isEmpty() && !changeable) {
            continue;
        }
        QStringList texts;
        for (const QKeySequence &key : keys) {
            texts.append(key.toString(QKeySequence::NativeText));
        }
        rows.append({{actionName(action), texts.join(QStringLiteral(", ")), Shortcuts::whereOf(action, window)},
                     changeable ? action : nullptr});
    }
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return a.texts.at(2) == b.texts.at(2) ? a.texts.at(0) < b.texts.at(0) : a.texts.at(2) < b.texts.at(2);
    });
    rows.erase(std::unique(rows.begin(),
                           rows.end(),
                           [](const Row &a, const Row &b) { return a.texts == b.texts && a.action == b.action; }),
               rows.end());
    return rows;
}
} // namespace

QList<QStringList> ShortcutsDialog::shortcuts(QWidget *window)
{
    QList<QStringList> result;
    for (const Row &row : rowsOf(window)) {
        if (!row.texts.at(1).isEmpty()) {
            result.append(row.texts);
        }
    }
    result.erase(std::unique(result.begin(), result.end()), result.end());
    return result;
}

ShortcutsDialog::ShortcutsDialog(QWidget *window, QWidget *parent)
    : QDialog(parent)
    , m_window(window)
    , m_table(new QTableWidget(this))
    , m_keys(new QKeySequenceEdit(this))
    , m_assign(new QPushButton(tr("&Assign"), this))
    , m_reset(new QPushButton(tr("&Default"), this))
    , m_message(new QLabel(this))
{
    setWindowTitle(tr("Keyboard shortcuts"));
    m_table->setColumnCount(3);
    m_table->setHorizontalHeaderLabels({tr("Action"), tr("Keys"), tr("Where")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_keys->setObjectName(QStringLiteral("shortcutKeys"));
    m_message->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("shortcutMessage"));
    fill();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->resizeColumnsToContents();

    const auto updateEditor = [this] {
        QAction *action = currentAction();
        m_keys->setEnabled(action);
        m_assign->setEnabled(action);
        m_reset->setEnabled(action && action->shortcut() != Shortcuts::defaultOf(action));
        m_keys->setKeySequence(action ? action->shortcut() : QKeySequence());
        m_message->setText(
            action ? tr("Press the new keys for \u201c%1\u201d, then Assign. Default: %2.")
                         .arg(actionName(action), Shortcuts::defaultOf(action).toString(QKeySequence::NativeText))
                   : tr("This shortcut is fixed."));
    };
    connect(m_table, &QTableWidget::currentCellChanged, this, updateEditor);
    connect(m_assign, &QPushButton::clicked, this, [this] {
        if (QAction *action = currentAction()) {
            showResult(Shortcuts::change(m_window, action, m_keys->keySequence()), m_keys->keySequence());
        }
    });
    connect(m_reset, &QPushButton::clicked, this, [this] {
        if (QAction *action = currentAction()) {
            showResult(Shortcuts::reset(m_window, action), Shortcuts::defaultOf(action));
        }
    });
    updateEditor();

    auto *editor = new QHBoxLayout;
    editor->addWidget(new QLabel(tr("Keys:"), this));
    editor->addWidget(m_keys, 1);
    editor->addWidget(m_assign);
    editor->addWidget(m_reset);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addLayout(editor);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    resize(680, 600);
}

void ShortcutsDialog::fill()
{
    const QList<Row> rows = rowsOf(m_window);
    m_table->setRowCount(int(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        for (int column = 0; column < 3; ++column) {
            auto *item = new QTableWidgetItem(rows.at(row).texts.at(column));
            item->setData(Qt::UserRole, QVariant::fromValue(static_cast<QObject *>(rows.at(row).action)));
            m_table->setItem(row, column, item);
        }
    }
}

QAction *ShortcutsDialog::currentAction() const
{
    const QTableWidgetItem *item = m_table->item(m_table->currentRow(), 0);
    return item ? qobject_cast<QAction *>(item->data(Qt::UserRole).value<QObject *>()) : nullptr;
}

void ShortcutsDialog::showResult(const QString &conflict, const QKeySequence &keys)
{
    if (!conflict.isEmpty()) {
        m_message->setText(tr("%1 is already the shortcut of %2 there; nothing was changed. Choose other keys, or "
                              "give that action other keys first.")
                               .arg(keys.toString(QKeySequence::NativeText), conflict));
        return;
    }
    QAction *action = currentAction();
    fill();
    // The rows are sorted by view and name: the changed action keeps its place.
    for (int r = 0; r < m_table->rowCount(); ++r) {
        if (m_table->item(r, 0)->data(Qt::UserRole).value<QObject *>() == action) {
            m_table->setCurrentCell(r, 0);
            break;
        }
    }
    m_reset->setEnabled(action->shortcut() != Shortcuts::defaultOf(action));
    m_message->setText(keys.isEmpty()
                           ? tr("%1 has no shortcut now.").arg(actionName(action))
                           : tr("%1 is now %2.").arg(actionName(action), keys.toString(QKeySequence::NativeText)));
}

} // namespace astra
