#include "goals/goalboard.h"

#include "store/database.h"
#include "store/goalrepository.h"

#include <QCoreApplication>
#include <QHash>
#include <QSqlQuery>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GoalBoard)
};
} // namespace

Result<QList<GoalCard>> loadGoalCards(Database &db)
{
    auto goals = GoalRepository(db).list();
    if (!goals) {
        return goals.error();
    }
    QHash<qint64, int> index;
    QList<GoalCard> cards;
    cards.reserve(goals->size());
    for (const Goal &goal : std::as_const(*goals)) {
        index.insert(goal.id, int(cards.size()));
        GoalCard card;
        card.goal = goal;
        cards.append(card);
    }
    auto detectors = db.exec(Tr::tr("Reading the detectors of the goals"),
                             QStringLiteral("SELECT g.id, p.detector FROM goals g JOIN proposals p ON p.id = "
                                            "g.proposal_id"));
    if (!detectors) {
        return detectors.error();
    }
    while (detectors->next()) {
        if (auto it = index.constFind(detectors->value(0).toLongLong()); it != index.cend()) {
            cards[*it].detector = detectors->value(1).toString();
        }
    }
    // Later rows win: the newest plan that is not superseded, the newest modification.
    auto plans =
        db.exec(Tr::tr("Reading the plans of the goals"),
                QStringLiteral("SELECT goal_id, id, state FROM plans WHERE state <> 'superseded' ORDER BY id"));
    if (!plans) {
        return plans.error();
    }
    while (plans->next()) {
        if (auto it = index.constFind(plans->value(0).toLongLong()); it != index.cend()) {
            cards[*it].planId = plans->value(1).toLongLong();
            cards[*it].planState = plans->value(2).toString();
        }
    }
    auto modifications =
        db.exec(Tr::tr("Reading the modifications of the goals"),
                QStringLiteral("SELECT goal_id, id, status FROM modifications WHERE goal_id IS NOT NULL ORDER BY id"));
    if (!modifications) {
        return modifications.error();
    }
    while (modifications->next()) {
        if (auto it = index.constFind(modifications->value(0).toLongLong()); it != index.cend()) {
            cards[*it].modificationId = modifications->value(1).toLongLong();
            cards[*it].modificationStatus = modifications->value(2).toString();
        }
    }
    return cards;
}

} // namespace astra
