#pragma once

namespace astra {

// Named points inside multi-step operations (git objects, refs, database) where the
// crash-safety tests stop the process the hard way. When the environment variable
// ASTRA_CRASH_AT equals `name`, the process kills itself with SIGKILL there, as a power cut or
// the OOM killer would; otherwise this does nothing.
void crashPoint(const char *name);

} // namespace astra
