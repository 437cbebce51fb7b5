#include "config/astraconfig.h"

#include "base/logging.h"
#include "base/softassert.h"
#include "config/duration.h"

#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace astra {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Config)
};

constexpr int maxReportedProblems = 20;

using Keys = std::span<const std::string_view>;

constexpr std::string_view rootKeys[] =
    {"workspace", "policy", "tests", "jobs", "generator", "detectors", "principles", "proposer", "team"};
constexpr std::string_view teamKeys[] = {"required_approvals", "separate_duties", "lease"};
constexpr std::string_view workspaceKeys[] = {"target_branch"};
constexpr std::string_view policyKeys[] =
    {"allowed", "forbidden", "max_file_kb", "max_files", "max_total_kb", "scope", "max_changed_lines"};
constexpr std::string_view testsKeys[] = {"command", "timeout_s", "report", "sandbox", "scratch_mb"};
constexpr std::string_view jobKeys[] = {"name", "command", "every", "timeout_s", "report"};
constexpr std::string_view generatorKeys[] = {"interval",
                                              "min_confidence",
                                              "max_goals_per_day",
                                              "max_goals_per_detector_per_day",
                                              "auto_approve",
                                              "auto_approve_confidence",
                                              "auto_approve_plans"};
constexpr std::string_view detectorsKeys[] = {"job_failure"};
constexpr std::string_view jobFailureKeys[] = {"threshold", "window"};
constexpr std::string_view principleKeys[] = {"name", "deny_paths", "deny_goal_text"};
constexpr std::string_view proposerKeys[] = {"kind",
                                             "base_url",
                                             "model",
                                             "api_key_env",
                                             "agent",
                                             "command",
                                             "timeout_s",
                                             "sandbox",
                                             "network",
                                             "read_only",
                                             "env",
                                             "scratch_mb"};

// The plain tables, for a key written above every table header: "did you mean 'tests.command'?"
struct Section
{
    std::string_view name;
    Keys keys;
};
constexpr Section plainSections[] = {
    {"workspace", workspaceKeys},
    {"policy", policyKeys},
    {"tests", testsKeys},
    {"generator", generatorKeys},
    {"detectors.job_failure", jobFailureKeys},
    {"proposer", proposerKeys},
    {"team", teamKeys},
};

QString fromStd(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<int>(text.size()));
}

// A string value as messages show it: in double quotes, control characters escaped, long
// values shortened.
QString quoted(const QString &value)
{
    constexpr int maxShown = 60;
    QString shown;
    for (const QChar c : value) {
        if (shown.size() >= maxShown) {
            shown += QChar(0x2026); // …
            break;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            shown += QLatin1Char('\\') + c;
        else if (c == QLatin1Char('\n'))
            shown += QLatin1String("\\n");
        else if (c == QLatin1Char('\t'))
            shown += QLatin1String("\\t");
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            shown += QLatin1String("\\u") + QString::number(c.unicode(), 16).rightJustified(4, QLatin1Char('0'));
        else
            shown += c;
    }
    return QLatin1Char('"') + shown + QLatin1Char('"');
}

// One component of a dotted key, quoted as TOML quotes it when it is not a bare key.
QString keyPart(std::string_view key)
{
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    return bare ? fromStd(key) : quoted(fromStd(key));
}

QString childKey(const QString &parent, std::string_view key)
{
    return parent.isEmpty() ? keyPart(key) : parent + QLatin1Char('.') + keyPart(key);
}

QString indexKey(const QString &parent, std::size_t index)
{
    return parent + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

QString joinChoices(const QStringList &choices, QLatin1Char quote = QLatin1Char('"'))
{
    QStringList quotedChoices;
    for (const QString &choice : choices)
        quotedChoices.append(quote + choice + quote);
    const QString last = quotedChoices.takeLast();
    if (quotedChoices.isEmpty())
        return last;
    return Tr::tr("%1 or %2").arg(quotedChoices.join(QLatin1String(", ")), last);
}

// Levenshtein distance, case-insensitive.
int editDistance(const QString &a, const QString &b)
{
    const QString x = a.toCaseFolded();
    const QString y = b.toCaseFolded();
    std::vector<int> row(static_cast<std::size_t>(y.size()) + 1);
    for (std::size_t j = 0; j < row.size(); ++j)
        row[j] = static_cast<int>(j);
    for (int i = 1; i <= x.size(); ++i) {
        int diagonal = row[0];
        row[0] = i;
        for (int j = 1; j <= y.size(); ++j) {
            const int above = row[static_cast<std::size_t>(j)];
            const int substitution = diagonal + (x.at(i - 1) == y.at(j - 1) ? 0 : 1);
            row[static_cast<std::size_t>(j)] =
                std::min({above + 1, row[static_cast<std::size_t>(j) - 1] + 1, substitution});
            diagonal = above;
        }
    }
    return row.back();
}

// The candidate closest to word when it is close enough to be a likely typo, else empty.
QString closest(const QString &word, const QStringList &candidates)
{
    constexpr int maxDistance = 2;
    QString best;
    int bestDistance = maxDistance + 1;
    for (const QString &candidate : candidates) {
        const int distance = editDistance(word, candidate);
        if (distance < bestDistance && distance < word.size()) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

// The dotted names a key found above every table header would have in the tables that know it.
QStringList sectionsWithKey(std::string_view key)
{
    QStringList result;
    for (const Section &section : plainSections) {
        if (std::find(section.keys.begin(), section.keys.end(), key) != section.keys.end())
            result.append(fromStd(section.name) + QLatin1Char('.') + fromStd(key));
    }
    return result;
}

// Names under which people put secrets; none of them is a key of .astra.toml.
bool looksLikeSecret(std::string_view key)
{
    const QString name = fromStd(key).toCaseFolded();
    for (const char *secret : {"api_key", "apikey", "api-key", "key", "token", "api_token", "password", "secret"}) {
        if (name == QLatin1String(secret))
            return true;
    }
    return false;
}

// A report path is read from the folder the tests or the job ran in and must stay inside it.
bool isRelativeInside(const QString &path)
{
    if (path.startsWith(QLatin1Char('/')) || path.startsWith(QLatin1Char('\\')) || path.startsWith(QLatin1Char('~'))
        || (path.size() >= 2 && path.at(1) == QLatin1Char(':')))
        return false;
    const QStringList components = path.split(QRegularExpression(QStringLiteral("[/\\\\]")));
    return !components.contains(QLatin1String(".."));
}

bool isEnvironmentVariableName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return pattern.match(name).hasMatch();
}

bool isHttpUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    return url.isValid() && (scheme == QLatin1String("http") || scheme == QLatin1String("https"))
        && !url.host().isEmpty();
}

QString describe(const toml::node &node)
{
    switch (node.type()) {
    case toml::node_type::string:
        return Tr::tr("the string %1").arg(quoted(fromStd(node.as_string()->get())));
    case toml::node_type::integer:
        return Tr::tr("the integer %1").arg(QString::number(static_cast<qlonglong>(node.as_integer()->get())));
    case toml::node_type::floating_point: {
        const double value = node.as_floating_point()->get();
        QString shown;
        if (std::isnan(value))
            shown = QStringLiteral("nan");
        else if (std::isinf(value))
            shown = value < 0 ? QStringLiteral("-inf") : QStringLiteral("inf");
        else
            shown = QString::number(value, 'g', QLocale::FloatingPointShortest);
        return Tr::tr("the number %1").arg(shown);
    }
    case toml::node_type::boolean:
        return Tr::tr("the boolean %1")
            .arg(node.as_boolean()->get() ? QStringLiteral("true") : QStringLiteral("false"));
    case toml::node_type::table:
        return Tr::tr("a table");
    case toml::node_type::array:
        return Tr::tr("an array");
    case toml::node_type::date:
        return Tr::tr("a date");
    case toml::node_type::time:
        return Tr::tr("a time");
    case toml::node_type::date_time:
        return Tr::tr("a date-time");
    case toml::node_type::none:
        break;
    }
    return Tr::tr("nothing");
}

// What a check on a value says: fine, or not, with an optional detail for the message.
struct Verdict
{
    bool ok = true;
    QString detail;
};

Verdict accept()
{
    return {};
}

Verdict reject(QString detail = {})
{
    return {false, std::move(detail)};
}

using Check = std::function<Verdict(const QString &)>;

Verdict nonEmpty(const QString &value)
{
    return value.trimmed().isEmpty() ? reject() : accept();
}

Verdict checkReport(const QString &value, bool forJob)
{
    if (value == QLatin1String("ctest") || (!forJob && value == QLatin1String("pytest")))
        return accept();
    QStringList prefixes{QStringLiteral("junit:")};
    if (forJob)
        prefixes << QStringLiteral("sarif:") << QStringLiteral("clang-tidy-fixes:");
    for (const QString &prefix : prefixes) {
        if (!value.startsWith(prefix))
            continue;
        const QString path = value.mid(prefix.size());
        if (path.isEmpty())
            return reject(Tr::tr("the path after '%1' is missing").arg(prefix));
        if (!isRelativeInside(path))
            return reject(Tr::tr("the path must be relative and must not leave the working folder"));
        return accept();
    }
    return reject();
}

struct Problem
{
    quint32 line = 0;
    quint32 column = 0;
    QString key;
    QString text;
};

// Walks the parsed TOML tree into a Config, collecting every problem on the way.
class ConfigReader
{
public:
    ConfigReader(QString displayPath, const ConfigChecks &checks)
        : m_path(std::move(displayPath))
        , m_checks(checks)
    {}

    void read(const toml::table &root, Config &config);

    bool hasProblems() const
    {
        return !m_problems.isEmpty();
    }
    QString report() const;

private:
    void problem(const toml::source_region &where, const QString &key, const QString &text);
    void wrongValue(const toml::node &node, const QString &key, const QString &expectation, const QString &detail = {});
    void checkKeys(const toml::table &table, const QString &tableKey, Keys known, const QString &unknownNoun = {});

    const toml::table *table(const toml::table &parent, const QString &parentKey, std::string_view name);
    const toml::array *tableArray(const toml::table &parent, std::string_view name);

    bool readString(const toml::table &table,
                    const QString &tableKey,
                    std::string_view name,
                    const QString &expectation,
                    QString &out,
                    const Check &check = {});
    void readSandbox(const toml::table &table, const QString &tableKey, TestsSection::Sandbox &out);
    bool readStringList(const toml::table &table,
                        const QString &tableKey,
                        std::string_view name,
                        const QString &elementExpectation,
                        QStringList &out,
                        const Check &check);
    bool readChoice(const toml::table &table,
                    const QString &tableKey,
                    std::string_view name,
                    const QStringList &choices,
                    int &index);
    bool readInt(const toml::table &table,
                 const QString &tableKey,
                 std::string_view name,
                 qint64 minimum,
                 const QString &expectation,
                 int &out);
    bool readFraction(const toml::table &table, const QString &tableKey, std::string_view name, double &out);
    bool readBool(const toml::table &table, const QString &tableKey, std::string_view name, bool &out);
    bool
    readDuration(const toml::table &table, const QString &tableKey, std::string_view name, std::chrono::seconds &out);

    void readWorkspace(const toml::table &table, WorkspaceSection &out);
    void readPolicy(const toml::table &table, PolicySection &out);
    void readTests(const toml::table &table, TestsSection &out);
    void readJobs(const toml::array &array, QList<JobConfig> &out);
    void readGenerator(const toml::table &table, GeneratorSection &out);
    void readTeam(const toml::table &table, TeamSection &out);
    void readDetectors(const toml::table &table, DetectorsSection &out);
    void readPrinciples(const toml::array &array, QList<PrincipleConfig> &out);
    void readProposer(const toml::table &table, ProposerSection &out);

    QString m_path;
    const ConfigChecks &m_checks;
    QList<Problem> m_problems;
};

void ConfigReader::problem(const toml::source_region &where, const QString &key, const QString &text)
{
    m_problems.append(Problem{where.begin.line, where.begin.column, key, text});
}

void ConfigReader::wrongValue(const toml::node &node,
                              const QString &key,
                              const QString &expectation,
                              const QString &detail)
{
    QString text = Tr::tr("expected %1, found %2").arg(expectation, describe(node));
    if (!detail.isEmpty())
        text += QLatin1String(" (") + detail + QLatin1Char(')');
    problem(node.source(), key, text);
}

void ConfigReader::checkKeys(const toml::table &table, const QString &tableKey, Keys known, const QString &unknownNoun)
{
    QStringList knownNames;
    for (const std::string_view name : known)
        knownNames.append(fromStd(name));

    for (auto &&[key, value] : table) {
        const std::string_view name = key.str();
        if (std::find(known.begin(), known.end(), name) != known.end())
            continue;
        QString text;
        if (!unknownNoun.isEmpty())
            text = unknownNoun;
        else if (value.is_table() || value.is_array_of_tables())
            text = Tr::tr("unknown table");
        else
            text = Tr::tr("unknown key");

        const QString suggestion = closest(fromStd(name), knownNames);
        const QStringList homes = tableKey.isEmpty() && !value.is_table() ? sectionsWithKey(name) : QStringList();
        if (looksLikeSecret(name))
            text += Tr::tr(
                "; never write a secret into .astra.toml, which is committed with the repository: put it "
                "in an environment variable and name that variable in proposer.api_key_env");
        else if (!suggestion.isEmpty())
            text += Tr::tr("; did you mean '%1'?").arg(suggestion);
        else if (!homes.isEmpty())
            text += Tr::tr("; did you mean %1?").arg(joinChoices(homes, QLatin1Char('\'')));
        else
            text += Tr::tr("; expected one of: %1").arg(knownNames.join(QLatin1String(", ")));
        problem(key.source(), childKey(tableKey, name), text);
    }
}

const toml::table *ConfigReader::table(const toml::table &parent, const QString &parentKey, std::string_view name)
{
    const toml::node *node = parent.get(name);
    if (!node)
        return nullptr;
    if (const toml::table *result = node->as_table())
        return result;
    const QString key = childKey(parentKey, name);
    wrongValue(*node, key, Tr::tr("a table ([%1])").arg(key));
    return nullptr;
}

const toml::array *ConfigReader::tableArray(const toml::table &parent, std::string_view name)
{
    const toml::node *node = parent.get(name);
    if (!node)
        return nullptr;
    if (const toml::array *result = node->as_array())
        return result;
    const QString key = childKey({}, name);
    wrongValue(*node, key, Tr::tr("an array of tables ([[%1]])").arg(key));
    return nullptr;
}

bool ConfigReader::readString(const toml::table &table,
                              const QString &tableKey,
                              std::string_view name,
                              const QString &expectation,
                              QString &out,
                              const Check &check)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    if (!node->is_string()) {
        wrongValue(*node, key, expectation);
        return false;
    }
    const QString value = fromStd(node->as_string()->get());
    if (check) {
        const Verdict verdict = check(value);
        if (!verdict.ok) {
            wrongValue(*node, key, expectation, verdict.detail);
            return false;
        }
    }
    out = value;
    return true;
}

bool ConfigReader::readStringList(const toml::table &table,
                                  const QString &tableKey,
                                  std::string_view name,
                                  const QString &elementExpectation,
                                  QStringList &out,
                                  const Check &check)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    const toml::array *array = node->as_array();
    if (!array) {
        wrongValue(*node, key, Tr::tr("an array of strings"));
        return false;
    }
    bool ok = true;
    QStringList values;
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node &element = *array->get(i);
        const QString elementKey = indexKey(key, i);
        if (!element.is_string()) {
            wrongValue(element, elementKey, elementExpectation);
            ok = false;
            continue;
        }
        const QString value = fromStd(element.as_string()->get());
        const Verdict verdict = check ? check(value) : accept();
        if (!verdict.ok) {
            wrongValue(element, elementKey, elementExpectation, verdict.detail);
            ok = false;
            continue;
        }
        values.append(value);
    }
    if (ok)
        out = values;
    return ok;
}

void ConfigReader::readSandbox(const toml::table &table, const QString &tableKey, TestsSection::Sandbox &out)
{
    int sandbox = 0;
    if (readChoice(table,
                   tableKey,
                   "sandbox",
                   {QStringLiteral("auto"), QStringLiteral("bwrap"), QStringLiteral("none")},
                   sandbox))
        out = static_cast<TestsSection::Sandbox>(sandbox);
}

bool ConfigReader::readChoice(const toml::table &table,
                              const QString &tableKey,
                              std::string_view name,
                              const QStringList &choices,
                              int &index)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    const QString expectation = Tr::tr("one of %1").arg(joinChoices(choices));
    if (!node->is_string()) {
        wrongValue(*node, key, expectation);
        return false;
    }
    const QString value = fromStd(node->as_string()->get());
    const auto found = choices.indexOf(value);
    if (found < 0) {
        const QString suggestion = closest(value, choices);
        wrongValue(*node,
                   key,
                   expectation,
                   suggestion.isEmpty() ? QString() : Tr::tr("did you mean '%1'?").arg(suggestion));
        return false;
    }
    index = static_cast<int>(found);
    return true;
}

bool ConfigReader::readInt(const toml::table &table,
                           const QString &tableKey,
                           std::string_view name,
                           qint64 minimum,
                           const QString &expectation,
                           int &out)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    if (!node->is_integer()) {
        wrongValue(*node, key, expectation);
        return false;
    }
    const qint64 value = node->as_integer()->get();
    if (value < minimum) {
        wrongValue(*node, key, expectation);
        return false;
    }
    if (value > std::numeric_limits<int>::max()) {
        wrongValue(*node, key, expectation, Tr::tr("the largest value is %1").arg(std::numeric_limits<int>::max()));
        return false;
    }
    out = static_cast<int>(value);
    return true;
}

bool ConfigReader::readFraction(const toml::table &table, const QString &tableKey, std::string_view name, double &out)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    const QString expectation = Tr::tr("a number from 0 to 1");
    double value = 0;
    if (node->is_floating_point())
        value = node->as_floating_point()->get();
    else if (node->is_integer())
        value = static_cast<double>(node->as_integer()->get());
    else {
        wrongValue(*node, key, expectation);
        return false;
    }
    if (!(value >= 0.0 && value <= 1.0)) { // also false for NaN
        wrongValue(*node, key, expectation);
        return false;
    }
    out = value;
    return true;
}

bool ConfigReader::readBool(const toml::table &table, const QString &tableKey, std::string_view name, bool &out)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    if (!node->is_boolean()) {
        wrongValue(*node, childKey(tableKey, name), Tr::tr("true or false"));
        return false;
    }
    out = node->as_boolean()->get();
    return true;
}

bool ConfigReader::readDuration(const toml::table &table,
                                const QString &tableKey,
                                std::string_view name,
                                std::chrono::seconds &out)
{
    const toml::node *node = table.get(name);
    if (!node)
        return false;
    const QString key = childKey(tableKey, name);
    if (!node->is_string()) {
        wrongValue(*node, key, Tr::tr("a duration such as 30s, 15m, 24h or 7d"));
        return false;
    }
    const Result<std::chrono::seconds> duration = parseDuration(fromStd(node->as_string()->get()));
    if (!duration) {
        problem(node->source(), key, duration.message());
        return false;
    }
    out = *duration;
    return true;
}

void ConfigReader::read(const toml::table &root, Config &config)
{
    checkKeys(root, {}, rootKeys);
    if (const toml::table *section = table(root, {}, "workspace"))
        readWorkspace(*section, config.workspace);
    if (const toml::table *section = table(root, {}, "policy"))
        readPolicy(*section, config.policy);
    if (const toml::table *section = table(root, {}, "tests"))
        readTests(*section, config.tests);
    if (const toml::array *jobs = tableArray(root, "jobs"))
        readJobs(*jobs, config.jobs);
    if (const toml::table *section = table(root, {}, "generator"))
        readGenerator(*section, config.generator);
    if (const toml::table *section = table(root, {}, "detectors"))
        readDetectors(*section, config.detectors);
    if (const toml::array *principles = tableArray(root, "principles"))
        readPrinciples(*principles, config.principles);
    if (const toml::table *section = table(root, {}, "proposer"))
        readProposer(*section, config.proposer);
    if (const toml::table *section = table(root, {}, "team"))
        readTeam(*section, config.team);
}

void ConfigReader::readWorkspace(const toml::table &table, WorkspaceSection &out)
{
    const QString key = QStringLiteral("workspace");
    checkKeys(table, key, workspaceKeys);
    readString(table,
               key,
               "target_branch",
               Tr::tr("a branch name such as \"main\""),
               out.targetBranch,
               [this](const QString &value) {
                   // Without the git layer's check no name passes: a wrong target branch must never get in.
                   const bool valid =
                       ASTRA_SOFT_ASSERT(m_checks.isBranchName) && !value.isEmpty() && m_checks.isBranchName(value);
                   if (!valid) {
                       return reject();
                   }
                   // The branch people merge into: never HEAD, never one of the modifications' own.
                   if (value == u"HEAD" || value.startsWith(QLatin1String("astra/"))) {
                       return reject(Tr::tr("%1 is not a branch people merge into").arg(value));
                   }
                   return accept();
               });
}

void ConfigReader::readPolicy(const toml::table &table, PolicySection &out)
{
    const QString key = QStringLiteral("policy");
    checkKeys(table, key, policyKeys);
    const QString glob = Tr::tr("a path glob such as \"src/\"");
    // A pattern no repository path can match would protect nothing while looking as if it did.
    const auto pathGlob = [this](const QString &value) {
        if (value.isEmpty()) {
            return reject();
        }
        if (ASTRA_SOFT_ASSERT(m_checks.globProblem)) {
            if (const QString problem = m_checks.globProblem(value); !problem.isEmpty()) {
                return reject(problem);
            }
        }
        if (value.startsWith(u'/')) {
            return reject(Tr::tr("patterns are relative to the repository, without a leading /"));
        }
        if (value.split(u'/').contains(QStringLiteral("..")) || value.split(u'/').contains(QStringLiteral("."))) {
            return reject(Tr::tr("no repository path has a . or .. component, so it would never match"));
        }
        return accept();
    };
    readStringList(table, key, "allowed", glob, out.allowed, pathGlob);
    readStringList(table, key, "forbidden", glob, out.forbidden, pathGlob);
    readInt(table, key, "max_file_kb", 1, Tr::tr("a positive integer (kilobytes)"), out.maxFileKb);
    readInt(table, key, "max_files", 1, Tr::tr("a positive integer (files)"), out.maxFiles);
    readInt(table, key, "max_total_kb", 1, Tr::tr("a positive integer (kilobytes)"), out.maxTotalKb);
    int scope = 0;
    if (readChoice(table, key, "scope", {QStringLiteral("flag"), QStringLiteral("refuse")}, scope))
        out.scope = static_cast<PolicySection::Scope>(scope);
    readInt(table, key, "max_changed_lines", 1, Tr::tr("a positive integer (lines)"), out.maxChangedLines);
}

void ConfigReader::readTests(const toml::table &table, TestsSection &out)
{
    const QString key = QStringLiteral("tests");
    checkKeys(table, key, testsKeys);
    readString(table, key, "command", Tr::tr("a string (the command line that runs the tests)"), out.command);
    readInt(table, key, "timeout_s", 1, Tr::tr("a positive integer (seconds)"), out.timeoutS);
    readString(table,
               key,
               "report",
               Tr::tr("one of %1")
                   .arg(joinChoices({QStringLiteral("junit:PATH"), QStringLiteral("ctest"), QStringLiteral("pytest")})),
               out.report,
               [](const QString &value) { return checkReport(value, false); });
    readSandbox(table, key, out.sandbox);
    readInt(table, key, "scratch_mb", 1, Tr::tr("a positive integer (mebibytes)"), out.scratchMb);
}

void ConfigReader::readJobs(const toml::array &array, QList<JobConfig> &out)
{
    QHash<QString, std::size_t> firstByName;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const toml::node &element = *array.get(i);
        const QString key = indexKey(QStringLiteral("jobs"), i);
        const toml::table *table = element.as_table();
        if (!table) {
            wrongValue(element, key, Tr::tr("a table ([[jobs]])"));
            continue;
        }
        checkKeys(*table, key, jobKeys);

        JobConfig job;
        const QString nameExpectation = Tr::tr("a job name");
        const bool hasName = readString(*table, key, "name", nameExpectation, job.name, nonEmpty);
        if (!table->get("name")) {
            problem(table->source(),
                    childKey(key, "name"),
                    Tr::tr("expected %1, found none (every [[jobs]] entry needs a name and a command)")
                        .arg(nameExpectation));
        }
        const QString commandExpectation = Tr::tr("a command line");
        readString(*table, key, "command", commandExpectation, job.command, nonEmpty);
        if (!table->get("command")) {
            problem(table->source(),
                    childKey(key, "command"),
                    Tr::tr("expected %1, found none (every [[jobs]] entry needs a name and a command)")
                        .arg(commandExpectation));
        }
        readDuration(*table, key, "every", job.every);
        readInt(*table, key, "timeout_s", 1, Tr::tr("a positive integer (seconds)"), job.timeoutS);
        readString(*table,
                   key,
                   "report",
                   Tr::tr("one of %1")
                       .arg(joinChoices({QStringLiteral("junit:PATH"),
                                         QStringLiteral("ctest"),
                                         QStringLiteral("sarif:PATH"),
                                         QStringLiteral("clang-tidy-fixes:PATH")})),
                   job.report,
                   [](const QString &value) { return checkReport(value, true); });

        if (hasName) {
            const auto first = firstByName.constFind(job.name);
            if (first != firstByName.constEnd()) {
                wrongValue(*table->get("name"),
                           childKey(key, "name"),
                           Tr::tr("a name no other job has"),
                           Tr::tr("%1 has that name").arg(indexKey(QStringLiteral("jobs"), first.value())));
            } else {
                firstByName.insert(job.name, i);
            }
        }
        out.append(job);
    }
}

void ConfigReader::readGenerator(const toml::table &table, GeneratorSection &out)
{
    const QString key = QStringLiteral("generator");
    checkKeys(table, key, generatorKeys);
    readDuration(table, key, "interval", out.interval);
    readFraction(table, key, "min_confidence", out.minConfidence);
    const QString count = Tr::tr("an integer, 0 or more");
    readInt(table, key, "max_goals_per_day", 0, count, out.maxGoalsPerDay);
    readInt(table, key, "max_goals_per_detector_per_day", 0, count, out.maxGoalsPerDetectorPerDay);
    readBool(table, key, "auto_approve", out.autoApprove);
    readFraction(table, key, "auto_approve_confidence", out.autoApproveConfidence);
    readBool(table, key, "auto_approve_plans", out.autoApprovePlans);
}

void ConfigReader::readTeam(const toml::table &table, TeamSection &out)
{
    const QString key = QStringLiteral("team");
    checkKeys(table, key, teamKeys);
    readInt(table,
            key,
            "required_approvals",
            1,
            Tr::tr("a positive integer (people who approve)"),
            out.requiredApprovals);
    readBool(table, key, "separate_duties", out.separateDuties);
    std::chrono::seconds lease = out.lease;
    if (readDuration(table, key, "lease", lease)) {
        if (lease < std::chrono::seconds(2)) {
            if (const toml::node *node = table.get("lease")) {
                problem(node->source(),
                        childKey(key, "lease"),
                        Tr::tr("expected a duration of 2 s or more (a worker renews its lease every third of it)"));
            }
        } else {
            out.lease = lease;
        }
    }
}

void ConfigReader::readDetectors(const toml::table &detectors, DetectorsSection &out)
{
    const QString key = QStringLiteral("detectors");
    checkKeys(detectors, key, detectorsKeys, Tr::tr("unknown detector"));
    if (const toml::table *jobFailure = table(detectors, key, "job_failure")) {
        const QString jobFailureKey = childKey(key, "job_failure");
        checkKeys(*jobFailure, jobFailureKey, jobFailureKeys);
        readInt(*jobFailure,
                jobFailureKey,
                "threshold",
                1,
                Tr::tr("a positive integer (failed runs)"),
                out.jobFailure.threshold);
        readDuration(*jobFailure, jobFailureKey, "window", out.jobFailure.window);
    }
}

void ConfigReader::readPrinciples(const toml::array &array, QList<PrincipleConfig> &out)
{
    QHash<QString, std::size_t> firstByName;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const toml::node &element = *array.get(i);
        const QString key = indexKey(QStringLiteral("principles"), i);
        const toml::table *table = element.as_table();
        if (!table) {
            wrongValue(element, key, Tr::tr("a table ([[principles]])"));
            continue;
        }
        checkKeys(*table, key, principleKeys);

        PrincipleConfig principle;
        const QString nameExpectation = Tr::tr("a principle name");
        const bool hasName = readString(*table, key, "name", nameExpectation, principle.name, nonEmpty);
        if (!table->get("name")) {
            problem(table->source(),
                    childKey(key, "name"),
                    Tr::tr("expected %1, found none (every [[principles]] entry needs a name)").arg(nameExpectation));
        }
        readStringList(*table,
                       key,
                       "deny_paths",
                       Tr::tr("a path glob such as \"src/auth/\""),
                       principle.denyPaths,
                       nonEmpty);
        readStringList(
            *table,
            key,
            "deny_goal_text",
            Tr::tr("a regular expression"),
            principle.denyGoalText,
            [](const QString &pattern) {
                if (pattern.isEmpty())
                    return reject(Tr::tr("an empty pattern matches every goal"));
                const QRegularExpression expression(pattern);
                if (!expression.isValid()) {
                    return reject(Tr::tr("%1 at offset %2")
                                      .arg(expression.errorString(), QString::number(expression.patternErrorOffset())));
                }
                return accept();
            });

        if (hasName) {
            const auto first = firstByName.constFind(principle.name);
            if (first != firstByName.constEnd()) {
                wrongValue(*table->get("name"),
                           childKey(key, "name"),
                           Tr::tr("a name no other principle has"),
                           Tr::tr("%1 has that name").arg(indexKey(QStringLiteral("principles"), first.value())));
            } else {
                firstByName.insert(principle.name, i);
            }
        }
        out.append(principle);
    }
}

void ConfigReader::readProposer(const toml::table &table, ProposerSection &out)
{
    const QString key = QStringLiteral("proposer");
    checkKeys(table, key, proposerKeys);
    int kind = 0;
    const toml::node *kindNode = table.get("kind");
    if (kindNode && kindNode->is_string()) {
        const QString value = fromStd(kindNode->as_string()->get());
        if (value != u"command" && agentNames().contains(value)) {
            wrongValue(*kindNode,
                       childKey(key, "kind"),
                       Tr::tr("one of %1")
                           .arg(joinChoices({QStringLiteral("fixits"),
                                             QStringLiteral("openai"),
                                             QStringLiteral("command"),
                                             QStringLiteral("agent"),
                                             QStringLiteral("none")})),
                       Tr::tr("for %1 write kind = \"agent\" and agent = \"%1\"").arg(value));
            return;
        }
    }
    const bool hasKind = readChoice(table,
                                    key,
                                    "kind",
                                    {QStringLiteral("fixits"),
                                     QStringLiteral("openai"),
                                     QStringLiteral("command"),
                                     QStringLiteral("none"),
                                     QStringLiteral("agent")},
                                    kind);
    if (hasKind)
        out.kind = static_cast<ProposerSection::Kind>(kind);
    const QString urlExpectation = Tr::tr("an http:// or https:// URL such as \"http://127.0.0.1:8080/v1\"");
    readString(table, key, "base_url", urlExpectation, out.baseUrl, [](const QString &value) {
        return isHttpUrl(value) ? accept() : reject();
    });
    const QString modelExpectation = Tr::tr("a model name");
    readString(table, key, "model", modelExpectation, out.model, nonEmpty);
    readString(
        table,
        key,
        "api_key_env",
        Tr::tr("the name of an environment variable such as \"OPENAI_API_KEY\", or \"\" to send no key"),
        out.apiKeyEnv,
        [](const QString &value) { return value.isEmpty() || isEnvironmentVariableName(value) ? accept() : reject(); });
    const QString commandExpectation = Tr::tr("a command line");
    readString(table, key, "command", commandExpectation, out.command, nonEmpty);
    readInt(table, key, "timeout_s", 1, Tr::tr("a positive integer (seconds)"), out.timeoutS);
    const QStringList agents = agentNames();
    int agent = 0;
    if (readChoice(table, key, "agent", agents, agent))
        out.agent = agents.at(agent);
    readSandbox(table, key, out.sandbox);
    int network = 0;
    if (readChoice(table, key, "network", {QStringLiteral("none"), QStringLiteral("host")}, network))
        out.network = network == 1;
    readStringList(table,
                   key,
                   "read_only",
                   Tr::tr("an absolute path such as \"/opt/agent\" or \"~/.local/share/pipx/venvs/aider\""),
                   out.readOnly,
                   [](const QString &value) {
                       const bool ok =
                           (value.startsWith(u'/') || value == u"~" || value.startsWith(QLatin1String("~/")))
                           && !value.split(u'/').contains(QStringLiteral(".."));
                       return ok ? accept() : reject();
                   });
    readStringList(table,
                   key,
                   "env",
                   Tr::tr("the name of an environment variable such as \"ANTHROPIC_API_KEY\""),
                   out.env,
                   [](const QString &value) { return isEnvironmentVariableName(value) ? accept() : reject(); });
    readInt(table, key, "scratch_mb", 1, Tr::tr("a positive integer (mebibytes)"), out.scratchMb);

    if (!hasKind)
        return;
    const toml::source_region &kindSource = table.get("kind")->source();
    const auto requireFor = [&](std::string_view name, const QString &expectation) {
        if (table.get(name))
            return; // present: checked above
        problem(kindSource,
                childKey(key, name),
                Tr::tr("expected %1 because proposer.kind is \"%2\", found none")
                    .arg(expectation, proposerKindName(out.kind)));
    };
    if (out.kind == ProposerSection::Kind::OpenAI) {
        requireFor("base_url", urlExpectation);
        requireFor("model", modelExpectation);
    } else if (out.kind == ProposerSection::Kind::Command) {
        requireFor("command", commandExpectation);
    } else if (out.kind == ProposerSection::Kind::Agent) {
        requireFor("agent", Tr::tr("one of %1").arg(joinChoices(agents)));
        if (out.agent == u"command")
            requireFor("command", commandExpectation);
    }
}

QString ConfigReader::report() const
{
    QList<Problem> sorted = m_problems;
    const auto position = [](const Problem &problem) {
        // Problems without a position go last.
        const quint32 line = problem.line == 0 ? std::numeric_limits<quint32>::max() : problem.line;
        return std::make_pair(line, problem.column);
    };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const Problem &a, const Problem &b) {
        return position(a) < position(b);
    });

    QStringList lines;
    const auto shown = std::min<qsizetype>(sorted.size(), maxReportedProblems);
    for (qsizetype i = 0; i < shown; ++i) {
        const Problem &problem = sorted.at(i);
        QString where = m_path;
        if (problem.line > 0) {
            where += QLatin1Char(':') + QString::number(problem.line);
            if (problem.column > 0)
                where += QLatin1Char(':') + QString::number(problem.column);
        }
        if (!problem.key.isEmpty())
            where += QLatin1String(": ") + problem.key;
        lines.append(where + QLatin1String(": ") + problem.text);
    }
    if (sorted.size() > shown) {
        lines.append(m_path + QLatin1String(": ")
                     + Tr::tr("and %n more problem(s)", nullptr, static_cast<int>(sorted.size() - shown)));
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

const JobConfig *Config::job(const QString &name) const
{
    for (const JobConfig &candidate : jobs) {
        if (candidate.name == name)
            return &candidate;
    }
    return nullptr;
}

Config defaultConfig()
{
    return Config{};
}

Result<Config> parseConfig(const QByteArray &text, const QString &displayPath, const ConfigChecks &checks)
{
    toml::table root;
    try {
        root = toml::parse(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
    } catch (const toml::parse_error &error) {
        const toml::source_position &begin = error.source().begin;
        const QString message = displayPath + QLatin1Char(':') + QString::number(begin.line) + QLatin1Char(':')
            + QString::number(begin.column) + QLatin1String(": ")
            + Tr::tr("TOML syntax error: %1").arg(fromStd(error.description()));
        return makeError(message, ErrorKind::Invalid);
    }

    Config config = defaultConfig();
    config.sourcePath = displayPath;
    config.fromFile = true;
    ConfigReader reader(displayPath, checks);
    reader.read(root, config);
    if (reader.hasProblems())
        return makeError(reader.report(), ErrorKind::Invalid);
    return config;
}

Result<Config> loadConfigFile(const QString &path, const ConfigChecks &checks)
{
    QFile file(path);
    if (!file.exists()) {
        return makeError(
            Tr::tr("%1: no such file; run `astra init` to write a commented default configuration").arg(path),
            ErrorKind::NotFound);
    }
    if (!file.open(QIODevice::ReadOnly))
        return makeError(Tr::tr("%1: cannot read the configuration: %2").arg(path, file.errorString()));
    if (file.size() > maxConfigBytes)
        return makeError(Tr::tr("%1: the configuration is %2 bytes, more than the %3 a configuration may have; it is "
                                "not read.")
                             .arg(path)
                             .arg(file.size())
                             .arg(maxConfigBytes),
                         ErrorKind::Invalid);
    const QByteArray text = file.read(maxConfigBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return makeError(Tr::tr("%1: cannot read the configuration: %2").arg(path, file.errorString()));
    Result<Config> config = parseConfig(text, path, checks);
    if (config)
        qCDebug(lcConfig) << "loaded" << path;
    return config;
}

QString sandboxName(TestsSection::Sandbox sandbox)
{
    switch (sandbox) {
    case TestsSection::Sandbox::Auto:
        return QStringLiteral("auto");
    case TestsSection::Sandbox::Bwrap:
        return QStringLiteral("bwrap");
    case TestsSection::Sandbox::None:
        return QStringLiteral("none");
    }
    return QString();
}

QString proposerKindName(ProposerSection::Kind kind)
{
    switch (kind) {
    case ProposerSection::Kind::Fixits:
        return QStringLiteral("fixits");
    case ProposerSection::Kind::OpenAI:
        return QStringLiteral("openai");
    case ProposerSection::Kind::Command:
        return QStringLiteral("command");
    case ProposerSection::Kind::None:
        return QStringLiteral("none");
    case ProposerSection::Kind::Agent:
        return QStringLiteral("agent");
    }
    return QString();
}

QStringList agentNames()
{
    return {QStringLiteral("aider"),
            QStringLiteral("claude"),
            QStringLiteral("codex"),
            QStringLiteral("gemini"),
            QStringLiteral("goose"),
            QStringLiteral("opencode"),
            QStringLiteral("command")};
}

} // namespace astra
