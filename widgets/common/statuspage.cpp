#include "statuspage.h"

#include "diff/highlighting.h"
#include "labels.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace astra {

namespace {
QString stateLabelOf(const QString &state)
{
    const auto parsed = goalStateFromString(state);
    return parsed ? goalStateLabel(*parsed) : state;
}

QLabel *selectableLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);
    return label;
}
} // namespace

StatusPage::StatusPage(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    m_stack = new QStackedWidget(this);
    layout->addWidget(m_stack);

    m_loading = new QLabel(this);
    m_loading->setAlignment(Qt::AlignCenter);
    m_stack->addWidget(m_loading);

    m_error = selectableLabel(this);
    m_error->setAlignment(Qt::AlignCenter);
    m_error->setObjectName(QStringLiteral("statusError"));
    m_stack->addWidget(m_error);

    auto *page = new QWidget(this);
    auto *pageLayout = new QVBoxLayout(page);
    m_title = selectableLabel(page);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    pageLayout->addWidget(m_title);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_branch = selectableLabel(page);
    m_database = selectableLabel(page);
    m_config = selectableLabel(page);
    m_review = selectableLabel(page);
    m_scheduler = selectableLabel(page);
    m_ledger = selectableLabel(page);
    m_highlighting = selectableLabel(page);
    form->addRow(tr("Branch:"), m_branch);
    form->addRow(tr("State:"), m_database);
    form->addRow(tr("Configuration:"), m_config);
    form->addRow(tr("Awaiting review:"), m_review);
    form->addRow(tr("Scheduler:"), m_scheduler);
    form->addRow(tr("Audit ledger:"), m_ledger);
    form->addRow(tr("Highlighting:"), m_highlighting);
    pageLayout->addLayout(form);

    auto *goalsLabel = new QLabel(tr("Goals by state"), page);
    QFont bold = goalsLabel->font();
    bold.setBold(true);
    goalsLabel->setFont(bold);
    pageLayout->addWidget(goalsLabel);
    m_goals = new QTreeWidget(page);
    m_goals->setObjectName(QStringLiteral("goalCounts"));
    m_goals->setRootIsDecorated(false);
    m_goals->setColumnCount(2);
    m_goals->setHeaderLabels({tr("State"), tr("Goals")});
    m_goals->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_goals->header()->setStretchLastSection(true);
    m_goals->setMaximumWidth(420);
    m_goals->setAccessibleName(tr("Goals by state"));
    pageLayout->addWidget(m_goals, 1);

    auto *refusalsLabel = new QLabel(tr("Refused by the goal generator"), page);
    refusalsLabel->setFont(bold);
    pageLayout->addWidget(refusalsLabel);
    m_refusals = selectableLabel(page);
    m_refusals->setObjectName(QStringLiteral("refusals"));
    m_refusals->setTextFormat(Qt::RichText);
    m_refusals->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_refusals->setAccessibleName(tr("Refused by the goal generator"));
    pageLayout->addWidget(m_refusals, 1);
    m_stack->addWidget(page);
}

void StatusPage::showLoading(const QString &where)
{
    m_loading->setText(tr("Opening %1…").arg(where));
    m_stack->setCurrentWidget(m_loading);
}

void StatusPage::showError(const QString &message)
{
    m_error->setText(message);
    m_stack->setCurrentWidget(m_error);
}

void StatusPage::showStatus(const WorkspaceStatus &status)
{
    m_title->setText(status.workDir);
    m_branch->setText(
        tr("%1 (changes merge into %2)")
            .arg(status.headBranch.isEmpty() ? tr("detached HEAD") : status.headBranch, status.targetBranch));
    m_database->setText(tr("%1, schema version %2").arg(status.database).arg(status.schemaVersion));
    m_config->setText(status.configFromFile ? status.configPath : tr("defaults (the repository has no .astra.toml)"));
    m_review->setText(tr("%n modification(s)", nullptr, status.modificationsAwaitingReview));
    QString scheduler = tr("%1: %2 queued, %3 running")
                            .arg(status.scheduler == u"running" ? tr("running") : tr("idle"))
                            .arg(status.tasksQueued)
                            .arg(status.tasksRunning);
    if (status.tasksAwaitingPlanApproval > 0) {
        scheduler += tr("; %n task(s) wait for their plan's approval", nullptr, status.tasksAwaitingPlanApproval);
    }
    m_scheduler->setText(scheduler);
    m_ledger->setText(tr("%n entries", nullptr, int(status.ledgerEntries))
                      + (status.ledgerHead.isEmpty() ? QString() : tr(", head %1").arg(status.ledgerHead.left(12))));
    m_highlighting->setText(Highlighting::description());

    m_goals->clear();
    for (const auto &entry : status.goalsByState) {
        auto *item = new QTreeWidgetItem(m_goals, {stateLabelOf(entry.first), QString::number(entry.second)});
        item->setData(0, Qt::UserRole, entry.first);
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        if (entry.second == 0) {
            item->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
            item->setForeground(1, palette().brush(QPalette::Disabled, QPalette::Text));
        }
    }
    // The reason's first line says what to act on (`astra proposals --refused` has the trace).
    m_shownRefusals.clear();
    QString html;
    for (const WorkspaceStatus::Refusal &refusal : status.recentRefusals) {
        m_shownRefusals.append(refusal.check + QStringLiteral(": ") + refusal.title);
        html += QStringLiteral("<p><b>%1</b><br>%2</p>")
                    .arg(refusal.title.toHtmlEscaped(),
                         tr("refused by the %1 check: %2")
                             .arg(refusal.check, refusal.reason.section(u'\n', 0, 0).toHtmlEscaped()));
    }
    m_refusals->setText(html.isEmpty() ? tr("Nothing refused yet.") : html);
    m_stack->setCurrentIndex(2);
}

int StatusPage::shownGoalCount(const QString &state) const
{
    for (int i = 0; i < m_goals->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_goals->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == state) {
            return item->text(1).toInt();
        }
    }
    return -1;
}

QStringList StatusPage::shownRefusals() const
{
    return m_shownRefusals;
}

QString StatusPage::shownError() const
{
    return m_stack->currentWidget() == m_error ? m_error->text() : QString();
}

} // namespace astra
