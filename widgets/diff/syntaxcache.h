#pragma once

#include "diffmodel.h"

#include <QHash>
#include <QPalette>
#include <QTextLayout>
#include <QVector>

#include <memory>

namespace astra {

// Language highlighting of diff lines, computed lazily for the lines that are painted and
// kept. Each side of each hunk (and each expanded unchanged region) is highlighted as its own
// text from a fresh state: a hunk does not know the lines above it, so highlighting resets at
// every hunk. The definition comes from the file name and the theme from the palette. In a
// build without KSyntaxHighlighting it returns no formats.
class SyntaxCache
{
public:
    SyntaxCache();
    ~SyntaxCache();
    SyntaxCache(const SyntaxCache &) = delete;
    SyntaxCache &operator=(const SyntaxCache &) = delete;

    // Forgets what was highlighted; the theme follows `palette`. Cheap: the syntax definitions
    // are read when the first line is highlighted, not before.
    void reset(const QPalette &palette);
    // The formats of the old (left) or new (right) side of `row`.
    QVector<QTextLayout::FormatRange> formats(const DiffModel &model, const DiffModel::Row &row, bool newSide);
    // The definition used for a path ("Python", "C++"); empty when none or unavailable.
    QString definitionName(const QString &path);
    int highlightedLines() const
    {
        return m_highlighted;
    }

private:
    struct Private;
    Private &state();

    std::unique_ptr<Private> d; // created on first use
    QPalette m_palette;
    int m_highlighted = 0;
};

} // namespace astra
