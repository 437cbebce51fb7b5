#include "goals/detectors/analyzerdetector.h"

#include "base/sharedtext.h"
#include "model/goal.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QMap>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::AnalyzerDetector)
};

ProposalDraft
analyzerDraft(const QString &tool, const QString &path, const QList<Finding> &findings, const QJsonObject &source)
{
    ProposalDraft draft;
    int withFixes = 0;
    QJsonArray findingArray;
    QJsonArray fixits;
    QStringList rules;
    for (const Finding &finding : findings) {
        QJsonObject object;
        object.insert(QStringLiteral("rule"), finding.ruleId);
        object.insert(QStringLiteral("message"), finding.message);
        object.insert(QStringLiteral("path"), finding.path);
        object.insert(QStringLiteral("line"), finding.line);
        object.insert(QStringLiteral("has_fix"), !finding.fixes.isEmpty());
        findingArray.append(object);
        if (!finding.fixes.isEmpty()) {
            ++withFixes;
            for (const Replacement &replacement : finding.fixes) {
                QJsonObject fix = replacement.toJson();
                fix.insert(QStringLiteral("rule"), finding.ruleId);
                fixits.append(fix);
            }
            if (!rules.contains(finding.ruleId)) {
                rules.append(finding.ruleId);
            }
        }
    }
    if (withFixes == 0) {
        return draft;
    }
    rules.sort();
    draft.confidence = qRound(qMin(0.95, 0.8 + 0.15 * withFixes / findings.size()) * 100) / 100.0;
    draft.confidenceWhy = QStringLiteral("min(0.95, 0.8 + 0.15 * %1/%2) = %3")
                              .arg(withFixes)
                              .arg(findings.size())
                              .arg(draft.confidence, 0, 'f', 2);
    draft.detector = QStringLiteral("analyzer");
    draft.kind = QStringLiteral("apply-analyzer-fixes");
    const SharedText title =
        sharedText(QT_TRANSLATE_N_NOOP("astra::Shared", "%1: apply %n fix-it(s) in %2"), {tool, path}, withFixes);
    draft.title = title.text;
    draft.titleMessage = title.message;
    draft.fingerprint = goalFingerprint(draft.kind, tool + u':' + rules.join(u','), {path});
    QJsonObject evidence = source;
    evidence.insert(QStringLiteral("tool"), tool);
    evidence.insert(QStringLiteral("findings"), findingArray);
    evidence.insert(QStringLiteral("fixits"), fixits);
    evidence.insert(QStringLiteral("files"), QJsonArray{path});
    evidence.insert(QStringLiteral("confidence_formula"), draft.confidenceWhy);
    draft.evidence = evidence;
    return draft;
}

int lineOfOffset(const QByteArray &content, qint64 offset)
{
    return int(content.left(offset).count('\n')) + 1;
}
} // namespace

QList<ProposalDraft> analyzerProposals(const QList<Finding> &findings,
                                       const QJsonObject &source,
                                       const std::function<std::optional<QByteArray>(const QString &)> &readFile)
{
    // tool -> repository path -> findings there (with their paths mapped)
    QMap<QString, QMap<QString, QList<Finding>>> grouped;
    const auto exists = [&](const QString &path) {
        return readFile(path).has_value();
    };
    for (Finding finding : findings) {
        const QString path = repositoryFile(finding.path, exists, true);
        if (path.isEmpty()) {
            continue;
        }
        const auto content = readFile(path);
        if (finding.line == 0 && finding.fileOffset >= 0 && content) {
            finding.line = lineOfOffset(*content, finding.fileOffset);
        }
        finding.path = path;
        QList<Replacement> mapped;
        bool elsewhere = false;
        for (Replacement replacement : std::as_const(finding.fixes)) {
            replacement.path = repositoryFile(replacement.path, exists, true);
            elsewhere = elsewhere || replacement.path != path;
            mapped.append(replacement);
        }
        // A fix that edits another file than the finding's is not applied blindly.
        finding.fixes = elsewhere ? QList<Replacement>() : mapped;
        grouped[finding.tool][path].append(finding);
    }
    QList<ProposalDraft> drafts;
    for (auto tool = grouped.cbegin(); tool != grouped.cend(); ++tool) {
        for (auto file = tool.value().cbegin(); file != tool.value().cend(); ++file) {
            ProposalDraft draft = analyzerDraft(tool.key(), file.key(), file.value(), source);
            if (!draft.kind.isEmpty()) {
                drafts.append(draft);
            }
        }
    }
    return drafts;
}

} // namespace astra
