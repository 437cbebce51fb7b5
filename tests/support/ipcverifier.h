#pragma once

#include "planning/hddl.h"

#include <QString>

namespace astra::test {

// Checks a plan in the IPC 2020 HTN track format against its domain and problem, the way the
// competition's verifier does, independently of the planner's search:
// - the format: "==>", numbered primitive actions, one "root" line, one line per abstract
//   task "ID task args -> method child-ids", "<==";
// - every id is used once; the roots are the problem's task network, in order;
// - each decomposition uses a method of that task whose subtasks, in order, match the child
//   lines under one consistent, well-typed binding of the method's parameters;
// - the leaves of the tree, left to right, are exactly the action lines in order;
// - executed from the initial state, every action's precondition holds when it runs and every
//   method's precondition holds where its first action (or its place, if empty) is.
// Returns an empty string for a valid plan, else what is wrong.
QString verifyIpcPlan(const hddl::Domain &domain, const hddl::Problem &problem, const QString &planText);

} // namespace astra::test
