#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace astra {

// Edits a workspace's .astra.toml. The text is checked by the same parser the engine uses
// before anything is written; an invalid text is never saved, and the error names the key, the
// rule and what to write instead. Reading and writing the file happen off the UI thread; the
// file is replaced atomically.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const QString &configPath, QWidget *parent = nullptr);

    QPlainTextEdit *editor() const
    {
        return m_editor;
    }
    QString problemText() const;
    // Checks the text; true when it is a valid configuration.
    bool validate();
    // Validates, then writes in the background (saved() or saveFailed()).
    void save();

Q_SIGNALS:
    void loaded();
    void saved();
    void saveFailed(const QString &message);

private:
    QString m_path;
    QPlainTextEdit *m_editor;
    QLabel *m_problem;
    QPushButton *m_save;
};

} // namespace astra
