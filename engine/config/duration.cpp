#include "config/duration.h"

#include <QCoreApplication>

#include <limits>

namespace astra {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Config)
};

struct Unit
{
    QChar suffix;
    qint64 seconds;
};

// Largest first: formatDuration picks the first one that divides the value.
constexpr Unit units[] = {
    {u'd', 24 * 60 * 60},
    {u'h', 60 * 60},
    {u'm', 60},
    {u's', 1},
};

} // namespace

Result<std::chrono::seconds> parseDuration(const QString &text)
{
    const auto invalid = [&text]() {
        return makeError(Tr::tr("expected a duration such as 30s, 15m, 24h or 7d (a positive whole number and "
                                "one unit: s, m, h or d), found \"%1\"")
                             .arg(text),
                         ErrorKind::Invalid);
    };

    if (text.size() < 2)
        return invalid();

    const QChar suffix = text.back();
    qint64 factor = 0;
    for (const Unit &unit : units) {
        if (unit.suffix == suffix)
            factor = unit.seconds;
    }
    if (factor == 0)
        return invalid();

    const QStringView digits = QStringView(text).chopped(1);
    qint64 count = 0;
    for (const QChar c : digits) {
        if (c < u'0' || c > u'9')
            return invalid();
        const int digit = c.unicode() - u'0';
        if (count > (std::numeric_limits<qint64>::max() - digit) / 10)
            return invalid();
        count = count * 10 + digit;
    }
    if (count == 0)
        return makeError(
            Tr::tr("expected a duration greater than zero, such as 30s, 15m, 24h or 7d, found \"%1\"").arg(text),
            ErrorKind::Invalid);
    if (count > std::numeric_limits<qint64>::max() / factor)
        return makeError(
            Tr::tr("expected a duration such as 30s, 15m, 24h or 7d, found \"%1\", which is too long").arg(text),
            ErrorKind::Invalid);
    return std::chrono::seconds(count * factor);
}

QString formatDuration(std::chrono::seconds duration)
{
    const qint64 total = duration.count();
    if (total == 0)
        return QStringLiteral("0s");
    for (const Unit &unit : units) {
        if (total % unit.seconds == 0)
            return QString::number(total / unit.seconds) + unit.suffix;
    }
    return QString::number(total) + QLatin1Char('s');
}

} // namespace astra
