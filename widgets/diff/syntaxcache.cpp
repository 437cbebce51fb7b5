#include "syntaxcache.h"

#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>
#endif

#include <vector>

namespace astra {

#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
namespace {
namespace KSH = KSyntaxHighlighting;

class LineHighlighter : public KSH::AbstractHighlighter
{
public:
    KSH::State highlight(QStringView text, const KSH::State &state, QVector<QTextLayout::FormatRange> &out)
    {
        m_out = &out;
        const KSH::State next = highlightLine(text, state);
        m_out = nullptr;
        return next;
    }

protected:
    void applyFormat(int offset, int length, const KSH::Format &format) override
    {
        if (!m_out || length <= 0 || format.isDefaultTextStyle(theme())) {
            return;
        }
        QTextLayout::FormatRange range;
        range.start = offset;
        range.length = length;
        if (format.hasTextColor(theme())) {
            range.format.setForeground(format.textColor(theme()));
        }
        if (format.isBold(theme())) {
            range.format.setFontWeight(QFont::Bold);
        }
        if (format.isItalic(theme())) {
            range.format.setFontItalic(true);
        }
        m_out->append(range);
    }

private:
    QVector<QTextLayout::FormatRange> *m_out = nullptr;
};

// One side of one hunk or gap, highlighted from its first line on as far as was painted.
struct Segment
{
    KSH::Definition definition;
    int computedTo = -1; // the last line index highlighted
    KSH::State state; // after computedTo
    std::vector<QVector<QTextLayout::FormatRange>> formats; // by line index (hunk or gap)
};
} // namespace

struct SyntaxCache::Private
{
    KSH::Repository repository;
    LineHighlighter highlighter;
    QHash<QString, KSH::Definition> definitions;
    QHash<QString, Segment> segments;
};

SyntaxCache::SyntaxCache()
    : d(std::make_unique<Private>())
{}

SyntaxCache::~SyntaxCache() = default;

void SyntaxCache::reset(const QPalette &palette)
{
    d->segments.clear();
    d->highlighter.setTheme(d->repository.themeForPalette(palette));
    m_highlighted = 0;
}

QString SyntaxCache::definitionName(const QString &path)
{
    auto it = d->definitions.find(path);
    if (it == d->definitions.end()) {
        it = d->definitions.insert(path, d->repository.definitionForFileName(path));
    }
    return it->isValid() ? it->name() : QString();
}

QVector<QTextLayout::FormatRange> SyntaxCache::formats(const DiffModel &model, const DiffModel::Row &row, bool newSide)
{
    const bool gap = row.kind == DiffModel::RowKind::GapLine;
    if (row.kind != DiffModel::RowKind::Line && !gap) {
        return {};
    }
    const int line = newSide ? row.right : row.left;
    if (line < 0) {
        return {};
    }
    const FileDiff &file = model.file(row.file);
    const QString key =
        QStringLiteral("%1/%2/%3/%4").arg(row.file).arg(gap ? 1 : 0).arg(row.part).arg(gap ? 0 : int(newSide));
    auto it = d->segments.find(key);
    if (it == d->segments.end()) {
        Segment segment;
        definitionName(file.path);
        segment.definition = d->definitions.value(file.path);
        const int size = gap ? model.gap(row.file, row.part).count : int(file.hunks.at(row.part).lines.size());
        segment.formats.resize(size_t(size));
        it = d->segments.insert(key, segment);
    }
    Segment &segment = *it;
    if (!segment.definition.isValid() || size_t(line) >= segment.formats.size()) {
        return {};
    }
    if (line <= segment.computedTo) {
        return segment.formats[size_t(line)];
    }
    // A line far below what was highlighted starts a little above itself instead of at the
    // top of a huge hunk: at most 500 lines are highlighted for one paint.
    int from = segment.computedTo + 1;
    if (line - from > 500) {
        from = line - 200;
        segment.state = KSH::State();
    }
    d->highlighter.setDefinition(segment.definition);
    const QList<DiffLine> *lines = gap ? nullptr : &file.hunks.at(row.part).lines;
    for (int i = from; i <= line; ++i) {
        QString text;
        if (gap) {
            DiffModel::Row gapRow = row;
            gapRow.left = i;
            text = model.gapLineText(gapRow);
        } else {
            const DiffLine &l = lines->at(i);
            if (l.origin == (newSide ? '-' : '+')) {
                continue; // not on this side
            }
            text = l.text;
        }
        QVector<QTextLayout::FormatRange> out;
        segment.state = d->highlighter.highlight(text, segment.state, out);
        segment.formats[size_t(i)] = std::move(out);
        ++m_highlighted;
    }
    segment.computedTo = line;
    return segment.formats[size_t(line)];
}

#else

struct SyntaxCache::Private
{};

SyntaxCache::SyntaxCache() = default;
SyntaxCache::~SyntaxCache() = default;

void SyntaxCache::reset(const QPalette &) {}

QVector<QTextLayout::FormatRange> SyntaxCache::formats(const DiffModel &, const DiffModel::Row &, bool)
{
    return {};
}

QString SyntaxCache::definitionName(const QString &)
{
    return {};
}

#endif

} // namespace astra
