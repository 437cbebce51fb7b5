#pragma once

#include "base/result.h"

#include <functional>
#include <memory>

namespace astra {

class Database;
class Ledger;

// What the scheduler works with on one thread: its own database connection and the ledger on
// it. The dispatcher opens one, and each plan runner opens its own on its pool thread, since a
// connection belongs to the thread that opened it. The layer above implements it with what its
// executors need besides (see workspace/taskexecutors.h).
class TaskSession
{
public:
    virtual ~TaskSession() = default;
    virtual Database &database() = 0;
    virtual Ledger &ledger() = 0;
};

enum class SessionRole
{
    Dispatcher, // repairs what dead processes left behind when it opens
    Runner,
};

using TaskSessionFactory = std::function<Result<std::unique_ptr<TaskSession>>(SessionRole role)>;

} // namespace astra
