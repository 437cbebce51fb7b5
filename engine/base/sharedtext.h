#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace astra {

// Text that other people read later (goal titles, reasons in the state and the ledger) is
// written in English, the source language, whatever language the process that writes it
// speaks: a workstation running in German must not leave German titles for everyone. Its
// message (source text, plural count, arguments) goes with it, so that each view can show it
// in its reader's language with localized().
//
// Sources are marked for translation with QT_TRANSLATE_NOOP("astra::Shared", "…") (or
// QT_TRANSLATE_N_NOOP for a plural) at the call.
struct SharedText
{
    QString text; // English
    QJsonObject message; // {"source": …, "n": …, "args": […]}; empty for text that is not a message
};

inline constexpr const char *sharedContext = "astra::Shared";

// English, with English plural forms from the English catalogue when the program carries it
// (":/i18n/astra_en.qm"), else with %n replaced by the number.
SharedText sharedText(const char *source, const QStringList &args = {}, int n = -1);

// The message in the language of this process's installed translators; `fallback` (the stored
// English text) when the message is empty or not one of ours.
QString localized(const QJsonObject &message, const QString &fallback);

} // namespace astra
