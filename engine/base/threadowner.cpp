#include "base/threadowner.h"

#include "base/softassert.h"

#include <QThread>

namespace astra {

ThreadOwner::ThreadOwner() noexcept
    : m_owner(QThread::currentThreadId())
{}

ThreadOwner::ThreadOwner(const ThreadOwner &other) noexcept
    : m_owner(other.m_owner.load())
{}

ThreadOwner &ThreadOwner::operator=(const ThreadOwner &other) noexcept
{
    m_owner.store(other.m_owner.load());
    return *this;
}

bool ThreadOwner::check(const char *what) const
{
    if (m_owner.load(std::memory_order_relaxed) == QThread::currentThreadId()) {
        return true;
    }
    const QByteArray condition = QByteArray(what) + " is used on the thread that owns it";
    return softAssertFailed(condition.constData(), __FILE__, __LINE__);
}

} // namespace astra
