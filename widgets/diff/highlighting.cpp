#include "highlighting.h"

#include <QCoreApplication>

#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>

#include <ksyntaxhighlighting_version.h>
#endif

namespace astra {

bool Highlighting::available()
{
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    return true;
#else
    return false;
#endif
}

QString Highlighting::description()
{
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    // Counted once: the repository parses its definitions when it is created.
    static const int definitions = int(KSyntaxHighlighting::Repository().definitions().size());
    return QCoreApplication::translate("astra::Highlighting",
                                       "KSyntaxHighlighting (%n syntax definitions)",
                                       nullptr,
                                       definitions);
#else
    return QCoreApplication::translate("astra::Highlighting",
                                       "unavailable in this build (no KSyntaxHighlighting for this Qt version)");
#endif
}

QString Highlighting::version()
{
#ifdef ASTRA_HAVE_KSYNTAXHIGHLIGHTING
    // KF5 names the macro after the CMake project, KF6 after the library.
#if defined(KSYNTAXHIGHLIGHTING_VERSION_STRING)
    return QStringLiteral(KSYNTAXHIGHLIGHTING_VERSION_STRING);
#else
    return QStringLiteral(SyntaxHighlighting_VERSION_STRING);
#endif
#else
    return {};
#endif
}

} // namespace astra
