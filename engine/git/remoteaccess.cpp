#include "git/remoteaccess.h"

#include <QCoreApplication>

namespace astra::git {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::GitRepository)
};

int credentials(git_credential **out, const char *, const char *usernameFromUrl, unsigned int allowed, void *payload)
{
    auto *exchange = static_cast<RemoteExchange *>(payload);
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
        auto *exchange = static_cast<RemoteExchange *>(payload);
        if (!exchange->refusal.isEmpty()) {
            exchange->refusal += QStringLiteral("; ");
        }
        exchange->refusal += QStringLiteral("%1: %2").arg(QString::fromUtf8(refname), QString::fromUtf8(status));
    }
    return 0;
}
} // namespace

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

git_remote_callbacks remoteCallbacks(RemoteExchange &exchange)
{
    git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
    callbacks.credentials = credentials;
    callbacks.push_update_reference = pushStatus;
    callbacks.payload = &exchange;
    return callbacks;
}

Error remoteError(int code, const QString &what)
{
    const git_error *last = git_error_last();
    const int klass = last ? last->klass : GIT_ERROR_NONE;
    Error failed = git::error(code, what);
    if (code == GIT_EAUTH || code == GIT_ECERTIFICATE) {
        failed.kind = ErrorKind::Refused;
    } else if (klass == GIT_ERROR_NET || klass == GIT_ERROR_SSH || klass == GIT_ERROR_HTTP || klass == GIT_ERROR_OS
               || klass == GIT_ERROR_SSL) {
        failed.kind = ErrorKind::Transient;
    }
    return failed;
}

Result<int>
pushToRemote(git_repository *repo, const QString &remote, const QStringList &refspecs, RemoteExchange &exchange)
{
    auto opened = openRemote(repo, remote);
    if (!opened) {
        return opened.error();
    }
    git_push_options options = GIT_PUSH_OPTIONS_INIT;
    options.callbacks = remoteCallbacks(exchange);
    const RefspecArray specs(refspecs);
    return git_remote_push(opened->get(), specs.get(), &options);
}

} // namespace astra::git
