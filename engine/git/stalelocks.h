#pragma once

#include <QString>
#include <QStringList>

namespace astra {

class GitRepository;

struct StaleLock
{
    QString path; // absolute
    bool ours = false; // a lock of Astra Review's own refs (refs/astra/, refs/heads/astra/)
};

// Lock files of the repository (refs, packed-refs, HEAD, index) that no process on this machine
// holds open and that are older than `minimumAgeSeconds`: left by a process that died. git and
// libgit2 keep a lock file open while they hold it, so one nobody has open is nobody's.
QList<StaleLock> findStaleLocks(GitRepository &repo, int minimumAgeSeconds = 10);

// Removes the stale locks of Astra Review's own refs; returns the paths removed, and the other
// stale locks (the user's branches, the index) in `left`, which only a person may remove.
QStringList removeOwnStaleLocks(GitRepository &repo, QStringList *left);

} // namespace astra
