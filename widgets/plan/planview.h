#pragma once

#include "workspace/workspacewatcher.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace astra {

class PlanTreeModel;

// The plan of the selected goal: a header with its state and the planner's effort, the
// decomposition tree, what the selected primitive task produced (the proposer's request and
// answer, the files written, the test run), and the approve-plan action.
class PlanView : public QWidget
{
    Q_OBJECT
public:
    explicit PlanView(QWidget *parent = nullptr);

    void showLoading(qint64 goalId);
    void setSnapshot(const PlanSnapshot &snapshot);
    void showError(qint64 goalId, const QString &message);

    PlanTreeModel *model() const
    {
        return m_model;
    }
    QTreeView *tree() const
    {
        return m_tree;
    }
    QTextBrowser *detail() const
    {
        return m_detail;
    }
    QString headerText() const;
    bool canApprove() const;

Q_SIGNALS:
    void approveRequested(qint64 goalId);

private:
    void showNode(const QModelIndex &index);

    PlanTreeModel *m_model = nullptr;
    QLabel *m_header = nullptr;
    QPushButton *m_approve = nullptr;
    QTreeView *m_tree = nullptr;
    QTextBrowser *m_detail = nullptr;
    qint64 m_goalId = 0;
};

} // namespace astra
