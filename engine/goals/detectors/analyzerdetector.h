#pragma once

#include "model/proposal.h"
#include "sandbox/findings.h"

#include <functional>
#include <optional>

namespace astra {

// Analyzer findings with fix-its (SARIF 2.1.0 `fixes`, clang-tidy export-fixes) from the
// report a job wrote. Findings are grouped by repository file; each file with at least one
// fix-it becomes an apply-analyzer-fixes proposal whose evidence carries the findings (rule,
// message, line) and the replacements (`fixits`) the fixits proposer applies. Paths the tool
// wrote (absolute, from the folder the job ran in) are matched by their longest suffix that is
// a file of the target branch. Findings without a fix-it are kept in the evidence, but a file
// with none gets no proposal: there is nothing deterministic to apply.
//
// Confidence (analyzer fix-its are exact edits the tool vouches for):
//   confidence = min(0.95, 0.8 + 0.15 * findings with a fix-it / findings in the file)
QList<ProposalDraft> analyzerProposals(const QList<Finding> &findings,
                                       const QJsonObject &source, // job, run, report file
                                       const std::function<std::optional<QByteArray>(const QString &)> &readFile);

} // namespace astra
