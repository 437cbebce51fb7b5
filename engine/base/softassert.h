#pragma once

namespace astra {
// Logs a failed soft assertion to the astra.assert category; always returns false.
bool softAssertFailed(const char *condition, const char *file, int line);
} // namespace astra

// For "cannot happen": logs where it happened and lets the caller recover.
#define ASTRA_SOFT_ASSERT(cond) ((cond) ? true : astra::softAssertFailed(#cond, __FILE__, __LINE__))
