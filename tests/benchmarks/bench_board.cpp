// The goal board with 10,000 goals: handing a load of cards to the board (model, nine column
// proxies, overlaps, headers), the repaint of the whole board, a filter keystroke, and
// scrolling one column of 2,500 cards from top to bottom one page at a time. The cards are
// made in memory (what WorkspaceWatcher hands over after loadGoalCards), so the figures are
// the UI thread's share. The obvious alternative in the same run: a plain QListWidget holding
// the same 10,000 titles (no columns, no filtering, no delegate).
//
//   bench_board [--goals=N] [google benchmark flags]

#include "goals/goalboard.h"
#include "kanban/goalcolumnproxy.h"
#include "kanban/goalcolumnview.h"
#include "kanban/kanbanview.h"

#include <QApplication>
#include <QJsonArray>
#include <QListWidget>
#include <QScrollBar>

#include <benchmark/benchmark.h>
#include <cstring>

using namespace astra;

namespace {
int g_goals = 10000;

QList<GoalCard> cards()
{
    static const QList<GoalState> states{GoalState::Proposed,
                                         GoalState::Active,
                                         GoalState::AwaitingReview,
                                         GoalState::Completed};
    QList<GoalCard> out;
    out.reserve(g_goals);
    for (int i = 1; i <= g_goals; ++i) {
        GoalCard card;
        card.goal.id = i;
        card.goal.state = states.at(i % states.size());
        card.goal.title = QStringLiteral("Fix the failing job number %1 in the nightly pipeline").arg(i);
        card.goal.kind = QStringLiteral("fix-job-failure");
        card.goal.source = i % 3 == 0 ? GoalSource::User : GoalSource::System;
        card.goal.confidence = 0.5 + (i % 50) / 100.0;
        card.goal.createdAt = QStringLiteral("2026-11-20T10:00:00.000Z");
        card.detector = i % 3 == 0 ? QString() : QStringLiteral("job_failure");
        card.goal.evidence.insert(QStringLiteral("files"),
                                  QJsonArray{QStringLiteral("src/module%1/file%2.cpp").arg(i % 97).arg(i % 13)});
        out.append(card);
    }
    return out;
}

void BM_BoardSetCards(benchmark::State &state)
{
    const QList<GoalCard> all = cards();
    KanbanView board;
    board.resize(1760, 900);
    board.show();
    for (auto _ : state) {
        board.setCards(all);
        board.repaint();
    }
    state.counters["goals"] = g_goals;
}

void BM_BoardFilterKeystroke(benchmark::State &state)
{
    const QList<GoalCard> all = cards();
    KanbanView board;
    board.resize(1760, 900);
    board.show();
    board.setCards(all);
    int round = 0;
    for (auto _ : state) {
        board.setFilterText(round++ % 2 == 0 ? QStringLiteral("module4") : QString());
        board.repaint();
    }
}

void BM_BoardScrollColumn(benchmark::State &state)
{
    const QList<GoalCard> all = cards();
    KanbanView board;
    board.resize(1760, 900);
    board.show();
    board.setCards(all);
    QApplication::processEvents(); // lay the columns out: their scroll ranges come from it
    GoalColumnView *column = board.column(GoalState::Proposed);
    column->doItemsLayout();
    QScrollBar *bar = column->verticalScrollBar();
    int pages = 0;
    for (auto _ : state) {
        pages = 0;
        for (int value = 0; value <= bar->maximum(); value += bar->pageStep()) {
            bar->setValue(value);
            column->viewport()->repaint();
            ++pages;
        }
        bar->setValue(0);
    }
    state.counters["pages"] = pages;
    // Seconds per page scrolled and painted.
    state.counters["per_page"] =
        benchmark::Counter(double(pages), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_PlainListWidget(benchmark::State &state)
{
    const QList<GoalCard> all = cards();
    QListWidget list;
    list.resize(1760, 900);
    list.setUniformItemSizes(true);
    list.show();
    for (auto _ : state) {
        list.clear();
        for (const GoalCard &card : all) {
            list.addItem(card.goal.title);
        }
        list.repaint();
    }
}
} // namespace

BENCHMARK(BM_BoardSetCards)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BoardFilterKeystroke)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BoardScrollColumn)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PlainListWidget)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--goals=", 8) == 0) {
            g_goals = std::atoi(argv[i] + 8);
        } else {
            rest.push_back(argv[i]);
        }
    }
    int restCount = int(rest.size());
    benchmark::Initialize(&restCount, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
