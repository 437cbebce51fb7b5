// The sandbox's cost and the harvest's speed, each beside the obvious alternative in the same
// run:
// - a test run of `true` in bubblewrap (as root: setpriv to nobody first) against the same
//   run with sandbox = "none" (own session, private HOME, limits);
// - harvesting a change of 1,000 files from an agent's private checkout (libgit2, no trust
//   in the checkout's .git) against `git diff --binary HEAD` in that checkout.
//
//   bench_sandbox [--files=N] [google benchmark flags]   (N: files in the repository, >= 1000)

#include "git/gitrepository.h"
#include "git/privatecheckout.h"
#include "sandbox/testrunner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstring>
#include <optional>

using namespace astra;

namespace {
int g_files = 5000;
constexpr int changedFiles = 1000;
QTemporaryDir *g_dir = nullptr;
QString g_repo;
std::optional<GitRepository> g_repository;
std::optional<PrivateCheckout> g_checkout;

QString filePath(int i)
{
    return QStringLiteral("src/dir%1/file%2.c").arg(i % 100, 3, 10, QLatin1Char('0')).arg(i, 5, 10, QLatin1Char('0'));
}

QByteArray run(const QString &dir, const QStringList &args, const QByteArray &input = {})
{
    QProcess process;
    process.setWorkingDirectory(dir);
    process.start(QStringLiteral("git"), args);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitCode() != 0) {
        qFatal("git %s failed: %s", qPrintable(args.join(u' ')), process.readAllStandardError().constData());
    }
    return process.readAllStandardOutput();
}

// A repository of g_files files (git fast-import), a private checkout of its head, and an
// agent's edit of 1,000 of them in that checkout.
void prepare()
{
    g_dir = new QTemporaryDir();
    g_repo = g_dir->filePath(QStringLiteral("repo"));
    QDir().mkpath(g_repo);
    run(g_repo, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    QByteArray stream =
        "commit refs/heads/main\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 7\ninitial\n";
    for (int i = 0; i < g_files; ++i) {
        const QByteArray content = QStringLiteral("int value%1(void) { return %1; }\n").arg(i).toUtf8();
        stream +=
            "M 100644 inline " + filePath(i).toUtf8() + "\ndata " + QByteArray::number(content.size()) + "\n" + content;
    }
    run(g_repo, {QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
    const QString head =
        QString::fromUtf8(run(g_repo, {QStringLiteral("rev-parse"), QStringLiteral("main")})).trimmed();

    auto repo = GitRepository::discover(g_repo);
    if (!repo) {
        qFatal("%s", qPrintable(repo.message()));
    }
    g_repository.emplace(std::move(*repo));
    const QString folder = g_dir->filePath(QStringLiteral("checkout"));
    QDir().mkpath(folder);
    auto checkout = createPrivateCheckout(*g_repository, head, folder, QStringLiteral("main"));
    if (!checkout) {
        qFatal("%s", qPrintable(checkout.message()));
    }
    g_checkout = *checkout;
    for (int i = 0; i < changedFiles; ++i) {
        QFile file(folder + u'/' + filePath(i * (g_files / changedFiles)));
        if (!file.open(QIODevice::WriteOnly) || file.write("int changed(void) { return 0; }\n") < 0) {
            qFatal("cannot edit the checkout");
        }
    }
}

void runTrue(benchmark::State &state, TestsSection::Sandbox sandbox)
{
    if (sandbox == TestsSection::Sandbox::Bwrap && !bubblewrapAvailable()) {
        state.SkipWithError("bubblewrap does not work here");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir folder(QDir(QDir::tempPath()).filePath(QStringLiteral("astra-bench-XXXXXX")));
        TestRunRequest request;
        request.folder = folder.path();
        request.command = QStringLiteral("true");
        request.sandbox = sandbox;
        state.ResumeTiming();
        const TestRunResult result = runTests(request);
        if (result.outcome != TestRunResult::Outcome::Passed) {
            state.SkipWithError(qPrintable(result.message));
            return;
        }
    }
}

void BM_TestRunBwrap(benchmark::State &state)
{
    runTrue(state, TestsSection::Sandbox::Bwrap);
}

void BM_TestRunUnsandboxed(benchmark::State &state)
{
    runTrue(state, TestsSection::Sandbox::None);
}

void BM_HarvestCheckout(benchmark::State &state)
{
    for (auto _ : state) {
        auto changes = harvestCheckout(*g_repository, *g_checkout, {});
        if (!changes || changes->files.size() != changedFiles) {
            state.SkipWithError(changes ? "wrong number of files" : qPrintable(changes.message()));
            return;
        }
        benchmark::DoNotOptimize(changes->files.size());
    }
    state.counters["files"] = changedFiles;
}

void BM_GitDiffInCheckout(benchmark::State &state)
{
    for (auto _ : state) {
        const QByteArray diff =
            run(g_checkout->folder, {QStringLiteral("diff"), QStringLiteral("--binary"), QStringLiteral("HEAD")});
        benchmark::DoNotOptimize(diff.size());
    }
    state.counters["files"] = changedFiles;
}
} // namespace

BENCHMARK(BM_TestRunBwrap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TestRunUnsandboxed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_HarvestCheckout)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GitDiffInCheckout)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--files=", 8) == 0) {
            g_files = qMax(changedFiles, std::atoi(argv[i] + 8));
        } else {
            rest.push_back(argv[i]);
        }
    }
    int count = int(rest.size());
    benchmark::Initialize(&count, rest.data());
    prepare();
    benchmark::RunSpecifiedBenchmarks();
    g_checkout.reset();
    g_repository.reset();
    delete g_dir;
    return 0;
}
