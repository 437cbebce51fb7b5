#include "git.h"

#include <QCoreApplication>

#include <mutex>

namespace astra::git {

void ensureInitialised()
{
    static std::once_flag once;
    std::call_once(once, [] {
        git_libgit2_init();
        git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
        git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 1);
        git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1);
    });
}

Error error(int code, const QString &what)
{
    const git_error *last = git_error_last();
    const QString detail = last && last->message ? QString::fromUtf8(last->message)
                                                 : QCoreApplication::translate("astra::git", "no detail");
    ErrorKind kind = ErrorKind::Failed;
    if (code == GIT_ENOTFOUND) {
        kind = ErrorKind::NotFound;
    } else if (code == GIT_EEXISTS || code == GIT_EMODIFIED || code == GIT_ELOCKED || code == GIT_ECONFLICT) {
        kind = ErrorKind::Conflict;
    }
    return makeError(QStringLiteral("%1: %2 (libgit2 error %3)").arg(what, detail).arg(code), kind);
}

QString oidToString(const git_oid &oid)
{
    char buffer[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buffer, sizeof buffer, &oid);
    return QString::fromLatin1(buffer);
}

} // namespace astra::git
