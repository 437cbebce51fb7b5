#include "goalboardmodel.h"

#include "common/labels.h"
#include "model/goalstatemachine.h"

#include <QDataStream>
#include <QIODevice>
#include <QMimeData>

namespace astra {

GoalBoardModel::GoalBoardModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void GoalBoardModel::setCards(const QList<GoalCard> &cards)
{
    beginResetModel();
    m_cards = cards;
    m_rows.clear();
    m_created.clear();
    m_search.clear();
    m_created.reserve(m_cards.size());
    m_search.reserve(m_cards.size());
    for (int row = 0; row < m_cards.size(); ++row) {
        const Goal &goal = m_cards.at(row).goal;
        m_rows.insert(goal.id, row);
        m_created.append(QDateTime::fromString(goal.createdAt, Qt::ISODateWithMs));
        m_search.append(QStringList{goal.title, goalTitle(goal), goal.description, goal.kind, goal.files().join(u' ')}
                            .join(u' ')
                            .toLower());
    }
    computeOverlaps();
    endResetModel();
}

void GoalBoardModel::computeOverlaps()
{
    // file -> open goals naming it; one pass over the files, then one over each goal's files.
    QHash<QString, QList<qint64>> byFile;
    for (const GoalCard &card : std::as_const(m_cards)) {
        if (GoalStateMachine::isOpen(card.goal.state)) {
            for (const QString &file : card.goal.files()) {
                byFile[file].append(card.goal.id);
            }
        }
    }
    m_overlaps.clear();
    m_overlaps.reserve(m_cards.size());
    for (const GoalCard &card : std::as_const(m_cards)) {
        QList<qint64> others;
        if (GoalStateMachine::isOpen(card.goal.state)) {
            for (const QString &file : card.goal.files()) {
                for (qint64 other : byFile.value(file)) {
                    if (other != card.goal.id && !others.contains(other)) {
                        others.append(other);
                    }
                }
            }
        }
        std::sort(others.begin(), others.end());
        m_overlaps.append(others);
    }
}

int GoalBoardModel::rowOf(qint64 goalId) const
{
    return m_rows.value(goalId, -1);
}

int GoalBoardModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_cards.size());
}

QString GoalBoardModel::ageText(const QDateTime &then, const QDateTime &now)
{
    if (!then.isValid()) {
        return QString();
    }
    const qint64 seconds = qMax<qint64>(0, then.secsTo(now));
    if (seconds < 3600) {
        return tr("%n min", nullptr, int(seconds / 60));
    }
    if (seconds < 86400) {
        return tr("%n h", nullptr, int(seconds / 3600));
    }
    return tr("%n d", nullptr, int(seconds / 86400));
}

QVariant GoalBoardModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const GoalCard &card = m_cards.at(index.row());
    const Goal &goal = card.goal;
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return goalTitle(goal);
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("<b>%1</b>").arg(goalTitle(goal).toHtmlEscaped());
        if (!goal.stateReason.isEmpty()) {
            tip += QStringLiteral("<br>") + sharedReason(goal.stateReason).toHtmlEscaped();
        }
        const QList<qint64> &overlap = m_overlaps.at(index.row());
        if (!overlap.isEmpty()) {
            QStringList ids;
            for (qint64 id : overlap) {
                ids.append(QString::number(id));
            }
            tip += QStringLiteral("<br>")
                + tr("Touches the same files as open goal(s) %1.", nullptr, int(overlap.size()))
                      .arg(ids.join(QStringLiteral(", ")));
        }
        return tip;
    }
    case IdRole:
        return goal.id;
    case StateRole:
        return toString(goal.state);
    case SourceRole:
        return toString(goal.source);
    case DetectorRole:
        return card.detector;
    case ConfidenceRole:
        return goal.confidence;
    case PriorityRole:
        return goal.priority;
    case CreatedAtRole:
        return m_created.at(index.row());
    case PlanStateRole:
        return card.planState;
    case ModificationStatusRole:
        return card.modificationStatus;
    case FilesRole:
        return goal.files();
    case OverlapRole:
        return QVariant::fromValue(m_overlaps.at(index.row()));
    case SearchTextRole:
        return m_search.at(index.row());
    case CardRole:
        return QVariant::fromValue(card);
    default:
        return {};
    }
}

QHash<int, QByteArray> GoalBoardModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "goalId");
    names.insert(StateRole, "state");
    names.insert(TitleRole, "title");
    names.insert(SourceRole, "source");
    names.insert(DetectorRole, "detector");
    names.insert(ConfidenceRole, "confidence");
    names.insert(PriorityRole, "priority");
    names.insert(CreatedAtRole, "createdAt");
    names.insert(PlanStateRole, "planState");
    names.insert(ModificationStatusRole, "modificationStatus");
    names.insert(FilesRole, "files");
    names.insert(OverlapRole, "overlap");
    return names;
}

Qt::ItemFlags GoalBoardModel::flags(const QModelIndex &index) const
{
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
    // Only goals a person can still move (approve, reject, abandon) can be dragged.
    if (GoalStateMachine::isOpen(m_cards.at(index.row()).goal.state)) {
        flags |= Qt::ItemIsDragEnabled;
    }
    return flags;
}

QStringList GoalBoardModel::mimeTypes() const
{
    return {QString::fromLatin1(mimeType)};
}

QMimeData *GoalBoardModel::mimeData(const QModelIndexList &indexes) const
{
    if (indexes.isEmpty() || !indexes.constFirst().isValid()) {
        return nullptr;
    }
    const Goal &goal = m_cards.at(indexes.constFirst().row()).goal;
    QByteArray payload;
    QDataStream stream(&payload, QIODevice::WriteOnly);
    stream << goal.id << toString(goal.state);
    auto *data = new QMimeData;
    data->setData(QString::fromLatin1(mimeType), payload);
    data->setText(QStringLiteral("#%1 %2").arg(goal.id).arg(goalTitle(goal)));
    return data;
}

Qt::DropActions GoalBoardModel::supportedDragActions() const
{
    return Qt::MoveAction;
}

bool GoalBoardModel::decodeDrag(const QMimeData *data, qint64 *goalId, QString *state)
{
    if (!data || !data->hasFormat(QString::fromLatin1(mimeType))) {
        return false;
    }
    QDataStream stream(data->data(QString::fromLatin1(mimeType)));
    stream >> *goalId >> *state;
    return stream.status() == QDataStream::Ok && *goalId > 0;
}

} // namespace astra
