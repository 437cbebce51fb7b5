#include "workspace/backgroundcycle.h"

#include "git/gitrepository.h"
#include "policy/pathpolicy.h"
#include "store/database.h"
#include "store/ledger.h"
#include "store/modificationrepository.h"
#include "workspace/cycle.h"

#include <QDateTime>
#include <QFutureWatcher>

#include <QtConcurrent/QtConcurrentRun>

namespace astra {

namespace {
struct Turn
{
    bool ok = false;
    QString error;
    CycleReport report;
    bool detected = false;
};

// Runs on the pool thread: the configuration (and so the detection interval) is read here.
Turn runTurn(const WorkspaceOptions &options, const QDateTime &lastDetection)
{
    Turn turn;
    auto workspace = Workspace::open(options);
    if (!workspace) {
        turn.error = workspace.message();
        return turn;
    }
    const qint64 intervalS = qint64((*workspace)->config().generator.interval.count());
    const bool detect = !lastDetection.isValid() || lastDetection.secsTo(QDateTime::currentDateTimeUtc()) >= intervalS;
    CycleOptions cycle;
    cycle.detect = detect;
    auto report = runCycle(**workspace, options, cycle);
    if (!report) {
        turn.error = report.message();
        return turn;
    }
    turn.ok = true;
    turn.report = std::move(*report);
    turn.detected = detect;
    return turn;
}
} // namespace

BackgroundCycle::BackgroundCycle(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<astra::CycleReport>();
    m_pool.setMaxThreadCount(1);
    connect(&m_timer, &QTimer::timeout, this, &BackgroundCycle::runNow);
}

BackgroundCycle::~BackgroundCycle()
{
    m_timer.stop();
    m_pool.waitForDone();
}

void BackgroundCycle::setOptions(const WorkspaceOptions &options)
{
    m_options = options;
    m_lastDetection = QDateTime();
}

void BackgroundCycle::start(std::chrono::milliseconds tick)
{
    m_timer.start(int(tick.count()));
}

void BackgroundCycle::stop()
{
    m_timer.stop();
}

bool BackgroundCycle::runNow()
{
    if (m_running) {
        return false;
    }
    m_running = true;
    Q_EMIT runningChanged(true);
    auto *watcher = new QFutureWatcher<Turn>(this);
    connect(watcher, &QFutureWatcher<Turn>::finished, this, [this, watcher] {
        const Turn turn = watcher->result();
        watcher->deleteLater();
        m_running = false;
        if (turn.ok && turn.detected) {
            m_lastDetection = QDateTime::currentDateTimeUtc();
        }
        Q_EMIT runningChanged(false);
        if (turn.ok) {
            Q_EMIT turnFinished(turn.report, turn.detected);
        } else {
            Q_EMIT turnFailed(turn.error);
        }
    });
    const WorkspaceOptions options = m_options;
    const QDateTime lastDetection = m_lastDetection;
    watcher->setFuture(
        QtConcurrent::run(&m_pool, [options, lastDetection] { return runTurn(options, lastDetection); }));
    return true;
}

void BackgroundCycle::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace astra
