#include "model/modification.h"

#include <QDir>
#include <QJsonArray>

#include <algorithm>

namespace astra {

namespace {
struct StatusName
{
    ModificationStatus status;
    const char *name;
};
constexpr StatusName statusNames[] = {
    {ModificationStatus::Pending, "pending"},
    {ModificationStatus::Testing, "testing"},
    {ModificationStatus::AwaitingApproval, "awaiting_approval"},
    {ModificationStatus::Approved, "approved"},
    {ModificationStatus::Merged, "merged"},
    {ModificationStatus::Rejected, "rejected"},
    {ModificationStatus::TestsFailed, "tests_failed"},
    {ModificationStatus::Conflicted, "conflicted"},
    {ModificationStatus::RolledBack, "rolled_back"},
};

QJsonArray toArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list) {
        array.append(item);
    }
    return array;
}
} // namespace

QString toString(ModificationStatus status)
{
    for (const StatusName &entry : statusNames) {
        if (entry.status == status) {
            return QString::fromLatin1(entry.name);
        }
    }
    return QString();
}

std::optional<ModificationStatus> modificationStatusFromString(const QString &name)
{
    for (const StatusName &entry : statusNames) {
        if (name == QLatin1String(entry.name)) {
            return entry.status;
        }
    }
    return std::nullopt;
}

QList<ModificationStatus> allModificationStatuses()
{
    QList<ModificationStatus> result;
    for (const StatusName &entry : statusNames) {
        result.append(entry.status);
    }
    return result;
}

namespace ModificationStateMachine {

QList<ModificationStatus> legalNextStates(ModificationStatus from)
{
    using S = ModificationStatus;
    switch (from) {
    case S::Pending:
        return {S::Testing, S::Rejected};
    case S::Testing:
        return {S::AwaitingApproval, S::TestsFailed, S::Pending, S::Rejected};
    // Pending again: a new revision (hunk decisions, requested changes, an update) waits for tests.
    case S::AwaitingApproval:
        return {S::Approved, S::Rejected, S::Testing, S::Pending};
    case S::TestsFailed:
        return {S::Testing, S::Rejected, S::Pending};
    case S::Approved:
        return {S::Merged, S::Conflicted, S::Rejected, S::Testing, S::Pending};
    case S::Conflicted:
        return {S::Rejected, S::Pending};
    case S::Merged:
        return {S::RolledBack};
    case S::Rejected:
    case S::RolledBack:
        return {};
    }
    return {};
}

bool isFinished(ModificationStatus status)
{
    return status == ModificationStatus::Merged || status == ModificationStatus::Rejected
        || status == ModificationStatus::RolledBack;
}

QString eventFor(ModificationStatus to)
{
    switch (to) {
    case ModificationStatus::Pending:
        return QStringLiteral("modification_requeued");
    case ModificationStatus::Testing:
        return QStringLiteral("modification_testing");
    case ModificationStatus::AwaitingApproval:
        return QStringLiteral("modification_tested");
    case ModificationStatus::TestsFailed:
        return QStringLiteral("modification_tests_failed");
    case ModificationStatus::Approved:
        return QStringLiteral("modification_approved");
    case ModificationStatus::Rejected:
        return QStringLiteral("modification_rejected");
    case ModificationStatus::Merged:
        return QStringLiteral("modification_merged");
    case ModificationStatus::Conflicted:
        return QStringLiteral("modification_conflicted");
    case ModificationStatus::RolledBack:
        return QStringLiteral("modification_rolled_back");
    }
    return QString();
}

} // namespace ModificationStateMachine

QJsonObject ModificationFile::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("path"), path);
    if (!oldPath.isEmpty()) {
        object.insert(QStringLiteral("old_path"), oldPath);
    }
    object.insert(QStringLiteral("change"), change);
    object.insert(QStringLiteral("old_blob"), oldBlob);
    object.insert(QStringLiteral("new_blob"), newBlob);
    object.insert(QStringLiteral("mode"), QString::number(mode, 8));
    object.insert(QStringLiteral("additions"), additions);
    object.insert(QStringLiteral("deletions"), deletions);
    object.insert(QStringLiteral("flags"), toArray(flags));
    return object;
}

QJsonObject Revision::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("number"), number);
    object.insert(QStringLiteral("commit"), commit);
    object.insert(QStringLiteral("base_commit"), baseCommit);
    object.insert(QStringLiteral("origin"), origin);
    object.insert(QStringLiteral("created_by"), createdBy);
    object.insert(QStringLiteral("created_at"), createdAt);
    if (!meta.isEmpty()) {
        object.insert(QStringLiteral("meta"), meta);
    }
    return object;
}

QJsonObject HunkDecision::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("modification"), double(modificationId));
    object.insert(QStringLiteral("revision"), revision);
    object.insert(QStringLiteral("path"), path);
    object.insert(QStringLiteral("hunk"), hunkKey.isEmpty() ? QJsonValue() : QJsonValue(hunkKey));
    object.insert(QStringLiteral("decision"), decision);
    object.insert(QStringLiteral("decided_by"), decidedBy);
    object.insert(QStringLiteral("decided_at"), decidedAt);
    return object;
}

QJsonObject ReviewComment::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("modification"), double(modificationId));
    object.insert(QStringLiteral("revision"), revision);
    object.insert(QStringLiteral("first_revision"), firstRevision);
    object.insert(QStringLiteral("kind"), kind);
    object.insert(QStringLiteral("path"), path.isEmpty() ? QJsonValue() : QJsonValue(path));
    object.insert(QStringLiteral("line"), line > 0 ? QJsonValue(line) : QJsonValue());
    object.insert(QStringLiteral("first_line"), firstLine > 0 ? QJsonValue(firstLine) : QJsonValue());
    object.insert(QStringLiteral("side"), side.isEmpty() ? QJsonValue() : QJsonValue(side));
    object.insert(QStringLiteral("hunk"), hunkKey.isEmpty() ? QJsonValue() : QJsonValue(hunkKey));
    object.insert(QStringLiteral("line_text"), lineText);
    object.insert(QStringLiteral("hunk_text"), hunkText);
    object.insert(QStringLiteral("body"), body);
    object.insert(QStringLiteral("author"), author);
    object.insert(QStringLiteral("created_at"), createdAt);
    object.insert(QStringLiteral("outdated"), outdated);
    object.insert(QStringLiteral("sent_in_revision"), sentInRevision > 0 ? QJsonValue(sentInRevision) : QJsonValue());
    object.insert(QStringLiteral("resolved"), isResolved());
    if (isResolved()) {
        object.insert(QStringLiteral("resolved_by"), resolvedBy);
        object.insert(QStringLiteral("resolved_at"), resolvedAt);
    }
    return object;
}

int Modification::revisionOf(const QString &commit) const
{
    for (const Revision &revision : revisions) {
        if (revision.commit == commit) {
            return revision.number;
        }
    }
    return 0;
}

bool ModificationScope::contains(const QString &path) const
{
    return std::any_of(entries.cbegin(), entries.cend(), [&path](const ScopeEntry &entry) {
        const QString &named = entry.path;
        if (named.isEmpty()) {
            return false;
        }
        if (named.endsWith(u'/')) {
            return path.startsWith(named);
        }
        return path == named || (path.startsWith(named) && path.at(named.size()) == u'/');
    });
}

void ModificationScope::add(const QString &path, const QString &source)
{
    // As git names files: "./src//a.py" is src/a.py, "src/" the folder src.
    QString trimmed = QDir::cleanPath(path.trimmed());
    while (trimmed.startsWith(QLatin1String("./"))) {
        trimmed.remove(0, 2);
    }
    if (trimmed.isEmpty() || trimmed == u"." || trimmed == u".." || trimmed.startsWith(QLatin1String("../"))
        || trimmed.startsWith(u'/')) {
        return;
    }
    for (const ScopeEntry &entry : std::as_const(entries)) {
        if (entry.path == trimmed) {
            return;
        }
    }
    entries.append(ScopeEntry{trimmed, source});
}

QStringList ModificationScope::paths() const
{
    QStringList result;
    for (const ScopeEntry &entry : entries) {
        result.append(entry.path);
    }
    return result;
}

QString toString(ModificationScope::State state)
{
    switch (state) {
    case ModificationScope::State::Stated:
        return QStringLiteral("stated");
    case ModificationScope::State::NoFiles:
        return QStringLiteral("no_files");
    case ModificationScope::State::Unstated:
        return QStringLiteral("unstated");
    case ModificationScope::State::NotRecorded:
        break;
    }
    return QStringLiteral("not_recorded");
}

QJsonObject ModificationScope::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("state"), toString(state));
    QJsonArray named;
    for (const ScopeEntry &entry : entries) {
        QJsonObject item;
        item.insert(QStringLiteral("path"), entry.path);
        item.insert(QStringLiteral("source"), entry.source);
        named.append(item);
    }
    object.insert(QStringLiteral("files"), named);
    object.insert(QStringLiteral("beyond_files"), toArray(beyondFiles));
    object.insert(QStringLiteral("beyond_lines"), beyondLines);
    object.insert(QStringLiteral("changed_lines"), changedLines);
    return object;
}

ModificationScope ModificationScope::fromJson(const QJsonObject &object)
{
    ModificationScope scope;
    const QString state = object.value(QStringLiteral("state")).toString();
    for (const auto candidate : {State::Stated, State::NoFiles, State::Unstated}) {
        if (state == toString(candidate)) {
            scope.state = candidate;
        }
    }
    for (const QJsonValue &value : object.value(QStringLiteral("files")).toArray()) {
        const QJsonObject item = value.toObject();
        scope.entries.append(
            ScopeEntry{item.value(QStringLiteral("path")).toString(), item.value(QStringLiteral("source")).toString()});
    }
    for (const QJsonValue &value : object.value(QStringLiteral("beyond_files")).toArray()) {
        scope.beyondFiles.append(value.toString());
    }
    scope.beyondLines = object.value(QStringLiteral("beyond_lines")).toInt();
    scope.changedLines = object.value(QStringLiteral("changed_lines")).toInt();
    return scope;
}

QJsonObject Modification::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("goal_id"), double(goalId));
    object.insert(QStringLiteral("task_id"), taskId ? QJsonValue(double(*taskId)) : QJsonValue());
    object.insert(QStringLiteral("approvers"), QJsonArray::fromStringList(approvers));
    object.insert(QStringLiteral("assignees"), QJsonArray::fromStringList(assignees));
    object.insert(QStringLiteral("status"), toString(status));
    object.insert(QStringLiteral("title"), title);
    object.insert(QStringLiteral("rationale"), rationale);
    object.insert(QStringLiteral("branch"), branch);
    object.insert(QStringLiteral("target_branch"), targetBranch);
    object.insert(QStringLiteral("base_commit"), baseCommit);
    object.insert(QStringLiteral("head_commit"), headCommit);
    object.insert(QStringLiteral("merge_commit"), mergeCommit.isEmpty() ? QJsonValue() : QJsonValue(mergeCommit));
    object.insert(QStringLiteral("revert_commit"), revertCommit.isEmpty() ? QJsonValue() : QJsonValue(revertCommit));
    object.insert(QStringLiteral("flags"), toArray(flags));
    object.insert(QStringLiteral("conflict_paths"), toArray(conflictPaths));
    object.insert(QStringLiteral("scope"), scope.toJson());
    object.insert(QStringLiteral("version"), version);
    object.insert(QStringLiteral("created_at"), createdAt);
    object.insert(QStringLiteral("updated_at"), updatedAt);
    QJsonArray fileArray;
    int additions = 0;
    int deletions = 0;
    for (const ModificationFile &file : files) {
        fileArray.append(file.toJson());
        additions += file.additions;
        deletions += file.deletions;
    }
    object.insert(QStringLiteral("files"), fileArray);
    QJsonObject stats;
    stats.insert(QStringLiteral("files"), int(files.size()));
    stats.insert(QStringLiteral("additions"), additions);
    stats.insert(QStringLiteral("deletions"), deletions);
    object.insert(QStringLiteral("stats"), stats);
    QJsonArray revisionArray;
    for (const Revision &revision : revisions) {
        revisionArray.append(revision.toJson());
    }
    object.insert(QStringLiteral("revisions"), revisionArray);
    object.insert(QStringLiteral("revision"), revisionOf(headCommit));
    return object;
}

bool isSandboxed(const QString &sandboxDescription)
{
    return sandboxDescription == u"bwrap" || sandboxDescription.startsWith(u"bwrap ");
}

bool TestResultRecord::sandboxed() const
{
    return isSandboxed(sandbox);
}

QJsonObject TestResultRecord::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(id));
    object.insert(QStringLiteral("commit"), commitId);
    object.insert(QStringLiteral("command"), command);
    object.insert(QStringLiteral("sandbox"), sandbox);
    object.insert(QStringLiteral("sandboxed"), sandboxed());
    object.insert(QStringLiteral("outcome"), outcome);
    object.insert(QStringLiteral("exit_code"), exitCode ? QJsonValue(*exitCode) : QJsonValue());
    object.insert(QStringLiteral("passed"), passed);
    object.insert(QStringLiteral("failed"), failed);
    object.insert(QStringLiteral("skipped"), skipped);
    object.insert(QStringLiteral("report"), report);
    object.insert(QStringLiteral("output"), outputPath);
    object.insert(QStringLiteral("started_at"), startedAt);
    object.insert(QStringLiteral("finished_at"), finishedAt);
    return object;
}

} // namespace astra
