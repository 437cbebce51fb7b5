// Opening a diff of N changed lines in the diff viewer, from the commits to the first paint:
// libgit2's diff with intra-line ranges on a worker thread (as the workstation does), then the
// rows, the view and its first paint on the UI thread. The tree is a real source tree, the Qt
// headers this build uses, committed twice with git fast-import: as installed, and with N of
// its lines changed. In the same run: `git diff` of the same commits (the obvious alternative,
// to a pipe), and Kompare or Meld when installed. Peak memory is measured per size in a fresh
// child process (VmHWM), so the sizes do not mask each other.
//
//
// A large real change besides: shaped like libgit2 v1.0.0 → v1.7.0 (2,557 entries: 728 renames,
// 139 of them exact, 1,120 binary and empty files, mode-only changes, 160 modified, 99 deleted,
// 430 added text files), built from /usr/include's headers and generated binaries. Reported: the
// time to the first file painted (the list and the first file read off the UI thread, the rest
// after: the workstation's way), the time until every row is known (renames found as `git diff -M`
// does, every file read by DiffFiller and shown), and peak memory; beside it the obvious
// alternative (everything read before the first paint), `git diff -M` of the same commits, and
// Kompare opening the same change as a patch when it is installed (its time until it stops
// using the CPU, and its peak memory, sampled from /proc).
//
//   bench_diffview [--sizes=1000,10000,100000] [--no-large] [google benchmark flags]
//   bench_diffview --child-memory=N        (internal: prints "<peak KiB> <growth KiB>")
//   bench_diffview --child-large           (internal: the same for the large change)

#include "diff/diffmodel.h"
#include "diff/diffview.h"
#include "git/gitrepository.h"
#include "git/treediff.h"
#include "workspace/difffiller.h"

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
#include <QThread>

#include <QtConcurrent/QtConcurrentRun>
#include <benchmark/benchmark.h>
#include <cstring>
#include <map>

using namespace astra;

namespace {
QTemporaryDir *g_dir = nullptr;
QString g_repo;
std::map<int, std::pair<QString, QString>> g_commits; // changed lines -> (base, head)
std::pair<QString, QString> g_large; // the large change (base, head)

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

// The large change: see the top of the file.
QList<SourceFile> systemHeaders(int count)
{
    QList<SourceFile> files;
    QDirIterator it(QStringLiteral("/usr/include"), {QStringLiteral("*.h")}, QDir::Files, QDirIterator::Subdirectories);
    QStringList paths;
    while (it.hasNext()) {
        paths.append(it.next());
    }
    paths.sort();
    for (const QString &path : std::as_const(paths)) {
        QFile file(path);
        if (files.size() < count && QFileInfo(path).size() < 200 * 1024 && file.open(QIODevice::ReadOnly)) {
            const QByteArray content = file.readAll();
            if (content.count('\n') >= 20 && !content.contains('\0')) {
                files.append({QStringLiteral("include/") + path.mid(13), content});
            }
        }
    }
    return files;
}

// Every `every`-th line of `content` edited.
QByteArray edited(const QByteArray &content, int every)
{
    QList<QByteArray> lines = content.split('\n');
    for (int i = every / 2; i < lines.size(); i += every) {
        lines[i] += " /* revised */";
    }
    return lines.join('\n');
}

bool makeLargeChange()
{
    const QList<SourceFile> headers = systemHeaders(3030);
    if (headers.size() < 3030) {
        std::fprintf(stderr,
                     "/usr/include holds %lld usable headers; the large change needs 3030: it is not measured\n",
                     qlonglong(headers.size()));
        return false;
    }
    const QList<SourceFile> base = headers.mid(0, 2600);
    QByteArray stream =
        "commit refs/heads/large-base\ncommitter Bench <bench@example.org> 1700000000 +0000\ndata 4\nbase\n"
        "M 100644 inline .gitattributes\ndata 13\n*.dat binary\n\n";
    for (const SourceFile &file : base) {
        stream += "M 100644 inline " + file.path.toUtf8() + "\ndata " + QByteArray::number(file.content.size()) + "\n"
            + file.content + "\n";
    }
    git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
    const QString baseCommit = git({QStringLiteral("rev-parse"), QStringLiteral("large-base")});
    stream = "commit refs/heads/large-head\ncommitter Bench <bench@example.org> 1700000001 +0000\ndata 4\nhead\nfrom "
        + baseCommit.toUtf8() + "\n";
    const auto put = [&stream](const QByteArray &mode, const QString &path, const QByteArray &content) {
        stream += "M " + mode + " inline " + path.toUtf8() + "\ndata " + QByteArray::number(content.size()) + "\n"
            + content + "\n";
    };
    int at = 0;
    for (int i = 0; i < 139; ++i, ++at) { // moved as they are
        stream += "R " + base.at(at).path.toUtf8() + " moved/" + base.at(at).path.toUtf8() + "\n";
    }
    for (int i = 0; i < 589; ++i, ++at) { // moved and edited
        stream += "D " + base.at(at).path.toUtf8() + "\n";
        put("100644", QStringLiteral("renamed/") + base.at(at).path, edited(base.at(at).content, 20));
    }
    for (int i = 0; i < 160; ++i, ++at) {
        put("100644", base.at(at).path, edited(base.at(at).content, 10));
    }
    for (int i = 0; i < 99; ++i, ++at) {
        stream += "D " + base.at(at).path.toUtf8() + "\n";
    }
    for (int i = 0; i < 20; ++i, ++at) { // only the mode
        put("100755", base.at(at).path, base.at(at).content);
    }
    for (const SourceFile &file : headers.mid(2600)) { // 430 new text files
        put("100644", QStringLiteral("added/") + file.path, file.content);
    }
    quint32 seed = 12345;
    for (int i = 0; i < 1100; ++i) { // binary files
        QByteArray blob(64 + int(seed % 16000), '\0');
        for (char &c : blob) {
            seed = seed * 1664525u + 1013904223u;
            c = (seed >> 24) % 5 == 0 ? '\0' : char(seed >> 16);
        }
        put("100644", QStringLiteral("resources/blob-%1.bin").arg(i, 4, 10, QLatin1Char('0')), blob);
    }
    for (int i = 0; i < 10; ++i) { // empty files; binary by .gitattributes
        put("100644", QStringLiteral("resources/empty-%1.txt").arg(i), QByteArray());
        put("100644", QStringLiteral("resources/empty-%1.dat").arg(i), QByteArray());
    }
    git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream);
    g_large = {baseCommit, git({QStringLiteral("rev-parse"), QStringLiteral("large-head")})};
    const QString listed = git(
        {QStringLiteral("diff"), QStringLiteral("-M"), QStringLiteral("--name-status"), g_large.first, g_large.second});
    std::fprintf(stderr,
                 "large change: %lld entries in `git diff -M`, %lld renames\n",
                 qlonglong(listed.count(u'\n') + 1),
                 qlonglong(listed.count(QStringLiteral("\nR")) + (listed.startsWith(u'R') ? 1 : 0)));
    return true;
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

struct LargeOpen
{
    double firstPaintMs = 0;
    double allRowsMs = 0;
    qsizetype files = 0;
    int renamed = 0;
};

// The workstation's way: the list and the first file read on a worker, shown and painted; then
// DiffFiller finds the renames and reads the rest while the view shows what it has.
LargeOpen openLarge(DiffView &view)
{
    LargeOpen result;
    QElapsedTimer timer;
    timer.start();
    auto future = QtConcurrent::run([] {
        auto repo = GitRepository::discover(g_repo);
        TreeDiffOptions options;
        options.outline = true;
        auto diff = diffCommits(*repo, g_large.first, g_large.second, options);
        return diff ? TreeDiffPtr(new TreeDiff(std::move(*diff))) : TreeDiffPtr();
    });
    while (!future.isFinished()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    }
    const TreeDiffPtr outline = future.result();
    if (!outline) {
        qFatal("outline failed");
    }
    DiffFiller filler;
    QObject::connect(&filler, &DiffFiller::outlineChanged, &view, &DiffView::replaceOutline);
    QObject::connect(&filler, &DiffFiller::filesLoaded, &view, &DiffView::addFiles);
    QObject::connect(&view, &DiffView::filesWanted, &filler, &DiffFiller::want);
    QSignalSpy painted(&view, &DiffView::diffPainted);
    QSignalSpy finished(&filler, &DiffFiller::finished);
    view.setDiff(outline);
    filler.start(g_repo, outline);
    if (!painted.wait(60000)) {
        qFatal("no paint");
    }
    result.firstPaintMs = double(timer.nsecsElapsed()) / 1e6;
    if (finished.isEmpty() && !finished.wait(600000)) {
        qFatal("the rest was not read");
    }
    if (!view.model()->isComplete()) {
        qFatal("finished, but the view is not complete");
    }
    result.allRowsMs = double(timer.nsecsElapsed()) / 1e6;
    result.files = view.model()->diff()->files.size();
    for (const FileDiff &file : view.model()->diff()->files) {
        result.renamed += file.change == u"renamed" ? 1 : 0;
    }
    return result;
}

void BM_AstraOpenLargeChange(benchmark::State &state)
{
    DiffView view;
    view.resize(1600, 1000);
    view.show();
    LargeOpen last;
    for (auto _ : state) {
        last = openLarge(view);
        state.SetIterationTime(last.firstPaintMs / 1000.0);
        view.setDiff({});
    }
    state.counters["first_paint_ms"] = last.firstPaintMs;
    state.counters["all_rows_ms"] = last.allRowsMs;
    state.counters["files"] = double(last.files);
    state.counters["renames"] = last.renamed;
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--child-large"), QStringLiteral("--repo=") + g_repo, g_large.first, g_large.second});
    child.waitForFinished(-1);
    const QList<QByteArray> figures = child.readAllStandardOutput().trimmed().split(' ');
    state.counters["peak_rss_MiB"] = figures.value(0).toDouble() / 1024.0;
    state.counters["growth_MiB"] = figures.value(1).toDouble() / 1024.0;
}

// The obvious alternative: the whole diff (renames, every file) read before the first paint.
void BM_AstraOpenLargeChangeAtOnce(benchmark::State &state)
{
    DiffView view;
    view.resize(1600, 1000);
    view.show();
    for (auto _ : state) {
        state.SetIterationTime(openDiff(view, g_large.first, g_large.second) / 1000.0);
        view.setDiff({});
    }
}

void BM_GitDiffRenames(benchmark::State &state)
{
    for (auto _ : state) {
        QElapsedTimer timer;
        timer.start();
        QProcess process;
        process.setWorkingDirectory(g_repo);
        process.start(QStringLiteral("git"),
                      {QStringLiteral("diff"),
                       QStringLiteral("-M"),
                       QStringLiteral("--no-color"),
                       g_large.first,
                       g_large.second});
        process.waitForFinished(-1);
        benchmark::DoNotOptimize(process.readAllStandardOutput().size());
        state.SetIterationTime(double(timer.nsecsElapsed()) / 1e9);
    }
}

// Kompare opening the change as a patch (what `git diff -M --binary` writes): the time until it
// stops using the CPU (sampled every 10 ms; idle for 1 s counts as ready) and its peak memory.
void BM_KompareLargeChange(benchmark::State &state)
{
    const QString kompare = QStandardPaths::findExecutable(QStringLiteral("kompare"));
    if (kompare.isEmpty()) {
        state.SkipWithError("Kompare is not installed (apt-get install kompare to compare)");
        return;
    }
    const QString patchPath = g_dir->filePath(QStringLiteral("large.patch"));
    {
        QFile patch(patchPath);
        if (!patch.open(QIODevice::WriteOnly)) {
            state.SkipWithError("cannot write the patch");
            return;
        }
        QProcess diff;
        diff.setWorkingDirectory(g_repo);
        diff.start(
            QStringLiteral("git"),
            {QStringLiteral("diff"), QStringLiteral("-M"), QStringLiteral("--binary"), g_large.first, g_large.second});
        diff.waitForFinished(-1);
        patch.write(diff.readAllStandardOutput());
    }
    double peakMiB = 0;
    for (auto _ : state) {
        QProcess viewer;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        viewer.setProcessEnvironment(environment);
        QElapsedTimer timer;
        timer.start();
        viewer.start(kompare, {QStringLiteral("-o"), patchPath});
        viewer.waitForStarted();
        const QString stat = QStringLiteral("/proc/%1/stat").arg(viewer.processId());
        const QString status = QStringLiteral("/proc/%1/status").arg(viewer.processId());
        qint64 lastCpu = -1;
        double readyAt = 0;
        while (viewer.state() == QProcess::Running && timer.elapsed() - readyAt < 1000) {
            QFile file(stat);
            if (file.open(QIODevice::ReadOnly)) {
                const QList<QByteArray> fields = file.readAll().split(')').value(1).trimmed().split(' ');
                const qint64 cpu = fields.value(11).toLongLong() + fields.value(12).toLongLong();
                if (cpu != lastCpu) {
                    lastCpu = cpu;
                    readyAt = double(timer.elapsed());
                }
            }
            QFile memory(status);
            if (memory.open(QIODevice::ReadOnly)) {
                for (const QByteArray &line : memory.readAll().split('\n')) {
                    if (line.startsWith("VmHWM:")) {
                        peakMiB = std::max(peakMiB, line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0);
                    }
                }
            }
            QThread::msleep(10);
        }
        viewer.kill();
        viewer.waitForFinished();
        state.SetIterationTime(readyAt / 1000.0);
    }
    state.counters["peak_rss_MiB"] = peakMiB;
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

int childLarge(const QString &repo, const QString &base, const QString &head)
{
    g_repo = repo;
    g_large = {base, head};
    const qint64 before = statusKiB("VmRSS:");
    DiffView view;
    view.resize(1600, 1000);
    view.show();
    openLarge(view);
    std::printf("%lld %lld\n", statusKiB("VmHWM:"), statusKiB("VmHWM:") - before);
    return 0;
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
    bool childLargeChange = false;
    bool large = true;
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
        } else if (std::strcmp(argv[i], "--child-large") == 0) {
            childLargeChange = true;
        } else if (std::strcmp(argv[i], "--no-large") == 0) {
            large = false;
        } else if (std::strncmp(argv[i], "--repo=", 7) == 0) {
            childRepo = QString::fromLocal8Bit(argv[i] + 7);
        } else if (i > 0 && (!childSize.isEmpty() || childLargeChange)) {
            positional.append(QString::fromLatin1(argv[i]));
        } else {
            rest.push_back(argv[i]);
        }
    }
    if (!childSize.isEmpty()) {
        return childMemory(childRepo, positional.value(0), positional.value(1));
    }
    if (childLargeChange) {
        return childLarge(childRepo, positional.value(0), positional.value(1));
    }
    makeRepository(sizes);
    if (large && makeLargeChange()) {
        using Function = void (*)(benchmark::State &);
        const std::pair<const char *, Function> large[] = {
            {"BM_AstraOpenLargeChange", BM_AstraOpenLargeChange},
            {"BM_AstraOpenLargeChangeAtOnce", BM_AstraOpenLargeChangeAtOnce},
            {"BM_GitDiffRenames", BM_GitDiffRenames},
            {"BM_KompareLargeChange", BM_KompareLargeChange},
        };
        for (const auto &[name, function] : large) {
            benchmark::RegisterBenchmark(name, function)->UseManualTime()->Unit(benchmark::kMillisecond);
        }
    }
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
