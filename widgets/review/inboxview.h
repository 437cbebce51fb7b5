#pragma once

#include "workspace/workspacewatcher.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QSortFilterProxyModel>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

class QCheckBox;

namespace astra {

// The modifications that wait for a person, one row each.
class InboxModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        TitleColumn,
        WaitingColumn,
        SizeColumn, // files and lines
        SeenColumn, // hunks marked seen in the revision under review
        FlagsColumn,
        TestsColumn,
        AgeColumn,
        ColumnCount,
    };
    enum Roles
    {
        ModificationRole = Qt::UserRole + 1, // the modification's id
        GoalRole,
        StatusRole, // the ModificationStatus name
        SortRole,
    };
    using QAbstractTableModel::QAbstractTableModel;
    void setItems(const QList<InboxItem> &items);
    // Where the diff viewer keeps seen marks for this workspace ("<repository>/modification-<id>").
    void setReviewKeyPrefix(const QString &prefix);
    const QList<InboxItem> &items() const
    {
        return m_items;
    }
    int rowOf(qint64 modificationId) const;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // What the person is asked to do for a modification in `status`.
    static QString waitingFor(ModificationStatus status);
    // How long ago, as "5 min", "3 h", "2 d".
    static QString ageText(const QDateTime &since, const QDateTime &now);

private:
    // "3 of 5", "new revision", or empty (never opened), and its sort value.
    QString seenText(const InboxItem &item, double *sortValue = nullptr) const;

    QList<InboxItem> m_items;
    QString m_reviewKeyPrefix;
};

// Filters by a text (title, goal, branch, files) and by what the modification waits for.
class InboxFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setText(const QString &text);
    void setStatus(const QString &status); // empty: any
    void setAssignedTo(const QString &person); // empty: anyone's
protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QString m_status;
    QString m_assignedTo;
};

// The review inbox: what waits for a decision, sortable by every column and filterable;
// selecting a row shows its review, and after a decision the next one comes up.
class InboxView : public QWidget
{
    Q_OBJECT
public:
    explicit InboxView(QWidget *parent = nullptr);
    void setItems(const QList<InboxItem> &items);
    InboxModel *model() const
    {
        return m_model;
    }
    QTableView *table() const
    {
        return m_table;
    }
    QLineEdit *filterEdit() const
    {
        return m_filter;
    }
    QComboBox *statusFilter() const
    {
        return m_status;
    }
    QCheckBox *assignedToMe() const
    {
        return m_mine;
    }
    // Who uses the workstation, as the review assignments name people.
    void setPerson(const QString &person);
    qint64 currentModification() const;
    // Selects a modification's row (false when it is not listed) without taking the focus.
    bool selectModification(qint64 modificationId);
    // The modification listed after `modificationId` in the order shown (the one before it when
    // it is last); 0 when there is no other.
    qint64 nextAfter(qint64 modificationId) const;
    // The goal of a listed modification; 0 when it is not listed.
    qint64 goalOf(qint64 modificationId) const;
    // Marks the row of the goal's change current without announcing it (the change is shown
    // already); clears the mark when the goal has none here.
    void showGoal(qint64 goalId);
    // Rows shown (after the filters).
    int shownCount() const;

Q_SIGNALS:
    void modificationSelected(qint64 modificationId, qint64 goalId);
    // Double-click or Enter: open the review.
    void modificationActivated(qint64 modificationId, qint64 goalId);

private:
    void updateSummary();

    InboxModel *m_model;
    InboxFilter *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QComboBox *m_status;
    QCheckBox *m_mine;
    QLabel *m_summary;
    QString m_person;
};

} // namespace astra
