#include "git/ledgeranchor.h"

#include "git/git.h"
#include "git/gitrepository.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GitRepository)
};

const char ledgerRef[] = "refs/astra/ledger";

using RemotePtr = std::unique_ptr<git_remote, git::Deleter<git_remote, git_remote_free>>;

// What the callbacks saw: libgit2 asks for credentials again after each refusal, so they are
// offered once, and a refusal of the pushed ref comes back per ref.
struct Exchange
{
    int credentialAttempts = 0;
    QString refusal;
};

int credentials(git_credential **out, const char *, const char *usernameFromUrl, unsigned int allowed, void *payload)
{
    auto *exchange = static_cast<Exchange *>(payload);
    if (++exchange->credentialAttempts > 1) {
        return GIT_EAUTH;
    }
    if ((allowed & GIT_CREDENTIAL_SSH_KEY) != 0) {
        return git_credential_ssh_key_from_agent(out, usernameFromUrl ? usernameFromUrl : "git");
    }
    if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0) {
        const QByteArray user = qgetenv("ASTRA_GIT_USERNAME");
        const QByteArray token = qgetenv("ASTRA_GIT_TOKEN");
        if (!token.isEmpty()) {
            const QByteArray name = user.isEmpty() ? QByteArray(usernameFromUrl ? usernameFromUrl : "") : user;
            return git_credential_userpass_plaintext_new(out, name.constData(), token.constData());
        }
    }
    return GIT_PASSTHROUGH;
}

int pushStatus(const char *refname, const char *status, void *payload)
{
    if (status) {
        static_cast<Exchange *>(payload)->refusal =
            QStringLiteral("%1: %2").arg(QString::fromUtf8(refname), QString::fromUtf8(status));
    }
    return 0;
}

Result<RemotePtr> openRemote(git_repository *repo, const QString &remote)
{
    if (remote.isEmpty()) {
        return makeError(Tr::tr("No remote was named: give a configured remote, a URL or a path."), ErrorKind::Invalid);
    }
    const QByteArray name = remote.toUtf8();
    git_remote *raw = nullptr;
    int code = git_remote_lookup(&raw, repo, name.constData());
    if (code == GIT_ENOTFOUND || code == GIT_EINVALIDSPEC) {
        code = git_remote_create_anonymous(&raw, repo, name.constData());
    }
    if (code < 0) {
        return git::error(code, Tr::tr("Opening the remote %1").arg(remote));
    }
    return RemotePtr(raw);
}

git_remote_callbacks callbacksFor(Exchange &exchange)
{
    git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
    callbacks.credentials = credentials;
    callbacks.push_update_reference = pushStatus;
    callbacks.payload = &exchange;
    return callbacks;
}
} // namespace

Status pushLedgerAnchor(GitRepository &repo, const QString &remote)
{
    auto opened = openRemote(repo.handle(), remote);
    if (!opened) {
        return opened.error();
    }
    Exchange exchange;
    git_push_options options = GIT_PUSH_OPTIONS_INIT;
    options.callbacks = callbacksFor(exchange);
    char refspec[] = "refs/astra/ledger:refs/astra/ledger";
    char *specs[] = {refspec};
    const git_strarray refspecs = {specs, 1};
    const int code = git_remote_push(opened->get(), &refspecs, &options);
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
    auto opened = openRemote(repo.handle(), remote);
    if (!opened) {
        return opened.error();
    }
    Exchange exchange;
    const git_remote_callbacks callbacks = callbacksFor(exchange);
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
