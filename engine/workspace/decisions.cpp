#include "workspace/decisions.h"

#include "git/gitrepository.h"
#include "git/teamremote.h"
#include "store/ledger.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSysInfo>

#include <pwd.h>
#include <unistd.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};

QString osUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty()) {
        if (const passwd *entry = getpwuid(geteuid()); entry && entry->pw_name) {
            user = QString::fromLocal8Bit(entry->pw_name);
        }
    }
    return user.isEmpty() ? QStringLiteral("uid-%1").arg(geteuid()) : user;
}
} // namespace

Decisions::Decisions(GitRepository &repo, Ledger &ledger)
    : m_repo(repo)
    , m_ledger(ledger)
    , m_teamRemote(repo.configValue(QStringLiteral("astra.remote")).trimmed())
{}

QString Decisions::teamRemote() const
{
    return m_teamRemote;
}

Status Decisions::publish(const QStringList &refspecs)
{
    if (m_teamRemote.isEmpty()) {
        return {};
    }
    return pushTeamRefs(m_repo, m_teamRemote, refspecs);
}

std::unique_ptr<TargetMoveLock> Decisions::holdTeamRefs() const
{
    return m_teamRemote.isEmpty() ? nullptr : std::make_unique<TargetMoveLock>(m_repo);
}

Status Decisions::fetchIfMissing(const QString &commit, const QString &targetBranch)
{
    if (m_teamRemote.isEmpty() || commit.isEmpty() || m_repo.commitParents(commit)) {
        return {};
    }
    const auto held = holdTeamRefs();
    auto fetched = fetchTeamRefs(m_repo, m_teamRemote, targetBranch);
    if (!fetched) {
        return fetched.error();
    }
    if (!m_repo.commitParents(commit)) {
        return makeError(Tr::tr("The commit %1 is not in the team's repository %2 either: it was written in a "
                                "repository that does not share it. Nothing was done.")
                             .arg(commit.left(12), m_teamRemote),
                         ErrorKind::NotFound);
    }
    return {};
}

void Decisions::publishUndo(const QStringList &refspecs)
{
    if (Status undone = publish(refspecs); !undone) {
        warn(Tr::tr("What may have been pushed to the team's repository %1 could not be taken back (%2); the "
                    "recovery of a workspace opened there removes it.")
                 .arg(m_teamRemote, undone.message()));
    }
}

QString Decisions::actor() const
{
    const GitIdentity identity = m_repo.identity();
    QString actor = osUser();
    if (!identity.name.isEmpty() || !identity.email.isEmpty()) {
        actor += QStringLiteral(" (%1 <%2>)").arg(identity.name, identity.email);
    }
    return actor;
}

QString personOf(const QString &actor)
{
    const qsizetype open = actor.lastIndexOf(u'<');
    const qsizetype close = actor.lastIndexOf(u'>');
    if (open >= 0 && close > open + 1) {
        return actor.mid(open + 1, close - open - 1).trimmed().toLower();
    }
    const qsizetype paren = actor.indexOf(QStringLiteral(" ("));
    const QString user = (paren >= 0 ? actor.left(paren) : actor).trimmed();
    return user.contains(u'@') ? user.toLower() : user;
}

QString personDisplayName(const QString &actor)
{
    static const QRegularExpression identity(QStringLiteral(R"(\((.+ <[^>]*>)\)$)"));
    const QRegularExpressionMatch match = identity.match(actor);
    return match.hasMatch() ? match.captured(1) : actor.simplified();
}

QString Decisions::person() const
{
    return personOf(actor());
}

GitIdentity Decisions::identity() const
{
    GitIdentity identity = m_repo.identity();
    if (identity.name.isEmpty()) {
        identity.name = osUser();
    }
    if (identity.email.isEmpty()) {
        identity.email = osUser() + QStringLiteral("@localhost");
    }
    return identity;
}

Result<LedgerCheckpoint> Decisions::checkpoint()
{
    auto head = m_ledger.head();
    if (!head) {
        return head.error();
    }
    if (head->seq == 0) {
        return makeError(Tr::tr("The ledger is empty; there is nothing to checkpoint yet."), ErrorKind::Invalid);
    }
    auto written = m_repo.writeLedgerCheckpoint(head->seq, head->hash);
    if (!written) {
        return written;
    }
    if (Status recorded = m_ledger.recordCheckpoint(checkpointKey(), *written); !recorded) {
        return makeError(Tr::tr("%1 now records entry %2, but the database could not record that it does: %3")
                             .arg(QStringLiteral("refs/astra/ledger"))
                             .arg(written->seq)
                             .arg(recorded.message()));
    }
    return written;
}

QString Decisions::checkpointKey() const
{
    return QSysInfo::machineHostName() + u':' + m_repo.commonDir();
}

void Decisions::checkpointAfterDecision()
{
    auto written = checkpoint();
    if (!written) {
        warn(Tr::tr("The change was recorded, but the ledger checkpoint refs/astra/ledger could not be updated: %1")
                 .arg(written.message()));
    }
}

void Decisions::warn(const QString &warning)
{
    const std::lock_guard lock(m_warningsMutex);
    m_warnings.append(warning);
}

QStringList Decisions::takeWarnings()
{
    const std::lock_guard lock(m_warningsMutex);
    return std::exchange(m_warnings, {});
}

} // namespace astra
