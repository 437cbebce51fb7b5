#pragma once

#include "sandbox/testrunner.h"

#include <functional>

namespace astra {

class GitRepository;

// Runs `request` (tests or a job) on a fresh export of `commit` in a scratch folder named
// after `purpose` ("astra-<purpose>-XXXXXX", see ScratchFolder), which is deleted afterwards; `afterRun` sees the
// folder before that. A folder that cannot be made or filled is an Error result saying why.
TestRunResult runOnExport(GitRepository &repo,
                          const QString &commit,
                          TestRunRequest request,
                          const QString &purpose,
                          const std::function<void(const QString &folder)> &afterRun = {});

// <stateDir>/<name>, created when missing: where run logs and reports are kept.
QString outputFolder(const QString &stateDir, const QString &name);

} // namespace astra
