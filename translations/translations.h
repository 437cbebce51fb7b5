#pragma once

class QCoreApplication;

namespace astra {

// Installs the translation for the user's locale (compiled in as :/i18n/astra_<lang>.qm),
// if there is one. English is the source language.
void installTranslations(QCoreApplication &app);

} // namespace astra
