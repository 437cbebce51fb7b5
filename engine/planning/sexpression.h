#pragma once

#include "base/result.h"

#include <QList>
#include <QString>

namespace astra::hddl {

// A position in an HDDL file, 1-based.
struct SourcePosition
{
    int line = 0;
    int column = 0;
};

// One node of the S-expression syntax HDDL is written in: a symbol (lower-cased, since
// PDDL/HDDL names are case-insensitive) or a parenthesised list.
struct SExpression
{
    bool isList = false;
    QString symbol;
    QString spelling; // the symbol as written, for names printed back (plans keep the input's case)
    QList<SExpression> items;
    SourcePosition position;

    bool isSymbol(const char *name) const;
    QString describe() const; // "'(and' ..." or "'name'" for messages
};

// Reads all top-level expressions of `text`. `;` starts a comment to the end of the line.
// Errors are "FILE:LINE:COLUMN: ..." (unbalanced parentheses, stray characters).
Result<QList<SExpression>> readSExpressions(const QByteArray &text, const QString &file);

} // namespace astra::hddl
