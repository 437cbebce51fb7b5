// A worker of a shared queue for the team tests and the team benchmark: the product's
// Scheduler, sessions and leases, with executors that record what they ran instead of
// running agents. Every start and end is appended to a record file as one line
// ("start TASK PID ATTEMPT", "end TASK PID"), so the test can tell whether a task ran twice
// at once or finished twice.
//
//   astra-test-worker --repo PATH --db URL --record FILE [--lease-ms N] [--threads N]
//                     [--idle-exit-ms N]
//
// Task kinds: "step" sleeps input.sleep_ms and succeeds. The worker runs until it is killed,
// sent SIGTERM, or has seen no queued or running task for --idle-exit-ms.

#include "scheduling/scheduler.h"
#include "store/database.h"
#include "store/taskrepository.h"
#include "workspace/taskexecutors.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace astra;

namespace {
std::atomic<bool> g_stop{false};

extern "C" void stopWorker(int)
{
    g_stop = true;
}

// One write(2) per line on an O_APPEND descriptor: lines of several processes never interleave.
void record(int fd, const QByteArray &line)
{
    const QByteArray text = line + '\n';
    if (::write(fd, text.constData(), size_t(text.size())) != text.size()) {
        qWarning("could not write the record");
    }
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("repo"), QStringLiteral("repository"), QStringLiteral("PATH")});
    parser.addOption({QStringLiteral("db"), QStringLiteral("database URL"), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("record"), QStringLiteral("record file"), QStringLiteral("FILE")});
    parser.addOption(
        {QStringLiteral("lease-ms"), QStringLiteral("lease"), QStringLiteral("MS"), QStringLiteral("30000")});
    parser.addOption(
        {QStringLiteral("threads"), QStringLiteral("runner threads"), QStringLiteral("N"), QStringLiteral("2")});
    parser.addOption({QStringLiteral("idle-exit-ms"),
                      QStringLiteral("exit when idle"),
                      QStringLiteral("MS"),
                      QStringLiteral("2000")});
    parser.process(app);
    std::signal(SIGTERM, stopWorker);

    const int fd = ::open(QFile::encodeName(parser.value(QStringLiteral("record"))).constData(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
                          0644);
    if (fd < 0) {
        qCritical("cannot open the record file");
        return 2;
    }
    WorkspaceOptions options;
    options.repoPath = parser.value(QStringLiteral("repo"));
    options.dbUrl = parser.value(QStringLiteral("db"));
    auto workspace = Workspace::open(options);
    if (!workspace) {
        qCritical("%s", qPrintable(workspace.message()));
        return 2;
    }
    const QByteArray pid = QByteArray::number(QCoreApplication::applicationPid());
    ExecutorRegistry executors;
    executors.add(QStringLiteral("step"), [&](TaskContext &context) {
        const QByteArray task = QByteArray::number(context.task.id);
        record(fd, "start " + task + ' ' + pid + ' ' + QByteArray::number(context.task.attempts));
        QElapsedTimer slept;
        slept.start();
        const int sleepMs = context.task.input.value(QStringLiteral("sleep_ms")).toInt();
        while (slept.elapsed() < sleepMs && !context.stopRequested()) {
            QThread::msleep(qBound(1, sleepMs, 10));
        }
        record(fd, "end " + task + ' ' + pid);
        return TaskOutcome::succeeded(QStringLiteral("slept %1 ms").arg(sleepMs));
    });
    SchedulerOptions schedulerOptions;
    schedulerOptions.openSession = workspaceTaskSessions(options);
    schedulerOptions.maxThreads = parser.value(QStringLiteral("threads")).toInt();
    schedulerOptions.poll = std::chrono::milliseconds(20);
    schedulerOptions.lease = std::chrono::milliseconds(parser.value(QStringLiteral("lease-ms")).toInt());
    const qint64 idleExitMs = parser.value(QStringLiteral("idle-exit-ms")).toLongLong();
    QElapsedTimer idle;
    idle.start();
    TaskRepository tasks((*workspace)->database());
    while (!g_stop) {
        Scheduler scheduler(schedulerOptions, executors);
        auto report = scheduler.runUntilIdle();
        if (!report) {
            qWarning("%s", qPrintable(report.message()));
        } else if (report->started > 0) {
            idle.start();
        }
        auto queued = tasks.list(TaskState::Queued);
        auto running = tasks.list(TaskState::Running);
        if (queued && running && (!queued->isEmpty() || !running->isEmpty())) {
            idle.start();
        }
        if (idle.elapsed() >= idleExitMs) {
            break;
        }
        QThread::msleep(20);
    }
    ::close(fd);
    return 0;
}
