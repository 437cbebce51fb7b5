#include "git/teamremote.h"

#include "git/git.h"
#include "git/gitrepository.h"
#include "git/remoteaccess.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GitRepository)
};
} // namespace

QString teamTargetRef(const QString &targetBranch)
{
    return QStringLiteral("refs/astra/team/") + targetBranch;
}

Result<QString> fetchTeamRefs(GitRepository &repo, const QString &remote, const QString &targetBranch)
{
    auto opened = git::openRemote(repo.handle(), remote);
    if (!opened) {
        return opened.error();
    }
    const QString trackingRef = teamTargetRef(targetBranch);
    const git::RefspecArray refspecs({QStringLiteral("+refs/heads/%1:%2").arg(targetBranch, trackingRef),
                                      QStringLiteral("+refs/heads/astra/*:refs/heads/astra/*"),
                                      QStringLiteral("+refs/astra/modifications/*:refs/astra/modifications/*")});
    git::RemoteExchange exchange;
    git_fetch_options options = GIT_FETCH_OPTIONS_INIT;
    options.callbacks = git::remoteCallbacks(exchange);
    options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    const QByteArray reflog = QStringLiteral("astra: fetch from the team's repository %1").arg(remote).toUtf8();
    if (const int code = git_remote_fetch(opened->get(), refspecs.get(), &options, reflog.constData()); code < 0) {
        // Unreachable now (the network, the server) is worth trying again.
        Error failed = git::error(code,
                                  Tr::tr("Fetching %1 and the modification branches from the team's repository %2")
                                      .arg(targetBranch, remote));
        failed.kind = ErrorKind::Transient;
        return failed;
    }
    git_oid oid;
    const QByteArray ref = trackingRef.toUtf8();
    if (const int code = git_reference_name_to_id(&oid, repo.handle(), ref.constData()); code < 0) {
        return makeError(Tr::tr("The team's repository %1 has no branch %2, the target of .astra.toml: check `git "
                                "config astra.remote` and the remote's URL (`git remote -v`).")
                             .arg(remote, targetBranch),
                         ErrorKind::NotFound);
    }
    return git::oidToString(oid);
}

Status pushTeamRefs(GitRepository &repo, const QString &remote, const QStringList &refspecs)
{
    git::RemoteExchange exchange;
    auto pushed = git::pushToRemote(repo.handle(), remote, refspecs, exchange);
    if (!pushed) {
        return pushed.error();
    }
    const int code = *pushed;
    if (code == GIT_ENONFASTFORWARD) {
        return makeError(Tr::tr("The team's repository %1 has moved %2 elsewhere since this clone fetched it (not a "
                                "fast-forward); nothing was written there.")
                             .arg(remote, refspecs.join(QStringLiteral(", "))),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Pushing %1 to the team's repository %2").arg(refspecs.join(u' '), remote));
    }
    if (!exchange.refusal.isEmpty()) {
        return makeError(Tr::tr("The team's repository %1 refused %2; nothing of it was written there.")
                             .arg(remote, exchange.refusal),
                         ErrorKind::Refused);
    }
    return {};
}

} // namespace astra
