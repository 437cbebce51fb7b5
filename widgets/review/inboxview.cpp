#include "inboxview.h"

#include "common/labels.h"
#include "diff/diffview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace astra {

namespace {
QDateTime parsedTime(const QString &iso)
{
    QDateTime time = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!time.isValid()) {
        time = QDateTime::fromString(iso, Qt::ISODate);
    }
    return time;
}
} // namespace

void InboxModel::setReviewKeyPrefix(const QString &prefix)
{
    beginResetModel();
    m_reviewKeyPrefix = prefix;
    endResetModel();
}

QString InboxModel::seenText(const InboxItem &item, double *sortValue) const
{
    const auto progress = m_reviewKeyPrefix.isEmpty()
        ? std::nullopt
        : DiffView::seenProgress(QStringLiteral("%1/modification-%2").arg(m_reviewKeyPrefix).arg(item.modification.id));
    if (sortValue) {
        *sortValue = -1;
    }
    if (!progress) {
        return QString();
    }
    if (progress->head != item.modification.headCommit) {
        return tr("new revision");
    }
    if (sortValue) {
        *sortValue = progress->total > 0 ? double(progress->seen) / progress->total : 1.0;
    }
    return tr("%1 of %2").arg(progress->seen).arg(progress->total);
}

void InboxModel::setItems(const QList<InboxItem> &items)
{
    beginResetModel();
    m_items = items;
    endResetModel();
}

int InboxModel::rowOf(qint64 modificationId) const
{
    for (int row = 0; row < m_items.size(); ++row) {
        if (m_items.at(row).modification.id == modificationId) {
            return row;
        }
    }
    return -1;
}

int InboxModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

int InboxModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString InboxModel::waitingFor(ModificationStatus status)
{
    switch (status) {
    case ModificationStatus::Pending:
        return tr("tests to run");
    case ModificationStatus::AwaitingApproval:
        return tr("approval");
    case ModificationStatus::Approved:
        return tr("merge");
    case ModificationStatus::TestsFailed:
        return tr("tests failed");
    case ModificationStatus::Conflicted:
        return tr("conflict");
    case ModificationStatus::Testing:
    case ModificationStatus::Merged:
    case ModificationStatus::Rejected:
    case ModificationStatus::RolledBack:
        break;
    }
    return toString(status);
}

QString InboxModel::ageText(const QDateTime &since, const QDateTime &now)
{
    if (!since.isValid()) {
        return QString();
    }
    const qint64 seconds = qMax<qint64>(0, since.secsTo(now));
    if (seconds < 60) {
        return tr("just now");
    }
    if (seconds < 3600) {
        return tr("%n min", nullptr, int(seconds / 60));
    }
    if (seconds < 86400) {
        return tr("%n h", nullptr, int(seconds / 3600));
    }
    return tr("%n d", nullptr, int(seconds / 86400));
}

QVariant InboxModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const InboxItem &item = m_items.at(index.row());
    const Modification &m = item.modification;
    const QDateTime waitingSince = parsedTime(m.updatedAt.isEmpty() ? m.createdAt : m.updatedAt);
    switch (role) {
    case ModificationRole:
        return m.id;
    case GoalRole:
        return item.goal.id;
    case StatusRole:
        return toString(m.status);
    case SortRole:
        switch (index.column()) {
        case IdColumn:
            return m.id;
        case TitleColumn:
            return m.title.toLower();
        case WaitingColumn:
            return waitingFor(m.status);
        case SizeColumn:
            return item.additions + item.deletions;
        case SeenColumn: {
            double value = 0;
            seenText(item, &value);
            return value;
        }
        case FlagsColumn:
            return item.flags;
        case TestsColumn:
            return item.testOutcome;
        case AgeColumn:
            return waitingSince.isValid() ? -waitingSince.toMSecsSinceEpoch() : 0;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == FlagsColumn || index.column() == AgeColumn) {
            return int(Qt::AlignRight | Qt::AlignVCenter);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == FlagsColumn && item.flags > 0) {
            return tr("%n reviewer flag(s): read the review's Flags section", nullptr, item.flags);
        }
        if (index.column() == SizeColumn) {
            return tr("%n file(s): %1 lines added, %2 removed", nullptr, int(m.files.size()))
                .arg(item.additions)
                .arg(item.deletions);
        }
        if (index.column() == TitleColumn) {
            QString tip = tr("Goal %1: %2\nBranch %3").arg(item.goal.id).arg(goalTitle(item.goal), m.branch);
            if (!m.assignees.isEmpty()) {
                tip += u'\n' + tr("Reviewers asked: %1").arg(m.assignees.join(QStringLiteral(", ")));
            }
            if (!m.approvers.isEmpty()) {
                QStringList names;
                for (const QString &approver : m.approvers) {
                    names.append(personName(approver));
                }
                tip += u'\n' + tr("Approved by %1").arg(names.join(QStringLiteral(", ")));
            }
            return tip;
        }
        if (index.column() == AgeColumn) {
            return QLocale().toString(waitingSince.toLocalTime(), QLocale::ShortFormat);
        }
        if (index.column() == SeenColumn) {
            const QString seen = seenText(item);
            return seen.isEmpty() ? tr("Not opened in Changes yet")
                : seen == tr("new revision")
                ? tr("Revision %1 is new since you last read it: hunks you saw before stay seen")
                      .arg(item.modification.revisionOf(item.modification.headCommit))
                : tr("Hunks marked seen in Changes");
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn:
            return m.id;
        case TitleColumn:
            return m.title.isEmpty() ? goalTitle(item.goal) : m.title;
        case WaitingColumn:
            return waitingFor(m.status);
        case SizeColumn:
            return tr("%n file(s) +%1 −%2", nullptr, int(m.files.size())).arg(item.additions).arg(item.deletions);
        case SeenColumn:
            return seenText(item);
        case FlagsColumn:
            return item.flags > 0 ? QStringLiteral("⚑ %1").arg(item.flags) : QString();
        case TestsColumn:
            if (item.testOutcome.isEmpty()) {
                return tr("not run");
            }
            if (item.testOutcome == u"passed") {
                return tr("%n passed", nullptr, item.testsPassed);
            }
            return item.testsFailed > 0 ? tr("%n failed", nullptr, item.testsFailed) : outcomeLabel(item.testOutcome);
        case AgeColumn:
            return ageText(waitingSince, QDateTime::currentDateTimeUtc());
        }
        return {};
    default:
        return {};
    }
}

QVariant InboxModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case IdColumn:
        return tr("#");
    case TitleColumn:
        return tr("Change");
    case WaitingColumn:
        return tr("Waits for");
    case SizeColumn:
        return tr("Size");
    case SeenColumn:
        return tr("Seen");
    case FlagsColumn:
        return QString(); // the flag sign says it
    case TestsColumn:
        return tr("Tests");
    case AgeColumn:
        return tr("Waiting");
    }
    return {};
}

void InboxFilter::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void InboxFilter::setStatus(const QString &status)
{
    m_status = status;
    invalidateFilter();
}

void InboxFilter::setAssignedTo(const QString &person)
{
    m_assignedTo = person;
    invalidateFilter();
}

bool InboxFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    Q_UNUSED(sourceParent)
    const auto *inbox = static_cast<const InboxModel *>(sourceModel());
    const InboxItem &item = inbox->items().at(sourceRow);
    if (!m_status.isEmpty() && toString(item.modification.status) != m_status) {
        return false;
    }
    if (!m_assignedTo.isEmpty() && !item.modification.assignees.contains(m_assignedTo)) {
        return false;
    }
    if (m_text.isEmpty()) {
        return true;
    }
    QStringList haystack{QString::number(item.modification.id),
                         item.modification.title,
                         item.modification.branch,
                         item.goal.title,
                         goalTitle(item.goal)};
    for (const ModificationFile &file : item.modification.files) {
        haystack.append(file.path);
    }
    return haystack.join(u'\n').contains(m_text, Qt::CaseInsensitive);
}

InboxView::InboxView(QWidget *parent)
    : QWidget(parent)
    , m_model(new InboxModel(this))
    , m_proxy(new InboxFilter(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_status(new QComboBox(this))
    , m_mine(new QCheckBox(tr("Assigned to &me"), this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("reviewInbox"));
    m_table->setObjectName(QStringLiteral("inboxTable"));
    m_filter->setObjectName(QStringLiteral("inboxFilter"));
    m_status->setObjectName(QStringLiteral("inboxStatus"));
    m_mine->setObjectName(QStringLiteral("inboxAssignedToMe"));
    m_mine->setToolTip(tr("Only the changes someone asked you to review (astra mod assign)"));
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(InboxModel::SortRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(InboxModel::AgeColumn, Qt::AscendingOrder); // the longest waiting first
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(InboxModel::TitleColumn, QHeaderView::Stretch);
    m_filter->setPlaceholderText(tr("Filter by title, goal, branch or file"));
    m_filter->setClearButtonEnabled(true);
    m_status->addItem(tr("Everything waiting"), QString());
    for (ModificationStatus status : {ModificationStatus::AwaitingApproval,
                                      ModificationStatus::Approved,
                                      ModificationStatus::TestsFailed,
                                      ModificationStatus::Pending,
                                      ModificationStatus::Conflicted}) {
        m_status->addItem(tr("Waits for %1").arg(InboxModel::waitingFor(status)), toString(status));
    }
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setText(text);
        updateSummary();
    });
    connect(m_status, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this](int index) {
        m_proxy->setStatus(m_status->itemData(index).toString());
        updateSummary();
    });
    connect(m_mine, &QCheckBox::toggled, this, [this](bool mine) {
        m_proxy->setAssignedTo(mine ? m_person : QString());
        updateSummary();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &index) {
        if (index.isValid()) {
            Q_EMIT modificationSelected(index.data(InboxModel::ModificationRole).toLongLong(),
                                        index.data(InboxModel::GoalRole).toLongLong());
        }
    });
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT modificationActivated(index.data(InboxModel::ModificationRole).toLongLong(),
                                     index.data(InboxModel::GoalRole).toLongLong());
    });

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_status);
    filters->addWidget(m_mine);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(filters);
    layout->addWidget(m_table, 1);
    updateSummary();
}

void InboxView::setPerson(const QString &person)
{
    if (person == m_person) {
        return;
    }
    m_person = person;
    if (m_mine->isChecked()) {
        m_proxy->setAssignedTo(person);
        updateSummary();
    }
}

void InboxView::setItems(const QList<InboxItem> &items)
{
    const qint64 current = currentModification();
    {
        // Restoring the selection is not a new choice of the person's.
        const QSignalBlocker blocker(m_table->selectionModel());
        m_model->setItems(items);
        if (current > 0) {
            selectModification(current);
        }
    }
    updateSummary();
}

qint64 InboxView::currentModification() const
{
    const QModelIndex index = m_table->currentIndex();
    return index.isValid() ? index.data(InboxModel::ModificationRole).toLongLong() : 0;
}

bool InboxView::selectModification(qint64 modificationId)
{
    const int row = m_model->rowOf(modificationId);
    if (row < 0) {
        return false;
    }
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, InboxModel::TitleColumn));
    if (!index.isValid()) {
        return false; // filtered out
    }
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

qint64 InboxView::nextAfter(qint64 modificationId) const
{
    const int row = m_model->rowOf(modificationId);
    const QModelIndex shown = row >= 0 ? m_proxy->mapFromSource(m_model->index(row, 0)) : QModelIndex();
    if (!shown.isValid()) {
        const QModelIndex first = m_proxy->index(0, 0);
        return first.isValid() ? first.data(InboxModel::ModificationRole).toLongLong() : 0;
    }
    for (int next : {shown.row() + 1, shown.row() - 1}) {
        const QModelIndex index = m_proxy->index(next, 0);
        if (index.isValid()) {
            return index.data(InboxModel::ModificationRole).toLongLong();
        }
    }
    return 0;
}

qint64 InboxView::goalOf(qint64 modificationId) const
{
    const int row = m_model->rowOf(modificationId);
    return row < 0 ? 0 : m_model->items().at(row).goal.id;
}

void InboxView::showGoal(qint64 goalId)
{
    const QSignalBlocker blocker(m_table->selectionModel());
    for (const InboxItem &item : m_model->items()) {
        if (item.goal.id == goalId && selectModification(item.modification.id)) {
            m_table->viewport()->update();
            return;
        }
    }
    m_table->selectionModel()->clear();
    m_table->viewport()->update();
}

int InboxView::shownCount() const
{
    return m_proxy->rowCount();
}

void InboxView::updateSummary()
{
    const int all = m_model->rowCount();
    const int shown = m_proxy->rowCount();
    if (all == 0) {
        m_summary->setText(tr("Nothing waits for a decision."));
    } else if (shown == all) {
        m_summary->setText(tr("%n change(s) wait for a decision.", nullptr, all));
    } else {
        m_summary->setText(tr("%1 of %n change(s) shown.", nullptr, all).arg(shown));
    }
}

} // namespace astra
