#include "goals/generator.h"

#include "base/canonicaljson.h"
#include "base/sharedtext.h"
#include "model/goalstatemachine.h"
#include "planning/goalplanning.h"
#include "policy/pathglob.h"
#include "policy/pathpolicy.h"
#include "proposers/proposer.h"
#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/taskrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GoalGenerator)
};

QString startOfTodayUtc()
{
    // setTime keeps the UTC spec; the QDateTime(QDate, QTime, Qt::TimeSpec) constructor is deprecated
    // from Qt 6.8 on and its QTimeZone replacement does not exist in Qt 5.
    QDateTime midnight = QDateTime::currentDateTimeUtc();
    midnight.setTime(QTime(0, 0));
    return midnight.toString(Qt::ISODateWithMs);
}

Result<int> goalsCreatedSince(Database &db, const QString &since, const QString &detector)
{
    QString sql = QStringLiteral(
        "SELECT COUNT(*) FROM goals g JOIN proposals p ON p.id = g.proposal_id "
        "WHERE g.created_at >= ?");
    QVariantList binds{since};
    if (!detector.isEmpty()) {
        sql += QStringLiteral(" AND p.detector = ?");
        binds.append(detector);
    }
    auto query = db.exec(Tr::tr("Counting the goals created today"), sql, binds);
    if (!query) {
        return query.error();
    }
    return query->next() ? query->value(0).toInt() : 0;
}

Goal candidateOf(const ProposalDraft &draft)
{
    Goal candidate;
    candidate.kind = draft.kind;
    candidate.title = draft.title;
    candidate.evidence = draft.evidence;
    return candidate;
}

// The feasibility check's reason to refuse, empty when the planner finds a plan. It reads no
// shared state, so it runs before the transaction rather than under the ledger lock.
Result<SharedText>
infeasibility(const ProposalDraft &draft, const Config &config, const PathPolicy &policy, const hddl::Domain &domain)
{
    const Goal candidate = candidateOf(draft);
    const WorkspaceFacts facts = workspaceFacts(candidate, config, policy, implementedProposers());
    auto plan = planForGoal(candidate, config, domain, facts);
    if (!plan) {
        return SharedText{plan.message(), {}};
    }
    if (plan->solved) {
        return SharedText{};
    }
    // What a person can act on first; the planner's trace follows for the details.
    QStringList why;
    QStringList forbidden;
    for (const QString &file : facts.files) {
        if (!facts.allowedFiles.contains(file)) {
            forbidden.append(file);
        }
    }
    if (!forbidden.isEmpty()) {
        why.append(sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                                "the path policy of .astra.toml lets the agent change %1 of its %2 "
                                                "files; not: %3"),
                              {QString::number(facts.allowedFiles.size()),
                               QString::number(facts.files.size()),
                               forbidden.join(QStringLiteral(", "))})
                       .text);
    }
    if (facts.proposers.isEmpty() && !facts.hasFixits) {
        why.append(sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                                "no proposer that can run here is configured ([proposer] kind) and "
                                                "the evidence has no fix-its"))
                       .text);
    }
    if (!facts.testCommand) {
        why.append(
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "no test command is configured ([tests] command)")).text);
    }
    const QString summary = why.isEmpty() ? QString() : why.join(QStringLiteral("; ")) + QStringLiteral(".\n");
    return sharedText(
        QT_TRANSLATE_NOOP("astra::Shared", "no plan can carry it out with the capabilities configured now: %1%2"),
        {summary, plan->plan.failure});
}

// The first check that refuses `draft`, as {check, reason}; empty when all pass.
// `infeasible` is the feasibility check's result, made beforehand.
Result<QPair<QString, SharedText>> firstRefusal(Database &db,
                                                const Config &config,
                                                const ProposalDraft &draft,
                                                const PathPolicy &policy,
                                                const SharedText &infeasible)
{
    if (draft.confidence < config.generator.minConfidence) {
        return QPair<QString, SharedText>{
            QStringLiteral("confidence"),
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "confidence %1 is below [generator] min_confidence %2 (%3)"),
                       {QString::number(draft.confidence, 'f', 2),
                        QString::number(config.generator.minConfidence, 'f', 2),
                        draft.confidenceWhy})};
    }
    auto today = goalsCreatedSince(db, startOfTodayUtc(), {});
    if (!today) {
        return today.error();
    }
    if (*today >= config.generator.maxGoalsPerDay) {
        return QPair<QString, SharedText>{
            QStringLiteral("rate_limit"),
            sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                         "%1 goals were generated today; [generator] max_goals_per_day is %2"),
                       {QString::number(*today), QString::number(config.generator.maxGoalsPerDay)})};
    }
    auto byDetector = goalsCreatedSince(db, startOfTodayUtc(), draft.detector);
    if (!byDetector) {
        return byDetector.error();
    }
    if (*byDetector >= config.generator.maxGoalsPerDetectorPerDay) {
        return QPair<QString, SharedText>{
            QStringLiteral("rate_limit"),
            sharedText(QT_TRANSLATE_NOOP(
                           "astra::Shared",
                           "the %1 detector made %2 goals today; [generator] max_goals_per_detector_per_day is %3"),
                       {draft.detector,
                        QString::number(*byDetector),
                        QString::number(config.generator.maxGoalsPerDetectorPerDay)})};
    }
    GoalRepository goals(db);
    auto duplicates = goals.openWithFingerprint(draft.fingerprint);
    if (!duplicates) {
        return duplicates.error();
    }
    if (!duplicates->isEmpty()) {
        auto open = goals.find(duplicates->first());
        return QPair<QString, SharedText>{
            QStringLiteral("duplicate"),
            sharedText(QT_TRANSLATE_NOOP("astra::Shared", "goal %1 about the same thing is open ('%2')"),
                       {QString::number(duplicates->first()), open ? toString(open->state) : QString()})};
    }

    const QStringList files = candidateOf(draft).files();
    if (!files.isEmpty()) {
        QStringList forbidden;
        for (const QString &file : files) {
            if (policy.checkPath(file.toUtf8())) {
                forbidden.append(file);
            }
        }
        if (forbidden.size() == files.size()) {
            return QPair<QString, SharedText>{
                QStringLiteral("principles"),
                sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                             "every file of the evidence is forbidden by the path policy: %1"),
                           {forbidden.join(QStringLiteral(", "))})};
        }
    }
    for (const PrincipleConfig &principle : config.principles) {
        auto globs = PathGlobList::compile(principle.denyPaths);
        if (!globs) {
            return globs.error();
        }
        for (const QString &file : files) {
            if (globs->matches(file.toUtf8())) {
                return QPair<QString, SharedText>{
                    QStringLiteral("principles"),
                    sharedText(QT_TRANSLATE_NOOP("astra::Shared", "principle '%1' denies %2 (deny_paths %3)"),
                               {principle.name, file, globs->matchingPattern(file.toUtf8())})};
            }
        }
        for (const QString &pattern : principle.denyGoalText) {
            const QRegularExpression expression(pattern);
            if (expression.match(draft.title).hasMatch()) {
                return QPair<QString, SharedText>{
                    QStringLiteral("principles"),
                    sharedText(QT_TRANSLATE_NOOP("astra::Shared", "principle '%1' denies goals whose text matches %2"),
                               {principle.name, pattern})};
            }
        }
    }

    if (!infeasible.text.isEmpty()) {
        return QPair<QString, SharedText>{QStringLiteral("feasibility"), infeasible};
    }
    return QPair<QString, SharedText>{};
}
} // namespace

QJsonObject ProposalDecision::toJson() const
{
    QJsonObject object;
    object.insert(QStringLiteral("id"), double(proposalId));
    object.insert(QStringLiteral("detector"), draft.detector);
    object.insert(QStringLiteral("kind"), draft.kind);
    object.insert(QStringLiteral("title"), draft.title);
    object.insert(QStringLiteral("confidence"), draft.confidence);
    object.insert(QStringLiteral("confidence_formula"), draft.confidenceWhy);
    object.insert(QStringLiteral("fingerprint"), draft.fingerprint);
    object.insert(QStringLiteral("decision"), accepted ? QStringLiteral("accepted") : QStringLiteral("refused"));
    object.insert(QStringLiteral("check"), check);
    object.insert(QStringLiteral("reason"), reason);
    object.insert(QStringLiteral("already_recorded"), alreadyRecorded);
    if (goalId > 0) {
        object.insert(QStringLiteral("goal"), double(goalId));
        object.insert(QStringLiteral("goal_state"), goalState);
    }
    object.insert(QStringLiteral("evidence"), draft.evidence);
    if (!createdAt.isEmpty()) {
        object.insert(QStringLiteral("created_at"), createdAt);
    }
    return object;
}

namespace {
const char proposalSelect[] =
    "SELECT p.id, p.detector, p.kind, p.title, p.fingerprint, p.confidence, p.evidence, p.decision, "
    "p.reason, p.refused_by, p.created_at, g.id, g.state FROM proposals p "
    "LEFT JOIN goals g ON g.proposal_id = p.id";

// The decision of the current row of a query that selected proposalSelect's columns.
ProposalDecision readDecision(const QSqlQuery &query)
{
    ProposalDecision decision;
    decision.proposalId = query.value(0).toLongLong();
    decision.draft.detector = query.value(1).toString();
    decision.draft.kind = query.value(2).toString();
    decision.draft.title = query.value(3).toString();
    decision.draft.fingerprint = query.value(4).toString();
    decision.draft.confidence = query.value(5).toDouble();
    decision.draft.evidence = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
    decision.draft.confidenceWhy = decision.draft.evidence.value(QStringLiteral("confidence_formula")).toString();
    decision.accepted = query.value(7).toString() == u"accepted";
    decision.reason = query.value(8).toString();
    decision.check = query.value(9).toString();
    decision.createdAt = query.value(10).toString();
    if (!query.value(11).isNull()) {
        decision.goalId = query.value(11).toLongLong();
        decision.goalState = query.value(12).toString();
    }
    return decision;
}
} // namespace

Result<ProposalDecision> findProposal(Database &db, qint64 proposalId)
{
    auto query = db.exec(Tr::tr("Reading proposal %1").arg(proposalId),
                         QString::fromLatin1(proposalSelect) + QStringLiteral(" WHERE p.id = ?"),
                         {proposalId});
    if (!query) {
        return query.error();
    }
    if (!query->next()) {
        return makeError(Tr::tr("There is no proposal %1.").arg(proposalId), ErrorKind::NotFound);
    }
    return readDecision(*query);
}

Result<QList<ProposalDecision>> listProposals(Database &db, bool refusedOnly, int limit)
{
    QString sql = QString::fromLatin1(proposalSelect);
    if (refusedOnly) {
        sql += QStringLiteral(" WHERE p.decision = 'refused'");
    }
    sql += QStringLiteral(" ORDER BY p.id DESC LIMIT ?");
    auto query = db.exec(Tr::tr("Listing the generator's decisions"), sql, {qMax(0, limit)});
    if (!query) {
        return query.error();
    }
    QList<ProposalDecision> decisions;
    while (query->next()) {
        decisions.append(readDecision(*query));
    }
    return decisions;
}

Result<QList<ProposalDecision>>
generateGoals(Database &db, Ledger &ledger, const Config &config, const QList<ProposalDraft> &drafts)
{
    QList<ProposalDecision> decisions;
    auto policy = PathPolicy::create(config.policy);
    if (!policy) {
        return policy.error();
    }
    auto domain = builtinDomain();
    if (!domain) {
        return domain.error();
    }
    for (const ProposalDraft &draft : drafts) {
        ProposalDecision decision;
        decision.draft = draft;
        auto infeasible = infeasibility(draft, config, *policy, *domain);
        if (!infeasible) {
            return infeasible.error();
        }
        Status done = db.writeTransaction([&]() -> Status {
            // Under the ledger lock, so that two generators cannot both pass the duplicate and
            // rate checks for the same draft.
            if (auto locked = ledger.lockHead(); !locked) {
                return locked.error();
            }
            auto refusal = firstRefusal(db, config, draft, *policy, *infeasible);
            if (!refusal) {
                return refusal.error();
            }
            decision.accepted = refusal->first.isEmpty();
            decision.check = refusal->first;
            const SharedText reason = decision.accepted
                ? sharedText(QT_TRANSLATE_NOOP("astra::Shared",
                                               "passed: confidence, rate limits, duplicates, principles, feasibility"))
                : refusal->second;
            decision.reason = reason.text;
            const QString evidence = QString::fromUtf8(canonicalJson(draft.evidence));
            if (!decision.accepted) {
                // The same refusal of the same evidence is recorded once, however often
                // detection runs: the newest decision about this fingerprint is it already.
                auto last = db.exec(Tr::tr("Reading the last proposal"),
                                    QStringLiteral("SELECT id, decision, refused_by, evidence, created_at, title "
                                                   "FROM proposals WHERE fingerprint = ? ORDER BY id DESC LIMIT 1"),
                                    {draft.fingerprint});
                if (!last) {
                    return last.error();
                }
                if (last->next() && last->value(1).toString() == u"refused"
                    && last->value(2).toString() == decision.check && last->value(3).toString() == evidence
                    && last->value(5).toString() == draft.title) {
                    decision.proposalId = last->value(0).toLongLong();
                    decision.createdAt = last->value(4).toString();
                    decision.alreadyRecorded = true;
                    return {};
                }
            }
            const QString now = isoNow();
            auto inserted =
                db.exec(Tr::tr("Recording a proposal"),
                        QStringLiteral("INSERT INTO proposals (detector, kind, title, fingerprint, confidence, "
                                       "evidence, decision, reason, refused_by, created_at) VALUES (?, ?, ?, ?, ?, ?, "
                                       "?, ?, ?, ?) RETURNING id"),
                        {draft.detector,
                         draft.kind,
                         draft.title,
                         draft.fingerprint,
                         draft.confidence,
                         evidence,
                         decision.accepted ? QStringLiteral("accepted") : QStringLiteral("refused"),
                         decision.reason,
                         decision.check,
                         now});
            if (!inserted) {
                return inserted.error();
            }
            if (!inserted->next()) {
                return makeError(Tr::tr("Recording a proposal returned no id"));
            }
            decision.proposalId = inserted->value(0).toLongLong();
            decision.createdAt = now;
            QJsonObject meta;
            meta.insert(QStringLiteral("detector"), draft.detector);
            meta.insert(QStringLiteral("title"), draft.title);
            meta.insert(QStringLiteral("confidence"), draft.confidence);
            meta.insert(QStringLiteral("fingerprint"), draft.fingerprint);
            meta.insert(QStringLiteral("reason"), decision.reason);
            if (!reason.message.isEmpty()) {
                meta.insert(QStringLiteral("reason_message"), reason.message);
            }
            if (!decision.accepted) {
                meta.insert(QStringLiteral("check"), decision.check);
                auto entry = ledger.append(LedgerRecord{QStringLiteral("astra"),
                                                        QStringLiteral("proposal_refused"),
                                                        QStringLiteral("proposal:%1").arg(decision.proposalId),
                                                        meta});
                return entry ? Status() : Status(entry.error());
            }
            const bool autoApprove =
                config.generator.autoApprove && draft.confidence >= config.generator.autoApproveConfidence;
            Goal goal;
            goal.kind = draft.kind;
            goal.title = draft.title;
            goal.state = autoApprove ? GoalState::Active : GoalState::Proposed;
            goal.source = GoalSource::System;
            goal.createdBy = draft.detector;
            goal.proposalId = decision.proposalId;
            goal.confidence = draft.confidence;
            goal.fingerprint = draft.fingerprint;
            goal.evidence = draft.evidence;
            if (!draft.titleMessage.isEmpty()) {
                goal.evidence.insert(QStringLiteral("title_message"), draft.titleMessage);
            }
            goal.autoApproved = autoApprove;
            goal.stateReason = autoApprove
                ? sharedText(QT_TRANSLATE_NOOP("astra::Shared", "auto-approved: confidence %1 >= %2"),
                             {QString::number(draft.confidence, 'f', 2),
                              QString::number(config.generator.autoApproveConfidence, 'f', 2)})
                      .text
                : QString();
            auto created = GoalRepository(db).insert(goal);
            if (!created) {
                return created.error();
            }
            decision.goalId = created->id;
            decision.goalState = toString(created->state);
            meta.insert(QStringLiteral("goal"), double(created->id));
            auto accepted = ledger.append(LedgerRecord{QStringLiteral("astra"),
                                                       QStringLiteral("proposal_accepted"),
                                                       QStringLiteral("proposal:%1").arg(decision.proposalId),
                                                       meta});
            if (!accepted) {
                return accepted.error();
            }
            QJsonObject goalMeta;
            goalMeta.insert(QStringLiteral("kind"), goal.kind);
            goalMeta.insert(QStringLiteral("title"), goal.title);
            goalMeta.insert(QStringLiteral("state"), decision.goalState);
            goalMeta.insert(QStringLiteral("proposal"), double(decision.proposalId));
            goalMeta.insert(QStringLiteral("auto_approved"), autoApprove);
            goalMeta.insert(QStringLiteral("files"), goal.evidence.value(QStringLiteral("files")));
            auto entry = ledger.append(LedgerRecord{QStringLiteral("astra"),
                                                    QStringLiteral("goal_created"),
                                                    QStringLiteral("goal:%1").arg(created->id),
                                                    goalMeta});
            return entry ? Status() : Status(entry.error());
        });
        if (!done) {
            return done.error();
        }
        decisions.append(decision);
    }
    return decisions;
}

} // namespace astra
