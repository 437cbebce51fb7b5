#pragma once

#include <QDialog>

class QTableWidget;

namespace astra {

// Every action of a window that has a keyboard shortcut, with where it works, read from the
// window's actions so that the list cannot drift from what the keys do.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget *window, QWidget *parent = nullptr);
    QTableWidget *table() const
    {
        return m_table;
    }
    // (action, keys, where) for every shortcut of `window`, sorted by where.
    static QList<QStringList> shortcuts(QWidget *window);

private:
    QTableWidget *m_table;
};

} // namespace astra
