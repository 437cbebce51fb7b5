#include "git/ledgeranchor.h"

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

const char ledgerRef[] = "refs/astra/ledger";

} // namespace

Status pushLedgerAnchor(GitRepository &repo, const QString &remote)
{
    git::RemoteExchange exchange;
    auto pushed =
        git::pushToRemote(repo.handle(), remote, {QStringLiteral("refs/astra/ledger:refs/astra/ledger")}, exchange);
    if (!pushed) {
        return pushed.error();
    }
    const int code = *pushed;
    if (code == GIT_ENONFASTFORWARD) {
        return makeError(Tr::tr("%1 on %2 is not an ancestor of this repository's %1: the local checkpoints were moved "
                                "back or replaced since the anchor was pushed, or another clone pushes to the same "
                                "anchor. Nothing was pushed; run `astra ledger verify --anchor %2` to see which.")
                             .arg(QLatin1String(ledgerRef), remote),
                         ErrorKind::Conflict);
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Pushing %1 to %2").arg(QLatin1String(ledgerRef), remote));
    }
    if (!exchange.refusal.isEmpty()) {
        return makeError(
            Tr::tr("%1 refused the pushed checkpoint (%2); nothing there was changed.").arg(remote, exchange.refusal),
            ErrorKind::Refused);
    }
    return {};
}

Result<std::optional<QString>> readLedgerAnchor(GitRepository &repo, const QString &remote)
{
    auto opened = git::openRemote(repo.handle(), remote);
    if (!opened) {
        return opened.error();
    }
    git::RemoteExchange exchange;
    const git_remote_callbacks callbacks = git::remoteCallbacks(exchange);
    int code = git_remote_connect(opened->get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr);
    if (code < 0) {
        return git::error(code, Tr::tr("Connecting to %1").arg(remote));
    }
    const git_remote_head **heads = nullptr;
    size_t count = 0;
    if ((code = git_remote_ls(&heads, &count, opened->get())) < 0) {
        return git::error(code, Tr::tr("Listing the refs of %1").arg(remote));
    }
    std::optional<QString> found;
    for (size_t i = 0; i < count; ++i) {
        if (qstrcmp(heads[i]->name, ledgerRef) == 0) {
            found = git::oidToString(heads[i]->oid);
        }
    }
    git_remote_disconnect(opened->get());
    return found;
}

} // namespace astra
