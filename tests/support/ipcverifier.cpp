#include "ipcverifier.h"

#include <QHash>
#include <QMap>
#include <QSet>

#include <functional>
#include <optional>

namespace astra::test {

namespace {

using hddl::Domain;
using hddl::Effect;
using hddl::Formula;
using hddl::Problem;
using hddl::TypedName;
using Binding = QHash<QString, QString>;
using State = QSet<QString>;

struct Line
{
    int id = 0;
    QString name;
    QStringList arguments;
    QString method; // abstract lines
    QList<int> children;
    bool primitive = true;
};

QString atomKey(const QString &predicate, const QStringList &arguments)
{
    return (QStringList{predicate} + arguments).join(u' ');
}

class Checker
{
public:
    Checker(const Domain &domain, const Problem &problem)
        : m_domain(domain)
        , m_problem(problem)
    {
        for (const TypedName &constant : domain.constants) {
            m_types.insert(constant.name, constant.type);
        }
        for (const TypedName &object : problem.objects) {
            m_types.insert(object.name, object.type);
        }
    }

    QString check(const QString &planText)
    {
        if (QString error = parse(planText); !error.isEmpty()) {
            return error;
        }
        if (QString error = checkTree(); !error.isEmpty()) {
            return error;
        }
        return execute();
    }

private:
    QString parse(const QString &text)
    {
        QStringList lines;
        for (const QString &raw : text.split(u'\n')) {
            const QString line = raw.trimmed();
            if (line.isEmpty()) {
                continue;
            }
            // Names are compared exactly, as the competition's verifier does: as declared.
            for (const QString &word : line.split(u' ', Qt::SkipEmptyParts)) {
                const QString declared = hddl::spelled(m_domain, m_problem, word.toLower());
                if (word != declared && word != u"->" && word != u"==>" && word != u"<==") {
                    return QStringLiteral("'%1' is declared as '%2'; a plan must use the exact name")
                        .arg(word, declared);
                }
            }
            lines.append(line.toLower());
        }
        if (lines.size() < 3 || lines.first() != u"==>" || lines.last() != u"<==") {
            return QStringLiteral("the plan must start with '==>' and end with '<=='");
        }
        bool afterRoot = false;
        for (int i = 1; i < lines.size() - 1; ++i) {
            const QStringList words = lines.at(i).split(u' ', Qt::SkipEmptyParts);
            if (words.first() == u"root") {
                if (afterRoot) {
                    return QStringLiteral("two 'root' lines");
                }
                afterRoot = true;
                for (int w = 1; w < words.size(); ++w) {
                    bool ok = false;
                    m_roots.append(words.at(w).toInt(&ok));
                    if (!ok) {
                        return QStringLiteral("root: '%1' is not an id").arg(words.at(w));
                    }
                }
                continue;
            }
            bool ok = false;
            Line line;
            line.id = words.first().toInt(&ok);
            if (!ok || words.size() < 2) {
                return QStringLiteral("line '%1' does not start with an id and a name").arg(lines.at(i));
            }
            if (m_lines.contains(line.id)) {
                return QStringLiteral("id %1 is defined twice").arg(line.id);
            }
            const int arrow = words.indexOf(QStringLiteral("->"));
            line.name = words.at(1);
            if (!afterRoot) {
                if (arrow >= 0) {
                    return QStringLiteral("a decomposition line before 'root': %1").arg(lines.at(i));
                }
                line.arguments = words.mid(2);
                m_actions.append(line.id);
            } else {
                if (arrow < 0 || arrow + 1 >= words.size()) {
                    return QStringLiteral("abstract task line without '-> method': %1").arg(lines.at(i));
                }
                line.primitive = false;
                line.arguments = words.mid(2, arrow - 2);
                line.method = words.at(arrow + 1);
                for (int w = arrow + 2; w < words.size(); ++w) {
                    line.children.append(words.at(w).toInt(&ok));
                    if (!ok) {
                        return QStringLiteral("child '%1' of %2 is not an id").arg(words.at(w)).arg(line.id);
                    }
                }
            }
            m_lines.insert(line.id, line);
        }
        if (!afterRoot) {
            return QStringLiteral("no 'root' line");
        }
        return {};
    }

    bool typeFits(const QString &object, const QString &type) const
    {
        return m_types.contains(object) && m_domain.isSubtype(m_types.value(object), type);
    }

    // Binds `terms` (variables or constants) to `values` in `binding`.
    QString unify(const QStringList &terms,
                  const QStringList &values,
                  const QList<TypedName> &parameters,
                  Binding &binding) const
    {
        if (terms.size() != values.size()) {
            return QStringLiteral("%1 arguments where %2 are expected").arg(values.size()).arg(terms.size());
        }
        for (int i = 0; i < terms.size(); ++i) {
            const QString &term = terms.at(i);
            if (!term.startsWith(u'?')) {
                if (term != values.at(i)) {
                    return QStringLiteral("constant %1 does not match %2").arg(term, values.at(i));
                }
                continue;
            }
            if (binding.contains(term) && binding.value(term) != values.at(i)) {
                return QStringLiteral("%1 is bound to both %2 and %3").arg(term, binding.value(term), values.at(i));
            }
            for (const TypedName &parameter : parameters) {
                if (parameter.name == term && !typeFits(values.at(i), parameter.type)) {
                    return QStringLiteral("%1 = %2 is not of type %3").arg(term, values.at(i), parameter.type);
                }
            }
            binding.insert(term, values.at(i));
        }
        return {};
    }

    QString checkTree()
    {
        QHash<int, int> uses;
        for (int root : std::as_const(m_roots)) {
            ++uses[root];
        }
        for (const Line &line : std::as_const(m_lines)) {
            for (int child : line.children) {
                ++uses[child];
            }
        }
        for (auto it = m_lines.constBegin(); it != m_lines.constEnd(); ++it) {
            if (uses.value(it.key()) != 1) {
                return QStringLiteral("id %1 is used %2 times in the decomposition")
                    .arg(it.key())
                    .arg(uses.value(it.key()));
            }
        }
        for (auto it = uses.constBegin(); it != uses.constEnd(); ++it) {
            if (!m_lines.contains(it.key())) {
                return QStringLiteral("id %1 is referenced but not defined").arg(it.key());
            }
        }
        if (m_roots.size() != m_problem.htnTasks.size()) {
            return QStringLiteral("%1 roots for a task network of %2")
                .arg(m_roots.size())
                .arg(m_problem.htnTasks.size());
        }
        Binding roots; // the network's variables, one value each for all its tasks
        for (int i = 0; i < m_roots.size(); ++i) {
            const Line &root = m_lines.value(m_roots.at(i));
            const hddl::TaskCall &call = m_problem.htnTasks.at(i);
            Binding &binding = roots;
            if (root.name != call.task
                || !unify(call.arguments, root.arguments, m_problem.htnParameters, binding).isEmpty()) {
                return QStringLiteral("root %1 (%2) is not the network's task %3")
                    .arg(root.id)
                    .arg(root.name, call.task);
            }
        }
        for (const Line &line : std::as_const(m_lines)) {
            if (line.primitive) {
                const hddl::Action *action = m_domain.action(line.name);
                if (!action) {
                    return QStringLiteral("%1 is not an action of the domain").arg(line.name);
                }
                Binding binding;
                QStringList names;
                for (const TypedName &parameter : action->parameters) {
                    names.append(parameter.name);
                }
                if (QString error = unify(names, line.arguments, action->parameters, binding); !error.isEmpty()) {
                    return QStringLiteral("action %1 %2: %3").arg(line.id).arg(line.name, error);
                }
                continue;
            }
            if (!m_domain.task(line.name)) {
                return QStringLiteral("%1 is not a compound task of the domain").arg(line.name);
            }
            const hddl::Method *method = nullptr;
            for (const hddl::Method &candidate : m_domain.methods) {
                if (candidate.name == line.method) {
                    method = &candidate;
                }
            }
            if (!method || method->task.task != line.name) {
                return QStringLiteral("%1 is not a method of %2").arg(line.method, line.name);
            }
            Binding binding;
            if (QString error = unify(method->task.arguments, line.arguments, method->parameters, binding);
                !error.isEmpty()) {
                return QStringLiteral("task %1 via %2: %3").arg(line.id).arg(line.method, error);
            }
            if (line.children.size() != method->subtasks.size()) {
                return QStringLiteral("task %1 via %2 has %3 children; the method has %4 subtasks")
                    .arg(line.id)
                    .arg(line.method)
                    .arg(line.children.size())
                    .arg(method->subtasks.size());
            }
            for (int i = 0; i < line.children.size(); ++i) {
                const Line &child = m_lines.value(line.children.at(i));
                const hddl::TaskCall &subtask = method->subtasks.at(i);
                if (child.name != subtask.task) {
                    return QStringLiteral("child %1 of %2 is %3; the method's subtask %4 is %5")
                        .arg(child.id)
                        .arg(line.id)
                        .arg(child.name)
                        .arg(i + 1)
                        .arg(subtask.task);
                }
                if (QString error = unify(subtask.arguments, child.arguments, method->parameters, binding);
                    !error.isEmpty()) {
                    return QStringLiteral("child %1 of %2: %3").arg(child.id).arg(line.id).arg(error);
                }
            }
            m_bindings.insert(line.id, binding);
        }
        // The leaves in order are the action lines in order.
        QList<int> leaves;
        std::function<void(int)> walk = [&](int id) {
            const Line &line = m_lines.value(id);
            if (line.primitive) {
                m_position.insert(id, int(leaves.size()));
                leaves.append(id);
                return;
            }
            m_position.insert(id, int(leaves.size()));
            for (int child : line.children) {
                walk(child);
            }
        };
        for (int root : std::as_const(m_roots)) {
            walk(root);
        }
        if (leaves != m_actions) {
            return QStringLiteral("the actions are not in the order of the decomposition's leaves");
        }
        return {};
    }

    QStringList objectsOf(const QString &type) const
    {
        QStringList objects;
        for (auto it = m_types.constBegin(); it != m_types.constEnd(); ++it) {
            if (m_domain.isSubtype(it.value(), type)) {
                objects.append(it.key());
            }
        }
        return objects;
    }

    QString ground(const QString &term, const Binding &binding) const
    {
        return term.startsWith(u'?') ? binding.value(term) : term;
    }

    bool holds(const Formula &formula, const Binding &binding, const State &state) const
    {
        switch (formula.kind) {
        case Formula::Kind::True:
            return true;
        case Formula::Kind::Atom: {
            QStringList arguments;
            for (const QString &argument : formula.arguments) {
                arguments.append(ground(argument, binding));
            }
            return state.contains(atomKey(formula.predicate, arguments));
        }
        case Formula::Kind::Equals:
            return ground(formula.arguments.at(0), binding) == ground(formula.arguments.at(1), binding);
        case Formula::Kind::Not:
            return !holds(formula.children.first(), binding, state);
        case Formula::Kind::And:
            for (const Formula &child : formula.children) {
                if (!holds(child, binding, state)) {
                    return false;
                }
            }
            return true;
        case Formula::Kind::Or:
            for (const Formula &child : formula.children) {
                if (holds(child, binding, state)) {
                    return true;
                }
            }
            return false;
        case Formula::Kind::Imply:
            return !holds(formula.children.at(0), binding, state) || holds(formula.children.at(1), binding, state);
        case Formula::Kind::Forall:
        case Formula::Kind::Exists: {
            const bool all = formula.kind == Formula::Kind::Forall;
            std::function<bool(int, Binding &)> each = [&](int index, Binding &extended) -> bool {
                if (index == formula.variables.size()) {
                    return holds(formula.children.first(), extended, state);
                }
                for (const QString &object : objectsOf(formula.variables.at(index).type)) {
                    extended.insert(formula.variables.at(index).name, object);
                    if (each(index + 1, extended) != all) {
                        return !all;
                    }
                }
                return all;
            };
            Binding extended = binding;
            return each(0, extended);
        }
        }
        return false;
    }

    void effects(const Effect &effect, const Binding &binding, const State &before, State &adds, State &deletes) const
    {
        switch (effect.kind) {
        case Effect::Kind::None:
            return;
        case Effect::Kind::Add:
        case Effect::Kind::Delete: {
            QStringList arguments;
            for (const QString &argument : effect.arguments) {
                arguments.append(ground(argument, binding));
            }
            (effect.kind == Effect::Kind::Add ? adds : deletes).insert(atomKey(effect.predicate, arguments));
            return;
        }
        case Effect::Kind::And:
            for (const Effect &child : effect.children) {
                effects(child, binding, before, adds, deletes);
            }
            return;
        case Effect::Kind::When:
            if (holds(effect.condition, binding, before)) {
                for (const Effect &child : effect.children) {
                    effects(child, binding, before, adds, deletes);
                }
            }
            return;
        case Effect::Kind::Forall: {
            std::function<void(int, Binding &)> each = [&](int index, Binding &extended) {
                if (index == effect.variables.size()) {
                    for (const Effect &child : effect.children) {
                        effects(child, extended, before, adds, deletes);
                    }
                    return;
                }
                for (const QString &object : objectsOf(effect.variables.at(index).type)) {
                    extended.insert(effect.variables.at(index).name, object);
                    each(index + 1, extended);
                }
            };
            Binding extended = binding;
            each(0, extended);
            return;
        }
        }
    }

    QString execute()
    {
        QList<State> states;
        State state;
        for (const hddl::GroundAtom &atom : m_problem.init) {
            state.insert(atomKey(atom.predicate, atom.arguments));
        }
        states.append(state);
        for (int id : std::as_const(m_actions)) {
            const Line &line = m_lines.value(id);
            const hddl::Action *action = m_domain.action(line.name);
            Binding binding;
            for (int i = 0; i < action->parameters.size(); ++i) {
                binding.insert(action->parameters.at(i).name, line.arguments.at(i));
            }
            if (!holds(action->precondition, binding, state)) {
                return QStringLiteral("the precondition of action %1 (%2 %3) does not hold")
                    .arg(id)
                    .arg(line.name, line.arguments.join(u' '));
            }
            State adds;
            State deletes;
            effects(action->effect, binding, state, adds, deletes);
            state.subtract(deletes);
            state.unite(adds);
            states.append(state);
        }
        for (auto it = m_bindings.constBegin(); it != m_bindings.constEnd(); ++it) {
            const Line &line = m_lines.value(it.key());
            const hddl::Method *method = nullptr;
            for (const hddl::Method &candidate : m_domain.methods) {
                if (candidate.name == line.method) {
                    method = &candidate;
                }
            }
            // Parameters only in the precondition may be bound to anything that makes it hold.
            QList<TypedName> free;
            for (const TypedName &parameter : method->parameters) {
                if (!it.value().contains(parameter.name)) {
                    free.append(parameter);
                }
            }
            const State &before = states.at(m_position.value(line.id));
            std::function<bool(int, Binding &)> some = [&](int index, Binding &binding) -> bool {
                if (index == free.size()) {
                    return holds(method->precondition, binding, before);
                }
                for (const QString &object : objectsOf(free.at(index).type)) {
                    binding.insert(free.at(index).name, object);
                    if (some(index + 1, binding)) {
                        return true;
                    }
                }
                return false;
            };
            Binding binding = it.value();
            if (!some(0, binding)) {
                return QStringLiteral("the precondition of method %1 for task %2 does not hold")
                    .arg(line.method)
                    .arg(line.id);
            }
        }
        if (!holds(m_problem.goal, {}, states.constLast())) {
            return QStringLiteral("the problem's :goal does not hold after the last action");
        }
        return {};
    }

    const Domain &m_domain;
    const Problem &m_problem;
    QHash<QString, QString> m_types;
    QMap<int, Line> m_lines;
    QList<int> m_roots;
    QList<int> m_actions;
    QHash<int, Binding> m_bindings;
    QHash<int, int> m_position; // node -> index of the state it starts in
};

} // namespace

QString verifyIpcPlan(const hddl::Domain &domain, const hddl::Problem &problem, const QString &planText)
{
    Checker checker(domain, problem);
    return checker.check(planText);
}

} // namespace astra::test
