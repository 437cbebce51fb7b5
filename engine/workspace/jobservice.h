#pragma once

#include "base/result.h"
#include "model/proposal.h"
#include "model/task.h"

namespace astra {

class Database;
class Decisions;
class GitRepository;
class Ledger;
struct Config;
struct JobConfig;

// Jobs ([[jobs]] of .astra.toml) and what the detectors find in their runs.
class JobService
{
public:
    // `stateDir`: where the jobs' logs and reports are kept (<git common dir>/astra).
    JobService(Database &db,
               GitRepository &repo,
               const Config &config,
               Ledger &ledger,
               Decisions &decisions,
               QString stateDir);

    // Each job runs on an export of the target branch's head, in the tests' sandbox, with its
    // timeout; each run is a task_runs row. Blocking.
    Result<QList<TaskRunRecord>> run(const QString &name);
    // A job's runs that started at or after `since` (ISO time; empty: all), oldest first.
    Result<QList<TaskRunRecord>> runs(const QString &name, const QString &since = {});
    // Jobs with an `every` whose last run started longer ago than that (or never ran).
    Result<QStringList> due();

    // The detectors' drafts over the jobs' runs and reports, without deciding anything.
    Result<QList<ProposalDraft>> detectProposals();
    // Detectors, then the goal generator's checks; every decision is recorded and ledgered.
    Result<QList<ProposalDecision>> detect();
    Result<QList<ProposalDecision>> proposals(bool refusedOnly, int limit);
    Result<ProposalDecision> proposal(qint64 proposalId);

private:
    Result<TaskRunRecord> runOne(const JobConfig &job);

    Database &m_db;
    GitRepository &m_repo;
    const Config &m_config;
    Ledger &m_ledger;
    Decisions &m_decisions;
    QString m_stateDir;
};

} // namespace astra
