#include "proposers/agents.h"

#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Proposer)
};

QStringList modelFlag(const QString &flag, const QString &model)
{
    return model.isEmpty() ? QStringList() : QStringList{flag, model};
}
} // namespace

Result<AgentInvocation> agentInvocation(const ProposerSection &proposer, const AgentBriefing &briefing)
{
    const QString agent = proposer.kind == ProposerSection::Kind::Command ? QStringLiteral("command") : proposer.agent;
    const QString &model = proposer.model;
    AgentInvocation run;
    run.agent = agent;
    if (agent == u"command") {
        if (proposer.command.trimmed().isEmpty()) {
            return makeError(Tr::tr("[proposer] runs the agent \"command\" but command is empty in the configuration: "
                                    "set the command line of the agent to run."),
                             ErrorKind::Invalid);
        }
        run.title = proposer.command;
        run.command = QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"), proposer.command};
        run.input = briefing.request;
    } else if (agent == u"aider") {
        // aider reads its prompt from a file; --yes-always applies its edits (it still refuses
        // shell commands), and it must neither commit nor touch .gitignore.
        run.title = QStringLiteral("aider");
        run.command = QStringList{QStringLiteral("aider"),
                                  QStringLiteral("--yes-always"),
                                  QStringLiteral("--no-auto-commits"),
                                  QStringLiteral("--no-dirty-commits"),
                                  QStringLiteral("--no-gitignore"),
                                  QStringLiteral("--no-check-update"),
                                  QStringLiteral("--no-show-release-notes"),
                                  QStringLiteral("--no-analytics"),
                                  QStringLiteral("--no-suggest-shell-commands"),
                                  QStringLiteral("--no-detect-urls"),
                                  QStringLiteral("--no-pretty"),
                                  QStringLiteral("--no-stream"),
                                  QStringLiteral("--chat-history-file"),
                                  QStringLiteral("/tmp/aider.chat.history.md"),
                                  QStringLiteral("--input-history-file"),
                                  QStringLiteral("/tmp/aider.input.history"),
                                  QStringLiteral("--message-file"),
                                  briefing.promptFile}
            + modelFlag(QStringLiteral("--model"), model);
        // The goal's files after "--": a file named like an option stays a file.
        if (!briefing.files.isEmpty()) {
            run.command += QStringList{QStringLiteral("--")} + briefing.files;
        }
        run.passedVariables = QStringList{QStringLiteral("OPENAI_API_KEY"),
                                          QStringLiteral("ANTHROPIC_API_KEY"),
                                          QStringLiteral("GEMINI_API_KEY"),
                                          QStringLiteral("OPENROUTER_API_KEY"),
                                          QStringLiteral("DEEPSEEK_API_KEY"),
                                          QStringLiteral("OPENAI_API_BASE"),
                                          QStringLiteral("AIDER_MODEL")};
        run.ignoreRules = ".aider*\n";
    } else if (agent == u"claude") {
        // Claude Code in print mode reads the prompt from stdin.
        run.title = QStringLiteral("Claude Code");
        run.command = QStringList{QStringLiteral("claude"),
                                  QStringLiteral("-p"),
                                  QStringLiteral("--dangerously-skip-permissions"),
                                  QStringLiteral("--output-format"),
                                  QStringLiteral("text")}
            + modelFlag(QStringLiteral("--model"), model);
        run.input = briefing.prompt;
        run.settings =
            QHash<QString, QString>{{QStringLiteral("DISABLE_AUTOUPDATER"), QStringLiteral("1")},
                                    {QStringLiteral("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"), QStringLiteral("1")}};
        run.passedVariables = QStringList{QStringLiteral("ANTHROPIC_API_KEY"),
                                          QStringLiteral("ANTHROPIC_AUTH_TOKEN"),
                                          QStringLiteral("ANTHROPIC_BASE_URL"),
                                          QStringLiteral("ANTHROPIC_MODEL"),
                                          QStringLiteral("CLAUDE_CODE_OAUTH_TOKEN"),
                                          QStringLiteral("CLAUDE_CODE_USE_BEDROCK"),
                                          QStringLiteral("CLAUDE_CODE_USE_VERTEX")};
    } else if (agent == u"codex") {
        // `codex exec -` reads the prompt from stdin. Its own sandbox cannot start inside this
        // one and is not needed there.
        run.title = QStringLiteral("Codex CLI");
        run.command = QStringList{QStringLiteral("codex"),
                                  QStringLiteral("exec"),
                                  QStringLiteral("--skip-git-repo-check"),
                                  QStringLiteral("--dangerously-bypass-approvals-and-sandbox"),
                                  QStringLiteral("--ephemeral"),
                                  QStringLiteral("-c"),
                                  QStringLiteral("check_for_update_on_startup=false")}
            + modelFlag(QStringLiteral("--model"), model) + QStringList{QStringLiteral("-")};
        run.input = briefing.prompt;
        run.passedVariables = QStringList{QStringLiteral("CODEX_API_KEY"),
                                          QStringLiteral("OPENAI_API_KEY"),
                                          QStringLiteral("OPENAI_BASE_URL")};
    } else if (agent == u"gemini") {
        // Gemini CLI appends the -p text to the prompt on stdin.
        run.title = QStringLiteral("Gemini CLI");
        run.command = QStringList{QStringLiteral("gemini"), QStringLiteral("--approval-mode=yolo")}
            + modelFlag(QStringLiteral("--model"), model)
            + QStringList{QStringLiteral("-p"), QStringLiteral("Do the task described above.")};
        run.input = briefing.prompt;
        run.settings = QHash<QString, QString>{{QStringLiteral("GEMINI_CLI_TRUST_WORKSPACE"), QStringLiteral("true")},
                                               {QStringLiteral("GEMINI_SANDBOX"), QStringLiteral("false")}};
        run.passedVariables = QStringList{QStringLiteral("GEMINI_API_KEY"),
                                          QStringLiteral("GOOGLE_API_KEY"),
                                          QStringLiteral("GOOGLE_GENAI_USE_VERTEXAI"),
                                          QStringLiteral("GOOGLE_CLOUD_PROJECT"),
                                          QStringLiteral("GOOGLE_CLOUD_LOCATION"),
                                          QStringLiteral("GEMINI_MODEL")};
    } else if (agent == u"goose") {
        run.title = QStringLiteral("Goose");
        run.command = QStringList{QStringLiteral("goose"),
                                  QStringLiteral("run"),
                                  QStringLiteral("--no-session"),
                                  QStringLiteral("--with-builtin"),
                                  QStringLiteral("developer"),
                                  QStringLiteral("--instructions"),
                                  briefing.promptFile}
            + modelFlag(QStringLiteral("--model"), model);
        run.settings = QHash<QString, QString>{{QStringLiteral("GOOSE_MODE"), QStringLiteral("auto")},
                                               {QStringLiteral("GOOSE_DISABLE_KEYRING"), QStringLiteral("1")},
                                               {QStringLiteral("GOOSE_TELEMETRY_ENABLED"), QStringLiteral("false")}};
        run.passedVariables = QStringList{QStringLiteral("GOOSE_PROVIDER"),
                                          QStringLiteral("GOOSE_MODEL"),
                                          QStringLiteral("ANTHROPIC_API_KEY"),
                                          QStringLiteral("OPENAI_API_KEY"),
                                          QStringLiteral("OPENAI_HOST"),
                                          QStringLiteral("GOOGLE_API_KEY"),
                                          QStringLiteral("OPENROUTER_API_KEY"),
                                          QStringLiteral("GROQ_API_KEY")};
    } else if (agent == u"opencode") {
        // `opencode run` takes the piped prompt as its message; --auto approves what would ask.
        run.title = QStringLiteral("opencode");
        run.command = QStringList{QStringLiteral("opencode"), QStringLiteral("run"), QStringLiteral("--auto")}
            + modelFlag(QStringLiteral("--model"), model);
        run.input = briefing.prompt;
        run.settings = QHash<QString, QString>{{QStringLiteral("OPENCODE_DISABLE_AUTOUPDATE"), QStringLiteral("1")}};
        run.passedVariables = QStringList{QStringLiteral("ANTHROPIC_API_KEY"),
                                          QStringLiteral("OPENAI_API_KEY"),
                                          QStringLiteral("OPENROUTER_API_KEY"),
                                          QStringLiteral("GOOGLE_GENERATIVE_AI_API_KEY")};
    } else {
        return makeError(
            Tr::tr("[proposer] agent \"%1\" is not one of %2.").arg(agent, agentNames().join(QStringLiteral(", "))),
            ErrorKind::Invalid);
    }
    if (!proposer.env.isEmpty()) {
        run.passedVariables = proposer.env;
    }
    return run;
}

QString agentInstallHint(const QString &agent)
{
    if (agent == u"aider") {
        return Tr::tr("install it with pipx install aider-chat");
    }
    if (agent == u"claude") {
        return Tr::tr("install it with npm install -g @anthropic-ai/claude-code");
    }
    if (agent == u"codex") {
        return Tr::tr("install it with npm install -g @openai/codex");
    }
    if (agent == u"gemini") {
        return Tr::tr("install it with npm install -g @google/gemini-cli");
    }
    if (agent == u"goose") {
        return Tr::tr("install the goose CLI as its documentation describes");
    }
    if (agent == u"opencode") {
        return Tr::tr("install it with npm install -g opencode-ai");
    }
    return QString();
}

} // namespace astra
