#pragma once

// Internal to the git layer: how libgit2 reaches a remote (a configured remote's name, a URL or
// a path), shared by the ledger's anchor and the team's repository.

#include "base/result.h"
#include "git/git.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <vector>

namespace astra::git {

using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;

// What the callbacks saw: libgit2 asks for credentials again after each refusal, so they are
// offered once; a refusal of a pushed ref comes back per ref.
struct RemoteExchange
{
    int credentialAttempts = 0;
    QString refusal;
};

// `remote` as a configured remote of `repo`, or else as a URL or path.
Result<RemotePtr> openRemote(git_repository *repo, const QString &remote);

// SSH remotes authenticate through the SSH agent; HTTPS ones with ASTRA_GIT_USERNAME and
// ASTRA_GIT_TOKEN when the server asks.
git_remote_callbacks remoteCallbacks(RemoteExchange &exchange);

// libgit2 takes refspecs as a C array of C strings.
class RefspecArray
{
public:
    explicit RefspecArray(const QStringList &refspecs)
    {
        for (const QString &refspec : refspecs) {
            m_bytes.push_back(refspec.toUtf8());
        }
        for (QByteArray &bytes : m_bytes) {
            m_pointers.push_back(bytes.data());
        }
        m_array = {m_pointers.data(), m_pointers.size()};
    }
    RefspecArray(const RefspecArray &) = delete;
    RefspecArray &operator=(const RefspecArray &) = delete;
    const git_strarray *get() const
    {
        return &m_array;
    }

private:
    std::vector<QByteArray> m_bytes;
    std::vector<char *> m_pointers;
    git_strarray m_array{};
};

// libgit2's error after reaching a remote failed, with its kind: Transient when the network,
// SSH, HTTP or the system failed (worth trying again), Refused when the remote refused who we
// are (credentials, certificate).
Error remoteError(int code, const QString &what);

// Pushes `refspecs` to `remote` with remoteCallbacks(): libgit2's code (refusals of single refs
// in `exchange`), or the error of opening the remote.
Result<int>
pushToRemote(git_repository *repo, const QString &remote, const QStringList &refspecs, RemoteExchange &exchange);

} // namespace astra::git
