#include "cli.h"
#include "translations.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("astra"));
    QCoreApplication::setOrganizationName(QStringLiteral("Astra Review"));
    astra::installTranslations(app);
    QTextStream out(stdout);
    QTextStream err(stderr);
    const int status = astra::cli::run(QCoreApplication::arguments(), out, err);
    out.flush();
    err.flush();
    return status;
}
