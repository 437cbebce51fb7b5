#pragma once

#include "base/result.h"

#include <QString>

namespace astra {

struct DemoReport
{
    QString workDir;
    int commits = 0;
    int goals = 0;
    int modifications = 0;
    int jobRuns = 0;
    int proposals = 0; // the generator's decisions, accepted or refused
};

// Creates the demo workspace in `dir` (which must not exist or be empty), offline and the same
// on every machine: snapback, a small Python backup tool with history and unittest tests, its
// .astra.toml with two jobs (a nightly backup that times out, a lint that writes SARIF with
// fix-its) and a scripted `command` agent; then it runs the loop and reviews as a person
// would, so the workspace shows every stage: goals in most columns of the board, decomposed
// plans, a two-file modification awaiting approval with passing tests, one merged, one rejected
// and one conflicted modification, and an analyzer finding the generator refused because no
// plan can carry it out. docs/demo.md tells the story. Takes a few seconds (the job runs are
// real); call it off the UI thread.
Result<DemoReport> createDemoWorkspace(const QString &dir);

} // namespace astra
