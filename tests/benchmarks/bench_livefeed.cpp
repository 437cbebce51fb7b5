// How long a change made elsewhere takes to reach the workstation's board, and what the idle
// workstation costs while it waits for one. A second connection (as another process would)
// approves a goal; the time runs from just before its commit to the WorkspaceWatcher delivering
// goal cards that show the goal approved. The live path is the ChangeFeed: inotify on the SQLite
// file and its write-ahead log with PRAGMA data_version, or LISTEN/NOTIFY on PostgreSQL. The
// obvious alternative in the same run: refreshing on a timer (once a second), which is what a
// view without a feed must do, and what it costs while nothing changes.
//
//   bench_livefeed [google benchmark flags]   (PostgreSQL too when ASTRA_TEST_PG_URL names a server)

#include "testsupport.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <benchmark/benchmark.h>
#include <sys/resource.h>

using namespace astra;

namespace {
QString g_postgresUrl;
constexpr int pollMs = 1000;

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// A repository with a workspace on SQLite (its own file) or on a fresh PostgreSQL database.
struct LiveBench
{
    test::TempRepo repo;
    QTemporaryDir scratch;
    WorkspaceOptions options;
    std::unique_ptr<Workspace> writer; // the other connection, on the benchmark's thread
    QString error;

    explicit LiveBench(bool postgres)
    {
        repo.write(QStringLiteral("src/a.c"), "int a;\n");
        repo.commitAll(QStringLiteral("initial"));
        options.repoPath = repo.path();
        if (postgres) {
            const auto databases = test::testDatabases(scratch.path());
            options.dbUrl = test::databaseUrl(databases.at(1).second);
        }
        if (auto made = Workspace::init(options); !made) {
            error = made.message();
            return;
        }
        auto opened = Workspace::open(options);
        if (!opened) {
            error = opened.message();
            return;
        }
        writer = std::move(*opened);
    }
};

bool showsActive(const QList<GoalCard> &cards, qint64 goalId)
{
    return std::any_of(cards.cbegin(), cards.cend(), [goalId](const GoalCard &card) {
        return card.goal.id == goalId && card.goal.state == GoalState::Active;
    });
}

bool showsGoal(const QList<GoalCard> &cards, qint64 goalId)
{
    return std::any_of(cards.cbegin(), cards.cend(), [goalId](const GoalCard &card) { return card.goal.id == goalId; });
}

// Waits until a delivered board satisfies `done`.
template<typename Done>
bool waitForBoard(QSignalSpy &cards, Done done)
{
    for (;;) {
        while (!cards.isEmpty()) {
            if (done(cards.takeFirst().at(0).value<QList<GoalCard>>())) {
                return true;
            }
        }
        if (!cards.wait(10000)) {
            return false;
        }
    }
}

// The watched workspace of one benchmark: range(0) 0 SQLite, 1 PostgreSQL; range(1) 0 the
// change feed, 1 a refresh every second. `error` is set when it could not be made.
struct Watched
{
    LiveBench bench;
    WorkspaceWatcher watcher;
    QTimer poll;
    std::unique_ptr<QSignalSpy> cards;
    QString error;

    explicit Watched(benchmark::State &state)
        : bench(state.range(0) != 0)
    {
        const bool polling = state.range(1) != 0;
        state.SetLabel(
            QStringLiteral("%1, %2")
                .arg(state.range(0) != 0 ? QStringLiteral("postgresql") : QStringLiteral("sqlite"),
                     polling ? QStringLiteral("timer refresh every %1 ms").arg(pollMs) : QStringLiteral("change feed"))
                .toStdString());
        if (!bench.error.isEmpty()) {
            error = bench.error;
            return;
        }
        watcher.setOptions(bench.options);
        if (polling) {
            poll.setInterval(pollMs);
            QObject::connect(&poll, &QTimer::timeout, &watcher, &WorkspaceWatcher::refresh);
            poll.start();
        } else {
            QObject::connect(&watcher, &WorkspaceWatcher::stateChanged, &watcher, &WorkspaceWatcher::refresh);
        }
        cards = std::make_unique<QSignalSpy>(&watcher, &WorkspaceWatcher::goalsLoaded);
        watcher.refresh();
        if (!cards->wait(30000)) {
            error = QStringLiteral("the first load did not arrive");
        }
    }
};

void BM_ChangeToBoard(benchmark::State &state)
{
    Watched watched(state);
    if (!watched.error.isEmpty()) {
        state.SkipWithError(watched.error.toStdString().c_str());
        return;
    }
    QSignalSpy &cards = *watched.cards;
    Workspace &writer = *watched.bench.writer;
    for (auto _ : state) {
        state.PauseTiming();
        auto goal = writer.addUserGoal(QStringLiteral("Live goal"), {QStringLiteral("src/a.c")});
        if (!goal || !waitForBoard(cards, [&](const QList<GoalCard> &board) { return showsGoal(board, goal->id); })) {
            state.SkipWithError("the new goal did not reach the board");
            return;
        }
        cards.clear();
        state.ResumeTiming();
        if (!writer.applyGoalAction(goal->id, GoalAction::Approve, {})) {
            state.SkipWithError("the approval failed");
            return;
        }
        if (!waitForBoard(cards, [&](const QList<GoalCard> &board) { return showsActive(board, goal->id); })) {
            state.SkipWithError("the approval did not reach the board");
            return;
        }
    }
}

// The CPU the waiting workstation uses while nothing changes, as a share of one core.
void BM_IdleCpu(benchmark::State &state)
{
    Watched watched(state);
    if (!watched.error.isEmpty()) {
        state.SkipWithError(watched.error.toStdString().c_str());
        return;
    }
    double cpu = 0;
    double wall = 0;
    for (auto _ : state) {
        const double before = cpuSeconds();
        QElapsedTimer clock;
        clock.start();
        // An event loop that sleeps until something happens, as the window's does.
        QEventLoop loop;
        QTimer::singleShot(3000, &loop, &QEventLoop::quit);
        loop.exec();
        cpu += cpuSeconds() - before;
        wall += double(clock.nsecsElapsed()) / 1e9;
    }
    state.counters["cpu_percent"] = 100.0 * cpu / wall;
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qRegisterMetaType<QList<astra::GoalCard>>();
    QTemporaryDir scratch;
    const bool postgres = test::testDatabases(scratch.path()).size() > 1;
    for (int db = 0; db <= (postgres ? 1 : 0); ++db) {
        for (int polling : {0, 1}) {
            benchmark::RegisterBenchmark("BM_ChangeToBoard", BM_ChangeToBoard)
                ->Args({db, polling})
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime()
                ->Iterations(polling ? 10 : 30);
            benchmark::RegisterBenchmark("BM_IdleCpu", BM_IdleCpu)
                ->Args({db, polling})
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime()
                ->Iterations(1);
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
