#include "workspace/exportedrun.h"

#include "git/treeexport.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Workspace)
};
} // namespace

TestRunResult runOnExport(GitRepository &repo,
                          const QString &commit,
                          TestRunRequest request,
                          const QString &purpose,
                          const std::function<void(const QString &folder)> &afterRun)
{
    TestRunResult result;
    QTemporaryDir folder(QDir(QDir::tempPath()).filePath(QStringLiteral("astra-%1-XXXXXX").arg(purpose)));
    if (!folder.isValid()) {
        result.outcome = TestRunResult::Outcome::Error;
        result.message =
            Tr::tr("Cannot create a temporary folder to run `%1` in: %2").arg(request.command, folder.errorString());
        return result;
    }
    if (Status exported = exportTree(repo, commit, folder.path()); !exported) {
        result.outcome = TestRunResult::Outcome::Error;
        result.message = exported.message();
        return result;
    }
    request.folder = folder.path();
    result = runTests(request);
    if (afterRun) {
        afterRun(folder.path());
    }
    return result;
}

QString outputFolder(const QString &stateDir, const QString &name)
{
    const QString folder = QDir(stateDir).filePath(name);
    QDir().mkpath(folder);
    return folder;
}

} // namespace astra
