#include "base/processid.h"

#include <QFile>
#include <QSysInfo>

#include <unistd.h>

namespace astra {

namespace {
// Field 22 of /proc/PID/stat: the start time in clock ticks since boot.
QString startTime(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        return QString();
    }
    const QByteArray text = stat.readAll();
    const int close = text.lastIndexOf(')'); // the command name may hold spaces
    const QList<QByteArray> fields = text.mid(close + 2).split(' ');
    return fields.size() > 19 ? QString::fromLatin1(fields.at(19)) : QString();
}
} // namespace

QString currentProcessId()
{
    const qint64 pid = getpid();
    return QStringLiteral("%1:%2:%3").arg(QSysInfo::machineHostName()).arg(pid).arg(startTime(pid));
}

bool isDeadLocalProcess(const QString &id)
{
    const QStringList parts = id.split(u':');
    if (parts.size() != 3 || parts.at(0) != QSysInfo::machineHostName()) {
        return false;
    }
    bool ok = false;
    const qint64 pid = parts.at(1).toLongLong(&ok);
    if (!ok || pid <= 0) {
        return false;
    }
    return startTime(pid) != parts.at(2);
}

} // namespace astra
