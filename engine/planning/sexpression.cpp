#include "planning/sexpression.h"

#include <QCoreApplication>

namespace astra::hddl {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Hddl)
};

bool isSymbolChar(char c)
{
    return !(c == '(' || c == ')' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
}
} // namespace

bool SExpression::isSymbol(const char *name) const
{
    return !isList && symbol == QLatin1String(name);
}

QString SExpression::describe() const
{
    if (!isList) {
        return QStringLiteral("'%1'").arg(symbol);
    }
    if (items.isEmpty()) {
        return QStringLiteral("'()'");
    }
    return items.constFirst().isList ? QStringLiteral("a list")
                                     : QStringLiteral("'(%1 …)'").arg(items.constFirst().symbol);
}

Result<QList<SExpression>> readSExpressions(const QByteArray &text, const QString &file)
{
    QList<SExpression> stack; // open lists
    QList<SExpression> top;
    int line = 1;
    int column = 1;
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size;) {
        const char c = text.at(i);
        if (c == '\n') {
            ++line;
            column = 1;
            ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            ++column;
            ++i;
            continue;
        }
        if (c == ';') {
            while (i < size && text.at(i) != '\n') {
                ++i;
            }
            continue;
        }
        if (c == '(') {
            SExpression list;
            list.isList = true;
            list.position = {line, column};
            stack.append(list);
            ++column;
            ++i;
            continue;
        }
        if (c == ')') {
            if (stack.isEmpty()) {
                return makeError(
                    Tr::tr("%1:%2:%3: unexpected ')': no list is open here").arg(file).arg(line).arg(column),
                    ErrorKind::Invalid);
            }
            SExpression done = stack.takeLast();
            (stack.isEmpty() ? top : stack.last().items).append(done);
            ++column;
            ++i;
            continue;
        }
        SExpression atom;
        atom.position = {line, column};
        const qsizetype start = i;
        while (i < size && isSymbolChar(text.at(i))) {
            ++i;
        }
        atom.spelling = QString::fromUtf8(text.mid(start, i - start));
        atom.symbol = atom.spelling.toLower();
        column += int(i - start);
        if (stack.isEmpty()) {
            return makeError(Tr::tr("%1:%2:%3: expected '(' to start a definition, found '%4'")
                                 .arg(file)
                                 .arg(atom.position.line)
                                 .arg(atom.position.column)
                                 .arg(atom.symbol),
                             ErrorKind::Invalid);
        }
        stack.last().items.append(atom);
    }
    if (!stack.isEmpty()) {
        const SourcePosition open = stack.last().position;
        return makeError(
            Tr::tr("%1:%2:%3: the list opened here is never closed; expected ')' before the end of the file")
                .arg(file)
                .arg(open.line)
                .arg(open.column),
            ErrorKind::Invalid);
    }
    return top;
}

} // namespace astra::hddl
