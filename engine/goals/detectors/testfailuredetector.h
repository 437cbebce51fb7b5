#pragma once

#include "model/proposal.h"
#include "sandbox/testreport.h"

#include <functional>

namespace astra {

// Failing tests from the reports a job wrote (JUnit XML, or CTest's output). `reports` are the
// job's latest parsed reports, newest first, with the run each came from. When the newest
// report has failing tests, one fix-failing-test proposal names them; its evidence holds the
// failures with their messages and the files those mention (or that the test names map to).
//
// Confidence (tests failing the same way run after run are a real problem, not flakiness):
//   streak     = how many of the newest reports (at most 3) fail exactly the same tests
//   confidence = min(0.95, 0.6 + 0.15 * streak)
// One failing run gives 0.75, two in a row 0.9, three 0.95.
struct JobTestReport
{
    qint64 run = 0;
    TestReport report;
};

ProposalDraft failingTestsProposal(const QString &jobName,
                                   const QList<JobTestReport> &reports,
                                   const std::function<bool(const QString &)> &fileExists,
                                   bool *found);

} // namespace astra
