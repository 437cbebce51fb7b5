#include "sandbox/testrunner.h"

#include "base/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QProcess>
#include <QProcessEnvironment>
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
    Q_DECLARE_TR_FUNCTIONS(astra::TestRunner)
};

const QString shellProgram = QStringLiteral("/bin/sh");
// PATH inside the sandbox: only the system is visible there.
const QString sandboxPath = QStringLiteral("/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
// argv[0] of the shell that sets the resource limits (shows in ps).
const QString limitsShellName = QStringLiteral("astra-tests");

// Console summaries (CTest, pytest) are read from the last bytes of the output, which are
// kept in memory apart from the capped file.
constexpr qint64 consoleTailBytes = 1024 * 1024;
constexpr qint64 maxReportBytes = 64 * 1024 * 1024;
constexpr int probeTimeoutMs = 10000;
// After a timeout kill, how long to wait for the process to be reaped before giving up.
constexpr int killGraceMs = 10000;

// -- Programs and probes -----------------------------------------------------------------

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
// this bubblewrap can bound it.
QStringList bubblewrapArguments(const QString &bwrap, const QString &folder, qint64 scratchBytes)
{
    const BubblewrapFeatures features = bubblewrapFeatures(bwrap);
    // A user namespace of the unprivileged user, no capabilities, no nested user namespaces.
    QStringList args = {QStringLiteral("--unshare-user")};
    if (features.disableUserns) {
        args << QStringLiteral("--disable-userns");
    }
    args << QStringLiteral("--cap-drop") << QStringLiteral("ALL");
    args << QStringList{
        QStringLiteral("--unshare-net"),
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
    args << QStringLiteral("--ro-bind") << QStringLiteral("/etc") << QStringLiteral("/etc") //
         << QStringLiteral("--dev") << QStringLiteral("/dev") //
         << QStringLiteral("--proc") << QStringLiteral("/proc");
    if (features.tmpfsSize) {
        args << QStringLiteral("--size") << QString::number(qMax<qint64>(1024 * 1024, scratchBytes));
    }
    args << QStringLiteral("--tmpfs") << QStringLiteral("/tmp");
    if (!folder.isEmpty()) {
        args << QStringLiteral("--bind") << folder << folder << QStringLiteral("--chdir") << folder;
    } else {
        args << QStringLiteral("--chdir") << QStringLiteral("/");
    }
    args << QStringLiteral("--clearenv") //
         << QStringLiteral("--setenv") << QStringLiteral("PATH") << sandboxPath //
         << QStringLiteral("--setenv") << QStringLiteral("HOME") << QStringLiteral("/tmp") //
         << QStringLiteral("--setenv") << QStringLiteral("LANG") << QStringLiteral("C.UTF-8") //
         << QStringLiteral("--setenv") << QStringLiteral("TMPDIR") << QStringLiteral("/tmp") //
         << QStringLiteral("--");
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
// command can write there and nowhere else; symlinks are changed, never followed. The
// folders above it must let that user through. Empty when done, else what is wrong.
QString handOver(const QString &folder, const HostUser &user)
{
    if (!user.drop) {
        return {};
    }
    for (QString above = QFileInfo(folder).absolutePath(); above != QLatin1String("/");
         above = QFileInfo(above).absolutePath()) {
        struct stat info
        {};
        if (::stat(QFile::encodeName(above).constData(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) {
            return Tr::tr(
                       "the folder %1 above it cannot be entered by %2, the unprivileged user the sandbox runs "
                       "as when started by root; use a folder under /tmp (TMPDIR) or let others enter %1 "
                       "(chmod o+x)")
                .arg(above, user.name);
        }
    }
    const auto give = [&](const QString &path) {
        return ::lchown(QFile::encodeName(path).constData(), user.uid, user.gid) == 0;
    };
    if (!give(folder)) {
        return Tr::tr("its owner could not be changed to %1 (%2)")
            .arg(user.name, QString::fromLocal8Bit(strerror(errno)));
    }
    QDirIterator it(folder,
                    QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!give(path)) {
            return Tr::tr("the owner of %1 could not be changed to %2 (%3)")
                .arg(path, user.name, QString::fromLocal8Bit(strerror(errno)));
        }
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
Result<SandboxChoice> chooseSandbox(TestsSection::Sandbox mode)
{
    if (mode == TestsSection::Sandbox::None) {
        return SandboxChoice{QString(), Tr::tr("none (sandbox = \"none\": %1)").arg(weakerIsolation())};
    }
    const QString setting = QStringLiteral("sandbox = \"%1\"").arg(sandboxName(mode));
    const QString bwrap = findProgram(QStringLiteral("bwrap"));
    if (bwrap.isEmpty()) {
        return makeError(Tr::tr("The command must run in the sandbox (%1 in [tests]), but bubblewrap (bwrap) is not "
                                "on PATH, so nothing was run. Install bubblewrap (Debian and Ubuntu: sudo apt install "
                                "bubblewrap; Fedora: sudo dnf install bubblewrap; Arch: sudo pacman -S bubblewrap), "
                                "or set sandbox = \"none\" in [tests] to run without isolation (every such run is "
                                "then marked unsandboxed).")
                             .arg(setting),
                         ErrorKind::Refused);
    }
    const ProbeResult works = probeBubblewrap(bwrap);
    if (!works.ok) {
        return makeError(Tr::tr("The command must run in the sandbox (%1 in [tests]), but %2 does not work here (%3), "
                                "so nothing was run. Allow it to create user namespaces (sysctl "
                                "kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0), or set sandbox = "
                                "\"none\" in [tests] to run without isolation (every such run is then marked "
                                "unsandboxed).")
                             .arg(setting, bwrap, works.problem),
                         ErrorKind::Refused);
    }
    return SandboxChoice{bwrap, QStringLiteral("bwrap")};
}

// -- Report setting ----------------------------------------------------------------------

struct ReportSpec
{
    enum class Kind
    {
        None,
        JUnit,
        CTest,
        Pytest,
    };
    Kind kind = Kind::None;
    QString path; // JUnit: relative to the folder
};

Result<ReportSpec> parseReportSpec(const QString &report)
{
    if (report.isEmpty()) {
        return ReportSpec{};
    }
    if (report == QLatin1String("ctest")) {
        return ReportSpec{ReportSpec::Kind::CTest, QString()};
    }
    if (report == QLatin1String("pytest")) {
        return ReportSpec{ReportSpec::Kind::Pytest, QString()};
    }
    const QLatin1String junitPrefix("junit:");
    if (!report.startsWith(junitPrefix)) {
        return makeError(Tr::tr("The test report setting \"%1\" is not one of junit:PATH, ctest or pytest; nothing "
                                "was run. Fix report in [tests].")
                             .arg(report),
                         ErrorKind::Invalid);
    }
    const QString path = report.mid(junitPrefix.size());
    const QStringList components = path.split(u'/');
    if (path.isEmpty() || path.startsWith(u'/') || components.contains(QStringLiteral(".."))
        || path.contains(QChar(0))) {
        return makeError(Tr::tr("The JUnit report path \"%1\" is refused: it must be relative to the test folder and "
                                "stay inside it (not empty, not absolute, no \"..\"); nothing was run. Fix report "
                                "in [tests].")
                             .arg(path),
                         ErrorKind::Refused);
    }
    return ReportSpec{ReportSpec::Kind::JUnit, path};
}

bool isInside(const QString &canonicalPath, const QString &canonicalFolder)
{
    return canonicalPath == canonicalFolder || canonicalPath.startsWith(canonicalFolder + u'/');
}

// A report left in the tree (committed, or from an earlier run) must not stand in for the
// one this run writes.
void removeStaleReport(const QString &folder, const QString &relative)
{
    const QFileInfo info(folder + u'/' + relative);
    if (!info.isSymLink() && !info.isFile()) {
        return;
    }
    const QString parent = QFileInfo(info.absolutePath()).canonicalFilePath();
    if (parent.isEmpty() || !isInside(parent, folder)) {
        return; // a symlinked folder on the way out of the tree: never delete through it
    }
    if (!QFile::remove(info.absoluteFilePath())) {
        qCWarning(lcGit) << "could not remove the stale report" << info.absoluteFilePath();
    }
}

TestReport unreadReport(const QString &problem)
{
    TestReport report;
    report.format = QStringLiteral("junit");
    report.problem = problem;
    return report;
}

TestReport readJUnitReport(const QString &folder, const QString &relative)
{
    const QFileInfo info(folder + u'/' + relative);
    if (!info.exists() && !info.isSymLink()) {
        return unreadReport(Tr::tr("The command wrote no JUnit report at %1.").arg(relative));
    }
    const QString canonical = info.canonicalFilePath();
    if (canonical.isEmpty() || !isInside(canonical, folder)) {
        return unreadReport(Tr::tr("The JUnit report %1 leads outside the test folder (a symlink to %2); it was not "
                                   "read.")
                                .arg(relative, info.symLinkTarget()));
    }
    const QFileInfo target(canonical);
    if (!target.isFile()) {
        return unreadReport(Tr::tr("The JUnit report %1 is not a regular file; it was not read.").arg(relative));
    }
    if (target.size() > maxReportBytes) {
        return unreadReport(Tr::tr("The JUnit report %1 is larger than %2 MB; it was not read.")
                                .arg(relative)
                                .arg(maxReportBytes / (1024 * 1024)));
    }
    QFile file(canonical);
    if (!file.open(QIODevice::ReadOnly)) {
        return unreadReport(Tr::tr("The JUnit report %1 could not be read: %2.").arg(relative, file.errorString()));
    }
    return parseJUnitXml(file.read(maxReportBytes));
}

// -- Output ------------------------------------------------------------------------------

// Writes the first `cap` bytes to the file, drops the rest, and keeps the last `tailCap`
// bytes in memory for console summaries.
class OutputSink
{
public:
    OutputSink(QFile *file, qint64 cap, qint64 tailCap)
        : m_file(file)
        , m_cap(qMax<qint64>(0, cap))
        , m_tailCap(tailCap)
    {}

    void write(const QByteArray &data)
    {
        if (data.isEmpty()) {
            return;
        }
        m_total += data.size();
        if (m_file && m_writeError.isEmpty() && m_written < m_cap) {
            const qint64 n = qMin<qint64>(data.size(), m_cap - m_written);
            if (m_file->write(data.constData(), n) != n) {
                m_writeError = m_file->errorString();
            }
            m_written += n;
        }
        if (m_tailCap > 0) {
            m_tail.append(data);
            if (m_tail.size() > 2 * m_tailCap) {
                m_tail.remove(0, m_tail.size() - m_tailCap);
            }
        }
    }

    // Notes the dropped bytes at the end of the file and closes it.
    void finish()
    {
        if (m_file && m_writeError.isEmpty() && truncated()) {
            const QString notice = u'\n'
                + Tr::tr("[The output was cut at %1 bytes: %2 more bytes were dropped.]")
                      .arg(m_cap)
                      .arg(m_total - m_cap)
                + u'\n';
            m_file->write(notice.toUtf8());
        }
        if (m_file && !m_file->flush() && m_writeError.isEmpty()) {
            m_writeError = m_file->errorString();
        }
        if (m_file) {
            m_file->close();
        }
    }

    bool truncated() const
    {
        return m_total > m_cap;
    }
    qint64 total() const
    {
        return m_total;
    }
    QByteArray tail() const
    {
        return m_tail.size() > m_tailCap ? m_tail.right(m_tailCap) : m_tail;
    }
    QString writeError() const
    {
        return m_writeError;
    }

private:
    QFile *m_file;
    qint64 m_cap;
    qint64 m_tailCap;
    qint64 m_written = 0;
    qint64 m_total = 0;
    QByteArray m_tail;
    QString m_writeError;
};

// -- Command line ------------------------------------------------------------------------

// The script of the outer /bin/sh: sets the limits, then execs its arguments. A limit the
// shell cannot set (a lower hard limit is already in force, or the shell lacks the
// option) is left as it is.
QString limitsScript(const TestRunRequest &request)
{
    QStringList lines;
    lines << QStringLiteral("ulimit -c 0 2>/dev/null");
    if (request.memoryLimitBytes > 0) {
        lines << QStringLiteral("ulimit -v %1 2>/dev/null").arg(qMax<qint64>(1, request.memoryLimitBytes / 1024));
    }
    if (request.maxProcesses > 0) {
        // bash calls it -u, dash -p
        lines << QStringLiteral("{ ulimit -u %1 || ulimit -p %1; } 2>/dev/null").arg(request.maxProcesses);
    }
    if (request.maxFileBytes > 0) {
        // /bin/sh counts -f in 512-byte blocks (bash in POSIX mode too)
        lines << QStringLiteral("ulimit -f %1 2>/dev/null").arg(qMax<qint64>(1, request.maxFileBytes / 512));
    }
    if (request.maxOpenFiles > 0) {
        lines << QStringLiteral("ulimit -n %1 2>/dev/null").arg(request.maxOpenFiles);
    }
    lines << QStringLiteral("exec \"$@\"");
    return lines.join(u'\n');
}

QString secondsText(qint64 seconds)
{
    return Tr::tr("%n second(s)", nullptr, int(qMin<qint64>(seconds, INT_MAX)));
}

QString countsText(const TestReport &report)
{
    QStringList parts;
    if (report.failed > 0) {
        parts << Tr::tr("%n failed", nullptr, report.failed);
    }
    if (report.errors > 0) {
        parts << Tr::tr("%n error(s)", nullptr, report.errors);
    }
    parts << Tr::tr("%n passed", nullptr, report.passed);
    if (report.skipped > 0) {
        parts << Tr::tr("%n skipped", nullptr, report.skipped);
    }
    return parts.join(QStringLiteral(", "));
}

TestRunResult errorResult(const QString &message)
{
    TestRunResult result;
    result.outcome = TestRunResult::Outcome::Error;
    result.message = message;
    return result;
}

} // namespace

QString toString(TestRunResult::Outcome outcome)
{
    switch (outcome) {
    case TestRunResult::Outcome::Passed:
        return QStringLiteral("passed");
    case TestRunResult::Outcome::Failed:
        return QStringLiteral("failed");
    case TestRunResult::Outcome::Timeout:
        return QStringLiteral("timeout");
    case TestRunResult::Outcome::Error:
        return QStringLiteral("error");
    }
    return QString();
}

TestRunRequest testRunRequest(const TestsSection &tests, const QString &folder, const QString &outputFile)
{
    TestRunRequest request;
    request.folder = folder;
    request.command = tests.command;
    request.timeout = std::chrono::seconds(tests.timeoutS);
    request.sandbox = tests.sandbox;
    request.report = tests.report;
    request.outputFile = outputFile;
    request.scratchBytes = qint64(tests.scratchMb) * 1024 * 1024;
    return request;
}

bool bubblewrapAvailable()
{
    const QString bwrap = findProgram(QStringLiteral("bwrap"));
    return !bwrap.isEmpty() && probeBubblewrap(bwrap).ok;
}

TestRunResult runTests(const TestRunRequest &request)
{
    // What is run, where, and how.
    const QFileInfo folderInfo(request.folder);
    if (request.folder.isEmpty() || !folderInfo.isDir()) {
        return errorResult(Tr::tr("The test folder %1 does not exist; nothing was run.").arg(request.folder));
    }
    const QString folder = folderInfo.canonicalFilePath();
    if (folder == QLatin1String("/")) {
        return errorResult(Tr::tr("The test folder may not be the root folder; nothing was run."));
    }
    if (request.command.trimmed().isEmpty()) {
        return errorResult(Tr::tr("No test command is set; nothing was run. Set command in [tests]."));
    }
    if (request.timeout.count() <= 0) {
        return errorResult(
            Tr::tr("The test timeout must be at least one second; nothing was run. Fix timeout_s in "
                   "[tests]."));
    }
    const Result<ReportSpec> spec = parseReportSpec(request.report);
    if (!spec) {
        return errorResult(spec.message());
    }
    const Result<SandboxChoice> sandbox = chooseSandbox(request.sandbox);
    if (!sandbox) {
        return errorResult(sandbox.message());
    }
    const bool underBwrap = !sandbox->bwrap.isEmpty();

    QFile outputFile(request.outputFile);
    if (!request.outputFile.isEmpty() && !outputFile.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        TestRunResult result = errorResult(Tr::tr("The test output file %1 could not be created (%2); nothing was run.")
                                               .arg(request.outputFile, outputFile.errorString()));
        result.sandbox = sandbox->description;
        return result;
    }

    if (spec->kind == ReportSpec::Kind::JUnit) {
        removeStaleReport(folder, spec->path);
    }

    QProcessEnvironment environment;
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    QStringList inner; // what the limits shell execs
    QString description = sandbox->description;
    bool killGroup = false;
    std::optional<QTemporaryDir> privateHome;
    if (underBwrap) {
        const HostUser user = sandboxHostUser();
        if (const QString problem = handOver(folder, user); !problem.isEmpty()) {
            TestRunResult result = errorResult(
                Tr::tr("The test folder %1 cannot be given to the sandbox: %2. Nothing was run.").arg(folder, problem));
            result.sandbox = sandbox->description;
            return result;
        }
        bool setprivMissing = false;
        inner << hostUserPrefix(user, &setprivMissing); // the probe has made sure it is there
        environment.insert(QStringLiteral("PATH"), sandboxPath);
        environment.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
        environment.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
        inner << sandbox->bwrap << bubblewrapArguments(sandbox->bwrap, folder, request.scratchBytes);
        if (user.drop) {
            description += u' ' + Tr::tr("(as %1, uid %2: started by root)").arg(user.name).arg(user.uid);
        }
        if (!bubblewrapFeatures(sandbox->bwrap).tmpfsSize) {
            description += u' ' + Tr::tr("(this bubblewrap cannot bound the private /tmp: 0.7 or later can)");
        }
    } else {
        // No sandbox: the user's PATH (everything is visible anyway), and a fresh folder as
        // HOME and TMPDIR so the user's dotfiles are not read by default.
        const QString path = qEnvironmentVariable("PATH");
        environment.insert(QStringLiteral("PATH"), path.isEmpty() ? sandboxPath : path);
        privateHome.emplace(QDir::tempPath() + QStringLiteral("/astra-tests-home-XXXXXX"));
        if (privateHome->isValid()) {
            environment.insert(QStringLiteral("HOME"), privateHome->path());
            environment.insert(QStringLiteral("TMPDIR"), privateHome->path());
        } else {
            environment.insert(QStringLiteral("HOME"), QDir::tempPath());
            environment.insert(QStringLiteral("TMPDIR"), QDir::tempPath());
        }
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
    inner << shellProgram << QStringLiteral("-c") << request.command;

    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setWorkingDirectory(folder);
    process.setProcessEnvironment(environment);
    process.setProgram(shellProgram);
    process.setArguments(QStringList{QStringLiteral("-c"), limitsScript(request), limitsShellName} << inner);

    // The tail is kept for console summaries and to tell a full scratch space.
    OutputSink sink(outputFile.isOpen() ? &outputFile : nullptr, request.outputCapBytes, consoleTailBytes);

    qCDebug(lcGit) << "running tests in" << folder << "sandbox:" << description << "command:" << request.command;

    TestRunResult result;
    result.sandbox = description;

    QElapsedTimer clock;
    clock.start();
    process.start();
    if (!process.waitForStarted(-1)) {
        sink.finish();
        result.outcome = TestRunResult::Outcome::Error;
        result.durationMs = clock.elapsed();
        result.message = Tr::tr("The test command could not be started: %1.").arg(process.errorString());
        return result;
    }
    const qint64 pid = process.processId();

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
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    deadline.setTimerType(Qt::PreciseTimer);
    QTimer grace;
    grace.setSingleShot(true);
    QObject::connect(&process, &QProcess::readyReadStandardOutput, &loop, [&] {
        sink.write(process.readAllStandardOutput());
    });
    QObject::connect(&process, qOverload<int, QProcess::ExitStatus>(&QProcess::finished), &loop, [&] { loop.quit(); });
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        killAll();
        grace.start(killGraceMs);
    });
    QObject::connect(&grace, &QTimer::timeout, &loop, [&] {
        qCWarning(lcGit) << "the test command did not end after SIGKILL, pid" << pid;
        loop.quit();
    });

    const qint64 timeoutMs = qMin<qint64>(std::chrono::milliseconds(request.timeout).count(), INT_MAX);
    deadline.start(int(timeoutMs));
    if (process.state() != QProcess::NotRunning) {
        loop.exec();
    }
    deadline.stop();
    grace.stop();
    sink.write(process.readAllStandardOutput());
    result.durationMs = clock.elapsed();
    const bool exitedNormally =
        !timedOut && process.state() == QProcess::NotRunning && process.exitStatus() == QProcess::NormalExit;
    if (exitedNormally) {
        result.exitCode = process.exitCode();
    }
    if (killGroup && pid > 0) {
        ::kill(-pid_t(pid), SIGKILL); // what the command left running in its group
    }
    sink.finish();
    result.outputBytes = sink.total();
    result.outputTruncated = sink.truncated();

    switch (spec->kind) {
    case ReportSpec::Kind::None:
        break;
    case ReportSpec::Kind::JUnit:
        result.report = readJUnitReport(folder, spec->path);
        break;
    case ReportSpec::Kind::CTest:
        result.report = parseCTestOutput(sink.tail());
        break;
    case ReportSpec::Kind::Pytest:
        result.report = parsePytestOutput(sink.tail());
        break;
    }

    QStringList message;
    if (timedOut) {
        result.outcome = TestRunResult::Outcome::Timeout;
        message << Tr::tr(
                       "The tests did not finish within the timeout of %1 and were stopped, with every process "
                       "they started.")
                       .arg(secondsText(request.timeout.count()));
    } else if (!exitedNormally) {
        result.outcome = TestRunResult::Outcome::Failed;
        message << Tr::tr("The test command was killed by a signal before it exited.");
    } else {
        const bool reportClean = !result.report.parsed || result.report.failed + result.report.errors == 0;
        result.outcome =
            result.exitCode == 0 && reportClean ? TestRunResult::Outcome::Passed : TestRunResult::Outcome::Failed;
        const QString counts = result.report.parsed ? QStringLiteral("; ") + countsText(result.report) : QString();
        message << (result.outcome == TestRunResult::Outcome::Passed
                        ? Tr::tr("The tests passed (exit code 0%1).").arg(counts)
                        : Tr::tr("The tests failed (exit code %1%2).").arg(result.exitCode).arg(counts));
        if (result.exitCode == 126 || result.exitCode == 127) {
            message << (underBwrap ? Tr::tr("Exit code %1 means a command was not found or could not be run; in the "
                                            "sandbox only /usr, /etc and the test folder are visible.")
                                         .arg(result.exitCode)
                                   : Tr::tr("Exit code %1 means a command was not found or could not be run.")
                                         .arg(result.exitCode));
        }
    }
    if (!result.report.problem.isEmpty()) {
        message << Tr::tr("The report was not used: %1").arg(result.report.problem);
    }
    if (underBwrap && bubblewrapFeatures(sandbox->bwrap).tmpfsSize && result.outcome != TestRunResult::Outcome::Passed
        && sink.tail().contains("No space left on device")) {
        message << Tr::tr(
                       "A write failed for lack of space (\"No space left on device\"). The sandbox's private "
                       "/tmp and HOME hold %1 MiB: raise scratch_mb in [tests] if the tests need more.")
                       .arg(qMax<qint64>(1, request.scratchBytes / (1024 * 1024)));
    }
    if (result.outputTruncated) {
        message << Tr::tr("The output was cut at %1 bytes of %2.").arg(request.outputCapBytes).arg(result.outputBytes);
    }
    if (!sink.writeError().isEmpty()) {
        message << Tr::tr("The output could not be written to %1: %2.").arg(request.outputFile, sink.writeError());
    }
    result.message = message.join(u' ');
    qCDebug(lcGit) << "tests" << toString(result.outcome) << "in" << result.durationMs << "ms:" << result.message;
    return result;
}

} // namespace astra
