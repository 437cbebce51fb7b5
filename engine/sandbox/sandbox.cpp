#include "sandbox/sandbox.h"

#include "base/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QMutexLocker>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <climits>
#include <cstring>
#include <optional>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Sandbox)
};

const QString shellProgram = QStringLiteral("/bin/sh");
// PATH inside the sandbox: only the system is visible there.
const QString sandboxPath = QStringLiteral("/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
// argv[0] of the shell that sets the resource limits (shows in ps).
const QString limitsShellName = QStringLiteral("astra-sandbox");

constexpr int probeTimeoutMs = 10000;
// After a kill, how long to wait for the process to be reaped before giving up.
constexpr int killGraceMs = 10000;
// How often a run looks at its cancel flag.
constexpr int cancelPollMs = 100;

// What every sandboxed or probing process starts from: nothing of the caller's environment.
QProcessEnvironment baseEnvironment()
{
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), sandboxPath);
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
    environment.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    return environment;
}

// -- Programs and probes -----------------------------------------------------------------

struct ProbeResult
{
    bool ok = false;
    QString problem;
};

QString firstLine(const QString &text)
{
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    return lines.isEmpty() ? QString() : lines.first().trimmed();
}

// Runs `program arguments` once per distinct command line and remembers whether it worked.
ProbeResult probe(const QString &program, const QStringList &arguments)
{
    static QMutex mutex;
    static QHash<QString, ProbeResult> cache;

    const QString key = program + u'\n' + arguments.join(u'\n');
    QMutexLocker locker(&mutex);
    const auto cached = cache.constFind(key);
    if (cached != cache.constEnd()) {
        return cached.value();
    }

    ProbeResult result;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setProcessEnvironment(baseEnvironment());
    process.start(program, arguments);
    if (!process.waitForStarted(probeTimeoutMs)) {
        result.problem = process.errorString();
    } else if (!process.waitForFinished(probeTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.problem = Tr::tr("a trial run did not finish within %n second(s)", nullptr, probeTimeoutMs / 1000);
    } else if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        const QString output = firstLine(QString::fromLocal8Bit(process.readAll()));
        result.problem =
            output.isEmpty() ? Tr::tr("a trial run failed with exit code %1").arg(process.exitCode()) : output;
    } else {
        result.ok = true;
    }
    qCDebug(lcGit) << "probe" << program << arguments << (result.ok ? QStringLiteral("works") : result.problem);
    cache.insert(key, result);
    return result;
}

// -- Sandbox -----------------------------------------------------------------------------

// Who the sandboxed command is on the host. Run by root, bubblewrap would keep root's
// capabilities (a changed test command could mount the host's disk) and RLIMIT_NPROC would not
// bind; so as root the command runs as the unprivileged `nobody` user, dropped to by setpriv
// before bubblewrap starts, in a user namespace of that user with every capability gone.
struct HostUser
{
    bool drop = false; // run by root: switch to uid/gid first
    uid_t uid = 0;
    gid_t gid = 0;
    QString name;
};

HostUser sandboxHostUser()
{
    if (geteuid() != 0) {
        return {};
    }
    HostUser user{true, 65534, 65534, QStringLiteral("nobody")};
    passwd entry{};
    passwd *found = nullptr;
    char buffer[4096];
    if (getpwnam_r("nobody", &entry, buffer, sizeof buffer, &found) == 0 && found && found->pw_uid != 0) {
        user.uid = found->pw_uid;
        user.gid = found->pw_gid;
    }
    return user;
}

// The host user one run is, when started by root: a user and group id no account and no other
// run has (drawn from a range systemd leaves unused, below 2^31 so that no tool reads it as
// negative), so that no other process can enter its folders, read its environment (API keys)
// or share its process limit.
HostUser runHostUser()
{
    HostUser user = sandboxHostUser();
    if (!user.drop) {
        return user;
    }
    constexpr quint32 first = 0x70000000;
    constexpr quint32 count = 0x01000000;
    user.uid = uid_t(first + QRandomGenerator::system()->bounded(count));
    user.gid = gid_t(user.uid);
    user.name = Tr::tr("uid %1, a user of its own").arg(user.uid);
    return user;
}

// The programs that run before bubblewrap: setpriv dropping root to the host user, or nothing.
// Empty with `*missing` set when the drop is needed and setpriv is not installed.
QStringList hostUserPrefix(const HostUser &user, bool *missing)
{
    *missing = false;
    if (!user.drop) {
        return {};
    }
    const QString setpriv =
        QStandardPaths::findExecutable(QStringLiteral("setpriv"), {QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
    if (setpriv.isEmpty()) {
        *missing = true;
        return {};
    }
    return {setpriv,
            QStringLiteral("--reuid=%1").arg(user.uid),
            QStringLiteral("--regid=%1").arg(user.gid),
            QStringLiteral("--clear-groups"),
            QStringLiteral("--")};
}

// What this bubblewrap offers beyond 0.4 (Ubuntu 22.04 has 0.6): read once from its --help.
struct BubblewrapFeatures
{
    bool disableUserns = false; // 0.8
    bool tmpfsSize = false; // 0.7
};

BubblewrapFeatures bubblewrapFeatures(const QString &bwrap)
{
    static QMutex mutex;
    static QHash<QString, BubblewrapFeatures> cache;
    QMutexLocker locker(&mutex);
    if (const auto it = cache.constFind(bwrap); it != cache.constEnd()) {
        return *it;
    }
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(bwrap, {QStringLiteral("--help")});
    process.waitForFinished(probeTimeoutMs);
    const QByteArray help = process.readAll();
    const BubblewrapFeatures features{help.contains("--disable-userns"), help.contains("--size")};
    cache.insert(bwrap, features);
    return features;
}

// The bubblewrap command line up to the `--` that precedes the sandboxed program. With an
// empty `folder` (the probe) nothing is writable but /tmp, a tmpfs of `scratchBytes` where
// this bubblewrap can bound it. The environment is not set here: bubblewrap passes on its own,
// which the caller makes from nothing, so that no value shows on a command line.
QStringList bubblewrapArguments(const QString &bwrap,
                                const QString &folder,
                                qint64 scratchBytes,
                                bool network = false,
                                const QStringList &readOnly = {})
{
    const BubblewrapFeatures features = bubblewrapFeatures(bwrap);
    // A user namespace of the unprivileged user, no capabilities, no nested user namespaces.
    QStringList args = {QStringLiteral("--unshare-user")};
    if (features.disableUserns) {
        args << QStringLiteral("--disable-userns");
    }
    args << QStringLiteral("--cap-drop") << QStringLiteral("ALL");
    if (!network) {
        args << QStringLiteral("--unshare-net");
    }
    args << QStringList{
        QStringLiteral("--unshare-pid"),
        QStringLiteral("--unshare-ipc"),
        QStringLiteral("--unshare-uts"),
        QStringLiteral("--die-with-parent"),
        QStringLiteral("--new-session"),
        QStringLiteral("--ro-bind"),
        QStringLiteral("/usr"),
        QStringLiteral("/usr"),
    };
    // Merged-/usr systems have these as symlinks into /usr; others as folders.
    const QStringList topLevel = {
        QStringLiteral("/bin"),
        QStringLiteral("/sbin"),
        QStringLiteral("/lib"),
        QStringLiteral("/lib32"),
        QStringLiteral("/lib64"),
        QStringLiteral("/libx32"),
    };
    for (const QString &path : topLevel) {
        const QFileInfo info(path);
        if (info.isSymLink()) {
            args << QStringLiteral("--symlink") << info.symLinkTarget() << path;
        } else if (info.isDir()) {
            args << QStringLiteral("--ro-bind") << path << path;
        }
    }
    if (network) {
        // Name resolution: /etc/resolv.conf is often a link into /run (systemd-resolved), which
        // is not in the sandbox.
        const QString resolver = QFileInfo(QStringLiteral("/etc/resolv.conf")).canonicalFilePath();
        if (!resolver.isEmpty() && !resolver.startsWith(QLatin1String("/etc/"))
            && !resolver.startsWith(QLatin1String("/usr/"))) {
            args << QStringLiteral("--ro-bind-try") << resolver << resolver;
        }
    }
    args << QStringLiteral("--ro-bind") << QStringLiteral("/etc") << QStringLiteral("/etc") //
         << QStringLiteral("--dev") << QStringLiteral("/dev") //
         << QStringLiteral("--proc") << QStringLiteral("/proc");
    if (features.tmpfsSize) {
        args << QStringLiteral("--size") << QString::number(qMax<qint64>(1024 * 1024, scratchBytes));
    }
    args << QStringLiteral("--tmpfs") << QStringLiteral("/tmp");
    for (const QString &path : readOnly) {
        args << QStringLiteral("--ro-bind") << path << path;
    }
    if (!folder.isEmpty()) {
        args << QStringLiteral("--bind") << folder << folder << QStringLiteral("--chdir") << folder;
    } else {
        args << QStringLiteral("--chdir") << QStringLiteral("/");
    }
    args << QStringLiteral("--");
    return args;
}

// A trial run that also proves the sandbox holds no capability: it fails when the effective
// set inside is not empty.
ProbeResult probeBubblewrap(const QString &bwrap)
{
    const HostUser user = sandboxHostUser();
    bool setprivMissing = false;
    QStringList command = hostUserPrefix(user, &setprivMissing);
    if (setprivMissing) {
        return ProbeResult{false,
                           Tr::tr("run as root, the sandbox drops to the user %1 with setpriv, which is not "
                                  "installed (Debian and Ubuntu: util-linux)")
                               .arg(user.name)};
    }
    command << bwrap << bubblewrapArguments(bwrap, QString(), 1024 * 1024) << shellProgram << QStringLiteral("-c")
            << QStringLiteral(
                   "grep -q '^CapEff:[[:space:]]*0*$' /proc/self/status || "
                   "{ echo \"the sandboxed process keeps capabilities: $(grep CapEff /proc/self/status)\"; "
                   "exit 1; }");
    const QString program = command.takeFirst();
    return probe(program, command);
}

// As root, the folder and everything in it become the host user's, so that the sandboxed
// command can write there and nowhere else; symlinks are changed, never followed, and every
// entry is given away before the folder holding it, so that nothing of the tree can be swapped
// while root walks it. `scratchRoot`, when given, is the folder holding `folder`: it stays
// root's, opened to the run's group only (0710). The folders above must let the user through.
// Empty when done, else what is wrong.
QString handOver(const QString &folder, const QString &scratchRoot, const HostUser &user)
{
    if (!user.drop) {
        return {};
    }
    const QByteArray root = QFile::encodeName(scratchRoot);
    if (!scratchRoot.isEmpty()
        && (::lchown(root.constData(), 0, user.gid) != 0 || ::chmod(root.constData(), 0710) != 0)) {
        return Tr::tr("the scratch folder %1 could not be opened to %2 (%3)")
            .arg(scratchRoot, user.name, QString::fromLocal8Bit(strerror(errno)));
    }
    for (QString above = QFileInfo(folder).absolutePath(); above != QLatin1String("/");
         above = QFileInfo(above).absolutePath()) {
        struct stat info
        {};
        const bool enterable = ::stat(QFile::encodeName(above).constData(), &info) == 0
            && ((info.st_mode & S_IXOTH) != 0 || ((info.st_mode & S_IXGRP) != 0 && info.st_gid == user.gid));
        if (!enterable) {
            return Tr::tr(
                       "the folder %1 above it cannot be entered by %2, the unprivileged user the sandbox runs "
                       "as when started by root; use a folder under /tmp (TMPDIR) or let others enter %1 "
                       "(chmod o+x)")
                .arg(above, user.name);
        }
    }
    QStringList entries;
    QDirIterator it(folder,
                    QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        entries.append(it.next()); // a folder comes before what it holds
    }
    for (auto path = entries.crbegin(); path != entries.crend(); ++path) {
        if (::lchown(QFile::encodeName(*path).constData(), user.uid, user.gid) != 0) {
            return Tr::tr("the owner of %1 could not be changed to %2 (%3)")
                .arg(*path, user.name, QString::fromLocal8Bit(strerror(errno)));
        }
    }
    if (::lchown(QFile::encodeName(folder).constData(), user.uid, user.gid) != 0) {
        return Tr::tr("its owner could not be changed to %1 (%2)")
            .arg(user.name, QString::fromLocal8Bit(strerror(errno)));
    }
    return {};
}

QString weakerIsolation()
{
    return Tr::tr(
        "weaker isolation: no network or file system isolation, and a process that starts its own "
        "session escapes the kill at the timeout");
}

struct SandboxChoice
{
    QString bwrap; // empty: no sandbox
    QString description;
};

// "auto" and "bwrap" both need a working bubblewrap: nothing runs unsandboxed unless the
// configuration says sandbox = "none" in so many words.
Result<SandboxChoice> chooseSandbox(TestsSection::Sandbox mode, const QString &table)
{
    if (mode == TestsSection::Sandbox::None) {
        return SandboxChoice{QString(), Tr::tr("none (sandbox = \"none\": %1)").arg(weakerIsolation())};
    }
    const QString setting = QStringLiteral("sandbox = \"%1\"").arg(sandboxName(mode));
    const QString bwrap = findProgram(QStringLiteral("bwrap"));
    if (bwrap.isEmpty()) {
        return makeError(Tr::tr("The command must run in the sandbox (%1 in [%2]), but bubblewrap (bwrap) is not "
                                "on PATH, so nothing was run. Install bubblewrap (Debian and Ubuntu: sudo apt install "
                                "bubblewrap; Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap), "
                                "or set sandbox = \"none\" in [%2] to run without isolation (every such run is "
                                "then marked unsandboxed).")
                             .arg(setting, table),
                         ErrorKind::Refused);
    }
    const ProbeResult works = probeBubblewrap(bwrap);
    if (!works.ok) {
        return makeError(Tr::tr("The command must run in the sandbox (%1 in [%4]), but %2 does not work here (%3), "
                                "so nothing was run. Allow it to create user namespaces (sysctl "
                                "kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0), or set sandbox = "
                                "\"none\" in [%4] to run without isolation (every such run is then marked "
                                "unsandboxed).")
                             .arg(setting, bwrap, works.problem, table),
                         ErrorKind::Refused);
    }
    return SandboxChoice{bwrap, QStringLiteral("bwrap")};
}

// -- Command line ------------------------------------------------------------------------

// The script of the outer /bin/sh: sets the limits, then execs its arguments. A limit the
// shell cannot set (a lower hard limit is already in force, or the shell lacks the
// option) is left as it is.
QString limitsScript(const SandboxLimits &limits)
{
    QStringList lines;
    lines << QStringLiteral("ulimit -c 0 2>/dev/null");
    if (limits.memoryBytes > 0) {
        lines << QStringLiteral("ulimit -v %1 2>/dev/null").arg(qMax<qint64>(1, limits.memoryBytes / 1024));
    }
    if (limits.dataBytes > 0) {
        lines << QStringLiteral("ulimit -d %1 2>/dev/null").arg(qMax<qint64>(1, limits.dataBytes / 1024));
    }
    if (limits.maxProcesses > 0) {
        // bash calls it -u, dash -p
        lines << QStringLiteral("{ ulimit -u %1 || ulimit -p %1; } 2>/dev/null").arg(limits.maxProcesses);
    }
    if (limits.maxFileBytes > 0) {
        // /bin/sh counts -f in 512-byte blocks (bash in POSIX mode too)
        lines << QStringLiteral("ulimit -f %1 2>/dev/null").arg(qMax<qint64>(1, limits.maxFileBytes / 512));
    }
    if (limits.maxOpenFiles > 0) {
        lines << QStringLiteral("ulimit -n %1 2>/dev/null").arg(limits.maxOpenFiles);
    }
    lines << QStringLiteral("exec \"$@\"");
    return lines.join(u'\n');
}

SandboxRun notStarted(const QString &problem, const QString &sandbox = QString())
{
    SandboxRun run;
    run.problem = problem;
    run.sandbox = sandbox;
    return run;
}

} // namespace

// `name` in the PATH of the current environment (read at each call, so a caller or test
// that changes PATH is followed). Relative entries (".", "bin") are left out: they would
// resolve against the current folder, which may be a repository's work tree.
QString findProgram(const QString &name)
{
    QStringList dirs;
    for (const QString &dir : qEnvironmentVariable("PATH").split(u':', Qt::SkipEmptyParts)) {
        if (QDir::isAbsolutePath(dir)) {
            dirs.append(dir);
        }
    }
    return dirs.isEmpty() ? QString() : QStandardPaths::findExecutable(name, dirs);
}

bool bubblewrapAvailable()
{
    const QString bwrap = findProgram(QStringLiteral("bwrap"));
    return !bwrap.isEmpty() && probeBubblewrap(bwrap).ok;
}

Result<QString> sandboxFolder(const QString &path)
{
    const QFileInfo info(path);
    if (path.isEmpty() || !info.isDir()) {
        return makeError(Tr::tr("The folder %1 does not exist; nothing was run.").arg(path), ErrorKind::NotFound);
    }
    const QString folder = info.canonicalFilePath();
    if (folder == QLatin1String("/")) {
        return makeError(Tr::tr("A sandboxed command may not run in the root folder; nothing was run."),
                         ErrorKind::Refused);
    }
    return folder;
}

SandboxRun runSandboxed(const SandboxRequest &request, const OutputHandler &onOutput, const OutputHandler &onError)
{
    const Result<QString> checkedFolder = sandboxFolder(request.folder);
    if (!checkedFolder) {
        return notStarted(checkedFolder.message());
    }
    const QString folder = *checkedFolder;
    if (request.command.isEmpty() || request.command.first().isEmpty()) {
        return notStarted(Tr::tr("No command was given; nothing was run."));
    }
    for (const QString &path : request.readOnly) {
        if (!QDir::isAbsolutePath(path) || !QFileInfo::exists(path)) {
            return notStarted(
                Tr::tr("The read-only path %1 for the sandbox is not an existing absolute path; nothing was run. "
                       "Fix read_only in [%2].")
                    .arg(path, request.settingTable));
        }
    }
    const Result<SandboxChoice> sandbox = chooseSandbox(request.sandbox, request.settingTable);
    if (!sandbox) {
        return notStarted(sandbox.message());
    }
    const bool underBwrap = !sandbox->bwrap.isEmpty();

    QProcessEnvironment environment = baseEnvironment();
    QStringList inner; // what the limits shell execs
    QString description = sandbox->description;
    bool killGroup = false;
    std::optional<QTemporaryDir> privateHome;
    QStringList path = request.pathPrefix;
    if (underBwrap) {
        const HostUser user = runHostUser();
        if (const QString problem = handOver(folder, request.scratchRoot, user); !problem.isEmpty()) {
            return notStarted(
                Tr::tr("The folder %1 cannot be given to the sandbox: %2. Nothing was run.").arg(folder, problem),
                sandbox->description);
        }
        bool setprivMissing = false;
        inner << hostUserPrefix(user, &setprivMissing); // the probe has made sure it is there
        inner << sandbox->bwrap
              << bubblewrapArguments(sandbox->bwrap,
                                     folder,
                                     request.limits.scratchBytes,
                                     request.network,
                                     request.readOnly);
        if (user.drop) {
            description += u' ' + Tr::tr("(as %1: started by root)").arg(user.name);
        }
        if (request.network) {
            description += u' ' + Tr::tr("(with the host's network)");
        }
        if (!bubblewrapFeatures(sandbox->bwrap).tmpfsSize) {
            description += u' ' + Tr::tr("(this bubblewrap cannot bound the private /tmp: 0.7 or later can)");
        }
        path << sandboxPath;
    } else {
        // No sandbox: the user's PATH (everything is visible anyway), and a fresh folder as
        // HOME and TMPDIR so the user's dotfiles are not read by default.
        const QString hostPath = qEnvironmentVariable("PATH");
        path << (hostPath.isEmpty() ? sandboxPath : hostPath);
        privateHome.emplace(QDir::tempPath() + QStringLiteral("/astra-home-XXXXXX"));
        const QString home = privateHome->isValid() ? privateHome->path() : QDir::tempPath();
        environment.insert(QStringLiteral("HOME"), home);
        environment.insert(QStringLiteral("TMPDIR"), home);
        // setsid makes the command the leader of a new session and process group (it
        // forks only if it already leads a group, which a QProcess child does not; --wait
        // keeps the exit status right even then).
        const QString setsid = findProgram(QStringLiteral("setsid"));
        const QStringList wait = {QStringLiteral("--wait")};
        if (!setsid.isEmpty()
            && probe(setsid, QStringList(wait) << shellProgram << QStringLiteral("-c") << QStringLiteral("exit 0"))
                   .ok) {
            inner << setsid << wait;
            killGroup = true;
        } else {
            description += u' '
                + Tr::tr("(setsid is not installed: the timeout stops only the shell, not what it started; install "
                         "util-linux)");
        }
        const QString setpriv = findProgram(QStringLiteral("setpriv"));
        const QStringList pdeathsig = {QStringLiteral("--pdeathsig"), QStringLiteral("KILL"), QStringLiteral("--")};
        if (!setpriv.isEmpty()
            && probe(setpriv,
                     QStringList(pdeathsig) << shellProgram << QStringLiteral("-c") << QStringLiteral("exit 0"))
                   .ok) {
            inner << setpriv << pdeathsig;
        }
    }
    environment.insert(QStringLiteral("PATH"), path.join(u':'));
    for (auto it = request.environment.constBegin(); it != request.environment.constEnd(); ++it) {
        environment.insert(it.key(), it.value());
    }
    inner << request.command;

    QProcess process;
    process.setProcessChannelMode(request.mergeOutput ? QProcess::MergedChannels : QProcess::SeparateChannels);
    if (request.input.isEmpty()) {
        process.setStandardInputFile(QProcess::nullDevice());
    }
    process.setWorkingDirectory(folder);
    process.setProcessEnvironment(environment);
    process.setProgram(shellProgram);
    process.setArguments(QStringList{QStringLiteral("-c"), limitsScript(request.limits), limitsShellName} << inner);

    qCDebug(lcGit) << "running in" << folder << "sandbox:" << description << "command:" << request.command;

    SandboxRun run;
    run.sandbox = description;
    run.sandboxed = underBwrap;
    run.scratchBounded = underBwrap && bubblewrapFeatures(sandbox->bwrap).tmpfsSize;

    QElapsedTimer clock;
    clock.start();
    process.start();
    if (!process.waitForStarted(-1)) {
        run.durationMs = clock.elapsed();
        run.problem = Tr::tr("The command could not be started: %1.").arg(process.errorString());
        return run;
    }
    const qint64 pid = process.processId();
    if (!request.input.isEmpty()) {
        process.write(request.input);
        process.closeWriteChannel();
    }

    // Ends everything the command started: under bubblewrap killing bwrap ends its PID
    // namespace; without it the process group setsid made goes.
    const auto killAll = [&] {
        if (killGroup && pid > 0) {
            ::kill(-pid_t(pid), SIGKILL);
        }
        if (process.state() != QProcess::NotRunning) {
            process.kill();
        }
    };

    bool timedOut = false;
    bool cancelled = false;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    deadline.setTimerType(Qt::PreciseTimer);
    QTimer grace;
    grace.setSingleShot(true);
    QTimer cancelPoll;
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop, [&] {
        onOutput(process.readAllStandardOutput());
    });
    QObject::connect(&process, &QProcess::readyReadStandardError, &loop, [&] {
        const QByteArray data = process.readAllStandardError();
        if (onError) {
            onError(data);
        }
    });
    QObject::connect(&process, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), &loop, [&] { loop.quit(); });
    const auto stop = [&] {
        deadline.stop();
        cancelPoll.stop();
        killAll();
        grace.start(killGraceMs);
    };
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        stop();
    });
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (request.cancel->load()) {
            cancelled = true;
            stop();
        }
    });
    QObject::connect(&grace, &QTimer::timeout, &loop, [&] {
        qCWarning(lcGit) << "the sandboxed command did not end after SIGKILL, pid" << pid;
        loop.quit();
    });

    const qint64 timeoutMs = qBound(qint64(1), qint64(request.timeout.count()), qint64(INT_MAX));
    deadline.start(int(timeoutMs));
    if (request.cancel) {
        cancelPoll.start(cancelPollMs);
    }
    if (process.state() != QProcess::NotRunning) {
        loop.exec();
    }
    deadline.stop();
    grace.stop();
    cancelPoll.stop();
    onOutput(process.readAllStandardOutput());
    if (!request.mergeOutput) {
        if (const QByteArray rest = process.readAllStandardError(); onError && !rest.isEmpty()) {
            onError(rest);
        }
    }
    run.durationMs = clock.elapsed();
    if (killGroup && pid > 0) {
        ::kill(-pid_t(pid), SIGKILL); // what the command left running in its group
    }
    if (timedOut) {
        run.ending = SandboxRun::Ending::TimedOut;
    } else if (cancelled) {
        run.ending = SandboxRun::Ending::Cancelled;
    } else if (process.state() == QProcess::NotRunning && process.exitStatus() == QProcess::NormalExit) {
        run.ending = SandboxRun::Ending::Exited;
        run.exitCode = process.exitCode();
    } else {
        run.ending = SandboxRun::Ending::Signalled;
    }
    return run;
}

} // namespace astra
