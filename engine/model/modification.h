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
bool isFinished(ModificationStatus status); // merged, rejected, rolled_back: the branch can be pruned
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
