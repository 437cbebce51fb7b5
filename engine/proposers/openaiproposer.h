#pragma once

#include "proposers/proposer.h"

#include <chrono>

namespace astra {

// An OpenAI-compatible chat completions endpoint (llama.cpp server, Ollama, vLLM, ...):
// POST {base_url}/chat/completions with the goal, its evidence and the files, asking for a
// unified diff. The answer's diff (fenced or not) or change-set JSON is validated and applied
// through libgit2. The key is read from the environment variable the config names, at call
// time, sent only as the Authorization header, and never stored or logged; without it no
// Authorization is sent (local servers need none).
// An attempt that has not answered completely within the timeout is stopped, however slowly the
// answer trickles in; an answer larger than maxReplyBytes is stopped there and refused.
// Network errors, timeouts, 408/429 and 5xx are retried (3 attempts, 1 s then 2 s apart) and
// are ErrorKind::Transient when they persist; any other HTTP error, a malformed response, an
// answer without a change (a refusal) or a diff that does not apply is a clear, final error.
class OpenAiProposer : public Proposer
{
public:
    struct Settings
    {
        QString baseUrl;
        QString model;
        QString apiKeyEnv;
        std::chrono::seconds timeout{300}; // for each attempt, start to the answer's last byte
        int maxAttempts = 3;
        qint64 maxReplyBytes = 16 * 1024 * 1024; // a longer answer is cut off and refused
        std::chrono::milliseconds retryDelay{1000};
    };
    explicit OpenAiProposer(Settings settings);
    QString name() const override
    {
        return QStringLiteral("openai");
    }
    Result<Proposal>
    propose(const ProposalContext &context, GitRepository &repo, const std::atomic<bool> *cancel) override;

private:
    Settings m_settings;
};

// The change in a model's answer: the first ```diff (or ```patch, or plain ```) block that
// holds a diff, else the whole text when it is a diff or change-set JSON; empty when none.
QByteArray changeInAnswer(const QString &content);

} // namespace astra
