#include "workspace/version.h"

#include "git/gitrepository.h"

#include <QtGlobal>

namespace astra {

QString astraVersion()
{
    return QStringLiteral(ASTRA_VERSION_STRING);
}

QString versionReport(const QString &program)
{
    return QStringLiteral("%1 %2\nQt %3 (built with %4)\nlibgit2 %5\n")
        .arg(program,
             astraVersion(),
             QString::fromLatin1(qVersion()),
             QStringLiteral(QT_VERSION_STR),
             libgit2Version());
}

} // namespace astra
