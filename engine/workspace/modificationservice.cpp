#include "workspace/modificationservice.h"

#include "base/crashpoint.h"
#include "base/logging.h"
#include "base/processid.h"
#include "base/sharedtext.h"
#include "git/gitrepository.h"
#include "git/merger.h"
#include "git/modificationwriter.h"
#include "git/patchimport.h"
#include "git/patchmail.h"
#include "git/revisions.h"
#include "git/treediff.h"
#include "policy/pathpolicy.h"
#include "policy/scope.h"
#include "sandbox/testrunner.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "store/planrepository.h"
#include "store/taskrepository.h"
#include "store/transitions.h"
#include "workspace/decisions.h"
#include "workspace/exportedrun.h"
#include "workspace/goalservice.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

QJsonArray toArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list) {
        array.append(item);
    }
    return array;
}

QJsonArray violationsToJson(const QList<PolicyViolation> &violations)
{
    QJsonArray list;
    for (const PolicyViolation &violation : violations) {
        QJsonObject item;
        item.insert(QStringLiteral("path"), QString::fromUtf8(violation.path));
        item.insert(QStringLiteral("path_hex"), QString::fromLatin1(violation.path.toHex()));
        item.insert(QStringLiteral("rule"), policyRuleName(violation.rule));
        item.insert(QStringLiteral("message"), violation.message);
        list.append(item);
    }
    return list;
}

// A ledger event as the past tense of what a person did.
QString decisionVerb(const QString &event)
{
    if (event == u"modification_approved" || event == u"modification_approval_recorded") {
        return Tr::tr("approved it");
    }
    if (event == u"modification_merged") {
        return Tr::tr("merged it");
    }
    if (event == u"modification_rejected") {
        return Tr::tr("rejected it");
    }
    if (event == u"modification_rolled_back") {
        return Tr::tr("rolled it back");
    }
    if (event == u"modification_conflicted") {
        return Tr::tr("found it in conflict");
    }
    return Tr::tr("changed it (%1)").arg(event);
}

QString commitMessage(const Modification &modification, const Goal &goal)
{
    QString message = modification.title.trimmed();
    if (message.isEmpty()) {
        message = goal.title;
    }
    message += QStringLiteral("\n\n");
    if (!modification.rationale.trimmed().isEmpty()) {
        message += modification.rationale.trimmed() + QStringLiteral("\n\n");
    }
    message += QStringLiteral("Astra-Goal: %1\nAstra-Modification: %2\n").arg(goal.id).arg(modification.id);
    if (modification.taskId) {
        message += QStringLiteral("Astra-Task: %1\n").arg(*modification.taskId);
    }
    return message;
}
// Whether an imported change can become goal `goal`'s work: not while its agent is at work, nor
// over a plan that has started; a refusal names what to do instead.
Status checkImportTarget(Database &db, const Goal &goal)
{
    if (goal.state == GoalState::Executing) {
        return makeError(Tr::tr("Goal %1 is executing: its plan's tasks are at work on it. Wait for its "
                                "modification, or cancel its tasks (`astra tasks`, `astra task cancel ID`), then "
                                "import the change.")
                             .arg(goal.id),
                         ErrorKind::Refused);
    }
    if (goal.state != GoalState::Planned) {
        return {};
    }
    auto plan = PlanRepository(db).current(goal.id);
    if (!plan) {
        return plan.error();
    }
    if (!*plan) {
        return {};
    }
    auto tasks = TaskRepository(db).forPlan((*plan)->id);
    if (!tasks) {
        return tasks.error();
    }
    if (hasStarted(*tasks)) {
        return makeError(Tr::tr("Plan %1 of goal %2 has started running; an imported change cannot replace it. "
                                "Cancel its tasks first (`astra tasks`), then import the change.")
                             .arg((*plan)->id)
                             .arg(goal.id),
                         ErrorKind::Refused);
    }
    return {};
}
} // namespace

PolicyLimits policyLimitsFor(const Config &config)
{
    PolicyLimits limits;
    limits.maxFileBytes = qint64(config.policy.maxFileKb) * 1024;
    limits.maxFiles = config.policy.maxFiles;
    limits.maxTotalBytes = qint64(config.policy.maxTotalKb) * 1024;
    return limits;
}

Result<ModificationScope> scopeOfGoal(Database &db, const Goal &goal, std::optional<qint64> taskId, bool imported)
{
    ModificationScope scope;
    for (const QString &file : goal.files()) {
        scope.add(file, QStringLiteral("goal"));
    }
    std::optional<qint64> planId;
    if (taskId) {
        auto task = TaskRepository(db).find(*taskId);
        if (!task) {
            return task.error();
        }
        planId = task->planId;
    } else {
        auto plan = PlanRepository(db).current(goal.id);
        if (!plan) {
            return plan.error();
        }
        if (*plan) {
            planId = (*plan)->id;
        }
    }
    if (planId) {
        auto tasks = TaskRepository(db).forPlan(*planId);
        if (!tasks) {
            return tasks.error();
        }
        for (const TaskRecord &task : std::as_const(*tasks)) {
            if (task.kind == u"code_read") {
                scope.add(task.input.value(QStringLiteral("path")).toString(), QStringLiteral("plan"));
            }
        }
    }
    scope.state = !scope.entries.isEmpty() ? ModificationScope::State::Stated
        : imported                         ? ModificationScope::State::Unstated
                                           : ModificationScope::State::NoFiles;
    return scope;
}

Error scopeRefusal(const QList<PolicyViolation> &violations, const QString &advice)
{
    QStringList lines;
    bool beyond = false;
    for (const PolicyViolation &violation : violations) {
        lines.append(violation.message);
        beyond |= violation.rule == PolicyRule::BeyondScope;
    }
    if (beyond && !advice.isEmpty()) {
        lines.append(advice);
    }
    return makeError(Tr::tr("The policy refused the change; nothing was written:\n%1").arg(lines.join(u'\n')),
                     ErrorKind::Refused);
}

QJsonObject scopeRecord(const ModificationScope &scope, const QList<ModificationFile> &files)
{
    QJsonArray changed;
    for (const ModificationFile &file : files) {
        QJsonObject item;
        item.insert(QStringLiteral("path"), file.path);
        item.insert(QStringLiteral("additions"), file.additions);
        item.insert(QStringLiteral("deletions"), file.deletions);
        changed.append(item);
    }
    QJsonObject extra;
    extra.insert(QStringLiteral("scope"), scope.toJson());
    extra.insert(QStringLiteral("changed_files"), changed);
    return extra;
}

QString policySourceOf(const Config &config)
{
    return config.policySource.isEmpty() ? config.sourcePath : config.policySource;
}

ModificationService::ModificationService(Database &db,
                                         GitRepository &repo,
                                         const Config &config,
                                         Ledger &ledger,
                                         Decisions &decisions,
                                         GoalService &goals,
                                         QString stateDir)
    : m_db(db)
    , m_repo(repo)
    , m_config(config)
    , m_ledger(ledger)
    , m_decisions(decisions)
    , m_goals(goals)
    , m_stateDir(std::move(stateDir))
{}

Status ModificationService::recordViolations(qint64 goalId,
                                             const QString &source,
                                             const QList<PolicyViolation> &violations,
                                             const QJsonObject &extra)
{
    return m_db.writeTransaction([&]() -> Status {
        QJsonObject meta = extra;
        meta.insert(QStringLiteral("source"), source);
        meta.insert(QStringLiteral("violations"), violationsToJson(violations));
        auto entry = m_ledger.append(LedgerRecord{m_decisions.actor(),
                                                  QStringLiteral("policy_violation"),
                                                  QStringLiteral("goal:%1").arg(goalId),
                                                  meta});
        return entry ? Status() : Status(entry.error());
    });
}

Result<Modification> ModificationService::create(qint64 goalId,
                                                 const ChangeSet &changes,
                                                 const QString &who,
                                                 std::optional<TaskClaim> claim,
                                                 const QString &baseCommit)
{
    return createFor(goalId, std::nullopt, changes, who, claim, baseCommit);
}

Result<Modification> ModificationService::createFor(qint64 goalId,
                                                    const std::optional<Goal> &newGoal,
                                                    const ChangeSet &changes,
                                                    const QString &who,
                                                    std::optional<TaskClaim> claim,
                                                    const QString &baseCommit,
                                                    bool imported,
                                                    const QStringList &importFiles)
{
    auto goal = newGoal ? Result<Goal>(*newGoal) : GoalRepository(m_db).find(goalId);
    if (!goal) {
        return goal.error();
    }
    if (!newGoal && !GoalStateMachine::isOpen(goal->state)) {
        return makeError(Tr::tr("Goal %1 is '%2': a finished goal takes no new modifications.")
                             .arg(goalId)
                             .arg(toString(goal->state)),
                         ErrorKind::Refused);
    }
    auto policy = PathPolicy::create(m_config.policy, policyLimitsFor(m_config));
    if (!policy) {
        return policy.error();
    }
    const QString target = m_config.workspace.targetBranch;
    auto base = baseCommit.isEmpty() ? m_repo.branchCommit(target) : Result<QString>(baseCommit);
    if (!base) {
        return base.error();
    }
    ModificationWriter writer(m_repo, *policy);
    QList<PolicyViolation> violations;
    auto prepared = writer.prepare(*base, changes, &violations);
    if (!prepared) {
        if (!violations.isEmpty()) {
            if (newGoal) {
                if (Status recorded =
                        recordImportRefusal(std::nullopt, newGoal->title, QStringLiteral("change_set"), violations);
                    !recorded) {
                    return recorded.error();
                }
            } else {
                if (Status recorded = recordViolations(goalId, QStringLiteral("change_set"), violations); !recorded) {
                    return recorded.error();
                }
                m_decisions.checkpointAfterDecision();
            }
        }
        return prepared.error();
    }
    // What it was asked to change: a change beyond it is flagged, or refused before anything is written.
    auto scope = scopeForNew(*goal, newGoal.has_value(), claim, imported, importFiles);
    if (!scope) {
        return scope.error();
    }
    if (const QList<PolicyViolation> refused =
            checkScope(*scope, prepared->files, prepared->flags, m_config.policy, policySourceOf(m_config));
        !refused.isEmpty()) {
        const QJsonObject extra = scopeRecord(*scope, prepared->files);
        if (newGoal) {
            if (Status recorded =
                    recordImportRefusal(std::nullopt, newGoal->title, QStringLiteral("change_set"), refused, extra);
                !recorded) {
                return recorded.error();
            }
        } else {
            if (Status recorded = recordViolations(goalId, QStringLiteral("change_set"), refused, extra); !recorded) {
                return recorded.error();
            }
            m_decisions.checkpointAfterDecision();
        }
        return scopeRefusal(refused,
                            imported ? Tr::tr("Name every file the change is meant to touch after --files.")
                                     : Tr::tr("A goal names the files it is about when it is added (`astra goal add "
                                              "TEXT --files PATH...`) or by the detector that found it."));
    }

    Modification created;
    QString createdBranch;
    QString createdCommit;
    bool branchPublished = false;
    const auto teamRefs = m_decisions.holdTeamRefs();
    Status done = m_db.writeTransaction([&]() -> Status {
        // Taken first, so that recovery in another process never sees the branch without the row.
        if (auto locked = m_ledger.lockHead(); !locked) {
            return locked.error();
        }
        // A task's change is written only while its runner still holds the task.
        if (claim) {
            if (Status held = TaskRepository(m_db).checkClaim(*claim); !held) {
                return held;
            }
        }
        if (newGoal) {
            // An import's goal is made with its modification, so that no goal is left without one.
            auto inserted = m_goals.insert(*newGoal);
            if (!inserted) {
                return inserted.error();
            }
            goal = *inserted;
        }
        if (imported) {
            // An imported change is its goal's work, done without a plan.
            auto waiting = awaitImportedChange(*goal, who);
            if (!waiting) {
                return waiting.error();
            }
            goal = *waiting;
        }
        const qint64 ownerGoal = goal->id;
        ModificationRepository repository(m_db);
        Modification row;
        row.goalId = ownerGoal;
        if (claim) {
            row.taskId = claim->taskId;
        }
        row.status = ModificationStatus::Pending;
        row.title = changes.title.trimmed().isEmpty() ? goal->title : changes.title.trimmed();
        row.rationale = changes.rationale;
        row.targetBranch = target;
        row.baseCommit = *base;
        row.flags = prepared->flags;
        row.scope = *scope;
        auto inserted = repository.insert(row);
        if (!inserted) {
            return inserted.error();
        }
        created = *inserted;
        auto commit = writer.commit(*prepared, commitMessage(created, *goal), changes.author);
        if (!commit) {
            return commit.error();
        }
        created.headCommit = *commit;
        created.branch = QStringLiteral("astra/goal-%1-%2").arg(ownerGoal).arg(created.id);
        if (Status branched = m_repo.createBranch(created.branch,
                                                  created.headCommit,
                                                  QStringLiteral("astra: modification %1").arg(created.id));
            !branched) {
            return branched;
        }
        createdBranch = created.branch;
        createdCommit = created.headCommit;
        crashPoint("modification-branch-created");
        // In a clone that follows the team's repository, the branch is there before its row is.
        if (Status published = m_decisions.publish({QStringLiteral("refs/heads/%1:refs/heads/%1").arg(created.branch)});
            !published) {
            return published;
        }
        branchPublished = !m_decisions.teamRemote().isEmpty();
        if (Status stored = repository.setCommit(created.id, created.branch, created.headCommit); !stored) {
            return stored;
        }
        if (Status stored = repository.insertFiles(created.id, prepared->files); !stored) {
            return stored;
        }
        created.files = prepared->files;
        Revision first;
        first.modificationId = created.id;
        first.number = 1;
        first.commit = created.headCommit;
        first.baseCommit = created.baseCommit;
        first.origin = imported ? QStringLiteral("import") : QStringLiteral("agent");
        first.createdBy = who;
        first.createdAt = created.createdAt;
        first.meta.insert(QStringLiteral("scope"), created.scope.toJson());
        auto revisionId = repository.insertRevision(first);
        if (!revisionId) {
            return revisionId.error();
        }
        first.id = *revisionId;
        created.revisions = {first};
        QJsonObject meta;
        meta.insert(QStringLiteral("goal"), double(ownerGoal));
        meta.insert(QStringLiteral("branch"), created.branch);
        meta.insert(QStringLiteral("base"), created.baseCommit);
        meta.insert(QStringLiteral("head"), created.headCommit);
        meta.insert(QStringLiteral("files"), int(created.files.size()));
        meta.insert(QStringLiteral("flags"), toArray(created.flags));
        meta.insert(QStringLiteral("scope"), created.scope.toJson());
        meta.insert(QStringLiteral("revision"), 1);
        auto entry = m_ledger.append(LedgerRecord{who,
                                                  QStringLiteral("modification_created"),
                                                  QStringLiteral("modification:%1").arg(created.id),
                                                  meta});
        return entry ? Status() : Status(entry.error());
    });
    if (!done) {
        if (!createdBranch.isEmpty()) {
            // The row was rolled back: do not leave its branch behind.
            if (Status removed = m_repo.deleteBranch(createdBranch, createdCommit); !removed) {
                qCWarning(lcWorkspace) << "could not remove" << createdBranch << removed.message();
            }
        }
        if (branchPublished) {
            m_decisions.publishUndo({QStringLiteral(":refs/heads/") + createdBranch});
        }
        return done.error();
    }
    return created;
}

Result<ModificationScope> ModificationService::scopeForNew(const Goal &goal,
                                                           bool newGoal,
                                                           std::optional<TaskClaim> claim,
                                                           bool imported,
                                                           const QStringList &importFiles)
{
    ModificationScope scope;
    if (imported && !importFiles.isEmpty()) {
        for (const QString &file : importFiles) {
            scope.add(file, QStringLiteral("import"));
        }
        scope.state = ModificationScope::State::Stated;
        return scope;
    }
    if (newGoal) {
        scope.state = imported ? ModificationScope::State::Unstated : ModificationScope::State::NoFiles;
        return scope;
    }
    return scopeOfGoal(m_db, goal, claim ? std::optional<qint64>(claim->taskId) : std::nullopt, imported);
}

Result<Goal> ModificationService::awaitImportedChange(Goal goal, const QString &who)
{
    if (Status allowed = checkImportTarget(m_db, goal); !allowed) {
        return allowed.error();
    }
    Transitions transitions(m_db, m_ledger);
    const QString imported = QStringLiteral("imported change");
    if (goal.state == GoalState::Proposed) {
        // Importing a change is the person's own request: it approves the goal.
        auto approved = transitions.goal(goal, GoalState::Active, TransitionCause{who, imported, {}});
        if (!approved) {
            return approved.error();
        }
        goal = *approved;
    }
    if (goal.state == GoalState::Planned) {
        // The plan nobody ran is replaced by the change: no agent redoes the work.
        auto plan = PlanRepository(m_db).current(goal.id);
        if (!plan) {
            return plan.error();
        }
        if (*plan) {
            auto skipped = TaskRepository(m_db).skipAfter((*plan)->id, -1, imported);
            if (!skipped) {
                return skipped.error();
            }
            QJsonObject meta;
            meta.insert(QStringLiteral("goal"), double(goal.id));
            meta.insert(QStringLiteral("skipped_tasks"), *skipped);
            if (auto superseded = transitions.plan(**plan, PlanState::Superseded, TransitionCause{who, imported, meta});
                !superseded) {
                return superseded.error();
            }
        }
    }
    if (goal.state == GoalState::Active || goal.state == GoalState::Planned) {
        return transitions.goal(goal, GoalState::AwaitingReview, TransitionCause{who, imported, {}});
    }
    return goal;
}

Result<QString> ModificationService::importBase(std::optional<qint64> goalId)
{
    if (goalId) {
        auto goal = GoalRepository(m_db).find(*goalId);
        if (!goal) {
            return goal.error();
        }
        if (Status allowed = checkImportTarget(m_db, *goal); !allowed) {
            return allowed.error();
        }
    }
    return m_repo.branchCommit(m_config.workspace.targetBranch);
}

Result<Modification> ModificationService::createImported(std::optional<qint64> goalId,
                                                         const QString &goalTitle,
                                                         const ChangeSet &changes,
                                                         const QStringList &files)
{
    Result<Modification> created = makeError(QString());
    if (goalId) {
        created = createFor(*goalId, std::nullopt, changes, m_decisions.actor(), std::nullopt, {}, true, files);
    } else {
        // The goal made for it names the files its scope names.
        auto draft =
            m_goals.draft(goalTitle.trimmed().isEmpty()
                              ? sharedText(QT_TRANSLATE_NOOP("astra::Shared", "Review an imported change")).text
                              : goalTitle,
                          files);
        if (!draft) {
            return draft.error();
        }
        draft->kind = QStringLiteral("imported-change");
        draft->fingerprint = goalFingerprint(draft->kind, draft->title, files);
        created = createFor(0, *draft, changes, m_decisions.actor(), std::nullopt, {}, true, files);
    }
    if (created) {
        m_decisions.checkpointAfterDecision();
    }
    return created;
}

Status ModificationService::recordImportRefusal(std::optional<qint64> goalId,
                                                const QString &title,
                                                const QString &source,
                                                const QList<PolicyViolation> &violations,
                                                const QJsonObject &extra)
{
    if (goalId) {
        if (Status recorded = recordViolations(*goalId, source, violations, extra); !recorded) {
            return recorded;
        }
    } else {
        // No goal is made for a change that was refused: the ledger entry stands on its own.
        Status recorded = m_db.writeTransaction([&]() -> Status {
            QJsonObject meta = extra;
            meta.insert(QStringLiteral("source"), source);
            meta.insert(QStringLiteral("title"), title);
            meta.insert(QStringLiteral("violations"), violationsToJson(violations));
            auto entry = m_ledger.append(LedgerRecord{m_decisions.actor(),
                                                      QStringLiteral("policy_violation"),
                                                      QStringLiteral("import:") + source,
                                                      meta});
            return entry ? Status() : Status(entry.error());
        });
        if (!recorded) {
            return recorded;
        }
    }
    m_decisions.checkpointAfterDecision();
    return {};
}

Result<Modification> ModificationService::proposePatch(const QByteArray &patch,
                                                       std::optional<qint64> goalId,
                                                       const QString &title,
                                                       const QStringList &files)
{
    if (Status named = checkGoalFiles(files); !named) {
        return named.error();
    }
    auto base = importBase(goalId);
    if (!base) {
        return base.error();
    }
    auto policy = PathPolicy::create(m_config.policy, policyLimitsFor(m_config));
    if (!policy) {
        return policy.error();
    }
    QList<QByteArray> rawPaths;
    auto changes = changeSetFromPatch(m_repo, *base, patch, &rawPaths);
    // Check the paths as the patch wrote them, before the parser's reading of them counts.
    QList<PolicyViolation> violations;
    for (const QByteArray &path : std::as_const(rawPaths)) {
        if (auto violation = policy->checkPath(path)) {
            violations.append(*violation);
        }
    }
    if (!violations.isEmpty()) {
        if (Status recorded = recordImportRefusal(goalId, title, QStringLiteral("patch"), violations); !recorded) {
            return recorded.error();
        }
        QStringList lines;
        for (const PolicyViolation &violation : std::as_const(violations)) {
            lines.append(violation.message);
        }
        return makeError(Tr::tr("The path policy refused the patch; nothing was written:\n%1").arg(lines.join(u'\n')),
                         ErrorKind::Refused);
    }
    if (!changes) {
        return changes.error();
    }
    // A mailed patch (git format-patch) says who wrote it and what it is.
    const PatchMail mail = readPatchMail(patch);
    changes->author = mail.author;
    changes->title = !title.trimmed().isEmpty() ? title.trimmed() : mail.subject;
    changes->rationale = mail.body;
    return createImported(goalId,
                          changes->title.isEmpty()
                              ? sharedText(QT_TRANSLATE_NOOP("astra::Shared", "Review an imported patch")).text
                              : changes->title,
                          *changes,
                          files);
}

Result<Modification> ModificationService::proposeBranch(const QString &branch,
                                                        std::optional<qint64> goalId,
                                                        const QString &title,
                                                        const QStringList &files)
{
    if (Status named = checkGoalFiles(files); !named) {
        return named.error();
    }
    auto base = importBase(goalId);
    if (!base) {
        return base.error();
    }
    auto policy = PathPolicy::create(m_config.policy, policyLimitsFor(m_config));
    if (!policy) {
        return policy.error();
    }
    QString mergeBase;
    QList<PolicyViolation> violations;
    auto changes = changeSetFromBranch(m_repo, *base, branch, &mergeBase, *policy, &violations);
    if (!violations.isEmpty()) {
        // Refused like a patch: the ledger names each path and rule, nothing else is written.
        if (Status recorded = recordImportRefusal(goalId, title, QStringLiteral("branch"), violations); !recorded) {
            return recorded.error();
        }
    }
    if (!changes) {
        return changes.error();
    }
    // The branch's newest commit says who wrote the change and what it is.
    auto branchHead = m_repo.branchCommit(branch);
    if (!branchHead) {
        return branchHead.error();
    }
    auto author = m_repo.commitAuthor(*branchHead);
    auto message = m_repo.commitMessage(*branchHead);
    if (!author || !message) {
        return !author ? author.error() : message.error();
    }
    changes->author = *author;
    const QString subject = message->section(QStringLiteral("\n\n"), 0, 0).simplified();
    const QString body = message->section(QStringLiteral("\n\n"), 1).trimmed();
    changes->title = !title.trimmed().isEmpty() ? title.trimmed()
        : !subject.isEmpty()                    ? subject
                             : sharedText(QT_TRANSLATE_NOOP("astra::Shared", "Changes from branch %1"), {branch}).text;
    changes->rationale = (body.isEmpty() ? QString() : body + QStringLiteral("\n\n"))
        + sharedText(QT_TRANSLATE_NOOP("astra::Shared", "Imported from branch %1 (its changes since %2)."),
                     {branch, mergeBase.left(12)})
              .text;
    return createImported(goalId, changes->title, *changes, files);
}

Result<QList<Modification>> ModificationService::list(std::optional<ModificationStatus> status)
{
    return ModificationRepository(m_db).list(status);
}

Result<Modification> ModificationService::find(qint64 id)
{
    return ModificationRepository(m_db).find(id);
}

Result<QList<TestResultRecord>> ModificationService::testResults(qint64 modificationId)
{
    return ModificationRepository(m_db).testResults(modificationId);
}

QString ModificationService::lastDecision(qint64 id) const
{
    auto entry = m_ledger.latestAbout(QStringLiteral("modification:%1").arg(id), QStringLiteral("modification_"));
    if (!entry || !entry->has_value()) {
        return QString();
    }
    const LedgerEntry &last = **entry;
    QString when = last.ts;
    if (const QDateTime at = QDateTime::fromString(last.ts, Qt::ISODateWithMs); at.isValid()) {
        when = at.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QStringLiteral(" UTC");
    }
    return Tr::tr(" %1 %2 at %3.").arg(personDisplayName(last.actor), decisionVerb(last.event), when);
}

Error ModificationService::notInState(qint64 id, ModificationStatus status, const QString &rule) const
{
    return makeError(Tr::tr("Modification %1 is '%2'; %3.").arg(id).arg(toString(status), rule) + lastDecision(id)
                         + Tr::tr(" Nothing was done."),
                     ErrorKind::Refused);
}

std::optional<Error> ModificationService::decidedMeanwhile(const Modification &modification) const
{
    const qint64 id = modification.id;
    if (auto again = ModificationRepository(m_db).find(id); again && again->status != modification.status) {
        return notInState(id, again->status, Tr::tr("it was decided while this decision was being carried out"));
    }
    // Decided in git a moment ago, and about to be recorded: the target's head names it.
    if (auto target = m_repo.branchCommit(modification.targetBranch)) {
        if (auto landed = m_repo.commitMessage(*target);
            landed && landed->contains(QStringLiteral("Astra-Modification: %1\n").arg(id))) {
            auto committer = m_repo.commitAuthor(*target, true);
            const QString who =
                committer ? QStringLiteral("%1 <%2>").arg(committer->name, committer->email) : Tr::tr("Someone else");
            return makeError(Tr::tr("%1 is deciding on modification %2 right now: %3 is at %4, which carries it "
                                    "out; nothing was done.")
                                 .arg(who)
                                 .arg(id)
                                 .arg(modification.targetBranch, target->left(12)),
                             ErrorKind::Conflict);
        }
    }
    return std::nullopt;
}

Status ModificationService::mayApprove(const Modification &modification, const QString &person) const
{
    for (const QString &approver : modification.approvers) {
        if (personOf(approver) == person) {
            return makeError(Tr::tr("%1 approved modification %2 already; [team] required_approvals = %3 asks for "
                                    "approvals by %3 different people. Nothing was done.")
                                 .arg(person)
                                 .arg(modification.id)
                                 .arg(m_config.team.requiredApprovals),
                             ErrorKind::Refused);
        }
    }
    if (!m_config.team.separateDuties) {
        return {};
    }
    QString role;
    if (auto goal = GoalRepository(m_db).find(modification.goalId); goal && personOf(goal->createdBy) == person) {
        role = Tr::tr("created its goal %1").arg(goal->id);
    }
    for (const Revision &revision : modification.revisions) {
        if (role.isEmpty() && revision.origin == u"import" && personOf(revision.createdBy) == person) {
            role = Tr::tr("imported it");
        }
    }
    if (role.isEmpty()) {
        return {};
    }
    return makeError(Tr::tr("%1 %2, so %1 cannot approve modification %3: [team] separate_duties = true in "
                            ".astra.toml asks for someone else. Ask another reviewer (`astra mod assign %3 PERSON`). "
                            "Nothing was done.")
                         .arg(person, role)
                         .arg(modification.id),
                     ErrorKind::Refused);
}

Result<Modification> ModificationService::move(const Modification &modification,
                                               ModificationStatus to,
                                               const QString &who,
                                               QJsonObject meta,
                                               const QString &reviewDecision,
                                               const QString &reason,
                                               const QString &headSeen)
{
    Ledger &ledger = m_ledger;
    // Every decision names the revision it was made on.
    const int revision = modification.revisionOf(modification.headCommit);
    if (revision > 0 && !meta.contains(QStringLiteral("revision"))) {
        meta.insert(QStringLiteral("revision"), revision);
    }
    auto moved = m_db.writeTransaction([&]() -> Result<Modification> {
        auto moved = Transitions(m_db, ledger).modification(modification, to, TransitionCause{who, reason, meta});
        if (!moved) {
            return moved.error();
        }
        if (!reviewDecision.isEmpty()) {
            if (Status reviewed = ModificationRepository(m_db)
                                      .insertReview(modification.id, who, reviewDecision, reason, headSeen, revision);
                !reviewed) {
                return reviewed.error();
            }
        }
        return moved;
    });
    if (!moved && moved.error().kind == ErrorKind::Conflict) {
        // Someone else decided first: say who, and what.
        const QString who = lastDecision(modification.id);
        if (!who.isEmpty()) {
            return makeError(Tr::tr("Modification %1 changed while this decision was being made:%2 Nothing was done.")
                                 .arg(modification.id)
                                 .arg(who),
                             ErrorKind::Conflict);
        }
    }
    if (!moved) {
        return moved.error();
    }
    moved->files = modification.files;
    moved->revisions = modification.revisions;
    return moved;
}

Result<Modification> ModificationService::test(qint64 id, const QString &logFile)
{
    return runTests(id, QStringLiteral("astra"), QString(), {}, logFile);
}

Result<Modification> ModificationService::retest(qint64 id)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    using S = ModificationStatus;
    if (modification->status == S::Pending) {
        // Never tested (an import before `astra run`): its first test, asked for by a person.
        return runTests(id, m_decisions.actor(), QString(), {});
    }
    if (modification->status != S::AwaitingApproval && modification->status != S::TestsFailed
        && modification->status != S::Approved) {
        return makeError(Tr::tr("Modification %1 is '%2'; only one that is untested, awaits approval, failed its "
                                "tests or is approved can be tested (again). Nothing was done.")
                             .arg(id)
                             .arg(toString(modification->status)),
                         ErrorKind::Refused);
    }
    auto target = m_repo.branchCommit(modification->targetBranch);
    if (!target) {
        return target.error();
    }
    QJsonObject meta;
    meta.insert(QStringLiteral("retest"), true);
    meta.insert(QStringLiteral("target_head"), *target);
    QString tested = modification->headCommit;
    if (*target != modification->baseCommit) {
        Merger merger(m_repo);
        auto prepared = merger.prepare(*target,
                                       modification->baseCommit,
                                       modification->headCommit,
                                       QStringLiteral("Trial merge of %1 for its tests\n").arg(modification->branch));
        if (!prepared) {
            return prepared.error();
        }
        if (prepared->kind == MergeOutcome::Kind::Conflicted) {
            return makeError(Tr::tr("Modification %1 and %2 (now at %3) both change %4, so it cannot be merged onto "
                                    "the new head; nothing was tested or changed. Reject it and have the goal "
                                    "worked on again from the new head.")
                                 .arg(id)
                                 .arg(modification->targetBranch, target->left(12), prepared->paths.join(u", ")),
                             ErrorKind::Conflict);
        }
        tested = prepared->commit;
        meta.insert(QStringLiteral("tested_commit"), tested);
    }
    auto retested = runTests(id, m_decisions.actor(), tested, meta);
    m_decisions.checkpointAfterDecision();
    return retested;
}

Result<Modification> ModificationService::runTests(qint64 id,
                                                   const QString &who,
                                                   const QString &testedCommit,
                                                   QJsonObject meta,
                                                   const QString &logFile)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (m_config.tests.command.trimmed().isEmpty()) {
        return makeError(Tr::tr("[tests] command is empty in %1: set the command that runs the tests before testing "
                                "modifications.")
                             .arg(m_config.sourcePath),
                         ErrorKind::Invalid);
    }
    // Made by another worker since this clone last followed the team's repository.
    if (Status present = m_decisions.fetchIfMissing(modification->headCommit, modification->targetBranch); !present) {
        return present.error();
    }
    auto testing = move(*modification, ModificationStatus::Testing, who, meta);
    if (!testing) {
        return testing.error();
    }
    const QString commitToTest = testedCommit.isEmpty() ? testing->headCommit : testedCommit;

    TestResultRecord record;
    record.modificationId = id;
    record.commitId = testing->headCommit;
    record.command = m_config.tests.command;
    record.sandbox = QStringLiteral("pending");
    record.outcome = QStringLiteral("running");
    record.startedAt = isoNow();
    record.runner = currentProcessId();
    auto recordId = m_db.writeTransaction([&] { return ModificationRepository(m_db).insertTestResult(record); });
    if (!recordId) {
        return recordId.error();
    }
    record.id = *recordId;

    const QString outputDir = outputFolder(m_stateDir, QStringLiteral("test-output"));
    const TestRunRequest request = testRunRequest(
        m_config.tests,
        {},
        !logFile.isEmpty()
            ? logFile
            : QDir(outputDir).filePath(QStringLiteral("modification-%1-run-%2.log").arg(id).arg(record.id)));
    const TestRunResult run = runOnExport(m_repo, commitToTest, request, QStringLiteral("test"));

    record.sandbox = run.sandbox;
    record.outcome = toString(run.outcome);
    if (!run.sandbox.isEmpty() && !isSandboxed(run.sandbox)) {
        m_decisions.warn(Tr::tr("The tests of modification %1 ran without a sandbox (sandbox = \"none\" in [tests]): "
                                "they could read and change anything you can. The result is marked unsandboxed.")
                             .arg(id));
    }
    if (run.exitCode >= 0) {
        record.exitCode = run.exitCode;
    }
    record.passed = run.report.passed;
    record.failed = run.report.failed + run.report.errors;
    record.skipped = run.report.skipped;
    record.report = run.report.toJson();
    record.report.insert(QStringLiteral("message"), run.message);
    record.report.insert(QStringLiteral("duration_ms"), double(run.durationMs));
    record.report.insert(QStringLiteral("output_truncated"), run.outputTruncated);
    if (commitToTest != record.commitId) {
        // The merge the change would make on the moved target: its tree is what was tested.
        record.report.insert(QStringLiteral("tested_commit"), commitToTest);
        record.report.insert(QStringLiteral("merged_onto"), meta.value(QStringLiteral("target_head")));
    }
    record.outputPath = request.outputFile;
    record.finishedAt = isoNow();

    const bool passed = run.outcome == TestRunResult::Outcome::Passed;
    Ledger &ledger = m_ledger;
    auto finished = m_db.writeTransaction([&]() -> Result<Modification> {
        if (Status stored = ModificationRepository(m_db).finishTestResult(record); !stored) {
            return stored.error();
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("commit"), record.commitId);
        meta.insert(QStringLiteral("outcome"), record.outcome);
        meta.insert(QStringLiteral("sandbox"), record.sandbox);
        meta.insert(QStringLiteral("passed"), record.passed);
        meta.insert(QStringLiteral("failed"), record.failed);
        return Transitions(m_db, ledger)
            .modification(*testing,
                          passed ? ModificationStatus::AwaitingApproval : ModificationStatus::TestsFailed,
                          TransitionCause{QStringLiteral("astra"), {}, meta});
    });
    if (!finished) {
        return finished.error();
    }
    finished->files = modification->files;
    return finished;
}

Result<QList<Modification>> ModificationService::testPending(const std::function<void(const Modification &)> &starting)
{
    auto pending = ModificationRepository(m_db).list(ModificationStatus::Pending);
    if (!pending) {
        return pending.error();
    }
    QList<Modification> done;
    for (const Modification &modification : std::as_const(*pending)) {
        if (starting) {
            starting(modification);
        }
        auto tested = test(modification.id);
        if (!tested) {
            return tested.error();
        }
        done.append(*tested);
    }
    return done;
}

Result<Modification> ModificationService::approve(qint64 id, const QString &reason)
{
    const QString actor = m_decisions.actor();
    const QString person = personOf(actor);
    // Two people approving at once both count: the one who loses the race looks again.
    for (int attempt = 0;; ++attempt) {
        auto modification = ModificationRepository(m_db).find(id);
        if (!modification) {
            return modification.error();
        }
        if (modification->status != ModificationStatus::AwaitingApproval) {
            return notInState(id,
                              modification->status,
                              Tr::tr("only a modification whose tests passed ('awaiting_approval') can be approved"));
        }
        if (Status allowed = mayApprove(*modification, person); !allowed) {
            return allowed.error();
        }
        auto head = m_repo.branchCommit(modification->targetBranch);
        if (!head) {
            return head.error();
        }
        const int approvals = int(modification->approvers.size()) + 1;
        const int required = m_config.team.requiredApprovals;
        QJsonObject meta;
        meta.insert(QStringLiteral("head_seen"), *head);
        meta.insert(QStringLiteral("commit"), modification->headCommit);
        meta.insert(QStringLiteral("approvals"), approvals);
        meta.insert(QStringLiteral("required_approvals"), required);
        Result<Modification> approved = makeError(QString());
        if (approvals >= required) {
            approved = move(*modification,
                            ModificationStatus::Approved,
                            actor,
                            meta,
                            QStringLiteral("approved"),
                            reason,
                            *head);
        } else {
            approved = recordApproval(*modification, actor, meta, reason, *head);
        }
        if (!approved && approved.error().kind == ErrorKind::Conflict && attempt < 3) {
            continue;
        }
        if (approved) {
            m_decisions.checkpointAfterDecision();
        }
        return approved;
    }
}

Result<Modification> ModificationService::recordApproval(const Modification &modification,
                                                         const QString &actor,
                                                         QJsonObject meta,
                                                         const QString &reason,
                                                         const QString &headSeen)
{
    const int revision = modification.revisionOf(modification.headCommit);
    if (revision > 0) {
        meta.insert(QStringLiteral("revision"), revision);
    }
    if (!reason.isEmpty()) {
        meta.insert(QStringLiteral("reason"), reason);
    }
    return m_db.writeTransaction([&]() -> Result<Modification> {
        if (auto locked = m_ledger.lockHead(); !locked) {
            return locked.error();
        }
        ModificationRepository repository(m_db);
        // The version moves, so that an approval given at the same moment is counted after this one.
        auto touched = repository.touch(modification);
        if (!touched) {
            return touched.error();
        }
        if (Status reviewed =
                repository.insertReview(modification.id, actor, QStringLiteral("approved"), reason, headSeen, revision);
            !reviewed) {
            return reviewed.error();
        }
        auto entry = m_ledger.append(LedgerRecord{actor,
                                                  QStringLiteral("modification_approval_recorded"),
                                                  QStringLiteral("modification:%1").arg(modification.id),
                                                  meta});
        if (!entry) {
            return entry.error();
        }
        Modification updated = *touched;
        updated.files = modification.files;
        updated.revisions = modification.revisions;
        updated.assignees = modification.assignees;
        updated.approvers = modification.approvers;
        updated.approvers.append(actor);
        return updated;
    });
}

Result<Modification> ModificationService::reject(qint64 id, const QString &reason)
{
    if (reason.trimmed().isEmpty()) {
        return makeError(Tr::tr("To reject modification %1, say why: `astra mod reject %1 --reason TEXT`. The reason "
                                "is kept with the modification and in the audit ledger.")
                             .arg(id),
                         ErrorKind::Invalid);
    }
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (!ModificationStateMachine::legalNextStates(modification->status).contains(ModificationStatus::Rejected)) {
        return notInState(id, modification->status, Tr::tr("it can no longer be rejected"));
    }
    auto rejected =
        move(*modification, ModificationStatus::Rejected, m_decisions.actor(), {}, QStringLiteral("rejected"), reason);
    if (rejected) {
        m_decisions.checkpointAfterDecision();
    }
    return rejected;
}

Error ModificationService::decidedInTheTeamsRepository(qint64 id, bool merging) const
{
    // Said in full for each, so that each translates as a whole.
    if (merging) {
        return makeError(Tr::tr("This clone follows the team's repository %1 (git config astra.remote): merge "
                                "modification %2 in that repository, where the workstations decide, so that the "
                                "target moves in one place. Nothing was done.")
                             .arg(m_decisions.teamRemote())
                             .arg(id),
                         ErrorKind::Refused);
    }
    return makeError(Tr::tr("This clone follows the team's repository %1 (git config astra.remote): roll back "
                            "modification %2 in that repository, where the workstations decide, so that the target "
                            "moves in one place. Nothing was done.")
                         .arg(m_decisions.teamRemote())
                         .arg(id),
                     ErrorKind::Refused);
}

Result<Modification> ModificationService::merge(qint64 id)
{
    if (!m_decisions.teamRemote().isEmpty()) {
        return decidedInTheTeamsRepository(id, true);
    }
    // From reading the state to recording the merge, one decision at a time on this repository:
    // a second person merging at the same moment waits, then finds it merged and is told by whom.
    const TargetMoveLock decision(m_repo);
    ModificationRepository repository(m_db);
    auto modification = repository.find(id);
    if (!modification) {
        return modification.error();
    }
    // Approved by some but not yet by as many as the team asks: said as such.
    const bool partlyApproved =
        modification->status == ModificationStatus::AwaitingApproval && !modification->approvers.isEmpty();
    if (modification->status != ModificationStatus::Approved && !partlyApproved) {
        return notInState(
            id,
            modification->status,
            Tr::tr("only an approved modification can be merged (`astra mod approve %1` after its tests passed)")
                .arg(id));
    }
    if (partlyApproved || int(modification->approvers.size()) < m_config.team.requiredApprovals) {
        QStringList names;
        for (const QString &approver : std::as_const(modification->approvers)) {
            names.append(personDisplayName(approver));
        }
        return makeError(Tr::tr("Modification %1 has %2 of the %3 approvals [team] required_approvals in .astra.toml "
                                "asks for (%4); nothing was merged. Another person approves it with `astra mod "
                                "approve %1`.")
                             .arg(id)
                             .arg(modification->approvers.size())
                             .arg(m_config.team.requiredApprovals)
                             .arg(names.isEmpty() ? Tr::tr("nobody") : names.join(QStringLiteral(", "))),
                         ErrorKind::Refused);
    }
    auto results = repository.testResults(id);
    if (!results) {
        return results.error();
    }
    const bool testedHere = std::any_of(results->cbegin(), results->cend(), [&](const TestResultRecord &record) {
        return record.commitId == modification->headCommit && record.outcome == u"passed";
    });
    if (!testedHere) {
        return makeError(Tr::tr("Modification %1 has no passing test run on its commit %2; nothing was merged.")
                             .arg(id)
                             .arg(modification->headCommit.left(12)),
                         ErrorKind::Refused);
    }
    auto branchHead = m_repo.branchCommit(modification->branch);
    if (!branchHead || *branchHead != modification->headCommit) {
        return makeError(Tr::tr("The branch %1 no longer points at the reviewed commit %2; nothing was merged.")
                             .arg(modification->branch, modification->headCommit.left(12)),
                         ErrorKind::Refused);
    }
    auto headSeen = repository.approvedHeadSeen(id);
    if (!headSeen) {
        return headSeen.error();
    }
    if (auto targetNow = m_repo.branchCommit(modification->targetBranch); targetNow && *targetNow != *headSeen) {
        if (auto meanwhile = decidedMeanwhile(*modification); meanwhile) {
            return *meanwhile;
        }
        return makeError(Tr::tr("%1 moved since the review (it was at %2 when modification %3 was approved, it is at "
                                "%4); nothing was merged. `astra mod retest %3` tests the change on the new head "
                                "and puts it back for review; approve it again to merge.")
                             .arg(modification->targetBranch, headSeen->left(12))
                             .arg(id)
                             .arg(targetNow->left(12)),
                         ErrorKind::Conflict);
    }
    Merger merger(m_repo, m_decisions.identity());
    auto goal = GoalRepository(m_db).find(modification->goalId);
    const QString message = QStringLiteral("Merge %1: %2\n\nAstra-Goal: %3\nAstra-Modification: %4\n")
                                .arg(modification->branch, modification->title)
                                .arg(modification->goalId)
                                .arg(id);
    // What lands is the approved commit's tree, parents and author, committed by the person who
    // merges it with a trailer naming who approved it.
    auto approvedMessage = m_repo.commitMessage(modification->headCommit);
    if (!approvedMessage) {
        return approvedMessage.error();
    }
    QString trailer;
    for (const QString &approver : std::as_const(modification->approvers)) {
        trailer += QStringLiteral("Approved-by: %1\n").arg(personDisplayName(approver));
    }
    auto landing =
        m_repo.recommit(modification->headCommit, m_decisions.identity(), approvedMessage->trimmed() + u'\n' + trailer);
    if (!landing) {
        return landing.error();
    }
    crashPoint("merge-before-ref");
    auto outcome =
        merger.merge(modification->targetBranch, *headSeen, modification->baseCommit, *landing, message + trailer);
    if (!outcome && outcome.error().kind == ErrorKind::Conflict) {
        if (auto meanwhile = decidedMeanwhile(*modification); meanwhile) {
            return *meanwhile;
        }
    }
    if (!outcome) {
        return outcome.error();
    }
    QJsonObject meta;
    Modification updated = *modification;
    if (outcome->kind == MergeOutcome::Kind::Conflicted) {
        updated.conflictPaths = outcome->paths;
        meta.insert(QStringLiteral("paths"), toArray(outcome->paths));
        auto conflicted = move(updated, ModificationStatus::Conflicted, m_decisions.actor(), meta);
        if (!conflicted) {
            return conflicted.error();
        }
        return makeError(Tr::tr("Modification %1 conflicts with %2 in: %3. It is now 'conflicted'; nothing was merged.")
                             .arg(id)
                             .arg(modification->targetBranch, outcome->paths.join(QStringLiteral(", "))),
                         ErrorKind::Conflict);
    }
    updated.mergeCommit = outcome->commit;
    meta.insert(QStringLiteral("commit"), outcome->commit);
    meta.insert(QStringLiteral("approved_commit"), modification->headCommit);
    meta.insert(QStringLiteral("kind"),
                outcome->kind == MergeOutcome::Kind::FastForward ? QStringLiteral("fast-forward")
                                                                 : QStringLiteral("merge-commit"));
    meta.insert(QStringLiteral("target"), modification->targetBranch);
    auto merged = move(updated, ModificationStatus::Merged, m_decisions.actor(), meta, QStringLiteral("merged"));
    if (!merged) {
        return merged.error();
    }
    if (goal && goal->state == GoalState::AwaitingReview) {
        auto completed = m_goals.move(goal->id,
                                      GoalState::Completed,
                                      QStringLiteral("modification %1 merged").arg(id),
                                      m_decisions.actor());
        if (!completed) {
            m_decisions.warn(completed.message());
        }
    }
    m_decisions.checkpointAfterDecision();
    return merged;
}

Result<Modification> ModificationService::assignReviewers(qint64 id, const QStringList &people, bool assign)
{
    QStringList named;
    for (const QString &person : people) {
        const QString key = personOf(person);
        if (key.isEmpty() || key.contains(QRegularExpression(QStringLiteral("\\s")))) {
            return makeError(Tr::tr("'%1' does not name a person: give an e-mail address (bob@example.org) or a user "
                                    "name, as `astra mod show` lists approvers. Nothing was changed.")
                                 .arg(person),
                             ErrorKind::Invalid);
        }
        if (!named.contains(key)) {
            named.append(key);
        }
    }
    if (named.isEmpty()) {
        return makeError(Tr::tr("Name at least one person to ask for a review."), ErrorKind::Invalid);
    }
    const QString actor = m_decisions.actor();
    Status done = m_db.writeTransaction([&]() -> Status {
        if (auto locked = m_ledger.lockHead(); !locked) {
            return locked.error();
        }
        ModificationRepository repository(m_db);
        auto modification = repository.find(id);
        if (!modification) {
            return modification.error();
        }
        for (const QString &person : std::as_const(named)) {
            Status changed =
                assign ? repository.assignReviewer(id, person, actor) : repository.unassignReviewer(id, person);
            if (!changed) {
                return changed;
            }
        }
        QJsonObject meta;
        meta.insert(QStringLiteral("people"), QJsonArray::fromStringList(named));
        auto entry = m_ledger.append(
            LedgerRecord{actor,
                         assign ? QStringLiteral("reviewers_assigned") : QStringLiteral("reviewers_unassigned"),
                         QStringLiteral("modification:%1").arg(id),
                         meta});
        return entry ? Status() : Status(entry.error());
    });
    if (!done) {
        return done.error();
    }
    return ModificationRepository(m_db).find(id);
}

Result<Modification> ModificationService::rollback(qint64 id, const QString &reason)
{
    if (!m_decisions.teamRemote().isEmpty()) {
        return decidedInTheTeamsRepository(id, false);
    }
    if (reason.trimmed().isEmpty()) {
        return makeError(Tr::tr("To roll back modification %1, say why: `astra mod rollback %1 --reason TEXT`. The "
                                "reason goes into the revert commit, the reopened goal and the audit ledger.")
                             .arg(id),
                         ErrorKind::Invalid);
    }
    // As for a merge: otherwise a second rollback that read the state before the first was
    // recorded would revert the merged commit a second time, on top of the first revert.
    const TargetMoveLock decision(m_repo);
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (modification->status != ModificationStatus::Merged) {
        return notInState(id, modification->status, Tr::tr("only a merged modification can be rolled back"));
    }
    Merger merger(m_repo, m_decisions.identity());
    const QString message = QStringLiteral("Revert %1: %2\n\n%3\n\nAstra-Goal: %4\nAstra-Modification: %5\n")
                                .arg(modification->branch, modification->title, reason.trimmed())
                                .arg(modification->goalId)
                                .arg(id);
    auto outcome = merger.revert(modification->targetBranch, modification->mergeCommit, message);
    if (!outcome && outcome.error().kind == ErrorKind::Conflict) {
        if (auto meanwhile = decidedMeanwhile(*modification); meanwhile) {
            return *meanwhile;
        }
    }
    if (!outcome) {
        return outcome.error();
    }
    if (outcome->conflicted) {
        return makeError(Tr::tr("Modification %1 cannot be rolled back cleanly: later commits on %2 changed %3. "
                                "Nothing was changed; revert those first or resolve it by hand.")
                             .arg(id)
                             .arg(modification->targetBranch, outcome->paths.join(QStringLiteral(", "))),
                         ErrorKind::Conflict);
    }
    Modification updated = *modification;
    updated.revertCommit = outcome->commit;
    QJsonObject meta;
    meta.insert(QStringLiteral("commit"), outcome->commit);
    meta.insert(QStringLiteral("target"), modification->targetBranch);
    auto rolledBack =
        move(updated, ModificationStatus::RolledBack, m_decisions.actor(), meta, QStringLiteral("rolled_back"), reason);
    if (!rolledBack) {
        return rolledBack;
    }
    // The goal's work is undone: it is open again, and waits for a person to approve it anew.
    if (auto goal = GoalRepository(m_db).find(modification->goalId); goal && goal->state == GoalState::Completed) {
        const QString why = QStringLiteral("modification %1 rolled back: %2").arg(id).arg(reason.trimmed());
        if (auto reopened = m_goals.move(goal->id, GoalState::Proposed, why, m_decisions.actor()); !reopened) {
            m_decisions.warn(reopened.message());
        }
    }
    m_decisions.checkpointAfterDecision();
    return rolledBack;
}

Result<RollbackImpact> ModificationService::rollbackImpact(qint64 id)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (modification->status != ModificationStatus::Merged || modification->mergeCommit.isEmpty()) {
        return makeError(Tr::tr("Modification %1 is '%2'; only a merged modification can be rolled back.")
                             .arg(id)
                             .arg(toString(modification->status)),
                         ErrorKind::Refused);
    }
    RollbackImpact impact;
    impact.modificationId = id;
    impact.targetBranch = modification->targetBranch;
    for (const ModificationFile &file : std::as_const(modification->files)) {
        impact.paths.append(file.path);
        if (!file.oldPath.isEmpty() && file.oldPath != file.path) {
            impact.paths.append(file.oldPath);
        }
    }
    impact.paths.removeDuplicates();
    auto head = m_repo.branchCommit(modification->targetBranch);
    if (!head) {
        return head.error();
    }
    auto later = commitsTouching(m_repo, *head, modification->mergeCommit, impact.paths);
    if (!later) {
        return later.error();
    }
    impact.laterCommits = *later;
    impact.targetCheckedOut = Merger(m_repo).isCheckedOut(modification->targetBranch);
    if (impact.targetCheckedOut) {
        auto dirty = uncommittedPaths(m_repo, impact.paths);
        if (!dirty) {
            return dirty.error();
        }
        impact.localEdits = *dirty;
    }
    return impact;
}

Result<TreeDiff> ModificationService::diff(qint64 id, const TreeDiffOptions &options)
{
    auto modification = ModificationRepository(m_db).find(id);
    if (!modification) {
        return modification.error();
    }
    if (modification->baseCommit.isEmpty() || modification->headCommit.isEmpty()) {
        return makeError(Tr::tr("Modification %1 has no commit yet; its diff exists once it is written.").arg(id),
                         ErrorKind::Refused);
    }
    return diffCommits(m_repo, modification->baseCommit, modification->headCommit, options);
}

Result<QStringList> ModificationService::prune(int days)
{
    auto all = ModificationRepository(m_db).list();
    if (!all) {
        return all.error();
    }
    const QDateTime cutoff = QDateTime::currentDateTimeUtc().addDays(-days);
    QStringList pruned;
    for (const Modification &modification : std::as_const(*all)) {
        if (!ModificationStateMachine::isFinished(modification.status) || modification.branch.isEmpty()) {
            continue;
        }
        if (QDateTime::fromString(modification.updatedAt, Qt::ISODateWithMs) > cutoff) {
            continue;
        }
        auto head = m_repo.branchCommit(modification.branch);
        if (!head) {
            continue; // already gone
        }
        if (Status removed = m_repo.deleteBranch(modification.branch, modification.headCommit); !removed) {
            m_decisions.warn(removed.message());
            continue;
        }
        if (Status dropped = dropRevisionRefs(m_repo, modification.id); !dropped) {
            m_decisions.warn(dropped.message());
        }
        Status recorded = m_db.writeTransaction([&]() -> Status {
            QJsonObject meta;
            meta.insert(QStringLiteral("branch"), modification.branch);
            meta.insert(QStringLiteral("commit"), modification.headCommit);
            auto entry = m_ledger.append(LedgerRecord{m_decisions.actor(),
                                                      QStringLiteral("modification_branch_pruned"),
                                                      QStringLiteral("modification:%1").arg(modification.id),
                                                      meta});
            return entry ? Status() : Status(entry.error());
        });
        if (!recorded) {
            return recorded.error();
        }
        pruned.append(modification.branch);
    }
    return pruned;
}

} // namespace astra
