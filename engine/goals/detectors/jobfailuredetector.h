#pragma once

#include "config/astraconfig.h"
#include "model/proposal.h"
#include "model/task.h"

#include <functional>

namespace astra {

// Recurring job failures, read from the job's task_runs within [detectors.job_failure]
// window. A job with at least `threshold` failed runs (failed, timeout or error) there
// becomes a fix-job-failure proposal whose evidence lists the runs with their error excerpts,
// and the files the command and the excerpts name (`fileExists` says which paths are files of
// the repository at the target's head).
//
// Confidence (documented here, reported with its numbers in confidenceWhy):
//   rate   = failed runs / runs in the window          (a job that mostly passes is flaky)
//   repeat = min(1, failed runs / threshold)           (>= 1 by construction; kept for clarity)
//   same   = share of failed runs whose last output line is the most common one
//   confidence = min(0.95, rate * repeat * (0.6 + 0.4 * same))
// 3 of 3 runs failing the same way gives 0.95; 3 failures among 6 runs gives at most 0.5.
ProposalDraft jobFailureProposal(const JobConfig &job,
                                 const QList<TaskRunRecord> &runsInWindow,
                                 const JobFailureDetectorSection &settings,
                                 const std::function<bool(const QString &)> &fileExists,
                                 bool *found);

// Paths a command line or error output names that are files of the repository: tokens of the
// command; `File "PATH", line N` (Python); `PATH:LINE` (compilers, most tools). Absolute paths
// (from the folder the job ran in) are matched by their longest suffix that is a repository
// file. Returns {path, line} pairs, line 0 when unknown, in order of first mention.
QList<QPair<QString, int>> filesNamedIn(const QString &text, const std::function<bool(const QString &)> &fileExists);

} // namespace astra
