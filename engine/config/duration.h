#pragma once

#include "base/result.h"

#include <QString>

#include <chrono>

namespace astra {

// Durations in .astra.toml are written as a positive whole number and one unit:
// `30s`, `15m`, `24h`, `7d`. Nothing else is accepted: no zero, no sign, no spaces, no
// fractions, no compound forms such as `1h30m`, units in lower case only. Every duration
// in the config is an interval or a window, where zero would mean "constantly" or "never".
// An error is ErrorKind::Invalid and its message says what was expected and what was found.
Result<std::chrono::seconds> parseDuration(const QString &text);

// The exact inverse of parseDuration for positive values, using the largest unit that
// divides the value: 86400s -> "1d", 5400s -> "90m", 90s -> "90s". Zero is "0s" and a
// negative value keeps its sign ("-2h"); neither parses back.
QString formatDuration(std::chrono::seconds duration);

} // namespace astra
