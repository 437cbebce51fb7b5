#pragma once

#include "model/workspacestatus.h"

#include <QWidget>

class QLabel;
class QTreeWidget;
class QStackedWidget;

namespace astra {

// Shows a workspace's status: where it is, its state, goals per state, what waits for review.
class StatusPage : public QWidget
{
    Q_OBJECT
public:
    explicit StatusPage(QWidget *parent = nullptr);

    void showLoading(const QString &where);
    void showStatus(const WorkspaceStatus &status);
    void showError(const QString &message);

    // For tests: the number shown for a goal state, or -1.
    int shownGoalCount(const QString &state) const;
    QString shownError() const;
    // For tests: the refusals listed, as "check: title".
    QStringList shownRefusals() const;

private:
    QStackedWidget *m_stack = nullptr;
    QLabel *m_loading = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_branch = nullptr;
    QLabel *m_database = nullptr;
    QLabel *m_config = nullptr;
    QLabel *m_review = nullptr;
    QLabel *m_scheduler = nullptr;
    QLabel *m_ledger = nullptr;
    QLabel *m_highlighting = nullptr;
    QTreeWidget *m_goals = nullptr;
    QLabel *m_refusals = nullptr;
    QStringList m_shownRefusals;
};

} // namespace astra
