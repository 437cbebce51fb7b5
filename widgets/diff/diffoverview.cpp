#include "diffoverview.h"

#include "diffmodel.h"

#include <QListView>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>

namespace astra {

DiffOverview::DiffOverview(DiffModel *model, QListView *list, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_list(list)
{
    setObjectName(QStringLiteral("diffOverview"));
    setToolTip(tr("The file being read: removed lines red, added lines green; click to go there"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    const auto repaint = [this] {
        update();
    };
    connect(list->verticalScrollBar(), &QScrollBar::valueChanged, this, repaint);
    connect(model, &QAbstractItemModel::modelReset, this, repaint);
    connect(model, &QAbstractItemModel::layoutChanged, this, repaint);
    connect(model, &QAbstractItemModel::rowsInserted, this, repaint);
    connect(model, &QAbstractItemModel::rowsRemoved, this, repaint);
}

QSize DiffOverview::sizeHint() const
{
    return {fontMetrics().horizontalAdvance(QLatin1Char('0')) * 2, 100};
}

std::pair<int, int> DiffOverview::fileRows() const
{
    const QModelIndex top = m_list->indexAt(QPoint(1, 1));
    if (!top.isValid() || m_model->rowCount() == 0) {
        return {0, 0};
    }
    const int first = m_model->fileRow(m_model->row(top.row()).file);
    const int next = m_model->nextFileRow(first);
    return {first, next < 0 ? m_model->rowCount() : next};
}

void DiffOverview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QColor base = palette().color(QPalette::Base);
    painter.fillRect(rect(), base);
    const auto [first, end] = fileRows();
    const int count = end - first;
    if (count <= 0) {
        return;
    }
    const bool dark = base.lightnessF() < 0.5;
    const QColor red = dark ? QColor(255, 90, 90) : QColor(220, 40, 40);
    const QColor green = dark ? QColor(80, 220, 110) : QColor(30, 170, 60);
    const double scale = double(height()) / count;
    const int mark = std::max(2, int(scale + 0.5));
    const int half = width() / 2;
    for (int row = first; row < end; ++row) {
        const DiffModel::Row &r = m_model->row(row);
        if (r.kind != DiffModel::RowKind::Line) {
            continue;
        }
        const DiffLine *left = r.left >= 0 ? &m_model->file(r.file).hunks.at(r.part).lines.at(r.left) : nullptr;
        const DiffLine *right = r.right >= 0 ? &m_model->file(r.file).hunks.at(r.part).lines.at(r.right) : nullptr;
        const bool removed = left && left->origin == '-';
        const bool added = right && right->origin == '+';
        if (!removed && !added) {
            continue;
        }
        const int y = int((row - first) * scale);
        if (removed) {
            painter.fillRect(QRect(0, y, added ? half : width(), mark), red);
        }
        if (added) {
            painter.fillRect(QRect(removed ? half : 0, y, removed ? width() - half : width(), mark), green);
        }
    }
    // What is on screen.
    const QModelIndex top = m_list->indexAt(QPoint(1, 1));
    const QModelIndex bottom = m_list->indexAt(QPoint(1, m_list->viewport()->height() - 2));
    const int from = top.isValid() ? top.row() : first;
    const int to = bottom.isValid() ? std::min(bottom.row(), end - 1) : end - 1;
    QColor frame = palette().color(QPalette::Text);
    frame.setAlphaF(0.45);
    painter.setPen(frame);
    painter.drawRect(QRect(0, int((from - first) * scale), width() - 1, std::max(3, int((to - from + 1) * scale))));
}

void DiffOverview::goTo(int y)
{
    const auto [first, end] = fileRows();
    if (end <= first || height() <= 0) {
        return;
    }
    const int row = std::clamp(first + int(double(y) / height() * (end - first)), first, end - 1);
    m_list->scrollTo(m_model->index(row), QAbstractItemView::PositionAtCenter);
    m_list->setCurrentIndex(m_model->index(row));
}

namespace {
int yOf(const QMouseEvent *event)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
    return int(event->position().y());
#else
    return event->pos().y();
#endif
}
} // namespace

void DiffOverview::mousePressEvent(QMouseEvent *event)
{
    goTo(yOf(event));
}

void DiffOverview::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton) {
        goTo(yOf(event));
    }
}

} // namespace astra
