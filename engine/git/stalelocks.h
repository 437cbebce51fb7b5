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

// Whether other Astra Review processes have the workspace open: every open workspace holds a
// shared flock on <common dir>/astra/open for its lifetime; an exclusive one, tried first,
// succeeds only when no other process holds it. Released when destroyed.
class WorkspacePresence
{
public:
    WorkspacePresence() = default;
    static WorkspacePresence enter(const QString &commonDir);
    WorkspacePresence(WorkspacePresence &&other) noexcept;
    WorkspacePresence &operator=(WorkspacePresence &&other) noexcept;
    WorkspacePresence(const WorkspacePresence &) = delete;
    WorkspacePresence &operator=(const WorkspacePresence &) = delete;
    ~WorkspacePresence();

    // No other Astra Review process had the workspace open when this one entered.
    bool alone() const
    {
        return m_alone;
    }

private:
    int m_fd = -1;
    bool m_alone = false;
};

// Removes the stale locks Astra Review left and returns their paths: those of its own refs
// (refs/astra/, refs/heads/astra/), without waiting for them to age when no other Astra Review
// process has the workspace open (`alone`); and when a move of a checked-out branch was
// interrupted (interruptedCheckoutBranch), that branch's lock and the index's, which the dead
// process held. The other stale locks (the user's branches, the index) go to `left`, which only
// a person may remove.
QStringList removeOwnStaleLocks(GitRepository &repo, bool alone, QStringList *left);

} // namespace astra
