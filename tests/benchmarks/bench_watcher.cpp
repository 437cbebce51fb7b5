// The workstation's reaction to an action on the demo workspace: from WorkspaceWatcher::perform
// ("approve goal N") to the refreshed goal cards arriving on the UI thread, which is what a
// person waits for after pressing approve. The obvious alternative in the same run: the same
// work done by opening the workspace for the action and again for the refresh (repository
// discovery, .astra.toml, the database, the migration check and the recovery scan each time),
// on the calling thread, without the watcher's thread hops.
//
//   bench_watcher [google benchmark flags]

#include "goals/goalboard.h"
#include "workspace/demo.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <benchmark/benchmark.h>

using namespace astra;

namespace {
QTemporaryDir *g_dir = nullptr;
WorkspaceOptions g_options;

// A proposed goal to approve, added outside the timing.
qint64 newGoal(Workspace &workspace)
{
    auto goal = workspace.addUserGoal(QStringLiteral("Benchmark goal"), {QStringLiteral("snapback/backup.py")});
    return goal ? goal->id : 0;
}

void BM_WatcherApprove(benchmark::State &state)
{
    auto setup = Workspace::open(g_options);
    if (!setup) {
        state.SkipWithError("cannot open the demo workspace");
        return;
    }
    WorkspaceWatcher watcher;
    watcher.setOptions(g_options);
    QSignalSpy cards(&watcher, &WorkspaceWatcher::goalsLoaded);
    QSignalSpy failed(&watcher, &WorkspaceWatcher::actionFailed);
    watcher.refresh(); // the window's first load
    if (!cards.wait(60000)) {
        state.SkipWithError("the first refresh did not arrive");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        const qint64 id = newGoal(**setup);
        cards.clear();
        state.ResumeTiming();
        watcher.perform(QStringLiteral("Approve goal %1").arg(id), [id](Workspace &workspace) -> Status {
            auto approved = workspace.applyGoalAction(id, GoalAction::Approve, {});
            return approved ? Status() : Status(approved.error());
        });
        if (!cards.wait(60000) || !failed.isEmpty()) {
            state.SkipWithError("the approval or its refresh failed");
            return;
        }
    }
}

void BM_OpenPerAction(benchmark::State &state)
{
    auto setup = Workspace::open(g_options);
    if (!setup) {
        state.SkipWithError("cannot open the demo workspace");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        const qint64 id = newGoal(**setup);
        state.ResumeTiming();
        auto acting = Workspace::open(g_options);
        if (!acting || !(*acting)->applyGoalAction(id, GoalAction::Approve, {})) {
            state.SkipWithError("the approval failed");
            return;
        }
        auto loading = Workspace::open(g_options);
        if (!loading) {
            state.SkipWithError("the refresh failed");
            return;
        }
        auto status = (*loading)->status();
        auto board = loadGoalCards((*loading)->database());
        auto tasks = (*loading)->tasks();
        if (!status || !board || !tasks) {
            state.SkipWithError("the refresh failed");
            return;
        }
        benchmark::DoNotOptimize(board->size());
    }
}
// What the watcher no longer does twice per action: open the workspace (with its recovery scan).
void BM_OpenWorkspace(benchmark::State &state)
{
    for (auto _ : state) {
        auto workspace = Workspace::open(g_options);
        if (!workspace) {
            state.SkipWithError("cannot open the demo workspace");
            return;
        }
    }
}
} // namespace

// A fixed number of iterations: each one adds a goal, so runs compare at the same sizes.
BENCHMARK(BM_WatcherApprove)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(200);
BENCHMARK(BM_OpenPerAction)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(200);
BENCHMARK(BM_OpenWorkspace)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(200);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    g_dir = &dir;
    const QString demo = dir.filePath(QStringLiteral("snapback"));
    auto made = createDemoWorkspace(demo);
    if (!made) {
        qCritical("cannot create the demo workspace: %s", qPrintable(made.message()));
        return 1;
    }
    g_options.repoPath = demo;
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
