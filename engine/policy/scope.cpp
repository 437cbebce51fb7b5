#include "policy/scope.h"

#include <QCoreApplication>

#include <algorithm>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PathPolicy)
};

int changedLines(const ModificationFile &file)
{
    return file.additions + file.deletions;
}

// A file is in scope when its path (or, for a rename, its old path) is.
bool inScope(const ModificationScope &scope, const ModificationFile &file)
{
    return scope.contains(file.path) || (!file.oldPath.isEmpty() && scope.contains(file.oldPath));
}
} // namespace

QList<PolicyViolation> checkScope(ModificationScope &scope,
                                  QList<ModificationFile> &files,
                                  QStringList &flags,
                                  const PolicySection &policy,
                                  const QString &configPath)
{
    const QString beyond = QStringLiteral("beyond_scope");
    scope.beyondFiles.clear();
    scope.beyondLines = 0;
    scope.changedLines = 0;
    flags.erase(std::remove_if(flags.begin(),
                               flags.end(),
                               [&beyond](const QString &flag) {
                                   return flag.startsWith(beyond + u':') || flag == u"no_stated_scope";
                               }),
                flags.end());
    QList<PolicyViolation> refused;
    const bool refuse = policy.scope == PolicySection::Scope::Refuse;
    const QString config = configPath.isEmpty() ? QStringLiteral(".astra.toml") : configPath;
    for (ModificationFile &file : files) {
        file.flags.removeAll(beyond);
        scope.changedLines += changedLines(file);
        if (scope.state != ModificationScope::State::Stated || inScope(scope, file)) {
            continue;
        }
        file.flags.append(beyond);
        flags.append(beyond + u':' + file.path);
        scope.beyondFiles.append(file.path);
        scope.beyondLines += changedLines(file);
        if (refuse) {
            refused.append(PolicyViolation{
                file.path.toUtf8(),
                PolicyRule::BeyondScope,
                Tr::tr("%1 (%n line(s) added and deleted) is beyond the scope of this change, which was asked to "
                       "touch %2. [policy] scope = \"refuse\" in %3 refuses changes beyond their scope; scope = "
                       "\"flag\" there lets a reviewer decide instead.",
                       nullptr,
                       changedLines(file))
                    .arg(quotedPath(file.path.toUtf8()), scope.paths().join(QStringLiteral(", ")), config)});
        }
    }
    if (scope.state == ModificationScope::State::Unstated) {
        flags.append(QStringLiteral("no_stated_scope"));
    }
    if (policy.maxChangedLines > 0 && scope.changedLines > policy.maxChangedLines) {
        refused.append(PolicyViolation{
            QByteArray(),
            PolicyRule::TooManyChangedLines,
            Tr::tr("The change adds and deletes %n line(s), all its files together; [policy] max_changed_lines = "
                   "%1 in %2 allows no more. Raise max_changed_lines (in a commit on the target branch) if a change "
                   "this size is meant to be reviewed in one piece; otherwise split the work.",
                   nullptr,
                   scope.changedLines)
                .arg(policy.maxChangedLines)
                .arg(config)});
    }
    return refused;
}

} // namespace astra
