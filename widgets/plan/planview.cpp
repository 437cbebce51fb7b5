#include "planview.h"

#include "common/labels.h"
#include "common/sourceview.h"
#include "plangraphview.h"
#include "plantreemodel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTextBlock>
#include <QTextBrowser>
#include <QToolButton>
#include <QTreeView>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace astra {

namespace {
QString pre(const QString &text)
{
    return QStringLiteral("<pre style=\"white-space: pre-wrap\">%1</pre>").arg(text.toHtmlEscaped());
}

// Base64 file contents are not for reading: their size stands in for them.
QJsonValue withoutContents(const QJsonValue &value)
{
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &item : value.toArray()) {
            out.append(withoutContents(item));
        }
        return out;
    }
    if (!value.isObject()) {
        return value;
    }
    QJsonObject out;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == u"content_base64") {
            out.insert(QStringLiteral("content"),
                       PlanView::tr("(%n byte(s))",
                                    nullptr,
                                    int(QByteArray::fromBase64(it.value().toString().toLatin1()).size())));
        } else {
            out.insert(it.key(), withoutContents(it.value()));
        }
    }
    return out;
}

QString jsonBlock(const QJsonValue &value)
{
    const QJsonValue shown = withoutContents(value);
    const QByteArray text = shown.isObject() ? QJsonDocument(shown.toObject()).toJson(QJsonDocument::Indented)
        : shown.isArray()                    ? QJsonDocument(shown.toArray()).toJson(QJsonDocument::Indented)
                                             : shown.toVariant().toString().toUtf8();
    return pre(QString::fromUtf8(text));
}

// A request or an answer as a person reads it: the prompt's messages as text, the rest as
// indented JSON.
QString exchangeBlock(const QJsonValue &value)
{
    QJsonValue parsed = value;
    if (value.isString()) {
        // Some proposers keep the document as text.
        const QJsonDocument document = QJsonDocument::fromJson(value.toString().toUtf8());
        if (document.isObject()) {
            parsed = document.object();
        } else {
            return pre(value.toString());
        }
    }
    if (!parsed.isObject()) {
        return jsonBlock(parsed);
    }
    QJsonObject rest = parsed.toObject();
    QString html;
    const auto textOf = [](const QJsonValue &content) {
        if (content.isString()) {
            return content.toString();
        }
        QStringList parts;
        for (const QJsonValue &part : content.toArray()) {
            parts.append(part.toObject().value(QStringLiteral("text")).toString());
        }
        return parts.join(u'\n');
    };
    for (const QString &key : {QStringLiteral("messages"), QStringLiteral("input")}) {
        if (!rest.value(key).isArray()) {
            continue;
        }
        for (const QJsonValue &message : rest.value(key).toArray()) {
            const QJsonObject object = message.toObject();
            html +=
                QStringLiteral("<p><i>%1</i></p>").arg(object.value(QStringLiteral("role")).toString().toHtmlEscaped())
                + pre(textOf(object.value(QStringLiteral("content"))));
        }
        rest.remove(key);
    }
    for (const QString &key : {QStringLiteral("prompt"), QStringLiteral("instructions"), QStringLiteral("rationale")}) {
        if (rest.value(key).isString()) {
            html += QStringLiteral("<p><i>%1</i></p>").arg(key) + pre(rest.value(key).toString());
            rest.remove(key);
        }
    }
    if (!rest.isEmpty()) {
        html += jsonBlock(rest);
    }
    return html;
}

QString sourceLink(const QString &file, int line)
{
    QUrl url;
    url.setScheme(QStringLiteral("astra-source"));
    url.setPath(file);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("line"), QString::number(line));
    url.setQuery(query);
    return QStringLiteral("<a href=\"%1\">%2</a>")
        .arg(url.toString(QUrl::FullyEncoded), QStringLiteral("%1:%2").arg(file).arg(line).toHtmlEscaped());
}

QString modificationLink(qint64 id, const QString &text, const QString &path = {})
{
    QUrl url;
    url.setScheme(QStringLiteral("astra-modification"));
    url.setPath(QString::number(id));
    if (!path.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("file"), path);
        url.setQuery(query);
    }
    return QStringLiteral("<a href=\"%1\">%2</a>")
        .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped(), text.toHtmlEscaped());
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

    auto *bar = new QHBoxLayout;
    auto *plansLabel = new QLabel(tr("P&lan:"), this);
    m_plans = new QComboBox(this);
    m_plans->setObjectName(QStringLiteral("planChooser"));
    m_plans->setToolTip(tr("The goal's plans: the current one and those it replaced."));
    m_plans->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    plansLabel->setBuddy(m_plans);
    m_compare = new QPushButton(tr("&Compare with the previous plan"), this);
    m_compare->setObjectName(QStringLiteral("comparePlans"));
    m_symbolic = new QCheckBox(tr("Planner's s&ymbols"), this);
    m_symbolic->setObjectName(QStringLiteral("symbolicNames"));
    m_symbolic->setToolTip(tr("Show tasks, ways and objects as the planner names them (Ctrl+Shift+Y)."));
    auto *zoomOut = new QToolButton(this);
    zoomOut->setText(QStringLiteral("−"));
    zoomOut->setToolTip(tr("Zoom out the picture (Ctrl+wheel)"));
    auto *fit = new QToolButton(this);
    fit->setText(tr("Fit"));
    fit->setToolTip(tr("Show the whole picture"));
    auto *zoomIn = new QToolButton(this);
    zoomIn->setText(QStringLiteral("+"));
    zoomIn->setToolTip(tr("Zoom in the picture (Ctrl+wheel)"));
    auto *exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("exportPicture"));
    exportButton->setText(tr("E&xport"));
    exportButton->setPopupMode(QToolButton::InstantPopup);
    auto *exportMenu = new QMenu(exportButton);
    // Where to write the picture, asked in the format's own words.
    const auto exportAs = [this](const QString &title, const QString &suffix, const QString &filter) {
        const QString path =
            QFileDialog::getSaveFileName(this, title, QStringLiteral("plan-%1.%2").arg(m_goalId).arg(suffix), filter);
        if (!path.isEmpty()) {
            exportPicture(path);
        }
    };
    exportMenu->addAction(tr("Picture as SVG…"), this, [exportAs] {
        exportAs(tr("Export the plan as SVG"), QStringLiteral("svg"), tr("SVG pictures (*.svg)"));
    });
    exportMenu->addAction(tr("Picture as PNG…"), this, [exportAs] {
        exportAs(tr("Export the plan as PNG"), QStringLiteral("png"), tr("PNG images (*.png)"));
    });
    exportButton->setMenu(exportMenu);
    bar->addWidget(plansLabel);
    bar->addWidget(m_plans);
    bar->addWidget(m_compare);
    bar->addSpacing(12);
    bar->addWidget(m_symbolic);
    bar->addStretch(1);
    bar->addWidget(zoomOut);
    bar->addWidget(fit);
    bar->addWidget(zoomIn);
    bar->addWidget(exportButton);
    layout->addLayout(bar);

    auto *vertical = new QSplitter(Qt::Vertical, this);
    auto *horizontal = new QSplitter(Qt::Horizontal, vertical);
    m_tree = new QTreeView(horizontal);
    m_tree->setObjectName(QStringLiteral("planTree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(PlanTreeModel::NameColumn, QHeaderView::Interactive);
    // Columns as wide as what they hold in this font; the words take the rest.
    const QFontMetrics metrics = m_tree->fontMetrics();
    m_tree->header()->resizeSection(PlanTreeModel::NameColumn, metrics.averageCharWidth() * 44);
    m_tree->header()->resizeSection(PlanTreeModel::StatusColumn,
                                    metrics.horizontalAdvance(tr("%1 of %n step(s) done", nullptr, 12).arg(10)) + 16);
    m_tree->header()->resizeSection(PlanTreeModel::DurationColumn,
                                    metrics.horizontalAdvance(tr("Duration") + QStringLiteral("  ")) + 16);
    m_tree->header()->resizeSection(PlanTreeModel::CostColumn,
                                    metrics.horizontalAdvance(tr("Cost") + QStringLiteral("  ")) + 12);
    m_tree->header()->setStretchLastSection(true);
    m_graph = new PlanGraphView(horizontal);
    horizontal->addWidget(m_tree);
    horizontal->addWidget(m_graph);
    horizontal->setStretchFactor(0, 1);
    horizontal->setStretchFactor(1, 1);
    m_sides = horizontal;
    auto *below = new QSplitter(Qt::Horizontal, vertical);
    m_detail = new QTextBrowser(below);
    m_detail->setObjectName(QStringLiteral("taskDetail"));
    m_detail->setOpenLinks(false);
    m_detail->setPlaceholderText(tr("Select a step to see what it produced, or a way not taken to see why."));
    m_file = new SourceView(below);
    m_file->setObjectName(QStringLiteral("stepFile"));
    m_file->hide();
    below->addWidget(m_detail);
    below->addWidget(m_file);
    vertical->addWidget(horizontal);
    vertical->addWidget(below);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 1);
    m_panes = vertical;
    layout->addWidget(vertical, 1);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, [this](const QModelIndex &index) {
        showNode(index);
        if (!m_syncing) {
            m_syncing = true;
            m_graph->selectNode(index.data(PlanTreeModel::NodeIdRole).toLongLong());
            m_syncing = false;
        }
    });
    connect(m_graph, &PlanGraphView::nodeActivated, this, [this](qint64 nodeId) {
        if (m_syncing) {
            return;
        }
        const QModelIndex index = m_model->indexOfNode(nodeId);
        if (index.isValid()) {
            m_syncing = true;
            m_tree->setCurrentIndex(index);
            m_tree->scrollTo(index);
            m_syncing = false;
        }
    });
    connect(m_symbolic, &QCheckBox::toggled, this, [this] { present(true); });
    connect(m_plans, QOverload<int>::of(&QComboBox::activated), this, [this](int row) {
        showPlan(m_plans->itemData(row).toLongLong());
    });
    connect(m_compare, &QPushButton::clicked, this, &PlanView::compareWithPrevious);
    connect(m_detail, &QTextBrowser::anchorClicked, this, &PlanView::linkClicked);
    connect(zoomIn, &QToolButton::clicked, m_graph, &PlanGraphView::zoomIn);
    connect(zoomOut, &QToolButton::clicked, m_graph, &PlanGraphView::zoomOut);
    connect(fit, &QToolButton::clicked, m_graph, &PlanGraphView::zoomToFit);
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
    auto *symbols = new QAction(tr("Planner's symbols"), this);
    symbols->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Y));
    symbols->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(symbols, &QAction::triggered, m_symbolic, &QCheckBox::toggle);
    addAction(symbols);
    showLoading(0);
}

PlanView::~PlanView()
{
    // The children go with the QWidget part, after this part: what they signal then must not
    // reach this object.
    m_tree->selectionModel()->disconnect(this);
    m_graph->disconnect(this);
}

void PlanView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_sized) {
        return;
    }
    // The first look: the tree and the picture take most of the height, the tree a little more
    // of the width; the user's moves of the handles are kept after that.
    m_sized = true;
    const int height = m_panes->height();
    m_panes->setSizes({height * 7 / 10, height - height * 7 / 10});
    const int width = m_sides->width();
    m_sides->setSizes({width * 11 / 20, width - width * 11 / 20});
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
    m_snapshot = {};
    m_model->setSnapshot({});
    m_graph->clear();
    m_plans->clear();
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
    return m_shownPlan == 0 && snapshot.hasPlan && snapshot.plan.state == PlanState::Proposed
        && snapshot.goalId == m_goalId;
}

void PlanView::setSnapshot(const PlanSnapshot &snapshot)
{
    if (snapshot.goalId != m_snapshot.goalId) {
        m_shownPlan = 0;
    }
    m_snapshot = snapshot;
    m_goalId = snapshot.goalId;
    const bool stillThere = std::any_of(snapshot.plans.cbegin(), snapshot.plans.cend(), [this](const PlanRecord &plan) {
        return plan.id == m_shownPlan;
    });
    if (!stillThere || (snapshot.hasPlan && snapshot.plan.id == m_shownPlan)) {
        m_shownPlan = 0;
    }
    m_plans->clear();
    for (const PlanRecord &plan : snapshot.plans) {
        const bool current = snapshot.hasPlan && plan.id == snapshot.plan.id;
        m_plans->addItem(current ? tr("Plan %1 · %2 (current)").arg(plan.id).arg(planStateLabel(toString(plan.state)))
                                 : tr("Plan %1 · %2 · %3")
                                       .arg(plan.id)
                                       .arg(planStateLabel(toString(plan.state)), plan.createdAt.left(16)),
                         current ? 0 : plan.id);
        if ((current && m_shownPlan == 0) || plan.id == m_shownPlan) {
            m_plans->setCurrentIndex(m_plans->count() - 1);
        }
    }
    m_plans->setEnabled(m_plans->count() > 1);
    m_compare->setEnabled(m_plans->count() > 1);
    present(true);
}

void PlanView::showPlan(qint64 planId)
{
    const qint64 shown = m_snapshot.hasPlan && planId == m_snapshot.plan.id ? 0 : planId;
    if (shown == m_shownPlan) {
        return;
    }
    m_shownPlan = shown;
    for (int row = 0; row < m_plans->count(); ++row) {
        if (m_plans->itemData(row).toLongLong() == shown) {
            m_plans->setCurrentIndex(row);
        }
    }
    present(false);
}

void PlanView::present(bool keepSelection)
{
    const QModelIndex current = m_tree->currentIndex();
    const qint64 keepNode =
        keepSelection && current.isValid() ? current.data(PlanTreeModel::NodeIdRole).toLongLong() : 0;
    // An earlier plan is shown with its decomposition only: its tasks were skipped.
    PlanSnapshot shown = m_snapshot;
    if (m_shownPlan != 0) {
        for (const PlanRecord &plan : std::as_const(m_snapshot.plans)) {
            if (plan.id == m_shownPlan) {
                shown.plan = plan;
                shown.hasPlan = true;
            }
        }
        shown.tasks.clear();
        shown.runs.clear();
    }
    m_model->setSymbolic(m_symbolic->isChecked());
    m_model->setSnapshot(shown);
    m_tree->expandAll();
    if (const PlanReading *reading = m_model->reading()) {
        m_graph->setPlan(*reading, m_model->stepStates(), m_symbolic->isChecked());
        if (reading->plan().id != m_drawnPlan) {
            m_drawnPlan = reading->plan().id;
            m_graph->showOverview();
        }
    } else {
        m_graph->clear();
    }
    m_detail->clear();
    if (!shown.hasPlan) {
        m_header->setText(tr("Goal %1 has no plan yet. It is planned when it is active: by the background loop, "
                             "`astra plan %1` or `astra cycle`.")
                              .arg(shown.goalId));
        m_approve->setEnabled(false);
        return;
    }
    const PlanRecord &plan = shown.plan;
    QString header = tr("<b>Plan %1 of goal %2: %3</b> — %4, %n expansion(s), %5 ms", nullptr, int(plan.expansions))
                         .arg(plan.id)
                         .arg(plan.goalId)
                         .arg(planStateLabel(toString(plan.state)), plan.outcome.toHtmlEscaped())
                         .arg(plan.elapsedMs);
    if (m_shownPlan != 0) {
        header += QStringLiteral("<br>") + tr("An earlier plan of the goal, shown as it was decided.");
    }
    if (!plan.approvedBy.isEmpty()) {
        header +=
            QStringLiteral("<br>") + tr("Approved by %1 at %2").arg(plan.approvedBy.toHtmlEscaped(), plan.approvedAt);
    } else if (plan.state == PlanState::Proposed) {
        header += QStringLiteral("<br>") + tr("Waiting for approval: nothing runs before that.");
    }
    const QString failure = m_model->reading() ? m_model->reading()->failure() : QString();
    if (!failure.isEmpty() && !m_symbolic->isChecked()) {
        header += QStringLiteral("<br><i>%1</i>").arg(failure.toHtmlEscaped());
    } else if (!plan.stateReason.isEmpty()) {
        header += QStringLiteral("<br><i>%1</i>").arg(plan.stateReason.toHtmlEscaped());
    }
    if (m_symbolic->isChecked() && !plan.failure.isEmpty()) {
        header += pre(plan.failure);
    }
    m_header->setText(header);
    m_approve->setEnabled(canApprove());
    // Keep the selected node selected across live refreshes.
    if (keepNode > 0) {
        const QModelIndex found = m_model->indexOfNode(keepNode);
        if (found.isValid()) {
            m_tree->setCurrentIndex(found);
        }
    }
}

void PlanView::compareWithPrevious()
{
    const qint64 shownId = m_shownPlan != 0 ? m_shownPlan : m_snapshot.plan.id;
    const PlanRecord *newer = nullptr;
    const PlanRecord *older = nullptr;
    for (int i = 0; i < m_snapshot.plans.size(); ++i) {
        if (m_snapshot.plans.at(i).id == shownId) {
            newer = &m_snapshot.plans.at(i);
            older = i + 1 < m_snapshot.plans.size() ? &m_snapshot.plans.at(i + 1) : nullptr;
        }
    }
    if (!newer || !older) {
        m_detail->setHtml(
            QStringLiteral("<p>%1</p>")
                .arg(tr("This is the goal's first plan: there is no earlier one to compare it with.").toHtmlEscaped()));
        return;
    }
    const PlanReading before(*older, PlanReading::domainOf(*older));
    const PlanReading after(*newer, PlanReading::domainOf(*newer));
    const QList<PlanChange> changes = comparePlans(before, after, m_symbolic->isChecked());
    QString html = QStringLiteral("<h3>%1</h3>")
                       .arg(tr("From plan %1 (%2) to plan %3 (%4)")
                                .arg(older->id)
                                .arg(older->createdAt, QString::number(newer->id), newer->createdAt)
                                .toHtmlEscaped());
    if (changes.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(tr("The same decomposition.").toHtmlEscaped());
    } else {
        html += QStringLiteral("<ul>");
        for (const PlanChange &change : changes) {
            // A change in the plan shown links to its task there.
            const bool linked = change.newerNode > 0 && newer->id == shownId;
            html += QStringLiteral("<li>%1</li>")
                        .arg(linked ? QStringLiteral("<a href=\"astra-node:%1\">%2</a>")
                                          .arg(change.newerNode)
                                          .arg(change.text.toHtmlEscaped())
                                    : change.text.toHtmlEscaped());
        }
        html += QStringLiteral("</ul>");
    }
    m_detail->setHtml(html);
}

void PlanView::linkClicked(const QUrl &url)
{
    if (url.scheme() == u"astra-source") {
        openSource(url.path(), QUrlQuery(url).queryItemValue(QStringLiteral("line")).toInt());
    } else if (url.scheme() == u"astra-modification") {
        Q_EMIT modificationRequested(url.path().toLongLong(),
                                     QUrlQuery(url).queryItemValue(QStringLiteral("file"), QUrl::FullyDecoded));
    } else if (url.scheme() == u"astra-node") {
        const QModelIndex index = m_model->indexOfNode(url.path().toLongLong());
        if (index.isValid()) {
            m_tree->setCurrentIndex(index);
            m_tree->scrollTo(index);
        }
    }
}

void PlanView::openSource(const QString &file, int line)
{
    const QString source = PlanReading::domainSource(file);
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("domainSource"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("%1 — line %2").arg(file).arg(line));
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new SourceView(dialog);
    text->setObjectName(QStringLiteral("domainSourceText"));
    // HDDL is written in S-expressions with ";" comments, as Lisp is.
    text->setSource(file,
                    source.isEmpty() ? tr("This program does not have the source of %1.").arg(file) : source,
                    line,
                    QStringLiteral("Common Lisp"));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    layout->addWidget(buttons);
    dialog->resize(760, 560);
    dialog->show();
}

void PlanView::exportPicture(const QString &path)
{
    if (m_graph->nodeCount() == 0) {
        Q_EMIT exported(path, tr("There is no plan to export."));
        return;
    }
    const bool svg = QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) == 0;
    // Made here from what is shown (in memory), written on a worker: the UI does not wait on disk.
    const QByteArray svgText = svg ? m_graph->svg(tr("Plan of goal %1").arg(m_goalId)).toUtf8() : QByteArray();
    const QImage image = svg ? QImage() : m_graph->image();
    auto *watcher = new QFutureWatcher<QString>(this);
    connect(watcher, &QFutureWatcher<QString>::finished, this, [this, watcher, path] {
        Q_EMIT exported(path, watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run([path, svg, svgText, image]() -> QString {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)) {
            return file.errorString();
        }
        if (svg) {
            if (file.write(svgText) != svgText.size()) {
                return file.errorString();
            }
        } else {
            if (image.isNull()) {
                return PlanView::tr("the picture is too large for an image; export it as SVG");
            }
            QImageWriter writer(&file, "png");
            if (!writer.write(image)) {
                return writer.errorString();
            }
        }
        return file.commit() ? QString() : file.errorString();
    }));
}

void PlanView::showNotStep(const QModelIndex &index)
{
    const QString kind = index.data(PlanTreeModel::KindRole).toString();
    const QString name = index.sibling(index.row(), PlanTreeModel::NameColumn).data().toString();
    QString html = QStringLiteral("<h3>%1</h3>").arg(name.toHtmlEscaped());
    if (!m_symbolic->isChecked()) {
        html +=
            QStringLiteral("<p><tt>%1</tt></p>").arg(index.data(PlanTreeModel::SymbolRole).toString().toHtmlEscaped());
    }
    const QString note = index.sibling(index.row(), PlanTreeModel::NoteColumn).data().toString();
    const QString status = index.sibling(index.row(), PlanTreeModel::StatusColumn).data().toString();
    if (kind == u"rejected_method") {
        html += QStringLiteral("<p><b>%1</b> %2</p>").arg(tr("Not taken:"), note.toHtmlEscaped());
    } else if (!status.isEmpty()) {
        html += QStringLiteral("<p>%1</p>").arg(status.toHtmlEscaped());
    }
    const int line = index.data(PlanTreeModel::SourceLineRole).toInt();
    if (line > 0 && m_model->reading() && m_model->reading()->domain()) {
        html += QStringLiteral("<p>%1 %2</p>")
                    .arg(kind == u"rejected_method" ? tr("The condition is written at") : tr("Defined at"),
                         sourceLink(m_model->reading()->domain()->file, line));
    }
    m_detail->setHtml(html);
}

void PlanView::showNode(const QModelIndex &index)
{
    const TaskRecord *task = m_model->taskAt(index);
    m_file->hide();
    m_stepTask = 0;
    if (!task) {
        if (index.isValid()) {
            showNotStep(index);
        } else {
            m_detail->clear();
        }
        return;
    }
    const QString name = index.sibling(index.row(), PlanTreeModel::NameColumn).data().toString();
    QString html =
        QStringLiteral("<h3>%1</h3><p><tt>%2</tt> · %3</p>")
            .arg(name.toHtmlEscaped(),
                 tr("task %1: %2 %3").arg(task->id).arg(task->kind, task->arguments.join(u' ')).toHtmlEscaped(),
                 tr("%1 · attempt %2 of %3 · %4")
                     .arg(toString(task->state))
                     .arg(task->attempts)
                     .arg(task->maxAttempts)
                     .arg(task->summary)
                     .toHtmlEscaped());
    const QJsonObject &output = task->output;
    // What the step produced, by kind: the file read, the proposer's exchange, the change
    // written, the test run.
    const auto number = [&output](const char *key) {
        return qint64(output.value(QLatin1String(key)).toDouble());
    };
    if (task->kind == u"code_read" && output.contains(QStringLiteral("path"))) {
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Read %1 at %2 (%n byte(s)).", nullptr, int(number("bytes")))
                             .arg(output.value(QStringLiteral("path")).toString(),
                                  output.value(QStringLiteral("commit")).toString().left(12))
                             .toHtmlEscaped());
    } else if (task->kind == u"code_modify" && output.contains(QStringLiteral("modification"))) {
        html += QStringLiteral("<p>%1 %2</p>")
                    .arg(tr("Wrote %n file(s) on %1 as modification %2.", nullptr, int(number("files")))
                             .arg(output.value(QStringLiteral("branch")).toString())
                             .arg(number("modification"))
                             .toHtmlEscaped(),
                         modificationLink(number("modification"), tr("Open its diff")));
    } else if (task->kind == u"code_test" && output.contains(QStringLiteral("outcome"))) {
        html += QStringLiteral("<p>%1 %2</p>")
                    .arg(tr("Tests %1: %2 passed, %3 failed, on %4.")
                             .arg(outcomeLabel(output.value(QStringLiteral("outcome")).toString()))
                             .arg(number("passed"))
                             .arg(number("failed"))
                             .arg(output.value(QStringLiteral("commit")).toString().left(12))
                             .toHtmlEscaped(),
                         modificationLink(number("modification"), tr("Open the review with the test log")));
    }
    // What is loaded for the step goes here, before the raw output.
    const int split = int(html.size());
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
            + exchangeBlock(transcript.value(QStringLiteral("request")));
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Answer"))
            + exchangeBlock(transcript.value(QStringLiteral("answer")));
        if (!transcript.value(QStringLiteral("stderr")).toString().isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Standard error"))
                + pre(transcript.value(QStringLiteral("stderr")).toString());
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
    // What it read, wrote or tested is loaded off the UI thread, then added.
    static const QStringList loaded{QStringLiteral("code_read"),
                                    QStringLiteral("code_modify"),
                                    QStringLiteral("code_test")};
    if (loaded.contains(task->kind) && task->state == TaskState::Succeeded) {
        m_stepHtml = html;
        m_stepSplit = split;
        m_stepTask = task->id;
        Q_EMIT stepWanted(*task);
    }
}

void PlanView::setStepDetail(const StepDetail &detail)
{
    if (detail.taskId != m_stepTask || m_stepTask == 0) {
        return; // another node was selected meanwhile
    }
    QString html;
    if (!detail.path.isEmpty()) {
        if (!detail.readError.isEmpty()) {
            html += QStringLiteral("<p>%1</p>")
                        .arg(tr("%1 cannot be shown: %2").arg(detail.path, detail.readError).toHtmlEscaped());
        } else if (detail.binary) {
            html += QStringLiteral("<p>%1</p>").arg(tr("%1 is a binary file.").arg(detail.path).toHtmlEscaped());
        } else {
            if (detail.truncated) {
                html +=
                    QStringLiteral("<p>%1</p>")
                        .arg(
                            tr("Only its first %n KiB are shown.", nullptr, int(stepFileLimit / 1024)).toHtmlEscaped());
            }
            m_file->setSource(detail.path, detail.text);
            m_file->show();
        }
    }
    if (!detail.files.isEmpty()) {
        html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Files written"));
        const TaskRecord *task = nullptr;
        for (const TaskRecord &candidate : m_model->snapshot().tasks) {
            if (candidate.id == detail.taskId) {
                task = &candidate;
            }
        }
        const qint64 modification = task ? qint64(task->output.value(QStringLiteral("modification")).toDouble()) : 0;
        for (const ModificationFile &file : detail.files) {
            html += QStringLiteral("<li>%1 <span>+%2 −%3</span> %4</li>")
                        .arg(modificationLink(modification, file.path, file.path))
                        .arg(file.additions)
                        .arg(file.deletions)
                        .arg(file.change == u"modified" ? QString()
                                                        : QStringLiteral("(%1)").arg(file.change.toHtmlEscaped()));
        }
        html += QStringLiteral("</ul>");
    }
    if (detail.test) {
        const TestResultRecord &test = *detail.test;
        html += QStringLiteral("<p><b>%1</b> %2</p>")
                    .arg(tr("Test run").toHtmlEscaped(),
                         tr("%1: %2 passed, %3 failed, %4 skipped; %5")
                             .arg(outcomeLabel(test.outcome))
                             .arg(test.passed)
                             .arg(test.failed)
                             .arg(test.skipped)
                             .arg(test.command)
                             .toHtmlEscaped());
        const QJsonArray failures = test.report.value(QStringLiteral("failures")).toArray();
        if (!failures.isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p><ul>").arg(tr("Failing tests").toHtmlEscaped());
            for (const QJsonValue &failure : failures) {
                const QJsonObject f = failure.toObject();
                html += QStringLiteral("<li><b>%1</b>: %2</li>")
                            .arg(f.value(QStringLiteral("name")).toString().toHtmlEscaped(),
                                 f.value(QStringLiteral("message")).toString().toHtmlEscaped());
            }
            html += QStringLiteral("</ul>");
        }
        if (!detail.testLog.isEmpty()) {
            html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Log (end)").toHtmlEscaped())
                + pre(detail.testLog.right(6000));
        }
    }
    m_detail->setHtml(m_stepHtml.left(m_stepSplit) + html + m_stepHtml.mid(m_stepSplit));
}

} // namespace astra
