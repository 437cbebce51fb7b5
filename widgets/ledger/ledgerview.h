#pragma once

#include "workspace/workspacewatcher.h"

#include <QAbstractTableModel>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace astra {

// The ledger's entries, newest first.
class LedgerModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        SeqColumn,
        TimeColumn,
        ActorColumn,
        EventColumn,
        SubjectColumn,
        HashColumn,
        ColumnCount,
    };
    using QAbstractTableModel::QAbstractTableModel;
    void setEntries(const QList<LedgerEntry> &entries); // oldest first, as loaded
    const LedgerEntry &entry(int row) const
    {
        return m_entries.at(row);
    }
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<LedgerEntry> m_entries; // newest first
};

// The audit ledger: its latest entries with a filter, an entry's details, and verification of
// the whole chain (table, archived segments and the git checkpoint) on request.
class LedgerView : public QWidget
{
    Q_OBJECT
public:
    explicit LedgerView(QWidget *parent = nullptr);

    void setSnapshot(const LedgerSnapshot &snapshot);
    void showError(const QString &message);
    LedgerModel *model() const
    {
        return m_model;
    }
    QTableView *table() const
    {
        return m_table;
    }
    QString verificationText() const;
    static QString describe(const LedgerVerification &verification);

Q_SIGNALS:
    void verifyRequested();

private:
    void showEntry();

    LedgerModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QLabel *m_summary;
    QLabel *m_verification;
    QPushButton *m_verify;
    QTextBrowser *m_detail;
};

} // namespace astra
