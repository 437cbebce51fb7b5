#include "proposers/fixitsproposer.h"

#include "git/gitrepository.h"
#include "sandbox/findings.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::FixitsProposer)
};
} // namespace

Result<Proposal> FixitsProposer::propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *)
{
    const QJsonArray fixits = context.goal.evidence.value(QStringLiteral("fixits")).toArray();
    if (fixits.isEmpty()) {
        return makeError(Tr::tr("Goal %1 carries no fix-its in its evidence; the fixits proposer has nothing to apply.")
                             .arg(context.goal.id),
                         ErrorKind::Invalid);
    }
    QMap<QString, QList<Replacement>> byFile;
    QStringList rules;
    for (const QJsonValue &value : fixits) {
        const Replacement replacement = Replacement::fromJson(value.toObject());
        byFile[replacement.path].append(replacement);
        const QString rule = value.toObject().value(QStringLiteral("rule")).toString();
        if (!rule.isEmpty() && !rules.contains(rule)) {
            rules.append(rule);
        }
    }
    ChangeSet changes;
    QJsonArray applied;
    for (auto it = byFile.cbegin(); it != byFile.cend(); ++it) {
        QByteArray content;
        bool found = false;
        for (const ProposalFile &file : context.files) {
            if (file.path == it.key() && file.exists) {
                content = file.content;
                found = true;
            }
        }
        if (!found) {
            auto read = repo.readFile(context.baseCommit, it.key().toUtf8());
            if (!read) {
                return makeError(
                    Tr::tr("A fix-it edits %1, which does not exist at %2.").arg(it.key(), context.baseCommit.left(12)),
                    ErrorKind::Invalid);
            }
            content = *read;
        }
        auto fixed = applyReplacements(content, it.value(), it.key());
        if (!fixed) {
            return fixed.error();
        }
        if (*fixed == content) {
            continue;
        }
        FileChange change;
        change.path = it.key().toUtf8();
        change.content = *fixed;
        changes.files.append(change);
        QJsonObject entry;
        entry.insert(QStringLiteral("path"), it.key());
        entry.insert(QStringLiteral("replacements"), int(it.value().size()));
        applied.append(entry);
    }
    if (changes.files.isEmpty()) {
        return makeError(Tr::tr("The fix-its of goal %1 change nothing at %2: they were applied already.")
                             .arg(context.goal.id)
                             .arg(context.baseCommit.left(12)),
                         ErrorKind::Invalid);
    }
    const QString tool = context.goal.evidence.value(QStringLiteral("tool")).toString();
    changes.title = context.goal.title;
    changes.rationale =
        Tr::tr("Applied %n fix-it(s) from %1 exactly as the analyzer gave them (%2).", nullptr, int(fixits.size()))
            .arg(tool.isEmpty() ? Tr::tr("the analyzer") : tool, rules.join(QStringLiteral(", ")));
    QJsonObject transcript;
    transcript.insert(QStringLiteral("proposer"), name());
    transcript.insert(QStringLiteral("request"),
                      QString::fromUtf8(QJsonDocument(fixits).toJson(QJsonDocument::Compact)));
    transcript.insert(QStringLiteral("answer"),
                      QString::fromUtf8(QJsonDocument(applied).toJson(QJsonDocument::Compact)));
    return Proposal{changes, transcript};
}

} // namespace astra
