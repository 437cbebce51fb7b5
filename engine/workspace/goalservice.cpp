#include "workspace/goalservice.h"

#include "store/database.h"
#include "store/goalrepository.h"
#include "store/ledger.h"
#include "store/transitions.h"
#include "workspace/decisions.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};
} // namespace

Status checkGoalFiles(const QStringList &files)
{
    for (const QString &file : files) {
        const QString clean = QDir::cleanPath(file.trimmed());
        if (clean.isEmpty() || clean == u"." || QDir::isAbsolutePath(file) || clean.startsWith(u"../")
            || clean == u"..") {
            return makeError(Tr::tr("--files %1: a goal's files are paths relative to the repository root, inside it "
                                    "(e.g. src/parser.cpp).")
                                 .arg(file),
                             ErrorKind::Invalid);
        }
    }
    return {};
}

GoalService::GoalService(Database &db, Ledger &ledger, Decisions &decisions)
    : m_db(db)
    , m_ledger(ledger)
    , m_decisions(decisions)
{}

Result<Goal> GoalService::draft(const QString &title, const QStringList &files, const QString &description) const
{
    const QString trimmed = title.trimmed();
    if (trimmed.isEmpty()) {
        return makeError(Tr::tr("A goal needs a title: `astra goal add \"what should change\" [--files PATH...]`."),
                         ErrorKind::Invalid);
    }
    if (Status named = checkGoalFiles(files); !named) {
        return named.error();
    }
    const QJsonArray fileArray = QJsonArray::fromStringList(files);
    Goal goal;
    goal.kind = QStringLiteral("user-request");
    goal.title = trimmed;
    goal.description = description;
    goal.source = GoalSource::User;
    goal.createdBy = m_decisions.actor();
    goal.confidence = 1.0;
    goal.state = GoalState::Proposed;
    goal.fingerprint = goalFingerprint(goal.kind, goal.title, files);
    goal.evidence.insert(QStringLiteral("files"), fileArray);
    return goal;
}

Result<Goal> GoalService::insert(const Goal &draft)
{
    auto created = GoalRepository(m_db).insert(draft);
    if (!created) {
        return created.error();
    }
    QJsonObject meta;
    meta.insert(QStringLiteral("title"), created->title);
    meta.insert(QStringLiteral("kind"), created->kind);
    meta.insert(QStringLiteral("state"), toString(created->state));
    meta.insert(QStringLiteral("files"), draft.evidence.value(QStringLiteral("files")));
    auto entry = m_ledger.append(LedgerRecord{created->createdBy,
                                              QStringLiteral("goal_created"),
                                              QStringLiteral("goal:%1").arg(created->id),
                                              meta});
    if (!entry) {
        return entry.error();
    }
    return created;
}

Result<Goal> GoalService::add(const QString &title, const QStringList &files, const QString &description)
{
    auto goal = draft(title, files, description);
    if (!goal) {
        return goal;
    }
    auto created = m_db.writeTransaction([&]() -> Result<Goal> { return insert(*goal); });
    if (!created) {
        return created.error();
    }
    m_decisions.checkpointAfterDecision();
    return created;
}

Result<QList<Goal>> GoalService::list(std::optional<GoalState> state)
{
    return GoalRepository(m_db).list(state);
}

Result<Goal> GoalService::find(qint64 id)
{
    return GoalRepository(m_db).find(id);
}

Result<Goal> GoalService::apply(qint64 id, GoalAction action, const QString &reason)
{
    if (action != GoalAction::Approve && reason.trimmed().isEmpty()) {
        return makeError(Tr::tr("Rejecting or abandoning goal %1 needs a reason: `astra goal %2 %1 --reason TEXT`. "
                                "The reason is kept with the goal and in the audit ledger.")
                             .arg(id)
                             .arg(toString(action)),
                         ErrorKind::Invalid);
    }
    auto moved = move(id, targetState(action), reason, m_decisions.actor());
    if (moved) {
        m_decisions.checkpointAfterDecision();
    }
    return moved;
}

Result<Goal> GoalService::move(qint64 id, GoalState to, const QString &reason, const QString &who)
{
    return m_db.writeTransaction([&]() -> Result<Goal> {
        auto current = GoalRepository(m_db).find(id);
        if (!current) {
            return current.error();
        }
        return Transitions(m_db, m_ledger).goal(*current, to, TransitionCause{who, reason, {}});
    });
}

} // namespace astra
