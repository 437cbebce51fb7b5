#include "reviewview.h"

#include "common/labels.h"
#include "common/reasondialog.h"

#include <QAction>
#include <QApplication>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBrowser>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>

namespace astra {

namespace {
QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString shortId(const QString &commit)
{
    return commit.left(10);
}

QString statusLabel(ModificationStatus status)
{
    switch (status) {
    case ModificationStatus::Pending:
        return ReviewView::tr("pending tests");
    case ModificationStatus::Testing:
        return ReviewView::tr("testing");
    case ModificationStatus::AwaitingApproval:
        return ReviewView::tr("awaiting approval");
    case ModificationStatus::Approved:
        return ReviewView::tr("approved, not merged yet");
    case ModificationStatus::Merged:
        return ReviewView::tr("merged");
    case ModificationStatus::Rejected:
        return ReviewView::tr("rejected");
    case ModificationStatus::TestsFailed:
        return ReviewView::tr("tests failed");
    case ModificationStatus::Conflicted:
        return ReviewView::tr("conflicted");
    case ModificationStatus::RolledBack:
        return ReviewView::tr("rolled back");
    }
    return {};
}

// What each reviewer flag means, in a sentence.
QString flagText(const QString &flag, const QString &path)
{
    if (flag == u"auto_run_file") {
        return ReviewView::tr(
                   "%1 runs automatically (build, CI, hooks or packaging): read it as code that will "
                   "execute on the next build.")
            .arg(path);
    }
    if (flag == u"test_weakened") {
        return ReviewView::tr("%1 has fewer assertions than before: a test was weakened.").arg(path);
    }
    if (flag == u"test_deleted") {
        return ReviewView::tr("%1, a test file, is deleted.").arg(path);
    }
    if (flag == u"exec_bit_set") {
        return ReviewView::tr("%1 became executable.").arg(path);
    }
    if (flag == u"beyond_scope") {
        return ReviewView::tr("%1 is beyond the scope of the change (see Scope).").arg(path);
    }
    if (flag == u"ignore_rules_changed") {
        return ReviewView::tr("%1 changes which files git ignores: files it now ignores no longer show in git status.")
            .arg(path);
    }
    return ReviewView::tr("%1: %2").arg(path, flag);
}

// Who named a file of the scope.
QString scopeSourceText(const QString &source)
{
    if (source == u"goal") {
        return ReviewView::tr("the goal");
    }
    if (source == u"plan") {
        return ReviewView::tr("read by the plan");
    }
    if (source == u"import") {
        return ReviewView::tr("named on import");
    }
    if (source == u"comment") {
        return ReviewView::tr("a review comment");
    }
    return source;
}

// What the change was asked to touch, and what it touched beyond that.
QString scopeHtml(const Modification &m, const Goal &goal)
{
    const ModificationScope &scope = m.scope;
    const auto paragraph = [](const QString &text, bool strong = false) {
        return strong ? QStringLiteral("<p><b>%1</b></p>").arg(esc(text)) : QStringLiteral("<p>%1</p>").arg(esc(text));
    };
    switch (scope.state) {
    case ModificationScope::State::NotRecorded:
        return paragraph(ReviewView::tr("Not recorded: this change was made before scopes were kept."));
    case ModificationScope::State::NoFiles:
        return paragraph(
            (goal.source == GoalSource::User
                 ? ReviewView::tr("No scope to check: goal #%1 names no files (it was added without --files), so no "
                                  "file is flagged as beyond it.")
                 : ReviewView::tr("No scope to check: goal #%1 names no files (its evidence points to none), so no "
                                  "file is flagged as beyond it."))
                .arg(goal.id));
    case ModificationScope::State::Unstated:
        return paragraph(ReviewView::tr("⚠ No stated scope: this change was imported without --files, for a goal "
                                        "that names no files. Nothing says which files it should touch: read every "
                                        "file."),
                         true);
    case ModificationScope::State::Stated:
        break;
    }
    QStringList named;
    for (const ScopeEntry &entry : scope.entries) {
        named.append(ReviewView::tr("%1 (%2)").arg(entry.path, scopeSourceText(entry.source)));
    }
    QString html = paragraph(ReviewView::tr("Asked to change: %1").arg(named.join(QStringLiteral(", "))));
    if (scope.beyondFiles.isEmpty()) {
        return html + paragraph(ReviewView::tr("Every changed file is in scope."));
    }
    html += paragraph(ReviewView::tr("⚠ Beyond its scope: %1, %2")
                          .arg(ReviewView::tr("%n file(s)", nullptr, int(scope.beyondFiles.size())),
                               ReviewView::tr("%n changed line(s)", nullptr, scope.beyondLines)),
                      true);
    html += QStringLiteral("<ul>");
    for (const ModificationFile &file : m.files) {
        if (scope.beyondFiles.contains(file.path)) {
            html +=
                QStringLiteral("<li>%1</li>")
                    .arg(esc(ReviewView::tr("%1 (+%2 −%3)").arg(file.path).arg(file.additions).arg(file.deletions)));
        }
    }
    return html + QStringLiteral("</ul>");
}

} // namespace

ReviewView::ReviewView(QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_details(new QTextBrowser(this))
    , m_approve(new QPushButton(tr("&Approve change"), this))
    , m_reject(new QPushButton(tr("Re&ject change…"), this))
    , m_merge(new QPushButton(tr("&Merge…"), this))
    , m_retest(new QPushButton(tr("&Test again"), this))
    , m_rollback(new QPushButton(tr("Roll &back…"), this))
    , m_applyDecisions(new QPushButton(tr("Apply &decisions"), this))
    , m_comment(new QPushButton(tr("C&omment…"), this))
    , m_requestChanges(new QPushButton(tr("Re&quest changes"), this))
    , m_update(new QPushButton(tr("&Update"), this))
{
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::PlainText);
    QFont bold = m_header->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_header->setFont(bold);
    m_details->setObjectName(QStringLiteral("reviewDetails"));
    m_details->setOpenLinks(false);
    m_approve->setObjectName(QStringLiteral("approveModification"));
    m_reject->setObjectName(QStringLiteral("rejectModification"));
    m_merge->setObjectName(QStringLiteral("mergeModification"));
    m_retest->setObjectName(QStringLiteral("retestModification"));
    m_rollback->setObjectName(QStringLiteral("rollbackModification"));
    connect(m_approve, &QPushButton::clicked, this, &ReviewView::approve);
    connect(m_reject, &QPushButton::clicked, this, &ReviewView::reject);
    connect(m_merge, &QPushButton::clicked, this, &ReviewView::merge);
    connect(m_retest, &QPushButton::clicked, this, [this] {
        if (canRetest()) {
            Q_EMIT retestRequested(m_snapshot.modificationId);
        }
    });
    connect(m_rollback, &QPushButton::clicked, this, &ReviewView::rollback);
    m_applyDecisions->setObjectName(QStringLiteral("applyDecisions"));
    m_comment->setObjectName(QStringLiteral("commentModification"));
    m_requestChanges->setObjectName(QStringLiteral("requestChanges"));
    m_update->setObjectName(QStringLiteral("updateModification"));
    m_toolTips.insert(m_comment, tr("Comment on the change as a whole (comments on a line: C in Changes)"));
    connect(m_applyDecisions, &QPushButton::clicked, this, [this] {
        if (canApplyDecisions()) {
            Q_EMIT applyDecisionsRequested(m_snapshot.modificationId);
        }
    });
    connect(m_comment, &QPushButton::clicked, this, [this] {
        if (canComment()) {
            Q_EMIT commentRequested(m_snapshot.modificationId);
        }
    });
    connect(m_requestChanges, &QPushButton::clicked, this, [this] {
        if (canRequestChanges()) {
            Q_EMIT requestChangesRequested(m_snapshot.modificationId);
        }
    });
    connect(m_update, &QPushButton::clicked, this, [this] {
        if (canUpdate()) {
            Q_EMIT updateRequested(m_snapshot.modificationId);
        }
    });
    connect(m_details, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        // astra:resolve/ID, astra:reopen/ID, astra:restore
        const QString path = url.path();
        if (url.scheme() != u"astra") {
            return;
        }
        if (path == u"restore") {
            Q_EMIT restoreRequested(m_snapshot.modificationId);
        } else if (path.startsWith(QLatin1String("resolve/")) || path.startsWith(QLatin1String("reopen/"))) {
            Q_EMIT resolveRequested(path.section(u'/', 1).toLongLong(), path.startsWith(QLatin1String("resolve/")));
        }
    });

    setFocusProxy(m_details);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_header, 1);
    buttons->addWidget(m_approve);
    buttons->addWidget(m_reject);
    buttons->addWidget(m_retest);
    buttons->addWidget(m_merge);
    buttons->addWidget(m_rollback);
    auto *conversation = new QHBoxLayout;
    conversation->addStretch(1);
    conversation->addWidget(m_comment);
    conversation->addWidget(m_applyDecisions);
    conversation->addWidget(m_requestChanges);
    conversation->addWidget(m_update);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addLayout(conversation);
    layout->addWidget(m_details, 1);
    showNone(tr("Select a goal with a modification on the Goals board to review it."));
}

void ReviewView::showNone(const QString &message)
{
    m_snapshot = ReviewSnapshot();
    m_loaded = false;
    m_header->setText(tr("Nothing to review"));
    m_details->setPlainText(message);
    updateButtons();
}

void ReviewView::showLoading(qint64 modificationId)
{
    if (m_snapshot.modificationId != modificationId) {
        m_loaded = false;
        m_snapshot = ReviewSnapshot();
        m_snapshot.modificationId = modificationId;
        m_header->setText(tr("Modification %1").arg(modificationId));
        m_details->setPlainText(tr("Loading…"));
    }
    updateButtons();
}

void ReviewView::showError(qint64 modificationId, const QString &message)
{
    m_loaded = false;
    m_snapshot = ReviewSnapshot();
    m_snapshot.modificationId = modificationId;
    m_header->setText(tr("Modification %1 could not be loaded").arg(modificationId));
    m_details->setPlainText(message);
    updateButtons();
}

void ReviewView::setSnapshot(const ReviewSnapshot &snapshot)
{
    const int scroll =
        snapshot.modificationId == m_snapshot.modificationId ? m_details->verticalScrollBar()->value() : 0;
    m_snapshot = snapshot;
    m_loaded = true;
    const Modification &m = snapshot.modification;
    m_header->setText(tr("Modification %1 · %2 · %3").arg(m.id).arg(statusLabel(m.status), m.title));
    m_details->setHtml(detailsHtml(snapshot));
    m_details->verticalScrollBar()->setValue(scroll);
    updateButtons();
}

QString ReviewView::headerText() const
{
    return m_header->text();
}

QString ReviewView::detailsText() const
{
    return m_details->toPlainText();
}

bool ReviewView::canApprove() const
{
    return m_loaded && m_snapshot.modification.status == ModificationStatus::AwaitingApproval;
}

bool ReviewView::canReject() const
{
    // Wherever the engine allows it: the state machine is the one rule.
    return m_loaded
        && ModificationStateMachine::legalNextStates(m_snapshot.modification.status)
               .contains(ModificationStatus::Rejected);
}

bool ReviewView::canMerge() const
{
    return m_loaded && m_snapshot.modification.status == ModificationStatus::Approved;
}

bool ReviewView::canRetest() const
{
    // Not while a test runs (testing): every state that can go to testing can be tested.
    return m_loaded && m_snapshot.modification.status != ModificationStatus::Testing
        && ModificationStateMachine::legalNextStates(m_snapshot.modification.status)
               .contains(ModificationStatus::Testing);
}

bool ReviewView::canRollback() const
{
    return m_loaded && m_snapshot.modification.status == ModificationStatus::Merged && m_snapshot.rollback.has_value();
}

namespace {
bool underReview(ModificationStatus status)
{
    using S = ModificationStatus;
    return status == S::Pending || status == S::AwaitingApproval || status == S::TestsFailed || status == S::Approved
        || status == S::Conflicted;
}
} // namespace

int ReviewView::rejectedCount() const
{
    return int(std::count_if(m_snapshot.decisions.cbegin(), m_snapshot.decisions.cend(), [](const HunkDecision &d) {
        return d.decision == u"rejected";
    }));
}

int ReviewView::openCommentCount() const
{
    return int(std::count_if(m_snapshot.comments.cbegin(), m_snapshot.comments.cend(), [this](const ReviewComment &c) {
        return !c.isResolved() && !c.outdated && c.revision == m_snapshot.currentRevision;
    }));
}

bool ReviewView::canApplyDecisions() const
{
    return m_loaded && underReview(m_snapshot.modification.status) && rejectedCount() > 0;
}

bool ReviewView::canComment() const
{
    return m_loaded && underReview(m_snapshot.modification.status);
}

bool ReviewView::canRequestChanges() const
{
    const bool leftOut = !m_snapshot.modification.revisions.isEmpty()
        && !m_snapshot.modification.revisions.constLast().meta.value(QStringLiteral("rejected")).toArray().isEmpty();
    return m_loaded && underReview(m_snapshot.modification.status)
        && (openCommentCount() > 0 || rejectedCount() > 0 || leftOut);
}

bool ReviewView::canUpdate() const
{
    return m_loaded && underReview(m_snapshot.modification.status) && !m_snapshot.targetHead.isEmpty()
        && m_snapshot.targetHead != m_snapshot.modification.baseCommit;
}

void ReviewView::updateButtons()
{
    // An imported change that was never tested is tested for the first time.
    const bool untested = m_loaded && m_snapshot.modification.status == ModificationStatus::Pending;
    m_retest->setText(untested ? tr("Run &tests") : tr("&Test again"));
    m_retestToolTip = untested ? tr("Run the tests on this change's commit; it then waits for review")
                               : tr(
                                   "Run the tests again on the target branch as it is now (the merge this change "
                                   "would make) and put the change back for review; an approval is withdrawn");
    // A button that disables itself (Approve, once approved) would take the keyboard focus out
    // of the panel with it, and the panel's shortcuts (Ctrl+Alt+M next) would stop working:
    // the focus stays in the panel.
    const bool focusInPanel = isAncestorOf(QApplication::focusWidget());
    m_approve->setEnabled(canApprove());
    m_reject->setEnabled(canReject());
    m_merge->setEnabled(canMerge());
    m_retest->setEnabled(canRetest());
    m_rollback->setEnabled(canRollback());
    m_applyDecisions->setEnabled(canApplyDecisions());
    m_applyDecisions->setText(rejectedCount() > 0 ? tr("Apply &decisions (%n rejected)", nullptr, rejectedCount())
                                                  : tr("Apply &decisions"));
    m_toolTips.insert(m_applyDecisions,
                      tr("Make the next revision without the rejected hunks and files, and test it "
                         "(reject with X in Changes, a whole file with Shift+X)"));
    m_comment->setEnabled(canComment());
    m_requestChanges->setEnabled(canRequestChanges());
    m_toolTips.insert(m_requestChanges,
                      tr("Send the open comments (%1) and the rejected hunks to the goal's agent; its answer becomes "
                         "the next revision, tested")
                          .arg(openCommentCount()));
    m_update->setEnabled(canUpdate());
    m_update->setText(m_loaded && !m_snapshot.modification.targetBranch.isEmpty()
                          ? tr("&Update onto %1").arg(m_snapshot.modification.targetBranch)
                          : tr("&Update"));
    m_toolTips.insert(m_update,
                      canUpdate() ? tr("%1 moved to %2 since this change was made on %3: replay the change onto it "
                                       "as a new revision and test it")
                                        .arg(m_snapshot.modification.targetBranch,
                                             shortId(m_snapshot.targetHead),
                                             shortId(m_snapshot.modification.baseCommit))
                                  : tr("The change is on the target's head"));
    for (const auto &[button, action] : std::as_const(m_actions)) {
        action->setEnabled(button->isEnabled());
    }
    updateToolTips();
    if (focusInPanel && (!QApplication::focusWidget() || !isAncestorOf(QApplication::focusWidget()))) {
        m_details->setFocus(Qt::OtherFocusReason);
    }
}

void ReviewView::bindDecisions(QAction *approve, QAction *reject, QAction *merge, QAction *retest, QAction *rollback)
{
    m_actions = {{m_approve, approve},
                 {m_reject, reject},
                 {m_merge, merge},
                 {m_retest, retest},
                 {m_rollback, rollback}};
    for (const auto &[button, action] : std::as_const(m_actions)) {
        connect(action, &QAction::triggered, button, &QPushButton::click);
        connect(action, &QAction::changed, this, &ReviewView::updateToolTips);
    }
    updateButtons();
}

void ReviewView::bindConversation(QAction *comment, QAction *apply, QAction *request, QAction *update)
{
    const QList<QPair<QPushButton *, QAction *>> more{{m_comment, comment},
                                                      {m_applyDecisions, apply},
                                                      {m_requestChanges, request},
                                                      {m_update, update}};
    for (const auto &[button, action] : more) {
        m_actions.append({button, action});
        connect(action, &QAction::triggered, button, &QPushButton::click);
        connect(action, &QAction::changed, this, &ReviewView::updateToolTips);
    }
    updateButtons();
}

void ReviewView::updateToolTips()
{
    for (const auto &[button, action] : std::as_const(m_actions)) {
        const QString keys = action->shortcut().toString(QKeySequence::NativeText);
        const QString what =
            button == m_retest ? m_retestToolTip : m_toolTips.value(button, button->text().remove(u'&'));
        const QString tip = keys.isEmpty() ? what : tr("%1 (%2)").arg(what, keys);
        if (button->toolTip() != tip) {
            button->setToolTip(tip);
        }
    }
}

void ReviewView::approve()
{
    if (canApprove()) {
        Q_EMIT approveRequested(m_snapshot.modificationId);
    }
}

void ReviewView::reject()
{
    if (!canReject()) {
        return;
    }
    const qint64 id = m_snapshot.modificationId;
    askForReason(this,
                 QStringLiteral("modificationReason"),
                 tr("Reject modification %1").arg(id),
                 tr("Why? The reason is kept with the modification and in the audit ledger."),
                 [this, id](const QString &reason) { Q_EMIT rejectRequested(id, reason); });
}

void ReviewView::merge()
{
    if (!canMerge()) {
        return;
    }
    const Modification &m = m_snapshot.modification;
    QStringList paths;
    for (const ModificationFile &file : m.files) {
        paths.append(file.path);
    }
    auto *box =
        new QMessageBox(QMessageBox::Question,
                        tr("Merge modification %1").arg(m.id),
                        tr("Merge “%1” into %2?\n\nIt changes %n file(s): %3.\nThe branch's head %4 is the "
                           "commit that was tested.",
                           nullptr,
                           int(paths.size()))
                            .arg(m.title, m.targetBranch, paths.join(QStringLiteral(", ")), shortId(m.headCommit)),
                        QMessageBox::Yes | QMessageBox::Cancel,
                        this);
    box->setObjectName(QStringLiteral("confirmMerge"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Yes);
    const qint64 id = m.id;
    connect(box, &QMessageBox::finished, this, [this, id](int result) {
        if (result == QMessageBox::Yes) {
            Q_EMIT mergeRequested(id);
        }
    });
    box->open();
}

void ReviewView::rollback()
{
    if (!canRollback()) {
        return;
    }
    const qint64 id = m_snapshot.modificationId;
    askForReason(this,
                 QStringLiteral("rollbackConfirm"),
                 tr("Roll back modification %1").arg(id),
                 impactText(*m_snapshot.rollback) + u"\n\n"
                     + tr("Why roll it back? The reason goes into the revert commit, the reopened goal and the "
                          "audit ledger."),
                 [this, id](const QString &reason) { Q_EMIT rollbackRequested(id, reason); });
}

QString ReviewView::impactText(const RollbackImpact &impact)
{
    QStringList lines;
    lines.append(tr("A revert commit on %1 will restore %n file(s): %2.", nullptr, int(impact.paths.size()))
                     .arg(impact.targetBranch, impact.paths.join(QStringLiteral(", "))));
    if (impact.laterCommits.isEmpty()) {
        lines.append(tr("No later commit on %1 touches them.").arg(impact.targetBranch));
    } else {
        lines.append(tr("%n later commit(s) on %1 touch them; the revert may conflict with:",
                        nullptr,
                        int(impact.laterCommits.size()))
                         .arg(impact.targetBranch));
        for (const CommitSummary &commit : impact.laterCommits) {
            lines.append(tr("  %1 %2 (%3)").arg(shortId(commit.id), commit.summary, commit.author));
        }
    }
    if (!impact.localEdits.isEmpty()) {
        lines.append(tr("Uncommitted local edits are in the way: %1. The rollback stops before changing anything "
                        "until they are committed or stashed.")
                         .arg(impact.localEdits.join(QStringLiteral(", "))));
    } else if (impact.targetCheckedOut) {
        lines.append(tr("%1 is checked out; the work tree is updated with the revert.").arg(impact.targetBranch));
    }
    return lines.join(u'\n');
}

QString ReviewView::detailsHtml(const ReviewSnapshot &snapshot)
{
    const Modification &m = snapshot.modification;
    const Goal &goal = snapshot.goal;
    QString html;
    auto section = [&html](const QString &title) {
        html += QStringLiteral("<h3>%1</h3>").arg(esc(title));
    };
    auto row = [](const QString &name, const QString &value) {
        return QStringLiteral("<tr><td><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>").arg(esc(name), value);
    };

    html += QStringLiteral("<table>");
    html += row(tr("Branch"), esc(tr("%1 → %2").arg(m.branch, m.targetBranch)));
    html += row(tr("Commits"), esc(tr("base %1, head %2").arg(shortId(m.baseCommit), shortId(m.headCommit))));
    if (!m.mergeCommit.isEmpty()) {
        html += row(tr("Merged as"), esc(shortId(m.mergeCommit)));
    }
    if (!m.revertCommit.isEmpty()) {
        html += row(tr("Reverted by"), esc(shortId(m.revertCommit)));
    }
    int additions = 0;
    int deletions = 0;
    for (const ModificationFile &file : m.files) {
        additions += file.additions;
        deletions += file.deletions;
    }
    html +=
        row(tr("Files"), esc(tr("%n file(s), +%1 −%2", nullptr, int(m.files.size())).arg(additions).arg(deletions)));
    html += row(tr("Written"),
                esc(m.taskId ? tr("by task %1 of the goal's plan, %2").arg(*m.taskId).arg(m.createdAt)
                             : tr("imported, %1").arg(m.createdAt)));
    // Who decided: the approvals of what is there now, against what the team requires.
    if (snapshot.requiredApprovals > 1 || !m.approvers.isEmpty()) {
        QStringList names;
        for (const QString &approver : m.approvers) {
            names.append(personName(approver));
        }
        html += row(tr("Approved by"),
                    esc(tr("%1 (%2 of %3 needed)")
                            .arg(names.isEmpty() ? tr("nobody yet") : names.join(QStringLiteral(", ")))
                            .arg(m.approvers.size())
                            .arg(snapshot.requiredApprovals)));
    }
    if (!m.assignees.isEmpty()) {
        html += row(tr("Reviewers asked"), esc(m.assignees.join(QStringLiteral(", "))));
    }
    html += QStringLiteral("</table>");

    // What it was asked to change, near the top: scope creep is read before the diff.
    section(tr("Scope"));
    html += scopeHtml(m, goal);

    // Every version of the change; approval, tests and merge name the current one.
    if (!m.revisions.isEmpty()) {
        section(tr("Revisions"));
        html += QStringLiteral("<table>");
        for (const Revision &revision : m.revisions) {
            QString tested = tr("not tested");
            for (const TestResultRecord &test : snapshot.tests) {
                if (test.commitId == revision.commit) {
                    tested = tr("tests %1").arg(outcomeLabel(test.outcome));
                }
            }
            html += row(tr("Revision %1").arg(revision.number),
                        esc(tr("%1 · %2 · %3 · %4%5")
                                .arg(shortId(revision.commit), revision.origin, revision.createdAt, tested)
                                .arg(revision.commit == m.headCommit ? tr(" · current") : QString())));
        }
        html += QStringLiteral("</table>");
    }

    // The conversation: what was left out of this revision, and every comment.
    if (!m.revisions.isEmpty()) {
        const QJsonArray leftOut = m.revisions.constLast().meta.value(QStringLiteral("rejected")).toArray();
        if (!leftOut.isEmpty()) {
            section(tr("Left out of revision %1").arg(m.revisions.constLast().number));
            html += QStringLiteral("<ul>");
            for (const QJsonValue &value : leftOut) {
                const QJsonObject part = value.toObject();
                html += QStringLiteral("<li>%1 <pre>%2</pre></li>")
                            .arg(esc(part.value(QStringLiteral("file")).toBool()
                                         ? tr("%1 (the whole file)").arg(part.value(QStringLiteral("path")).toString())
                                         : part.value(QStringLiteral("path")).toString()),
                                 esc(part.value(QStringLiteral("text")).toString().left(4000)));
            }
            html += QStringLiteral("</ul><p><a href=\"astra:restore\">%1</a></p>")
                        .arg(esc(tr("Restore them as a new revision")));
        }
    }
    if (!snapshot.comments.isEmpty()) {
        section(tr("Comments"));
        html += QStringLiteral("<table>");
        for (const ReviewComment &c : snapshot.comments) {
            QString where = c.path.isEmpty() ? tr("the change") : c.path;
            if (c.line > 0) {
                where += QStringLiteral(":%1").arg(c.line) + (c.side == u"old" ? tr(" (base)") : QString());
            }
            QStringList state;
            if (c.outdated) {
                state.append(tr("outdated: its line changed"));
            }
            if (c.sentInRevision > 0) {
                state.append(tr("sent; answered by revision %1").arg(c.sentInRevision));
            }
            state.append(c.isResolved() ? tr("resolved by %1").arg(c.resolvedBy) : tr("open"));
            const QString link = c.isResolved()
                ? QStringLiteral("<a href=\"astra:reopen/%1\">%2</a>").arg(c.id).arg(esc(tr("reopen")))
                : QStringLiteral("<a href=\"astra:resolve/%1\">%2</a>").arg(c.id).arg(esc(tr("resolve")));
            html += row(tr("#%1 · revision %2").arg(c.id).arg(c.revision),
                        QStringLiteral("<b>%1</b> — %2<br>%3<br><i>%4</i> · %5")
                            .arg(esc(where),
                                 esc(c.kind == u"conflict" ? tr("conflict with the target") : personName(c.author)),
                                 esc(c.body).replace(u'\n', QStringLiteral("<br>")),
                                 esc(state.join(QStringLiteral(" · "))),
                                 link));
        }
        html += QStringLiteral("</table>");
    }

    section(tr("Provenance"));
    html += QStringLiteral("<table>");
    html += row(tr("Goal"), esc(tr("#%1 %2 (%3)").arg(goal.id).arg(goalTitle(goal), goalStateLabel(goal.state))));
    html += row(tr("Kind"), esc(goal.kind));
    if (snapshot.proposal) {
        const ProposalDecision &p = *snapshot.proposal;
        html += row(tr("Found by"), esc(tr("the %1 detector (proposal %2)").arg(p.draft.detector).arg(p.proposalId)));
        html += row(tr("Confidence"),
                    esc(tr("%1 — %2").arg(QString::number(goal.confidence, 'f', 2), p.draft.confidenceWhy)));
        html += row(tr("Checks passed"),
                    esc(tr("confidence, rate limits, duplicates, principles, feasibility (a plan was found)")));
        html += row(tr("Approved"),
                    esc(goal.autoApproved ? tr("automatically, at the configured threshold") : tr("by a person")));
    } else {
        html += row(tr("Added by"), esc(tr("%1, by hand: the generator's checks do not apply").arg(goal.createdBy)));
        html += row(tr("Confidence"), esc(QString::number(goal.confidence, 'f', 2)));
    }
    if (!goal.files().isEmpty()) {
        html += row(tr("Evidence files"), esc(goal.files().join(QStringLiteral(", "))));
    }
    html += QStringLiteral("</table>");

    section(tr("Rationale"));
    html += QStringLiteral("<p>%1</p>")
                .arg(m.rationale.isEmpty() ? esc(tr("The proposer gave no rationale."))
                                           : esc(m.rationale).replace(u'\n', QStringLiteral("<br>")));

    section(tr("Tests"));
    if (snapshot.tests.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(esc(tr("Not tested yet.")));
    } else {
        const TestResultRecord &t = snapshot.tests.last();
        const bool exact = t.commitId == m.headCommit;
        html += QStringLiteral("<p><b>%1</b></p>")
                    .arg(esc(tr("%1: %2 passed, %3 failed, %4 skipped")
                                 .arg(outcomeLabel(t.outcome))
                                 .arg(t.passed)
                                 .arg(t.failed)
                                 .arg(t.skipped)));
        const QString merged = t.report.value(QStringLiteral("tested_commit")).toString();
        const QString onto = t.report.value(QStringLiteral("merged_onto")).toString();
        html += QStringLiteral("<p>%1</p>")
                    .arg(exact && !merged.isEmpty()
                             ? esc(tr("On %1: the commit under review, %2, merged onto %3 at %4 (tested again after "
                                      "%3 moved).")
                                       .arg(shortId(merged), shortId(t.commitId), m.targetBranch, shortId(onto)))
                             : exact ? esc(tr("On %1, the exact commit under review.").arg(shortId(t.commitId)))
                                     : QStringLiteral("<b>%1</b>")
                                           .arg(esc(tr("On %1, not the head under review (%2): run the tests again.")
                                                        .arg(shortId(t.commitId), shortId(m.headCommit)))));
        if (!t.sandbox.isEmpty() && !t.sandboxed()) {
            html += QStringLiteral("<p><b>%1</b></p>")
                        .arg(esc(tr("Unsandboxed: these tests ran without isolation (sandbox = \"none\"), so they "
                                    "could read and change anything the account that ran them can.")));
        }
        html +=
            QStringLiteral("<p>%1</p>")
                .arg(esc(
                    tr("Command: %1 · sandbox: %2 · %3 → %4").arg(t.command, t.sandbox, t.startedAt, t.finishedAt)));
        const QJsonArray failures = t.report.value(QStringLiteral("failures")).toArray();
        if (!failures.isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p><ul>").arg(esc(tr("Failing tests")));
            for (const QJsonValue &failure : failures) {
                const QJsonObject f = failure.toObject();
                html += QStringLiteral("<li><b>%1</b>: %2</li>")
                            .arg(esc(f.value(QStringLiteral("name")).toString()),
                                 esc(f.value(QStringLiteral("message")).toString()));
            }
            html += QStringLiteral("</ul>");
        }
        if (snapshot.tests.size() > 1) {
            html +=
                QStringLiteral("<p>%1</p>").arg(esc(tr("%n earlier run(s).", nullptr, int(snapshot.tests.size() - 1))));
        }
        if (!snapshot.testLog.isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p><pre>%2</pre>")
                        .arg(esc(tr("Log (end)")), esc(snapshot.testLog.right(6000)));
        }
    }

    section(tr("Flags"));
    QStringList flags;
    if (m.flags.contains(QStringLiteral("no_stated_scope"))) {
        flags.append(tr("No stated scope: read every file (see Scope)."));
    }
    for (const ModificationFile &file : m.files) {
        for (const QString &flag : file.flags) {
            if (flag != u"test_file") {
                flags.append(flagText(flag, file.path));
            }
        }
    }
    if (flags.isEmpty()) {
        html += QStringLiteral("<p>%1</p>")
                    .arg(esc(tr("None: no auto-run files, no weakened or deleted tests, no new executables.")));
    } else {
        html += QStringLiteral("<ul>");
        for (const QString &flag : std::as_const(flags)) {
            html += QStringLiteral("<li>⚠ %1</li>").arg(esc(flag));
        }
        html += QStringLiteral("</ul>");
    }

    if (!m.conflictPaths.isEmpty()) {
        section(tr("Conflicts"));
        html += QStringLiteral("<p>%1</p>")
                    .arg(esc(tr("%1 changed since the base of this modification in: %2. It cannot be merged as "
                                "tested; reject it and plan the goal again.")
                                 .arg(m.targetBranch, m.conflictPaths.join(QStringLiteral(", ")))));
    }
    if (snapshot.rollback) {
        section(tr("Rolling back"));
        html += QStringLiteral("<pre>%1</pre>").arg(esc(impactText(*snapshot.rollback)));
    }
    if (!snapshot.diffError.isEmpty()) {
        section(tr("Changes"));
        html += QStringLiteral("<p>%1</p>").arg(esc(snapshot.diffError));
    }
    if (!goal.evidence.isEmpty()) {
        section(tr("Evidence"));
        // As text; the stored JSON is on the board's goal panel and in `astra goal show N --json`.
        html += evidenceHtml(goal.evidence);
    }
    return html;
}

} // namespace astra
