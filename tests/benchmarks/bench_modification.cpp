// Creating a modification of 50 files in a repository of 20,000 files, and merging it, with
// Astra Review's engine (libgit2, no work tree) against the git command line doing the same in
// the same run: plumbing (the same no-work-tree semantics) and the usual porcelain workflow.
//
//   bench_modification [--files=N] [google benchmark flags]

#include "git/gitrepository.h"
#include "git/merger.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>
#include <cstring>

using namespace astra;

namespace {
int g_files = 20000;
constexpr int changedFiles = 50;
QTemporaryDir *g_dir = nullptr;
QString g_repo;
int g_round = 0;

QString filePath(int i)
{
    return QStringLiteral("src/dir%1/file%2.c").arg(i % 200, 3, 10, QLatin1Char('0')).arg(i, 5, 10, QLatin1Char('0'));
}

QString git(const QStringList &args, const QByteArray &input = {}, const QStringList &env = {})
{
    QProcess process;
    process.setWorkingDirectory(g_repo);
    if (!env.isEmpty()) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &item : env) {
            environment.insert(item.section(u'=', 0, 0), item.section(u'=', 1));
        }
        process.setProcessEnvironment(environment);
    }
    process.start(QStringLiteral("git"), args);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitCode() != 0) {
        qFatal("git %s failed: %s", qPrintable(args.join(u' ')), process.readAllStandardError().constData());
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

// A repository of g_files files made with git fast-import, plus a workspace on it.
void makeRepository()
{
    g_dir = new QTemporaryDir();
    g_repo = g_dir->filePath(QStringLiteral("repo"));
    QDir().mkpath(g_repo);
    git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    git({QStringLiteral("config"), QStringLiteral("user.name"), QStringLiteral("Bench")});
    git({QStringLiteral("config"), QStringLiteral("user.email"), QStringLiteral("bench@example.org")});
    QByteArray stream =
        "commit refs/heads/main\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 7\ninitial\n";
    for (int i = 0; i < g_files; ++i) {
        const QByteArray content = QStringLiteral("int value%1(void) { return %1; }\n").arg(i).toUtf8();
        stream +=
            "M 100644 inline " + filePath(i).toUtf8() + "\ndata " + QByteArray::number(content.size()) + "\n" + content;
    }
    const QByteArray config = "[policy]\nallowed = []\nmax_file_kb = 100\n[tests]\ncommand = \"true\"\n";
    stream += "M 100644 inline .astra.toml\ndata " + QByteArray::number(config.size()) + "\n" + config + "\n";
    git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
    git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-f"), QStringLiteral("main")});
    WorkspaceOptions options;
    options.repoPath = g_repo;
    auto init = Workspace::init(options);
    if (!init) {
        qFatal("%s", qPrintable(init.message()));
    }
}

ChangeSet changeSet(int round)
{
    ChangeSet changes;
    changes.title = QStringLiteral("Round %1").arg(round);
    for (int i = 0; i < changedFiles; ++i) {
        FileChange file;
        file.path = filePath((i * 397 + round) % g_files).toUtf8();
        file.content = QStringLiteral("int changed%1_%2(void) { return %2; }\n").arg(round).arg(i).toUtf8();
        changes.files.append(file);
    }
    return changes;
}

void BM_AstraCreateModification(benchmark::State &state)
{
    WorkspaceOptions options;
    options.repoPath = g_repo;
    auto workspace = Workspace::open(options);
    auto goal = (*workspace)->addUserGoal(QStringLiteral("bench"), {});
    for (auto _ : state) {
        state.PauseTiming();
        const ChangeSet changes = changeSet(++g_round);
        state.ResumeTiming();
        auto created = (*workspace)->createModification(goal->id, changes, QStringLiteral("bench"));
        if (!created) {
            state.SkipWithError(qPrintable(created.message()));
            break;
        }
    }
}

// The same commit with git plumbing: blobs, a temporary index from main, a tree, a commit, a
// new branch; the work tree and the real index untouched.
void BM_GitPlumbingCreate(benchmark::State &state)
{
    const QString index = g_dir->filePath(QStringLiteral("bench.index"));
    const QStringList env = {QStringLiteral("GIT_INDEX_FILE=") + index};
    for (auto _ : state) {
        state.PauseTiming();
        const ChangeSet changes = changeSet(++g_round);
        QStringList paths;
        for (int i = 0; i < changes.files.size(); ++i) {
            const QString path = g_dir->filePath(QStringLiteral("blob%1").arg(i));
            QFile file(path);
            file.open(QIODevice::WriteOnly);
            file.write(changes.files.at(i).content);
            paths.append(path);
        }
        state.ResumeTiming();
        const QStringList blobs =
            git({QStringLiteral("hash-object"), QStringLiteral("-w"), QStringLiteral("--stdin-paths")},
                paths.join(u'\n').toUtf8())
                .split(u'\n');
        git({QStringLiteral("read-tree"), QStringLiteral("main")}, {}, env);
        QByteArray info;
        for (int i = 0; i < changes.files.size(); ++i) {
            info += "100644 " + blobs.at(i).toLatin1() + "\t" + changes.files.at(i).path + "\n";
        }
        git({QStringLiteral("update-index"), QStringLiteral("--index-info")}, info, env);
        const QString tree = git({QStringLiteral("write-tree")}, {}, env);
        const QString commit = git({QStringLiteral("commit-tree"),
                                    tree,
                                    QStringLiteral("-p"),
                                    QStringLiteral("main"),
                                    QStringLiteral("-m"),
                                    changes.title});
        git({QStringLiteral("update-ref"),
             QStringLiteral("refs/heads/plumbing-%1").arg(g_round),
             commit,
             QStringLiteral("0000000000000000000000000000000000000000")});
    }
}

// What people usually type: a branch in the work tree, edit, add, commit, back to main.
void BM_GitPorcelainCreate(benchmark::State &state)
{
    for (auto _ : state) {
        const ChangeSet changes = changeSet(++g_round);
        git({QStringLiteral("checkout"),
             QStringLiteral("-q"),
             QStringLiteral("-b"),
             QStringLiteral("porcelain-%1").arg(g_round),
             QStringLiteral("main")});
        for (const FileChange &file : changes.files) {
            QFile out(g_repo + u'/' + QString::fromUtf8(file.path));
            out.open(QIODevice::WriteOnly);
            out.write(file.content);
        }
        git({QStringLiteral("add"), QStringLiteral("-A")});
        git({QStringLiteral("commit"),
             QStringLiteral("-q"),
             QStringLiteral("--no-verify"),
             QStringLiteral("-m"),
             changes.title});
        git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
    }
}

struct MergeSetup
{
    QString target;
    QString base;
    QString head;
    QString moved;
};

// A modification's commit on a side branch from main, and a target branch that moved since.
MergeSetup prepareMerge(GitRepository &repo, const QString &prefix)
{
    ++g_round;
    MergeSetup setup;
    setup.target = prefix + QStringLiteral("target-%1").arg(g_round);
    setup.base = git({QStringLiteral("rev-parse"), QStringLiteral("main")});
    const ChangeSet changes = changeSet(g_round);
    QMap<QString, QByteArray> files;
    for (const FileChange &file : changes.files) {
        files.insert(QString::fromUtf8(file.path), file.content);
    }
    const QString side = prefix + QStringLiteral("side-%1").arg(g_round);
    const GitIdentity author{QStringLiteral("b"), QStringLiteral("b@x")};
    git({QStringLiteral("branch"), side, setup.base});
    setup.head = *repo.commitFiles(side, files, changes.title, author);
    git({QStringLiteral("branch"), setup.target, setup.base});
    setup.moved = *repo.commitFiles(setup.target,
                                    {{QStringLiteral("MOVED-%1").arg(g_round), QByteArray("x\n")}},
                                    QStringLiteral("elsewhere"),
                                    author);
    return setup;
}

// Merging: the target has moved (a commit elsewhere), so a real three-way merge commit is made.
void BM_AstraMergeCommit(benchmark::State &state)
{
    auto repo = GitRepository::discover(g_repo);
    Merger merger(*repo);
    for (auto _ : state) {
        state.PauseTiming();
        const MergeSetup setup = prepareMerge(*repo, QStringLiteral(""));
        state.ResumeTiming();
        auto outcome = merger.merge(setup.target, setup.moved, setup.base, setup.head, QStringLiteral("merge"));
        if (!outcome || outcome->kind != MergeOutcome::Kind::MergeCommit) {
            state.SkipWithError("merge failed");
            break;
        }
    }
}

void BM_GitMergeCommit(benchmark::State &state)
{
    auto repo = GitRepository::discover(g_repo);
    for (auto _ : state) {
        state.PauseTiming();
        const MergeSetup setup = prepareMerge(*repo, QStringLiteral("g"));
        state.ResumeTiming();
        // git 2.38+: a merge without a work tree, then the commit and a compare-and-swap ref move.
        const QString tree =
            git({QStringLiteral("merge-tree"), QStringLiteral("--write-tree"), setup.moved, setup.head})
                .section(u'\n', 0, 0);
        const QString commit = git({QStringLiteral("commit-tree"),
                                    tree,
                                    QStringLiteral("-p"),
                                    setup.moved,
                                    QStringLiteral("-p"),
                                    setup.head,
                                    QStringLiteral("-m"),
                                    QStringLiteral("merge")});
        git({QStringLiteral("update-ref"), QStringLiteral("refs/heads/") + setup.target, commit, setup.moved});
    }
}
} // namespace

BENCHMARK(BM_AstraCreateModification)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GitPlumbingCreate)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GitPorcelainCreate)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AstraMergeCommit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GitMergeCommit)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--files=", 8) == 0) {
            g_files = std::atoi(argv[i] + 8);
        } else {
            rest.push_back(argv[i]);
        }
    }
    int restCount = int(rest.size());
    benchmark::Initialize(&restCount, rest.data());
    makeRepository();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    delete g_dir;
    return 0;
}
