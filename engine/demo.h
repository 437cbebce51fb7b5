#pragma once

#include "result.h"

#include <QString>

namespace astra {

struct DemoReport
{
    QString workDir;
    int goals = 0;
    int commits = 0;
};

// Creates the demo workspace in `dir` (which must not exist or be empty): a small C++
// project with history, its .astra.toml, the state, and goals in several states.
Result<DemoReport> createDemoWorkspace(const QString &dir);

} // namespace astra
