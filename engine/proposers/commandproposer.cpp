#include "proposers/commandproposer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::CommandProposer)
};

constexpr qint64 maxStdout = 16 * 1024 * 1024;
constexpr qint64 maxStderr = 64 * 1024;

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
} // namespace

CommandProposer::CommandProposer(QString command, std::chrono::seconds timeout)
    : m_command(std::move(command))
    , m_timeout(timeout)
{}

Result<Proposal>
CommandProposer::propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel)
{
    const QByteArray request = QJsonDocument(context.toJson()).toJson(QJsonDocument::Compact);
    QProcess process;
    process.setWorkingDirectory(context.workDir);
    process.setProgram(QStringLiteral("/bin/sh"));
    process.setArguments({QStringLiteral("-c"), m_command});
    QElapsedTimer timer;
    timer.start();
    process.start();
    if (!process.waitForStarted(10000)) {
        return makeError(Tr::tr("The proposer command `%1` did not start: %2").arg(m_command, process.errorString()));
    }
    process.write(request);
    process.closeWriteChannel();

    QByteArray out;
    QByteArray err;
    bool outTruncated = false;
    bool errTruncated = false;
    bool timedOut = false;
    bool cancelled = false;
    const qint64 limitMs = qint64(m_timeout.count()) * 1000;
    while (process.state() != QProcess::NotRunning) {
        process.waitForFinished(100);
        appendCapped(out, process.readAllStandardOutput(), maxStdout, &outTruncated);
        appendCapped(err, process.readAllStandardError(), maxStderr, &errTruncated);
        if (cancel && cancel->load()) {
            cancelled = true;
        } else if (timer.elapsed() > limitMs) {
            timedOut = true;
        }
        if (cancelled || timedOut) {
            process.kill();
            process.waitForFinished(5000);
            break;
        }
    }
    appendCapped(out, process.readAllStandardOutput(), maxStdout, &outTruncated);
    appendCapped(err, process.readAllStandardError(), maxStderr, &errTruncated);

    QJsonObject transcript;
    transcript.insert(QStringLiteral("proposer"), name());
    transcript.insert(QStringLiteral("command"), m_command);
    transcript.insert(QStringLiteral("request"), QString::fromUtf8(request));
    transcript.insert(QStringLiteral("answer"), QString::fromUtf8(out.left(256 * 1024)));
    transcript.insert(QStringLiteral("stderr"), QString::fromUtf8(err));
    transcript.insert(QStringLiteral("duration_ms"), double(timer.elapsed()));
    transcript.insert(QStringLiteral("exit_code"), process.exitCode());

    if (cancelled) {
        return makeError(Tr::tr("The proposer command `%1` was cancelled.").arg(m_command), ErrorKind::Refused);
    }
    if (timedOut) {
        return makeError(Tr::tr("The proposer command `%1` did not answer within %2 s ([proposer] timeout_s) and was "
                                "stopped.")
                             .arg(m_command)
                             .arg(m_timeout.count()),
                         ErrorKind::Transient);
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return makeError(Tr::tr("The proposer command `%1` failed with exit status %2: %3")
                             .arg(m_command)
                             .arg(process.exitCode())
                             .arg(QString::fromUtf8(err.right(2000)).trimmed()),
                         ErrorKind::Failed);
    }
    if (outTruncated) {
        return makeError(Tr::tr("The proposer command `%1` wrote more than %2 MiB; its answer was refused.")
                             .arg(m_command)
                             .arg(maxStdout / (1024 * 1024)),
                         ErrorKind::Invalid);
    }
    auto changes = changeSetFromAnswer(repo, context.baseCommit, out);
    if (!changes) {
        return changes.error();
    }
    if (changes->title.isEmpty()) {
        changes->title = context.goal.title;
    }
    if (changes->rationale.isEmpty()) {
        changes->rationale = Tr::tr("Proposed by `%1`.").arg(m_command);
    }
    return Proposal{*changes, transcript};
}

} // namespace astra
