#pragma once

#include "workspace/workspacewatcher.h"

#include <QHash>
#include <QWidget>

class QAction;
class QLabel;
class QPushButton;
class QTextBrowser;

namespace astra {

// The review panel of one modification: where it comes from (the detector's evidence, the
// goal, its confidence and the checks it passed), the rationale, the tests on the exact commit
// under review, the reviewer flags, and the decisions: approve, reject with a reason, merge
// after a confirmation, roll back after seeing what it touches.
class ReviewView : public QWidget
{
    Q_OBJECT
public:
    explicit ReviewView(QWidget *parent = nullptr);

    void showNone(const QString &message);
    void showLoading(qint64 modificationId);
    void setSnapshot(const ReviewSnapshot &snapshot);
    void showError(qint64 modificationId, const QString &message);

    qint64 modificationId() const
    {
        return m_snapshot.modificationId;
    }
    const ReviewSnapshot &snapshot() const
    {
        return m_snapshot;
    }
    QString headerText() const;
    QString detailsText() const; // plain text of the details panel
    bool canApprove() const;
    bool canReject() const;
    bool canMerge() const;
    bool canRetest() const;
    bool canRollback() const;
    // The conversation with the agent: a new revision from the hunk decisions, a comment on the
    // whole change, the open comments and rejected hunks sent back, the change replayed onto
    // the target's new head.
    bool canApplyDecisions() const;
    bool canComment() const;
    bool canRequestChanges() const;
    bool canUpdate() const;
    int rejectedCount() const;
    int openCommentCount() const;

    // What a rollback touches, as the confirmation shows it.
    static QString impactText(const RollbackImpact &impact);
    // The details as HTML (provenance, rationale, tests, flags, impact).
    static QString detailsHtml(const ReviewSnapshot &snapshot);

    // The window's decision actions (with their shortcuts, working from every view): each
    // clicks its button, is enabled exactly when its button is, and the button's tool tip
    // names its keys.
    void bindDecisions(QAction *approve, QAction *reject, QAction *merge, QAction *retest, QAction *rollback);
    // The same for the conversation: comment on the change, apply decisions, request changes, update.
    void bindConversation(QAction *comment, QAction *apply, QAction *request, QAction *update);

    // The actions, as the buttons and shortcuts run them; reject and roll back ask first.
    void approve();
    void reject();
    void merge();
    void rollback();

Q_SIGNALS:
    void approveRequested(qint64 modificationId);
    void rejectRequested(qint64 modificationId, const QString &reason);
    void mergeRequested(qint64 modificationId);
    void retestRequested(qint64 modificationId);
    void rollbackRequested(qint64 modificationId, const QString &reason);
    void applyDecisionsRequested(qint64 modificationId);
    void commentRequested(qint64 modificationId); // on the change as a whole
    void requestChangesRequested(qint64 modificationId);
    void updateRequested(qint64 modificationId);
    void restoreRequested(qint64 modificationId); // the hunks left out of the current revision
    void resolveRequested(qint64 commentId, bool resolved);

private:
    void updateButtons();
    void updateToolTips();

    ReviewSnapshot m_snapshot;
    bool m_loaded = false;
    QLabel *m_header;
    QTextBrowser *m_details;
    QPushButton *m_approve;
    QPushButton *m_reject;
    QPushButton *m_merge;
    QPushButton *m_retest;
    QPushButton *m_rollback;
    QPushButton *m_applyDecisions;
    QPushButton *m_comment;
    QPushButton *m_requestChanges;
    QPushButton *m_update;
    QList<QPair<QPushButton *, QAction *>> m_actions;
    QString m_retestToolTip;
    QHash<QPushButton *, QString> m_toolTips; // what a button does, before its keys
};

} // namespace astra
