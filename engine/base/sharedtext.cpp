#include "base/sharedtext.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QTranslator>

#include <mutex>

namespace astra {

namespace {

QString withArguments(QString text, const QStringList &args)
{
    // QString::arg with several arguments at once: an argument's own "%1" is never replaced.
    switch (args.size()) {
    case 0:
        return text;
    case 1:
        return text.arg(args.at(0));
    case 2:
        return text.arg(args.at(0), args.at(1));
    case 3:
        return text.arg(args.at(0), args.at(1), args.at(2));
    case 4:
        return text.arg(args.at(0), args.at(1), args.at(2), args.at(3));
    default:
        return text.arg(args.at(0), args.at(1), args.at(2), args.at(3), args.at(4));
    }
}

const QTranslator *englishCatalogue()
{
    static QTranslator *translator = nullptr;
    static std::once_flag loaded;
    std::call_once(loaded, [] {
        auto *english = new QTranslator;
        if (QFile::exists(QStringLiteral(":/i18n/astra_en.qm"))
            && english->load(QStringLiteral("astra_en"), QStringLiteral(":/i18n"))) {
            translator = english;
        } else {
            delete english;
        }
    });
    return translator;
}

QString englishOf(const char *source, int n)
{
    QString text;
    if (const QTranslator *english = englishCatalogue()) {
        text = english->translate(sharedContext, source, nullptr, n);
    }
    if (text.isEmpty()) {
        text = QString::fromUtf8(source);
    }
    if (n >= 0) {
        text.replace(QStringLiteral("%n"), QString::number(n));
    }
    return text;
}

} // namespace

SharedText sharedText(const char *source, const QStringList &args, int n)
{
    SharedText shared;
    shared.text = withArguments(englishOf(source, n), args);
    shared.message.insert(QStringLiteral("source"), QString::fromUtf8(source));
    if (n >= 0) {
        shared.message.insert(QStringLiteral("n"), n);
    }
    if (!args.isEmpty()) {
        shared.message.insert(QStringLiteral("args"), QJsonArray::fromStringList(args));
    }
    return shared;
}

QString localized(const QJsonObject &message, const QString &fallback)
{
    const QByteArray source = message.value(QStringLiteral("source")).toString().toUtf8();
    if (source.isEmpty()) {
        return fallback;
    }
    const int n = message.value(QStringLiteral("n")).toInt(-1);
    const QString translated = QCoreApplication::translate(sharedContext, source.constData(), nullptr, n);
    QStringList args;
    const QJsonArray array = message.value(QStringLiteral("args")).toArray();
    for (const QJsonValue &value : array) {
        args.append(value.toString());
    }
    // A message whose arguments do not fit its text (tampered, or from another version): the
    // stored text.
    for (int i = 1; i <= args.size(); ++i) {
        if (!translated.contains(u'%' + QString::number(i))) {
            return fallback;
        }
    }
    return withArguments(translated, args);
}

} // namespace astra
