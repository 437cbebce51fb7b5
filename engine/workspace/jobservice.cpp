#include "workspace/jobservice.h"

#include "base/processid.h"
#include "git/gitrepository.h"
#include "goals/detectors/analyzerdetector.h"
#include "goals/detectors/jobfailuredetector.h"
#include "goals/detectors/testfailuredetector.h"
#include "goals/generator.h"
#include "model/modification.h"
#include "policy/pathpolicy.h"
#include "sandbox/testrunner.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/taskrepository.h"
#include "workspace/decisions.h"
#include "workspace/exportedrun.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace astra {

namespace {
constexpr qint64 maxReportBytes = 64 * 1024 * 1024;

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

// The last lines of a run's output: what a person (and the detectors) read first.
QString excerptOf(const QString &logFile)
{
    QFile file(logFile);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const qint64 size = file.size();
    file.seek(qMax<qint64>(0, size - 8192));
    QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
    while (!lines.isEmpty() && lines.constLast().trimmed().isEmpty()) {
        lines.removeLast();
    }
    return lines.mid(qMax(0, int(lines.size()) - 20)).join(u'\n').right(2000);
}

QString reportPathOf(const QString &report)
{
    const int colon = report.indexOf(u':');
    return colon < 0 ? QString() : report.mid(colon + 1);
}
} // namespace

JobService::JobService(Database &db,
                       GitRepository &repo,
                       const Config &config,
                       Ledger &ledger,
                       Decisions &decisions,
                       QString stateDir)
    : m_db(db)
    , m_repo(repo)
    , m_config(config)
    , m_ledger(ledger)
    , m_decisions(decisions)
    , m_stateDir(std::move(stateDir))
{}

Result<QList<TaskRunRecord>> JobService::run(const QString &name)
{
    QList<const JobConfig *> jobs;
    for (const JobConfig &job : m_config.jobs) {
        if (name.isEmpty() || job.name == name) {
            jobs.append(&job);
        }
    }
    if (jobs.isEmpty()) {
        QStringList names;
        for (const JobConfig &job : m_config.jobs) {
            names.append(job.name);
        }
        return makeError(
            name.isEmpty()
                ? Tr::tr("%1 defines no [[jobs]]; add one with a name and a command.").arg(m_config.sourcePath)
                : Tr::tr("There is no job '%1' in %2; the jobs are: %3.")
                      .arg(name,
                           m_config.sourcePath,
                           names.isEmpty() ? Tr::tr("none") : names.join(QStringLiteral(", "))),
            ErrorKind::NotFound);
    }
    QList<TaskRunRecord> runs;
    for (const JobConfig *job : std::as_const(jobs)) {
        auto run = runOne(*job);
        if (!run) {
            return run.error();
        }
        runs.append(*run);
    }
    return runs;
}

Result<TaskRunRecord> JobService::runOne(const JobConfig &job)
{
    auto commit = m_repo.branchCommit(m_config.workspace.targetBranch);
    if (!commit) {
        return commit.error();
    }
    TaskRepository repository(m_db);
    TaskRunRecord run;
    run.jobName = job.name;
    run.kind = QStringLiteral("job");
    run.outcome = QStringLiteral("running");
    run.startedAt = isoNow();
    run.worker = currentProcessId();
    run.summary = job.command;
    auto id = m_db.writeTransaction([&] { return repository.insertRun(run); });
    if (!id) {
        return id.error();
    }
    run.id = *id;

    const QString outputDir = outputFolder(m_stateDir, QStringLiteral("job-output"));
    // A job runs like the tests (sandbox, scratch space), with its own command, timeout and report.
    TestRunRequest request =
        testRunRequest(m_config.tests,
                       QString(),
                       QDir(outputDir).filePath(QStringLiteral("%1-run-%2.log").arg(job.name).arg(run.id)));
    request.command = job.command;
    request.timeout = std::chrono::seconds(job.timeoutS);
    request.report.clear(); // the job's report is read by the detectors, not as a test report
    const QString reportRelative = reportPathOf(job.report);
    QString reportCopy;
    // The report the job wrote is kept beside its log; the detectors read it there.
    const auto keepReport = [&](const QString &folder) {
        const QString written = QDir(folder).filePath(reportRelative);
        const QFileInfo info(written);
        // Only a file of the job's own, never through a link: the job could point the report
        // at anything its host user may read.
        const QString canonicalFolder = QFileInfo(folder).canonicalFilePath();
        const QString canonicalParent = QFileInfo(info.absolutePath()).canonicalFilePath();
        if (reportRelative.isEmpty() || info.isSymLink() || !info.isFile() || info.size() > maxReportBytes
            || canonicalFolder.isEmpty()
            || (canonicalParent != canonicalFolder && !canonicalParent.startsWith(canonicalFolder + u'/'))) {
            return;
        }
        reportCopy = QDir(outputDir).filePath(
            QStringLiteral("%1-run-%2-%3").arg(job.name).arg(run.id).arg(QFileInfo(written).fileName()));
        QFile::remove(reportCopy);
        if (!QFile::copy(written, reportCopy)) {
            reportCopy.clear();
        }
    };
    const TestRunResult result = runOnExport(m_repo, *commit, request, QStringLiteral("job"), keepReport);
    if (!result.sandbox.isEmpty() && !isSandboxed(result.sandbox)) {
        m_decisions.warn(Tr::tr("The job %1 ran without a sandbox (sandbox = \"none\" in [tests]): it could read and "
                                "change anything you can.")
                             .arg(job.name));
    }

    switch (result.outcome) {
    case TestRunResult::Outcome::Passed:
        run.outcome = QStringLiteral("succeeded");
        break;
    case TestRunResult::Outcome::Failed:
        run.outcome = QStringLiteral("failed");
        break;
    case TestRunResult::Outcome::Timeout:
        run.outcome = QStringLiteral("timeout");
        break;
    case TestRunResult::Outcome::Error:
        run.outcome = QStringLiteral("error");
        break;
    }
    if (result.exitCode >= 0) {
        run.exitCode = result.exitCode;
    }
    run.finishedAt = isoNow();
    run.durationMs = result.durationMs;
    run.outputPath = request.outputFile;
    const QString excerpt = excerptOf(request.outputFile);
    run.summary = run.outcome == u"succeeded" ? Tr::tr("passed") : (excerpt.isEmpty() ? result.message : excerpt);
    QJsonObject report;
    report.insert(QStringLiteral("commit"), *commit);
    report.insert(QStringLiteral("sandbox"), result.sandbox);
    report.insert(QStringLiteral("message"), result.message);
    report.insert(QStringLiteral("report"), job.report);
    report.insert(QStringLiteral("report_file"), reportCopy);
    run.report = report;
    if (Status finished = m_db.writeTransaction([&]() -> Status { return repository.finishRun(run); }); !finished) {
        return finished.error();
    }
    return run;
}

Result<QList<TaskRunRecord>> JobService::runs(const QString &name, const QString &since)
{
    return TaskRepository(m_db).jobRuns(name, since);
}

Result<QStringList> JobService::due()
{
    QStringList due;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const JobConfig &job : m_config.jobs) {
        if (job.every.count() <= 0) {
            continue;
        }
        auto runs =
            TaskRepository(m_db).jobRuns(job.name, now.addSecs(-qint64(job.every.count())).toString(Qt::ISODateWithMs));
        if (!runs) {
            return runs.error();
        }
        if (runs->isEmpty()) {
            due.append(job.name);
        }
    }
    return due;
}

Result<QList<ProposalDraft>> JobService::detectProposals()
{
    auto head = m_repo.branchCommit(m_config.workspace.targetBranch);
    if (!head) {
        return head.error();
    }
    // Files of the target's head, read once each however many detectors ask.
    QHash<QString, std::optional<QByteArray>> files;
    const auto readFile = [&](const QString &path) -> std::optional<QByteArray> {
        auto it = files.constFind(path);
        if (it == files.constEnd()) {
            auto content = m_repo.readFile(*head, path.toUtf8());
            it = files.insert(path, content ? std::optional<QByteArray>(*content) : std::nullopt);
        }
        return *it;
    };
    const auto fileExists = [&](const QString &path) {
        return readFile(path).has_value();
    };
    const QString windowStart = QDateTime::currentDateTimeUtc()
                                    .addSecs(-qint64(m_config.detectors.jobFailure.window.count()))
                                    .toString(Qt::ISODateWithMs);
    // When a goal about a job was completed (its fix merged), the job's earlier runs are what
    // the fix answered: only runs started after it count, so the fix is not proposed again
    // from the failures it fixed.
    auto completed = GoalRepository(m_db).list(GoalState::Completed);
    if (!completed) {
        return completed.error();
    }
    QHash<QString, QString> fixedAt;
    for (const Goal &goal : std::as_const(*completed)) {
        const QString job = goal.evidence.value(QStringLiteral("job")).toString();
        if (!job.isEmpty() && goal.updatedAt > fixedAt.value(job)) {
            fixedAt.insert(job, goal.updatedAt);
        }
    }
    QList<ProposalDraft> drafts;
    for (const JobConfig &job : m_config.jobs) {
        auto allRuns = this->runs(job.name);
        if (!allRuns) {
            return allRuns.error();
        }
        const QString fixed = fixedAt.value(job.name);
        QList<TaskRunRecord> sinceFix;
        for (const TaskRunRecord &run : std::as_const(*allRuns)) {
            if (run.startedAt > fixed) {
                sinceFix.append(run);
            }
        }
        const QList<TaskRunRecord> *runs = &sinceFix;
        QList<TaskRunRecord> inWindow;
        for (const TaskRunRecord &run : std::as_const(sinceFix)) {
            if (run.startedAt >= windowStart) {
                inWindow.append(run);
            }
        }
        bool jobFailing = false;
        const ProposalDraft failure =
            jobFailureProposal(job, inWindow, m_config.detectors.jobFailure, fileExists, &jobFailing);

        // Test reports: the newest three finished runs that left one.
        const bool junit = job.report.startsWith(QStringLiteral("junit:"));
        bool testsFailing = false;
        if (junit || job.report == u"ctest") {
            QList<JobTestReport> reports;
            for (auto run = runs->crbegin(); run != runs->crend() && reports.size() < 3; ++run) {
                QFile file(junit ? run->report.value(QStringLiteral("report_file")).toString() : run->outputPath);
                if (run->outcome == u"running" || !file.open(QIODevice::ReadOnly)) {
                    continue;
                }
                const QByteArray text = file.readAll();
                reports.append(JobTestReport{run->id, junit ? parseJUnitXml(text) : parseCTestOutput(text)});
            }
            const ProposalDraft tests = failingTestsProposal(job.name, reports, fileExists, &testsFailing);
            if (testsFailing) {
                drafts.append(tests);
            }
        }
        // The tests say more than "the job failed": one goal, about them.
        if (jobFailing && !testsFailing) {
            drafts.append(failure);
        }

        // Analyzer reports: the newest report file the job wrote.
        const bool sarif = job.report.startsWith(QStringLiteral("sarif:"));
        if (!sarif && !job.report.startsWith(QStringLiteral("clang-tidy-fixes:"))) {
            continue;
        }
        for (auto run = runs->crbegin(); run != runs->crend(); ++run) {
            const QString reportFile = run->report.value(QStringLiteral("report_file")).toString();
            if (reportFile.isEmpty()) {
                continue;
            }
            QFile file(reportFile);
            if (!file.open(QIODevice::ReadOnly)) {
                break; // pruned; the next run writes a new one
            }
            auto findings =
                sarif ? parseSarif(file.readAll(), reportFile) : parseClangTidyFixes(file.readAll(), reportFile);
            if (!findings) {
                m_decisions.warn(findings.message());
                break;
            }
            QJsonObject source;
            source.insert(QStringLiteral("job"), job.name);
            source.insert(QStringLiteral("run"), double(run->id));
            source.insert(QStringLiteral("report"), job.report);
            source.insert(QStringLiteral("commit"), run->report.value(QStringLiteral("commit")).toString());
            drafts += analyzerProposals(*findings, source, readFile);
            break;
        }
    }
    return drafts;
}

Result<QList<ProposalDecision>> JobService::detect()
{
    auto drafts = detectProposals();
    if (!drafts) {
        return drafts.error();
    }
    auto decisions = generateGoals(m_db, m_ledger, m_config, *drafts);
    if (decisions && !decisions->isEmpty()) {
        m_decisions.checkpointAfterDecision();
    }
    return decisions;
}

Result<QList<ProposalDecision>> JobService::proposals(bool refusedOnly, int limit)
{
    return listProposals(m_db, refusedOnly, limit);
}

Result<ProposalDecision> JobService::proposal(qint64 proposalId)
{
    return findProposal(m_db, proposalId);
}

} // namespace astra
