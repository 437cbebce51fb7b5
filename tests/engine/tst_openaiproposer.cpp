#include "git/gitrepository.h"
#include "proposers/openaiproposer.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

using namespace astra;

namespace {
// A small HTTP/1.1 server on 127.0.0.1 that answers each request with the next canned reply
// (status 0: never answer) and keeps what it received.
class LoopbackServer : public QObject
{
public:
    struct Reply
    {
        int status = 200;
        QByteArray body;
        // With streamChunk > 0: a 200 without a length, then streamChunk bytes every
        // streamEveryMs, for as long as the client listens.
        qsizetype streamChunk = 0;
        int streamEveryMs = 0;
    };
    QList<Reply> replies;
    QList<QByteArray> requests; // head and body

    LoopbackServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_server.serverPort());
    }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const int headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return;
        }
        const QByteArray head = buffer.left(headEnd);
        qsizetype length = 0;
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("content-length:")) {
                length = line.mid(15).trimmed().toLongLong();
            }
        }
        if (buffer.size() < headEnd + 4 + length) {
            return;
        }
        requests.append(buffer.left(headEnd + 4 + length));
        buffer.clear();
        const Reply reply = replies.isEmpty() ? Reply{500, "no reply left"} : replies.takeFirst();
        if (reply.status == 0) {
            return; // hang
        }
        if (reply.streamChunk > 0) {
            socket->write("HTTP/1.1 200 X\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"x\": \"");
            auto *timer = new QTimer(socket);
            QObject::connect(timer, &QTimer::timeout, socket, [socket, reply] {
                if (socket->bytesToWrite() < 4 * 1024 * 1024) {
                    socket->write(QByteArray(reply.streamChunk, 'x'));
                }
            });
            timer->start(reply.streamEveryMs);
            return;
        }
        socket->write("HTTP/1.1 " + QByteArray::number(reply.status) + " X\r\nContent-Type: application/json\r\n"
                      "Connection: close\r\nContent-Length: " + QByteArray::number(reply.body.size()) + "\r\n\r\n" + reply.body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

QByteArray completion(const QString &content, const QString &finish = QStringLiteral("stop"))
{
    QJsonObject message;
    message.insert(QStringLiteral("role"), QStringLiteral("assistant"));
    message.insert(QStringLiteral("content"), content);
    QJsonObject choice;
    choice.insert(QStringLiteral("message"), message);
    choice.insert(QStringLiteral("finish_reason"), finish);
    QJsonObject body;
    body.insert(QStringLiteral("choices"), QJsonArray{choice});
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

const char diffAnswer[] =
    "Here is the fix.\n\n```diff\n--- a/src/calc.py\n+++ b/src/calc.py\n@@ -1,2 +1,2 @@\n"
    " def add(a, b):\n-    return a - b\n+    return a + b\n```\n\nadd subtracted instead of adding.\n";
} // namespace

// The OpenAI-compatible proposer against a real HTTP server on loopback.
class TestOpenAiProposer : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<test::TempRepo> m_repo;
    QString m_base;

    OpenAiProposer proposer(const QString &url, int timeoutS = 10)
    {
        OpenAiProposer::Settings settings;
        settings.baseUrl = url;
        settings.model = QStringLiteral("local-model");
        settings.apiKeyEnv = QStringLiteral("ASTRA_TEST_OPENAI_KEY");
        settings.timeout = std::chrono::seconds(timeoutS);
        settings.retryDelay = std::chrono::milliseconds(50);
        return OpenAiProposer(settings);
    }

    ProposalContext context() const
    {
        ProposalContext context;
        context.goal.id = 3;
        context.goal.title = QStringLiteral("Fix add");
        context.goal.kind = QStringLiteral("user-request");
        context.baseCommit = m_base;
        context.files.append(ProposalFile{QStringLiteral("src/calc.py"), "def add(a, b):\n    return a - b\n", true});
        return context;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_repo = std::make_unique<test::TempRepo>();
        m_repo->write(QStringLiteral("src/calc.py"), "def add(a, b):\n    return a - b\n");
        m_base = m_repo->commitAll(QStringLiteral("initial"));
        qputenv("ASTRA_TEST_OPENAI_KEY", "sk-secret-123");
    }

    void answersWithADiff()
    {
        LoopbackServer server;
        server.replies = {{200, completion(QString::fromLatin1(diffAnswer))}};
        auto repo = GitRepository::discover(m_repo->path());
        QVERIFY(repo.ok());
        auto answer = proposer(server.url()).propose(context(), *repo, nullptr);
        QVERIFY2(answer.ok(), qPrintable(answer.message()));
        QCOMPARE(answer->changes.files.size(), 1);
        QCOMPARE(answer->changes.files.first().content, QByteArray("def add(a, b):\n    return a + b\n"));
        QCOMPARE(answer->changes.rationale,
                 QStringLiteral("Here is the fix.\n\n\n\nadd subtracted instead of adding."));
        QCOMPARE(server.requests.size(), 1);
        const QByteArray request = server.requests.first();
        QVERIFY(request.startsWith("POST /v1/chat/completions "));
        // Header names are case-insensitive (Qt 6.8 sends them in lower case).
        QVERIFY(request.toLower().contains("\r\nauthorization: bearer sk-secret-123\r\n"));
        QVERIFY(request.contains("return a - b")); // the file was sent
        // The key is sent, never kept.
        QVERIFY(!QJsonDocument(answer->transcript).toJson().contains("sk-secret-123"));
    }

    void transientErrorsAreRetried()
    {
        LoopbackServer server;
        server.replies = {{503, "busy"}, {429, "slow down"}, {200, completion(QString::fromLatin1(diffAnswer))}};
        auto repo = GitRepository::discover(m_repo->path());
        auto answer = proposer(server.url()).propose(context(), *repo, nullptr);
        QVERIFY2(answer.ok(), qPrintable(answer.message()));
        QCOMPARE(server.requests.size(), 3);
        QCOMPARE(answer->transcript.value(QStringLiteral("attempts")).toInt(), 3);

        LoopbackServer down;
        down.replies = {{502, "a"}, {502, "b"}, {502, "c"}};
        auto failed = proposer(down.url()).propose(context(), *repo, nullptr);
        QVERIFY(!failed.ok());
        QCOMPARE(int(failed.error().kind), int(ErrorKind::Transient));
        QVERIFY2(failed.message().contains(QStringLiteral("HTTP 502")), qPrintable(failed.message()));
    }

    void clearErrors_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unauthorized") << 401 << QByteArray("{\"error\": \"bad key\"}") << QStringLiteral("HTTP 401");
        QTest::newRow("not a completion")
            << 200 << QByteArray("{\"object\": \"list\"}") << QStringLiteral("not a chat completion");
        QTest::newRow("refusal") << 200 << completion(QStringLiteral("I cannot help with that."))
                                 << QStringLiteral("without a diff");
        QTest::newRow("content filter") << 200 << completion(QStringLiteral("..."), QStringLiteral("content_filter"))
                                        << QStringLiteral("refused");
        QTest::newRow("diff does not apply")
            << 200
            << completion(QStringLiteral("```diff\n--- a/src/calc.py\n+++ b/src/calc.py\n@@ -1,1 +1,1 @@\n-def sub(a, "
                                         "b):\n+def add(a, b):\n```\n"))
            << QStringLiteral("does not apply");
    }
    void clearErrors()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        LoopbackServer server;
        server.replies = {{status, body}};
        auto repo = GitRepository::discover(m_repo->path());
        OpenAiProposer asked = proposer(server.url());
        auto answer = asked.propose(context(), *repo, nullptr);
        QVERIFY(!answer.ok());
        QVERIFY2(answer.message().contains(mentions), qPrintable(answer.message()));
        QVERIFY(answer.error().kind != ErrorKind::Transient);
        QCOMPARE(server.requests.size(), 1); // not retried
        // What was said is kept for the task, also when it failed.
        const QJsonObject transcript = asked.lastTranscript();
        QVERIFY(transcript.value(QStringLiteral("request")).toString().contains(QStringLiteral("\"model\"")));
        QCOMPARE(transcript.value(QStringLiteral("http_status")).toInt(), status);
    }

    void timeoutIsTransient()
    {
        LoopbackServer server;
        server.replies = {{0, {}}, {0, {}}, {0, {}}};
        auto repo = GitRepository::discover(m_repo->path());
        auto answer = proposer(server.url(), 1).propose(context(), *repo, nullptr);
        QVERIFY(!answer.ok());
        QCOMPARE(int(answer.error().kind), int(ErrorKind::Transient));
        QCOMPARE(server.requests.size(), 3);
    }

    // An endless answer is cut at the size limit and refused, not held whole, not retried.
    void endlessAnswerIsCutOff()
    {
        LoopbackServer server;
        server.replies = {{200, {}, 256 * 1024, 1}};
        auto repo = GitRepository::discover(m_repo->path());
        QElapsedTimer clock;
        clock.start();
        auto answer = proposer(server.url(), 60).propose(context(), *repo, nullptr);
        QVERIFY(!answer.ok());
        QVERIFY2(answer.message().contains(QStringLiteral("more than 16 MiB")), qPrintable(answer.message()));
        QVERIFY(answer.error().kind != ErrorKind::Transient);
        QCOMPARE(server.requests.size(), 1);
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
    }

    // An answer that trickles in a byte at a time is stopped at the timeout of the whole
    // attempt (a transfer timeout would start again at every byte), and retried.
    void tricklingAnswerIsStoppedAtTheTimeout()
    {
        LoopbackServer server;
        server.replies = {{200, {}, 1, 100}, {200, {}, 1, 100}, {200, {}, 1, 100}};
        auto repo = GitRepository::discover(m_repo->path());
        QElapsedTimer clock;
        clock.start();
        auto answer = proposer(server.url(), 1).propose(context(), *repo, nullptr);
        QVERIFY(!answer.ok());
        QCOMPARE(int(answer.error().kind), int(ErrorKind::Transient));
        QVERIFY2(answer.message().contains(QStringLiteral("timeout_s")), qPrintable(answer.message()));
        QCOMPARE(server.requests.size(), 3);
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
    }

    void fencedAnswers()
    {
        QCOMPARE(changeInAnswer(QStringLiteral("```\ndiff --git a/x b/x\n```")), QByteArray("diff --git a/x b/x\n"));
        QCOMPARE(changeInAnswer(QStringLiteral("text only")), QByteArray());
        QCOMPARE(changeInAnswer(QStringLiteral("```json\n{\"files\": []}\n```")), QByteArray("{\"files\": []}\n"));
    }
};

QTEST_GUILESS_MAIN(TestOpenAiProposer)
#include "tst_openaiproposer.moc"
