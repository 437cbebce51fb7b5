// The plan picture for a decomposition of N nodes (1,000 by default): laying it out, showing it
// (layout, scene, first paint of the view), repainting the visible part at the reading size, the
// PNG's painting of the whole, the SVG export, and the memory a shown picture holds. The obvious alternative in the
// same run: the same scene built from Qt's standard items (a QGraphicsRectItem with a QGraphicsSimpleTextItem per node
// and a QGraphicsPathItem per edge).
//
//   bench_plangraph [--nodes=N] [google benchmark flags]

#include "plan/plangraphview.h"
#include "testsupport.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <benchmark/benchmark.h>
#include <cstring>
#include <malloc.h>
#include <memory>

using namespace astra;

namespace {
int g_nodes = 1000;

const PlanRecord &plan()
{
    static const PlanRecord record = test::syntheticPlan(g_nodes);
    return record;
}

// The heap this process has in use, in KiB (glibc's count of allocated bytes, mapped chunks
// included): what a picture holds, without the allocator's slack.
qint64 heapKiB()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd) / 1024;
}

// The standard-items scene of a laid-out plan.
std::unique_ptr<QGraphicsScene> standardScene(const PlanGraph &graph, const GraphMetrics &metrics)
{
    auto scene = std::make_unique<QGraphicsScene>();
    for (const PlanGraphNode &node : graph.nodes) {
        auto *box = scene->addRect(QRectF(QPointF(0, 0), node.box.size()));
        box->setPos(node.box.topLeft());
        box->setFlag(QGraphicsItem::ItemIsSelectable);
        box->setToolTip(node.tooltip);
        auto *text = new QGraphicsSimpleTextItem(node.title, box);
        text->setPos(metrics.padding, metrics.padding);
        if (node.parent >= 0) {
            QPointF points[4];
            PlanGraph::edge(graph.nodes.at(node.parent).box, node.box, points);
            QPainterPath path(points[0]);
            path.cubicTo(points[1], points[2], points[3]);
            scene->addPath(path);
        }
    }
    scene->setSceneRect(QRectF(QPointF(0, 0), graph.size));
    return scene;
}

GraphMetrics fontMetrics()
{
    GraphMetrics metrics;
    const QFontMetricsF measure(QApplication::font());
    metrics.textWidth = [measure](const QString &text) {
        return measure.horizontalAdvance(text);
    };
    return metrics;
}

void BM_Layout(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    const GraphMetrics metrics = fontMetrics();
    for (auto _ : state) {
        PlanGraph graph = layoutPlan(reading, false, metrics);
        benchmark::DoNotOptimize(graph);
    }
    state.counters["nodes"] = double(plan().nodes.size());
}

// What showing a plan costs the UI thread: layout, scene, and the first paint of the view.
void BM_PictureShow(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    PlanGraphView view;
    view.resize(900, 700);
    view.show();
    for (auto _ : state) {
        view.setPlan(reading, {}, false);
        view.showOverview();
        const QPixmap shot = view.viewport()->grab();
        benchmark::DoNotOptimize(shot.cacheKey());
    }
    state.counters["nodes"] = double(view.nodeCount());
}

// The same with Qt's standard items.
void BM_StandardItemsShow(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    const GraphMetrics metrics = fontMetrics();
    QGraphicsView view;
    view.resize(900, 700);
    view.show();
    for (auto _ : state) {
        const std::unique_ptr<QGraphicsScene> scene = standardScene(layoutPlan(reading, false, metrics), metrics);
        view.setScene(scene.get());
        view.setTransform(QTransform::fromScale(0.8, 0.8));
        const QPixmap shot = view.viewport()->grab();
        benchmark::DoNotOptimize(shot.cacheKey());
        view.setScene(nullptr);
    }
}

// A repaint of what the user sees at the reading size, scrolled to the middle.
void BM_PictureRepaintViewport(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    PlanGraphView view;
    view.resize(900, 700);
    view.show();
    view.setPlan(reading, {}, false);
    view.resetZoom();
    view.centerOn(view.scene()->sceneRect().center());
    for (auto _ : state) {
        const QPixmap shot = view.viewport()->grab();
        benchmark::DoNotOptimize(shot.cacheKey());
    }
}

// The PNG export's painting: the whole picture (boxes only when it is scaled down).
void BM_PictureImage(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    PlanGraphView view;
    view.setPlan(reading, {}, false);
    for (auto _ : state) {
        const QImage image = view.image();
        benchmark::DoNotOptimize(image.constBits());
    }
}

void BM_ExportSvg(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    PlanGraphView view;
    view.setPlan(reading, {}, false);
    qint64 bytes = 0;
    for (auto _ : state) {
        bytes = view.svg(QStringLiteral("plan")).toUtf8().size();
    }
    state.counters["svg_KiB"] = double(bytes) / 1024.0;
}

// The memory a picture holds once shown: the heap grown by building and painting it, ours
// (0) and the standard items' (1); the median of five pictures, each kept while the next is made.
void BM_PictureMemory(benchmark::State &state)
{
    const PlanReading reading(plan(), nullptr);
    const bool standard = state.range(0) == 1;
    const GraphMetrics metrics = fontMetrics();
    QList<qint64> growth;
    std::vector<std::unique_ptr<QObject>> kept;
    for (auto _ : state) {
        const qint64 before = heapKiB();
        if (standard) {
            auto view = std::make_unique<QGraphicsView>();
            std::unique_ptr<QGraphicsScene> scene = standardScene(layoutPlan(reading, false, metrics), metrics);
            view->resize(900, 700);
            view->setScene(scene.get());
            scene->setParent(view.get());
            scene.release();
            view->show();
            benchmark::DoNotOptimize(view->viewport()->grab().cacheKey());
            kept.push_back(std::move(view));
        } else {
            auto view = std::make_unique<PlanGraphView>();
            view->resize(900, 700);
            view->setPlan(reading, {}, false);
            view->show();
            benchmark::DoNotOptimize(view->viewport()->grab().cacheKey());
            kept.push_back(std::move(view));
        }
        growth.append(heapKiB() - before);
    }
    std::sort(growth.begin(), growth.end());
    state.counters["heap_KiB"] = double(growth.value(growth.size() / 2));
}

} // namespace

BENCHMARK(BM_Layout)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PictureShow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StandardItemsShow)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PictureRepaintViewport)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PictureImage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExportSvg)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PictureMemory)->Arg(0)->Arg(1)->Iterations(5)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication app(argc, argv);
    std::vector<char *> rest;
    for (int i = 0; i < argc; ++i) {
        if (std::strncmp(argv[i], "--nodes=", 8) == 0) {
            g_nodes = std::atoi(argv[i] + 8);
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
