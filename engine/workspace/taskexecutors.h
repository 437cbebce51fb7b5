#pragma once

#include "scheduling/executors.h"
#include "scheduling/tasksession.h"

#include <functional>

namespace astra {

class Workspace;
struct WorkspaceOptions;

// code_read, code_analyze (the configured proposer), code_modify, code_test, request_review:
// the primitives of the built-in domain, run on the runner's own workspace.
ExecutorRegistry builtinExecutors();

// Sessions for the scheduler over a workspace: each opens its own Workspace (connection and
// repository) on the thread that asks; the dispatcher's repairs what dead processes left.
TaskSessionFactory workspaceTaskSessions(const WorkspaceOptions &options);

// The workspace a task runs on, for executors of the workspace layer: the session must be one
// made by workspaceTaskSessions() (a soft assert and nullptr otherwise).
Workspace *workspaceOf(TaskContext &context);

} // namespace astra
