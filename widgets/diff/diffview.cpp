#include "diffview.h"

#include "common/appearance.h"
#include "difffiles.h"
#include "diffoverview.h"
#include "highlighting.h"
#include "syntaxcache.h"

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace astra {

namespace {
QColor mix(const QColor &base, const QColor &tint, qreal amount)
{
    return QColor::fromRgbF(base.redF() + (tint.redF() - base.redF()) * amount,
                            base.greenF() + (tint.greenF() - base.greenF()) * amount,
                            base.blueF() + (tint.blueF() - base.blueF()) * amount);
}

struct DiffColors
{
    QColor text, dim, removed, removedStrong, added, addedStrong, gutter, hunk, file, gap, empty, comment, accept,
        reject;

    explicit DiffColors(const QPalette &palette)
    {
        const QColor base = palette.color(QPalette::Base);
        text = palette.color(QPalette::Text);
        const bool dark = base.lightnessF() < 0.5;
        const QColor red = dark ? QColor(255, 90, 90) : QColor(220, 40, 40);
        const QColor green = dark ? QColor(80, 220, 110) : QColor(30, 170, 60);
        dim = mix(base, text, 0.55);
        removed = mix(base, red, 0.16);
        removedStrong = mix(base, red, 0.38);
        added = mix(base, green, 0.16);
        addedStrong = mix(base, green, 0.38);
        gutter = mix(base, text, 0.06);
        hunk = mix(base, QColor(60, 120, 220), 0.14);
        file = mix(base, text, 0.14);
        gap = mix(base, text, 0.05);
        empty = mix(base, text, 0.03);
        comment = mix(base, QColor(230, 175, 30), dark ? 0.22 : 0.20);
        accept = dark ? QColor(80, 220, 110) : QColor(20, 130, 50);
        reject = dark ? QColor(255, 110, 110) : QColor(190, 30, 30);
    }
};

// Paints the rows of a DiffModel: gutters with line numbers, the line text with its language
// formats (SyntaxCache, asked only for painted rows) and intra-line ranges.
class DiffDelegate : public QStyledItemDelegate
{
public:
    DiffDelegate(DiffModel *model, SyntaxCache *syntax, QListView *list, const bool *wrap, QObject *parent)
        : QStyledItemDelegate(parent)
        , m_model(model)
        , m_syntax(syntax)
        , m_list(list)
        , m_wrap(wrap)
    {}

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const QFontMetrics metrics(option.font);
        const int charWidth = metrics.horizontalAdvance(QLatin1Char('0'));
        const int width = m_list->viewport()->width();
        int lines = 1;
        if (*m_wrap && index.isValid()) {
            const DiffModel::Row &row = m_model->row(index.row());
            if (row.kind == DiffModel::RowKind::Line || row.kind == DiffModel::RowKind::GapLine) {
                const int numberWidth = charWidth * 6;
                const bool unified = m_model->mode() == DiffModel::Mode::Unified;
                const int textWidth =
                    std::max(charWidth * 10,
                             (unified ? width - 2 * numberWidth : width / 2 - numberWidth) - charWidth * 3);
                for (const bool newSide : {false, true}) {
                    const Side s = side(row, newSide);
                    const int columns = int(s.text.size() + s.text.count(u'\t') * 3);
                    lines = std::max(lines, (columns * charWidth + textWidth - 1) / textWidth);
                }
            }
        }
        return {*m_wrap ? width : charWidth * 120, metrics.height() * lines + 2};
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const DiffModel::Row &row = m_model->row(index.row());
        const DiffColors colors(option.palette);
        const QFontMetrics metrics(option.font);
        const int charWidth = metrics.horizontalAdvance(QLatin1Char('0'));
        const QRect rect = option.rect;
        painter->save();
        painter->setFont(option.font);
        switch (row.kind) {
        case DiffModel::RowKind::File: {
            painter->fillRect(rect, colors.file);
            QFont bold = option.font;
            bold.setBold(true);
            painter->setFont(bold);
            painter->setPen(colors.text);
            painter->drawText(rect.adjusted(charWidth, 0, -charWidth, 0),
                              Qt::AlignVCenter | Qt::AlignLeft,
                              QFontMetrics(bold).elidedText(m_model->fileHeaderText(row.file),
                                                            Qt::ElideMiddle,
                                                            rect.width() - 2 * charWidth));
            break;
        }
        case DiffModel::RowKind::Notice:
            painter->fillRect(rect, colors.gap);
            painter->setPen(colors.dim);
            painter->drawText(rect.adjusted(charWidth * 2, 0, 0, 0),
                              Qt::AlignVCenter | Qt::AlignLeft,
                              m_model->noticeText(row.file));
            break;
        case DiffModel::RowKind::Hunk: {
            painter->fillRect(rect, colors.hunk);
            const bool seen = m_model->isSeen(row.file, row.part);
            painter->setPen(seen ? colors.text : colors.dim);
            const QString mark = seen ? DiffModel::tr("✓ seen") : DiffModel::tr("○ not seen");
            int markWidth = metrics.horizontalAdvance(mark) + 2 * charWidth;
            painter->drawText(QRect(rect.right() - markWidth, rect.top(), markWidth, rect.height()),
                              Qt::AlignVCenter | Qt::AlignHCenter,
                              mark);
            const QString decision = m_model->decisionOf(row.file, row.part);
            if (!decision.isEmpty()) {
                const bool accepted = decision == u"accepted";
                const QString text = accepted ? DiffModel::tr("✔ accepted") : DiffModel::tr("✘ rejected");
                const int width = metrics.horizontalAdvance(text) + 2 * charWidth;
                QFont bold = option.font;
                bold.setBold(true);
                painter->setFont(bold);
                painter->setPen(accepted ? colors.accept : colors.reject);
                painter->drawText(QRect(rect.right() - markWidth - width, rect.top(), width, rect.height()),
                                  Qt::AlignVCenter | Qt::AlignHCenter,
                                  text);
                painter->setFont(option.font);
                markWidth += width;
            }
            painter->setPen(colors.dim);
            painter->drawText(rect.adjusted(charWidth, 0, -markWidth, 0),
                              Qt::AlignVCenter | Qt::AlignLeft,
                              m_model->file(row.file).hunks.at(row.part).header);
            break;
        }
        case DiffModel::RowKind::Gap:
            painter->fillRect(rect, colors.gap);
            painter->setPen(colors.dim);
            painter->drawText(rect.adjusted(charWidth * 2, 0, 0, 0),
                              Qt::AlignVCenter | Qt::AlignLeft,
                              m_model->gapText(row));
            break;
        case DiffModel::RowKind::GapLine:
        case DiffModel::RowKind::Line:
            paintLines(painter, option, row, colors, charWidth);
            break;
        case DiffModel::RowKind::Comment: {
            const ReviewComment &comment = m_model->comments().at(row.part);
            painter->fillRect(rect.adjusted(charWidth * 4, 1, 0, -1), colors.comment);
            painter->setPen(comment.isResolved() ? colors.dim : colors.text);
            const QRect textRect = rect.adjusted(charWidth * 5, 0, -charWidth, 0);
            painter->drawText(textRect,
                              Qt::AlignVCenter | Qt::AlignLeft,
                              metrics.elidedText(m_model->commentText(row), Qt::ElideRight, textRect.width()));
            break;
        }
        }
        if (option.state & QStyle::State_HasFocus || option.state & QStyle::State_Selected) {
            painter->fillRect(QRect(rect.left(), rect.top(), 3, rect.height()),
                              option.palette.color(QPalette::Highlight));
        }
        painter->restore();
    }

private:
    struct Side
    {
        int number = 0;
        char origin = ' ';
        QString text;
        QVector<CharRange> changed;
        bool present = false;
    };

    Side side(const DiffModel::Row &row, bool newSide) const
    {
        Side s;
        if (row.kind == DiffModel::RowKind::GapLine) {
            s.present = true;
            s.text = m_model->gapLineText(row);
            s.number = newSide ? m_model->newNumber(row) : m_model->oldNumber(row);
            return s;
        }
        const int index = newSide ? row.right : row.left;
        if (index < 0) {
            return s;
        }
        const DiffLine &line = m_model->file(row.file).hunks.at(row.part).lines.at(index);
        s.present = true;
        s.origin = line.origin;
        s.text = line.text;
        s.changed = line.changed;
        s.number = newSide ? line.newNo : line.oldNo;
        return s;
    }

    void paintText(QPainter *painter,
                   const QStyleOptionViewItem &option,
                   const QRect &rect,
                   const Side &s,
                   const QVector<QTextLayout::FormatRange> &syntax,
                   const QColor &strong) const
    {
        QTextLayout layout(s.text, option.font);
        QTextOption textOption;
        textOption.setTabStopDistance(QFontMetrics(option.font).horizontalAdvance(QLatin1Char(' ')) * 4);
        textOption.setWrapMode(*m_wrap ? QTextOption::WrapAtWordBoundaryOrAnywhere : QTextOption::NoWrap);
        layout.setTextOption(textOption);
        QVector<QTextLayout::FormatRange> formats = syntax;
        for (const CharRange &range : s.changed) {
            QTextLayout::FormatRange format;
            format.start = range.start;
            format.length = range.length;
            format.format.setBackground(strong);
            formats.append(format);
        }
        // What the find bar looks for.
        if (const QString &search = m_model->search(); !search.isEmpty()) {
            for (qsizetype at = s.text.indexOf(search, 0, Qt::CaseInsensitive); at >= 0;
                 at = s.text.indexOf(search, at + search.size(), Qt::CaseInsensitive)) {
                QTextLayout::FormatRange format;
                format.start = int(at);
                format.length = int(search.size());
                format.format.setBackground(QColor(255, 210, 0, 170));
                formats.append(format);
            }
        }
        layout.setFormats(formats);
        layout.beginLayout();
        qreal y = 0;
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(*m_wrap ? qreal(rect.width()) : 1e6);
            line.setPosition(QPointF(0, y));
            y += line.height();
        }
        layout.endLayout();
        painter->save();
        painter->setClipRect(rect);
        painter->setPen(option.palette.color(QPalette::Text));
        layout.draw(painter, QPointF(rect.left(), rect.top() + 1));
        painter->restore();
    }

    void paintLines(QPainter *painter,
                    const QStyleOptionViewItem &option,
                    const DiffModel::Row &row,
                    const DiffColors &colors,
                    int charWidth) const
    {
        const QRect rect = option.rect;
        const int numberWidth = charWidth * 6;
        auto background = [&](const Side &s) {
            if (!s.present) {
                return colors.empty;
            }
            return s.origin == '-' ? colors.removed
                                   : (s.origin == '+' ? colors.added : option.palette.color(QPalette::Base));
        };
        auto strong = [&](const Side &s) {
            return s.origin == '-' ? colors.removedStrong : colors.addedStrong;
        };
        // A wrapped row is several lines high: its number and sign stand on its first line.
        const int firstLine = QFontMetrics(option.font).height() + 2;
        const auto onFirstLine = [firstLine](const QRect &area) {
            return QRect(area.left(), area.top(), area.width(), std::min(area.height(), firstLine));
        };
        auto number = [&](const QRect &area, int n) {
            painter->fillRect(area, colors.gutter);
            if (n > 0) {
                painter->setPen(colors.dim);
                painter->drawText(onFirstLine(area).adjusted(0, 0, -charWidth, 0),
                                  Qt::AlignVCenter | Qt::AlignRight,
                                  QString::number(n));
            }
        };
        auto sign = [&](const QRect &area, const Side &s) {
            if (s.origin != ' ') {
                painter->setPen(colors.dim);
                painter->drawText(onFirstLine(area),
                                  Qt::AlignVCenter | Qt::AlignHCenter,
                                  QString(QLatin1Char(s.origin)));
            }
        };
        if (m_model->mode() == DiffModel::Mode::Unified) {
            const Side left = side(row, false);
            const Side right = side(row, true);
            const Side &shown = left.present ? left : right;
            const bool newSide = !left.present;
            painter->fillRect(rect, background(shown));
            number(QRect(rect.left(), rect.top(), numberWidth, rect.height()), left.present ? left.number : 0);
            number(QRect(rect.left() + numberWidth, rect.top(), numberWidth, rect.height()),
                   right.present ? right.number : 0);
            const int textLeft = rect.left() + 2 * numberWidth;
            sign(QRect(textLeft, rect.top(), charWidth * 2, rect.height()), shown);
            paintText(painter,
                      option,
                      QRect(textLeft + charWidth * 2, rect.top(), rect.right() - textLeft, rect.height()),
                      shown,
                      m_syntax->formats(*m_model, row, newSide),
                      strong(shown));
            return;
        }
        const int half = rect.width() / 2;
        for (int column = 0; column < 2; ++column) {
            const bool newSide = column == 1;
            const Side s = side(row, newSide);
            const QRect area(rect.left() + column * half,
                             rect.top(),
                             column == 0 ? half : rect.width() - half,
                             rect.height());
            painter->fillRect(area, background(s));
            number(QRect(area.left(), area.top(), numberWidth, area.height()), s.number);
            if (!s.present) {
                continue;
            }
            const int textLeft = area.left() + numberWidth;
            sign(QRect(textLeft, area.top(), charWidth * 2, area.height()), s);
            paintText(
                painter,
                option,
                QRect(textLeft + charWidth * 2, area.top(), area.right() - textLeft - charWidth * 2, area.height()),
                s,
                m_syntax->formats(*m_model, row, newSide),
                strong(s));
        }
        painter->setPen(colors.gutter.darker(115));
        painter->drawLine(rect.left() + half, rect.top(), rect.left() + half, rect.bottom());
    }

    DiffModel *m_model;
    SyntaxCache *m_syntax;
    QListView *m_list;
    const bool *m_wrap;
};

} // namespace

DiffFileListModel::DiffFileListModel(DiffModel *diff, QObject *parent)
    : QAbstractTableModel(parent)
    , m_diff(diff)
{
    connect(diff, &QAbstractItemModel::modelAboutToBeReset, this, &DiffFileListModel::beginResetModel);
    connect(diff, &QAbstractItemModel::modelReset, this, &DiffFileListModel::endResetModel);
    connect(diff, &DiffModel::seenChanged, this, [this] {
        if (rowCount() > 0) {
            Q_EMIT dataChanged(index(0, SeenColumn), index(rowCount() - 1, SeenColumn));
        }
    });
}

int DiffFileListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_diff->diff() ? 0 : int(m_diff->diff()->files.size());
}

int DiffFileListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiffFileListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const FileDiff &file = m_diff->file(index.row());
    const bool counted = file.loaded && !file.binary && !file.tooLarge;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case PathColumn:
            return file.change == u"renamed" ? tr("%1 → %2").arg(file.oldPath, file.path) : file.path;
        case ChangeColumn:
            return DiffModel::changeText(file);
        case AddedColumn:
            return counted ? QVariant(tr("+%1").arg(file.additions)) : QVariant();
        case RemovedColumn:
            return counted ? QVariant(tr("−%1").arg(file.deletions)) : QVariant();
        case SeenColumn: {
            int seen = 0;
            for (int h = 0; h < file.hunks.size(); ++h) {
                seen += m_diff->isSeen(index.row(), h) ? 1 : 0;
            }
            if (m_diff->isViewed(index.row())) {
                return tr("✓ viewed");
            }
            return file.hunks.isEmpty() ? QVariant() : QVariant(tr("%1/%2").arg(seen).arg(file.hunks.size()));
        }
        }
    } else if (role == Qt::EditRole && index.column() == PathColumn) {
        return file.path;
    } else if (role == Qt::TextAlignmentRole && index.column() >= AddedColumn) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ToolTipRole && index.column() == PathColumn) {
        return m_diff->fileHeaderText(index.row());
    }
    return {};
}

void DiffFileListModel::refresh(int first, int last)
{
    last = std::min(last < 0 ? first : last, rowCount() - 1);
    if (first >= 0 && first <= last) {
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
    }
}

QVariant DiffFileListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case PathColumn:
        return tr("File");
    case ChangeColumn:
        return tr("Change");
    case AddedColumn:
        return tr("Added");
    case RemovedColumn:
        return tr("Removed");
    case SeenColumn:
        return tr("Seen");
    default:
        return {};
    }
}

DiffView::DiffView(QWidget *parent)
    : QWidget(parent)
    , m_model(new DiffModel(this))
    , m_files(new DiffFileListModel(m_model, this))
    , m_list(new QListView(this))
    , m_filesPanel(new DiffFilesPanel(m_files, this))
    , m_fileView(m_filesPanel->view())
    , m_header(new QLabel(this))
    , m_highlighting(new QLabel(this))
    , m_message(new QLabel(this))
    , m_stack(new QStackedWidget(this))
    , m_modeButton(new QToolButton(this))
    , m_compare(new QComboBox(this))
    , m_syntax(std::make_unique<SyntaxCache>())
    , m_wantTimer(new QTimer(this))
{
    m_overview = new DiffOverview(m_model, m_list, this);
    // The header of the file being read, over the top row once its own header scrolled away.
    m_sticky = new QLabel(m_list->viewport());
    m_sticky->setObjectName(QStringLiteral("diffStickyHeader"));
    m_sticky->setAutoFillBackground(true);
    m_sticky->setTextFormat(Qt::PlainText);
    m_sticky->hide();
    m_wantTimer->setSingleShot(true);
    m_wantTimer->setInterval(15);
    connect(m_wantTimer, &QTimer::timeout, this, &DiffView::askForVisibleFiles);
    QFont mono = monospaceFont();
    if (const qreal size = QSettings().value(QStringLiteral("diff/fontSize")).toReal(); size >= 6 && size <= 48) {
        mono.setPointSizeF(size);
    }
    m_list->setFont(mono);
    m_list->setModel(m_model);
    m_list->setItemDelegate(new DiffDelegate(m_model, m_syntax.get(), m_list, &m_wrapLines, this));
    m_list->setUniformItemSizes(true);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->viewport()->installEventFilter(this);
    m_list->installEventFilter(this);
    m_list->setObjectName(QStringLiteral("diffLines"));
    connect(m_list, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        if (m_model->row(index.row()).kind == DiffModel::RowKind::Comment) {
            Q_EMIT commentActivated(index.data(DiffModel::CommentIdRole).toLongLong());
            return;
        }
        m_model->toggleGap(index.row());
    });
    m_compare->setObjectName(QStringLiteral("diffCompare"));
    m_compare->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_compare->setToolTip(
        tr("Which revisions to compare: the change against its base, or what changed since an "
           "earlier revision"));
    m_compare->hide();
    connect(m_compare, QOverload<int>::of(&QComboBox::activated), this, [this](int index) {
        Q_EMIT compareRequested(m_compare->itemData(index).toInt());
    });

    connect(m_filesPanel, &DiffFilesPanel::fileChosen, this, [this](int file) { goToRow(m_model->fileRow(file)); });

    m_modeButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    connect(m_modeButton, &QToolButton::clicked, this, &DiffView::toggleMode);

    struct Binding
    {
        const char *id; // the action's object name, under which a changed shortcut is kept
        QString text;
        QKeySequence keys;
        void (DiffView::*slot)();
        QString shortText = {}; // on the tool bar (empty: the text); the tool tip says it whole
        bool onToolbar = true;
    };
    // Keys that reach the application: window managers take Alt+Shift+arrows (and
    // Ctrl+Alt+arrows) for their own use.
    const QList<Binding> bindings{
        {"nextHunk",
         tr("Next hunk"),
         QKeySequence(int(Qt::ALT) | int(Qt::Key_Down)),
         &DiffView::nextHunk,
         tr("Hunk ↓")},
        {"previousHunk",
         tr("Previous hunk"),
         QKeySequence(int(Qt::ALT) | int(Qt::Key_Up)),
         &DiffView::previousHunk,
         tr("Hunk ↑")},
        {"nextFile",
         tr("Next file"),
         QKeySequence(int(Qt::ALT) | int(Qt::Key_PageDown)),
         &DiffView::nextFile,
         tr("File ↓")},
        {"previousFile",
         tr("Previous file"),
         QKeySequence(int(Qt::ALT) | int(Qt::Key_PageUp)),
         &DiffView::previousFile,
         tr("File ↑")},
        {"markHunkSeen",
         tr("Mark hunk seen and go to the next"),
         QKeySequence(int(Qt::CTRL) | int(Qt::Key_Space)),
         &DiffView::toggleSeenAndNext,
         tr("Seen")},
        {"toggleDiffMode",
         tr("Side by side or unified"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U),
         &DiffView::toggleMode},
        {"expandUnchanged",
         tr("Show all unchanged lines"),
         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
         &DiffView::expandAll,
         tr("Expand all")},
        {"acceptHunk", tr("Accept hunk"), QKeySequence(Qt::Key_A), &DiffView::acceptHunk, tr("Accept")},
        {"rejectHunk", tr("Reject hunk"), QKeySequence(Qt::Key_X), &DiffView::rejectHunk, tr("Reject")},
        {"acceptFile", tr("Accept file"), QKeySequence(int(Qt::SHIFT) | int(Qt::Key_A)), &DiffView::acceptFile},
        {"rejectFile", tr("Reject file"), QKeySequence(int(Qt::SHIFT) | int(Qt::Key_X)), &DiffView::rejectFile},
        {"commentLine", tr("Comment on line"), QKeySequence(Qt::Key_C), &DiffView::commentOnLine, tr("Comment")},
        {"markFileViewed",
         tr("Mark file viewed"),
         QKeySequence(Qt::Key_V),
         &DiffView::toggleViewedAndNext,
         tr("Viewed")},
        {"findInDiff", tr("Find in the diff"), QKeySequence(QKeySequence::Find), &DiffView::showFind, {}, false},
        {"findNextInDiff", tr("Find next"), QKeySequence(QKeySequence::FindNext), &DiffView::findNext, {}, false},
        {"findPreviousInDiff",
         tr("Find previous"),
         QKeySequence(QKeySequence::FindPrevious),
         &DiffView::findPrevious,
         {},
         false},
        {"zoomInDiff", tr("Larger text"), QKeySequence(QKeySequence::ZoomIn), &DiffView::zoomIn, {}, false},
        {"zoomOutDiff", tr("Smaller text"), QKeySequence(QKeySequence::ZoomOut), &DiffView::zoomOut, {}, false},
        {"zoomResetDiff",
         tr("Standard text size"),
         QKeySequence(int(Qt::CTRL) | int(Qt::Key_0)),
         &DiffView::zoomReset,
         {},
         false},
    };
    // The actions in a tool bar of their own: when the window is narrow (or the language's words
    // long), what does not fit goes into its » menu instead of pushing the diff off screen.
    auto *actions = new QToolBar(this);
    actions->setObjectName(QStringLiteral("diffToolbar"));
    actions->setToolButtonStyle(Qt::ToolButtonTextOnly);
    actions->setIconSize(QSize(1, 1));
    auto *toolbar = new QHBoxLayout;
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // it shrinks; its tooltip says it all
    toolbar->addWidget(m_header, 1);
    toolbar->addWidget(actions, 0);
    for (const Binding &binding : bindings) {
        auto *action = new QAction(binding.text, this);
        action->setObjectName(QString::fromLatin1(binding.id));
        if (!binding.shortText.isEmpty()) {
            action->setIconText(binding.shortText);
        }
        action->setShortcut(binding.keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(tr("%1 (%2)").arg(binding.text, binding.keys.toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, binding.slot);
        addAction(action);
        if (binding.slot == &DiffView::acceptHunk || binding.slot == &DiffView::rejectHunk
            || binding.slot == &DiffView::acceptFile || binding.slot == &DiffView::rejectFile) {
            m_decisionActions.append(action);
        }
        if (binding.slot == &DiffView::toggleMode || !binding.onToolbar) {
            continue; // the mode button shows it; the others are keys
        }
        actions->addAction(action);
    }
    // How the diff reads (whitespace, wrapping, generated files, find, text size): one View menu
    // on the tool bar, so that the header keeps its room.
    auto *viewMenu = new QMenu(this);
    const auto toggle = [&](const char *id, const QString &text, const QString &shortText, const QKeySequence &keys) {
        auto *action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(id));
        action->setIconText(shortText);
        action->setCheckable(true);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setToolTip(tr("%1 (%2)").arg(text, keys.toString(QKeySequence::NativeText)));
        addAction(action);
        viewMenu->addAction(action);
        return action;
    };
    m_ignoreWhitespace = toggle("ignoreWhitespace",
                                tr("Ignore whitespace"),
                                tr("No whitespace"),
                                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    connect(m_ignoreWhitespace, &QAction::toggled, this, &DiffView::setIgnoreWhitespace);
    m_wrap = toggle("wrapLines", tr("Wrap long lines"), tr("Wrap"), QKeySequence(int(Qt::ALT) | int(Qt::Key_Z)));
    connect(m_wrap, &QAction::toggled, this, &DiffView::setWrap);
    m_showGenerated = toggle("showGenerated",
                             tr("Show generated and lock files"),
                             tr("Generated"),
                             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    connect(m_showGenerated, &QAction::toggled, this, [this](bool shown) {
        keepPlace([&] { m_model->showGenerated(shown); });
    });
    viewMenu->addSeparator();
    for (const char *id : {"findInDiff", "zoomInDiff", "zoomOutDiff", "zoomResetDiff"}) {
        if (auto *action = findChild<QAction *>(QString::fromLatin1(id))) {
            viewMenu->addAction(action);
        }
    }
    auto *viewButton = new QToolButton(this);
    viewButton->setObjectName(QStringLiteral("diffViewMenu"));
    viewButton->setText(tr("View"));
    viewButton->setToolTip(tr("Whitespace, wrapping, generated files, find and text size"));
    viewButton->setMenu(viewMenu);
    viewButton->setPopupMode(QToolButton::InstantPopup);
    actions->addWidget(viewButton);
    actions->addWidget(m_compare);
    actions->addWidget(m_modeButton);
    updateDecisionActions();

    // The version, not the number of definitions: counting them would load them at start-up.
    m_highlighting->setText(
        Highlighting::available()
            ? tr("Highlighting: %1").arg(QStringLiteral("KSyntaxHighlighting ") + Highlighting::version())
            : tr("Language highlighting is unavailable in this build."));
    m_highlighting->setForegroundRole(QPalette::PlaceholderText);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);

    setFocusProxy(m_list);

    auto *files = new QWidget(this);
    auto *filesLayout = new QVBoxLayout(files);
    filesLayout->setContentsMargins(0, 0, 0, 0);
    filesLayout->addWidget(m_filesPanel, 1);
    filesLayout->addWidget(m_highlighting);
    m_highlighting->setWordWrap(true);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("diffSplitter"));
    splitter->addWidget(files);
    auto *lines = new QWidget(this);
    auto *linesLayout = new QHBoxLayout(lines);
    linesLayout->setContentsMargins(0, 0, 0, 0);
    linesLayout->setSpacing(0);
    linesLayout->addWidget(m_list, 1);
    linesLayout->addWidget(m_overview);
    splitter->addWidget(lines);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({420, 1340});
    m_stack->addWidget(splitter);
    m_stack->addWidget(m_message);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(toolbar);
    m_findBar = new QWidget(this);
    m_findBar->setObjectName(QStringLiteral("diffFindBar"));
    auto *findLayout = new QHBoxLayout(m_findBar);
    findLayout->setContentsMargins(0, 0, 0, 0);
    m_findEdit = new QLineEdit(m_findBar);
    m_findEdit->setObjectName(QStringLiteral("diffFind"));
    m_findEdit->setPlaceholderText(tr("Find in the diff (Enter: next, Shift+Enter: previous, Esc: close)"));
    m_findEdit->setClearButtonEnabled(true);
    m_findCount = new QLabel(m_findBar);
    findLayout->addWidget(m_findEdit, 1);
    findLayout->addWidget(m_findCount);
    m_findBar->hide();
    m_findEdit->installEventFilter(this);
    connect(m_findEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_model->setSearch(text);
        updateFindCount();
        if (!text.isEmpty() && !m_model->rowMatches(currentRow())) {
            findNext();
        }
    });
    layout->addWidget(m_findBar);
    layout->addWidget(m_stack, 1);

    connect(m_model, &DiffModel::seenChanged, this, [this] {
        updateHeader();
        saveSeen();
    });
    connect(m_model, &DiffModel::filesChanged, this, [this](const QList<int> &files) {
        if (!files.isEmpty()) {
            m_files->refresh(*std::min_element(files.cbegin(), files.cend()),
                             *std::max_element(files.cbegin(), files.cend()));
        }
    });
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, m_wantTimer, qOverload<>(&QTimer::start));
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, &DiffView::followScroll);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &DiffView::followScroll);
    connect(m_model, &QAbstractItemModel::modelReset, this, &DiffView::followScroll);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &DiffView::followScroll);
    connect(m_list->verticalScrollBar(), &QScrollBar::rangeChanged, m_wantTimer, qOverload<>(&QTimer::start));
    setMode(DiffModel::Mode::SideBySide);
    m_wrap->setChecked(QSettings().value(QStringLiteral("diff/wrap")).toBool());
    showMessage(tr("Select a modification to see its changes."));
}

DiffView::~DiffView() = default;

void DiffView::setBeyondScope(const QStringList &paths)
{
    m_filesPanel->setBeyondScope(paths);
}

void DiffView::setDiff(TreeDiffPtr diff, const QString &reviewKey, const QString &progressHead)
{
    m_reviewKey.clear();
    m_progressHead.clear();
    m_caption.clear();
    m_filesPanel->setBeyondScope({});
    m_syntax->reset(palette());
    m_model->setDiff(std::move(diff));
    m_ignoreWhitespace->blockSignals(true);
    m_ignoreWhitespace->setChecked(false); // a new diff is read as it is
    m_ignoreWhitespace->blockSignals(false);
    m_showGenerated->blockSignals(true);
    m_showGenerated->setChecked(false);
    m_showGenerated->blockSignals(false);
    updateDecisionActions();
    updateFindCount();
    if (!reviewKey.isEmpty()) {
        m_model->setSeenKeys(QSettings().value(QStringLiteral("diff/seen/") + reviewKey).toStringList());
        m_model->setViewedKeys(QSettings().value(QStringLiteral("diff/viewed/") + reviewKey).toStringList());
    }
    m_reviewKey = reviewKey;
    m_progressHead = progressHead;
    saveSeen();
    m_stack->setCurrentIndex(0);
    if (m_model->rowCount() > 0) {
        m_list->setCurrentIndex(m_model->index(0));
        m_list->scrollToTop();
    }
    m_filesPanel->follow(0);
    m_filesPanel->fitColumns();
    updateHeader();
    m_waitingForPaint = true;
    m_list->viewport()->update();
    m_wantTimer->start();
}

void DiffView::keepPlace(const std::function<void()> &change)
{
    const QPersistentModelIndex top = m_list->indexAt(QPoint(1, 1));
    const int shift = top.isValid() ? m_list->visualRect(top).top() : 0;
    change();
    if (top.isValid()) {
        m_list->scrollTo(top, QAbstractItemView::PositionAtTop);
        m_list->verticalScrollBar()->setValue(m_list->verticalScrollBar()->value() - shift);
    }
}

void DiffView::addFiles(const QList<LoadedFile> &files)
{
    keepPlace([&] { m_model->setFiles(files); });
    updateHeader();
    if (m_model->isComplete()) {
        saveSeen();
        m_filesPanel->fitColumns();
        Q_EMIT diffCompleted();
    } else {
        m_wantTimer->start();
    }
}

void DiffView::replaceOutline(TreeDiffPtr outline)
{
    if (!outline || !m_model->diff() || outline->fromCommit != m_model->diff()->fromCommit
        || outline->toCommit != m_model->diff()->toCommit) {
        return; // another diff's
    }
    // DiffFiller's outline holds the files read before it (the ones read with setDiff()).
    const TreeDiffPtr merged = outline;
    // The place: the file being read, by its path, and the row in it.
    const int row = currentRow();
    const int topRow = m_list->indexAt(QPoint(1, 1)).row();
    const auto placeOf = [&](int at) -> std::pair<QString, int> {
        if (at < 0 || at >= m_model->rowCount()) {
            return {};
        }
        const int file = m_model->row(at).file;
        return {m_model->file(file).path, at - m_model->fileRow(file)};
    };
    const auto [currentPath, currentOffset] = placeOf(row);
    const auto [topPath, topOffset] = placeOf(topRow);
    const QStringList seen = m_model->seenKeys();
    const QStringList viewed = m_model->viewedKeys();
    const QString reviewKey = std::exchange(m_reviewKey, QString()); // saved again below, whole
    const bool ignoring = m_model->ignoresWhitespace();
    m_model->setDiff(merged);
    m_model->setIgnoresWhitespace(ignoring);
    m_model->setSeenKeys(seen);
    m_model->setViewedKeys(viewed);
    m_reviewKey = reviewKey;
    const auto rowOf = [&](const QString &path, int offset) {
        for (int f = 0; f < merged->files.size(); ++f) {
            if (merged->files.at(f).path == path) {
                const int header = m_model->fileRow(f);
                const int end = m_model->nextFileRow(header);
                return std::min(header + offset, (end < 0 ? m_model->rowCount() : end) - 1);
            }
        }
        return 0;
    };
    m_list->setCurrentIndex(m_model->index(rowOf(currentPath, currentOffset)));
    m_list->scrollTo(m_model->index(rowOf(topPath, topOffset)), QAbstractItemView::PositionAtTop);
    updateHeader();
    if (m_model->isComplete()) {
        saveSeen();
        m_filesPanel->fitColumns();
        Q_EMIT diffCompleted();
    }
    m_wantTimer->start();
}

void DiffView::followScroll()
{
    const QModelIndex top = m_list->indexAt(QPoint(1, 1));
    if (!top.isValid() || m_stack->currentIndex() != 0) {
        m_sticky->hide();
        return;
    }
    const int file = m_model->row(top.row()).file;
    m_filesPanel->follow(file);
    if (m_model->fileRow(file) == top.row()) {
        m_sticky->hide(); // its own header is on top
        return;
    }
    const DiffColors colors(palette());
    QPalette sticky = m_sticky->palette();
    sticky.setColor(QPalette::Window, colors.file);
    sticky.setColor(QPalette::WindowText, colors.text);
    m_sticky->setPalette(sticky);
    QFont bold = m_list->font();
    bold.setBold(true);
    m_sticky->setFont(bold);
    const int width = m_list->viewport()->width();
    const int margin = QFontMetrics(bold).horizontalAdvance(QLatin1Char('0'));
    m_sticky->setContentsMargins(margin, 0, margin, 0);
    m_sticky->setText(
        QFontMetrics(bold).elidedText(m_model->fileHeaderText(file), Qt::ElideMiddle, width - 2 * margin));
    m_sticky->setToolTip(m_model->fileHeaderText(file));
    m_sticky->setGeometry(0, 0, width, m_list->visualRect(top).height());
    m_sticky->show();
    m_sticky->raise();
}

QString DiffView::stickyText() const
{
    return m_sticky->isVisible() ? m_sticky->toolTip() : QString();
}

void DiffView::showFind()
{
    m_findBar->show();
    m_findEdit->setFocus(Qt::ShortcutFocusReason);
    m_findEdit->selectAll();
}

void DiffView::find(bool forward)
{
    if (m_model->search().isEmpty()) {
        showFind();
        return;
    }
    const int row = m_model->findRow(currentRow(), forward);
    if (row >= 0) {
        goToRow(row);
        m_list->scrollTo(m_model->index(row), QAbstractItemView::PositionAtCenter);
    }
    updateFindCount();
}

void DiffView::findNext()
{
    find(true);
}

void DiffView::findPrevious()
{
    find(false);
}

void DiffView::updateFindCount()
{
    if (m_model->search().isEmpty()) {
        m_findCount->clear();
        return;
    }
    QString text = tr("%n row(s) match", nullptr, m_model->matchCount());
    if (!m_model->isComplete()) {
        text += u' ' + tr("(in the files read so far)");
    }
    m_findCount->setText(text);
}

void DiffView::setIgnoreWhitespace(bool ignore)
{
    if (!m_model->diff() || ignore == m_model->ignoresWhitespace()) {
        return;
    }
    keepPlace([&] { m_model->unloadFiles(ignore); });
    // Hunks are decided on the diff as it is; what -w shows is for reading.
    const bool decidable = m_decidable;
    m_decidable = decidable && !ignore;
    updateDecisionActions();
    m_decidable = decidable;
    updateHeader();
    TreeDiffOptions options;
    options.ignoreWhitespace = ignore;
    Q_EMIT readRequested(m_model->diff(), options);
    m_wantTimer->start();
}

void DiffView::setWrap(bool wrap)
{
    m_wrapLines = wrap;
    m_list->setUniformItemSizes(!wrap);
    m_list->setResizeMode(wrap ? QListView::Adjust : QListView::Fixed); // wrapped heights follow the width
    QSettings().setValue(QStringLiteral("diff/wrap"), wrap);
    keepPlace([&] { m_list->doItemsLayout(); });
}

void DiffView::zoomIn()
{
    zoom(1);
}

void DiffView::zoomOut()
{
    zoom(-1);
}

void DiffView::zoomReset()
{
    zoom(0);
}

void DiffView::zoom(int steps)
{
    QFont font = m_list->font();
    const qreal standard = monospaceFont().pointSizeF();
    const qreal size = steps == 0 ? standard : std::clamp(font.pointSizeF() + steps, 6.0, 48.0);
    font.setPointSizeF(size);
    m_list->setFont(font);
    m_syntax->reset(palette());
    QSettings().setValue(QStringLiteral("diff/fontSize"), size == standard ? QVariant() : QVariant(size));
    followScroll();
}

void DiffView::askForVisibleFiles()
{
    if (!m_model->diff() || m_model->isComplete() || m_model->rowCount() == 0) {
        return;
    }
    const QModelIndex first = m_list->indexAt(QPoint(1, 1));
    QModelIndex last = m_list->indexAt(QPoint(1, m_list->viewport()->height() - 2));
    const int from = first.isValid() ? m_model->row(first.row()).file : 0;
    const int to = last.isValid() ? m_model->row(last.row()).file : int(m_model->diff()->files.size()) - 1;
    QList<int> wanted;
    // On screen, then the next few files (about to be read), then the one before.
    for (int f = from; f <= std::min(to + 3, int(m_model->diff()->files.size()) - 1); ++f) {
        if (!m_model->file(f).loaded) {
            wanted.append(f);
        }
    }
    if (from > 0 && !m_model->file(from - 1).loaded) {
        wanted.append(from - 1);
    }
    if (!wanted.isEmpty()) {
        Q_EMIT filesWanted(wanted);
    }
}

void DiffView::showMessage(const QString &message)
{
    m_message->setText(message);
    m_stack->setCurrentIndex(1);
    m_header->clear();
}

void DiffView::setReview(const QList<HunkDecision> &decisions, const QList<ReviewComment> &comments, bool decidable)
{
    const int row = currentRow();
    const DiffModel::Row before = row < m_model->rowCount() ? m_model->row(row) : DiffModel::Row();
    m_model->setReview(decidable ? decisions : QList<HunkDecision>(), comments);
    m_decidable = decidable;
    updateDecisionActions();
    m_filesPanel->follow(before.file);
    // Keep the place: the same row of the same file and hunk.
    for (int i = 0; i < m_model->rowCount(); ++i) {
        const DiffModel::Row &r = m_model->row(i);
        if (r.kind == before.kind && r.file == before.file && r.part == before.part && r.left == before.left
            && r.right == before.right) {
            m_list->setCurrentIndex(m_model->index(i));
            break;
        }
    }
}

void DiffView::setRevisions(int current, int from)
{
    m_compare->clear();
    m_compare->setVisible(current > 1);
    for (int k = 0; k < current; ++k) {
        m_compare->addItem(k == 0 ? tr("Base → revision %1").arg(current) : tr("Revision %1 → %2").arg(k).arg(current),
                           k);
    }
    m_compare->setCurrentIndex(std::clamp(from, 0, std::max(0, current - 1)));
}

void DiffView::setCaption(const QString &caption)
{
    m_caption = caption;
    updateHeader();
}

void DiffView::updateDecisionActions()
{
    for (QAction *action : std::as_const(m_decisionActions)) {
        action->setEnabled(m_decidable && !m_model->ignoresWhitespace());
    }
}

void DiffView::decide(const QString &decision, bool wholeFile)
{
    if (!m_decidable || m_model->ignoresWhitespace() || !m_model->diff() || m_model->rowCount() == 0) {
        return;
    }
    const int row = currentRow();
    const DiffModel::Row &r = m_model->row(row);
    const int hunk = wholeFile ? -1 : m_model->hunkOf(row);
    const QString path = m_model->file(r.file).path;
    const QString own = hunk >= 0 ? m_model->decisionOf(r.file, hunk) : m_model->decisionOf(r.file, -1);
    Q_EMIT decisionRequested(path, hunk + 1, own == decision ? QString() : decision);
    if (hunk >= 0) {
        m_model->setSeen(r.file, hunk, true);
        const int next = m_model->nextHunkRow(m_model->hunkRowOf(row));
        if (next >= 0) {
            goToRow(next);
        }
    } else {
        const FileDiff &file = m_model->file(r.file);
        for (int h = 0; h < file.hunks.size(); ++h) {
            m_model->setSeen(r.file, h, true);
        }
        const int next = m_model->nextFileRow(row);
        if (next >= 0) {
            goToRow(next);
        }
    }
}

void DiffView::acceptHunk()
{
    decide(QStringLiteral("accepted"), false);
}

void DiffView::rejectHunk()
{
    decide(QStringLiteral("rejected"), false);
}

void DiffView::acceptFile()
{
    decide(QStringLiteral("accepted"), true);
}

void DiffView::rejectFile()
{
    decide(QStringLiteral("rejected"), true);
}

void DiffView::commentOnLine()
{
    if (!m_model->diff() || m_model->rowCount() == 0) {
        return;
    }
    const DiffModel::Row &r = m_model->row(currentRow());
    const QString path = m_model->file(r.file).path;
    switch (r.kind) {
    case DiffModel::RowKind::Comment:
        Q_EMIT commentActivated(m_model->comments().at(r.part).id);
        return;
    case DiffModel::RowKind::Line:
    case DiffModel::RowKind::GapLine:
        if (const int line = m_model->newNumber(r); line > 0) {
            Q_EMIT commentRequested(path, line, QStringLiteral("new"));
        } else if (const int old = m_model->oldNumber(r); old > 0) {
            Q_EMIT commentRequested(path, old, QStringLiteral("old"));
        }
        return;
    case DiffModel::RowKind::Hunk: {
        // On the hunk: at its first changed line, so that the comment carries the hunk.
        for (const DiffLine &line : m_model->file(r.file).hunks.at(r.part).lines) {
            if (line.origin != ' ') {
                Q_EMIT commentRequested(path,
                                        line.origin == '+' ? line.newNo : line.oldNo,
                                        line.origin == '+' ? QStringLiteral("new") : QStringLiteral("old"));
                return;
            }
        }
        Q_EMIT commentRequested(path, 0, QString());
        return;
    }
    default:
        Q_EMIT commentRequested(path, 0, QString());
        return;
    }
}

QString DiffView::headerText() const
{
    return m_header->text();
}

int DiffView::currentRow() const
{
    return m_list->currentIndex().isValid() ? m_list->currentIndex().row() : 0;
}

void DiffView::setCurrentRow(int row)
{
    goToRow(row);
}

bool DiffView::showFile(const QString &path)
{
    const TreeDiffPtr diff = m_model->diff();
    for (int f = 0; diff && f < diff->files.size(); ++f) {
        if (diff->files.at(f).path == path || diff->files.at(f).oldPath == path) {
            goToRow(m_model->fileRow(f));
            return true;
        }
    }
    return false;
}

void DiffView::goToRow(int row)
{
    if (row < 0 || row >= m_model->rowCount()) {
        return;
    }
    const QModelIndex index = m_model->index(row);
    m_list->setCurrentIndex(index);
    m_list->scrollTo(index, QAbstractItemView::PositionAtTop);
    m_filesPanel->follow(m_model->row(row).file);
}

void DiffView::setMode(DiffModel::Mode mode)
{
    // Keep the place: the same file and hunk in the other layout.
    const int row = currentRow();
    const bool hadRow = row < m_model->rowCount();
    const DiffModel::Row before = hadRow ? m_model->row(row) : DiffModel::Row();
    m_model->setMode(mode);
    m_modeButton->setText(mode == DiffModel::Mode::SideBySide ? tr("Side by side") : tr("Unified"));
    m_modeButton->setToolTip(
        tr("Switch between side by side and unified (%1)")
            .arg(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U).toString(QKeySequence::NativeText)));
    if (hadRow) {
        for (int i = 0; i < m_model->rowCount(); ++i) {
            const DiffModel::Row &r = m_model->row(i);
            if (r.file == before.file && r.kind == before.kind && r.part == before.part
                && (before.kind != DiffModel::RowKind::Line || r.left == before.left || r.right == before.right)) {
                goToRow(i);
                break;
            }
        }
    }
}

void DiffView::toggleMode()
{
    setMode(m_model->mode() == DiffModel::Mode::SideBySide ? DiffModel::Mode::Unified : DiffModel::Mode::SideBySide);
}

void DiffView::nextHunk()
{
    goToRow(m_model->nextHunkRow(currentRow()));
}

void DiffView::previousHunk()
{
    goToRow(m_model->previousHunkRow(currentRow()));
}

void DiffView::nextFile()
{
    goToRow(m_model->nextFileRow(currentRow()));
}

void DiffView::previousFile()
{
    goToRow(m_model->previousFileRow(currentRow()));
}

void DiffView::toggleSeenAndNext()
{
    int hunkRow = m_model->hunkRowOf(currentRow());
    if (hunkRow < 0) {
        hunkRow = m_model->nextHunkRow(currentRow());
    }
    if (hunkRow < 0) {
        return;
    }
    const DiffModel::Row &r = m_model->row(hunkRow);
    const bool seen = !m_model->isSeen(r.file, r.part);
    m_model->setSeen(r.file, r.part, seen);
    if (seen) {
        const int next = m_model->nextHunkRow(hunkRow);
        goToRow(next >= 0 ? next : hunkRow);
    }
}

void DiffView::toggleViewedAndNext()
{
    if (!m_model->diff() || m_model->rowCount() == 0) {
        return;
    }
    const int file = m_model->row(currentRow()).file;
    const bool viewed = !m_model->isViewed(file);
    m_model->setViewed(file, viewed);
    if (viewed) {
        const int next = m_model->nextFileRow(currentRow());
        if (next >= 0) {
            goToRow(next);
        }
    }
    m_files->refresh(file);
}

void DiffView::expandAll()
{
    const int row = currentRow();
    m_model->expandAllGaps();
    goToRow(std::min(row, m_model->rowCount() - 1));
}

void DiffView::toggleCurrentGap()
{
    m_model->toggleGap(currentRow());
}

void DiffView::updateHeader()
{
    const TreeDiffPtr diff = m_model->diff();
    if (!diff) {
        m_header->clear();
        return;
    }
    const int files = int(diff->files.size());
    QString text = (m_caption.isEmpty() ? QString() : m_caption + QStringLiteral("  ·  "))
        + tr("%n file(s)", nullptr, files) + QStringLiteral("  ·  ")
        + tr("+%1 −%2").arg(m_model->additions()).arg(m_model->deletions()) + QStringLiteral("  ·  ")
        + tr("%1 of %n hunk(s) seen", nullptr, m_model->hunkCount()).arg(m_model->seenCount());
    if (!m_model->isComplete()) {
        const int read = m_model->loadedCount();
        text += QStringLiteral("  ·  ")
            + (read < files ? tr("reading: %1 of %n file(s) so far", nullptr, files).arg(read) : tr("finding renames"));
    }
    m_header->setText(text);
    m_header->setToolTip(m_header->text());
}

void DiffView::saveSeen()
{
    if (m_reviewKey.isEmpty()) {
        return;
    }
    // The marks of hunks this diff does not show (another revision's, an interdiff's) stay.
    QSettings settings;
    const QString key = QStringLiteral("diff/seen/") + m_reviewKey;
    QStringList kept = settings.value(key).toStringList();
    QSet<QString> shown;
    for (int f = 0; m_model->diff() && f < m_model->diff()->files.size(); ++f) {
        for (int h = 0; h < m_model->diff()->files.at(f).hunks.size(); ++h) {
            shown.insert(m_model->hunkKey(f, h));
        }
    }
    kept.erase(std::remove_if(kept.begin(), kept.end(), [&shown](const QString &k) { return shown.contains(k); }),
               kept.end());
    kept += m_model->seenKeys();
    kept.removeDuplicates();
    // Bounded: the oldest marks go first when a change has been revised many times.
    while (kept.size() > 20000) {
        kept.removeFirst();
    }
    settings.setValue(key, kept);
    // Viewed files likewise: those of this diff replaced, the others kept.
    const QString viewedKey = QStringLiteral("diff/viewed/") + m_reviewKey;
    QStringList viewed = settings.value(viewedKey).toStringList();
    QSet<QString> files;
    for (int f = 0; m_model->diff() && f < m_model->diff()->files.size(); ++f) {
        files.insert(m_model->fileKey(f));
    }
    viewed.erase(std::remove_if(viewed.begin(), viewed.end(), [&files](const QString &k) { return files.contains(k); }),
                 viewed.end());
    viewed += m_model->viewedKeys();
    viewed.removeDuplicates();
    while (viewed.size() > 20000) {
        viewed.removeFirst();
    }
    settings.setValue(viewedKey, viewed);
    if (!m_progressHead.isEmpty() && m_model->isComplete()) {
        settings.setValue(
            QStringLiteral("diff/progress/") + m_reviewKey,
            QStringList{m_progressHead, QString::number(m_model->seenCount()), QString::number(m_model->hunkCount())});
    }
}

std::optional<DiffView::SeenProgress> DiffView::seenProgress(const QString &reviewKey)
{
    const QStringList stored = QSettings().value(QStringLiteral("diff/progress/") + reviewKey).toStringList();
    if (stored.size() != 3) {
        return std::nullopt;
    }
    return SeenProgress{stored.at(0), stored.at(1).toInt(), stored.at(2).toInt()};
}

bool DiffView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_findEdit && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape) {
            m_findEdit->clear();
            m_findBar->hide();
            m_list->setFocus();
            return true;
        }
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            find(!(key->modifiers() & Qt::ShiftModifier));
            return true;
        }
    }
    if (watched == m_list->viewport() && event->type() == QEvent::Paint && m_waitingForPaint) {
        const bool handled = QWidget::eventFilter(watched, event);
        m_waitingForPaint = false;
        QMetaObject::invokeMethod(this, &DiffView::diffPainted, Qt::QueuedConnection);
        return handled;
    }
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && key->modifiers() == Qt::NoModifier) {
            if (m_model->rowCount() > 0 && m_model->row(currentRow()).kind == DiffModel::RowKind::Comment) {
                Q_EMIT commentActivated(m_model->comments().at(m_model->row(currentRow()).part).id);
                return true;
            }
            toggleCurrentGap();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void DiffView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        m_syntax->reset(palette());
        m_list->viewport()->update();
    }
    QWidget::changeEvent(event);
}

} // namespace astra
