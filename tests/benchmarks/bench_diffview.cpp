// Opening a diff of N changed lines in the diff viewer, from the commits to the first paint:
// libgit2's diff with intra-line ranges on a worker thread (as the workstation does), then the
// rows, the view and its first paint on the UI thread. The tree is a real source tree, the Qt
// headers this build uses, committed twice with git fast-import: as installed, and with N of
// its lines changed. In the same run: `git diff` of the same commits (the obvious alternative,
// to a pipe), and Kompare or Meld when installed. Peak memory is measured per size in a fresh
// child process (VmHWM), so the sizes do not mask each other.
//
//   bench_diffview [--sizes=1000,10000,100000] [google benchmark flags]
//   bench_diffview --child-memory=N        (internal: prints "<peak KiB> <growth KiB>")

#include "diff/diffview.h"
#include "git/gitrepository.h"
#include "git/treediff.h"

#include <QApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <QtConcurrent/QtConcurrentRun>
#include <benchmark/benchmark.h>
#include <cstring>
#include <map>

using namespace astra;

namespace {
QTemporaryDir *g_dir = nullptr;
QString g_repo;
std::map<int, std::pair<QString, QString>> g_commits; // changed lines -> (base, head)

QString headersDir()
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 0, 0)
    return QLibraryInfo::path(QLibraryInfo::HeadersPath);
#else
    return QLibraryInfo::location(QLibraryInfo::HeadersPath);
#endif
}

QString git(const QStringList &args, const QByteArray &input = {})
{
    QProcess process;
    process.setWorkingDirectory(g_repo);
    process.start(QStringLiteral("git"), args);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(-1);
    if (process.exitCode() != 0) {
        qFatal("git %s failed: %s", qPrintable(args.join(u' ')), process.readAllStandardError().constData());
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

struct SourceFile
{
    QString path;
    QByteArray content;
};

QList<SourceFile> sourceTree()
{
    QList<SourceFile> files;
    const QString root = headersDir();
    QDirIterator it(root, {QStringLiteral("*.h")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.open(QIODevice::ReadOnly)) {
            files.append({QDir(root).relativeFilePath(path), file.readAll()});
        }
    }
    std::sort(files.begin(), files.end(), [](const SourceFile &a, const SourceFile &b) { return a.path < b.path; });
    return files;
}

QByteArray fastImport(const QString &branch, const QString &from, const QList<SourceFile> &files)
{
    QByteArray stream = "commit refs/heads/" + branch.toUtf8()
        + "\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 4\ntree\n";
    if (!from.isEmpty()) {
        stream += "from " + from.toUtf8() + "\n";
    }
    for (const SourceFile &file : files) {
        stream += "M 100644 inline " + file.path.toUtf8() + "\ndata " + QByteArray::number(file.content.size()) + "\n"
            + file.content + "\n";
    }
    return stream;
}

// The tree with `changed` lines edited: every k-th line of the files, in path order.
QList<SourceFile> changedTree(const QList<SourceFile> &tree, int changed, qint64 totalLines)
{
    const qint64 step = std::max<qint64>(1, totalLines / changed);
    QList<SourceFile> out;
    int done = 0;
    qint64 line = 0;
    for (const SourceFile &file : tree) {
        if (done >= changed) {
            break;
        }
        QList<QByteArray> lines = file.content.split('\n');
        bool touched = false;
        for (QByteArray &text : lines) {
            if (done < changed && line % step == 0 && !text.isEmpty()) {
                text += " // reviewed";
                ++done;
                touched = true;
            }
            ++line;
        }
        if (touched) {
            out.append({file.path, lines.join('\n')});
        }
    }
    return out;
}

void makeRepository(const QList<int> &sizes)
{
    g_dir = new QTemporaryDir();
    g_repo = g_dir->filePath(QStringLiteral("repo"));
    QDir().mkpath(g_repo);
    git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main")});
    const QList<SourceFile> tree = sourceTree();
    qint64 totalLines = 0;
    for (const SourceFile &file : tree) {
        totalLines += file.content.count('\n');
    }
    git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, fastImport(QStringLiteral("main"), {}, tree));
    const QString base = git({QStringLiteral("rev-parse"), QStringLiteral("main")});
    for (int size : sizes) {
        const QString branch = QStringLiteral("changed-%1").arg(size);
        git({QStringLiteral("fast-import"), QStringLiteral("--quiet")},
            fastImport(branch, base, changedTree(tree, size, totalLines)));
        g_commits[size] = {base, git({QStringLiteral("rev-parse"), branch})};
    }
    std::fprintf(stderr,
                 "source tree: %s, %lld files, %lld lines\n",
                 qPrintable(headersDir()),
                 qlonglong(tree.size()),
                 qlonglong(totalLines));
}

// What the workstation does to show a diff: compute it on a worker thread, hand it over, lay
// the rows out and paint. Returns the milliseconds to the first paint.
double openDiff(DiffView &view, const QString &base, const QString &head)
{
    QElapsedTimer timer;
    timer.start();
    auto future = QtConcurrent::run([base, head] {
        auto repo = GitRepository::discover(g_repo);
        auto diff = diffCommits(*repo, base, head);
        return diff ? TreeDiffPtr(new TreeDiff(std::move(*diff))) : TreeDiffPtr();
    });
    while (!future.isFinished()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5); // the UI thread stays free
    }
    const TreeDiffPtr diff = future.result();
    if (!diff) {
        qFatal("diff failed");
    }
    QSignalSpy painted(&view, &DiffView::diffPainted);
    view.setDiff(diff);
    if (!painted.wait(60000)) {
        qFatal("no paint");
    }
    return double(timer.nsecsElapsed()) / 1e6;
}

qint64 statusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly)) {
        return 0;
    }
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field)) {
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').value(0).toLongLong();
        }
    }
    return 0;
}

void BM_AstraOpenDiff(benchmark::State &state)
{
    const auto &[base, head] = g_commits.at(int(state.range(0)));
    DiffView view;
    view.resize(1600, 1000);
    view.show();
    for (auto _ : state) {
        state.SetIterationTime(openDiff(view, base, head) / 1000.0);
        view.setDiff({});
    }
    // Memory, in a fresh process.
    QProcess child;
    child.start(
        QCoreApplication::applicationFilePath(),
        {QStringLiteral("--child-memory=%1").arg(state.range(0)), QStringLiteral("--repo=") + g_repo, base, head});
    child.waitForFinished(-1);
    const QList<QByteArray> figures = child.readAllStandardOutput().trimmed().split(' ');
    state.counters["peak_rss_MiB"] = figures.value(0).toDouble() / 1024.0;
    state.counters["growth_MiB"] = figures.value(1).toDouble() / 1024.0;
}

void BM_GitDiff(benchmark::State &state)
{
    const auto &[base, head] = g_commits.at(int(state.range(0)));
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        QProcess process;
        process.setWorkingDirectory(g_repo);
        process.start(QStringLiteral("git"), {QStringLiteral("diff"), QStringLiteral("--no-color"), base, head});
        process.waitForFinished(-1);
        benchmark::DoNotOptimize(process.readAllStandardOutput().size());
        state.SetIterationTime(double(timer.nsecsElapsed()) / 1e9);
    }
}

// Kompare and Meld open two folders; the time to their window is what a reviewer waits.
void BM_ExternalViewer(benchmark::State &state, const char *program)
{
    const QString path = QStandardPaths::findExecutable(QString::fromLatin1(program));
    if (path.isEmpty()) {
        state.SkipWithError("not installed");
        return;
    }
    state.SkipWithError("installed, but its first paint cannot be observed from here; time it by hand");
}

int childMemory(const QString &repo, const QString &base, const QString &head)
{
    g_repo = repo;
    const qint64 before = statusKiB("VmRSS:");
    DiffView view;
    view.resize(1600, 1000);
    view.show();
    openDiff(view, base, head);
    std::printf("%lld %lld\n", statusKiB("VmHWM:"), statusKiB("VmHWM:") - before);
    return 0;
}
} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    QList<int> sizes{1000, 10000, 100000};
    std::vector<char *> rest;
    QString childSize;
    QString childRepo;
    QStringList positional;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--sizes=", 8) == 0) {
            sizes.clear();
            for (const QByteArray &size : QByteArray(argv[i] + 8).split(',')) {
                sizes.append(size.toInt());
            }
        } else if (std::strncmp(argv[i], "--child-memory=", 15) == 0) {
            childSize = QString::fromLatin1(argv[i] + 15);
        } else if (std::strncmp(argv[i], "--repo=", 7) == 0) {
            childRepo = QString::fromLocal8Bit(argv[i] + 7);
        } else if (i > 0 && !childSize.isEmpty()) {
            positional.append(QString::fromLatin1(argv[i]));
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (!childSize.isEmpty()) {
        return childMemory(childRepo, positional.value(0), positional.value(1));
    }
    makeRepository(sizes);
    for (int size : sizes) {
        benchmark::RegisterBenchmark("BM_AstraOpenDiff", BM_AstraOpenDiff)
            ->Arg(size)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark("BM_GitDiff", BM_GitDiff)
            ->Arg(size)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("BM_Kompare", BM_ExternalViewer, "kompare");
    benchmark::RegisterBenchmark("BM_Meld", BM_ExternalViewer, "meld");
    int restCount = int(rest.size());
    benchmark::Initialize(&restCount, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    delete g_dir;
    return 0;
}
