#include "proposers/agentproposer.h"

#include "base/logging.h"
#include "git/privatecheckout.h"
#include "proposers/agents.h"
#include "sandbox/sandbox.h"
#include "sandbox/scratch.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::AgentProposer)
};

constexpr qint64 maxStdout = 16 * 1024 * 1024;
constexpr qint64 maxStderr = 64 * 1024;
constexpr qint64 transcriptAnswerBytes = 256 * 1024;
constexpr qint64 rationaleBytes = 4000;
constexpr qint64 agentDataBytes = 8LL * 1024 * 1024 * 1024;
// Where the briefing lives in the checkout: inside its .git, so never part of the change.
const QString briefingFolder = QStringLiteral(".git/astra");

void appendCapped(QByteArray &to, const QByteArray &data, qint64 cap, bool *truncated)
{
    const qint64 room = cap - to.size();
    if (room <= 0) {
        *truncated = *truncated || !data.isEmpty();
        return;
    }
    to.append(data.left(room));
    *truncated = *truncated || data.size() > room;
}

Status writeFile(const QString &path, const QByteArray &content)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size() || !file.commit()) {
        return makeError(Tr::tr("Cannot write %1 for the agent: %2").arg(path, file.errorString()));
    }
    return {};
}

// Folders the sandbox always shows: a program found there needs nothing more.
bool systemPath(const QString &path)
{
    static const QStringList roots = {QStringLiteral("/usr/"),
                                      QStringLiteral("/bin/"),
                                      QStringLiteral("/sbin/"),
                                      QStringLiteral("/lib/"),
                                      QStringLiteral("/lib64/"),
                                      QStringLiteral("/etc/")};
    for (const QString &root : roots) {
        if (path.startsWith(root)) {
            return true;
        }
    }
    return false;
}

// What an agent installed outside the system needs to see of itself: the Python virtual
// environment its program lives in (pipx), the npm package its script belongs to (npm -g with a
// prefix under the home folder), or else its program's folder.
QString installRoot(const QString &canonicalProgram)
{
    QDir dir = QFileInfo(canonicalProgram).absoluteDir();
    if (QFileInfo::exists(dir.filePath(QStringLiteral("../pyvenv.cfg")))) {
        return QFileInfo(dir.absolutePath() + QStringLiteral("/..")).canonicalFilePath();
    }
    QDir up = dir;
    for (int level = 0; level < 8; ++level) {
        if (QFileInfo::exists(up.filePath(QStringLiteral("package.json")))
            && up.absolutePath().contains(QLatin1String("/node_modules/"))) {
            return up.absolutePath();
        }
        if (!up.cdUp() || up.isRoot()) {
            break;
        }
    }
    return dir.absolutePath();
}

// Whether the host has an X11 display listening on an abstract socket, which a sandbox that
// shares the host's network can reach.
bool abstractX11Socket()
{
    QFile sockets(QStringLiteral("/proc/net/unix"));
    return sockets.open(QIODevice::ReadOnly) && sockets.readAll().contains(" @/tmp/.X11-unix/");
}

QString expandHome(const QString &path)
{
    if (path == u"~") {
        return QDir::homePath();
    }
    if (path.startsWith(QLatin1String("~/"))) {
        return QDir::homePath() + path.mid(1);
    }
    return path;
}

QString lastBytesAsText(const QByteArray &data, qint64 bytes)
{
    return QString::fromUtf8(data.right(bytes)).trimmed();
}
} // namespace

QByteArray agentPrompt(const ProposalContext &context)
{
    QByteArray prompt;
    prompt += "# Goal " + QByteArray::number(context.goal.id) + ": " + context.goal.title.toUtf8() + "\n\n";
    if (!context.goal.description.isEmpty()) {
        prompt += context.goal.description.toUtf8() + "\n\n";
    }
    if (!context.files.isEmpty()) {
        prompt += "## Files\n\n";
        for (const ProposalFile &file : context.files) {
            prompt += "- " + file.path.toUtf8() + (file.exists ? "" : " (does not exist yet)") + '\n';
        }
        prompt += '\n';
    }
    if (!context.goal.evidence.isEmpty()) {
        prompt += "## Evidence\n\n```json\n" + QJsonDocument(context.goal.evidence).toJson(QJsonDocument::Indented)
            + "```\n\n";
    }
    prompt += reviewPrompt(context.review).toUtf8();
    prompt += "## How to work\n\n"
              "This folder is a private copy of the repository at commit "
              + context.baseCommit.toUtf8()
              + ". Change the files here to reach the goal, and nothing beyond it. Do not commit: the files you "
                "leave here are the change, and a person reviews it before anything reaches the repository. "
                "The whole goal, as JSON, is in .git/astra/request.json.\n";
    return prompt;
}

AgentProposer::AgentProposer(const Config &config)
    : m_settings(config.proposer)
    , m_maxFileBytes(qint64(config.policy.maxFileKb) * 1024)
{}

QString AgentProposer::name() const
{
    return proposerKindName(m_settings.kind);
}

Result<Proposal>
AgentProposer::propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel)
{
    m_lastTranscript = QJsonObject();
    // The checkout: the base commit's tree and nothing else of the user's.
    const ScratchFolder scratch(QStringLiteral("agent"));
    if (!scratch.isValid()) {
        return makeError(Tr::tr("The agent cannot run: %1.").arg(scratch.errorString()));
    }
    auto checkout =
        createPrivateCheckout(repo,
                              context.baseCommit,
                              scratch.workPath(),
                              context.targetBranch.isEmpty() ? QStringLiteral("main") : context.targetBranch);
    if (!checkout) {
        return checkout.error();
    }

    // The briefing, as files in the checkout's .git and on stdin.
    const QDir folder(checkout->folder);
    if (!folder.mkpath(briefingFolder)) {
        return makeError(Tr::tr("Cannot create %1 for the agent.").arg(folder.filePath(briefingFolder)));
    }
    QJsonObject request = context.toJson();
    AgentBriefing briefing;
    briefing.promptFile = folder.filePath(briefingFolder + QStringLiteral("/prompt.md"));
    briefing.prompt = agentPrompt(context);
    request.insert(QStringLiteral("prompt"), QString::fromUtf8(briefing.prompt));
    request.insert(QStringLiteral("prompt_file"), briefing.promptFile);
    request.insert(QStringLiteral("work_dir"), checkout->folder);
    briefing.request = QJsonDocument(request).toJson(QJsonDocument::Compact);
    for (const ProposalFile &file : context.files) {
        briefing.files.append(file.path);
    }
    const QString requestFile = folder.filePath(briefingFolder + QStringLiteral("/request.json"));
    if (Status written = writeFile(briefing.promptFile, briefing.prompt); !written) {
        return written.error();
    }
    if (Status written = writeFile(requestFile, briefing.request); !written) {
        return written.error();
    }

    auto invocation = agentInvocation(m_settings, briefing);
    if (!invocation) {
        return invocation.error();
    }

    SandboxRequest sandboxed;
    sandboxed.folder = checkout->folder;
    sandboxed.scratchRoot = scratch.path();
    sandboxed.sandbox = m_settings.sandbox;
    sandboxed.settingTable = QStringLiteral("proposer");
    sandboxed.network = m_settings.network;
    for (const QString &path : m_settings.readOnly) {
        sandboxed.readOnly.append(expandHome(path));
    }
    sandboxed.command = invocation->command;
    if (invocation->agent != u"command") {
        // A named agent is found on the caller's PATH, and its folder shown to the sandbox.
        const QString program = invocation->command.first();
        const QString found = findProgram(program);
        if (found.isEmpty()) {
            return makeError(Tr::tr("The agent %1 is not installed: there is no `%2` on PATH. %3, or choose another "
                                    "agent in [proposer] agent.")
                                 .arg(invocation->title, program, agentInstallHint(invocation->agent)),
                             ErrorKind::NotFound);
        }
        sandboxed.command.first() = found;
        const QString canonical = QFileInfo(found).canonicalFilePath();
        for (const QString &path : {QFileInfo(found).absolutePath(), installRoot(canonical)}) {
            if (!systemPath(path + u'/') && !sandboxed.readOnly.contains(path)) {
                sandboxed.readOnly.append(path);
            }
        }
        sandboxed.pathPrefix.append(QFileInfo(found).absolutePath());
    }
    sandboxed.environment = invocation->settings;
    QStringList passed;
    for (const QString &name : std::as_const(invocation->passedVariables)) {
        if (qEnvironmentVariableIsSet(name.toLocal8Bit().constData())) {
            sandboxed.environment.insert(name, qEnvironmentVariable(name.toLocal8Bit().constData()));
            passed.append(name);
        }
    }
    sandboxed.environment.insert(QStringLiteral("ASTRA_PROMPT_FILE"), briefing.promptFile);
    sandboxed.environment.insert(QStringLiteral("ASTRA_REQUEST_FILE"), requestFile);
    sandboxed.environment.insert(QStringLiteral("ASTRA_BASE_COMMIT"), context.baseCommit);
    sandboxed.environment.insert(QStringLiteral("ASTRA_GOAL_ID"), QString::number(context.goal.id));
    sandboxed.input = invocation->input;
    sandboxed.mergeOutput = false;
    sandboxed.timeout = std::chrono::seconds(m_settings.timeoutS);
    sandboxed.cancel = cancel;
    sandboxed.limits.scratchBytes = qint64(m_settings.scratchMb) * 1024 * 1024;
    // Node-based agents reserve far more address space than they use: bound the heap instead.
    sandboxed.limits.memoryBytes = 0;
    sandboxed.limits.dataBytes = agentDataBytes;

    QByteArray out;
    QByteArray err;
    bool outTruncated = false;
    bool errTruncated = false;
    // The output as it comes, for a person following the run; it is not what is kept.
    QFile log(context.logFile);
    qint64 logged = 0;
    if (!context.logFile.isEmpty() && !log.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        qCWarning(lcWorkspace) << "cannot write the agent's log" << context.logFile << log.errorString();
    }
    const auto follow = [&](const QByteArray &data) {
        if (log.isOpen() && logged < maxStdout + maxStderr) {
            logged += log.write(data.left(maxStdout + maxStderr - logged));
            log.flush();
        }
    };
    const SandboxRun run = runSandboxed(
        sandboxed,
        [&](const QByteArray &data) {
            appendCapped(out, data, maxStdout, &outTruncated);
            follow(data);
        },
        [&](const QByteArray &data) {
            appendCapped(err, data, maxStderr, &errTruncated);
            follow(data);
        });
    log.close();

    const QString who =
        invocation->agent == u"command" ? QStringLiteral("`%1`").arg(invocation->title) : invocation->title;
    QJsonObject transcript;
    transcript.insert(QStringLiteral("proposer"), name());
    transcript.insert(QStringLiteral("agent"), invocation->agent);
    transcript.insert(QStringLiteral("command"), QJsonArray::fromStringList(sandboxed.command));
    transcript.insert(QStringLiteral("passed_variables"), QJsonArray::fromStringList(passed));
    transcript.insert(QStringLiteral("request"), QString::fromUtf8(briefing.request));
    transcript.insert(QStringLiteral("answer"), QString::fromUtf8(out.left(transcriptAnswerBytes)));
    transcript.insert(QStringLiteral("stderr"), QString::fromUtf8(err));
    transcript.insert(QStringLiteral("duration_ms"), double(run.durationMs));
    transcript.insert(QStringLiteral("exit_code"), run.exitCode);
    transcript.insert(QStringLiteral("sandbox"), run.sandbox);
    transcript.insert(QStringLiteral("sandboxed"), run.sandboxed);
    transcript.insert(QStringLiteral("network"), m_settings.network ? QStringLiteral("host") : QStringLiteral("none"));
    if (m_settings.network && run.sandboxed && abstractX11Socket()) {
        transcript.insert(
            QStringLiteral("warnings"),
            QJsonArray{Tr::tr("The agent ran with the host's network (network = \"host\") on a machine with an X11 "
                              "display: it could reach the display's socket, and with it type into your desktop. "
                              "Run agents that need the network on a machine without a desktop session.")});
    }

    const auto failed = [&](const QString &message, ErrorKind kind) -> Result<Proposal> {
        m_lastTranscript = transcript;
        return makeError(message, kind);
    };
    switch (run.ending) {
    case SandboxRun::Ending::NotStarted:
        return failed(Tr::tr("The agent %1 did not run: %2").arg(who, run.problem), ErrorKind::Refused);
    case SandboxRun::Ending::Cancelled:
    case SandboxRun::Ending::TimedOut: {
        // Only the sandbox's PID namespace takes every process with it; without it, a process
        // that started a session of its own is out of reach.
        const QString stopped = run.sandboxed
            ? Tr::tr("It was stopped with every process it started.")
            : Tr::tr(
                "It was stopped with its process group; without a sandbox, a process it moved to a session of its "
                "own may still run.");
        if (run.ending == SandboxRun::Ending::Cancelled) {
            return failed(Tr::tr("The agent %1 was cancelled. %2").arg(who, stopped), ErrorKind::Refused);
        }
        return failed(Tr::tr("The agent %1 did not finish within %2 s ([proposer] timeout_s). %3")
                          .arg(who)
                          .arg(m_settings.timeoutS)
                          .arg(stopped),
                      ErrorKind::Transient);
    }
    case SandboxRun::Ending::Signalled:
    case SandboxRun::Ending::Exited:
        break;
    }
    if (run.ending != SandboxRun::Ending::Exited || run.exitCode != 0) {
        QStringList message;
        message << (run.ending == SandboxRun::Ending::Exited
                        ? Tr::tr("The agent %1 failed with exit status %2: %3")
                              .arg(who)
                              .arg(run.exitCode)
                              .arg(lastBytesAsText(err, 2000))
                        : Tr::tr("The agent %1 was killed by a signal: %2").arg(who, lastBytesAsText(err, 2000)));
        if (run.scratchBounded
            && (err.contains("No space left on device") || out.contains("No space left on device"))) {
            message << Tr::tr(
                           "A write failed for lack of space: the sandbox's private /tmp and HOME hold %1 MiB; "
                           "raise scratch_mb in [proposer] if the agent needs more.")
                           .arg(m_settings.scratchMb);
        }
        if (err.contains("File size limit exceeded") || out.contains("File size limit exceeded")) {
            message << Tr::tr("A file grew past the limit of %1 MiB per file.")
                           .arg(sandboxed.limits.maxFileBytes / (1024 * 1024));
        }
        if (run.sandboxed && run.ending == SandboxRun::Ending::Exited
            && (run.exitCode == 126 || run.exitCode == 127 || err.contains("ModuleNotFoundError")
                || err.contains("Cannot find module"))) {
            message << Tr::tr(
                "In the sandbox only /usr, /etc, the agent's own folder and [proposer] read_only are "
                "visible: an agent installed elsewhere needs what it uses listed in read_only.");
        }
        if (run.sandboxed && !m_settings.network) {
            message << Tr::tr(
                "It ran without network ([proposer] network = \"none\"): an agent that must reach its "
                "model needs network = \"host\".");
        }
        return failed(message.join(u' '), ErrorKind::Failed);
    }
    if (outTruncated) {
        return failed(Tr::tr("The agent %1 wrote more than %2 MiB on stdout; its answer was refused.")
                          .arg(who)
                          .arg(maxStdout / (1024 * 1024)),
                      ErrorKind::Invalid);
    }

    // The change: what the agent left in the checkout, else what it printed.
    HarvestLimits limits;
    limits.maxFileBytes = m_maxFileBytes;
    limits.ignoreRules = invocation->ignoreRules;
    auto harvested = harvestCheckout(repo, *checkout, limits);
    if (!harvested) {
        return failed(harvested.message(), harvested.error().kind);
    }
    transcript.insert(QStringLiteral("harvested_files"), int(harvested->files.size()));
    ChangeSet changes = *harvested;
    if (changes.files.isEmpty()) {
        if (out.trimmed().isEmpty()) {
            return failed(Tr::tr("The agent %1 finished without changing any file in its checkout and without a diff "
                                 "or change set on stdout.")
                              .arg(who),
                          ErrorKind::Invalid);
        }
        auto answered = changeSetFromAnswer(repo, context.baseCommit, out);
        if (!answered) {
            return failed(Tr::tr("The agent %1 changed no file in its checkout, and its output is not a change: %2")
                              .arg(who, answered.message()),
                          answered.error().kind);
        }
        changes = *answered;
    } else {
        changes.rationale = lastBytesAsText(out, rationaleBytes);
    }
    if (changes.title.isEmpty()) {
        changes.title = context.goal.title;
    }
    if (changes.rationale.isEmpty()) {
        changes.rationale = Tr::tr("Proposed by %1.").arg(who);
    }
    qCDebug(lcGit) << "agent" << invocation->agent << "changed" << changes.files.size() << "file(s) in"
                   << run.durationMs << "ms";
    m_lastTranscript = transcript;
    return Proposal{changes, transcript};
}

} // namespace astra
