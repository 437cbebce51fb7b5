#include "proposers/openaiproposer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QThread>
#include <QTimer>
#include <QUrl>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::OpenAiProposer)
};

const char systemPrompt[] =
    "You change code in a git repository to reach the goal you are given. Answer with one unified diff "
    "(as `git diff` writes it, paths a/... and b/..., relative to the repository root) against the base "
    "commit, inside a ```diff block, followed by one paragraph saying why. Change only what the goal needs.";

QString userPrompt(const ProposalContext &context)
{
    QString text = QStringLiteral("Goal: %1\nKind: %2\n").arg(context.goal.title, context.goal.kind);
    if (!context.goal.description.isEmpty()) {
        text += QStringLiteral("Description: %1\n").arg(context.goal.description);
    }
    text += QStringLiteral("Evidence (JSON): %1\n")
                .arg(QString::fromUtf8(QJsonDocument(context.goal.evidence).toJson(QJsonDocument::Compact)));
    text += QStringLiteral("Base commit: %1\n").arg(context.baseCommit);
    text += reviewPrompt(context.review);
    for (const ProposalFile &file : context.files) {
        text += file.exists ? QStringLiteral("\n--- %1\n```\n%2\n```\n").arg(file.path, QString::fromUtf8(file.content))
                            : QStringLiteral("\n--- %1 does not exist yet\n").arg(file.path);
    }
    return text;
}

bool retryable(int status, QNetworkReply::NetworkError error)
{
    if (status == 408 || status == 429 || status >= 500) {
        return true;
    }
    return status == 0 && error != QNetworkReply::NoError;
}
} // namespace

QByteArray changeInAnswer(const QString &content)
{
    static const QRegularExpression fence(QStringLiteral("```[A-Za-z]*[ \\t]*\\n(.*?)```"),
                                          QRegularExpression::DotMatchesEverythingOption);
    for (auto it = fence.globalMatch(content); it.hasNext();) {
        const QString block = it.next().captured(1);
        if (block.contains(QStringLiteral("\n@@")) || block.startsWith(QStringLiteral("diff --git"))
            || block.startsWith(QStringLiteral("--- "))) {
            return block.toUtf8();
        }
        if (block.trimmed().startsWith(u'{')) {
            return block.toUtf8();
        }
    }
    const QString trimmed = content.trimmed();
    if (trimmed.startsWith(QStringLiteral("diff --git")) || trimmed.startsWith(QStringLiteral("--- "))
        || trimmed.startsWith(u'{')) {
        return trimmed.toUtf8() + '\n';
    }
    return {};
}

OpenAiProposer::OpenAiProposer(Settings settings)
    : m_settings(std::move(settings))
{}

Result<Proposal>
OpenAiProposer::propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel)
{
    m_lastTranscript = QJsonObject();
    QUrl url(m_settings.baseUrl);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
        return makeError(Tr::tr("[proposer] base_url '%1' is not an http(s) URL.").arg(m_settings.baseUrl),
                         ErrorKind::Invalid);
    }
    url.setPath(url.path().endsWith(u'/') ? url.path() + QStringLiteral("chat/completions")
                                          : url.path() + QStringLiteral("/chat/completions"));
    QJsonArray messages;
    QJsonObject system;
    system.insert(QStringLiteral("role"), QStringLiteral("system"));
    system.insert(QStringLiteral("content"), QString::fromLatin1(systemPrompt));
    QJsonObject user;
    user.insert(QStringLiteral("role"), QStringLiteral("user"));
    user.insert(QStringLiteral("content"), userPrompt(context));
    messages.append(system);
    messages.append(user);
    QJsonObject body;
    body.insert(QStringLiteral("model"), m_settings.model);
    body.insert(QStringLiteral("messages"), messages);
    body.insert(QStringLiteral("temperature"), 0);
    const QByteArray payload = QJsonDocument(body).toJson(QJsonDocument::Compact);

    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const QByteArray key = qgetenv(m_settings.apiKeyEnv.toLocal8Bit().constData());
    if (!key.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + key);
    }
    const int timeoutMs = int(qMin<qint64>(qint64(m_settings.timeout.count()) * 1000, INT_MAX));

    QJsonObject transcript;
    transcript.insert(QStringLiteral("proposer"), name());
    transcript.insert(QStringLiteral("url"), url.toString());
    transcript.insert(QStringLiteral("model"), m_settings.model);
    transcript.insert(QStringLiteral("request"), QString::fromUtf8(payload));
    m_lastTranscript = transcript; // kept as it grows, so that a failure keeps what was said
    QElapsedTimer timer;
    timer.start();

    QNetworkAccessManager network;
    QByteArray response;
    int status = 0;
    QString failure;
    bool transient = false;
    int attempt = 0;
    for (attempt = 1; attempt <= m_settings.maxAttempts; ++attempt) {
        QNetworkReply *reply = network.post(request, payload);
        reply->setReadBufferSize(1024 * 1024); // read as it comes, never held whole by Qt
        response.clear();
        bool timedOut = false;
        bool tooLarge = false;
        const auto take = [&] {
            if (!tooLarge && reply->isOpen()) {
                response += reply->readAll();
            }
            if (response.size() > m_settings.maxReplyBytes) {
                tooLarge = true;
                response.truncate(m_settings.maxReplyBytes);
                reply->abort();
            }
        };
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::readyRead, &loop, take);
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (cancel && cancel->load()) {
                reply->abort();
            }
        });
        poll.start(100);
        // The whole attempt, however slowly the answer trickles in (a transfer timeout would
        // start again at every byte).
        QTimer deadline;
        deadline.setSingleShot(true);
        QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
            timedOut = true;
            reply->abort();
        });
        deadline.start(timeoutMs);
        if (!reply->isFinished()) {
            loop.exec();
        }
        take();
        status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QNetworkReply::NetworkError error = reply->error();
        const QString errorText = reply->errorString();
        reply->deleteLater();
        if (cancel && cancel->load()) {
            return makeError(Tr::tr("The request to %1 was cancelled.").arg(url.toString()), ErrorKind::Refused);
        }
        if (tooLarge) {
            return makeError(Tr::tr("%1 answered with more than %2 MiB; the answer was cut off there and refused.")
                                 .arg(url.toString())
                                 .arg(m_settings.maxReplyBytes / (1024 * 1024)),
                             ErrorKind::Invalid);
        }
        if (timedOut) {
            failure = Tr::tr("%1 did not answer completely within %2 s ([proposer] timeout_s)")
                          .arg(url.toString())
                          .arg(m_settings.timeout.count());
            transient = true;
            if (attempt == m_settings.maxAttempts) {
                break;
            }
            QThread::msleep(quint64(m_settings.retryDelay.count() * (qint64(1) << (attempt - 1))));
            continue;
        }
        if (error == QNetworkReply::NoError && status >= 200 && status < 300) {
            failure.clear();
            break;
        }
        failure = status > 0
            ? Tr::tr("HTTP %1 from %2: %3").arg(status).arg(url.toString(), QString::fromUtf8(response.left(500)))
            : Tr::tr("%1: %2").arg(url.toString(), errorText);
        transient = retryable(status, error);
        if (!transient || attempt == m_settings.maxAttempts) {
            break;
        }
        QThread::msleep(quint64(m_settings.retryDelay.count() * (qint64(1) << (attempt - 1))));
    }
    transcript.insert(QStringLiteral("attempts"), qMin(attempt, m_settings.maxAttempts));
    transcript.insert(QStringLiteral("http_status"), status);
    transcript.insert(QStringLiteral("duration_ms"), double(timer.elapsed()));
    if (!response.isEmpty()) {
        transcript.insert(QStringLiteral("response"), QString::fromUtf8(response.left(256 * 1024)));
    }
    m_lastTranscript = transcript;
    if (!failure.isEmpty()) {
        return makeError(
            Tr::tr("The openai proposer failed after %n attempt(s): %1", nullptr, qMin(attempt, m_settings.maxAttempts))
                .arg(failure),
            transient ? ErrorKind::Transient : ErrorKind::Failed);
    }
    const QJsonDocument document = QJsonDocument::fromJson(response);
    const QJsonObject choice = document.object().value(QStringLiteral("choices")).toArray().first().toObject();
    const QString content =
        choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("content")).toString();
    transcript.insert(QStringLiteral("answer"), content);
    transcript.remove(QStringLiteral("response"));
    m_lastTranscript = transcript;
    if (!document.isObject() || !choice.contains(QStringLiteral("message"))) {
        return makeError(Tr::tr("%1 answered with something that is not a chat completion (no choices[0].message): %2")
                             .arg(url.toString(), QString::fromUtf8(response.left(300))),
                         ErrorKind::Invalid);
    }
    if (choice.value(QStringLiteral("finish_reason")).toString() == u"content_filter") {
        return makeError(Tr::tr("The model refused (finish_reason content_filter)."), ErrorKind::Refused);
    }
    const QByteArray change = changeInAnswer(content);
    if (change.isEmpty()) {
        return makeError(Tr::tr("The model answered without a diff or change set, so nothing was written: \"%1\"")
                             .arg(content.left(300)),
                         ErrorKind::Refused);
    }
    auto changes = changeSetFromAnswer(repo, context.baseCommit, change);
    if (!changes) {
        return changes.error();
    }
    if (changes->title.isEmpty()) {
        changes->title = context.goal.title;
    }
    if (changes->rationale.isEmpty()) {
        static const QRegularExpression fences(QStringLiteral("```.*?```"),
                                               QRegularExpression::DotMatchesEverythingOption);
        changes->rationale = QString(content).remove(fences).trimmed().left(2000);
        if (changes->rationale.isEmpty()) {
            changes->rationale = Tr::tr("Proposed by %1 at %2.").arg(m_settings.model, m_settings.baseUrl);
        }
    }
    return Proposal{*changes, transcript};
}

} // namespace astra
