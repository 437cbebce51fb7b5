#include "base/logging.h"

#include "base/softassert.h"

namespace astra {
Q_LOGGING_CATEGORY(lcAssert, "astra.assert", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStore, "astra.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcLedger, "astra.ledger", QtWarningMsg)
Q_LOGGING_CATEGORY(lcConfig, "astra.config", QtWarningMsg)
Q_LOGGING_CATEGORY(lcGit, "astra.git", QtWarningMsg)
Q_LOGGING_CATEGORY(lcWorkspace, "astra.workspace", QtWarningMsg)
Q_LOGGING_CATEGORY(lcScheduler, "astra.scheduler", QtWarningMsg)

bool softAssertFailed(const char *condition, const char *file, int line)
{
    qCWarning(lcAssert, "soft assertion failed: %s (%s:%d)", condition, file, line);
    return false;
}
} // namespace astra
