#include "proposers/proposer.h"

#include "git/patchimport.h"
#include "proposers/agentproposer.h"
#include "proposers/fixitsproposer.h"
#include "proposers/openaiproposer.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Proposer)
};
// Agents often write a plain unified diff ("--- a/x" / "+++ b/x") without git's
// "diff --git" lines, which libgit2 needs: add them, with the new/deleted file modes that
// /dev/null implies.
QByteArray withGitHeaders(const QByteArray &patch)
{
    const QList<QByteArray> lines = patch.split('\n');
    QByteArray out;
    bool inGitFile = false;
    for (int i = 0; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        if (line.startsWith("diff --git ")) {
            inGitFile = true;
        } else if (line.startsWith("--- ") && i + 1 < lines.size() && lines.at(i + 1).startsWith("+++ ")
                   && !inGitFile) {
            const QByteArray from = line.mid(4).split('\t').first().trimmed();
            const QByteArray to = lines.at(i + 1).mid(4).split('\t').first().trimmed();
            const auto strip = [](const QByteArray &path, const char *prefix) {
                return path.startsWith(prefix) ? path.mid(2) : path;
            };
            const QByteArray oldPath = from == "/dev/null" ? strip(to, "b/") : strip(from, "a/");
            const QByteArray newPath = to == "/dev/null" ? strip(from, "a/") : strip(to, "b/");
            out += "diff --git a/" + oldPath + " b/" + newPath + '\n';
            if (from == "/dev/null") {
                out += "new file mode 100644\n";
            } else if (to == "/dev/null") {
                out += "deleted file mode 100644\n";
            }
        } else if (line.startsWith("+++ ")) {
            inGitFile = false; // the next file starts with its own header (or none)
        }
        out += line;
        if (i + 1 < lines.size()) {
            out += '\n';
        }
    }
    return out;
}
} // namespace

QJsonObject ProposalContext::toJson() const
{
    QJsonArray fileArray;
    for (const ProposalFile &file : files) {
        QJsonObject object;
        object.insert(QStringLiteral("path"), file.path);
        object.insert(QStringLiteral("exists"), file.exists);
        object.insert(QStringLiteral("content"), QString::fromUtf8(file.content));
        fileArray.append(object);
    }
    QJsonObject object;
    object.insert(QStringLiteral("goal"), goal.toJson());
    object.insert(QStringLiteral("base_commit"), baseCommit);
    object.insert(QStringLiteral("target_branch"), targetBranch);
    object.insert(QStringLiteral("files"), fileArray);
    if (!review.isEmpty()) {
        object.insert(QStringLiteral("review"), review);
    }
    object.insert(QStringLiteral("answer_with"),
                  QStringLiteral("a unified diff against base_commit, or JSON {\"title\", \"rationale\", \"files\": "
                                 "[{\"path\", \"content\"} or {\"path\", \"delete\": true}]}"));
    return object;
}

QString reviewPrompt(const QJsonObject &review)
{
    if (review.isEmpty()) {
        return QString();
    }
    QString text = QStringLiteral("## Review of your change\n\n%1\n\n")
                       .arg(review.value(QStringLiteral("instructions")).toString());
    const QJsonArray comments = review.value(QStringLiteral("comments")).toArray();
    if (!comments.isEmpty()) {
        text += QStringLiteral("### Comments\n\n");
    }
    for (const QJsonValue &value : comments) {
        const QJsonObject comment = value.toObject();
        const QString file = comment.value(QStringLiteral("file")).toString();
        const int line = comment.value(QStringLiteral("line")).toInt();
        QString where = file.isEmpty() ? QStringLiteral("the change as a whole") : file;
        if (line > 0) {
            where += QStringLiteral(", line %1").arg(line);
            if (comment.value(QStringLiteral("side")).toString() == u"old") {
                where += QStringLiteral(" of the original file");
            }
        }
        text += QStringLiteral("- **%1** (%2): %3\n")
                    .arg(where,
                         comment.value(QStringLiteral("kind")).toString(),
                         comment.value(QStringLiteral("text")).toString());
        const QString lineText = comment.value(QStringLiteral("line_text")).toString();
        if (line > 0 && !lineText.isEmpty()) {
            text += QStringLiteral("  The line: `%1`\n").arg(lineText.trimmed());
        }
        const QString hunk = comment.value(QStringLiteral("hunk")).toString();
        if (!hunk.isEmpty()) {
            text += QStringLiteral("\n  ```diff\n%1  ```\n").arg(hunk);
        }
    }
    const QJsonArray rejected = review.value(QStringLiteral("rejected_hunks")).toArray();
    if (!rejected.isEmpty()) {
        text += QStringLiteral("\n### Rejected hunks (left out; do not bring them back)\n\n");
    }
    for (const QJsonValue &value : rejected) {
        const QJsonObject part = value.toObject();
        text += QStringLiteral("- %1%2\n\n```diff\n%3```\n")
                    .arg(part.value(QStringLiteral("path")).toString(),
                         part.value(QStringLiteral("file")).toBool() ? QStringLiteral(" (the whole file)") : QString(),
                         part.value(QStringLiteral("text")).toString());
    }
    return text + u'\n';
}

QStringList implementedProposers()
{
    return {QStringLiteral("agent"), QStringLiteral("command"), QStringLiteral("fixits"), QStringLiteral("openai")};
}

Result<std::unique_ptr<Proposer>> createProposer(const QString &name, const Config &config)
{
    // Fix-its need nothing configured: they are the analyzer's own edits, applied offline.
    if (name == u"fixits") {
        return std::unique_ptr<Proposer>(new FixitsProposer);
    }
    const QString configured = proposerKindName(config.proposer.kind);
    if (name != configured) {
        return makeError(Tr::tr("The plan asks for the proposer '%1', but %2 configures '%3' in [proposer] kind. "
                                "Plan the goal again, or configure that proposer.")
                             .arg(name, config.sourcePath, configured),
                         ErrorKind::Refused);
    }
    if (name == u"command" || name == u"agent") {
        if (config.proposer.kind == ProposerSection::Kind::Command && config.proposer.command.trimmed().isEmpty()) {
            return makeError(Tr::tr("[proposer] kind is \"command\" but command is empty in %1: set the command line "
                                    "of the agent to run.")
                                 .arg(config.sourcePath),
                             ErrorKind::Invalid);
        }
        return std::unique_ptr<Proposer>(new AgentProposer(config));
    }
    if (name == u"openai") {
        if (config.proposer.baseUrl.isEmpty() || config.proposer.model.isEmpty()) {
            return makeError(
                Tr::tr("[proposer] kind is \"openai\" but base_url or model is empty in %1.").arg(config.sourcePath),
                ErrorKind::Invalid);
        }
        OpenAiProposer::Settings settings;
        settings.baseUrl = config.proposer.baseUrl;
        settings.model = config.proposer.model;
        settings.apiKeyEnv = config.proposer.apiKeyEnv;
        settings.timeout = std::chrono::seconds(config.proposer.timeoutS);
        return std::unique_ptr<Proposer>(new OpenAiProposer(settings));
    }
    if (name == u"none") {
        return makeError(
            Tr::tr("No proposer is configured: set [proposer] kind in %1 to fixits, openai, agent or command.")
                .arg(config.sourcePath),
            ErrorKind::Refused);
    }
    return makeError(Tr::tr("The proposer '%1' is not available in this version of Astra Review; the available "
                            "ones are: %2. Change [proposer] kind in %3.")
                         .arg(name, implementedProposers().join(QStringLiteral(", ")), config.sourcePath),
                     ErrorKind::Refused);
}

Result<ChangeSet> changeSetFromAnswer(GitRepository &repo, const QString &baseCommit, const QByteArray &answer)
{
    const QByteArray trimmed = answer.trimmed();
    if (trimmed.isEmpty()) {
        return makeError(Tr::tr("The proposer answered with nothing: no diff and no change set."), ErrorKind::Invalid);
    }
    if (!trimmed.startsWith('{')) {
        QList<QByteArray> rawPaths;
        auto changes = changeSetFromPatch(repo, baseCommit, withGitHeaders(answer), &rawPaths);
        if (!changes) {
            return makeError(
                Tr::tr("The proposer's diff does not apply to %1: %2").arg(baseCommit.left(12), changes.message()),
                ErrorKind::Invalid);
        }
        return changes;
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(trimmed, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return makeError(Tr::tr("The proposer's answer starts with '{' but is not a JSON object: %1 at offset %2.")
                             .arg(error.errorString())
                             .arg(error.offset),
                         ErrorKind::Invalid);
    }
    const QJsonObject object = document.object();
    ChangeSet changes;
    changes.title = object.value(QStringLiteral("title")).toString();
    changes.rationale = object.value(QStringLiteral("rationale")).toString();
    const QJsonArray files = object.value(QStringLiteral("files")).toArray();
    if (files.isEmpty()) {
        return makeError(
            Tr::tr("The proposer's change set has no \"files\": give at least one {\"path\", \"content\"}."),
            ErrorKind::Invalid);
    }
    for (int i = 0; i < files.size(); ++i) {
        const QJsonObject file = files.at(i).toObject();
        const QString path = file.value(QStringLiteral("path")).toString();
        if (path.isEmpty()) {
            return makeError(Tr::tr("files[%1] of the proposer's change set has no \"path\".").arg(i),
                             ErrorKind::Invalid);
        }
        FileChange change;
        change.path = path.toUtf8();
        if (file.value(QStringLiteral("delete")).toBool()) {
            change.kind = FileChange::Kind::Delete;
            change.hasContent = false;
        } else if (file.value(QStringLiteral("content")).isString()) {
            change.content = file.value(QStringLiteral("content")).toString().toUtf8();
        } else {
            return makeError(Tr::tr("files[%1] (%2) of the proposer's change set needs \"content\" (a string) or "
                                    "\"delete\": true.")
                                 .arg(i)
                                 .arg(path),
                             ErrorKind::Invalid);
        }
        changes.files.append(change);
    }
    return changes;
}

} // namespace astra
