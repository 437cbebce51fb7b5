#include "sandbox/scratch.h"

#include "base/logging.h"
#include "base/processid.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Sandbox)
};

const QString ownerFile = QStringLiteral("owner");
const QString workFolder = QStringLiteral("work");

QByteArray encoded(const QString &path)
{
    return QFile::encodeName(path);
}
} // namespace

ScratchFolder::ScratchFolder(const QString &purpose)
{
    const QString pattern = QDir(QDir::tempPath()).filePath(QStringLiteral("astra-%1-XXXXXX").arg(purpose));
    QByteArray name = encoded(pattern);
    if (!::mkdtemp(name.data())) {
        m_problem = Tr::tr("a scratch folder could not be made in %1 (%2)")
                        .arg(QDir::tempPath(), QString::fromLocal8Bit(strerror(errno)));
        return;
    }
    m_path = QFile::decodeName(name);
    // 0700 from mkdtemp: run by root, the sandbox opens it to the run's own group only.
    QSaveFile owner(QDir(m_path).filePath(ownerFile));
    if (!owner.open(QIODevice::WriteOnly) || owner.write(currentProcessId().toUtf8()) < 0 || !owner.commit()) {
        m_problem =
            Tr::tr("the scratch folder %1 could not be marked as this process's (%2)").arg(m_path, owner.errorString());
        return;
    }
    if (!QDir(m_path).mkdir(workFolder)) {
        m_problem = Tr::tr("the folder %1 could not be made").arg(workPath());
    }
}

ScratchFolder::~ScratchFolder()
{
    if (m_path.isEmpty()) {
        return;
    }
    if (const QString problem = removeScratchTree(m_path); !problem.isEmpty()) {
        qCWarning(lcGit) << "the scratch folder" << m_path << "was not removed:" << problem;
    }
}

QString ScratchFolder::workPath() const
{
    return QDir(m_path).filePath(workFolder);
}

QString removeScratchTree(const QString &path)
{
    // Folders first made enterable and writable again, top down (a folder of mode 0 hides its
    // content until it is opened).
    struct stat info
    {};
    if (::lstat(encoded(path).constData(), &info) != 0) {
        return errno == ENOENT ? QString() : QString::fromLocal8Bit(strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) {
        ::chmod(encoded(path).constData(), 0700);
        QDirIterator it(path,
                        QDir::Dirs | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString dir = it.next();
            if (::lstat(encoded(dir).constData(), &info) == 0 && S_ISDIR(info.st_mode)) {
                ::chmod(encoded(dir).constData(), 0700);
            }
        }
        if (!QDir(path).removeRecursively()) {
            return Tr::tr("some of its files could not be removed");
        }
        return QString();
    }
    return ::unlink(encoded(path).constData()) == 0 ? QString() : QString::fromLocal8Bit(strerror(errno));
}

QStringList removeAbandonedScratchFolders(QStringList *problems)
{
    static const QRegularExpression name(QStringLiteral("^astra-[a-z]+-[A-Za-z0-9]{6}$"));
    QStringList removed;
    const QDir temp(QDir::tempPath());
    const QStringList entries = temp.entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &entry : entries) {
        if (!name.match(entry).hasMatch()) {
            continue;
        }
        const QString path = temp.filePath(entry);
        struct stat info
        {};
        if (::lstat(encoded(path).constData(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != geteuid()) {
            continue; // another user's, or not a folder this code makes
        }
        QFile owner(QDir(path).filePath(ownerFile));
        if (!owner.open(QIODevice::ReadOnly)) {
            continue; // being made right now, or not ours
        }
        const QString id = QString::fromUtf8(owner.read(256)).trimmed();
        owner.close();
        if (!isDeadLocalProcess(id)) {
            continue;
        }
        if (const QString problem = removeScratchTree(path); !problem.isEmpty()) {
            if (problems) {
                problems->append(Tr::tr("%1: %2").arg(path, problem));
            }
            continue;
        }
        removed.append(path);
    }
    return removed;
}

} // namespace astra
