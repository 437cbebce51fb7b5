#include "workspace/exportedrun.h"

#include "git/treeexport.h"
#include "sandbox/scratch.h"

#include <QCoreApplication>
#include <QDir>

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
    const ScratchFolder scratch(purpose);
    if (!scratch.isValid()) {
        result.outcome = TestRunResult::Outcome::Error;
        result.message = Tr::tr("Cannot run `%1`: %2; nothing was run.").arg(request.command, scratch.errorString());
        return result;
    }
    const QString folder = scratch.workPath();
    if (Status exported = exportTree(repo, commit, folder); !exported) {
        result.outcome = TestRunResult::Outcome::Error;
        result.message = exported.message();
        return result;
    }
    request.folder = folder;
    request.scratchRoot = scratch.path();
    result = runTests(request);
    if (afterRun) {
        afterRun(folder);
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
