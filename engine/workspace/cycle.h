#pragma once

#include "base/result.h"
#include "model/cyclereport.h"
#include "workspace/workspace.h"

namespace astra {

// One turn: the jobs that are due run; the detectors and the generator run; every active goal
// is planned; plans of auto-approved goals are approved when [generator] auto_approve_plans is
// on; the scheduler runs the approved plans until their modifications await review. Nothing
// is merged. Blocking: call it off the UI thread.
struct CycleOptions
{
    bool detect = true; // run the detectors and the generator this turn
};
Result<CycleReport> runCycle(Workspace &workspace, const WorkspaceOptions &options, const CycleOptions &cycle = {});

} // namespace astra
