#pragma once

#include "model/goalcard.h"

#include <QAbstractListModel>
#include <QDateTime>

namespace astra {

// Every goal of the workspace as a card, for the board's columns (each a GoalColumnProxy over
// this model). Cards are replaced as a whole when a load arrives; the model never reads the
// database itself.
class GoalBoardModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        IdRole = Qt::UserRole + 1,
        StateRole, // the stored state name: "awaiting_review"
        TitleRole,
        SourceRole, // user, system, collaborative
        DetectorRole, // empty for goals people added
        ConfidenceRole,
        PriorityRole,
        CreatedAtRole, // QDateTime (UTC)
        PlanStateRole,
        ModificationStatusRole,
        FilesRole, // QStringList
        OverlapRole, // QList<qint64>: other open goals touching one of the same files
        SearchTextRole, // title, description, kind and files, lower-case, for the text filter
        CardRole, // the GoalCard
    };
    Q_ENUM(Role)

    static constexpr const char *mimeType = "application/x-astra-goal";

    explicit GoalBoardModel(QObject *parent = nullptr);

    void setCards(const QList<GoalCard> &cards);
    const QList<GoalCard> &cards() const
    {
        return m_cards;
    }
    // The row of a goal, or -1.
    int rowOf(qint64 goalId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;

    // Reads the goal id and state a drag carries; false when it carries none.
    static bool decodeDrag(const QMimeData *data, qint64 *goalId, QString *state);

    // "3 h", "2 d": how long ago `then` was, short.
    static QString ageText(const QDateTime &then, const QDateTime &now);

private:
    void computeOverlaps();

    QList<GoalCard> m_cards;
    QList<QList<qint64>> m_overlaps;
    QList<QDateTime> m_created;
    QList<QString> m_search;
    QHash<qint64, int> m_rows;
};

} // namespace astra
