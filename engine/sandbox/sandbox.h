#pragma once

#include "base/result.h"
#include "config/astraconfig.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <functional>

namespace astra {

// What a sandboxed process may use. Zero or less leaves that limit as it is.
struct SandboxLimits
{
    qint64 memoryBytes = 4LL * 1024 * 1024 * 1024; // address space
    // Data (heap) size, RLIMIT_DATA. Unlike the address space it leaves alone the large
    // reservations some runtimes make up front (Node's WebAssembly), so agents are bounded by it.
    qint64 dataBytes = 0;
    // Per user (RLIMIT_NPROC): as root each run is a user of its own, so it binds per run.
    int maxProcesses = 512;
    qint64 maxFileBytes = 1024LL * 1024 * 1024; // largest file it may write
    int maxOpenFiles = 4096;
    // The size of the private /tmp, which is also HOME; writes past it fail (bubblewrap 0.7+).
    qint64 scratchBytes = 1024LL * 1024 * 1024;
};

// One process run in the sandbox: only `folder` is writable (and a private /tmp that is also
// HOME); /usr, /etc and `readOnly` are visible read-only; nothing else of the host is there.
// It has its own PID namespace, so the whole process tree ends with the run, and no network
// unless `network` is set.
struct SandboxRequest
{
    QString folder; // must exist and not be "/"; the process runs here
    // The scratch folder that holds `folder` (see ScratchFolder), if any: run by root, only the
    // run's own user may pass through it.
    QString scratchRoot;
    QStringList command; // program and arguments; a bare program name is looked up on PATH inside
    TestsSection::Sandbox sandbox = TestsSection::Sandbox::Auto;
    // The table whose `sandbox` key chose the mode ("tests", "proposer", "jobs"): named in refusals.
    QString settingTable = QStringLiteral("tests");
    bool network = false; // the host's network (and so its loopback), for an agent that needs its model
    QStringList readOnly; // absolute host paths, visible read-only at the same place
    QStringList pathPrefix; // folders put before the system's PATH inside
    // Added to the process's environment (which otherwise holds only PATH, HOME, TMPDIR, LANG).
    // Passed through the environment, never on a command line that other users can read.
    QHash<QString, QString> environment;
    QByteArray input; // stdin; empty: /dev/null
    bool mergeOutput = true; // stderr into stdout
    std::chrono::milliseconds timeout{600000};
    const std::atomic<bool> *cancel = nullptr; // polled; true stops the run like a timeout
    SandboxLimits limits;
};

struct SandboxRun
{
    enum class Ending
    {
        NotStarted, // `problem` says why; nothing ran
        Exited, // exitCode is set
        Signalled, // killed by a signal before it exited
        TimedOut,
        Cancelled,
    };
    Ending ending = Ending::NotStarted;
    int exitCode = -1;
    // "bwrap", or "none (why: weaker isolation, ...)"; empty when nothing was chosen
    QString sandbox;
    bool sandboxed = false; // under bubblewrap
    bool scratchBounded = false; // the private /tmp has a size (bubblewrap 0.7+)
    qint64 durationMs = 0;
    QString problem; // NotStarted: one or two sentences, naming the setting to change
};

using OutputHandler = std::function<void(const QByteArray &)>;

// Runs `request.command` in the sandbox the request names, with its limits; its output goes to
// `onOutput` (and stderr to `onError` unless merged) as it comes. Blocking: call it from a worker
// thread. Run by root, the folder is first given to the unprivileged user the sandbox runs as.
SandboxRun
runSandboxed(const SandboxRequest &request, const OutputHandler &onOutput, const OutputHandler &onError = {});

// Whether `bwrap` is on the PATH of the current environment and works here (probed once per
// bwrap binary with a trivial sandboxed run, as `nobody` when run by root, that must hold no
// capability). Run by root, each sandboxed run is an unprivileged user and group id of its own
// (setpriv, then a user namespace of it).
bool bubblewrapAvailable();

// The canonical path of the folder a sandboxed command may run in: it must exist and not be
// "/". The error says so and that nothing was run.
Result<QString> sandboxFolder(const QString &folder);

// `name` on the PATH of the current environment (absolute entries only), or empty.
QString findProgram(const QString &name);

} // namespace astra
