#pragma once

#include <QtCore/qnamespace.h>
#include <atomic>

namespace astra {

// The thread an object belongs to. A libgit2 repository and a QtSql connection must stay on the
// thread that opened them (libgit2 docs/threading.md, QtSql's thread rules); the object records
// its thread when it is made and checks it at each use. A use from another thread is a soft
// assert naming the object, so a slip shows in the log and in the tests instead of as a rare
// crash.
class ThreadOwner
{
public:
    ThreadOwner() noexcept;
    ThreadOwner(const ThreadOwner &other) noexcept;
    ThreadOwner &operator=(const ThreadOwner &other) noexcept;

    // True on the owning thread; elsewhere logs "`what` used on a thread that does not own it"
    // as a failed soft assert and returns false.
    bool check(const char *what) const;

private:
    std::atomic<Qt::HANDLE> m_owner;
};

} // namespace astra
