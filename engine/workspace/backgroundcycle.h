#pragma once

#include "model/cyclereport.h"
#include "workspace/workspace.h"

#include <QDateTime>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <chrono>

namespace astra {

// The workstation's share of the loop: on a timer, one turn of runCycle() (due jobs, the
// detectors every [generator] interval, planning, approved plans) on a worker thread, never
// two at once, with the result delivered to the caller's thread through a queued signal. The
// UI thread never waits on it.
class BackgroundCycle : public QObject
{
    Q_OBJECT
public:
    explicit BackgroundCycle(QObject *parent = nullptr);
    ~BackgroundCycle() override;

    void setOptions(const WorkspaceOptions &options);
    // Starts turns every `tick`, the first one a tick from now: opening a workspace changes
    // nothing in it by itself. stop() ends them after the current one.
    void start(std::chrono::milliseconds tick);
    void stop();
    bool isActive() const
    {
        return m_timer.isActive();
    }
    // Milliseconds to the next turn; -1 when stopped.
    int nextTurnIn() const
    {
        return m_timer.isActive() ? m_timer.remainingTime() : -1;
    }
    // One turn now, unless one is running (then nothing happens and false is returned).
    bool runNow();
    bool isRunning() const
    {
        return m_running;
    }
    // Waits for the turn in progress (for shutdown and tests; never from a slot).
    void waitForIdle();

Q_SIGNALS:
    // `detected`: the detectors ran this turn (once per [generator] interval).
    void turnFinished(const astra::CycleReport &report, bool detected);
    void turnFailed(const QString &message);
    void runningChanged(bool running);

private:
    WorkspaceOptions m_options;
    QThreadPool m_pool;
    QTimer m_timer;
    QDateTime m_lastDetection; // invalid: never in this session
    bool m_running = false;
};

} // namespace astra
