#include "git/stalelocks.h"

#include "git/gitrepository.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

namespace astra {

namespace {
// The files some process of this machine has open (those we may look at: all of them as root).
QSet<QString> openFiles(const QSet<QString> &wanted)
{
    QSet<QString> open;
    const QStringList processes = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &pid : processes) {
        if (pid.isEmpty() || !pid.at(0).isDigit()) {
            continue;
        }
        const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
        const QStringList entries = fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot);
        for (const QString &fd : entries) {
            const QString target = QFile::symLinkTarget(fds.filePath(fd));
            if (wanted.contains(target)) {
                open.insert(target);
            }
        }
    }
    return open;
}

bool isOurRef(const QString &relative)
{
    return relative.startsWith(QLatin1String("refs/astra/")) || relative.startsWith(QLatin1String("refs/heads/astra/"));
}
} // namespace

QList<StaleLock> findStaleLocks(GitRepository &repo, int minimumAgeSeconds)
{
    const QDir common(repo.commonDir());
    QList<StaleLock> candidates;
    const auto consider = [&](const QString &path, const QString &relative) {
        if (QFileInfo(path).isFile()) {
            candidates.append(StaleLock{QFileInfo(path).canonicalFilePath(), isOurRef(relative)});
        }
    };
    QDirIterator refs(common.filePath(QStringLiteral("refs")),
                      {QStringLiteral("*.lock")},
                      QDir::Files | QDir::Hidden,
                      QDirIterator::Subdirectories);
    while (refs.hasNext()) {
        const QString path = refs.next();
        consider(path, common.relativeFilePath(path));
    }
    consider(common.filePath(QStringLiteral("packed-refs.lock")), QStringLiteral("packed-refs.lock"));
    const QDir gitDir(repo.gitDir());
    consider(gitDir.filePath(QStringLiteral("HEAD.lock")), QStringLiteral("HEAD.lock"));
    consider(gitDir.filePath(QStringLiteral("index.lock")), QStringLiteral("index.lock"));
    if (candidates.isEmpty()) {
        return {};
    }
    QSet<QString> paths;
    for (const StaleLock &lock : std::as_const(candidates)) {
        paths.insert(lock.path);
    }
    const QSet<QString> open = openFiles(paths);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<StaleLock> stale;
    for (const StaleLock &lock : std::as_const(candidates)) {
        const QDateTime modified = QFileInfo(lock.path).lastModified().toUTC();
        if (!open.contains(lock.path) && modified.secsTo(now) >= minimumAgeSeconds) {
            stale.append(lock);
        }
    }
    return stale;
}

QStringList removeOwnStaleLocks(GitRepository &repo, QStringList *left)
{
    QStringList removed;
    for (const StaleLock &lock : findStaleLocks(repo)) {
        if (lock.ours && QFile::remove(lock.path)) {
            removed.append(lock.path);
        } else if (left) {
            left->append(lock.path);
        }
    }
    return removed;
}

} // namespace astra
