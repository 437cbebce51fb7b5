#include "planview.h"

#include "common/labels.h"
#include "plantreemodel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace astra {

namespace {
QString jsonBlock(const QJsonValue &value)
{
    const QByteArray text = value.isObject() ? QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)
        : value.isArray()                    ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)
                                             : value.toVariant().toString().toUtf8();
    return QStringLiteral("<pre>%1</pre>").arg(QString::fromUtf8(text).toHtmlEscaped());
}
} // namespace

PlanView::PlanView(QWidget *parent)
    : QWidget(parent)
    , m_model(new PlanTreeModel(this))
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("planHeader"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_approve = new QPushButton(tr("&Approve plan"), this);
    m_approve->setObjectName(QStringLiteral("approvePlan"));
    m_approve->setToolTip(tr("Nothing of a plan runs before a person approves it (Ctrl+Shift+P)."));
    m_approve->setEnabled(false);
    top->addWidget(m_header, 1);
    top->addWidget(m_approve);
    layout->addLayout(top);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_tree = new QTreeView(splitter);
    m_tree->setObjectName(QStringLiteral("planTree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(PlanTreeModel::NameColumn, QHeaderView::Interactive);
    m_tree->header()->resizeSection(PlanTreeModel::NameColumn, 520);
    m_tree->header()->setStretchLastSection(true);
    m_detail = new QTextBrowser(splitter);
    m_detail->setObjectName(QStringLiteral("taskDetail"));
    m_detail->setPlaceholderText(tr("Select a primitive task to see what it produced."));
    splitter->addWidget(m_tree);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &PlanView::showNode);
    connect(m_approve, &QPushButton::clicked, this, [this] {
        if (canApprove()) {
            Q_EMIT approveRequested(m_goalId);
        }
    });
    auto *approve = new QAction(tr("Approve plan"), this);
    approve->setObjectName(QStringLiteral("approvePlanAction"));
    approve->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    approve->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(approve, &QAction::triggered, m_approve, &QPushButton::click);
    addAction(approve);
    showLoading(0);
}

void PlanView::showLoading(qint64 goalId)
{
    m_goalId = goalId;
    m_header->setText(goalId > 0 ? tr("Loading the plan of goal %1…").arg(goalId)
                                 : tr("Select a goal on the board to see its plan."));
    m_approve->setEnabled(false);
}

void PlanView::showError(qint64 goalId, const QString &message)
{
    m_goalId = goalId;
    m_model->setSnapshot({});
    m_header->setText(message.toHtmlEscaped());
    m_approve->setEnabled(false);
    m_detail->clear();
}

QString PlanView::headerText() const
{
    return m_header->text();
}

bool PlanView::canApprove() const
{
    const PlanSnapshot &snapshot = m_model->snapshot();
    return snapshot.hasPlan && snapshot.plan.state == PlanState::Proposed && snapshot.goalId == m_goalId;
}

void PlanView::setSnapshot(const PlanSnapshot &snapshot)
{
    m_goalId = snapshot.goalId;
    const QModelIndex current = m_tree->currentIndex();
    const qint64 keepNode = current.isValid() ? current.data(PlanTreeModel::NodeIdRole).toLongLong() : 0;
    m_model->setSnapshot(snapshot);
    m_tree->expandAll();
    if (!snapshot.hasPlan) {
        m_header->setText(tr("Goal %1 has no plan yet. It is planned when it is active: by the background loop, "
                             "`astra plan %1` or `astra cycle`.")
                              .arg(snapshot.goalId));
        m_approve->setEnabled(false);
        m_detail->clear();
        return;
    }
    const PlanRecord &plan = snapshot.plan;
    QString header = tr("<b>Plan %1 of goal %2: %3</b> — %4, %n expansion(s), %5 ms", nullptr, int(plan.expansions))
                         .arg(plan.id)
                         .arg(plan.goalId)
                         .arg(toString(plan.state), plan.outcome)
                         .arg(plan.elapsedMs);
    if (!plan.approvedBy.isEmpty()) {
        header +=
            QStringLiteral("<br>") + tr("Approved by %1 at %2").arg(plan.approvedBy.toHtmlEscaped(), plan.approvedAt);
    } else if (plan.state == PlanState::Proposed) {
        header += QStringLiteral("<br>") + tr("Waiting for approval: nothing runs before that.");
    }
    if (!plan.stateReason.isEmpty()) {
        header += QStringLiteral("<br><i>%1</i>").arg(plan.stateReason.toHtmlEscaped());
    }
    if (!plan.failure.isEmpty()) {
        header += QStringLiteral("<pre>%1</pre>").arg(plan.failure.toHtmlEscaped());
    }
    m_header->setText(header);
    m_approve->setEnabled(canApprove());
    // Keep the selected node selected across live refreshes.
    if (keepNode > 0) {
        const QModelIndexList found = m_model->match(m_model->index(0, 0),
                                                     PlanTreeModel::NodeIdRole,
                                                     keepNode,
                                                     1,
                                                     Qt::MatchExactly | Qt::MatchRecursive);
        if (!found.isEmpty()) {
            m_tree->setCurrentIndex(found.constFirst());
        }
    }
}

void PlanView::showNode(const QModelIndex &index)
{
    const TaskRecord *task = m_model->taskAt(index);
    if (!task) {
        const QString note = index.sibling(index.row(), PlanTreeModel::NoteColumn).data().toString();
        m_detail->setHtml(note.isEmpty() ? QString() : QStringLiteral("<p>%1</p>").arg(note.toHtmlEscaped()));
        return;
    }
    QString html =
        QStringLiteral("<h3>%1</h3><p>%2</p>")
            .arg(tr("Task %1: %2 %3").arg(task->id).arg(task->kind, task->arguments.join(u' ')).toHtmlEscaped(),
                 tr("%1 · attempt %2 of %3 · %4")
                     .arg(toString(task->state))
                     .arg(task->attempts)
                     .arg(task->maxAttempts)
                     .arg(task->summary.toHtmlEscaped()));
    const QJsonObject &output = task->output;
    // What the task produced, by kind: the proposer's call, the files written, the test run.
    if (output.contains(QStringLiteral("transcript"))) {
        const QJsonObject transcript = output.value(QStringLiteral("transcript")).toObject();
        html += QStringLiteral("<p><b>%1</b> %2</p>")
                    .arg(tr("Proposer"), transcript.value(QStringLiteral("proposer")).toString().toHtmlEscaped());
        if (transcript.contains(QStringLiteral("sandbox"))) {
            // An agent's run: where it ran and how it ended.
            const bool sandboxed = transcript.value(QStringLiteral("sandboxed")).toBool();
            html += QStringLiteral("<p><b>%1</b> %2%3<br><b>%4</b> %5 · %6</p>")
                        .arg(tr("Sandbox"),
                             sandboxed ? QString() : QStringLiteral("<b>%1</b> ").arg(tr("Unsandboxed:")),
                             transcript.value(QStringLiteral("sandbox")).toString().toHtmlEscaped(),
                             tr("Exit code"),
                             QString::number(transcript.value(QStringLiteral("exit_code")).toInt()),
                             durationText(qint64(transcript.value(QStringLiteral("duration_ms")).toDouble())));
        }
        if (!output.value(QStringLiteral("rationale")).toString().isEmpty()) {
            html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                        .arg(tr("Rationale"), output.value(QStringLiteral("rationale")).toString().toHtmlEscaped());
        }
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Request"))
            + jsonBlock(transcript.value(QStringLiteral("request")));
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Answer"))
            + jsonBlock(transcript.value(QStringLiteral("answer")));
        if (!transcript.value(QStringLiteral("stderr")).toString().isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Standard error"))
                + jsonBlock(transcript.value(QStringLiteral("stderr")));
        }
        QJsonObject rest = output;
        rest.remove(QStringLiteral("transcript"));
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Output")) + jsonBlock(rest);
    } else if (!output.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Output")) + jsonBlock(output);
    }
    const QList<TaskRunRecord> runs = m_model->snapshot().runs.value(task->id);
    if (!runs.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Runs"));
        for (const TaskRunRecord &run : runs) {
            html += QStringLiteral("<li>%1</li>")
                        .arg(tr("attempt %1: %2, %3, started %4")
                                 .arg(run.attempt)
                                 .arg(outcomeLabel(run.outcome), durationText(run.durationMs), run.startedAt)
                                 .toHtmlEscaped());
        }
        html += QStringLiteral("</ul>");
    }
    m_detail->setHtml(html);
}

} // namespace astra
