#pragma once

#include "base/result.h"

namespace astra {

class GitRepository;

// Writes the files of `commit`'s tree into `folder` (which must exist and be empty): regular
// and executable files with their modes, symlinks as symlinks; submodules as empty folders.
// No .git is created; filters and attributes are not applied.
Status exportTree(GitRepository &repo, const QString &commit, const QString &folder);

} // namespace astra
