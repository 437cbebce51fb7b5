// Revisions of a modification, measured beside the git command line in the same run:
// - a revision from hunk decisions: a change of 1,000 hunks (100 files × 10), every third hunk
//   rejected; Astra Review applies the accepted ones to the base tree with git_apply_to_tree,
//   checks the tree against the path policy and writes the commit; git does the same with a
//   patch of the accepted hunks (read-tree, apply --cached, write-tree, commit-tree);
// - an interdiff: two revisions of a 10,000-line change (100 files × 100 changed lines), the
//   second changing a third of those lines again; Astra Review's diffCommits (hunks, lines,
//   intra-line ranges, ready for the viewer) against `git diff` of the same two commits.
//
//   bench_revisions [--files=N] [google benchmark flags]

#include "git/gitrepository.h"
#include "git/modificationwriter.h"
#include "git/revisions.h"
#include "git/treediff.h"
#include "policy/pathpolicy.h"
#include "workspace/modificationservice.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstring>

using namespace astra;

namespace {
int g_files = 100;
constexpr int linesPerFile = 300;
QTemporaryDir *g_dir = nullptr;
QString g_repo;
QString g_base;
QString g_hunks; // base + every 30th line changed: 10 hunks per file
QString g_wide1; // base + every 3rd line changed
QString g_wide2; // g_wide1 with every 9th line changed again
QByteArray g_acceptedPatch;
std::unique_ptr<Workspace> g_workspace;

QString git(const QStringList &args, const QByteArray &input = {}, const QStringList &env = {})
{
    QProcess process;
    process.setWorkingDirectory(g_repo);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &item : env) {
        environment.insert(item.section(u'=', 0, 0), item.section(u'=', 1));
    }
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral("git"), args);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitCode() != 0) {
        qFatal("git %s failed: %s", qPrintable(args.join(u' ')), process.readAllStandardError().constData());
    }
    return QString::fromUtf8(process.readAllStandardOutput());
}

QByteArray fileContent(int file, int every, const char *tag, int againEvery = 0)
{
    QByteArray text;
    for (int line = 1; line <= linesPerFile; ++line) {
        QByteArray value = "int f" + QByteArray::number(file) + "_" + QByteArray::number(line) + "(void) { return "
            + QByteArray::number(line) + "; }";
        if (every > 0 && line % every == 0) {
            value += QByteArray(" /* ") + tag + " */";
        }
        if (againEvery > 0 && line % againEvery == 0) {
            value += " /* again */";
        }
        text += value + '\n';
    }
    return text;
}

// One commit on `branch` with every file's content from `content(file)`.
QString commit(const QString &branch, const QString &parent, const std::function<QByteArray(int)> &content)
{
    QByteArray stream = "commit refs/heads/" + branch.toUtf8()
        + "\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 4\nrev\n";
    if (!parent.isEmpty()) {
        stream += "from " + parent.toUtf8() + "\n";
    }
    for (int i = 0; i < g_files; ++i) {
        const QByteArray text = content(i);
        stream += "M 100644 inline src/file" + QByteArray::number(i) + ".c\ndata " + QByteArray::number(text.size())
            + "\n" + text;
    }
    if (parent.isEmpty()) {
        const QByteArray config = "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"true\"\n";
        stream += "M 100644 inline .astra.toml\ndata " + QByteArray::number(config.size()) + "\n" + config;
    }
    git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream + "\n");
    return git({QStringLiteral("rev-parse"), branch}).trimmed();
}

// The patch base → g_hunks without every third hunk of each file.
QByteArray acceptedPatch()
{
    const QString full = git({QStringLiteral("diff"), g_base, g_hunks});
    QByteArray out;
    int hunk = -1;
    bool keep = true;
    for (const QString &line : full.split(u'\n')) {
        if (line.startsWith(QLatin1String("diff --git"))) {
            hunk = -1;
            keep = true;
        } else if (line.startsWith(QLatin1String("@@"))) {
            ++hunk;
            keep = hunk % 3 != 2;
        }
        if (keep) {
            out += line.toUtf8() + '\n';
        }
    }
    return out.trimmed() + '\n';
}

void makeRepository()
{
    g_dir = new QTemporaryDir();
    g_repo = g_dir->filePath(QStringLiteral("repo"));
    QDir().mkpath(g_repo);
    git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    git({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Bench")});
    git({QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("bench@example.org")});
    g_base = commit(QStringLiteral("main"), {}, [](int i) { return fileContent(i, 0, ""); });
    g_hunks = commit(QStringLiteral("hunks"), g_base, [](int i) { return fileContent(i, 30, "hunk"); });
    g_wide1 = commit(QStringLiteral("wide1"), g_base, [](int i) { return fileContent(i, 3, "wide"); });
    g_wide2 = commit(QStringLiteral("wide2"), g_wide1, [](int i) { return fileContent(i, 3, "wide", 9); });
    git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("main")});
    g_acceptedPatch = acceptedPatch();
    WorkspaceOptions options;
    options.repoPath = g_repo;
    if (auto init = Workspace::init(options); !init) {
        qFatal("%s", qPrintable(init.message()));
    }
    auto opened = Workspace::open(options);
    if (!opened) {
        qFatal("%s", qPrintable(opened.message()));
    }
    g_workspace = std::move(*opened);
}

HunkSelection everyThirdHunk()
{
    HunkSelection selection;
    for (int i = 0; i < g_files; ++i) {
        for (int hunk = 2; hunk < 10; hunk += 3) {
            selection.rejectedHunks[QStringLiteral("src/file%1.c").arg(i)].insert(hunk);
        }
    }
    return selection;
}

void BM_RevisionFromDecisions_Astra(benchmark::State &state)
{
    GitRepository &repo = g_workspace->repository();
    const HunkSelection selection = everyThirdHunk();
    auto policy = PathPolicy::create(g_workspace->config().policy, policyLimitsFor(g_workspace->config()));
    if (!policy) {
        state.SkipWithError(qPrintable(policy.message()));
        return;
    }
    ModificationWriter writer(repo, *policy);
    int hunks = 0;
    for (auto _ : state) {
        auto tree = applySelection(repo, g_base, g_hunks, selection);
        if (!tree) {
            state.SkipWithError(qPrintable(tree.message()));
            return;
        }
        auto prepared = writer.prepareTree(g_base, *tree, nullptr);
        if (!prepared) {
            state.SkipWithError(qPrintable(prepared.message()));
            return;
        }
        auto written = writer.commit(*prepared, QStringLiteral("revision\n"));
        if (!written) {
            state.SkipWithError(qPrintable(written.message()));
            return;
        }
        hunks = 0;
        for (const ModificationFile &file : prepared->files) {
            hunks += file.additions;
        }
    }
    state.counters["accepted_lines"] = hunks;
}

void BM_RevisionFromDecisions_GitCli(benchmark::State &state)
{
    const QString index = g_dir->filePath(QStringLiteral("bench-index"));
    const QStringList env{QStringLiteral("GIT_INDEX_FILE=") + index};
    for (auto _ : state) {
        git({QStringLiteral("read-tree"), g_base}, {}, env);
        git({QStringLiteral("apply"), QStringLiteral("--cached"), QStringLiteral("-")}, g_acceptedPatch, env);
        const QString tree = git({QStringLiteral("write-tree")}, {}, env).trimmed();
        git({QStringLiteral("commit-tree"),
             tree,
             QStringLiteral("-p"),
             g_base,
             QStringLiteral("-m"),
             QStringLiteral("revision")});
    }
}

void BM_Interdiff_Astra(benchmark::State &state)
{
    GitRepository &repo = g_workspace->repository();
    int lines = 0;
    for (auto _ : state) {
        auto diff = diffCommits(repo, g_wide1, g_wide2);
        if (!diff) {
            state.SkipWithError(qPrintable(diff.message()));
            return;
        }
        lines = diff->additions + diff->deletions;
        benchmark::DoNotOptimize(diff->files.size());
    }
    state.counters["changed_lines"] = lines;
}

void BM_Interdiff_GitDiff(benchmark::State &state)
{
    for (auto _ : state) {
        benchmark::DoNotOptimize(git({QStringLiteral("diff"), g_wide1, g_wide2}).size());
    }
}

BENCHMARK(BM_RevisionFromDecisions_Astra)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RevisionFromDecisions_GitCli)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Interdiff_Astra)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Interdiff_GitDiff)->Unit(benchmark::kMillisecond);
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--files=", 8) == 0) {
            g_files = std::max(3, std::atoi(argv[i] + 8));
        } else {
            rest.push_back(argv[i]);
        }
    }
    makeRepository();
    int count = int(rest.size());
    benchmark::Initialize(&count, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    g_workspace.reset();
    delete g_dir;
    return 0;
}
