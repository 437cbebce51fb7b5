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
    // Never prune (whatever fetch.prune says): a branch written here is pushed after it is made.
    options.prune = GIT_FETCH_NO_PRUNE;
    // A target the team's repository no longer has must not be read from an earlier fetch.
    const QByteArray ref = trackingRef.toUtf8();
    if (git_reference *stale = nullptr; git_reference_lookup(&stale, repo.handle(), ref.constData()) == 0) {
        git_reference_delete(stale);
        git_reference_free(stale);
    }
    const QByteArray reflog = QStringLiteral("astra: fetch from the team's repository %1").arg(remote).toUtf8();
    if (const int code = git_remote_fetch(opened->get(), refspecs.get(), &options, reflog.constData()); code < 0) {
        return git::remoteError(code,
                                Tr::tr("Fetching %1 and the modification branches from the team's repository %2")
                                    .arg(targetBranch, remote));
    }
    git_oid oid;
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
        return makeError(Tr::tr("The team's repository %1 has %2 at a commit that is not an ancestor of this clone's "
                                "(not a fast-forward), and refused it.")
                             .arg(remote, refspecs.join(QStringLiteral(", "))),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::remoteError(code,
                                Tr::tr("Pushing %1 to the team's repository %2").arg(refspecs.join(u' '), remote));
    }
    if (!exchange.refusal.isEmpty()) {
        return makeError(Tr::tr("The team's repository %1 refused %2.").arg(remote, exchange.refusal),
                         ErrorKind::Refused);
    }
    return {};
}

} // namespace astra
