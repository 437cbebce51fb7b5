#include "store/modificationrepository.h"

#include "base/canonicaljson.h"
#include "store/database.h"
#include "store/jsoncolumns.h"
#include "store/taskrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::ModificationRepository)
};

const char *const columns =
    "id, goal_id, task_id, status, title, rationale, branch, target_branch, base_commit, "
    "head_commit, merge_commit, revert_commit, flags, conflict_paths, version, created_at, "
    "updated_at, scope";

// The scope column: JSON, or NULL for a modification made before scopes were kept.
QVariant scopeColumn(const ModificationScope &scope)
{
    return scope.state == ModificationScope::State::NotRecorded ? QVariant() : QVariant(jsonColumn(scope.toJson()));
}

Modification fromQuery(const QSqlQuery &query)
{
    Modification m;
    m.id = query.value(0).toLongLong();
    m.goalId = query.value(1).toLongLong();
    if (!query.value(2).isNull()) {
        m.taskId = query.value(2).toLongLong();
    }
    m.status = modificationStatusFromString(query.value(3).toString()).value_or(ModificationStatus::Rejected);
    m.title = query.value(4).toString();
    m.rationale = query.value(5).toString();
    m.branch = query.value(6).toString();
    m.targetBranch = query.value(7).toString();
    m.baseCommit = query.value(8).toString();
    m.headCommit = query.value(9).toString();
    m.mergeCommit = query.value(10).toString();
    m.revertCommit = query.value(11).toString();
    m.flags = stringListColumn(query.value(12).toString());
    m.conflictPaths = stringListColumn(query.value(13).toString());
    m.version = query.value(14).toInt();
    m.createdAt = query.value(15).toString();
    m.updatedAt = query.value(16).toString();
    if (!query.value(17).isNull()) {
        m.scope = ModificationScope::fromJson(QJsonDocument::fromJson(query.value(17).toString().toUtf8()).object());
    }
    return m;
}

QVariant nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}
} // namespace

ModificationRepository::ModificationRepository(Database &db)
    : m_db(db)
{}

Result<Modification> ModificationRepository::insert(const Modification &modification)
{
    Modification stored = modification;
    stored.createdAt = isoNow();
    stored.updatedAt = stored.createdAt;
    stored.version = 1;
    auto query = m_db.exec(
        Tr::tr("Creating a modification"),
        QStringLiteral("INSERT INTO modifications (goal_id, task_id, status, title, rationale, branch, target_branch, "
                       "base_commit, head_commit, flags, conflict_paths, version, created_at, updated_at, scope) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        {stored.goalId,
         stored.taskId ? QVariant(*stored.taskId) : QVariant(),
         toString(stored.status),
         stored.title,
         stored.rationale,
         stored.branch,
         stored.targetBranch,
         stored.baseCommit,
         nullIfEmpty(stored.headCommit),
         jsonColumn(QJsonArray::fromStringList(stored.flags)),
         jsonColumn(QJsonArray::fromStringList(stored.conflictPaths)),
         stored.version,
         stored.createdAt,
         stored.updatedAt,
         scopeColumn(stored.scope)});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Creating a modification returned no id"));
    }
    stored.id = query->value(0).toLongLong();
    return stored;
}

Status ModificationRepository::setCommit(qint64 id, const QString &branch, const QString &headCommit)
{
    auto updated = m_db.execUpdate(Tr::tr("Recording the commit of modification %1").arg(id),
                                   QStringLiteral("UPDATE modifications SET branch = ?, head_commit = ? WHERE id = ?"),
                                   {branch, headCommit, id});
    if (!updated) {
        return updated.error();
    }
    return {};
}

Status ModificationRepository::insertFiles(qint64 id, const QList<ModificationFile> &files)
{
    for (const ModificationFile &file : files) {
        auto inserted = m_db.exec(Tr::tr("Recording the files of modification %1").arg(id),
                                  QStringLiteral("INSERT INTO modification_files (modification_id, path, old_path, "
                                                 "change, old_blob, new_blob, mode, additions, deletions, flags) "
                                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                                  {id,
                                   file.path,
                                   nullIfEmpty(file.oldPath),
                                   file.change,
                                   nullIfEmpty(file.oldBlob),
                                   nullIfEmpty(file.newBlob),
                                   int(file.mode),
                                   file.additions,
                                   file.deletions,
                                   jsonColumn(QJsonArray::fromStringList(file.flags))});
        if (!inserted) {
            return inserted.error();
        }
    }
    return {};
}

namespace {
// "?, ?, ?" for `ids`, and their values to bind.
QString placeholders(const QList<qint64> &ids, QVariantList *binds)
{
    QStringList marks;
    for (qint64 id : ids) {
        marks.append(QStringLiteral("?"));
        binds->append(id);
    }
    return marks.join(QStringLiteral(", "));
}
} // namespace

Result<Modification> ModificationRepository::find(qint64 id) const
{
    auto query = m_db.exec(Tr::tr("Reading modification %1").arg(id),
                           QStringLiteral("SELECT %1 FROM modifications WHERE id = ?").arg(QLatin1String(columns)),
                           {id});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Modification %1 does not exist; `astra mods` lists them.").arg(id),
                         ErrorKind::NotFound);
    }
    Modification modification = fromQuery(*query);
    auto files = filesOf({id});
    auto revisions = revisionsOf({id});
    if (!files || !revisions) {
        return !files ? files.error() : revisions.error();
    }
    modification.files = files->value(id);
    modification.revisions = revisions->value(id);
    auto approvedBy = approvers(id);
    auto assigned = assigneesOf({id});
    if (!approvedBy || !assigned) {
        return !approvedBy ? approvedBy.error() : assigned.error();
    }
    modification.approvers = *approvedBy;
    modification.assignees = assigned->value(id);
    return modification;
}

Result<Modification> ModificationRepository::touch(const Modification &modification)
{
    Modification updated = modification;
    updated.version = modification.version + 1;
    updated.updatedAt = isoNow();
    if (Status written = m_db.execVersioned(
            Tr::tr("Updating modification %1").arg(modification.id),
            QStringLiteral("UPDATE modifications SET version = ?, updated_at = ? WHERE id = ? AND version = ?"),
            {updated.version, updated.updatedAt, modification.id, modification.version},
            Tr::tr("Modification %1 was changed by someone else since it was read (version %2); nothing "
                   "was written. Reload it and try again.")
                .arg(modification.id)
                .arg(modification.version));
        !written) {
        return written.error();
    }
    return updated;
}

Result<QStringList> ModificationRepository::approvers(qint64 modificationId) const
{
    auto rows = m_db.readAll(Tr::tr("Reading the approvals of modification %1").arg(modificationId),
                             QStringLiteral("SELECT reviewer FROM reviews WHERE modification_id = ? AND decision = "
                                            "'approved' AND withdrawn = 0 ORDER BY id"),
                             {modificationId},
                             [](const QSqlQuery &query) { return query.value(0).toString(); });
    if (!rows) {
        return rows.error();
    }
    return QStringList(*rows);
}

Result<QHash<qint64, QStringList>> ModificationRepository::approversOf(const QList<qint64> &ids) const
{
    return namesOf(ids,
                   Tr::tr("Reading the approvals of modifications"),
                   QStringLiteral("SELECT modification_id, reviewer FROM reviews WHERE modification_id IN (%1) AND "
                                  "decision = 'approved' AND withdrawn = 0 ORDER BY id"));
}

Result<QHash<qint64, QStringList>>
ModificationRepository::namesOf(const QList<qint64> &ids, const QString &what, const QString &sql) const
{
    QHash<qint64, QStringList> result;
    if (ids.isEmpty()) {
        return result;
    }
    QVariantList binds;
    auto query = m_db.exec(what, sql.arg(placeholders(ids, &binds)), binds);
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        result[query->value(0).toLongLong()].append(query->value(1).toString());
    }
    return result;
}

Status ModificationRepository::withdrawApprovals(qint64 modificationId)
{
    auto changed = m_db.execUpdate(Tr::tr("Withdrawing the approvals of modification %1").arg(modificationId),
                                   QStringLiteral("UPDATE reviews SET withdrawn = 1 WHERE modification_id = ? AND "
                                                  "decision = 'approved' AND withdrawn = 0"),
                                   {modificationId});
    return changed ? Status() : Status(changed.error());
}

Result<QHash<qint64, QStringList>> ModificationRepository::assigneesOf(const QList<qint64> &ids) const
{
    return namesOf(ids,
                   Tr::tr("Reading who is asked to review"),
                   QStringLiteral("SELECT modification_id, person FROM review_assignments WHERE modification_id IN "
                                  "(%1) ORDER BY id"));
}

Status ModificationRepository::assignReviewer(qint64 modificationId, const QString &person, const QString &by)
{
    auto inserted = m_db.exec(Tr::tr("Asking %1 to review modification %2").arg(person).arg(modificationId),
                              QStringLiteral("INSERT INTO review_assignments (modification_id, person, assigned_by, "
                                             "assigned_at) VALUES (?, ?, ?, ?)"),
                              {modificationId, person, by, isoNow()});
    if (!inserted && inserted.error().kind == ErrorKind::Conflict) {
        return makeError(Tr::tr("%1 is already asked to review modification %2; nothing was changed.")
                             .arg(person)
                             .arg(modificationId),
                         ErrorKind::Conflict);
    }
    return inserted ? Status() : Status(inserted.error());
}

Status ModificationRepository::unassignReviewer(qint64 modificationId, const QString &person)
{
    auto removed = m_db.execUpdate(
        Tr::tr("Withdrawing the request to %1 to review modification %2").arg(person).arg(modificationId),
        QStringLiteral("DELETE FROM review_assignments WHERE modification_id = ? AND person = ?"),
        {modificationId, person});
    if (!removed) {
        return removed.error();
    }
    if (*removed == 0) {
        return makeError(
            Tr::tr("%1 is not asked to review modification %2; nothing was changed.").arg(person).arg(modificationId),
            ErrorKind::NotFound);
    }
    return {};
}

Result<qint64> ModificationRepository::insertRevision(const Revision &revision)
{
    auto inserted =
        m_db.exec(Tr::tr("Recording revision %1 of modification %2").arg(revision.number).arg(revision.modificationId),
                  QStringLiteral("INSERT INTO revisions (modification_id, number, commit_id, base_commit, origin, "
                                 "created_by, created_at, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                  {revision.modificationId,
                   revision.number,
                   revision.commit,
                   revision.baseCommit,
                   revision.origin,
                   revision.createdBy,
                   revision.createdAt.isEmpty() ? isoNow() : revision.createdAt,
                   QString::fromUtf8(canonicalJson(revision.meta))});
    if (!inserted) {
        return inserted.error();
    }
    if (!inserted->next()) {
        return makeError(Tr::tr("Recording revision %1 of modification %2 returned no id")
                             .arg(revision.number)
                             .arg(revision.modificationId));
    }
    return inserted->value(0).toLongLong();
}

Result<QList<Revision>> ModificationRepository::revisions(qint64 modificationId) const
{
    auto all = revisionsOf({modificationId});
    if (!all) {
        return all.error();
    }
    return all->value(modificationId);
}

Result<QHash<qint64, QList<ModificationFile>>> ModificationRepository::filesOf(const QList<qint64> &ids) const
{
    QHash<qint64, QList<ModificationFile>> result;
    if (ids.isEmpty()) {
        return result;
    }
    QVariantList binds;
    const QString in = placeholders(ids, &binds);
    auto files = m_db.exec(Tr::tr("Reading the files of modifications"),
                           QStringLiteral("SELECT modification_id, path, old_path, change, old_blob, new_blob, mode, "
                                          "additions, deletions, flags FROM modification_files WHERE modification_id "
                                          "IN (%1) ORDER BY modification_id, path")
                               .arg(in),
                           binds);
    if (!files) {
        return files.error();
    }
    while (files->next()) {
        ModificationFile file;
        file.path = files->value(1).toString();
        file.oldPath = files->value(2).toString();
        file.change = files->value(3).toString();
        file.oldBlob = files->value(4).toString();
        file.newBlob = files->value(5).toString();
        file.mode = quint32(files->value(6).toInt());
        file.additions = files->value(7).toInt();
        file.deletions = files->value(8).toInt();
        file.flags = stringListColumn(files->value(9).toString());
        result[files->value(0).toLongLong()].append(file);
    }
    return result;
}

Result<QHash<qint64, QList<Revision>>> ModificationRepository::revisionsOf(const QList<qint64> &ids) const
{
    QHash<qint64, QList<Revision>> result;
    if (ids.isEmpty()) {
        return result;
    }
    QVariantList binds;
    const QString in = placeholders(ids, &binds);
    auto query = m_db.exec(Tr::tr("Reading the revisions of modifications"),
                           QStringLiteral("SELECT id, number, commit_id, base_commit, origin, created_by, created_at, "
                                          "meta, modification_id FROM revisions WHERE modification_id IN (%1) ORDER BY "
                                          "modification_id, number")
                               .arg(in),
                           binds);
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        Revision revision;
        revision.id = query->value(0).toLongLong();
        revision.modificationId = query->value(8).toLongLong();
        revision.number = query->value(1).toInt();
        revision.commit = query->value(2).toString();
        revision.baseCommit = query->value(3).toString();
        revision.origin = query->value(4).toString();
        revision.createdBy = query->value(5).toString();
        revision.createdAt = query->value(6).toString();
        revision.meta = QJsonDocument::fromJson(query->value(7).toString().toUtf8()).object();
        result[revision.modificationId].append(revision);
    }
    return result;
}

Result<QList<Modification>> ModificationRepository::list(std::optional<ModificationStatus> status) const
{
    QString sql = QStringLiteral("SELECT %1 FROM modifications").arg(QLatin1String(columns));
    QVariantList binds;
    if (status) {
        sql += QStringLiteral(" WHERE status = ?");
        binds.append(toString(*status));
    }
    sql += QStringLiteral(" ORDER BY id");
    return m_db.readAll(Tr::tr("Listing modifications"), sql, binds, fromQuery);
}

Result<Modification> ModificationRepository::updateStatus(const Modification &modification, ModificationStatus to)
{
    Modification updated = modification;
    updated.status = to;
    updated.version = modification.version + 1;
    updated.updatedAt = isoNow();
    if (Status written = m_db.execVersioned(
            Tr::tr("Updating modification %1").arg(modification.id),
            QStringLiteral("UPDATE modifications SET status = ?, version = ?, updated_at = ?, merge_commit = ?, "
                           "revert_commit = ?, conflict_paths = ? WHERE id = ? AND version = ?"),
            {toString(to),
             updated.version,
             updated.updatedAt,
             nullIfEmpty(updated.mergeCommit),
             nullIfEmpty(updated.revertCommit),
             jsonColumn(QJsonArray::fromStringList(updated.conflictPaths)),
             modification.id,
             modification.version},
            Tr::tr("Modification %1 was changed by someone else since it was read (version %2); nothing "
                   "was written. Reload it and try again.")
                .arg(modification.id)
                .arg(modification.version));
        !written) {
        return written.error();
    }
    // Back to testing or to a new revision: what was approved is not what will be there.
    if (to == ModificationStatus::Pending || to == ModificationStatus::Testing) {
        if (Status withdrawn = withdrawApprovals(modification.id); !withdrawn) {
            return withdrawn.error();
        }
    }
    return updated;
}

Result<qint64> ModificationRepository::insertTestResult(const TestResultRecord &record)
{
    auto query =
        m_db.exec(Tr::tr("Recording a test run"),
                  QStringLiteral("INSERT INTO test_results (modification_id, commit_id, command, sandbox, "
                                 "outcome, exit_code, passed, failed, skipped, report, output_path, "
                                 "started_at, finished_at, runner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?) RETURNING id"),
                  {record.modificationId,
                   record.commitId,
                   record.command,
                   record.sandbox,
                   record.outcome,
                   record.exitCode ? QVariant(*record.exitCode) : QVariant(),
                   record.passed,
                   record.failed,
                   record.skipped,
                   QString::fromUtf8(canonicalJson(record.report)),
                   nullIfEmpty(record.outputPath),
                   record.startedAt,
                   nullIfEmpty(record.finishedAt),
                   record.runner});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Recording a test run returned no id"));
    }
    return query->value(0).toLongLong();
}

Status ModificationRepository::finishTestResult(const TestResultRecord &record)
{
    auto updated = m_db.execUpdate(Tr::tr("Recording a test result"),
                                   QStringLiteral("UPDATE test_results SET sandbox = ?, outcome = ?, exit_code = ?, "
                                                  "passed = ?, failed = ?, skipped = ?, report = ?, output_path = ?, "
                                                  "finished_at = ? WHERE id = ?"),
                                   {record.sandbox,
                                    record.outcome,
                                    record.exitCode ? QVariant(*record.exitCode) : QVariant(),
                                    record.passed,
                                    record.failed,
                                    record.skipped,
                                    QString::fromUtf8(canonicalJson(record.report)),
                                    nullIfEmpty(record.outputPath),
                                    record.finishedAt,
                                    record.id});
    if (!updated) {
        return updated.error();
    }
    return {};
}

Result<QList<TestResultRecord>> ModificationRepository::testResults(qint64 modificationId) const
{
    auto all = testResultsOf({modificationId}, false);
    if (!all) {
        return all.error();
    }
    return all->value(modificationId);
}

Result<QHash<qint64, QList<TestResultRecord>>> ModificationRepository::testResultsOf(const QList<qint64> &ids,
                                                                                     bool latestOnly) const
{
    QHash<qint64, QList<TestResultRecord>> result;
    if (ids.isEmpty()) {
        return result;
    }
    QVariantList binds;
    const QString in = placeholders(ids, &binds);
    const QString latest = latestOnly ? QStringLiteral(
                                            " AND id IN (SELECT MAX(id) FROM test_results WHERE "
                                            "modification_id IN (%1) GROUP BY modification_id)")
                                            .arg(in)
                                      : QString();
    if (latestOnly) {
        binds += binds;
    }
    auto query = m_db.exec(Tr::tr("Reading test results"),
                           QStringLiteral("SELECT id, commit_id, command, sandbox, outcome, exit_code, passed, failed, "
                                          "skipped, report, output_path, started_at, finished_at, modification_id "
                                          "FROM test_results WHERE modification_id IN (%1)%2 ORDER BY id")
                               .arg(in, latest),
                           binds);
    if (!query) {
        return query.error();
    }
    while (query->next()) {
        TestResultRecord record;
        record.id = query->value(0).toLongLong();
        record.modificationId = query->value(13).toLongLong();
        record.commitId = query->value(1).toString();
        record.command = query->value(2).toString();
        record.sandbox = query->value(3).toString();
        record.outcome = query->value(4).toString();
        if (!query->value(5).isNull()) {
            record.exitCode = query->value(5).toInt();
        }
        record.passed = query->value(6).toInt();
        record.failed = query->value(7).toInt();
        record.skipped = query->value(8).toInt();
        record.report = QJsonDocument::fromJson(query->value(9).toString().toUtf8()).object();
        record.outputPath = query->value(10).toString();
        record.startedAt = query->value(11).toString();
        record.finishedAt = query->value(12).toString();
        result[record.modificationId].append(record);
    }
    return result;
}

Result<QStringList> ModificationRepository::runningTestRunners(qint64 modificationId) const
{
    auto query = m_db.exec(Tr::tr("Reading test runs"),
                           QStringLiteral("SELECT runner FROM test_results WHERE modification_id = ? AND outcome = "
                                          "'running'"),
                           {modificationId});
    if (!query) {
        return query.error();
    }
    QStringList runners;
    while (query->next()) {
        runners.append(query->value(0).toString());
    }
    return runners;
}

Status ModificationRepository::insertReview(qint64 modificationId,
                                            const QString &reviewer,
                                            const QString &decision,
                                            const QString &reason,
                                            const QString &headSeen,
                                            int revision)
{
    auto inserted = m_db.exec(Tr::tr("Recording a review"),
                              QStringLiteral("INSERT INTO reviews (modification_id, reviewer, decision, reason, "
                                             "head_seen, revision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                              {modificationId,
                               reviewer,
                               decision,
                               reason,
                               nullIfEmpty(headSeen),
                               revision > 0 ? QVariant(revision) : QVariant(),
                               isoNow()});
    if (!inserted) {
        return inserted.error();
    }
    return {};
}

Result<QString> ModificationRepository::latestApproval(qint64 modificationId, const char *column) const
{
    auto query = m_db.exec(Tr::tr("Reading reviews"),
                           QStringLiteral("SELECT %1 FROM reviews WHERE modification_id = ? AND decision = 'approved' "
                                          "AND withdrawn = 0 ORDER BY id DESC")
                               .arg(QLatin1String(column)),
                           {modificationId});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Modification %1 has no approving review.").arg(modificationId), ErrorKind::Refused);
    }
    return query->value(0).toString();
}

Result<QString> ModificationRepository::approvedHeadSeen(qint64 modificationId) const
{
    return latestApproval(modificationId, "head_seen");
}

Result<QString> ModificationRepository::approvedBy(qint64 modificationId) const
{
    return latestApproval(modificationId, "reviewer");
}

Result<Modification> ModificationRepository::updateRevision(const Modification &modification,
                                                            const QString &baseCommit,
                                                            const QString &headCommit,
                                                            const QStringList &flags,
                                                            const ModificationScope &scope)
{
    Modification updated = modification;
    updated.baseCommit = baseCommit;
    updated.headCommit = headCommit;
    updated.flags = flags;
    updated.scope = scope;
    updated.conflictPaths.clear();
    updated.version = modification.version + 1;
    updated.updatedAt = isoNow();
    if (Status written = m_db.execVersioned(
            Tr::tr("Recording the new revision of modification %1").arg(modification.id),
            QStringLiteral("UPDATE modifications SET base_commit = ?, head_commit = ?, flags = ?, conflict_paths = ?, "
                           "scope = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?"),
            {baseCommit,
             headCommit,
             jsonColumn(QJsonArray::fromStringList(flags)),
             jsonColumn(QJsonArray()),
             scopeColumn(scope),
             updated.version,
             updated.updatedAt,
             modification.id,
             modification.version},
            Tr::tr("Modification %1 was changed by someone else since it was read (version %2); nothing "
                   "was written. Reload it and try again.")
                .arg(modification.id)
                .arg(modification.version));
        !written) {
        return written.error();
    }
    return updated;
}

Status ModificationRepository::replaceFiles(qint64 id, const QList<ModificationFile> &files)
{
    auto removed = m_db.exec(Tr::tr("Replacing the files of modification %1").arg(id),
                             QStringLiteral("DELETE FROM modification_files WHERE modification_id = ?"),
                             {id});
    if (!removed) {
        return removed.error();
    }
    return insertFiles(id, files);
}

Status ModificationRepository::setHunkDecision(const HunkDecision &decision)
{
    if (Status cleared = clearHunkDecision(decision.modificationId, decision.revision, decision.path, decision.hunkKey);
        !cleared) {
        return cleared;
    }
    auto inserted = m_db.exec(Tr::tr("Recording a decision on modification %1").arg(decision.modificationId),
                              QStringLiteral("INSERT INTO hunk_decisions (modification_id, revision, path, hunk_key, "
                                             "decision, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                              {decision.modificationId,
                               decision.revision,
                               decision.path,
                               decision.hunkKey,
                               decision.decision,
                               decision.decidedBy,
                               decision.decidedAt.isEmpty() ? isoNow() : decision.decidedAt});
    return inserted ? Status() : Status(inserted.error());
}

Status ModificationRepository::clearHunkDecision(qint64 modificationId,
                                                 int revision,
                                                 const QString &path,
                                                 const QString &hunkKey)
{
    auto removed = m_db.exec(Tr::tr("Clearing a decision on modification %1").arg(modificationId),
                             QStringLiteral("DELETE FROM hunk_decisions WHERE modification_id = ? AND revision = ? AND "
                                            "path = ? AND hunk_key = ?"),
                             {modificationId, revision, path, hunkKey});
    return removed ? Status() : Status(removed.error());
}

Result<QList<HunkDecision>> ModificationRepository::hunkDecisions(qint64 modificationId, int revision) const
{
    auto query =
        m_db.exec(Tr::tr("Reading the decisions on modification %1").arg(modificationId),
                  QStringLiteral("SELECT id, path, hunk_key, decision, decided_by, decided_at FROM "
                                 "hunk_decisions WHERE modification_id = ? AND revision = ? ORDER BY path, id"),
                  {modificationId, revision});
    if (!query) {
        return query.error();
    }
    QList<HunkDecision> decisions;
    while (query->next()) {
        HunkDecision decision;
        decision.id = query->value(0).toLongLong();
        decision.modificationId = modificationId;
        decision.revision = revision;
        decision.path = query->value(1).toString();
        decision.hunkKey = query->value(2).toString();
        decision.decision = query->value(3).toString();
        decision.decidedBy = query->value(4).toString();
        decision.decidedAt = query->value(5).toString();
        decisions.append(decision);
    }
    return decisions;
}

namespace {
const char *const commentColumns =
    "id, modification_id, revision, first_revision, kind, path, line, first_line, side, hunk_key, line_text, "
    "hunk_text, body, author, created_at, outdated, sent_in_revision, resolved_by, resolved_at";

ReviewComment commentFromQuery(const QSqlQuery &query)
{
    ReviewComment comment;
    comment.id = query.value(0).toLongLong();
    comment.modificationId = query.value(1).toLongLong();
    comment.revision = query.value(2).toInt();
    comment.firstRevision = query.value(3).toInt();
    comment.kind = query.value(4).toString();
    comment.path = query.value(5).toString();
    comment.line = query.value(6).toInt();
    comment.firstLine = query.value(7).toInt();
    comment.side = query.value(8).toString();
    comment.hunkKey = query.value(9).toString();
    comment.lineText = query.value(10).toString();
    comment.hunkText = query.value(11).toString();
    comment.body = query.value(12).toString();
    comment.author = query.value(13).toString();
    comment.createdAt = query.value(14).toString();
    comment.outdated = query.value(15).toInt() != 0;
    comment.sentInRevision = query.value(16).toInt();
    comment.resolvedBy = query.value(17).toString();
    comment.resolvedAt = query.value(18).toString();
    return comment;
}

QVariant nullIfZero(int value)
{
    return value > 0 ? QVariant(value) : QVariant();
}
} // namespace

Result<ReviewComment> ModificationRepository::insertComment(const ReviewComment &comment)
{
    ReviewComment stored = comment;
    stored.createdAt = isoNow();
    stored.firstRevision = comment.firstRevision > 0 ? comment.firstRevision : comment.revision;
    stored.firstLine = comment.firstLine > 0 ? comment.firstLine : comment.line;
    auto query = m_db.exec(
        Tr::tr("Recording a comment on modification %1").arg(comment.modificationId),
        QStringLiteral("INSERT INTO review_comments (modification_id, revision, first_revision, kind, path, line, "
                       "first_line, side, hunk_key, line_text, hunk_text, body, author, created_at, outdated) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id"),
        {stored.modificationId,
         stored.revision,
         stored.firstRevision,
         stored.kind,
         nullIfEmpty(stored.path),
         nullIfZero(stored.line),
         nullIfZero(stored.firstLine),
         nullIfEmpty(stored.side),
         nullIfEmpty(stored.hunkKey),
         stored.lineText,
         stored.hunkText,
         stored.body,
         stored.author,
         stored.createdAt});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("Recording a comment returned no id"));
    }
    stored.id = query->value(0).toLongLong();
    return stored;
}

Result<QList<ReviewComment>> ModificationRepository::comments(qint64 modificationId) const
{
    auto query = m_db.exec(Tr::tr("Reading the comments on modification %1").arg(modificationId),
                           QStringLiteral("SELECT %1 FROM review_comments WHERE modification_id = ? ORDER BY id")
                               .arg(QLatin1String(commentColumns)),
                           {modificationId});
    if (!query) {
        return query.error();
    }
    QList<ReviewComment> result;
    while (query->next()) {
        result.append(commentFromQuery(*query));
    }
    return result;
}

Result<ReviewComment> ModificationRepository::comment(qint64 commentId) const
{
    auto query =
        m_db.exec(Tr::tr("Reading comment %1").arg(commentId),
                  QStringLiteral("SELECT %1 FROM review_comments WHERE id = ?").arg(QLatin1String(commentColumns)),
                  {commentId});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(
            Tr::tr("Comment %1 does not exist; `astra mod comments N` lists a modification's comments.").arg(commentId),
            ErrorKind::NotFound);
    }
    return commentFromQuery(*query);
}

Status ModificationRepository::updateComment(const ReviewComment &comment)
{
    auto updated =
        m_db.execUpdate(Tr::tr("Updating comment %1").arg(comment.id),
                        QStringLiteral("UPDATE review_comments SET revision = ?, line = ?, path = ?, outdated = ?, "
                                       "sent_in_revision = ?, resolved_by = ?, resolved_at = ? WHERE id = ?"),
                        {comment.revision,
                         nullIfZero(comment.line),
                         nullIfEmpty(comment.path),
                         comment.outdated ? 1 : 0,
                         nullIfZero(comment.sentInRevision),
                         nullIfEmpty(comment.resolvedBy),
                         nullIfEmpty(comment.resolvedAt),
                         comment.id});
    if (!updated) {
        return updated.error();
    }
    return {};
}

Result<int> ModificationRepository::lastReviewedRevision(qint64 modificationId, const QString &who) const
{
    auto query = m_db.exec(
        Tr::tr("Reading the reviews of modification %1").arg(modificationId),
        QStringLiteral("SELECT MAX(r) FROM (SELECT MAX(revision) AS r FROM reviews WHERE modification_id = ? AND "
                       "reviewer = ? UNION ALL SELECT MAX(revision) FROM hunk_decisions WHERE modification_id = ? AND "
                       "decided_by = ? UNION ALL SELECT MAX(first_revision) FROM review_comments WHERE "
                       "modification_id = ? AND author = ?) AS seen"),
        {modificationId, who, modificationId, who, modificationId, who});
    if (!query) {
        return query.error();
    }
    return query->next() ? query->value(0).toInt() : 0;
}

} // namespace astra
