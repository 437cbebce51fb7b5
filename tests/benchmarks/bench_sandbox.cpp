// The sandbox's cost and the harvest's speed, each beside the obvious alternative in the same
// run:
// - a test run of `true` in bubblewrap (as root: setpriv to nobody first) against the same
//   run with sandbox = "none" (own session, private HOME, limits);
// - an agent process (`true`, stdin given, stdout and stderr apart) in bubblewrap against the
//   same with sandbox = "none";
// - a whole agent run that edits one file (private checkout of the repository, the sandbox, the
//   harvest) against what it replaces: the same command in the work tree, unsandboxed, then
//   `git diff HEAD` and `git checkout` to put the tree back;
// - making the private checkout against `git worktree add` of the same commit;
// - harvesting a change of 1,000 files from an agent's private checkout (libgit2, no trust
//   in the checkout's .git) against `git diff --binary HEAD` in that checkout.
//
//   bench_sandbox [--files=N] [google benchmark flags]   (N: files in the repository, >= 1000)

#include "git/gitrepository.h"
#include "git/privatecheckout.h"
#include "proposers/agentproposer.h"
#include "sandbox/sandbox.h"
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
QString g_head;
const QString agentEdit = QStringLiteral("echo '/* edited */' >> src/dir000/file00000.c");
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
    g_head = head;
    run(g_repo, {QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard")});

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

void agentTrue(benchmark::State &state, TestsSection::Sandbox sandbox)
{
    if (sandbox == TestsSection::Sandbox::Bwrap && !bubblewrapAvailable()) {
        state.SkipWithError("bubblewrap does not work here");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        QTemporaryDir folder(QDir(QDir::tempPath()).filePath(QStringLiteral("astra-bench-XXXXXX")));
        SandboxRequest request;
        request.folder = folder.path();
        request.command = QStringList{QStringLiteral("true")};
        request.sandbox = sandbox;
        request.settingTable = QStringLiteral("proposer");
        request.input = "{}";
        request.mergeOutput = false;
        request.environment.insert(QStringLiteral("ANTHROPIC_API_KEY"), QStringLiteral("sk-bench"));
        state.ResumeTiming();
        const SandboxRun ran = runSandboxed(
            request,
            [](const QByteArray &) {},
            [](const QByteArray &) {});
        if (ran.ending != SandboxRun::Ending::Exited || ran.exitCode != 0) {
            state.SkipWithError(qPrintable(ran.problem));
            return;
        }
    }
}

void BM_AgentProcessBwrap(benchmark::State &state)
{
    agentTrue(state, TestsSection::Sandbox::Bwrap);
}

void BM_AgentProcessUnsandboxed(benchmark::State &state)
{
    agentTrue(state, TestsSection::Sandbox::None);
}

void BM_AgentRunContained(benchmark::State &state)
{
    if (!bubblewrapAvailable()) {
        state.SkipWithError("bubblewrap does not work here");
        return;
    }
    Config config;
    config.proposer.kind = ProposerSection::Kind::Agent;
    config.proposer.agent = QStringLiteral("command");
    config.proposer.command = agentEdit;
    config.proposer.sandbox = TestsSection::Sandbox::Bwrap;
    AgentProposer agent(config);
    ProposalContext context;
    context.goal.id = 1;
    context.goal.title = QStringLiteral("Edit one file");
    context.baseCommit = g_head;
    context.targetBranch = QStringLiteral("main");
    for (auto _ : state) {
        auto proposal = agent.propose(context, *g_repository, nullptr);
        if (!proposal || proposal->changes.files.size() != 1) {
            state.SkipWithError(proposal ? "wrong number of files" : qPrintable(proposal.message()));
            return;
        }
    }
    state.counters["repository_files"] = g_files;
}

void BM_AgentRunInWorkTree(benchmark::State &state)
{
    for (auto _ : state) {
        QProcess agent;
        agent.setWorkingDirectory(g_repo);
        agent.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), agentEdit});
        agent.write("{}");
        agent.closeWriteChannel();
        agent.waitForFinished(-1);
        const QByteArray diff = run(g_repo, {QStringLiteral("diff"), QStringLiteral("HEAD")});
        if (diff.isEmpty()) {
            state.SkipWithError("the agent changed nothing");
            return;
        }
        run(g_repo, {QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral(".")});
    }
    state.counters["repository_files"] = g_files;
}

void BM_PrivateCheckout(benchmark::State &state)
{
    for (auto _ : state) {
        QTemporaryDir folder;
        auto checkout = createPrivateCheckout(*g_repository, g_head, folder.path(), QStringLiteral("main"));
        if (!checkout) {
            state.SkipWithError(qPrintable(checkout.message()));
            return;
        }
    }
    state.counters["repository_files"] = g_files;
}

// The obvious other way to give an agent its own tree: a linked work tree of the user's
// repository (which shares its .git, config and hooks with the agent).
void BM_GitWorktreeAdd(benchmark::State &state)
{
    for (auto _ : state) {
        QTemporaryDir parent;
        const QString folder = parent.filePath(QStringLiteral("tree"));
        run(g_repo,
            {QStringLiteral("worktree"),
             QStringLiteral("add"),
             QStringLiteral("-q"),
             QStringLiteral("--detach"),
             folder,
             g_head});
        state.PauseTiming();
        run(g_repo, {QStringLiteral("worktree"), QStringLiteral("remove"), QStringLiteral("--force"), folder});
        state.ResumeTiming();
    }
    state.counters["repository_files"] = g_files;
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
BENCHMARK(BM_AgentProcessBwrap)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AgentProcessUnsandboxed)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AgentRunContained)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AgentRunInWorkTree)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PrivateCheckout)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GitWorktreeAdd)->Unit(benchmark::kMillisecond)->UseRealTime();
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
