#pragma once

#include "base/result.h"

#include <QObject>
#include <QString>
#include <QTimer>

class QFileSystemWatcher;

namespace astra {

class Database;

// Tells the thread that owns `db` when another connection changed the state, without polling:
//   - SQLite: the database file and its write-ahead log are watched (inotify); a burst of file
//     events is coalesced for a moment, then PRAGMA data_version says whether another connection
//     committed since the last look (this connection's own commits do not count), and the
//     ledger head whether that commit changed the state;
//   - PostgreSQL: LISTEN on the channel every ledger append notifies (changeChannel()), and
//     notifications from this connection's own session are ignored.
// Every change to the state appends to the ledger in the same transaction, so a committed
// change always reaches the feed. Lives on the database's thread and must be deleted there,
// before the Database.
class ChangeFeed : public QObject
{
    Q_OBJECT
public:
    explicit ChangeFeed(Database &db, QObject *parent = nullptr);
    ~ChangeFeed() override;

    // Starts watching; an error says why changes will not be seen (the caller still works, it
    // only refreshes on its own).
    Status start();

    // The PostgreSQL NOTIFY channel.
    static QString changeChannel();

    // How long a burst of file events is coalesced before the database is asked (SQLite).
    static constexpr int settleMs = 25;

Q_SIGNALS:
    void changed();

private:
    void fileEvent();
    void check();
    void watchFiles();

    Database &m_db;
    QFileSystemWatcher *m_files = nullptr;
    QTimer m_settle;
    qint64 m_dataVersion = -1;
    qint64 m_ledgerSeq = -1; // the ledger head when last looked
    QString m_path; // the SQLite file
};

} // namespace astra
