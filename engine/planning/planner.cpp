#include "planning/planner.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QMap>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace astra::hddl {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Planner)
};

// The search works on numbers: objects, predicates, types and tasks are indices, and a ground
// fact is an index into a table of the facts met so far. A value in a binding or in a task's
// arguments is an object (>= 0), nothing yet (Unbound), or an open cell (<= -2): a variable
// of the task network that no method or action has bound yet.
constexpr int Unbound = -1;
bool isCellRef(int value)
{
    return value <= -2;
}
int cellOf(int value)
{
    return -2 - value;
}
int cellRef(int cell)
{
    return -2 - cell;
}

quint64 splitmix(quint64 z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A term of a compiled formula: a variable's slot in the binding, or a constant object.
struct Term
{
    int slot = -1; // >= 0: the variable in this slot
    int object = -1; // slot < 0: this object (-1: a name that is no object: never true)
};

struct CFormula
{
    Formula::Kind kind = Formula::Kind::True;
    int predicate = -1;
    std::vector<Term> args;
    std::vector<CFormula> children;
    std::vector<int> slots; // Forall, Exists: the slots of the quantified variables
    std::vector<int> types; // and their types
    const Formula *source = nullptr;
};

struct CEffect
{
    Effect::Kind kind = Effect::Kind::None;
    int predicate = -1;
    std::vector<Term> args;
    CFormula condition;
    std::vector<CEffect> children;
    std::vector<int> slots;
    std::vector<int> types;
};

struct CSubtask
{
    int task = -1;
    std::vector<Term> args;
};

// An action or a method, compiled: its parameters are slots 0..parameters-1, the variables its
// quantifiers introduce the slots after them.
struct CDefinition
{
    int slots = 0;
    std::vector<int> slotTypes; // of the parameters
    CFormula precondition;
    std::vector<const CFormula *> atoms; // the positive atoms of the precondition, matched first
    std::vector<char> conditioned; // per parameter: the precondition mentions it
};

struct CAction : CDefinition
{
    const Action *source = nullptr;
    CEffect effect;
};

struct CMethod : CDefinition
{
    const Method *source = nullptr;
    bool compiled = false;
    int task = -1;
    std::vector<Term> head;
    std::vector<CSubtask> subtasks;
};

// Why something failed, structured; worded (text and MethodAttempt::why) only for what the
// result keeps.
struct Why
{
    enum class Kind
    {
        False,
        Holds,
        NoFact,
        Negation,
        NoneOf,
        Nothing,
        NoBinding,
        Stopped,
        NotA,
        Subtasks,
        Action,
        NoMethod,
        NoMethodWorks,
        Loop,
    };
    Kind kind = Kind::False;
    const Formula *formula = nullptr; // False, Holds, NoFact: the atom
    std::vector<int> values; // its arguments (Unbound: show the variable); Action, Loop, NoMethodWorks: the task's
    int line = 0;
    std::vector<std::pair<QString, QString>> forEach; // a forall's variables where it fails
    int task = -1; // Action, NoMethod, NoMethodWorks, Loop, Subtasks: the task (an action is a task)
    int object = -1; // NotA
    int type = -1; // NotA
    QString outcome; // Stopped
    std::shared_ptr<const Why> below;
    // NoMethodWorks: the last method tried, its binding and why it failed
    int method = -1;
    std::vector<int> binding;
    int attemptReason = 0; // an Attempt::Reason
    std::shared_ptr<const Why> lastReason;
};
using WhyPtr = std::shared_ptr<const Why>;

// One method tried at a node, as the search keeps it.
struct Attempt
{
    int node = 0;
    int method = 0;
    std::vector<int> binding; // the method's parameters
    bool chosen = false; // the attempt that is being searched (or worked)
    enum class Reason
    {
        None,
        Arguments,
        Precondition,
        Subtasks,
        Stopped,
    };
    Reason reason = Reason::None;
    WhyPtr why;
};

struct Node
{
    int task = 0;
    int argOffset = 0; // in m_nodeArgs
    int argc = 0;
    int method = -1;
    int firstChild = -1;
    int childCount = 0;
    int parent = -1;
};

// An entry of the agenda: a task to do, or the end of a decomposition. The agenda is a list
// that shares its tail: each entry points at the one after it.
struct Item
{
    int task = -1; // -1: the end of node `node`'s decomposition
    int argOffset = 0; // in m_itemArgs
    int argc = 0;
    int node = 0;
    int depth = 0;
    int next = -1;
    quint64 key = 0; // end: the situation the node was decomposed in
};

struct Furthest
{
    int actions = -1;
    int task = -1;
    std::vector<int> values;
    WhyPtr why;
};

class Search
{
public:
    Search(const Domain &domain, const Problem &problem, const PlannerLimits &limits)
        : m_domain(domain)
        , m_problem(problem)
        , m_limits(limits)
    {
        compileNames();
        compileDefinitions();
    }

    PlanResult run()
    {
        m_timer.start();
        for (const GroundAtom &atom : m_problem.init) {
            std::vector<int> values;
            bool known = true;
            for (const QString &argument : atom.arguments) {
                const int object = m_objectIds.value(argument, -1);
                known = known && object >= 0;
                values.push_back(object);
            }
            const int predicate = m_predicateIds.value(atom.predicate, -1);
            if (known && predicate >= 0) {
                const int fact = intern(predicate, values.data());
                if (!m_holds[size_t(fact)]) {
                    add(fact);
                }
            }
        }
        m_trail.clear();
        // The variables of the initial task network: open until the search binds them.
        std::vector<int> htn;
        for (const TypedName &parameter : m_problem.htnParameters) {
            htn.push_back(newCell(typeId(parameter.type), -1, int(htn.size())));
        }
        QHash<QString, int> htnSlots;
        for (int i = 0; i < m_problem.htnParameters.size(); ++i) {
            htnSlots.insert(m_problem.htnParameters.at(i).name, i);
        }
        int agenda = -1;
        int last = -1;
        for (const TaskCall &call : m_problem.htnTasks) {
            const int task = m_taskIds.value(call.task, -1);
            std::vector<int> values;
            for (const QString &term : call.arguments) {
                values.push_back(term.startsWith(u'?') ? htn.at(size_t(htnSlots.value(term)))
                                                       : m_objectIds.value(term, Unbound));
            }
            const int node = newNode(task, values.data(), int(values.size()), -1);
            m_roots.push_back(node);
            const int item = newItem(task, values.data(), int(values.size()), node, 0, -1);
            (last < 0 ? agenda : m_items[size_t(last)].next) = item;
            last = item;
        }
        const bool solved = step(agenda);
        m_elapsed = m_timer.elapsed();
        return result(solved);
    }

private:
    // ---- names ---------------------------------------------------------------------------

    int typeId(const QString &type)
    {
        const auto it = m_typeIds.constFind(type);
        if (it != m_typeIds.cend()) {
            return *it;
        }
        const int id = int(m_typeNames.size());
        m_typeIds.insert(type, id);
        m_typeNames.append(type);
        std::vector<char> isA(m_objectNames.size(), 0);
        std::vector<int> members;
        for (int object = 0; object < m_objectNames.size(); ++object) {
            if (m_domain.isSubtype(m_objectTypes.at(object), type)) {
                isA[size_t(object)] = 1;
                members.push_back(object);
            }
        }
        m_isA.push_back(std::move(isA));
        m_members.push_back(std::move(members));
        return id;
    }

    bool typeFits(int object, int type) const
    {
        return object >= 0 && m_isA[size_t(type)][size_t(object)];
    }

    bool typesMeet(int a, int b) const
    {
        return m_domain.isSubtype(m_typeNames.at(a), m_typeNames.at(b))
            || m_domain.isSubtype(m_typeNames.at(b), m_typeNames.at(a));
    }

    void compileNames()
    {
        // Objects in name order: the search tries them in that order, on every run the same.
        QMap<QString, QString> objects;
        for (const TypedName &constant : m_domain.constants) {
            objects.insert(constant.name, constant.type);
        }
        for (const TypedName &object : m_problem.objects) {
            objects.insert(object.name, object.type);
        }
        for (auto it = objects.cbegin(); it != objects.cend(); ++it) {
            m_objectIds.insert(it.key(), int(m_objectNames.size()));
            m_objectNames.append(it.key());
            m_objectTypes.append(it.value());
        }
        for (const Predicate &predicate : m_domain.predicates) {
            m_predicateIds.insert(predicate.name, int(m_arity.size()));
            m_arity.push_back(int(predicate.parameters.size()));
        }
        m_true.resize(m_arity.size());
        for (const Action &action : m_domain.actions) {
            m_taskIds.insert(action.name, int(m_taskNames.size()));
            m_taskNames.append(action.name);
        }
        m_actionCount = int(m_taskNames.size());
        for (const CompoundTask &task : m_domain.tasks) {
            if (!m_taskIds.contains(task.name)) {
                m_taskIds.insert(task.name, int(m_taskNames.size()));
                m_taskNames.append(task.name);
            }
        }
        m_methodsOf.resize(size_t(m_taskNames.size()));
        m_table.assign(1024, -1);
    }

    bool primitive(int task) const
    {
        return task >= 0 && task < m_actionCount;
    }

    // ---- compiling -----------------------------------------------------------------------

    // Variable -> slot; a definition has a handful, so a list beats a hash.
    using Scope = std::vector<std::pair<QString, int>>;
    static int slotOf(const Scope &scope, const QString &name)
    {
        for (auto it = scope.crbegin(); it != scope.crend(); ++it) {
            if (it->first == name) {
                return it->second;
            }
        }
        return -1;
    }

    Term term(const QString &name, const Scope &scope) const
    {
        Term t;
        if (name.startsWith(u'?')) {
            t.slot = slotOf(scope, name);
        } else {
            t.object = m_objectIds.value(name, -1);
        }
        return t;
    }

    // A predicate's index, or -1 (never true, never made true) where it is not one or the
    // atom does not give it its arguments: such an atom cannot match a fact.
    int known(const QString &predicate, qsizetype arguments) const
    {
        const int id = m_predicateIds.value(predicate, -1);
        return id >= 0 && m_arity[size_t(id)] == arguments && arguments <= 32 ? id : -1;
    }

    CFormula compile(const Formula &f, Scope scope, int &slots)
    {
        CFormula c;
        c.kind = f.kind;
        c.source = &f;
        c.predicate = known(f.predicate, f.arguments.size());
        for (const TypedName &variable : f.variables) {
            scope.push_back({variable.name, slots});
            c.slots.push_back(slots++);
            c.types.push_back(typeId(variable.type));
        }
        for (const QString &argument : f.arguments) {
            c.args.push_back(term(argument, scope));
        }
        for (const Formula &child : f.children) {
            c.children.push_back(compile(child, scope, slots));
        }
        return c;
    }

    CEffect compile(const Effect &e, Scope scope, int &slots)
    {
        CEffect c;
        c.kind = e.kind;
        c.predicate = known(e.predicate, e.arguments.size());
        for (const TypedName &variable : e.variables) {
            scope.push_back({variable.name, slots});
            c.slots.push_back(slots++);
            c.types.push_back(typeId(variable.type));
        }
        for (const QString &argument : e.arguments) {
            c.args.push_back(term(argument, scope));
        }
        if (e.kind == Effect::Kind::When) {
            c.condition = compile(e.condition, scope, slots);
        }
        for (const Effect &child : e.children) {
            c.children.push_back(compile(child, scope, slots));
        }
        return c;
    }

    static void mentions(const CFormula &f, std::vector<char> &out)
    {
        for (const Term &t : f.args) {
            if (t.slot >= 0 && t.slot < int(out.size())) {
                out[size_t(t.slot)] = 1;
            }
        }
        for (const CFormula &child : f.children) {
            mentions(child, out);
        }
    }

    // The positive atoms of a precondition's top level, the most constrained first: each next
    // one is the one with the fewest variables not yet bound by the ones before it (and by
    // what `bound` says is known when it is matched).
    static std::vector<const CFormula *> orderedAtoms(const CFormula &precondition, std::vector<char> bound)
    {
        std::vector<const CFormula *> atoms;
        if (precondition.kind == Formula::Kind::Atom) {
            atoms.push_back(&precondition);
        } else if (precondition.kind == Formula::Kind::And) {
            for (const CFormula &child : precondition.children) {
                if (child.kind == Formula::Kind::Atom) {
                    atoms.push_back(&child);
                }
            }
        }
        std::vector<const CFormula *> ordered;
        while (!atoms.empty()) {
            size_t best = 0;
            int bestFree = INT_MAX;
            for (size_t i = 0; i < atoms.size(); ++i) {
                int free = 0;
                for (const Term &t : atoms[i]->args) {
                    free += t.slot >= 0 && !bound[size_t(t.slot)] ? 1 : 0;
                }
                if (free < bestFree) {
                    best = i;
                    bestFree = free;
                }
            }
            for (const Term &t : atoms[best]->args) {
                if (t.slot >= 0) {
                    bound[size_t(t.slot)] = 1;
                }
            }
            ordered.push_back(atoms[best]);
            atoms.erase(atoms.begin() + qsizetype(best));
        }
        return ordered;
    }

    void compileDefinition(CDefinition &out,
                           const QList<TypedName> &parameters,
                           const Formula &precondition,
                           Scope &scope,
                           const std::vector<char> &boundFirst)
    {
        for (const TypedName &parameter : parameters) {
            scope.push_back({parameter.name, out.slots++});
            out.slotTypes.push_back(typeId(parameter.type));
        }
        out.precondition = compile(precondition, scope, out.slots);
        out.conditioned.assign(size_t(parameters.size()), 0);
        mentions(out.precondition, out.conditioned);
        std::vector<char> bound(size_t(out.slots), 0);
        std::copy(boundFirst.begin(), boundFirst.end(), bound.begin());
        out.atoms = orderedAtoms(out.precondition, bound);
    }

    // Actions and methods are compiled when the search first meets them: a big domain of
    // which a problem uses little costs little. In place: they point into themselves (atoms).
    const CAction &action(int task)
    {
        CAction &c = m_actions[size_t(task)];
        if (!c.source) {
            const Action &action = *m_domain.action(m_taskNames.at(task));
            c.source = &action;
            Scope scope;
            compileDefinition(c,
                              action.parameters,
                              action.precondition,
                              scope,
                              std::vector<char>(size_t(action.parameters.size()), 1));
            c.effect = compile(action.effect, scope, c.slots);
        }
        return c;
    }

    const CMethod &method(int index)
    {
        CMethod &c = m_methods[size_t(index)];
        if (!c.compiled) {
            c.compiled = true;
            const Method &method = *c.source;
            Scope scope;
            std::vector<char> headBound(size_t(method.parameters.size()), 0);
            for (int i = 0; i < method.parameters.size(); ++i) {
                headBound[size_t(i)] = method.task.arguments.contains(method.parameters.at(i).name) ? 1 : 0;
            }
            compileDefinition(c, method.parameters, method.precondition, scope, headBound);
            for (const QString &argument : method.task.arguments) {
                c.head.push_back(term(argument, scope));
            }
            for (const TaskCall &call : method.subtasks) {
                CSubtask subtask;
                subtask.task = m_taskIds.value(call.task, -1);
                for (const QString &argument : call.arguments) {
                    subtask.args.push_back(term(argument, scope));
                }
                c.subtasks.push_back(std::move(subtask));
            }
        }
        return c;
    }

    void compileDefinitions()
    {
        m_actions.resize(size_t(m_actionCount));
        m_methods.resize(size_t(m_domain.methods.size()));
        for (qsizetype index = 0; index < m_domain.methods.size(); ++index) {
            const Method &method = m_domain.methods.at(index);
            CMethod &c = m_methods[size_t(index)];
            c.source = &method;
            c.task = m_taskIds.value(method.task.task, -1);
            if (c.task >= 0) {
                m_methodsOf[size_t(c.task)].push_back(int(index));
            }
        }
        // With a :goal, a method that goes on with its own task is tried before one that
        // stops: stopping early leaves work the goal needs undone, and the search would learn
        // it only at the end of the plan, after everything in between. Otherwise the domain's
        // order stands.
        if (m_problem.goal.kind != Formula::Kind::True) {
            for (size_t task = 0; task < m_methodsOf.size(); ++task) {
                std::stable_partition(m_methodsOf[task].begin(), m_methodsOf[task].end(), [&](int index) {
                    const auto &subtasks = m_methods[size_t(index)].source->subtasks;
                    return std::any_of(subtasks.cbegin(), subtasks.cend(), [&](const TaskCall &subtask) {
                        return subtask.task == m_taskNames.at(int(task));
                    });
                });
            }
        }
        int slots = 0;
        m_goal = compile(m_problem.goal, {}, slots);
        m_goalSlots = slots;
    }

    // ---- facts and the state -------------------------------------------------------------

    quint64 factKey(int predicate, const int *values) const
    {
        quint64 h = splitmix(quint64(predicate));
        for (int i = 0; i < m_arity[size_t(predicate)]; ++i) {
            h = splitmix(h ^ quint64(uint(values[i])));
        }
        return h;
    }

    bool sameFact(int fact, int predicate, const int *values) const
    {
        if (m_factPredicate[size_t(fact)] != predicate) {
            return false;
        }
        const int *stored = m_factArgs.data() + m_factOffset[size_t(fact)];
        return std::equal(stored, stored + m_arity[size_t(predicate)], values);
    }

    // The fact's index, or -1 if it was never met (and so does not hold).
    int find(int predicate, const int *values) const
    {
        const size_t mask = m_table.size() - 1;
        for (size_t i = size_t(factKey(predicate, values)) & mask;; i = (i + 1) & mask) {
            const int fact = m_table[i];
            if (fact < 0 || sameFact(fact, predicate, values)) {
                return fact;
            }
        }
    }

    int intern(int predicate, const int *values)
    {
        if (const int fact = find(predicate, values); fact >= 0) {
            return fact;
        }
        if ((m_factPredicate.size() + 1) * 2 > m_table.size()) {
            std::vector<int> table(m_table.size() * 2, -1);
            const size_t mask = table.size() - 1;
            for (int fact = 0; fact < int(m_factPredicate.size()); ++fact) {
                const int p = m_factPredicate[size_t(fact)];
                size_t i = size_t(factKey(p, m_factArgs.data() + m_factOffset[size_t(fact)])) & mask;
                while (table[i] >= 0) {
                    i = (i + 1) & mask;
                }
                table[i] = fact;
            }
            m_table = std::move(table);
        }
        const int fact = int(m_factPredicate.size());
        m_factPredicate.push_back(predicate);
        m_factOffset.push_back(int(m_factArgs.size()));
        m_factArgs.insert(m_factArgs.end(), values, values + m_arity[size_t(predicate)]);
        m_holds.push_back(0);
        m_zobrist.push_back(splitmix(factKey(predicate, values) ^ 0x5bd1e995ULL));
        const size_t mask = m_table.size() - 1;
        size_t i = size_t(factKey(predicate, values)) & mask;
        while (m_table[i] >= 0) {
            i = (i + 1) & mask;
        }
        m_table[i] = fact;
        return fact;
    }

    const int *factArgs(int fact) const
    {
        return m_factArgs.data() + m_factOffset[size_t(fact)];
    }

    // The facts of a predicate that hold are kept in the order they came to hold (the
    // problem's order first); the search matches them in that order.
    struct Change
    {
        int fact;
        int index; // added: -1; removed: where it was in its predicate's list
    };

    void add(int fact)
    {
        m_holds[size_t(fact)] = 1;
        m_true[size_t(m_factPredicate[size_t(fact)])].push_back(fact);
        m_hash ^= m_zobrist[size_t(fact)];
        m_trail.push_back({fact, -1});
    }

    void remove(int fact)
    {
        std::vector<int> &list = m_true[size_t(m_factPredicate[size_t(fact)])];
        const auto at = std::find(list.begin(), list.end(), fact);
        const int index = int(at - list.begin());
        list.erase(at);
        m_holds[size_t(fact)] = 0;
        m_hash ^= m_zobrist[size_t(fact)];
        m_trail.push_back({fact, index});
    }

    void undoState(size_t mark)
    {
        while (m_trail.size() > mark) {
            const Change change = m_trail.back();
            m_trail.pop_back();
            std::vector<int> &list = m_true[size_t(m_factPredicate[size_t(change.fact)])];
            if (change.index < 0) {
                list.pop_back();
                m_holds[size_t(change.fact)] = 0;
            } else {
                list.insert(list.begin() + change.index, change.fact);
                m_holds[size_t(change.fact)] = 1;
            }
            m_hash ^= m_zobrist[size_t(change.fact)];
        }
    }

    // ---- cells ---------------------------------------------------------------------------

    int newCell(int type, int method, int slot)
    {
        m_cellValue.push_back(Unbound);
        m_cellType.push_back(type);
        m_cellOrigin.push_back({method, slot});
        return cellRef(int(m_cellValue.size()) - 1);
    }

    int value(int v) const
    {
        if (isCellRef(v)) {
            const int bound = m_cellValue[size_t(cellOf(v))];
            return bound >= 0 ? bound : v;
        }
        return v;
    }

    struct CellChange
    {
        int cell;
        int value;
        int type;
    };

    bool bindCell(int ref, int object)
    {
        const int cell = cellOf(ref);
        if (m_cellValue[size_t(cell)] >= 0) {
            return m_cellValue[size_t(cell)] == object; // the same cell in two places
        }
        if (!typeFits(object, m_cellType[size_t(cell)])) {
            return false;
        }
        m_cellTrail.push_back({cell, m_cellValue[size_t(cell)], m_cellType[size_t(cell)]});
        m_cellValue[size_t(cell)] = object;
        return true;
    }

    void narrowCell(int ref, int type)
    {
        const int cell = cellOf(ref);
        m_cellTrail.push_back({cell, m_cellValue[size_t(cell)], m_cellType[size_t(cell)]});
        m_cellType[size_t(cell)] = type;
    }

    void undoCells(size_t mark, size_t count)
    {
        while (m_cellTrail.size() > mark) {
            const CellChange change = m_cellTrail.back();
            m_cellTrail.pop_back();
            m_cellValue[size_t(change.cell)] = change.value;
            m_cellType[size_t(change.cell)] = change.type;
        }
        m_cellValue.resize(count);
        m_cellType.resize(count);
        m_cellOrigin.resize(count);
    }

    // ---- formulas ------------------------------------------------------------------------

    int ground(const Term &t, const int *binding) const
    {
        if (t.slot < 0) {
            return t.object;
        }
        const int v = binding[t.slot];
        return isCellRef(v) ? Unbound : v;
    }

    bool atomHolds(const CFormula &f, const int *binding) const
    {
        if (f.predicate < 0) {
            return false;
        }
        int values[32];
        const size_t n = f.args.size();
        if (n > 32) {
            return false;
        }
        for (size_t i = 0; i < n; ++i) {
            values[i] = ground(f.args[i], binding);
            if (values[i] < 0) {
                return false;
            }
        }
        const int fact = find(f.predicate, values);
        return fact >= 0 && m_holds[size_t(fact)];
    }

    bool holds(const CFormula &f, int *binding) const
    {
        switch (f.kind) {
        case Formula::Kind::True:
            return true;
        case Formula::Kind::Atom:
            return atomHolds(f, binding);
        case Formula::Kind::Equals: {
            const int a = ground(f.args[0], binding);
            return a >= 0 && a == ground(f.args[1], binding);
        }
        case Formula::Kind::Not:
            return !holds(f.children.front(), binding);
        case Formula::Kind::And:
            for (const CFormula &child : f.children) {
                if (!holds(child, binding)) {
                    return false;
                }
            }
            return true;
        case Formula::Kind::Or:
            for (const CFormula &child : f.children) {
                if (holds(child, binding)) {
                    return true;
                }
            }
            return false;
        case Formula::Kind::Imply:
            return !holds(f.children[0], binding) || holds(f.children[1], binding);
        case Formula::Kind::Forall:
        case Formula::Kind::Exists:
            return quantify(f, 0, binding, f.kind == Formula::Kind::Forall);
        }
        return false;
    }

    bool quantify(const CFormula &f, size_t index, int *binding, bool all) const
    {
        if (index == f.slots.size()) {
            return holds(f.children.front(), binding);
        }
        for (int object : m_members[size_t(f.types[index])]) {
            binding[f.slots[index]] = object;
            const bool value = quantify(f, index + 1, binding, all);
            if (value != all) {
                return !all;
            }
        }
        return all;
    }

    void effects(const CEffect &e, int *binding, std::vector<std::pair<int, bool>> &out)
    {
        switch (e.kind) {
        case Effect::Kind::None:
            return;
        case Effect::Kind::Add:
        case Effect::Kind::Delete: {
            if (e.predicate < 0) {
                return;
            }
            int values[32];
            for (size_t i = 0; i < e.args.size() && i < 32; ++i) {
                values[i] = ground(e.args[i], binding);
                if (values[i] < 0) {
                    return;
                }
            }
            out.push_back({intern(e.predicate, values), e.kind == Effect::Kind::Add});
            return;
        }
        case Effect::Kind::And:
            for (const CEffect &child : e.children) {
                effects(child, binding, out);
            }
            return;
        case Effect::Kind::When:
            if (holds(e.condition, binding)) {
                effects(e.children.front(), binding, out);
            }
            return;
        case Effect::Kind::Forall:
            forallEffects(e, 0, binding, out);
            return;
        }
    }

    void forallEffects(const CEffect &e, size_t index, int *binding, std::vector<std::pair<int, bool>> &out)
    {
        if (index == e.slots.size()) {
            effects(e.children.front(), binding, out);
            return;
        }
        for (int object : m_members[size_t(e.types[index])]) {
            binding[e.slots[index]] = object;
            forallEffects(e, index + 1, binding, out);
        }
    }

    // Applies an action's effects: deletes first, then adds, all judged in the state before.
    void apply(const CAction &action, int *binding)
    {
        std::vector<std::pair<int, bool>> changes;
        effects(action.effect, binding, changes);
        for (const auto &[fact, added] : changes) {
            if (!added && m_holds[size_t(fact)]) {
                remove(fact);
            }
        }
        for (const auto &[fact, added] : changes) {
            if (added && !m_holds[size_t(fact)]) {
                add(fact);
            }
        }
    }

    // ---- bindings ------------------------------------------------------------------------

    static bool full(const CDefinition &definition, const std::vector<int> &out, size_t limit)
    {
        return limit != SIZE_MAX && out.size() / size_t(std::max(definition.slots, 1)) >= limit;
    }

    // Every binding of the definition's unbound parameters that makes `check` true (or, with
    // check null, every one its atoms allow), appended to `out` `definition.slots` values
    // each: the positive atoms are matched against the facts that hold, then the parameters
    // in `enumerate` that are still unbound take every object of their type.
    void bindings(const CDefinition &definition,
                  const CFormula *check,
                  size_t index,
                  int *binding,
                  const std::vector<char> &enumerate,
                  std::vector<int> &out,
                  size_t limit)
    {
        if (full(definition, out, limit) || m_stop) {
            return;
        }
        if ((++m_work & 0xffff) == 0) {
            if (m_limits.cancel && m_limits.cancel->load()) {
                m_stop = PlanResult::Outcome::Cancelled;
            } else if (m_timer.elapsed() > m_limits.timeoutMs) {
                m_stop = PlanResult::Outcome::TimeLimit;
            }
            if (m_stop) {
                return;
            }
        }
        if (index < definition.atoms.size()) {
            const CFormula &atom = *definition.atoms[index];
            if (atom.predicate < 0) {
                return;
            }
            // Nothing below changes the state, so the list stays as it is while it is read.
            const std::vector<int> &facts = m_true[size_t(atom.predicate)];
            const size_t n = atom.args.size();
            int set[32];
            int old[32];
            for (size_t f = 0; f < facts.size(); ++f) {
                const int *values = factArgs(facts[f]);
                int count = 0;
                bool fits = true;
                for (size_t i = 0; i < n && fits; ++i) {
                    const Term &t = atom.args[i];
                    if (t.slot < 0) {
                        fits = t.object == values[i];
                        continue;
                    }
                    const int current = binding[t.slot];
                    if (current >= 0) {
                        fits = current == values[i];
                    } else {
                        fits = t.slot >= int(definition.slotTypes.size())
                            || typeFits(values[i], definition.slotTypes[size_t(t.slot)]);
                        set[count] = t.slot;
                        old[count++] = current;
                        binding[t.slot] = values[i];
                    }
                }
                if (fits) {
                    bindings(definition, check, index + 1, binding, enumerate, out, limit);
                }
                while (count > 0) {
                    --count;
                    binding[set[count]] = old[count];
                }
                if (full(definition, out, limit)) {
                    return;
                }
            }
            return;
        }
        for (size_t slot = 0; slot < enumerate.size(); ++slot) {
            if (enumerate[slot] && binding[slot] < 0) {
                const int saved = binding[slot];
                for (int object : m_members[size_t(definition.slotTypes[slot])]) {
                    binding[slot] = object;
                    bindings(definition, check, index, binding, enumerate, out, limit);
                    if (full(definition, out, limit)) {
                        break;
                    }
                }
                binding[slot] = saved;
                return;
            }
        }
        if (!check || holds(*check, binding)) {
            out.insert(out.end(), binding, binding + std::max(definition.slots, 1));
        }
    }

    // ---- the search ----------------------------------------------------------------------

    int newNode(int task, const int *values, int argc, int parent)
    {
        Node node;
        node.task = task;
        node.argOffset = int(m_nodeArgs.size());
        node.argc = argc;
        node.parent = parent;
        m_nodeArgs.insert(m_nodeArgs.end(), values, values + argc);
        m_nodes.push_back(node);
        return int(m_nodes.size()) - 1;
    }

    int newItem(int task, const int *values, int argc, int node, int depth, int next)
    {
        Item item;
        item.task = task;
        item.argOffset = int(m_itemArgs.size());
        item.argc = argc;
        item.node = node;
        item.depth = depth;
        item.next = next;
        m_itemArgs.insert(m_itemArgs.end(), values, values + argc);
        m_items.push_back(item);
        return int(m_items.size()) - 1;
    }

    // A value as a reason keeps it: an object, Unbound, or for a cell still open the variable
    // it was made for (<= -2, an index into m_origins). Cells go with the branch that made
    // them; what a reason recorded must not point at them.
    int freeze(int v)
    {
        v = value(v);
        if (!isCellRef(v)) {
            return v;
        }
        const auto origin = m_cellOrigin[size_t(cellOf(v))];
        const qint64 key = (qint64(origin.first) << 32) | quint32(origin.second);
        auto it = m_originIds.find(key);
        if (it == m_originIds.end()) {
            it = m_originIds.insert(key, int(m_origins.size()));
            m_origins.push_back(origin);
        }
        return -2 - *it;
    }

    std::vector<int> frozen(std::vector<int> values)
    {
        for (int &v : values) {
            v = freeze(v);
        }
        return values;
    }

    std::vector<int> itemValues(const Item &item)
    {
        std::vector<int> values;
        for (int i = 0; i < item.argc; ++i) {
            values.push_back(freeze(m_itemArgs[size_t(item.argOffset + i)]));
        }
        return values;
    }

    bool limitReached()
    {
        if (m_stop) {
            return true;
        }
        if (m_limits.cancel && m_limits.cancel->load()) {
            m_stop = PlanResult::Outcome::Cancelled;
        } else if (m_expansions > m_limits.maxNodes) {
            m_stop = PlanResult::Outcome::NodeLimit;
        } else if ((m_expansions & 0xff) == 0 && m_timer.elapsed() > m_limits.timeoutMs) {
            m_stop = PlanResult::Outcome::TimeLimit;
        }
        return m_stop.has_value();
    }

    bool step(int agenda)
    {
        if (limitReached()) {
            return false;
        }
        if (agenda < 0) {
            std::vector<int> binding(size_t(std::max(m_goalSlots, 1)), Unbound);
            return holds(m_goal, binding.data());
        }
        const Item item = m_items[size_t(agenda)];
        if (item.task < 0) {
            // The end of a decomposition: its task no longer counts as being decomposed.
            m_decomposing.erase(item.key);
            if (step(item.next)) {
                return true;
            }
            m_decomposing.insert(item.key);
            return false;
        }
        ++m_expansions;
        if (item.depth > m_limits.maxDepth) {
            m_depthCut = true;
            return false;
        }
        return primitive(item.task) ? stepAction(item) : stepCompound(item);
    }

    bool stepAction(const Item &item)
    {
        const CAction &action = this->action(item.task);
        std::vector<int> binding(size_t(std::max(action.slots, 1)), Unbound);
        std::vector<int> cells; // parameter -> the open cell it stands for, or -1
        bool open = false;
        for (int i = 0; i < item.argc; ++i) {
            const int v = value(m_itemArgs[size_t(item.argOffset + i)]);
            if (isCellRef(v)) {
                binding[size_t(i)] = v;
                open = true;
                continue;
            }
            if (!typeFits(v, action.slotTypes[size_t(i)])) {
                auto why = std::make_shared<Why>();
                why->kind = Why::Kind::NotA;
                why->line = action.source->position.line;
                why->object = v;
                why->type = action.slotTypes[size_t(i)];
                noteFailure(item, why);
                return false;
            }
            binding[size_t(i)] = v;
        }
        std::vector<int> candidates;
        if (!open) {
            if (holds(action.precondition, binding.data())) {
                candidates = binding;
            }
        } else {
            // Arguments left open by the methods above are bound here, by the precondition.
            std::vector<char> enumerate(size_t(action.slotTypes.size()), 1);
            std::vector<int> scratch = binding;
            bindings(action, &action.precondition, 0, scratch.data(), enumerate, candidates, SIZE_MAX);
        }
        if (candidates.empty()) {
            auto why = std::make_shared<Why>();
            why->kind = Why::Kind::Action;
            why->line = action.source->position.line;
            why->task = item.task;
            why->values = itemValues(item);
            std::vector<int> shown = binding;
            for (int &v : shown) {
                v = isCellRef(v) ? Unbound : v;
            }
            why->below = whyFalse(action.precondition, shown.data());
            noteFailure(item, why);
            return false;
        }
        const size_t width = size_t(std::max(action.slots, 1));
        const size_t attemptsBefore = m_attempts.size();
        for (size_t c = 0; c < candidates.size(); c += width) {
            m_attempts.resize(attemptsBefore); // those of the tasks after it, under another binding
            int *candidate = candidates.data() + c;
            const size_t cellMark = m_cellTrail.size();
            const size_t cellCount = m_cellValue.size();
            bool fits = true;
            for (int i = 0; i < item.argc && fits; ++i) {
                if (isCellRef(binding[size_t(i)])) {
                    fits = bindCell(binding[size_t(i)], candidate[i]);
                }
            }
            if (fits) {
                const size_t stateMark = m_trail.size();
                apply(action, candidate);
                m_plan.push_back(item.node);
                if (step(item.next)) {
                    return true;
                }
                m_plan.pop_back();
                undoState(stateMark);
            }
            undoCells(cellMark, cellCount);
            if (m_stop) {
                return false;
            }
        }
        return false;
    }

    // Where a task and its arguments are being decomposed in a state: the same key again below
    // it means the search has come round in a circle.
    quint64 situation(const Item &item) const
    {
        quint64 h = splitmix(m_hash ^ quint64(item.task));
        for (int i = 0; i < item.argc; ++i) {
            h = splitmix(h ^ quint64(uint(value(m_itemArgs[size_t(item.argOffset + i)]))));
        }
        return h;
    }

    bool stepCompound(const Item &item)
    {
        const quint64 key = situation(item);
        if (m_decomposing.count(key)) {
            // Cut exactly when nothing but ends of decompositions lies between this task and
            // the end of the one it repeats: then the two are the same search. Otherwise the
            // cut may lose a plan that needs the repetition, and an exhausted search no longer
            // proves there is none.
            bool tail = false;
            for (int next = item.next; next >= 0 && m_items[size_t(next)].task < 0; next = m_items[size_t(next)].next) {
                if (m_items[size_t(next)].key == key) {
                    tail = true;
                    break;
                }
            }
            if (!tail) {
                m_complete = false;
            }
            // The same task with the same arguments in the same state is already being
            // decomposed above: going on would only go round in a circle.
            auto why = std::make_shared<Why>();
            why->kind = Why::Kind::Loop;
            why->task = item.task;
            why->values = itemValues(item);
            noteFailure(item, why);
            ++m_loopsCut;
            return false;
        }
        m_decomposing.insert(key);
        const bool solved = tryMethods(item, key);
        if (!solved) {
            m_decomposing.erase(key);
        }
        return solved;
    }

    bool tryMethods(const Item &item, quint64 key)
    {
        const size_t attemptsBefore = m_attempts.size();
        if (item.task < 0) {
            return false;
        }
        for (int methodIndex : m_methodsOf[size_t(item.task)]) {
            const CMethod &method = this->method(methodIndex);
            Attempt attempt;
            attempt.node = item.node;
            attempt.method = methodIndex;
            std::vector<int> binding(size_t(std::max(method.slots, 1)), Unbound);
            std::vector<std::pair<int, int>> constantCells; // open cells the task binds to objects
            bool matches = true;
            for (size_t i = 0; i < method.head.size() && matches; ++i) {
                const Term &t = method.head[i];
                const int argument = value(m_itemArgs[size_t(item.argOffset) + i]);
                if (t.slot < 0) {
                    if (isCellRef(argument)) {
                        matches = typeFits(t.object, m_cellType[size_t(cellOf(argument))]);
                        constantCells.push_back({argument, t.object});
                    } else {
                        matches = t.object == argument;
                    }
                    continue;
                }
                const int type = method.slotTypes[size_t(t.slot)];
                int &current = binding[size_t(t.slot)];
                if (isCellRef(argument)) {
                    if (current >= 0) {
                        constantCells.push_back({argument, current}); // bound by the other place
                    } else if (isCellRef(current)) {
                        matches = current == argument;
                    } else {
                        matches = typesMeet(type, m_cellType[size_t(cellOf(argument))]);
                        current = argument;
                    }
                    continue;
                }
                if (isCellRef(current)) {
                    constantCells.push_back({current, argument}); // bound by this place
                } else if (current >= 0 && current != argument) {
                    matches = false;
                }
                matches = matches && typeFits(argument, type);
                current = argument;
            }
            if (!matches) {
                attempt.binding = frozen(binding);
                attempt.reason = Attempt::Reason::Arguments;
                m_attempts.push_back(std::move(attempt));
                continue;
            }
            // Open cells the task gives a parameter the precondition mentions are bound by it:
            // they are unbound for the matching, and bound to what it finds.
            std::vector<std::pair<int, int>> aliases; // slot -> cell
            for (size_t slot = 0; slot < method.conditioned.size(); ++slot) {
                if (isCellRef(binding[slot]) && method.conditioned[slot]) {
                    aliases.push_back({int(slot), binding[slot]});
                }
            }
            std::vector<int> candidates;
            {
                std::vector<int> scratch = binding;
                bindings(method, &method.precondition, 0, scratch.data(), method.conditioned, candidates, SIZE_MAX);
            }
            if (candidates.empty()) {
                // Explain with the first binding the state offers, if any.
                std::vector<int> offered;
                std::vector<int> scratch = binding;
                bindings(method, nullptr, 0, scratch.data(), method.conditioned, offered, 1);
                std::vector<int> shown = offered.empty() ? binding : offered;
                for (int &v : shown) {
                    v = isCellRef(v) ? Unbound : v;
                }
                attempt.binding = shown;
                attempt.reason = Attempt::Reason::Precondition;
                attempt.why = whyFalse(method.precondition, shown.data());
                m_attempts.push_back(std::move(attempt));
                continue;
            }
            const size_t width = size_t(std::max(method.slots, 1));
            for (size_t c = 0; c < candidates.size(); c += width) {
                std::vector<int> candidate(candidates.begin() + qsizetype(c),
                                           candidates.begin() + qsizetype(c + width));
                const size_t cellMark = m_cellTrail.size();
                const size_t cellCount = m_cellValue.size();
                bool fits = true;
                for (const auto &[cell, object] : constantCells) {
                    fits = fits && bindCell(cell, object);
                }
                for (const auto &[slot, cell] : aliases) {
                    fits = fits && bindCell(cell, candidate[size_t(slot)]);
                }
                if (!fits) {
                    undoCells(cellMark, cellCount);
                    continue;
                }
                for (int slot = 0; slot < int(method.slotTypes.size()) && fits; ++slot) {
                    int &v = candidate[size_t(slot)];
                    const int type = method.slotTypes[size_t(slot)];
                    if (isCellRef(v) && value(v) >= 0) {
                        fits = typeFits(value(v), type); // bound meanwhile, by another place
                    } else if (isCellRef(v)) {
                        // The narrower type binds the cell the task gave; types apart, nothing does.
                        const int cellType = m_cellType[size_t(cellOf(v))];
                        if (!typesMeet(type, cellType)) {
                            fits = false;
                        } else if (type != cellType
                                   && m_domain.isSubtype(m_typeNames.at(type), m_typeNames.at(cellType))) {
                            narrowCell(v, type);
                        }
                    } else if (v < 0) {
                        // A type without objects leaves nothing to bind it to later.
                        fits = !m_members[size_t(type)].empty();
                        v = newCell(type, methodIndex, slot);
                    }
                }
                if (!fits) {
                    undoCells(cellMark, cellCount);
                    continue;
                }
                const size_t nodesBefore = m_nodes.size();
                const size_t nodeArgsBefore = m_nodeArgs.size();
                const size_t itemsBefore = m_items.size();
                const size_t itemArgsBefore = m_itemArgs.size();
                // The subtasks, then the end of this decomposition, then the rest of the agenda.
                Item end;
                end.node = item.node;
                end.key = key;
                end.next = item.next;
                m_items.push_back(end);
                int next = int(m_items.size()) - 1;
                const int firstChild = int(m_nodes.size());
                int values[32];
                for (const CSubtask &subtask : method.subtasks) {
                    const size_t n = std::min<size_t>(subtask.args.size(), 32);
                    for (size_t i = 0; i < n; ++i) {
                        const Term &t = subtask.args[i];
                        values[i] = t.slot >= 0 ? candidate[size_t(t.slot)] : t.object;
                    }
                    newNode(subtask.task, values, int(n), item.node);
                }
                for (int i = int(method.subtasks.size()) - 1; i >= 0; --i) {
                    const Node &child = m_nodes[size_t(firstChild + i)];
                    next = newItem(child.task,
                                   m_nodeArgs.data() + child.argOffset,
                                   child.argc,
                                   firstChild + i,
                                   item.depth + 1,
                                   next);
                }
                Node &self = m_nodes[size_t(item.node)];
                self.firstChild = firstChild;
                self.childCount = int(method.subtasks.size());
                self.method = methodIndex;
                Attempt tried;
                tried.node = item.node;
                tried.method = methodIndex;
                tried.binding = candidate;
                tried.chosen = true;
                m_attempts.push_back(std::move(tried));
                const size_t attemptIndex = m_attempts.size() - 1;
                const Furthest outside = std::exchange(m_branch, Furthest{});
                if (step(next)) {
                    return true;
                }
                // The failure this branch got furthest to is its reason: the ones after it are
                // backtracking. It also counts for the branches around this one.
                const Furthest within = m_branch;
                if (outside.actions >= within.actions) {
                    m_branch = outside;
                }
                // Undo this branch: its nodes, agenda entries, attempts and cells.
                m_nodes.resize(nodesBefore);
                m_nodeArgs.resize(nodeArgsBefore);
                m_items.resize(itemsBefore);
                m_itemArgs.resize(itemArgsBefore);
                m_attempts.resize(attemptIndex + 1);
                Attempt &failed = m_attempts[attemptIndex];
                failed.chosen = false;
                failed.binding = frozen(failed.binding); // before its cells go
                undoCells(cellMark, cellCount);
                Node &again = m_nodes[size_t(item.node)];
                again.firstChild = -1;
                again.childCount = 0;
                again.method = -1;
                auto why = std::make_shared<Why>();
                if (m_stop) {
                    failed.reason = Attempt::Reason::Stopped;
                    why->kind = Why::Kind::Stopped;
                    why->outcome = toString(*m_stop);
                    failed.why = why;
                    return false;
                }
                const Furthest &cause =
                    within.actions >= 0 ? within : Furthest{0, m_deepest.task, m_deepest.values, m_deepest.why};
                failed.reason = Attempt::Reason::Subtasks;
                why->kind = Why::Kind::Subtasks;
                why->task = cause.task;
                why->values = cause.values;
                why->below = cause.why;
                failed.why = why;
            }
        }
        if (m_attempts.size() == attemptsBefore) {
            auto why = std::make_shared<Why>();
            why->kind = Why::Kind::NoMethod;
            why->task = item.task;
            noteFailure(item, why);
        } else if (!m_stop) {
            const Attempt &last = m_attempts.back();
            auto why = std::make_shared<Why>();
            why->kind = Why::Kind::NoMethodWorks;
            why->task = item.task;
            why->values = itemValues(item);
            why->method = last.method;
            why->binding = last.binding;
            why->attemptReason = int(last.reason);
            why->lastReason = last.why;
            noteFailure(item, why);
        }
        return false;
    }

    void noteFailure(const Item &item, const WhyPtr &why)
    {
        m_deepest = Furthest{0, item.task, itemValues(item), why};
        const int actions = int(m_plan.size());
        if (actions > m_branch.actions) {
            m_branch = Furthest{actions, item.task, m_deepest.values, why};
        }
        // The first failure after the most actions: where the search came closest to a plan.
        if (actions > m_furthest.actions) {
            m_furthest = Furthest{actions, item.task, m_deepest.values, why};
        }
    }

    // ---- why -----------------------------------------------------------------------------

    WhyPtr fact(Why::Kind kind, const CFormula &f, const int *binding, int line = 0) const
    {
        auto why = std::make_shared<Why>();
        why->kind = kind;
        why->formula = f.source;
        for (const Term &t : f.args) {
            why->values.push_back(ground(t, binding));
        }
        why->line = line > 0 ? line : f.source->position.line;
        return why;
    }

    static WhyPtr cause(Why::Kind kind, int line)
    {
        auto why = std::make_shared<Why>();
        why->kind = kind;
        why->line = line;
        return why;
    }

    // Says which part of a false formula is false, down to an atom where it can.
    WhyPtr explainFalse(const CFormula &f, int *binding) const
    {
        switch (f.kind) {
        case Formula::Kind::True:
            return nullptr;
        case Formula::Kind::Atom:
        case Formula::Kind::Equals:
            return fact(Why::Kind::False, f, binding);
        case Formula::Kind::Not: {
            const CFormula &inner = f.children.front();
            if (inner.kind == Formula::Kind::Atom || inner.kind == Formula::Kind::Equals) {
                return fact(Why::Kind::Holds, inner, binding, f.source->position.line);
            }
            return cause(Why::Kind::Negation, f.source->position.line);
        }
        case Formula::Kind::And:
            for (const CFormula &child : f.children) {
                if (!holds(child, binding)) {
                    return explainFalse(child, binding);
                }
            }
            return nullptr;
        case Formula::Kind::Or:
            return cause(Why::Kind::NoneOf, f.source->position.line);
        case Formula::Kind::Imply:
            return explainFalse(f.children[1], binding);
        case Formula::Kind::Forall:
            return explainForall(f, 0, binding);
        case Formula::Kind::Exists:
            return cause(Why::Kind::Nothing, f.source->position.line);
        }
        return nullptr;
    }

    WhyPtr explainForall(const CFormula &f, size_t index, int *binding) const
    {
        if (index == f.slots.size()) {
            if (holds(f.children.front(), binding)) {
                return nullptr;
            }
            WhyPtr inner = explainFalse(f.children.front(), binding);
            auto why = std::make_shared<Why>(inner ? *inner : Why{});
            for (size_t i = 0; i < f.slots.size(); ++i) {
                why->forEach.push_back(
                    {f.source->variables.at(qsizetype(i)).name, m_objectNames.at(binding[f.slots[i]])});
            }
            return why;
        }
        for (int object : m_members[size_t(f.types[index])]) {
            binding[f.slots[index]] = object;
            if (WhyPtr why = explainForall(f, index + 1, binding)) {
                return why;
            }
        }
        return nullptr;
    }

    // Why the precondition fails under `binding`: the first conjunct that is false.
    WhyPtr whyFalse(const CFormula &precondition, int *binding) const
    {
        std::vector<const CFormula *> conjuncts;
        if (precondition.kind == Formula::Kind::And) {
            for (const CFormula &child : precondition.children) {
                conjuncts.push_back(&child);
            }
        } else {
            conjuncts.push_back(&precondition);
        }
        for (const CFormula *conjunct : conjuncts) {
            if (conjunct->kind == Formula::Kind::Atom) {
                bool bound = true;
                for (const Term &t : conjunct->args) {
                    bound = bound && ground(t, binding) >= 0;
                }
                if (!bound) {
                    if (conjunct->predicate < 0 || m_true[size_t(conjunct->predicate)].empty()) {
                        return fact(Why::Kind::NoFact, *conjunct, binding);
                    }
                    continue;
                }
                if (!atomHolds(*conjunct, binding)) {
                    return fact(Why::Kind::False, *conjunct, binding);
                }
            } else if (!holds(*conjunct, binding)) {
                return explainFalse(*conjunct, binding);
            }
        }
        return cause(Why::Kind::NoBinding, precondition.source ? precondition.source->position.line : 0);
    }

    // ---- words ---------------------------------------------------------------------------

    struct Explained
    {
        QString text;
        QJsonObject why;
    };

    // An argument as people read it: the object, or an open cell's variable.
    QString name(int v) const
    {
        v = value(v);
        if (v >= 0) {
            return m_objectNames.at(v);
        }
        if (isCellRef(v)) {
            const auto [method, slot] = m_cellOrigin[size_t(cellOf(v))];
            return method >= 0 ? m_methods[size_t(method)].source->parameters.at(slot).name
                               : m_problem.htnParameters.at(slot).name;
        }
        return QString();
    }

    // A value a reason recorded (see freeze).
    QString recorded(int v) const
    {
        if (v >= 0) {
            return m_objectNames.at(v);
        }
        if (v <= -2) {
            const auto [method, slot] = m_origins[size_t(-2 - v)];
            return method >= 0 ? m_methods[size_t(method)].source->parameters.at(slot).name
                               : m_problem.htnParameters.at(slot).name;
        }
        return QString();
    }

    QStringList names(const std::vector<int> &values) const
    {
        QStringList out;
        for (int v : values) {
            out.append(recorded(v));
        }
        return out;
    }

    QString call(int task, const std::vector<int> &values) const
    {
        return (task >= 0 ? m_taskNames.at(task) : QString()) + u' ' + names(values).join(u' ');
    }

    QString describeBinding(int method, const std::vector<int> &binding) const
    {
        const QList<TypedName> &parameters = m_methods[size_t(method)].source->parameters;
        QStringList parts;
        for (int slot = 0; slot < parameters.size() && slot < int(binding.size()); ++slot) {
            if (binding[size_t(slot)] != Unbound) {
                parts.append(parameters.at(slot).name + u'=' + recorded(binding[size_t(slot)]));
            }
        }
        return parts.join(u' ');
    }

    // The fact of a condition: its terms, bound or as written.
    QStringList factArguments(const Why &why) const
    {
        QStringList arguments;
        for (size_t i = 0; i < why.values.size(); ++i) {
            arguments.append(why.values[i] >= 0 ? m_objectNames.at(why.values[i])
                                                : why.formula->arguments.at(qsizetype(i)));
        }
        return arguments;
    }

    QString show(const Why &why) const
    {
        const QStringList arguments = factArguments(why);
        if (why.formula->kind == Formula::Kind::Equals) {
            return QStringLiteral("(= %1)").arg(arguments.join(u' '));
        }
        return QStringLiteral("(%1%2)").arg(why.formula->predicate,
                                            arguments.isEmpty() ? QString() : u' ' + arguments.join(u' '));
    }

    QJsonObject factJson(const char *kind, const Why &why) const
    {
        QJsonObject json;
        json.insert(QStringLiteral("kind"), QLatin1String(kind));
        if (why.formula->kind == Formula::Kind::Equals) {
            json.insert(QStringLiteral("equals"), true);
        } else {
            json.insert(QStringLiteral("predicate"), why.formula->predicate);
        }
        json.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(factArguments(why)));
        json.insert(QStringLiteral("line"), why.line);
        return json;
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

    Explained render(const WhyPtr &pointer) const
    {
        if (!pointer) {
            return {};
        }
        const Why &why = *pointer;
        Explained out;
        switch (why.kind) {
        case Why::Kind::False:
            out = {Tr::tr("%1 is false").arg(show(why)), factJson("false", why)};
            break;
        case Why::Kind::Holds:
            out = {
                Tr::tr("%1 holds, and the negative condition at line %2 needs it not to").arg(show(why)).arg(why.line),
                factJson("holds", why)};
            break;
        case Why::Kind::NoFact:
            out = {Tr::tr("no fact (%1 …) holds").arg(why.formula->predicate), factJson("no-fact", why)};
            break;
        case Why::Kind::Negation:
            out = {Tr::tr("the negative condition at line %1 is false").arg(why.line), causeJson("negation", why.line)};
            break;
        case Why::Kind::NoneOf:
            out = {Tr::tr("none of the alternatives at line %1 holds").arg(why.line), causeJson("none-of", why.line)};
            break;
        case Why::Kind::Nothing:
            out = {Tr::tr("nothing satisfies the condition at line %1").arg(why.line), causeJson("nothing", why.line)};
            break;
        case Why::Kind::NoBinding:
            out = {Tr::tr("no binding of the remaining parameters satisfies the precondition"),
                   causeJson("no-binding", why.line)};
            break;
        case Why::Kind::Stopped:
            out = {Tr::tr("the search stopped (%1)").arg(why.outcome), causeJson("stopped")};
            out.why.insert(QStringLiteral("outcome"), why.outcome);
            break;
        case Why::Kind::NotA:
            out = {Tr::tr("%1 is not a %2").arg(m_objectNames.value(why.object), m_typeNames.at(why.type)),
                   causeJson("not-a", why.line)};
            out.why.insert(QStringLiteral("object"), m_objectNames.value(why.object));
            out.why.insert(QStringLiteral("type"), m_typeNames.at(why.type));
            break;
        case Why::Kind::Subtasks: {
            const Explained below = render(why.below);
            out = {Tr::tr("its subtasks could not be completed: %1").arg(below.text), causeJson("subtasks")};
            out.why.insert(QStringLiteral("task"), call(why.task, why.values));
            out.why.insert(QStringLiteral("below"), below.why);
            break;
        }
        case Why::Kind::Action: {
            const Explained below = render(why.below);
            out = {Tr::tr("action %1: %2").arg(m_taskNames.at(why.task), below.text), causeJson("action", why.line)};
            out.why.insert(QStringLiteral("action"), m_taskNames.at(why.task));
            out.why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(names(why.values)));
            out.why.insert(QStringLiteral("below"), below.why);
            break;
        }
        case Why::Kind::NoMethod:
            out = {Tr::tr("no method decomposes %1").arg(m_taskNames.at(why.task)), causeJson("no-method")};
            out.why.insert(QStringLiteral("task"), m_taskNames.at(why.task));
            break;
        case Why::Kind::NoMethodWorks: {
            const Explained last = reason(why.method, Attempt::Reason(why.attemptReason), why.lastReason);
            out = {Tr::tr("no method of %1 %2 works; the last, %3 [%4]: %5")
                       .arg(m_taskNames.at(why.task),
                            names(why.values).join(u' '),
                            m_methods[size_t(why.method)].source->name,
                            describeBinding(why.method, why.binding),
                            last.text),
                   causeJson("no-method-works")};
            out.why.insert(QStringLiteral("task"), m_taskNames.at(why.task));
            out.why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(names(why.values)));
            out.why.insert(QStringLiteral("method"), m_methods[size_t(why.method)].source->name);
            out.why.insert(QStringLiteral("below"), last.why);
            break;
        }
        case Why::Kind::Loop:
            out = {Tr::tr("%1 %2 is already being decomposed in this same state further up; this way would go "
                          "round in a circle")
                       .arg(m_taskNames.at(why.task), names(why.values).join(u' ')),
                   causeJson("loop")};
            out.why.insert(QStringLiteral("task"), m_taskNames.at(why.task));
            out.why.insert(QStringLiteral("arguments"), QJsonArray::fromStringList(names(why.values)));
            break;
        }
        if (!why.forEach.empty()) {
            QStringList parts;
            QJsonObject each;
            for (const auto &[variable, object] : why.forEach) {
                parts.append(variable + u'=' + object);
                each.insert(variable, object);
            }
            out.text = Tr::tr("for %1: %2").arg(parts.join(u' '), out.text);
            out.why.insert(QStringLiteral("for"), each);
        }
        return out;
    }

    // Why a method attempt failed, in words.
    Explained reason(int method, Attempt::Reason kind, const WhyPtr &why) const
    {
        switch (kind) {
        case Attempt::Reason::None:
            return {};
        case Attempt::Reason::Arguments:
            return {Tr::tr("the task's arguments do not fit the method's parameters"),
                    causeJson("arguments", m_methods[size_t(method)].source->position.line)};
        case Attempt::Reason::Precondition: {
            const Explained inner = render(why);
            return {Tr::tr("precondition: %1").arg(inner.text), inner.why};
        }
        case Attempt::Reason::Subtasks:
        case Attempt::Reason::Stopped:
            return render(why);
        }
        return {};
    }

    // ---- the result ----------------------------------------------------------------------

    PlanResult result(bool solved)
    {
        PlanResult out;
        if (solved) {
            out.outcome = PlanResult::Outcome::Solved;
            // The cells nothing bound take the first object of their type: any of it would do.
            for (size_t cell = 0; cell < m_cellValue.size(); ++cell) {
                if (m_cellValue[cell] < 0 && !m_members[size_t(m_cellType[cell])].empty()) {
                    m_cellValue[cell] = m_members[size_t(m_cellType[cell])].front();
                }
            }
        } else if (m_stop) {
            out.outcome = *m_stop;
        } else if (m_depthCut) {
            out.outcome = PlanResult::Outcome::DepthLimit;
        } else {
            out.outcome = PlanResult::Outcome::Exhausted;
        }
        out.nodes.reserve(qsizetype(m_nodes.size()));
        for (size_t i = 0; i < m_nodes.size(); ++i) {
            const Node &node = m_nodes[i];
            DecompositionNode d;
            d.id = int(i);
            d.primitive = primitive(node.task);
            d.name = node.task >= 0 ? m_taskNames.at(node.task) : QString();
            for (int a = 0; a < node.argc; ++a) {
                d.arguments.append(name(m_nodeArgs[size_t(node.argOffset + a)]));
            }
            if (node.method >= 0) {
                d.method = m_methods[size_t(node.method)].source->name;
            }
            for (int c = 0; c < node.childCount; ++c) {
                d.children.append(node.firstChild + c);
            }
            d.parent = node.parent;
            out.nodes.append(d);
        }
        for (Attempt &attempt : m_attempts) {
            if (attempt.node < 0 || attempt.node >= out.nodes.size()) {
                continue;
            }
            if (attempt.chosen) {
                attempt.binding = frozen(attempt.binding);
            }
            const Explained why = reason(attempt.method, attempt.reason, attempt.why);
            out.nodes[attempt.node].attempts.append(MethodAttempt{m_methods[size_t(attempt.method)].source->name,
                                                                  describeBinding(attempt.method, attempt.binding),
                                                                  why.text,
                                                                  why.why});
        }
        for (int node : m_plan) {
            out.plan.append(node);
        }
        for (int root : m_roots) {
            out.roots.append(root);
        }
        out.expansions = m_expansions;
        out.loopsCut = m_loopsCut;
        out.complete = m_complete;
        if (!solved) {
            for (int root : m_roots) {
                const DecompositionNode &node = out.nodes.at(root);
                if (!node.attempts.isEmpty() || node.primitive) {
                    out.failedTask = node.name + u' ' + node.arguments.join(u' ');
                    out.failure = node.attempts;
                    break;
                }
            }
            if (m_deepest.why && out.failure.isEmpty()) {
                const Explained deepest = render(m_deepest.why);
                out.failedTask = call(m_deepest.task, m_deepest.values);
                out.failure.append(MethodAttempt{QString(), QString(), deepest.text, deepest.why});
            }
            if (m_furthest.why) {
                const Explained furthest = render(m_furthest.why);
                out.furthestActions = m_furthest.actions;
                out.furthestTask = call(m_furthest.task, m_furthest.values);
                out.furthestReason = furthest.text;
                out.furthestWhy = furthest.why;
            }
        }
        out.elapsedMs = m_elapsed;
        return out;
    }

    const Domain &m_domain;
    const Problem &m_problem;
    const PlannerLimits &m_limits;

    QHash<QString, int> m_objectIds;
    QStringList m_objectNames;
    QStringList m_objectTypes;
    QHash<QString, int> m_predicateIds;
    std::vector<int> m_arity;
    QHash<QString, int> m_typeIds;
    QStringList m_typeNames;
    std::vector<std::vector<char>> m_isA; // type -> object -> is one
    std::vector<std::vector<int>> m_members; // type -> its objects, in name order
    QHash<QString, int> m_taskIds; // actions first, then compound tasks
    QStringList m_taskNames;
    int m_actionCount = 0;
    std::vector<CAction> m_actions;
    std::vector<CMethod> m_methods;
    std::vector<std::vector<int>> m_methodsOf; // task -> its methods, in the order tried
    CFormula m_goal;
    int m_goalSlots = 0;

    // facts met so far, and which hold
    std::vector<int> m_factPredicate;
    std::vector<int> m_factOffset;
    std::vector<int> m_factArgs;
    std::vector<int> m_table; // open addressing: fact indices, -1 empty
    std::vector<char> m_holds;
    std::vector<quint64> m_zobrist;
    std::vector<std::vector<int>> m_true; // predicate -> the facts that hold
    quint64 m_hash = 0; // of the facts that hold: the XOR of their random keys
    std::vector<Change> m_trail;

    // open cells
    std::vector<int> m_cellValue;
    std::vector<int> m_cellType;
    std::vector<std::pair<int, int>> m_cellOrigin; // (method or -1 for the network, parameter)
    std::vector<CellChange> m_cellTrail;
    std::vector<std::pair<int, int>> m_origins; // what frozen values of open cells stand for
    QHash<qint64, int> m_originIds;

    // the search
    std::vector<Node> m_nodes;
    std::vector<int> m_nodeArgs;
    std::vector<Item> m_items;
    std::vector<int> m_itemArgs;
    std::vector<Attempt> m_attempts;
    std::vector<int> m_plan;
    std::vector<int> m_roots;
    std::unordered_set<quint64> m_decomposing; // the situations of the compound tasks being decomposed
    qint64 m_expansions = 0;
    qint64 m_loopsCut = 0;
    bool m_complete = true;
    qint64 m_work = 0; // bindings tried, for the time limit within one large enumeration
    QElapsedTimer m_timer;
    qint64 m_elapsed = 0;
    std::optional<PlanResult::Outcome> m_stop;
    bool m_depthCut = false;
    Furthest m_deepest; // the last failure
    Furthest m_branch; // the failure after the most actions in the method attempt being searched
    Furthest m_furthest; // the failure after the most actions of all
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
