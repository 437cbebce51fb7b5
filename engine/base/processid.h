#pragma once

#include <QString>

namespace astra {

// "<host>:<pid>:<start time>" of this process: unique on a machine even after PID reuse.
QString currentProcessId();
// Whether `id` names a process of this machine that no longer runs. A process of another
// machine, or one that still runs, is not dead as far as this machine can tell.
bool isDeadLocalProcess(const QString &id);

} // namespace astra
