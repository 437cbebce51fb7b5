#include "goals/detectors/jobfailuredetector.h"

#include "base/sharedtext.h"
#include "model/goal.h"
#include "sandbox/findings.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::JobFailureDetector)
};

bool isFailure(const TaskRunRecord &run)
{
    return run.outcome == u"failed" || run.outcome == u"timeout" || run.outcome == u"error";
}

QString lastLine(const QString &text)
{
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        if (!it->trimmed().isEmpty()) {
            return it->trimmed();
        }
    }
    return {};
}

QString durationText(std::chrono::seconds seconds)
{
    const qint64 s = seconds.count();
    if (s % 86400 == 0) {
        return QStringLiteral("%1d").arg(s / 86400);
    }
    if (s % 3600 == 0) {
        return QStringLiteral("%1h").arg(s / 3600);
    }
    if (s % 60 == 0) {
        return QStringLiteral("%1m").arg(s / 60);
    }
    return QStringLiteral("%1s").arg(s);
}
} // namespace

QList<QPair<QString, int>> filesNamedIn(const QString &text, const std::function<bool(const QString &)> &fileExists)
{
    static const QRegularExpression python(QStringLiteral("File \"([^\"]+)\", line (\\d+)"));
    static const QRegularExpression located(QStringLiteral("([A-Za-z0-9_./+-]+\\.[A-Za-z0-9]+):(\\d+)"));
    static const QRegularExpression token(QStringLiteral("[A-Za-z0-9_./+-]+\\.[A-Za-z0-9]+"));
    QList<QPair<QString, int>> found;
    const auto add = [&](const QString &candidate, int line) {
        const QString path = repositoryFile(candidate, fileExists, false);
        if (path.isEmpty()) {
            return;
        }
        for (auto &entry : found) {
            if (entry.first == path) {
                if (entry.second == 0) {
                    entry.second = line;
                }
                return;
            }
        }
        found.append({path, line});
    };
    for (auto it = python.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        add(match.captured(1), match.captured(2).toInt());
    }
    for (auto it = located.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        add(match.captured(1), match.captured(2).toInt());
    }
    for (auto it = token.globalMatch(text); it.hasNext();) {
        add(it.next().captured(0), 0);
    }
    return found;
}

ProposalDraft jobFailureProposal(const JobConfig &job,
                                 const QList<TaskRunRecord> &runsInWindow,
                                 const JobFailureDetectorSection &settings,
                                 const std::function<bool(const QString &)> &fileExists,
                                 bool *found)
{
    *found = false;
    ProposalDraft draft;
    QList<const TaskRunRecord *> failed;
    for (const TaskRunRecord &run : runsInWindow) {
        if (run.outcome != u"running" && isFailure(run)) {
            failed.append(&run);
        }
    }
    int finished = 0;
    for (const TaskRunRecord &run : runsInWindow) {
        finished += run.outcome == u"running" ? 0 : 1;
    }
    if (failed.size() < settings.threshold || finished == 0) {
        return draft;
    }
    *found = true;
    QHash<QString, int> signatures;
    for (const TaskRunRecord *run : std::as_const(failed)) {
        ++signatures[lastLine(run->summary)];
    }
    int most = 0;
    QString signature;
    for (auto it = signatures.cbegin(); it != signatures.cend(); ++it) {
        if (it.value() > most || (it.value() == most && it.key() < signature)) {
            most = it.value();
            signature = it.key();
        }
    }
    const double rate = double(failed.size()) / finished;
    const double repeat = qMin(1.0, double(failed.size()) / qMax(1, settings.threshold));
    const double same = double(most) / failed.size();
    const double confidence = qMin(0.95, rate * repeat * (0.6 + 0.4 * same));
    draft.confidence = qRound(confidence * 100) / 100.0;
    draft.confidenceWhy = QStringLiteral("min(0.95, rate %1/%2 * repeat %3 * (0.6 + 0.4 * same %4/%5)) = %6")
                              .arg(failed.size())
                              .arg(finished)
                              .arg(repeat, 0, 'f', 2)
                              .arg(most)
                              .arg(failed.size())
                              .arg(draft.confidence, 0, 'f', 2);
    draft.detector = QStringLiteral("job_failure");
    draft.kind = QStringLiteral("fix-job-failure");
    const SharedText title = sharedText(QT_TRANSLATE_NOOP("astra::Shared", "Job %1 failed %2 times in the last %3"),
                                        {job.name, QString::number(failed.size()), durationText(settings.window)});
    draft.title = title.text;
    draft.titleMessage = title.message;
    draft.fingerprint = goalFingerprint(draft.kind, QStringLiteral("job:") + job.name, {});

    QJsonArray runArray;
    QString allText = job.command;
    for (const TaskRunRecord *run : std::as_const(failed)) {
        QJsonObject object;
        object.insert(QStringLiteral("run"), double(run->id));
        object.insert(QStringLiteral("started_at"), run->startedAt);
        object.insert(QStringLiteral("outcome"), run->outcome);
        if (run->exitCode) {
            object.insert(QStringLiteral("exit_code"), *run->exitCode);
        }
        object.insert(QStringLiteral("duration_ms"), double(run->durationMs));
        object.insert(QStringLiteral("excerpt"), run->summary);
        runArray.append(object);
        allText += u'\n' + run->summary;
    }
    QJsonArray files;
    QJsonArray locations;
    for (const auto &entry : filesNamedIn(allText, fileExists)) {
        files.append(entry.first);
        QJsonObject location;
        location.insert(QStringLiteral("path"), entry.first);
        location.insert(QStringLiteral("line"), entry.second);
        locations.append(location);
    }
    QJsonObject evidence;
    evidence.insert(QStringLiteral("job"), job.name);
    evidence.insert(QStringLiteral("command"), job.command);
    evidence.insert(QStringLiteral("window_s"), double(settings.window.count()));
    evidence.insert(QStringLiteral("threshold"), settings.threshold);
    evidence.insert(QStringLiteral("runs_in_window"), finished);
    evidence.insert(QStringLiteral("failures"), int(failed.size()));
    evidence.insert(QStringLiteral("signature"), signature);
    evidence.insert(QStringLiteral("failed_runs"), runArray);
    evidence.insert(QStringLiteral("files"), files);
    evidence.insert(QStringLiteral("locations"), locations);
    evidence.insert(QStringLiteral("confidence_formula"), draft.confidenceWhy);
    draft.evidence = evidence;
    return draft;
}

} // namespace astra
