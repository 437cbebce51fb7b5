#pragma once

#include <QString>
#include <QStringList>

namespace astra {

// A folder for one sandboxed run under TMPDIR, "astra-<purpose>-XXXXXX", holding a file `owner`
// that names the process that made it and the folder `work`, the only part the run is given.
// Removed when this object goes; one whose process died is removed by
// removeAbandonedScratchFolders() on the next open of a workspace.
class ScratchFolder
{
public:
    explicit ScratchFolder(const QString &purpose);
    ~ScratchFolder();
    ScratchFolder(const ScratchFolder &) = delete;
    ScratchFolder &operator=(const ScratchFolder &) = delete;

    bool isValid() const
    {
        return m_problem.isEmpty();
    }
    QString errorString() const
    {
        return m_problem;
    }
    QString path() const
    {
        return m_path;
    }
    QString workPath() const; // <path>/work, existing and empty at first

private:
    QString m_path;
    QString m_problem;
};

// Removes a folder tree that a sandboxed run may have left unwritable (folders of mode 0, as
// the run's own user): permissions are given back first, symlinks are removed, never followed.
// Empty when done, else what could not be removed.
QString removeScratchTree(const QString &path);

// Removes the scratch folders under TMPDIR whose process died (killed, crashed) on this machine
// and that belong to this user; returns the paths removed. `problems` receives what could not
// be removed.
QStringList removeAbandonedScratchFolders(QStringList *problems = nullptr);

} // namespace astra
