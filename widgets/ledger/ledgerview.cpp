#include "ledgerview.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace astra {

void LedgerModel::setEntries(const QList<LedgerEntry> &entries)
{
    beginResetModel();
    m_entries = entries;
    std::reverse(m_entries.begin(), m_entries.end());
    endResetModel();
}

int LedgerModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LedgerModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LedgerModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size()) {
        return {};
    }
    const LedgerEntry &e = m_entries.at(index.row());
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case SeqColumn:
            return e.seq;
        case TimeColumn:
            return e.ts;
        case ActorColumn:
            return e.actor;
        case EventColumn:
            return e.event;
        case SubjectColumn:
            return e.subject;
        case HashColumn:
            return role == Qt::ToolTipRole ? e.hash : e.hash.left(12);
        }
    }
    return {};
}

QVariant LedgerModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case SeqColumn:
        return tr("Seq");
    case TimeColumn:
        return tr("Time (UTC)");
    case ActorColumn:
        return tr("Actor");
    case EventColumn:
        return tr("Event");
    case SubjectColumn:
        return tr("Subject");
    case HashColumn:
        return tr("Hash");
    }
    return {};
}

LedgerView::LedgerView(QWidget *parent)
    : QWidget(parent)
    , m_model(new LedgerModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_filter(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_verification(new QLabel(this))
    , m_verify(new QPushButton(tr("&Verify the chain"), this))
    , m_detail(new QTextBrowser(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_table->setModel(m_proxy);
    m_table->setObjectName(QStringLiteral("ledgerTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_filter->setPlaceholderText(tr("Filter by event, subject or actor (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    m_verification->setWordWrap(true);
    m_verification->setObjectName(QStringLiteral("ledgerVerification"));
    m_verify->setObjectName(QStringLiteral("verifyLedger"));
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_verify, &QPushButton::clicked, this, [this] {
        m_verification->setText(tr("Verifying…"));
        Q_EMIT verifyRequested();
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LedgerView::showEntry);

    auto *verify = new QAction(tr("Verify the ledger"), this);
    verify->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    verify->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(verify, &QAction::triggered, m_verify, &QPushButton::click);
    addAction(verify);
    m_verify->setToolTip(tr("Recompute every hash of the table, the archived segments and the git checkpoint (%1)")
                             .arg(verify->shortcut().toString(QKeySequence::NativeText)));
    auto *find = new QAction(tr("Filter the ledger"), this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, this, [this] { m_filter->setFocus(Qt::ShortcutFocusReason); });
    addAction(find);

    setFocusProxy(m_table);
    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_summary);
    top->addWidget(m_verify);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_verification);
    layout->addWidget(splitter, 1);
    m_verification->setText(tr("Not verified in this session: verify to recompute the chain."));
}

void LedgerView::setSnapshot(const LedgerSnapshot &snapshot)
{
    const qint64 selected =
        m_table->currentIndex().isValid() ? m_model->entry(m_proxy->mapToSource(m_table->currentIndex()).row()).seq : 0;
    m_model->setEntries(snapshot.entries);
    m_table->resizeColumnsToContents();
    m_summary->setText(
        snapshot.entries.size() < snapshot.totalEntries
            ? tr("latest %1 of %n entries", nullptr, int(snapshot.totalEntries)).arg(snapshot.entries.size())
            : tr("%n entries", nullptr, int(snapshot.totalEntries)));
    if (snapshot.verified) {
        m_verification->setText(describe(snapshot.verification));
        m_verification->setStyleSheet(snapshot.verification.intact ? QString() : QStringLiteral("color: #c62828;"));
    }
    int current = m_model->rowCount() > 0 ? 0 : -1;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->entry(row).seq == selected) {
            current = row;
            break;
        }
    }
    if (current >= 0) {
        m_table->setCurrentIndex(m_proxy->mapFromSource(m_model->index(current, 0)));
    }
}

void LedgerView::showError(const QString &message)
{
    m_verification->setText(message);
    m_verification->setStyleSheet(QStringLiteral("color: #c62828;"));
}

QString LedgerView::verificationText() const
{
    return m_verification->text();
}

QString LedgerView::describe(const LedgerVerification &v)
{
    if (!v.intact) {
        return tr("Broken at entry %1: %2").arg(v.firstBadSeq).arg(v.problem);
    }
    QString text = tr("Intact: %n entries checked", nullptr, int(v.entriesChecked));
    if (v.segments > 0) {
        text += tr(" (%n in archived segments)", nullptr, int(v.archivedEntries));
    }
    text += tr("; head %1 at %2").arg(v.head.seq).arg(v.head.hash.left(12));
    if (v.checkpoint) {
        text += tr("; all %1 git checkpoints match, the newest at entry %2")
                    .arg(v.checkpointsChecked)
                    .arg(v.checkpoint->seq);
        if (v.unanchoredEntries > 0) {
            text += tr(" (the entries after it are not checkpointed yet)");
        }
    } else {
        text += tr("; no git checkpoint yet");
    }
    return text + u'.';
}

void LedgerView::showEntry()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const LedgerEntry &e = m_model->entry(m_proxy->mapToSource(current).row());
    m_detail->setPlainText(tr("Entry %1 · %2 · %3\n%4 %5\nprevious hash %6\nhash %7\n\n%8")
                               .arg(e.seq)
                               .arg(e.ts, e.actor, e.event, e.subject, e.prevHash, e.hash)
                               .arg(QString::fromUtf8(QJsonDocument(e.meta).toJson(QJsonDocument::Indented))));
}

} // namespace astra
