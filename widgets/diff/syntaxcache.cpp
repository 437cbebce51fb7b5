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

// One side of one hunk or gap: the lines highlighted so far, each with the state after it.
struct Segment
{
    KSH::Definition definition;
    std::vector<char> done; // by line index (hunk or gap)
    std::vector<KSH::State> after;
    std::vector<QVector<QTextLayout::FormatRange>> formats;
};
} // namespace

struct SyntaxCache::Private
{
    KSH::Repository repository;
    LineHighlighter highlighter;
    QHash<QString, KSH::Definition> definitions;
    QHash<quint64, Segment> segments;
};

SyntaxCache::SyntaxCache() = default;
SyntaxCache::~SyntaxCache() = default;

SyntaxCache::Private &SyntaxCache::state()
{
    if (!d) {
        d = std::make_unique<Private>();
        d->highlighter.setTheme(d->repository.themeForPalette(m_palette));
    }
    return *d;
}

void SyntaxCache::reset(const QPalette &palette)
{
    m_palette = palette;
    m_highlighted = 0;
    if (d) {
        d->segments.clear();
        d->highlighter.setTheme(d->repository.themeForPalette(palette));
    }
}

QString SyntaxCache::definitionName(const QString &path)
{
    Private &p = state();
    auto it = p.definitions.find(path);
    if (it == p.definitions.end()) {
        it = p.definitions.insert(path, p.repository.definitionForFileName(path));
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
    Private &p = state();
    // The file, the hunk or gap, whether it is a gap, and the side (a gap is the same on both).
    const quint64 key = (quint64(quint32(row.file)) << 32) | (quint64(quint32(row.part)) << 2) | (gap ? 2u : 0u)
        | (!gap && newSide ? 1u : 0u);
    auto it = p.segments.find(key);
    if (it == p.segments.end()) {
        Segment segment;
        definitionName(file.path);
        segment.definition = p.definitions.value(file.path);
        const size_t size =
            size_t(gap ? model.gap(row.file, row.part).count : int(file.hunks.at(row.part).lines.size()));
        segment.done.resize(size);
        segment.after.resize(size);
        segment.formats.resize(size);
        it = p.segments.insert(key, segment);
    }
    Segment &segment = *it;
    if (!segment.definition.isValid() || size_t(line) >= segment.formats.size()) {
        return {};
    }
    if (segment.done[size_t(line)]) {
        return segment.formats[size_t(line)];
    }
    // Start after the nearest highlighted line above, or at the segment's top; but at most
    // 500 lines above, so a paint far down a huge hunk highlights a bounded number of lines
    // (the price: a construct opened further up may be misread there).
    int from = line;
    while (from > 0 && !segment.done[size_t(from - 1)] && line - from < 500) {
        --from;
    }
    KSH::State state = from > 0 && segment.done[size_t(from - 1)] ? segment.after[size_t(from - 1)] : KSH::State();
    p.highlighter.setDefinition(segment.definition);
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
                segment.done[size_t(i)] = 1; // not on this side: passes the state on
                segment.after[size_t(i)] = state;
                continue;
            }
            text = l.text;
        }
        QVector<QTextLayout::FormatRange> out;
        state = p.highlighter.highlight(text, state, out);
        segment.formats[size_t(i)] = std::move(out);
        segment.after[size_t(i)] = state;
        segment.done[size_t(i)] = 1;
        ++m_highlighted;
    }
    return segment.formats[size_t(line)];
}

#else

struct SyntaxCache::Private
{};

SyntaxCache::SyntaxCache() = default;
SyntaxCache::~SyntaxCache() = default;

void SyntaxCache::reset(const QPalette &palette)
{
    m_palette = palette;
}

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
