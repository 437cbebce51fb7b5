#pragma once

#include <QTextStream>
#include <QtGlobal>

#if QT_VERSION < QT_VERSION_CHECK(6, 0, 0)
// Qt 5's QTextStream has no char16_t overload: `out << u'\n'` promotes the character to int
// and prints "10". Stream '\n' (char) or a QChar; this turns the mistake into a compile error.
QTextStream &operator<<(QTextStream &stream, char16_t character) = delete;
#endif
