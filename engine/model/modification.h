#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace astra {

enum class ModificationStatus
{
    Pending,
    Testing,
    AwaitingApproval,
    Approved,
    Merged,
    Rejected,
    TestsFailed,
    Conflicted,
    RolledBack,
};

QString toString(ModificationStatus status); // "awaiting_approval"
std::optional<ModificationStatus> modificationStatusFromString(const QString &name);
QList<ModificationStatus> allModificationStatuses();

namespace ModificationStateMachine {
QList<ModificationStatus> legalNextStates(ModificationStatus from);
// merged, rejected, rolled_back: the branch can be pruned (a conflicted one can still be updated).
bool isFinished(ModificationStatus status);
QString eventFor(ModificationStatus to); // modification_tested, modification_approved, ...
} // namespace ModificationStateMachine

// One file of a change a proposer asks for. Paths are raw git paths (bytes).
struct FileChange
{
    enum class Kind
    {
        Write, // add or replace the content
        Delete,
        Rename, // move oldPath to path; content replaces it when hasContent
    };
    Kind kind = Kind::Write;
    QByteArray path;
    QByteArray oldPath;
    QByteArray content;
    bool hasContent = true;
    quint32 mode = 0100644; // git file mode of the result: 0100644, 0100755, 0120000 (symlink)
};

// Who wrote a change, as a commit records it: kept when a change is imported.
struct ChangeAuthor
{
    QString name;
    QString email;
    qint64 time = 0; // seconds since the epoch; 0: now
    int offsetMinutes = 0; // the author's time zone
};

struct ChangeSet
{
    QString title;
    QString rationale;
    QList<FileChange> files;
    std::optional<ChangeAuthor> author; // empty: the agent (or Astra Review) wrote it
};

// A file of a written modification, from the final tree diff.
struct ModificationFile
{
    QString path;
    QString oldPath; // renames
    QString change; // added, modified, deleted, renamed
    QString oldBlob;
    QString newBlob;
    quint32 mode = 0;
    int additions = 0;
    int deletions = 0;
    QStringList flags;

    QJsonObject toJson() const;
};

// One version of a modification's change: a commit on its branch. Revision 1 is what the agent
// or the import wrote; each later one (hunk decisions, requested changes, an update onto a moved
// target) is a new commit, tested on its own. Approval, tests and merge name a revision.
struct Revision
{
    qint64 id = 0;
    qint64 modificationId = 0;
    int number = 0; // 1, 2, …
    QString commit;
    QString baseCommit;
    QString origin; // agent, import, hunk_decisions, request_changes, update
    QString createdBy;
    QString createdAt;
    QJsonObject meta;

    QJsonObject toJson() const;
};

// A reviewer's decision on one hunk of a revision (or, with an empty hunk key, on a whole file).
// "Apply decisions" makes the next revision without the rejected parts.
struct HunkDecision
{
    qint64 id = 0;
    qint64 modificationId = 0;
    int revision = 0;
    QString path;
    QString hunkKey; // hunkContentKey(); empty: the whole file
    QString decision; // accepted, rejected
    QString decidedBy;
    QString decidedAt;

    bool isFile() const
    {
        return hunkKey.isEmpty();
    }
    QJsonObject toJson() const;
};

// A reviewer's comment on a line or a hunk of a revision, or (no path) on the change as a whole.
// "Request changes" sends the open ones to the goal's agent; when a new revision comes, a line
// comment moves to its line there, or stays behind as outdated when the line is gone.
struct ReviewComment
{
    qint64 id = 0;
    qint64 modificationId = 0;
    int revision = 0; // the revision it is on now
    int firstRevision = 0; // the revision it was written on
    QString kind = QStringLiteral("comment"); // comment, conflict (an update that did not apply)
    QString path; // empty: on the change as a whole
    int line = 0; // 1-based in the revision's file (side "new") or the base's (side "old"); 0: none
    int firstLine = 0;
    QString side; // new, old; empty without a line
    QString hunkKey;
    QString lineText; // the line it was written on
    QString hunkText; // the hunk it was written on, as a unified diff hunk
    QString body;
    QString author;
    QString createdAt;
    bool outdated = false; // its line changed in a later revision
    int sentInRevision = 0; // the revision requested with it (0: not sent yet)
    QString resolvedBy;
    QString resolvedAt;

    bool isResolved() const
    {
        return !resolvedAt.isEmpty();
    }
    QJsonObject toJson() const;
};

// A file or folder a modification was asked to change, and who named it: its goal (evidence,
// `astra goal add --files`), its plan (a code_read step), its import (`astra propose --files`) or a
// review comment a revision answers.
struct ScopeEntry
{
    QString path; // a repository path; a folder covers every file under it
    QString source; // goal, plan, import, comment

    bool operator==(const ScopeEntry &) const = default;
};

// What a modification was asked to change, and how far it went beyond that: recorded with each
// revision, so that a reviewer sees an agent's scope creep without reading the whole diff.
struct ModificationScope
{
    enum class State
    {
        NotRecorded, // made before scopes were kept
        Stated, // checked against `entries`
        NoFiles, // its goal names no files (added by hand without --files): nothing to check
        Unstated, // an import with neither --files nor a goal that names files: flagged
    };
    State state = State::NotRecorded;
    QList<ScopeEntry> entries;
    QStringList beyondFiles; // the changed files outside it
    int beyondLines = 0; // their lines added and deleted
    int changedLines = 0; // every changed file's lines added and deleted

    // Whether `path` is in it: named, or under a named folder.
    bool contains(const QString &path) const;
    // Adds `path` from `source` unless it is named already, as git names files ("./src//a.py" is
    // src/a.py); a path outside the repository is left out.
    void add(const QString &path, const QString &source);
    QStringList paths() const;
    QJsonObject toJson() const;
    static ModificationScope fromJson(const QJsonObject &object);
};

QString toString(ModificationScope::State state); // "stated", "no_files", "unstated", "not_recorded"

struct Modification
{
    qint64 id = 0;
    qint64 goalId = 0;
    std::optional<qint64> taskId;
    ModificationStatus status = ModificationStatus::Pending;
    QString title;
    QString rationale;
    QString branch;
    QString targetBranch;
    QString baseCommit;
    QString headCommit;
    QString mergeCommit;
    QString revertCommit;
    QStringList flags;
    QStringList conflictPaths;
    int version = 1;
    QString createdAt;
    QString updatedAt;
    QList<ModificationFile> files;
    QList<Revision> revisions; // oldest first; the last one is headCommit
    QStringList approvers; // who approved what is there now (approvals are withdrawn by a new test or revision)
    QStringList assignees; // the people asked to review it
    ModificationScope scope; // of the current revision

    // The revision whose commit is `commit`; 0 when none is.
    int revisionOf(const QString &commit) const;
    QJsonObject toJson() const;
};

struct TestResultRecord
{
    qint64 id = 0;
    qint64 modificationId = 0;
    QString commitId;
    QString command;
    QString sandbox;
    QString outcome; // running, passed, failed, timeout, error
    std::optional<int> exitCode;
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    QJsonObject report;
    QString outputPath;
    QString startedAt;
    QString finishedAt;
    QString runner; // host:pid:start-time of the process running it

    // Whether the command ran in the sandbox ("bwrap ..."); a run with sandbox = "none" did not.
    bool sandboxed() const;
    QJsonObject toJson() const;
};

// Whether a run's sandbox description is the sandbox's ("bwrap", with details after it).
bool isSandboxed(const QString &sandboxDescription);

} // namespace astra

Q_DECLARE_METATYPE(astra::Modification)
