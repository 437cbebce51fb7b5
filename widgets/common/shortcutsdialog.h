#pragma once

#include <QDialog>

class QAction;
class QKeySequenceEdit;
class QLabel;
class QPushButton;
class QTableWidget;

namespace astra {

// Every action of a window that has a keyboard shortcut, with where it works, read from the
// window's actions so that the list cannot drift from what the keys do. A configurable one
// (see Shortcuts) can be given other keys here, or its default back; keys another action
// already has where this one works are refused, naming that action.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget *window, QWidget *parent = nullptr);
    QTableWidget *table() const
    {
        return m_table;
    }
    QKeySequenceEdit *keysEdit() const
    {
        return m_keys;
    }
    QPushButton *assignButton() const
    {
        return m_assign;
    }
    QPushButton *resetButton() const
    {
        return m_reset;
    }
    QLabel *messageLabel() const
    {
        return m_message;
    }
    // (action, keys, where) for every shortcut of `window`, sorted by where.
    static QList<QStringList> shortcuts(QWidget *window);

private:
    void fill();
    QAction *currentAction() const;
    void showResult(const QString &conflict, const QKeySequence &keys);

    QWidget *m_window;
    QTableWidget *m_table;
    QKeySequenceEdit *m_keys;
    QPushButton *m_assign;
    QPushButton *m_reset;
    QLabel *m_message;
};

} // namespace astra
