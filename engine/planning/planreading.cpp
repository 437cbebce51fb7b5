#include "planning/planreading.h"

#include "planning/goalplanning.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSet>

#include <mutex>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PlanReading)
};

const QString builtinName = QStringLiteral("code-maintenance");

// "?g=g7 ?f=file1" -> {?g: g7, ?f: file1}
QHash<QString, QString> bindingOf(const QStringList &arguments)
{
    QHash<QString, QString> binding;
    for (const QString &argument : arguments) {
        const qsizetype equals = argument.indexOf(u'=');
        if (equals > 0) {
            binding.insert(argument.left(equals), argument.mid(equals + 1));
        }
    }
    return binding;
}

QStringList stringsOf(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &item : value.toArray()) {
        out.append(item.toString());
    }
    return out;
}

// The line of the deepest cause: the condition that decided it.
int deepestLine(const QJsonObject &cause)
{
    const QJsonObject below = cause.value(QStringLiteral("below")).toObject();
    if (!below.isEmpty()) {
        if (const int line = deepestLine(below); line > 0) {
            return line;
        }
    }
    return cause.value(QStringLiteral("line")).toInt();
}
} // namespace

QString SourceRef::toString() const
{
    return QStringLiteral("%1:%2").arg(file).arg(line);
}

PlanReading::PlanReading(const PlanRecord &plan, std::shared_ptr<const hddl::Domain> domain)
    : m_plan(plan)
    , m_domain(std::move(domain))
{
    if (m_domain) {
        m_meanings = m_domain->meanings;
    }
    const QByteArray problem = m_plan.problem.toUtf8();
    const QHash<QString, QString> meanings = hddl::readMeanings(problem);
    for (auto it = meanings.cbegin(); it != meanings.cend(); ++it) {
        m_meanings.insert(it.key(), it.value());
    }
    if (meanings.isEmpty()) {
        // Plans stored before "@means": "; Goal 7: title" and "; file1 = path" at the top.
        static const QRegularExpression goalLine(QStringLiteral("^; Goal (\\d+): (.*)$"));
        static const QRegularExpression fileLine(QStringLiteral("^; (file\\d+) = (.*)$"));
        for (const QString &line : m_plan.problem.split(u'\n')) {
            if (const auto match = goalLine.match(line); match.hasMatch()) {
                m_meanings.insert(u'g' + match.captured(1), match.captured(2));
            } else if (const auto file = fileLine.match(line); file.hasMatch()) {
                m_meanings.insert(file.captured(1), file.captured(2));
            }
        }
    }
    // Steps are the actions in the order of a depth-first walk, which is the order they run in.
    const auto children = planChildren(m_plan.nodes);
    int step = 0;
    std::function<void(qint64)> number = [&](qint64 parent) {
        for (const PlanNodeRecord *node : children.value(parent)) {
            if (node->kind == PlanNodeRecord::Kind::Action) {
                m_steps.insert(node->id, ++step);
            }
            number(node->id);
        }
    };
    number(0);
}

std::shared_ptr<const hddl::Domain> PlanReading::domainOf(const PlanRecord &plan)
{
    if (plan.domain != builtinName) {
        return nullptr;
    }
    static std::once_flag once;
    static std::shared_ptr<const hddl::Domain> builtin;
    std::call_once(once, [] {
        if (auto domain = builtinDomain()) {
            builtin = std::make_shared<const hddl::Domain>(std::move(*domain));
        }
    });
    return builtin;
}

QString PlanReading::domainSource(const QString &file)
{
    if (file != builtinName + QStringLiteral(".hddl")) {
        return QString();
    }
    return QString::fromUtf8(builtinDomainSource());
}

QString PlanReading::meaning(const QString &object) const
{
    const QString text = m_meanings.value(object.toLower());
    return text.isEmpty() ? object : text;
}

QString PlanReading::fill(const QString &text, const QHash<QString, QString> &binding) const
{
    static const QRegularExpression variable(QStringLiteral("\\?[A-Za-z][A-Za-z0-9_-]*"));
    QString out;
    qsizetype from = 0;
    for (auto it = variable.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        out += text.mid(from, match.capturedStart() - from);
        const QString value = binding.value(match.captured().toLower());
        out += value.isEmpty() ? match.captured() : meaning(value);
        from = match.capturedEnd();
    }
    out += text.mid(from);
    return out;
}

QHash<QString, QString> PlanReading::parameterBinding(const QList<hddl::TypedName> &parameters,
                                                      const QStringList &arguments) const
{
    QHash<QString, QString> binding;
    for (int i = 0; i < parameters.size() && i < arguments.size(); ++i) {
        binding.insert(parameters.at(i).name, arguments.at(i));
    }
    return binding;
}

QString PlanReading::symbol(const PlanNodeRecord &node)
{
    return QStringList(QStringList{node.name} + node.arguments).join(u' ');
}

QString PlanReading::title(const PlanNodeRecord &node) const
{
    QString text;
    QHash<QString, QString> binding;
    if (m_domain) {
        switch (node.kind) {
        case PlanNodeRecord::Kind::Task:
            if (const hddl::CompoundTask *task = m_domain->task(node.name)) {
                text = task->text;
                binding = parameterBinding(task->parameters, node.arguments);
            }
            break;
        case PlanNodeRecord::Kind::Action:
            if (const hddl::Action *action = m_domain->action(node.name)) {
                text = action->text;
                binding = parameterBinding(action->parameters, node.arguments);
            }
            break;
        case PlanNodeRecord::Kind::Method:
        case PlanNodeRecord::Kind::RejectedMethod:
            if (const hddl::Method *method = m_domain->method(node.name)) {
                text = method->text;
                binding = bindingOf(node.arguments);
            }
            break;
        }
    }
    if (!text.isEmpty()) {
        return fill(text, binding);
    }
    // No words in the domain: the name, with the objects by what they stand for.
    QStringList arguments;
    for (const QString &argument : node.arguments) {
        const qsizetype equals = argument.indexOf(u'=');
        arguments.append(equals > 0 ? meaning(argument.mid(equals + 1)) : meaning(argument));
    }
    return QString(node.name + u' ' + arguments.join(u' ')).trimmed();
}

QString PlanReading::factText(const QJsonObject &cause, bool holds) const
{
    const QStringList arguments = stringsOf(cause.value(QStringLiteral("arguments")));
    if (cause.value(QStringLiteral("equals")).toBool() && arguments.size() == 2) {
        return holds ? Tr::tr("%1 is %2").arg(meaning(arguments.at(0)), meaning(arguments.at(1)))
                     : Tr::tr("%1 is not %2").arg(meaning(arguments.at(0)), meaning(arguments.at(1)));
    }
    const QString name = cause.value(QStringLiteral("predicate")).toString();
    if (m_domain) {
        if (const hddl::Predicate *predicate = m_domain->predicate(name)) {
            const QString text = holds ? predicate->whenTrue : predicate->whenFalse;
            if (!text.isEmpty()) {
                return fill(text, parameterBinding(predicate->parameters, arguments));
            }
        }
    }
    QStringList shown;
    for (const QString &argument : arguments) {
        shown.append(meaning(argument));
    }
    const QString fact = QStringLiteral("(%1)").arg(QStringList(QStringList{name} + shown).join(u' '));
    return holds ? Tr::tr("%1 holds").arg(fact) : Tr::tr("%1 is false").arg(fact);
}

QString PlanReading::why(const QJsonObject &cause) const
{
    const QString kind = cause.value(QStringLiteral("kind")).toString();
    const QJsonObject below = cause.value(QStringLiteral("below")).toObject();
    const auto titled = [this](PlanNodeRecord::Kind nodeKind, const QString &name, const QJsonValue &arguments) {
        PlanNodeRecord node;
        node.kind = nodeKind;
        node.name = name;
        node.arguments = stringsOf(arguments);
        return title(node);
    };
    if (kind == u"false") {
        return factText(cause, false);
    }
    if (kind == u"holds") {
        return factText(cause, true);
    }
    if (kind == u"no-fact") {
        return factText(cause, false);
    }
    if (kind == u"negation") {
        return Tr::tr("a condition that must not hold does");
    }
    if (kind == u"none-of") {
        return Tr::tr("none of the alternatives holds");
    }
    if (kind == u"nothing") {
        return Tr::tr("nothing in the workspace satisfies the condition");
    }
    if (kind == u"no-binding") {
        return Tr::tr("nothing in the workspace fits its parameters");
    }
    if (kind == u"arguments") {
        return Tr::tr("it does not apply to this task");
    }
    if (kind == u"stopped") {
        return Tr::tr("the search stopped (%1) before it was tried to the end")
            .arg(cause.value(QStringLiteral("outcome")).toString());
    }
    if (kind == u"not-a") {
        return Tr::tr("%1 is not a %2")
            .arg(meaning(cause.value(QStringLiteral("object")).toString()),
                 cause.value(QStringLiteral("type")).toString());
    }
    if (kind == u"subtasks") {
        return Tr::tr("a later step could not be done: %1").arg(why(below));
    }
    if (kind == u"action") {
        return Tr::tr("“%1” could not run: %2")
            .arg(titled(PlanNodeRecord::Kind::Action,
                        cause.value(QStringLiteral("action")).toString(),
                        cause.value(QStringLiteral("arguments"))),
                 why(below));
    }
    if (kind == u"no-method") {
        return Tr::tr("the domain has no way to do “%1”")
            .arg(titled(PlanNodeRecord::Kind::Task, cause.value(QStringLiteral("task")).toString(), QJsonArray()));
    }
    if (kind == u"loop") {
        return Tr::tr(
                   "“%1” is already being worked out from this same situation further up: this way "
                   "would go round in a circle")
            .arg(titled(PlanNodeRecord::Kind::Task,
                        cause.value(QStringLiteral("task")).toString(),
                        cause.value(QStringLiteral("arguments"))));
    }
    if (kind == u"no-method-works") {
        return Tr::tr("no way to “%1” works: %2")
            .arg(titled(PlanNodeRecord::Kind::Task,
                        cause.value(QStringLiteral("task")).toString(),
                        cause.value(QStringLiteral("arguments"))),
                 why(below));
    }
    return QString();
}

QString PlanReading::why(const PlanNodeRecord &node) const
{
    if (node.kind != PlanNodeRecord::Kind::RejectedMethod) {
        return QString();
    }
    const QString sentence = why(node.why);
    return sentence.isEmpty() ? node.reason : sentence;
}

int PlanReading::cost(const PlanNodeRecord &node) const
{
    if (node.kind != PlanNodeRecord::Kind::Action) {
        return 0;
    }
    const hddl::Action *action = m_domain ? m_domain->action(node.name) : nullptr;
    return action ? action->cost : 1;
}

QString PlanReading::failure() const
{
    const QJsonObject &furthest = m_plan.failureWhy;
    if (furthest.isEmpty()) {
        return QString();
    }
    PlanNodeRecord task;
    task.kind = m_domain && m_domain->action(furthest.value(QStringLiteral("task")).toString())
        ? PlanNodeRecord::Kind::Action
        : PlanNodeRecord::Kind::Task;
    task.name = furthest.value(QStringLiteral("task")).toString();
    task.arguments = stringsOf(furthest.value(QStringLiteral("arguments")));
    QJsonObject cause = furthest.value(QStringLiteral("why")).toObject();
    if (const QString kind = cause.value(QStringLiteral("kind")).toString();
        kind == u"no-method-works" || kind == u"action") {
        cause = cause.value(QStringLiteral("below")).toObject(); // the task is named already
    }
    QString text = Tr::tr("No plan: the search came furthest after %n step(s), at “%1”: %2.",
                          nullptr,
                          furthest.value(QStringLiteral("actions")).toInt())
                       .arg(title(task), why(cause));
    if (m_domain) {
        if (const int line = deepestLine(cause); line > 0) {
            text += QStringLiteral(" [%1]").arg(SourceRef{m_domain->file, line}.toString());
        }
    }
    return text;
}

SourceRef PlanReading::source(const PlanNodeRecord &node) const
{
    if (!m_domain) {
        return {};
    }
    SourceRef ref{m_domain->file, 0};
    switch (node.kind) {
    case PlanNodeRecord::Kind::RejectedMethod:
        ref.line = deepestLine(node.why);
        if (ref.line > 0) {
            break;
        }
        [[fallthrough]];
    case PlanNodeRecord::Kind::Method:
        if (const hddl::Method *method = m_domain->method(node.name)) {
            ref.line = method->position.line;
        }
        break;
    case PlanNodeRecord::Kind::Task:
        if (const hddl::CompoundTask *task = m_domain->task(node.name)) {
            ref.line = task->position.line;
        }
        break;
    case PlanNodeRecord::Kind::Action:
        if (const hddl::Action *action = m_domain->action(node.name)) {
            ref.line = action->position.line;
        }
        break;
    }
    return ref;
}

QString PlanReading::text(bool symbolic, const std::function<QString(const PlanNodeRecord &)> &status) const
{
    const auto children = planChildren(m_plan.nodes);
    QString out;
    std::function<void(qint64, int)> print = [&](qint64 parent, int depth) {
        for (const PlanNodeRecord *node : children.value(parent)) {
            QString line(depth * 2, u' ');
            const QString name = symbolic ? symbol(*node) : title(*node);
            switch (node->kind) {
            case PlanNodeRecord::Kind::Task:
                line += name;
                break;
            case PlanNodeRecord::Kind::Method:
                line += QStringLiteral("→ ") + name;
                break;
            case PlanNodeRecord::Kind::Action:
                line += QStringLiteral("%1. ").arg(m_steps.value(node->id)) + name;
                break;
            case PlanNodeRecord::Kind::RejectedMethod: {
                const SourceRef ref = source(*node);
                line += Tr::tr("✗ %1: not taken, %2").arg(name, symbolic ? node->reason : why(*node));
                if (ref.isValid()) {
                    line += QStringLiteral(" [%1]").arg(ref.toString());
                }
                break;
            }
            }
            if (status && node->kind == PlanNodeRecord::Kind::Action) {
                if (const QString state = status(*node); !state.isEmpty()) {
                    line += QStringLiteral(" — ") + state;
                }
            }
            out += line + u'\n';
            print(node->id, depth + 1);
        }
    };
    print(0, 0);
    return out;
}

namespace {
struct TaskPlace
{
    const PlanNodeRecord *task = nullptr;
    const PlanNodeRecord *chosen = nullptr;
    QHash<QString, const PlanNodeRecord *> rejected; // by method name
};

// Compound tasks by their place: the symbols of the tasks from the root down to them.
QList<std::pair<QString, TaskPlace>> taskPlaces(const PlanRecord &plan)
{
    const auto children = planChildren(plan.nodes);
    QList<std::pair<QString, TaskPlace>> out;
    std::function<void(qint64, const QString &)> walk = [&](qint64 parent, const QString &path) {
        QHash<QString, int> seen;
        for (const PlanNodeRecord *node : children.value(parent)) {
            if (node->kind == PlanNodeRecord::Kind::Task) {
                const QString symbol = PlanReading::symbol(*node);
                const QString key = path + u'/' + symbol + u'#' + QString::number(seen[symbol]++);
                TaskPlace place;
                place.task = node;
                for (const PlanNodeRecord *way : children.value(node->id)) {
                    if (way->kind == PlanNodeRecord::Kind::Method) {
                        place.chosen = way;
                    } else if (way->kind == PlanNodeRecord::Kind::RejectedMethod) {
                        place.rejected.insert(way->name, way);
                    }
                }
                out.append({key, place});
                walk(node->id, key);
            } else {
                walk(node->id, path);
            }
        }
    };
    walk(0, QString());
    return out;
}
} // namespace

QList<PlanChange> comparePlans(const PlanReading &older, const PlanReading &newer, bool symbolic)
{
    QList<PlanChange> changes;
    const auto name = [symbolic](const PlanReading &reading, const PlanNodeRecord &node) {
        return symbolic ? PlanReading::symbol(node) : reading.title(node);
    };
    const auto because = [symbolic](const PlanReading &reading, const PlanNodeRecord &node) {
        return symbolic ? node.reason : reading.why(node);
    };
    const bool olderSolved = older.plan().outcome == u"solved";
    const bool newerSolved = newer.plan().outcome == u"solved";
    if (olderSolved != newerSolved) {
        PlanChange change;
        change.kind = PlanChange::Kind::Outcome;
        change.text = newerSolved ? Tr::tr("Plan %1 found no plan (%2); plan %3 found one.")
                                        .arg(older.plan().id)
                                        .arg(older.plan().outcome)
                                        .arg(newer.plan().id)
                                  : Tr::tr("Plan %1 had a plan; plan %2 found none (%3).")
                                        .arg(older.plan().id)
                                        .arg(newer.plan().id)
                                        .arg(newer.plan().outcome);
        changes.append(change);
    }
    const auto olderPlaces = taskPlaces(older.plan());
    const auto newerPlaces = taskPlaces(newer.plan());
    QHash<QString, TaskPlace> olderByKey;
    for (const auto &[key, place] : olderPlaces) {
        olderByKey.insert(key, place);
    }
    QSet<QString> matched;
    for (const auto &[key, now] : newerPlaces) {
        const auto before = olderByKey.constFind(key);
        if (before == olderByKey.cend()) {
            PlanChange change;
            change.kind = PlanChange::Kind::TaskAdded;
            change.task = name(newer, *now.task);
            change.newerNode = now.task->id;
            change.text = Tr::tr("New: %1").arg(change.task);
            changes.append(change);
            continue;
        }
        matched.insert(key);
        const PlanNodeRecord *was = before->chosen;
        const PlanNodeRecord *is = now.chosen;
        PlanChange change;
        change.task = name(newer, *now.task);
        change.olderNode = before->task->id;
        change.newerNode = now.task->id;
        if (was && is && was->name == is->name) {
            if (was->arguments == is->arguments) {
                continue;
            }
            change.kind = PlanChange::Kind::BindingChanged;
            change.text = Tr::tr("%1: the same way with other objects, “%2” instead of “%3”.")
                              .arg(change.task, name(newer, *is), name(older, *was));
            changes.append(change);
            continue;
        }
        change.kind = PlanChange::Kind::MethodChanged;
        const QString wasText = was ? name(older, *was) : Tr::tr("no way found");
        const QString isText = is ? name(newer, *is) : Tr::tr("no way found");
        QString text = Tr::tr("%1: “%2” instead of “%3”.").arg(change.task, isText, wasText);
        if (was) {
            if (const PlanNodeRecord *rejected = now.rejected.value(was->name)) {
                text += u' ' + Tr::tr("“%1” is not taken now: %2.").arg(wasText, because(newer, *rejected));
            }
        }
        if (is) {
            if (const PlanNodeRecord *rejected = before->rejected.value(is->name)) {
                text += u' ' + Tr::tr("“%1” was not taken before: %2.").arg(isText, because(older, *rejected));
            }
        }
        change.text = text;
        changes.append(change);
    }
    for (const auto &[key, place] : olderPlaces) {
        if (matched.contains(key)) {
            continue;
        }
        PlanChange change;
        change.kind = PlanChange::Kind::TaskRemoved;
        change.task = name(older, *place.task);
        change.olderNode = place.task->id;
        change.text = Tr::tr("No longer in the plan: %1").arg(change.task);
        changes.append(change);
    }
    // The same task added (or removed) at several places is said once, with how often: a
    // recursion such as reading file after file.
    QList<PlanChange> merged;
    QHash<QString, int> seen; // kind and text -> index in merged
    QHash<int, int> times;
    for (const PlanChange &change : std::as_const(changes)) {
        const bool countable =
            change.kind == PlanChange::Kind::TaskAdded || change.kind == PlanChange::Kind::TaskRemoved;
        const QString key = QString::number(int(change.kind)) + u'|' + change.text;
        if (countable && seen.contains(key)) {
            ++times[seen.value(key)];
            continue;
        }
        if (countable) {
            seen.insert(key, int(merged.size()));
            times.insert(int(merged.size()), 1);
        }
        merged.append(change);
    }
    for (auto it = times.cbegin(); it != times.cend(); ++it) {
        if (it.value() > 1) {
            PlanChange &change = merged[it.key()];
            change.text = Tr::tr("%1 (%n times)", nullptr, it.value()).arg(change.text);
        }
    }
    return merged;
}

} // namespace astra
