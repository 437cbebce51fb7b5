#pragma once

#include "config/astraconfig.h"
#include "model/modification.h"
#include "policy/pathpolicy.h"

namespace astra {

// Checks a change's files against its scope and the policy's [policy] scope and
// max_changed_lines. Each file outside a stated scope gets the flag "beyond_scope", and the
// change the flag "beyond_scope:PATH"; an import with no stated scope gets "no_stated_scope".
// `scope` receives the files beyond it and the lines changed. Returns what the policy refuses
// (empty: the change may be written): with scope = "refuse", one violation per file beyond a
// stated scope; past max_changed_lines, one for the change. `configPath` names the file in the
// messages.
QList<PolicyViolation> checkScope(ModificationScope &scope,
                                  QList<ModificationFile> &files,
                                  QStringList &flags,
                                  const PolicySection &policy,
                                  const QString &configPath);

} // namespace astra
