#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace astra {

namespace {
// The view an action belongs to: the tab that holds its widget, or the whole window.
QString whereOf(QAction *action, QWidget *window)
{
    QObject *owner = action->parent();
    auto *tabs = window->findChild<QTabWidget *>(QStringLiteral("views"));
    while (owner && owner != window) {
        if (tabs && owner->isWidgetType()) {
            const int index = tabs->indexOf(static_cast<QWidget *>(owner));
            if (index >= 0) {
                return tabs->tabText(index).remove(u'&');
            }
        }
        owner = owner->parent();
    }
    return ShortcutsDialog::tr("Everywhere");
}
} // namespace

QList<QStringList> ShortcutsDialog::shortcuts(QWidget *window)
{
    QList<QStringList> rows;
    const QList<QAction *> actions = window->findChildren<QAction *>();
    for (QAction *action : actions) {
        const QList<QKeySequence> keys = action->shortcuts();
        if (keys.isEmpty()) {
            continue;
        }
        QStringList texts;
        for (const QKeySequence &key : keys) {
            texts.append(key.toString(QKeySequence::NativeText));
        }
        QString name = action->text().remove(u'&');
        name.remove(QStringLiteral("…"));
        rows.append({name, texts.join(QStringLiteral(", ")), whereOf(action, window)});
    }
    std::sort(rows.begin(), rows.end(), [](const QStringList &a, const QStringList &b) {
        return a.at(2) == b.at(2) ? a.at(0) < b.at(0) : a.at(2) < b.at(2);
    });
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    return rows;
}

ShortcutsDialog::ShortcutsDialog(QWidget *window, QWidget *parent)
    : QDialog(parent)
    , m_table(new QTableWidget(this))
{
    setWindowTitle(tr("Keyboard shortcuts"));
    const QList<QStringList> rows = shortcuts(window);
    m_table->setColumnCount(3);
    m_table->setHorizontalHeaderLabels({tr("Action"), tr("Keys"), tr("Where")});
    m_table->setRowCount(int(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        for (int column = 0; column < 3; ++column) {
            m_table->setItem(row, column, new QTableWidgetItem(rows.at(row).at(column)));
        }
    }
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->resizeColumnsToContents();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(640, 560);
}

} // namespace astra
