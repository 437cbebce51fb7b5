#pragma once

#include <QDialog>

class QListWidget;

namespace astra {

// Chooses a workspace: the recently opened ones first, or any folder of a git repository.
class WorkspaceChooser : public QDialog
{
    Q_OBJECT
public:
    explicit WorkspaceChooser(const QString &current, QWidget *parent = nullptr);

    QListWidget *list() const
    {
        return m_list;
    }
    QString chosen() const
    {
        return m_chosen;
    }

    // The recently opened workspaces, newest first (kept in the settings, at most 10).
    static QStringList recentWorkspaces();
    static void rememberWorkspace(const QString &path);
    static void forgetWorkspace(const QString &path);

Q_SIGNALS:
    void workspaceChosen(const QString &path);

private:
    void choose(const QString &path);

    QListWidget *m_list;
    QString m_current;
    QString m_chosen;
};

} // namespace astra
