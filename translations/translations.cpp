#include "translations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace astra {

void installTranslations(QCoreApplication &app)
{
    auto *translator = new QTranslator(&app);
    // The user's language; otherwise English, whose file carries the plural forms.
    if (translator->load(QLocale(), QStringLiteral("astra"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || translator->load(QStringLiteral("astra_en"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(translator);
    } else {
        delete translator;
    }
}

} // namespace astra
