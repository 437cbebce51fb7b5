#include "store/changefeed.h"

#include "base/logging.h"
#include "store/database.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QSqlDriver>
#include <QSqlQuery>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::ChangeFeed)
};
} // namespace

ChangeFeed::ChangeFeed(Database &db, QObject *parent)
    : QObject(parent)
    , m_db(db)
{
    m_settle.setSingleShot(true);
    m_settle.setInterval(settleMs);
    connect(&m_settle, &QTimer::timeout, this, &ChangeFeed::check);
}

ChangeFeed::~ChangeFeed()
{
    if (m_db.location().driver == DatabaseLocation::Driver::PostgreSQL) {
        QSqlDatabase connection = m_db.connection();
        if (connection.isOpen() && connection.driver()) {
            connection.driver()->unsubscribeFromNotification(changeChannel());
        }
    }
}

QString ChangeFeed::changeChannel()
{
    return QStringLiteral("astra_changes");
}

Status ChangeFeed::start()
{
    QSqlDatabase connection = m_db.connection();
    if (m_db.location().driver == DatabaseLocation::Driver::PostgreSQL) {
        QSqlDriver *driver = connection.driver();
        if (!driver || !driver->hasFeature(QSqlDriver::EventNotifications)
            || !driver->subscribeToNotification(changeChannel())) {
            return makeError(Tr::tr("Cannot listen for changes on %1: %2. The view refreshes only on its own actions "
                                    "and F5.")
                                 .arg(m_db.location().displayName(), connection.lastError().text()));
        }
        connect(driver,
                static_cast<void (QSqlDriver::*)(const QString &, QSqlDriver::NotificationSource, const QVariant &)>(
                    &QSqlDriver::notification),
                this,
                [this](const QString &name, QSqlDriver::NotificationSource source, const QVariant &) {
                    if (name == changeChannel() && source != QSqlDriver::SelfSource) {
                        Q_EMIT changed();
                    }
                });
        return {};
    }
    m_path = m_db.location().path;
    m_files = new QFileSystemWatcher(this);
    connect(m_files, &QFileSystemWatcher::fileChanged, this, &ChangeFeed::fileEvent);
    connect(m_files, &QFileSystemWatcher::directoryChanged, this, &ChangeFeed::fileEvent);
    // The folder too: the write-ahead log is removed and made again as connections come and go.
    if (!m_files->addPath(QFileInfo(m_path).absolutePath())) {
        return makeError(Tr::tr("Cannot watch %1 for changes; the view refreshes only on its own actions and F5.")
                             .arg(QFileInfo(m_path).absolutePath()));
    }
    watchFiles();
    check();
    return {};
}

void ChangeFeed::watchFiles()
{
    for (const QString &file : QStringList{m_path, m_path + QStringLiteral("-wal")}) {
        if (!m_files->files().contains(file) && QFileInfo::exists(file)) {
            m_files->addPath(file);
        }
    }
}

void ChangeFeed::fileEvent()
{
    watchFiles();
    if (!m_settle.isActive()) {
        m_settle.start();
    }
}

void ChangeFeed::check()
{
    auto query = m_db.exec(Tr::tr("Reading the data version"), QStringLiteral("PRAGMA data_version"));
    if (!query || !query->next()) {
        qCWarning(lcStore) << "cannot read the data version:" << (query ? QString() : query.message());
        return;
    }
    const qint64 version = query->value(0).toLongLong();
    const bool otherCommitted = m_dataVersion >= 0 && version != m_dataVersion;
    m_dataVersion = version;
    // Another connection committed; that is a change to the state when the ledger moved.
    // Commits that only keep books (the record of the ledger checkpoint that follows a decision)
    // are not announced, as on PostgreSQL. The head is read after this connection's own commits
    // too, so that they are not taken for another's.
    auto head =
        m_db.exec(Tr::tr("Reading the ledger head"), QStringLiteral("SELECT seq FROM ledger_head WHERE id = 1"));
    if (!head) {
        qCWarning(lcStore) << "cannot read the ledger head:" << head.message();
        return;
    }
    const qint64 seq = head->next() ? head->value(0).toLongLong() : 0;
    const bool moved = m_ledgerSeq >= 0 && seq != m_ledgerSeq;
    m_ledgerSeq = seq;
    if (otherCommitted && moved) {
        Q_EMIT changed();
    }
}

} // namespace astra
