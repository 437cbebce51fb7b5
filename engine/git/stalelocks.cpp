#include "git/stalelocks.h"

#include "git/gitrepository.h"
#include "git/merger.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

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

namespace {
struct Candidate
{
    StaleLock lock;
    QString relative; // to the git dir or common dir: "refs/heads/main.lock", "index.lock"
    qint64 ageSeconds = 0;
};

// The lock files that no process on this machine has open, with their ages.
QList<Candidate> unheldLocks(GitRepository &repo)
{
    const QDir common(repo.commonDir());
    QList<Candidate> candidates;
    const auto consider = [&](const QString &path, const QString &relative) {
        if (QFileInfo(path).isFile()) {
            candidates.append(Candidate{StaleLock{QFileInfo(path).canonicalFilePath(), isOurRef(relative)}, relative});
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
    for (const Candidate &candidate : std::as_const(candidates)) {
        paths.insert(candidate.lock.path);
    }
    const QSet<QString> open = openFiles(paths);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<Candidate> unheld;
    for (Candidate candidate : std::as_const(candidates)) {
        if (!open.contains(candidate.lock.path)) {
            candidate.ageSeconds = QFileInfo(candidate.lock.path).lastModified().toUTC().secsTo(now);
            unheld.append(candidate);
        }
    }
    return unheld;
}
} // namespace

WorkspacePresence WorkspacePresence::enter(const QString &commonDir)
{
    WorkspacePresence presence;
    const QString folder = QDir(commonDir).filePath(QStringLiteral("astra"));
    QDir().mkpath(folder);
    const QByteArray path = QFile::encodeName(QDir(folder).filePath(QStringLiteral("open")));
    presence.m_fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (presence.m_fd < 0) {
        return presence; // not alone, as far as anyone can tell
    }
    presence.m_alone = ::flock(presence.m_fd, LOCK_EX | LOCK_NB) == 0;
    // Shared from now on, so that the next process to enter sees this one.
    if (::flock(presence.m_fd, LOCK_SH) != 0) {
        ::close(presence.m_fd);
        presence.m_fd = -1;
        presence.m_alone = false;
    }
    return presence;
}

WorkspacePresence::WorkspacePresence(WorkspacePresence &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_alone(std::exchange(other.m_alone, false))
{}

WorkspacePresence &WorkspacePresence::operator=(WorkspacePresence &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        m_fd = std::exchange(other.m_fd, -1);
        m_alone = std::exchange(other.m_alone, false);
    }
    return *this;
}

WorkspacePresence::~WorkspacePresence()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

QStringList removeOwnStaleLocks(GitRepository &repo, bool alone, QStringList *left)
{
    constexpr qint64 minimumAge = 10;
    const QString interrupted = interruptedCheckoutBranch(repo);
    const QString interruptedLock =
        interrupted.isEmpty() ? QString() : QStringLiteral("refs/heads/") + interrupted + QStringLiteral(".lock");
    QStringList removed;
    for (const Candidate &candidate : unheldLocks(repo)) {
        const bool leftByInterruptedMove = !interrupted.isEmpty() && alone
            && (candidate.relative == interruptedLock || candidate.relative == u"index.lock");
        const bool ours = candidate.lock.ours && (alone || candidate.ageSeconds >= minimumAge);
        if ((ours || leftByInterruptedMove) && QFile::remove(candidate.lock.path)) {
            removed.append(candidate.lock.path);
        } else if (left && candidate.ageSeconds >= minimumAge) {
            left->append(candidate.lock.path);
        }
    }
    return removed;
}

} // namespace astra
