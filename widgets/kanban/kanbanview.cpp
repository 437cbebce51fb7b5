#include "kanbanview.h"

#include "common/labels.h"
#include "goalboardmodel.h"
#include "goalcarddelegate.h"
#include "goalcolumnproxy.h"
#include "goalcolumnview.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QSplitter>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace astra {

KanbanView::KanbanView(QWidget *parent)
    : QWidget(parent)
    , m_model(new GoalBoardModel(this))
    , m_delegate(new GoalCardDelegate(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *filters = new QHBoxLayout;
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("goalFilter"));
    m_text->setPlaceholderText(tr("Filter goals by title, description, kind or file…"));
    m_text->setClearButtonEnabled(true);
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("sourceFilter"));
    m_source->addItem(tr("Any source"), QString());
    m_source->addItem(tr("By hand"), QStringLiteral("user"));
    m_source->addItem(tr("Detectors"), QStringLiteral("system"));
    m_source->addItem(tr("Collaborative"), QStringLiteral("collaborative"));
    m_detector = new QComboBox(this);
    m_detector->setObjectName(QStringLiteral("detectorFilter"));
    m_detector->addItem(tr("Any detector"), QString());
    filters->addWidget(m_text, 1);
    filters->addWidget(m_source);
    filters->addWidget(m_detector);
    layout->addLayout(filters);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    auto *scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *board = new QWidget(scroll);
    auto *columns = new QHBoxLayout(board);
    m_columnsLayout = columns;
    columns->setContentsMargins(0, 0, 0, 0);
    columns->setSpacing(6);
    for (GoalState state : allGoalStates()) {
        auto *box = new QWidget(board);
        box->setMinimumWidth(160);
        auto *boxLayout = new QVBoxLayout(box);
        boxLayout->setContentsMargins(0, 0, 0, 0);
        auto *header = new QLabel(box);
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        header->setContentsMargins(6, 4, 6, 4);
        auto *proxy = new GoalColumnProxy(toString(state), this);
        proxy->setSourceModel(m_model);
        auto *view = new GoalColumnView(state, box);
        view->setModel(proxy);
        view->setItemDelegate(m_delegate);
        view->setBackgroundRole(QPalette::AlternateBase);
        boxLayout->addWidget(header);
        boxLayout->addWidget(view, 1);
        columns->addWidget(box, 1);
        m_headers.append(header);
        m_boxes.append(box);
        m_proxies.append(proxy);
        m_columns.append(view);
        connect(view, &GoalColumnView::actionRequested, this, &KanbanView::actionRequested);
        connect(view, &GoalColumnView::dropRefused, this, &KanbanView::dropRefused);
        connect(view, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
            Q_EMIT goalActivated(index.data(GoalBoardModel::IdRole).toLongLong());
        });
        connect(view->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &index) {
            if (index.isValid()) {
                showDetail(index.data(GoalBoardModel::IdRole).toLongLong());
            }
        });
    }
    scroll->setWidget(board);

    m_detail = new QTextBrowser(splitter);
    m_detail->setObjectName(QStringLiteral("goalDetail"));
    m_detail->setOpenLinks(false);
    connect(m_detail, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.toString() == u"astra:evidence") {
            m_evidenceAsJson = !m_evidenceAsJson;
            showDetail(m_current);
        }
    });
    m_detail->setPlaceholderText(tr("Select a goal to see its evidence."));
    splitter->addWidget(scroll);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    splitter->setSizes({1400, 380});
    layout->addWidget(splitter, 1);

    connect(m_text, &QLineEdit::textChanged, this, &KanbanView::applyFilters);
    connect(m_source, qOverload<int>(&QComboBox::currentIndexChanged), this, &KanbanView::applyFilters);
    connect(m_detector, qOverload<int>(&QComboBox::currentIndexChanged), this, &KanbanView::applyFilters);
    for (GoalColumnProxy *proxy : std::as_const(m_proxies)) {
        connect(proxy, &QAbstractItemModel::modelReset, this, &KanbanView::updateHeaders);
        connect(proxy, &QAbstractItemModel::rowsInserted, this, &KanbanView::updateHeaders);
        connect(proxy, &QAbstractItemModel::rowsRemoved, this, &KanbanView::updateHeaders);
        connect(proxy, &QAbstractItemModel::layoutChanged, this, &KanbanView::updateHeaders);
    }

    // The person's transitions, by keyboard, on the selected card.
    const auto personAction = [this](const QString &text, const QKeySequence &keys, GoalAction action) {
        auto *act = new QAction(text, this);
        act->setShortcut(keys);
        act->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(act, &QAction::triggered, this, [this, action] { requestForCurrent(action); });
        QWidget::addAction(act);
        return act;
    };
    personAction(tr("Approve goal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), GoalAction::Approve)
        ->setObjectName(QStringLiteral("approveGoal"));
    personAction(tr("Reject goal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), GoalAction::Reject)
        ->setObjectName(QStringLiteral("rejectGoal"));
    personAction(tr("Abandon goal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D), GoalAction::Abandon)
        ->setObjectName(QStringLiteral("abandonGoal"));
    auto *focusFilter = new QAction(tr("Filter goals"), this);
    focusFilter->setObjectName(QStringLiteral("filterGoals"));
    focusFilter->setShortcut(QKeySequence::Find);
    focusFilter->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(focusFilter, &QAction::triggered, this, [this] {
        m_text->setFocus();
        m_text->selectAll();
    });
    QWidget::addAction(focusFilter);
    updateHeaders();
}

KanbanView::~KanbanView() = default;

void KanbanView::setCards(const QList<GoalCard> &cards)
{
    const qint64 keep = m_current;
    m_model->setCards(cards);

    // The detectors present, for the filter; the chosen one stays chosen.
    const QString chosen = m_detector->currentData().toString();
    QStringList detectors;
    for (const GoalCard &card : cards) {
        if (!card.detector.isEmpty() && !detectors.contains(card.detector)) {
            detectors.append(card.detector);
        }
    }
    detectors.sort();
    m_detector->blockSignals(true);
    while (m_detector->count() > 1) {
        m_detector->removeItem(1);
    }
    for (const QString &detector : std::as_const(detectors)) {
        m_detector->addItem(detector, detector);
    }
    const int at = m_detector->findData(chosen);
    m_detector->setCurrentIndex(at < 0 ? 0 : at);
    m_detector->blockSignals(false);
    applyFilters();
    if (keep > 0 && m_model->rowOf(keep) >= 0) {
        selectGoal(keep, false);
    } else {
        m_current = 0;
        m_detail->clear();
    }
}

GoalColumnView *KanbanView::column(GoalState state) const
{
    return m_columns.value(int(allGoalStates().indexOf(state)));
}

GoalColumnProxy *KanbanView::columnProxy(GoalState state) const
{
    return m_proxies.value(int(allGoalStates().indexOf(state)));
}

QString KanbanView::columnTitle(GoalState state) const
{
    const QLabel *label = m_headers.value(int(allGoalStates().indexOf(state)));
    return label ? label->text() : QString();
}

void KanbanView::setFilterText(const QString &text)
{
    m_text->setText(text);
}

void KanbanView::applyFilters()
{
    const QString text = m_text->text();
    const QString source = m_source->currentData().toString();
    const QString detector = m_detector->currentData().toString();
    for (GoalColumnProxy *proxy : std::as_const(m_proxies)) {
        proxy->setText(text);
        proxy->setSource(source);
        proxy->setDetector(detector);
    }
    updateHeaders();
}

void KanbanView::updateHeaders()
{
    const QList<GoalState> states = allGoalStates();
    for (int i = 0; i < m_headers.size(); ++i) {
        m_headers[i]->setText(tr("%1 (%2)").arg(goalStateLabel(states.at(i))).arg(m_proxies.at(i)->rowCount()));
        // The width goes to the columns that hold cards: an empty one is as wide as its name.
        const bool empty = m_proxies.at(i)->rowCount() == 0;
        const int narrow = m_headers[i]->sizeHint().width() + 8;
        m_boxes[i]->setMinimumWidth(empty ? narrow : qMax(narrow, 190));
        m_boxes[i]->setMaximumWidth(empty ? narrow : QWIDGETSIZE_MAX);
        m_columnsLayout->setStretch(i, empty ? 0 : 1);
    }
}

void KanbanView::selectGoal(qint64 goalId, bool takeFocus)
{
    for (GoalColumnView *view : std::as_const(m_columns)) {
        auto *proxy = static_cast<GoalColumnProxy *>(view->model());
        const int row = m_model->rowOf(goalId);
        const QModelIndex index = row < 0 ? QModelIndex() : proxy->mapFromSource(m_model->index(row));
        if (index.isValid()) {
            view->setCurrentIndex(index);
            view->scrollTo(index);
            if (takeFocus) {
                view->setFocus();
            }
            showDetail(goalId);
        } else {
            view->clearSelection();
        }
    }
}

void KanbanView::showDetail(qint64 goalId)
{
    const int row = m_model->rowOf(goalId);
    if (row < 0) {
        return;
    }
    if (m_current != goalId) {
        m_current = goalId;
        Q_EMIT currentGoalChanged(goalId);
    }
    // Only one card is selected on the whole board.
    for (GoalColumnView *view : std::as_const(m_columns)) {
        const QModelIndex current = view->currentIndex();
        if (current.isValid() && current.data(GoalBoardModel::IdRole).toLongLong() != goalId) {
            view->selectionModel()->clear();
        }
    }
    const GoalCard card = m_model->index(row).data(GoalBoardModel::CardRole).value<GoalCard>();
    const Goal &goal = card.goal;
    QString html = QStringLiteral("<h3>#%1 %2</h3>").arg(goal.id).arg(goalTitle(goal).toHtmlEscaped());
    html += QStringLiteral("<p>%1</p>")
                .arg(tr("%1 · %2 · created by %3 · confidence %4 · priority %5")
                         .arg(goalStateLabel(goal.state),
                              goal.kind,
                              goal.createdBy.toHtmlEscaped(),
                              QString::number(goal.confidence, 'f', 2))
                         .arg(goal.priority));
    if (!goal.stateReason.isEmpty()) {
        html += QStringLiteral("<p><i>%1</i></p>").arg(sharedReason(goal.stateReason).toHtmlEscaped());
    }
    if (!goal.description.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(goal.description.toHtmlEscaped());
    }
    const QList<qint64> overlap = m_model->index(row).data(GoalBoardModel::OverlapRole).value<QList<qint64>>();
    if (!overlap.isEmpty()) {
        QStringList ids;
        for (qint64 id : overlap) {
            ids.append(QStringLiteral("#%1").arg(id));
        }
        html += QStringLiteral("<p style=\"color:#b36b00\"><b>%1</b></p>")
                    .arg(tr("Open goal(s) %1 touch the same files; their changes may conflict.",
                            nullptr,
                            int(overlap.size()))
                             .arg(ids.join(QStringLiteral(", "))));
    }
    const QStringList files = goal.files();
    if (!files.isEmpty()) {
        QStringList escaped;
        for (const QString &file : files) {
            escaped.append(file.toHtmlEscaped());
        }
        html += QStringLiteral("<p><b>%1</b><br>%2</p>").arg(tr("Files"), escaped.join(QStringLiteral("<br>")));
    }
    if (card.planId > 0) {
        html += QStringLiteral("<p>%1</p>").arg(tr("Plan %1: %2").arg(card.planId).arg(planStateText(card.planState)));
    }
    if (card.modificationId > 0) {
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Modification %1: %2")
                             .arg(card.modificationId)
                             .arg(modificationStatusText(card.modificationStatus)));
    }
    if (!goal.evidence.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b> · <a href=\"astra:evidence\">%2</a></p>")
                    .arg(tr("Evidence"), m_evidenceAsJson ? tr("as text") : tr("as JSON"));
        html += m_evidenceAsJson
            ? QStringLiteral("<pre>%1</pre>")
                  .arg(QString::fromUtf8(QJsonDocument(goal.evidence).toJson(QJsonDocument::Indented)).toHtmlEscaped())
            : astra::evidenceHtml(goal.evidence);
    }
    m_detail->setHtml(html);
}

void KanbanView::requestForCurrent(GoalAction action)
{
    const int row = m_model->rowOf(m_current);
    if (row < 0) {
        Q_EMIT dropRefused(tr("Select a goal first."));
        return;
    }
    const GoalState from = m_model->cards().at(row).goal.state;
    const DropDecision decision = decideDrop(m_current, from, targetState(action));
    if (decision.action) {
        Q_EMIT actionRequested(m_current, *decision.action);
    } else if (!decision.refusal.isEmpty()) {
        Q_EMIT dropRefused(decision.refusal);
    }
}

} // namespace astra
