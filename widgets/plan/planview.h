#pragma once

#include "workspace/workspacewatcher.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSplitter;
class QTextBrowser;
class QTreeView;
class QUrl;

namespace astra {

class PlanGraphView;
class SourceView;
class PlanTreeModel;

// The plan of the selected goal: a header with its state and the planner's effort; the
// decomposition as a tree and as a picture side by side, in the reader's words or the
// planner's symbols, selected together; what the selected step produced, or why a way was not
// taken with a link to the domain's source; the goal's earlier plans and what changed between
// them; the picture's export; and the approve-plan action.
class PlanView : public QWidget
{
    Q_OBJECT
public:
    explicit PlanView(QWidget *parent = nullptr);
    ~PlanView() override;

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
    PlanGraphView *graph() const
    {
        return m_graph;
    }
    QTextBrowser *detail() const
    {
        return m_detail;
    }
    QComboBox *planChooser() const
    {
        return m_plans;
    }
    QString headerText() const;
    bool canApprove() const;

    // Shows plan `planId` of the goal (the current one or an earlier one).
    void showPlan(qint64 planId);
    // The changes from the plan before the shown one to it, in the detail pane.
    void compareWithPrevious();
    // Writes the picture to `path`: SVG for *.svg, PNG otherwise. Written off the UI thread;
    // exported() tells how it went.
    void exportPicture(const QString &path);
    // What a step produced, loaded (WorkspaceWatcher::stepLoaded): shown if still selected.
    void setStepDetail(const StepDetail &detail);
    SourceView *fileView() const
    {
        return m_file;
    }
    // Opens the domain's source at a line (a SourceRef's text, "code-maintenance.hddl:84").
    void openSource(const QString &file, int line);

Q_SIGNALS:
    void approveRequested(qint64 goalId);
    // Open the change's diff, at `path` when given.
    void modificationRequested(qint64 modificationId, const QString &path);
    // What a finished step produced is wanted (WorkspaceWatcher::loadStep).
    void stepWanted(const astra::TaskRecord &task);
    void exported(const QString &path, const QString &error);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showNode(const QModelIndex &index);
    void showNotStep(const QModelIndex &index);
    void linkClicked(const QUrl &url);
    void present(bool keepSelection);

    PlanSnapshot m_snapshot; // as loaded
    qint64 m_shownPlan = 0; // 0: the current plan
    qint64 m_drawnPlan = 0; // the plan the picture last showed whole
    PlanTreeModel *m_model = nullptr;
    QLabel *m_header = nullptr;
    QPushButton *m_approve = nullptr;
    QComboBox *m_plans = nullptr;
    QPushButton *m_compare = nullptr;
    QCheckBox *m_symbolic = nullptr;
    QTreeView *m_tree = nullptr;
    PlanGraphView *m_graph = nullptr;
    QTextBrowser *m_detail = nullptr;
    SourceView *m_file = nullptr; // the file a selected code_read step read
    QString m_stepHtml; // the selected step's detail before what was loaded for it
    int m_stepSplit = 0; // where in it what was loaded goes
    qint64 m_stepTask = 0; // that step's task
    qint64 m_goalId = 0;
    bool m_syncing = false;
    bool m_sized = false;
    QSplitter *m_panes = nullptr; // the decomposition above the detail
    QSplitter *m_sides = nullptr; // the tree beside the picture
};

} // namespace astra
