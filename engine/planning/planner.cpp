#include "planning/planner.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <functional>
#include <optional>

namespace astra::hddl {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Planner)
};

using Binding = QHash<QString, QString>;

// A reason in the planner's words, and the same as a structured cause (see MethodAttempt::why).
struct Explained
{
    QString text;
    QJsonObject why;
};
constexpr QChar separator(0x1f);

// Facts by predicate; each fact is its arguments joined by `separator`.
struct State
{
    QHash<QString, QSet<QString>> facts;
    quint64 hash = 0; // of the facts that hold, kept with them: the same facts, the same hash

    static quint64 factHash(const QString &predicate, const QString &arguments)
    {
        // splitmix64 of both, so that the XOR of many facts stays well spread
        quint64 z = quint64(qHash(predicate)) * 0x9e3779b97f4a7c15ULL ^ quint64(qHash(arguments));
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    void insert(const QString &predicate, const QString &arguments)
    {
        QSet<QString> &set = facts[predicate];
        if (!set.contains(arguments)) {
            set.insert(arguments);
            hash ^= factHash(predicate, arguments);
        }
    }
    void remove(const QString &predicate, const QString &arguments)
    {
        auto it = facts.find(predicate);
        if (it != facts.end() && it->remove(arguments)) {
            hash ^= factHash(predicate, arguments);
        }
    }

    bool has(const QString &predicate, const QStringList &arguments) const
    {
        return facts.value(predicate).contains(arguments.join(separator));
    }
};

QString describeBinding(const Binding &binding, const QList<TypedName> &order)
{
    QStringList parts;
    for (const TypedName &variable : order) {
        if (binding.contains(variable.name)) {
            parts.append(variable.name + u'=' + binding.value(variable.name));
        }
    }
    return parts.join(u' ');
}

class Search
{
public:
    Search(const Domain &domain, const Problem &problem, const PlannerLimits &limits)
        : m_domain(domain)
        , m_problem(problem)
        , m_limits(limits)
    {
        for (const TypedName &constant : domain.constants) {
            m_types.insert(constant.name, constant.type);
        }
        for (const TypedName &object : problem.objects) {
            m_types.insert(object.name, object.type);
        }
        for (const Action &action : domain.actions) {
            m_actions.insert(action.name, &action);
        }
        for (const Method &method : domain.methods) {
            m_methods[method.task.task].append(&method);
        }
        // With a :goal, a method that goes on with its own task is tried before one that
        // stops: stopping early leaves work the goal needs undone, and the search would learn
        // it only at the end of the plan, after everything in between. Otherwise the domain's
        // order stands.
        if (problem.goal.kind != Formula::Kind::True) {
            for (auto it = m_methods.begin(); it != m_methods.end(); ++it) {
                const QString task = it.key();
                std::stable_partition(it->begin(), it->end(), [&](const Method *method) {
                    return std::any_of(method->subtasks.cbegin(), method->subtasks.cend(), [&](const TaskCall &call) {
                        return call.task == task;
                    });
                });
            }
        }
    }

    PlanResult run()
    {
        m_timer.start();
        State state;
        for (const GroundAtom &atom : m_problem.init) {
            state.insert(atom.predicate, atom.arguments.join(separator));
        }
        Binding htn; // the variables of the initial task network, open until the search binds them
        for (const TypedName &parameter : m_problem.htnParameters) {
            htn.insert(parameter.name, newCell(parameter.name, parameter.type));
        }
        QList<Open> agenda;
        for (const TaskCall &call : m_problem.htnTasks) {
            DecompositionNode node;
            node.name = call.task;
            for (const QString &term : call.arguments) {
                node.arguments.append(resolve(term, htn));
            }
            node.primitive = m_actions.contains(call.task);
            m_result.roots.append(int(m_result.nodes.size()));
            agenda.append(Open{call.task, node.arguments, int(m_result.nodes.size()), 0});
            m_result.nodes.append(node);
        }
        const bool solved = step(agenda, state);
        if (solved) {
            m_result.outcome = PlanResult::Outcome::Solved;
            bindOpenCells();
        } else if (m_stop) {
            m_result.outcome = *m_stop;
        } else if (m_depthCut) {
            m_result.outcome = PlanResult::Outcome::DepthLimit;
        } else {
            m_result.outcome = PlanResult::Outcome::Exhausted;
        }
        if (!solved) {
            for (int root : std::as_const(m_result.roots)) {
                if (!m_result.nodes.at(root).attempts.isEmpty() || m_result.nodes.at(root).primitive) {
                    m_result.failedTask =
                        m_result.nodes.at(root).name + u' ' + m_result.nodes.at(root).arguments.join(u' ');
                    m_result.failure = m_result.nodes.at(root).attempts;
                    break;
                }
            }
            if (!m_deepest.text.isEmpty() && m_result.failure.isEmpty()) {
                m_result.failedTask = m_deepestTask;
                m_result.failure.append(MethodAttempt{QString(), QString(), m_deepest.text, m_deepest.why});
            }
        }
        for (int i = 0; i < m_result.nodes.size(); ++i) {
            m_result.nodes[i].id = i;
        }
        m_result.elapsedMs = m_timer.elapsed();
        return m_result;
    }

private:
    struct Open
    {
        QString task;
        QStringList arguments; // objects, or cells (see newCell) still open
        int node;
        int depth;
        int ends = -1; // not a task: the end of the decomposition of node `ends`
        quint64 key = 0; // with `ends`: the situation (see situation) it was decomposed in
    };

    // What the search needs of a method, worked out once.
    struct MethodInfo
    {
        QList<const Formula *> atoms; // the positive atoms of its precondition, matched first
        QList<TypedName> conditioned; // the parameters its precondition mentions
        QHash<QString, QString> types; // parameter -> type
    };

    static QList<const Formula *> positiveAtoms(const Formula &precondition)
    {
        QList<const Formula *> atoms;
        if (precondition.kind == Formula::Kind::Atom) {
            atoms.append(&precondition);
        } else if (precondition.kind == Formula::Kind::And) {
            for (const Formula &child : precondition.children) {
                if (child.kind == Formula::Kind::Atom) {
                    atoms.append(&child);
                }
            }
        }
        return atoms;
    }

    static void mentioned(const Formula &f, QSet<QString> &out)
    {
        for (const QString &term : f.arguments) {
            if (term.startsWith(u'?')) {
                out.insert(term);
            }
        }
        for (const Formula &child : f.children) {
            mentioned(child, out);
        }
    }

    const MethodInfo &methodInfo(const Method &method)
    {
        auto it = m_methodInfo.find(&method);
        if (it == m_methodInfo.end()) {
            MethodInfo info;
            info.atoms = positiveAtoms(method.precondition);
            QSet<QString> names;
            mentioned(method.precondition, names);
            for (const TypedName &parameter : method.parameters) {
                info.types.insert(parameter.name, parameter.type);
                if (names.contains(parameter.name)) {
                    info.conditioned.append(parameter);
                }
            }
            it = m_methodInfo.insert(&method, info);
        }
        return *it;
    }

    // After a plan is found: every node's arguments as bound, and the cells nothing bound given
    // the first object of their type (any object of it would do).
    void bindOpenCells()
    {
        for (DecompositionNode &node : m_result.nodes) {
            for (QString &argument : node.arguments) {
                argument = value(argument);
                if (isCell(argument)) {
                    const QStringList objects = objectsOf(m_cellTypes.value(argument));
                    if (!objects.isEmpty()) {
                        m_env.insert(argument, objects.constFirst());
                        argument = objects.constFirst();
                    }
                }
            }
        }
    }

    QString resolve(const QString &term, const Binding &binding) const
    {
        return term.startsWith(u'?') ? binding.value(term) : term;
    }

    QStringList objectsOf(const QString &type) const
    {
        QStringList objects;
        for (auto it = m_types.cbegin(); it != m_types.cend(); ++it) {
            if (m_domain.isSubtype(it.value(), type)) {
                objects.append(it.key());
            }
        }
        objects.sort();
        return objects;
    }

    // `binding` extended by every combination of objects for `variables` (forall).
    QList<Binding> expand(const Binding &binding, const QList<TypedName> &variables) const
    {
        QList<Binding> bindings{binding};
        for (const TypedName &variable : variables) {
            QList<Binding> next;
            for (const Binding &partial : std::as_const(bindings)) {
                for (const QString &object : objectsOf(variable.type)) {
                    Binding extended = partial;
                    extended.insert(variable.name, object);
                    next.append(extended);
                }
            }
            bindings = next;
        }
        return bindings;
    }

    bool typeFits(const QString &object, const QString &type) const
    {
        return m_types.contains(object) && m_domain.isSubtype(m_types.value(object), type);
    }

    bool holds(const Formula &f, const Binding &binding, const State &state) const
    {
        switch (f.kind) {
        case Formula::Kind::True:
            return true;
        case Formula::Kind::Atom: {
            QStringList arguments;
            for (const QString &term : f.arguments) {
                arguments.append(resolve(term, binding));
            }
            return state.has(f.predicate, arguments);
        }
        case Formula::Kind::Equals:
            return resolve(f.arguments.at(0), binding) == resolve(f.arguments.at(1), binding);
        case Formula::Kind::Not:
            return !holds(f.children.constFirst(), binding, state);
        case Formula::Kind::And:
            for (const Formula &child : f.children) {
                if (!holds(child, binding, state)) {
                    return false;
                }
            }
            return true;
        case Formula::Kind::Or:
            for (const Formula &child : f.children) {
                if (holds(child, binding, state)) {
                    return true;
                }
            }
            return false;
        case Formula::Kind::Imply:
            return !holds(f.children.at(0), binding, state) || holds(f.children.at(1), binding, state);
        case Formula::Kind::Forall:
        case Formula::Kind::Exists: {
            const bool all = f.kind == Formula::Kind::Forall;
            return quantify(f, 0, binding, state, all);
        }
        }
        return false;
    }

    bool quantify(const Formula &f, int index, Binding binding, const State &state, bool all) const
    {
        if (index == f.variables.size()) {
            return holds(f.children.constFirst(), binding, state);
        }
        const TypedName &variable = f.variables.at(index);
        for (const QString &object : objectsOf(variable.type)) {
            binding.insert(variable.name, object);
            const bool value = quantify(f, index + 1, binding, state, all);
            if (all && !value) {
                return false;
            }
            if (!all && value) {
                return true;
            }
        }
        return all;
    }

    void collectEffects(const Effect &e,
                        const Binding &binding,
                        const State &before,
                        QList<QPair<bool, QPair<QString, QStringList>>> &out) const
    {
        switch (e.kind) {
        case Effect::Kind::None:
            return;
        case Effect::Kind::Add:
        case Effect::Kind::Delete: {
            QStringList arguments;
            for (const QString &term : e.arguments) {
                arguments.append(resolve(term, binding));
            }
            out.append({e.kind == Effect::Kind::Add, {e.predicate, arguments}});
            return;
        }
        case Effect::Kind::And:
            for (const Effect &child : e.children) {
                collectEffects(child, binding, before, out);
            }
            return;
        case Effect::Kind::When:
            if (holds(e.condition, binding, before)) {
                collectEffects(e.children.constFirst(), binding, before, out);
            }
            return;
        case Effect::Kind::Forall: {
            for (const Binding &full : expand(binding, e.variables)) {
                collectEffects(e.children.constFirst(), full, before, out);
            }
            return;
        }
        }
    }

    State apply(const Effect &effect, const Binding &binding, const State &before) const
    {
        QList<QPair<bool, QPair<QString, QStringList>>> changes;
        collectEffects(effect, binding, before, changes);
        State after = before;
        for (const auto &change : std::as_const(changes)) {
            if (!change.first) {
                after.remove(change.second.first, change.second.second.join(separator));
            }
        }
        for (const auto &change : std::as_const(changes)) {
            if (change.first) {
                after.insert(change.second.first, change.second.second.join(separator));
            }
        }
        return after;
    }

    // The bindings of `free` that make `precondition` true, found by matching its positive
    // atoms against the state first and enumerating what is left by type.
    void bindings(const Formula &precondition,
                  const QList<const Formula *> &atoms,
                  int index,
                  const Binding &binding,
                  const QList<TypedName> &free,
                  const State &state,
                  QList<Binding> &out) const
    {
        if (index < atoms.size()) {
            const Formula &atom = *atoms.at(index);
            // Sorted, so that the search (and the plan) is the same on every run.
            QStringList facts = state.facts.value(atom.predicate).values();
            facts.sort();
            for (const QString &fact : std::as_const(facts)) {
                const QStringList values = fact.isEmpty() ? QStringList() : fact.split(separator);
                if (values.size() != atom.arguments.size()) {
                    continue;
                }
                Binding extended = binding;
                bool fits = true;
                for (int i = 0; i < values.size() && fits; ++i) {
                    const QString &term = atom.arguments.at(i);
                    if (!term.startsWith(u'?')) {
                        fits = term == values.at(i);
                    } else if (extended.contains(term)) {
                        fits = extended.value(term) == values.at(i);
                    } else {
                        const auto declared = std::find_if(free.cbegin(), free.cend(), [&](const TypedName &v) {
                            return v.name == term;
                        });
                        fits = declared == free.cend() || typeFits(values.at(i), declared->type);
                        extended.insert(term, values.at(i));
                    }
                }
                if (fits) {
                    bindings(precondition, atoms, index + 1, extended, free, state, out);
                }
            }
            return;
        }
        for (const TypedName &variable : free) {
            if (!binding.contains(variable.name)) {
                for (const QString &object : objectsOf(variable.type)) {
                    Binding extended = binding;
                    extended.insert(variable.name, object);
                    bindings(precondition, atoms, index, extended, free, state, out);
                }
                return;
            }
        }
        if (holds(precondition, binding, state)) {
            out.append(binding);
        }
    }

    QString show(const Formula &f, const Binding &binding) const
    {
        QStringList arguments;
        for (const QString &term : f.arguments) {
            const QString value = resolve(term, binding);
            arguments.append(value.isEmpty() ? term : value);
        }
        if (f.kind == Formula::Kind::Equals) {
            return QStringLiteral("(= %1)").arg(arguments.join(u' '));
        }
        return QStringLiteral("(%1%2)").arg(f.predicate, arguments.isEmpty() ? QString() : u' ' + arguments.join(u' '));
    }

    // A fact of a condition, as the structured cause names it.
    QJsonObject factJson(const char *kind, const Formula &f, const Binding &binding) const
    {
        QJsonObject why;
        why.insert(QStringLiteral("kind"), QLatin1String(kind));
        QStringList arguments;
        for (const QString &term : f.arguments) {
            const QString value = resolve(term, binding);
            arguments.append(value.isEmpty() ? term : value);
        }
        if (f.kind == Formula::Kind::Equals) {
            why.insert(QStringLiteral("equals"), true);
        } else {
            why.insert(QStringLiteral("predicate"), f.predicate);
        }
        why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(arguments));
        why.insert(QStringLiteral("line"), f.position.line);
        return why;
    }

    static QJsonObject causeJson(const char *kind, int line = 0)
    {
        QJsonObject why;
        why.insert(QStringLiteral("kind"), QLatin1String(kind));
        if (line > 0) {
            why.insert(QStringLiteral("line"), line);
        }
        return why;
    }

    // Says which part of a false formula is false, down to an atom where it can.
    Explained explainFalse(const Formula &f, const Binding &binding, const State &state) const
    {
        switch (f.kind) {
        case Formula::Kind::True:
            return {};
        case Formula::Kind::Atom:
        case Formula::Kind::Equals:
            return {Tr::tr("%1 is false").arg(show(f, binding)), factJson("false", f, binding)};
        case Formula::Kind::Not: {
            const Formula &inner = f.children.constFirst();
            if (inner.kind == Formula::Kind::Atom || inner.kind == Formula::Kind::Equals) {
                QJsonObject why = factJson("holds", inner, binding);
                why.insert(QStringLiteral("line"), f.position.line);
                return {Tr::tr("%1 holds, and the negative condition at line %2 needs it not to")
                            .arg(show(inner, binding))
                            .arg(f.position.line),
                        why};
            }
            return {Tr::tr("the negative condition at line %1 is false").arg(f.position.line),
                    causeJson("negation", f.position.line)};
        }
        case Formula::Kind::And:
            for (const Formula &child : f.children) {
                if (!holds(child, binding, state)) {
                    return explainFalse(child, binding, state);
                }
            }
            return {};
        case Formula::Kind::Or:
            return {Tr::tr("none of the alternatives at line %1 holds").arg(f.position.line),
                    causeJson("none-of", f.position.line)};
        case Formula::Kind::Imply:
            return explainFalse(f.children.at(1), binding, state);
        case Formula::Kind::Forall: {
            for (const Binding &full : expand(binding, f.variables)) {
                if (!holds(f.children.constFirst(), full, state)) {
                    Explained inner = explainFalse(f.children.constFirst(), full, state);
                    QJsonObject each;
                    for (const TypedName &variable : f.variables) {
                        each.insert(variable.name, full.value(variable.name));
                    }
                    inner.why.insert(QStringLiteral("for"), each);
                    return {Tr::tr("for %1: %2").arg(describeBinding(full, f.variables), inner.text), inner.why};
                }
            }
            return {};
        }
        case Formula::Kind::Exists:
            return {Tr::tr("nothing satisfies the condition at line %1").arg(f.position.line),
                    causeJson("nothing", f.position.line)};
        }
        return {};
    }

    // Why the precondition fails under `binding`: the first conjunct that is false.
    Explained whyFalse(const Formula &precondition, const Binding &binding, const State &state) const
    {
        const QList<Formula> conjuncts =
            precondition.kind == Formula::Kind::And ? precondition.children : QList<Formula>{precondition};
        for (const Formula &conjunct : conjuncts) {
            if (conjunct.kind == Formula::Kind::Atom) {
                bool bound = true;
                QStringList arguments;
                for (const QString &term : conjunct.arguments) {
                    const QString value = resolve(term, binding);
                    bound = bound && !value.isEmpty();
                    arguments.append(value.isEmpty() ? term : value);
                }
                if (!bound) {
                    if (state.facts.value(conjunct.predicate).isEmpty()) {
                        return {Tr::tr("no fact (%1 …) holds").arg(conjunct.predicate),
                                factJson("no-fact", conjunct, binding)};
                    }
                    continue;
                }
                if (!state.has(conjunct.predicate, arguments)) {
                    return {Tr::tr("%1 is false").arg(show(conjunct, binding)), factJson("false", conjunct, binding)};
                }
            } else if (!holds(conjunct, binding, state)) {
                return explainFalse(conjunct, binding, state);
            }
        }
        return {Tr::tr("no binding of the remaining parameters satisfies the precondition"),
                causeJson("no-binding", precondition.position.line)};
    }

    bool limitReached()
    {
        if (m_stop) {
            return true;
        }
        if (m_limits.cancel && m_limits.cancel->load()) {
            m_stop = PlanResult::Outcome::Cancelled;
        } else if (m_result.expansions > m_limits.maxNodes) {
            m_stop = PlanResult::Outcome::NodeLimit;
        } else if ((m_result.expansions & 0xff) == 0 && m_timer.elapsed() > m_limits.timeoutMs) {
            m_stop = PlanResult::Outcome::TimeLimit;
        }
        return m_stop.has_value();
    }

    // A variable of the task network that no method or action has bound yet: the problem's
    // :htn parameters, and method parameters that its task does not give and its precondition
    // does not mention (bound later, by the subtasks that use them).
    QString newCell(const QString &variable, const QString &type)
    {
        const QString cell = variable + u'#' + QString::number(m_cellCount++);
        m_cellTypes.insert(cell, type);
        return cell;
    }

    static bool isCell(const QString &term)
    {
        return term.startsWith(u'?') && term.contains(u'#');
    }

    // A task's argument as far as the search has bound it: an object, or a cell still open.
    QString value(QString term) const
    {
        while (isCell(term)) {
            const auto it = m_env.constFind(term);
            if (it == m_env.cend()) {
                break;
            }
            term = *it;
        }
        return term;
    }

    // Binds the still open cells of `terms` (resolved through `binding`) to their values there.
    bool bindCell(const QString &cell, const QString &object)
    {
        if (!typeFits(object, m_cellTypes.value(cell))) {
            return false;
        }
        m_env.insert(cell, object);
        return true;
    }

    // Where a task and its arguments are being decomposed in a state: the same key again below
    // it means the search has come round in a circle.
    static quint64 mix(quint64 h, quint64 v)
    {
        h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        return h;
    }
    quint64 situation(const Open &open, const State &state) const
    {
        quint64 h = mix(state.hash, qHash(open.task));
        for (const QString &argument : open.arguments) {
            h = mix(h, qHash(value(argument)));
        }
        return h;
    }

    bool step(QList<Open> agenda, const State &state)
    {
        if (limitReached()) {
            return false;
        }
        if (agenda.isEmpty()) {
            return holds(m_problem.goal, {}, state);
        }
        const Open open = agenda.takeFirst();
        if (open.ends >= 0) {
            // The task of node `ends` is done: it no longer counts as being decomposed.
            m_decomposing.remove(open.key);
            if (step(agenda, state)) {
                return true;
            }
            m_decomposing.insert(open.key);
            return false;
        }
        ++m_result.expansions;
        if (open.depth > m_limits.maxDepth) {
            m_depthCut = true;
            return false;
        }
        if (const Action *action = m_actions.value(open.task)) {
            return stepAction(*action, open, agenda, state);
        }
        return stepCompound(open, agenda, state);
    }

    bool stepAction(const Action &action, const Open &open, const QList<Open> &agenda, const State &state)
    {
        Binding binding;
        QHash<QString, QString> cells; // parameter -> the open cell it stands for
        for (int i = 0; i < action.parameters.size(); ++i) {
            const QString argument = value(open.arguments.at(i));
            const TypedName &parameter = action.parameters.at(i);
            if (isCell(argument)) {
                cells.insert(parameter.name, argument);
                continue;
            }
            if (!typeFits(argument, parameter.type)) {
                QJsonObject why = causeJson("not-a", action.position.line);
                why.insert(QStringLiteral("object"), argument);
                why.insert(QStringLiteral("type"), parameter.type);
                noteFailure(open, {Tr::tr("%1 is not a %2").arg(argument, parameter.type), why});
                return false;
            }
            binding.insert(parameter.name, argument);
        }
        QList<Binding> candidates;
        if (cells.isEmpty()) {
            if (holds(action.precondition, binding, state)) {
                candidates.append(binding);
            }
        } else {
            // Arguments left open by the methods above are bound here, by the precondition.
            bindings(action.precondition,
                     positiveAtoms(action.precondition),
                     0,
                     binding,
                     action.parameters,
                     state,
                     candidates);
        }
        if (candidates.isEmpty()) {
            const Explained inner = whyFalse(action.precondition, binding, state);
            QJsonObject why = causeJson("action", action.position.line);
            why.insert(QStringLiteral("action"), action.name);
            QStringList shown;
            for (const QString &argument : open.arguments) {
                shown.append(value(argument));
            }
            why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(shown));
            why.insert(QStringLiteral("below"), inner.why);
            noteFailure(open, {Tr::tr("action %1: %2").arg(action.name, inner.text), why});
            return false;
        }
        for (const Binding &candidate : std::as_const(candidates)) {
            const Binding envBefore = m_env;
            bool fits = true;
            for (auto it = cells.cbegin(); it != cells.cend() && fits; ++it) {
                fits = bindCell(it.value(), candidate.value(it.key()));
            }
            if (fits) {
                const State next = apply(action.effect, candidate, state);
                m_result.plan.append(open.node);
                if (step(agenda, next)) {
                    return true;
                }
                m_result.plan.removeLast();
            }
            m_env = envBefore;
            if (m_stop) {
                return false;
            }
        }
        return false;
    }

    bool stepCompound(const Open &open, const QList<Open> &agenda, const State &state)
    {
        const quint64 key = situation(open, state);
        if (m_decomposing.contains(key)) {
            // The same task with the same arguments in the same state is already being
            // decomposed above: going on would only go round in a circle.
            QJsonObject why = causeJson("loop");
            why.insert(QStringLiteral("task"), open.task);
            QStringList shown;
            for (const QString &argument : open.arguments) {
                shown.append(value(argument));
            }
            why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(shown));
            noteFailure(open,
                        {Tr::tr("%1 %2 is already being decomposed in this same state further up; this way "
                                "would go round in a circle")
                             .arg(open.task, shown.join(u' ')),
                         why});
            ++m_result.loopsCut;
            return false;
        }
        m_decomposing.insert(key);
        const bool solved = tryMethods(open, key, agenda, state);
        if (!solved) {
            m_decomposing.remove(key);
        }
        return solved;
    }

    bool tryMethods(const Open &open, quint64 key, const QList<Open> &agenda, const State &state)
    {
        const int attemptsBefore = int(m_result.nodes.at(open.node).attempts.size());
        for (const Method *methodPointer : m_methods.value(open.task)) {
            const Method &method = *methodPointer;
            MethodAttempt attempt;
            attempt.method = method.name;
            Binding head;
            QHash<QString, QString> aliases; // parameter -> the open cell the task gives it
            QList<QPair<QString, QString>> constantCells; // open cells the method's task binds to a constant
            bool matches = true;
            for (int i = 0; i < method.task.arguments.size() && matches; ++i) {
                const QString &term = method.task.arguments.at(i);
                const QString argument = value(open.arguments.at(i));
                if (!term.startsWith(u'?')) {
                    matches = isCell(argument) ? typeFits(term, m_cellTypes.value(argument)) : term == argument;
                    if (matches && isCell(argument)) {
                        constantCells.append({argument, term});
                    }
                    continue;
                }
                const auto declared = std::find_if(method.parameters.cbegin(),
                                                   method.parameters.cend(),
                                                   [&](const TypedName &v) { return v.name == term; });
                const QString type = declared != method.parameters.cend() ? declared->type : QStringLiteral("object");
                if (isCell(argument)) {
                    if (head.contains(term)) {
                        constantCells.append({argument, head.value(term)}); // bound by the other place
                    } else if (aliases.contains(term)) {
                        matches = aliases.value(term) == argument;
                    } else {
                        const QString cellType = m_cellTypes.value(argument);
                        matches = m_domain.isSubtype(type, cellType) || m_domain.isSubtype(cellType, type);
                        aliases.insert(term, argument);
                    }
                    continue;
                }
                if ((head.contains(term) && head.value(term) != argument) || !typeFits(argument, type)) {
                    matches = false;
                }
                if (aliases.contains(term)) {
                    constantCells.append({aliases.take(term), argument}); // bound by this place
                }
                head.insert(term, argument);
            }
            if (!matches) {
                attempt.binding = describeBinding(head, method.parameters);
                attempt.reason = Tr::tr("the task's arguments do not fit the method's parameters");
                attempt.why = causeJson("arguments", method.position.line);
                m_result.nodes[open.node].attempts.append(attempt);
                continue;
            }
            // The parameters the precondition mentions are bound now, from the state; the
            // others stay open until a subtask binds them.
            const MethodInfo &info = methodInfo(method);
            QList<Binding> candidates;
            bindings(method.precondition, info.atoms, 0, head, info.conditioned, state, candidates);
            if (candidates.isEmpty()) {
                // Explain with the first binding the state offers, if any.
                QList<Binding> offered;
                bindings(Formula{}, info.atoms, 0, head, info.conditioned, state, offered);
                const Binding shown = offered.isEmpty() ? head : offered.constFirst();
                attempt.binding = describeBinding(shown, method.parameters);
                const Explained why = whyFalse(method.precondition, shown, state);
                attempt.reason = Tr::tr("precondition: %1").arg(why.text);
                attempt.why = why.why;
                m_result.nodes[open.node].attempts.append(attempt);
                continue;
            }
            for (const Binding &candidate : std::as_const(candidates)) {
                const Binding envBefore = m_env;
                const QHash<QString, QString> cellTypesBefore = m_cellTypes;
                Binding binding = candidate;
                bool fits = true;
                for (const auto &[cell, object] : std::as_const(constantCells)) {
                    fits = fits && bindCell(cell, object);
                }
                for (auto it = aliases.cbegin(); it != aliases.cend() && fits; ++it) {
                    if (binding.contains(it.key())) {
                        fits = bindCell(it.value(), binding.value(it.key()));
                    } else {
                        binding.insert(it.key(), it.value());
                        const QString cellType = m_cellTypes.value(it.value());
                        const QString type = info.types.value(it.key());
                        if (m_domain.isSubtype(type, cellType)) {
                            m_cellTypes.insert(it.value(), type); // the narrower type binds it
                        }
                    }
                }
                if (!fits) {
                    m_env = envBefore;
                    m_cellTypes = cellTypesBefore;
                    continue;
                }
                for (const TypedName &parameter : method.parameters) {
                    if (!binding.contains(parameter.name)) {
                        binding.insert(parameter.name, newCell(parameter.name, parameter.type));
                    }
                }
                const qsizetype nodesBefore = m_result.nodes.size();
                QList<Open> next;
                QList<int> children;
                for (const TaskCall &call : method.subtasks) {
                    DecompositionNode child;
                    child.name = call.task;
                    child.primitive = m_actions.contains(call.task);
                    for (const QString &term : call.arguments) {
                        child.arguments.append(resolve(term, binding));
                    }
                    child.parent = open.node;
                    children.append(int(m_result.nodes.size()));
                    next.append(Open{child.name, child.arguments, int(m_result.nodes.size()), open.depth + 1});
                    m_result.nodes.append(child);
                }
                m_result.nodes[open.node].children = children;
                m_result.nodes[open.node].method = method.name;
                Open end;
                end.node = open.node;
                end.ends = open.node;
                end.key = key;
                next.append(end);
                next += agenda;
                MethodAttempt tried{method.name, describeBinding(binding, method.parameters), QString(), {}};
                m_result.nodes[open.node].attempts.append(tried);
                const int attemptIndex = int(m_result.nodes.at(open.node).attempts.size()) - 1;
                const Furthest outside = std::exchange(m_branch, Furthest{});
                if (step(next, state)) {
                    return true;
                }
                m_env = envBefore;
                m_cellTypes = cellTypesBefore;
                // The failure this branch got furthest to is its reason: the ones after it are
                // backtracking. It also counts for the branches around this one.
                const Furthest within = m_branch;
                if (outside.actions >= within.actions) {
                    m_branch = outside;
                }
                // Undo this branch: its nodes, and the plan steps it added.
                m_result.nodes.erase(m_result.nodes.begin() + nodesBefore, m_result.nodes.end());
                m_result.nodes[open.node].children.clear();
                m_result.nodes[open.node].method.clear();
                MethodAttempt &failed = m_result.nodes[open.node].attempts[attemptIndex];
                if (m_stop) {
                    failed.reason = Tr::tr("the search stopped (%1)").arg(toString(*m_stop));
                    failed.why = causeJson("stopped");
                    failed.why.insert(QStringLiteral("outcome"), toString(*m_stop));
                } else {
                    const Furthest &cause = within.actions >= 0 ? within : Furthest{0, m_deepestTask, m_deepest};
                    failed.reason = Tr::tr("its subtasks could not be completed: %1").arg(cause.reason.text);
                    failed.why = causeJson("subtasks");
                    failed.why.insert(QStringLiteral("task"), cause.task);
                    failed.why.insert(QStringLiteral("below"), cause.reason.why);
                }
                if (m_stop) {
                    return false;
                }
            }
        }
        const QList<MethodAttempt> &attempts = m_result.nodes.at(open.node).attempts;
        if (attempts.size() == attemptsBefore) {
            QJsonObject why = causeJson("no-method");
            why.insert(QStringLiteral("task"), open.task);
            noteFailure(open, {Tr::tr("no method decomposes %1").arg(open.task), why});
        } else if (!m_stop) {
            const MethodAttempt &last = attempts.constLast();
            QJsonObject why = causeJson("no-method-works");
            why.insert(QStringLiteral("task"), open.task);
            QStringList shown;
            for (const QString &argument : open.arguments) {
                shown.append(value(argument));
            }
            why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(shown));
            why.insert(QStringLiteral("method"), last.method);
            why.insert(QStringLiteral("below"), last.why);
            noteFailure(open,
                        {Tr::tr("no method of %1 %2 works; the last, %3 [%4]: %5")
                             .arg(open.task, shown.join(u' '), last.method, last.binding, last.reason),
                         why});
        }
        return false;
    }

    void noteFailure(const Open &open, const Explained &reason)
    {
        m_deepestTask = open.task + u' ' + open.arguments.join(u' ');
        m_deepest = reason;
        if (m_result.plan.size() > m_branch.actions) {
            m_branch = Furthest{int(m_result.plan.size()), m_deepestTask, reason};
        }
        // The first failure after the most actions: where the search came closest to a plan.
        if (m_result.plan.size() > m_result.furthestActions) {
            m_result.furthestActions = int(m_result.plan.size());
            m_result.furthestTask = m_deepestTask;
            m_result.furthestReason = reason.text;
            m_result.furthestWhy = reason.why;
        }
    }

    const Domain &m_domain;
    const Problem &m_problem;
    const PlannerLimits &m_limits;
    QHash<QString, QString> m_types;
    QHash<QString, const Action *> m_actions;
    QHash<QString, QList<const Method *>> m_methods; // by the task they decompose, in domain order
    QHash<const Method *, MethodInfo> m_methodInfo;
    QSet<quint64> m_decomposing; // the situations of the compound tasks being decomposed
    Binding m_env; // cell -> what it is bound to
    QHash<QString, QString> m_cellTypes; // cell -> type
    int m_cellCount = 0;
    QElapsedTimer m_timer;
    PlanResult m_result;
    std::optional<PlanResult::Outcome> m_stop;
    bool m_depthCut = false;
    QString m_deepestTask;
    Explained m_deepest;
    // The failure after the most actions in the method attempt being searched.
    struct Furthest
    {
        int actions = -1;
        QString task;
        Explained reason;
    };
    Furthest m_branch;
};
} // namespace

QString toString(PlanResult::Outcome outcome)
{
    switch (outcome) {
    case PlanResult::Outcome::Solved:
        return QStringLiteral("solved");
    case PlanResult::Outcome::Exhausted:
        return QStringLiteral("exhausted");
    case PlanResult::Outcome::NodeLimit:
        return QStringLiteral("node limit");
    case PlanResult::Outcome::DepthLimit:
        return QStringLiteral("depth limit");
    case PlanResult::Outcome::TimeLimit:
        return QStringLiteral("time limit");
    case PlanResult::Outcome::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QString();
}

QString PlanResult::toIpcFormat(const Domain &domain, const Problem &problem) const
{
    const auto call = [&](const DecompositionNode &node) {
        QStringList words{spelled(domain, problem, node.name)};
        for (const QString &argument : node.arguments) {
            words.append(spelled(domain, problem, argument));
        }
        return words.join(u' ');
    };
    QString out = QStringLiteral("==>\n");
    for (int index : plan) {
        const DecompositionNode &node = nodes.at(index);
        out += QStringLiteral("%1 %2\n").arg(node.id).arg(call(node));
    }
    QStringList rootIds;
    for (int root : roots) {
        rootIds.append(QString::number(nodes.at(root).id));
    }
    out += QStringLiteral("root ") + rootIds.join(u' ') + u'\n';
    for (const DecompositionNode &node : nodes) {
        if (node.primitive) {
            continue;
        }
        QStringList children;
        for (int child : node.children) {
            children.append(QString::number(nodes.at(child).id));
        }
        out += QStringLiteral("%1 %2 -> %3").arg(node.id).arg(call(node), spelled(domain, problem, node.method));
        if (!children.isEmpty()) {
            out += u' ' + children.join(u' ');
        }
        out += u'\n';
    }
    out += QStringLiteral("<==\n");
    return out;
}

QString PlanResult::toTree() const
{
    QString out;
    std::function<void(int, int)> print = [&](int index, int depth) {
        const DecompositionNode &node = nodes.at(index);
        const QString indent(depth * 2, u' ');
        out += indent + (node.primitive ? QStringLiteral("action ") : QStringLiteral("task "))
            + QStringList(QStringList{node.name} + node.arguments).join(u' ');
        if (!node.method.isEmpty()) {
            out += QStringLiteral(" -> ") + node.method;
        }
        out += u'\n';
        for (const MethodAttempt &attempt : node.attempts) {
            if (!attempt.reason.isEmpty()) {
                out +=
                    indent + QStringLiteral("  x %1 [%2]: %3\n").arg(attempt.method, attempt.binding, attempt.reason);
            }
        }
        for (int child : node.children) {
            print(child, depth + 1);
        }
    };
    for (int root : roots) {
        print(root, 0);
    }
    return out;
}

PlanResult solve(const Domain &domain, const Problem &problem, const PlannerLimits &limits)
{
    Search search(domain, problem, limits);
    return search.run();
}

} // namespace astra::hddl
