#include "planning/hddl.h"

#include <QCoreApplication>
#include <QSet>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace astra::hddl {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::Hddl)
};

// Reads one domain or problem; every error names the file and position.
class Reader
{
public:
    explicit Reader(QString file, QHash<QString, QString> *spellings)
        : m_file(std::move(file))
        , m_spellings(spellings)
    {}

    // Remembers how a declared name was written (the first declaration wins).
    void declare(const SExpression &name) const
    {
        if (!name.isList && !name.symbol.startsWith(u'?') && !m_spellings->contains(name.symbol)) {
            m_spellings->insert(name.symbol, name.spelling);
        }
    }

    Error error(const SourcePosition &at, const QString &message) const
    {
        return makeError(QStringLiteral("%1:%2:%3: %4").arg(m_file).arg(at.line).arg(at.column).arg(message),
                         ErrorKind::Invalid);
    }
    Error expected(const SExpression &found, const QString &what) const
    {
        return error(found.position, Tr::tr("expected %1, found %2").arg(what, found.describe()));
    }

    Result<QList<TypedName>> typedList(const SExpression &list, bool variables) const
    {
        if (!list.isList) {
            return expected(list, Tr::tr("a parenthesised list of names"));
        }
        QList<TypedName> result;
        QList<TypedName> pending;
        for (int i = 0; i < list.items.size(); ++i) {
            const SExpression &item = list.items.at(i);
            if (item.isList) {
                return expected(item, Tr::tr("a name"));
            }
            if (item.symbol == u"-") {
                if (i + 1 >= list.items.size() || pending.isEmpty()) {
                    return expected(item, Tr::tr("names before '-' and a type after it"));
                }
                const SExpression &type = list.items.at(++i);
                if (type.isList) {
                    return error(type.position,
                                 Tr::tr("'either' types are not supported; declare a common super type"));
                }
                declare(type);
                for (TypedName &name : pending) {
                    name.type = type.symbol;
                }
                result += pending;
                pending.clear();
                continue;
            }
            if (variables != item.symbol.startsWith(u'?')) {
                return expected(item,
                                variables ? Tr::tr("a variable (?name)") : Tr::tr("a name that is not a variable"));
            }
            declare(item);
            pending.append(TypedName{item.symbol, QStringLiteral("object")});
        }
        result += pending;
        return result;
    }

    Result<TaskCall> taskCall(const SExpression &expr) const
    {
        if (!expr.isList || expr.items.isEmpty() || expr.items.constFirst().isList) {
            return expected(expr, Tr::tr("a task '(name arguments…)'"));
        }
        TaskCall call;
        call.position = expr.position;
        call.task = expr.items.constFirst().symbol;
        for (int i = 1; i < expr.items.size(); ++i) {
            if (expr.items.at(i).isList) {
                return expected(expr.items.at(i), Tr::tr("a variable or a constant"));
            }
            call.arguments.append(expr.items.at(i).symbol);
        }
        return call;
    }

    Result<Formula> formula(const SExpression &expr) const
    {
        Formula f;
        f.position = expr.position;
        if (!expr.isList) {
            return expected(expr, Tr::tr("a formula in parentheses"));
        }
        if (expr.items.isEmpty()) {
            f.kind = Formula::Kind::True;
            return f;
        }
        const SExpression &head = expr.items.constFirst();
        if (head.isList) {
            return expected(head, Tr::tr("a connective or a predicate name"));
        }
        const QString op = head.symbol;
        if (op == u"and" || op == u"or") {
            f.kind = op == u"and" ? Formula::Kind::And : Formula::Kind::Or;
            for (int i = 1; i < expr.items.size(); ++i) {
                auto child = formula(expr.items.at(i));
                if (!child) {
                    return child.error();
                }
                f.children.append(*child);
            }
            return f;
        }
        if (op == u"not" || op == u"imply") {
            const int arity = op == u"not" ? 1 : 2;
            if (expr.items.size() != arity + 1) {
                return error(
                    expr.position,
                    Tr::tr("'(%1' takes %2 formula(s), found %3").arg(op).arg(arity).arg(expr.items.size() - 1));
            }
            f.kind = op == u"not" ? Formula::Kind::Not : Formula::Kind::Imply;
            for (int i = 1; i <= arity; ++i) {
                auto child = formula(expr.items.at(i));
                if (!child) {
                    return child.error();
                }
                f.children.append(*child);
            }
            return f;
        }
        if (op == u"forall" || op == u"exists") {
            if (expr.items.size() != 3) {
                return error(expr.position, Tr::tr("expected '(%1 (?variables…) formula)'").arg(op));
            }
            f.kind = op == u"forall" ? Formula::Kind::Forall : Formula::Kind::Exists;
            auto variables = typedList(expr.items.at(1), true);
            if (!variables) {
                return variables.error();
            }
            f.variables = *variables;
            auto body = formula(expr.items.at(2));
            if (!body) {
                return body.error();
            }
            f.children.append(*body);
            return f;
        }
        f.kind = op == u"=" ? Formula::Kind::Equals : Formula::Kind::Atom;
        f.predicate = op;
        for (int i = 1; i < expr.items.size(); ++i) {
            if (expr.items.at(i).isList) {
                return expected(expr.items.at(i), Tr::tr("a variable or a constant"));
            }
            f.arguments.append(expr.items.at(i).symbol);
        }
        if (f.kind == Formula::Kind::Equals && f.arguments.size() != 2) {
            return error(expr.position, Tr::tr("'(=' compares exactly two terms"));
        }
        return f;
    }

    Result<Effect> effect(const SExpression &expr) const
    {
        Effect e;
        if (!expr.isList) {
            return expected(expr, Tr::tr("an effect in parentheses"));
        }
        if (expr.items.isEmpty()) {
            return e;
        }
        const SExpression &head = expr.items.constFirst();
        if (head.isList) {
            return expected(head, Tr::tr("'and', 'not', 'when', 'forall' or a predicate name"));
        }
        if (head.symbol == u"and") {
            e.kind = Effect::Kind::And;
            for (int i = 1; i < expr.items.size(); ++i) {
                auto child = effect(expr.items.at(i));
                if (!child) {
                    return child.error();
                }
                e.children.append(*child);
            }
            return e;
        }
        if (head.symbol == u"when") {
            if (expr.items.size() != 3) {
                return error(expr.position, Tr::tr("expected '(when condition effect)'"));
            }
            e.kind = Effect::Kind::When;
            auto condition = formula(expr.items.at(1));
            auto body = effect(expr.items.at(2));
            if (!condition || !body) {
                return condition ? body.error() : condition.error();
            }
            e.condition = *condition;
            e.children.append(*body);
            return e;
        }
        if (head.symbol == u"forall") {
            if (expr.items.size() != 3) {
                return error(expr.position, Tr::tr("expected '(forall (?variables…) effect)'"));
            }
            e.kind = Effect::Kind::Forall;
            auto variables = typedList(expr.items.at(1), true);
            auto body = effect(expr.items.at(2));
            if (!variables || !body) {
                return variables ? body.error() : variables.error();
            }
            e.variables = *variables;
            e.children.append(*body);
            return e;
        }
        const SExpression *atom = &expr;
        e.kind = Effect::Kind::Add;
        if (head.symbol == u"not") {
            if (expr.items.size() != 2 || !expr.items.at(1).isList || expr.items.at(1).items.isEmpty()) {
                return error(expr.position, Tr::tr("expected '(not (predicate arguments…))'"));
            }
            atom = &expr.items.at(1);
            e.kind = Effect::Kind::Delete;
        }
        if (atom->items.constFirst().isList) {
            return expected(atom->items.constFirst(), Tr::tr("a predicate name"));
        }
        e.predicate = atom->items.constFirst().symbol;
        for (int i = 1; i < atom->items.size(); ++i) {
            if (atom->items.at(i).isList) {
                return expected(atom->items.at(i), Tr::tr("a variable or a constant"));
            }
            e.arguments.append(atom->items.at(i).symbol);
        }
        return e;
    }

    // A task network: subtasks (labelled or not) and, unless already ordered, an ordering
    // that must be total.
    Result<QList<TaskCall>> network(const SExpression *subtasks, bool ordered, const SExpression *ordering) const
    {
        QList<TaskCall> calls;
        if (!subtasks) {
            return calls;
        }
        QList<const SExpression *> items;
        if (subtasks->isList && !subtasks->items.isEmpty() && subtasks->items.constFirst().isSymbol("and")) {
            for (int i = 1; i < subtasks->items.size(); ++i) {
                items.append(&subtasks->items.at(i));
            }
        } else if (subtasks->isList && !subtasks->items.isEmpty()) {
            items.append(subtasks);
        } else if (!subtasks->isList) {
            return expected(*subtasks, Tr::tr("a list of subtasks"));
        }
        for (const SExpression *item : std::as_const(items)) {
            const bool labelled =
                item->isList && item->items.size() == 2 && !item->items.at(0).isList && item->items.at(1).isList;
            auto call = taskCall(labelled ? item->items.at(1) : *item);
            if (!call) {
                return call.error();
            }
            if (labelled) {
                call->id = item->items.at(0).symbol;
            }
            calls.append(*call);
        }
        if (ordered || calls.size() <= 1) {
            return calls;
        }
        // Unordered subtasks need an :ordering that makes them a chain.
        QHash<QString, int> index;
        for (int i = 0; i < calls.size(); ++i) {
            if (calls.at(i).id.isEmpty()) {
                return error(calls.at(i).position,
                             Tr::tr("subtasks with an :ordering need labels, as in '(t1 (task …))'"));
            }
            index.insert(calls.at(i).id, i);
        }
        std::vector<QSet<int>> after(size_t(calls.size()));
        std::vector<int> incoming(size_t(calls.size()), 0);
        QList<const SExpression *> constraints;
        if (ordering && ordering->isList && !ordering->items.isEmpty()) {
            if (ordering->items.constFirst().isSymbol("and")) {
                for (int i = 1; i < ordering->items.size(); ++i) {
                    constraints.append(&ordering->items.at(i));
                }
            } else {
                constraints.append(ordering);
            }
        }
        for (const SExpression *constraint : std::as_const(constraints)) {
            if (!constraint->isList || constraint->items.size() != 3 || !constraint->items.at(0).isSymbol("<")
                || !index.contains(constraint->items.at(1).symbol) || !index.contains(constraint->items.at(2).symbol)) {
                return expected(*constraint, Tr::tr("'(< label label)' naming two subtasks"));
            }
            const int from = index.value(constraint->items.at(1).symbol);
            const int to = index.value(constraint->items.at(2).symbol);
            if (!after[size_t(from)].contains(to)) {
                after[size_t(from)].insert(to);
                ++incoming[size_t(to)];
            }
        }
        QList<TaskCall> sorted;
        QSet<int> done;
        while (sorted.size() < calls.size()) {
            QList<int> ready;
            for (int i = 0; i < calls.size(); ++i) {
                if (!done.contains(i) && incoming[size_t(i)] == 0) {
                    ready.append(i);
                }
            }
            if (ready.size() != 1) {
                const SourcePosition at = ordering ? ordering->position : subtasks->position;
                return error(at,
                             ready.isEmpty()
                                 ? Tr::tr("the :ordering has a cycle")
                                 : Tr::tr("the :ordering leaves %1 and %2 unordered: this is a partial-order "
                                          "task network, and only total-order HDDL is supported")
                                       .arg(calls.at(ready.at(0)).id, calls.at(ready.at(1)).id));
            }
            const int next = ready.constFirst();
            done.insert(next);
            sorted.append(calls.at(next));
            for (int successor : std::as_const(after[size_t(next)])) {
                --incoming[size_t(successor)];
            }
        }
        return sorted;
    }

    // The task network of a method or :htn from its keywords (:ordered-subtasks or
    // :ordered-tasks; or :subtasks or :tasks with :ordering).
    Result<QList<TaskCall>> network(const QHash<QString, const SExpression *> &values) const
    {
        const SExpression *ordered = values.value(QStringLiteral(":ordered-subtasks"));
        if (!ordered) {
            ordered = values.value(QStringLiteral(":ordered-tasks"));
        }
        const SExpression *unordered = values.value(QStringLiteral(":subtasks"));
        if (!unordered) {
            unordered = values.value(QStringLiteral(":tasks"));
        }
        return network(ordered ? ordered : unordered, ordered != nullptr, values.value(QStringLiteral(":ordering")));
    }

    // The values of ":keyword value" pairs of a definition, from `from` on.
    Result<QHash<QString, const SExpression *>>
    keywords(const SExpression &definition, int from, const QStringList &allowed) const
    {
        QHash<QString, const SExpression *> values;
        for (int i = from; i < definition.items.size(); i += 2) {
            const SExpression &key = definition.items.at(i);
            if (key.isList || !key.symbol.startsWith(u':') || !allowed.contains(key.symbol)) {
                return expected(key, Tr::tr("one of %1").arg(allowed.join(QStringLiteral(", "))));
            }
            if (i + 1 >= definition.items.size()) {
                return error(key.position, Tr::tr("%1 needs a value").arg(key.symbol));
            }
            values.insert(key.symbol, &definition.items.at(i + 1));
        }
        return values;
    }

    // A method's :constraints: equalities and inequalities of its variables, which hold or not
    // whatever the state.
    Result<Formula> constraints(const SExpression &expr) const
    {
        auto parsed = formula(expr);
        if (!parsed) {
            return parsed.error();
        }
        std::function<std::optional<SourcePosition>(const Formula &)> firstOther = [&](const Formula &f) {
            switch (f.kind) {
            case Formula::Kind::True:
            case Formula::Kind::Equals:
                return std::optional<SourcePosition>();
            case Formula::Kind::Not:
            case Formula::Kind::And:
                for (const Formula &child : f.children) {
                    if (auto other = firstOther(child)) {
                        return other;
                    }
                }
                return std::optional<SourcePosition>();
            default:
                return std::optional<SourcePosition>(f.position);
            }
        };
        if (const auto other = firstOther(*parsed)) {
            return error(*other,
                         Tr::tr("method :constraints may only compare variables, as in '(= ?a ?b)' or "
                                "'(not (= ?a ?b))', joined by 'and'; state a condition on facts in the "
                                ":precondition"));
        }
        return parsed;
    }

    QString m_file;
    QHash<QString, QString> *m_spellings;
};

// `precondition` and `extra` as one conjunction, flat where both are conjunctions, so that the
// planner matches every positive atom of either against the state.
Formula conjoin(Formula precondition, const Formula &extra)
{
    if (extra.kind == Formula::Kind::True) {
        return precondition;
    }
    if (precondition.kind == Formula::Kind::True) {
        return extra;
    }
    if (precondition.kind != Formula::Kind::And) {
        Formula both;
        both.kind = Formula::Kind::And;
        both.position = precondition.position;
        both.children.append(precondition);
        precondition = both;
    }
    if (extra.kind == Formula::Kind::And) {
        precondition.children += extra.children;
    } else {
        precondition.children.append(extra);
    }
    return precondition;
}

// The variables a formula uses that none of its quantifiers introduce.
void freeVariables(const Formula &f, QSet<QString> bound, std::vector<std::pair<QString, SourcePosition>> &out)
{
    for (const TypedName &variable : f.variables) {
        bound.insert(variable.name);
    }
    for (const QString &term : f.arguments) {
        if (term.startsWith(u'?') && !bound.contains(term)) {
            out.push_back({term, f.position});
        }
    }
    for (const Formula &child : f.children) {
        freeVariables(child, bound, out);
    }
}

Result<const SExpression *>
defineBody(const Reader &reader, const QList<SExpression> &top, const char *kind, QString *name)
{
    if (top.size() != 1) {
        return reader.error(top.isEmpty() ? SourcePosition{1, 1} : top.at(1).position,
                            Tr::tr("expected exactly one '(define (%1 …) …)'").arg(QLatin1String(kind)));
    }
    const SExpression &define = top.constFirst();
    if (define.items.size() < 2 || !define.items.at(0).isSymbol("define") || !define.items.at(1).isList
        || define.items.at(1).items.size() != 2 || !define.items.at(1).items.at(0).isSymbol(kind)) {
        return reader.expected(define, QStringLiteral("'(define (%1 NAME) …)'").arg(QLatin1String(kind)));
    }
    *name = define.items.at(1).items.at(1).symbol;
    reader.declare(define.items.at(1).items.at(1));
    return &define;
}
} // namespace

const Action *Domain::action(const QString &name) const
{
    for (const Action &a : actions) {
        if (a.name == name) {
            return &a;
        }
    }
    return nullptr;
}

const CompoundTask *Domain::task(const QString &name) const
{
    for (const CompoundTask &t : tasks) {
        if (t.name == name) {
            return &t;
        }
    }
    return nullptr;
}

const Predicate *Domain::predicate(const QString &name) const
{
    for (const Predicate &p : predicates) {
        if (p.name == name) {
            return &p;
        }
    }
    return nullptr;
}

const Method *Domain::method(const QString &name) const
{
    for (const Method &m : methods) {
        if (m.name == name) {
            return &m;
        }
    }
    return nullptr;
}

namespace {
// "; @key text" -> {key, text}; anything else -> nothing.
std::optional<std::pair<QString, QString>> annotationOf(const QString &line)
{
    QString rest = line.trimmed();
    if (!rest.startsWith(u';')) {
        return std::nullopt;
    }
    while (rest.startsWith(u';')) {
        rest.remove(0, 1);
    }
    rest = rest.trimmed();
    if (!rest.startsWith(u'@')) {
        return std::nullopt;
    }
    const qsizetype space = rest.indexOf(u' ');
    const QString key = rest.mid(1, space < 0 ? -1 : space - 1).toLower();
    if (key.isEmpty()) {
        return std::nullopt;
    }
    return std::make_pair(key, space < 0 ? QString() : rest.mid(space + 1).trimmed());
}
} // namespace

QHash<int, QHash<QString, QString>> readAnnotations(const QByteArray &text)
{
    QHash<int, QHash<QString, QString>> out;
    QHash<QString, QString> pending;
    const QStringList lines = QString::fromUtf8(text).split(u'\n');
    for (int i = 0; i < lines.size(); ++i) {
        const QString trimmed = lines.at(i).trimmed();
        if (trimmed.isEmpty()) {
            pending.clear();
        } else if (const auto annotation = annotationOf(trimmed)) {
            pending.insert(annotation->first, annotation->second);
        } else if (!trimmed.startsWith(u';') && !pending.isEmpty()) {
            out.insert(i + 1, std::exchange(pending, {}));
        }
    }
    return out;
}

QHash<QString, QString> readMeanings(const QByteArray &text)
{
    QHash<QString, QString> out;
    for (const QString &line : QString::fromUtf8(text).split(u'\n')) {
        const auto annotation = annotationOf(line);
        if (!annotation || annotation->first != u"means") {
            continue;
        }
        const QString value = annotation->second;
        const qsizetype space = value.indexOf(u' ');
        if (space > 0) {
            out.insert(value.left(space).toLower(), value.mid(space + 1).trimmed());
        }
    }
    return out;
}

bool Domain::isSubtype(const QString &type, const QString &ancestor) const
{
    QString current = type;
    for (int guard = 0; guard < 1000 && !current.isEmpty(); ++guard) {
        if (current == ancestor) {
            return true;
        }
        current = typeParents.value(current);
    }
    return ancestor == u"object";
}

QString spelled(const Domain &domain, const Problem &problem, const QString &name)
{
    if (const auto it = problem.spellings.constFind(name); it != problem.spellings.cend()) {
        return *it;
    }
    return domain.spellings.value(name, name);
}

Result<Domain> parseDomain(const QByteArray &text, const QString &file)
{
    Domain domain;
    Reader reader(file, &domain.spellings);
    auto top = readSExpressions(text, file);
    if (!top) {
        return top.error();
    }
    domain.file = file;
    domain.meanings = readMeanings(text);
    const QHash<int, QHash<QString, QString>> annotations = readAnnotations(text);
    const auto annotated = [&](const SourcePosition &at, const char *key) {
        return annotations.value(at.line).value(QLatin1String(key));
    };
    auto define = defineBody(reader, *top, "domain", &domain.name);
    if (!define) {
        return define.error();
    }
    QSet<QString> names;
    for (int i = 2; i < (*define)->items.size(); ++i) {
        const SExpression &section = (*define)->items.at(i);
        if (!section.isList || section.items.isEmpty() || section.items.constFirst().isList) {
            return reader.expected(section, Tr::tr("a domain section such as '(:action …)'"));
        }
        const QString kind = section.items.constFirst().symbol;
        if (kind == u":requirements") {
            for (int j = 1; j < section.items.size(); ++j) {
                domain.requirements.append(section.items.at(j).symbol);
            }
        } else if (kind == u":types") {
            SExpression list = section;
            list.items.removeFirst();
            auto types = reader.typedList(list, false);
            if (!types) {
                return types.error();
            }
            for (const TypedName &type : std::as_const(*types)) {
                domain.typeParents.insert(type.name, type.name == u"object" ? QString() : type.type);
            }
        } else if (kind == u":constants") {
            SExpression list = section;
            list.items.removeFirst();
            auto constants = reader.typedList(list, false);
            if (!constants) {
                return constants.error();
            }
            domain.constants += *constants;
        } else if (kind == u":predicates") {
            for (int j = 1; j < section.items.size(); ++j) {
                const SExpression &p = section.items.at(j);
                if (!p.isList || p.items.isEmpty() || p.items.constFirst().isList) {
                    return reader.expected(p, Tr::tr("a predicate '(name ?parameters…)'"));
                }
                SExpression parameters = p;
                parameters.items.removeFirst();
                auto typed = reader.typedList(parameters, true);
                if (!typed) {
                    return typed.error();
                }
                reader.declare(p.items.constFirst());
                domain.predicates.append(Predicate{p.items.constFirst().symbol,
                                                   *typed,
                                                   p.position,
                                                   annotated(p.position, "true"),
                                                   annotated(p.position, "false")});
            }
        } else if (kind == u":task" || kind == u":action" || kind == u":method") {
            if (section.items.size() < 2 || section.items.at(1).isList) {
                return reader.expected(section, Tr::tr("'(%1 NAME …)'").arg(kind));
            }
            const QString name = section.items.at(1).symbol;
            reader.declare(section.items.at(1));
            const QStringList allowed = kind == u":task" ? QStringList{QStringLiteral(":parameters")}
                : kind == u":action"
                ? QStringList{QStringLiteral(":parameters"), QStringLiteral(":precondition"), QStringLiteral(":effect")}
                : QStringList{QStringLiteral(":parameters"),
                              QStringLiteral(":task"),
                              QStringLiteral(":precondition"),
                              QStringLiteral(":ordered-subtasks"),
                              QStringLiteral(":ordered-tasks"),
                              QStringLiteral(":subtasks"),
                              QStringLiteral(":tasks"),
                              QStringLiteral(":ordering"),
                              QStringLiteral(":constraints")};
            auto values = reader.keywords(section, 2, allowed);
            if (!values) {
                return values.error();
            }
            QList<TypedName> parameters;
            if (const SExpression *p = values->value(QStringLiteral(":parameters"))) {
                auto typed = reader.typedList(*p, true);
                if (!typed) {
                    return typed.error();
                }
                parameters = *typed;
            }
            const QString key = kind + u' ' + name;
            if (names.contains(key)) {
                return reader.error(section.position, Tr::tr("%1 '%2' is defined twice").arg(kind.mid(1), name));
            }
            names.insert(key);
            if (kind == u":task") {
                domain.tasks.append(
                    CompoundTask{name, parameters, section.position, annotated(section.position, "text")});
                continue;
            }
            Formula precondition;
            if (const SExpression *p = values->value(QStringLiteral(":precondition"))) {
                auto parsed = reader.formula(*p);
                if (!parsed) {
                    return parsed.error();
                }
                precondition = *parsed;
            }
            if (kind == u":action") {
                Action action{name,
                              parameters,
                              precondition,
                              {},
                              section.position,
                              annotated(section.position, "text")};
                if (const QString cost = annotated(section.position, "cost"); !cost.isEmpty()) {
                    bool number = false;
                    action.cost = cost.toInt(&number);
                    if (!number || action.cost < 0) {
                        return reader.error(section.position,
                                            Tr::tr("the @cost of action '%1' is '%2'; write a whole number, 0 or more")
                                                .arg(name, cost));
                    }
                }
                if (const SExpression *e = values->value(QStringLiteral(":effect"))) {
                    auto parsed = reader.effect(*e);
                    if (!parsed) {
                        return parsed.error();
                    }
                    action.effect = *parsed;
                }
                domain.actions.append(action);
                continue;
            }
            if (const SExpression *c = values->value(QStringLiteral(":constraints"))) {
                auto parsed = reader.constraints(*c);
                if (!parsed) {
                    return parsed.error();
                }
                precondition = conjoin(precondition, *parsed);
            }
            const SExpression *taskExpr = values->value(QStringLiteral(":task"));
            if (!taskExpr) {
                return reader.error(section.position, Tr::tr("method '%1' needs ':task (name arguments…)'").arg(name));
            }
            auto task = reader.taskCall(*taskExpr);
            if (!task) {
                return task.error();
            }
            auto subtasks = reader.network(*values);
            if (!subtasks) {
                return subtasks.error();
            }
            domain.methods.append(Method{name,
                                         parameters,
                                         *task,
                                         precondition,
                                         *subtasks,
                                         section.position,
                                         annotated(section.position, "text")});
        } else {
            return reader.expected(
                section.items.constFirst(),
                Tr::tr("one of :requirements, :types, :constants, :predicates, :task, :method, :action"));
        }
    }

    // Every task a method decomposes or uses must exist with the right number of arguments.
    for (const Method &method : std::as_const(domain.methods)) {
        const CompoundTask *task = domain.task(method.task.task);
        if (!task) {
            return reader.error(method.task.position,
                                Tr::tr("method '%1' decomposes '%2', which is not a declared :task")
                                    .arg(method.name, method.task.task));
        }
        if (task->parameters.size() != method.task.arguments.size()) {
            return reader.error(method.task.position,
                                Tr::tr("task '%1' takes %2 argument(s), the method gives %3")
                                    .arg(task->name)
                                    .arg(task->parameters.size())
                                    .arg(method.task.arguments.size()));
        }
        // Every variable it uses is one of its parameters; those its task does not give are bound
        // by its precondition or, later, by the subtasks that use them.
        QSet<QString> declared;
        for (const TypedName &parameter : method.parameters) {
            declared.insert(parameter.name);
        }
        std::vector<std::pair<QString, SourcePosition>> used;
        for (const TaskCall &call : QList<TaskCall>{method.task} + method.subtasks) {
            for (const QString &term : call.arguments) {
                if (term.startsWith(u'?')) {
                    used.push_back({term, call.position});
                }
            }
        }
        freeVariables(method.precondition, {}, used);
        for (const auto &[variable, at] : std::as_const(used)) {
            if (!declared.contains(variable)) {
                return reader.error(at,
                                    Tr::tr("method '%1' uses %2, which is not one of its :parameters; declare it there")
                                        .arg(method.name, variable));
            }
        }
        for (const TaskCall &call : method.subtasks) {
            const Action *action = domain.action(call.task);
            const CompoundTask *compound = domain.task(call.task);
            if (!action && !compound) {
                return reader.error(call.position,
                                    Tr::tr("'%1' is neither an action nor a task of this domain").arg(call.task));
            }
            const int arity = int(action ? action->parameters.size() : compound->parameters.size());
            if (arity != call.arguments.size()) {
                return reader.error(
                    call.position,
                    Tr::tr("'%1' takes %2 argument(s), found %3").arg(call.task).arg(arity).arg(call.arguments.size()));
            }
        }
    }
    return domain;
}

Result<Problem> parseProblem(const QByteArray &text, const QString &file, const Domain &domain)
{
    Problem problem;
    Reader reader(file, &problem.spellings);
    auto top = readSExpressions(text, file);
    if (!top) {
        return top.error();
    }
    problem.file = file;
    problem.meanings = readMeanings(text);
    auto define = defineBody(reader, *top, "problem", &problem.name);
    if (!define) {
        return define.error();
    }
    for (int i = 2; i < (*define)->items.size(); ++i) {
        const SExpression &section = (*define)->items.at(i);
        if (!section.isList || section.items.isEmpty() || section.items.constFirst().isList) {
            return reader.expected(section, Tr::tr("a problem section such as '(:init …)'"));
        }
        const QString kind = section.items.constFirst().symbol;
        if (kind == u":domain") {
            if (section.items.size() != 2 || section.items.at(1).isList) {
                return reader.expected(section, QStringLiteral("'(:domain NAME)'"));
            }
            problem.domain = section.items.at(1).symbol;
            if (problem.domain != domain.name) {
                return reader.error(section.items.at(1).position,
                                    Tr::tr("the problem is for domain '%1', but the domain "
                                           "file defines '%2'")
                                        .arg(problem.domain, domain.name));
            }
        } else if (kind == u":requirements") {
            continue;
        } else if (kind == u":objects") {
            SExpression list = section;
            list.items.removeFirst();
            auto objects = reader.typedList(list, false);
            if (!objects) {
                return objects.error();
            }
            problem.objects += *objects;
        } else if (kind == u":htn") {
            auto values = reader.keywords(section,
                                          1,
                                          {QStringLiteral(":parameters"),
                                           QStringLiteral(":ordered-subtasks"),
                                           QStringLiteral(":ordered-tasks"),
                                           QStringLiteral(":subtasks"),
                                           QStringLiteral(":tasks"),
                                           QStringLiteral(":ordering"),
                                           QStringLiteral(":constraints")});
            if (!values) {
                return values.error();
            }
            if (const SExpression *p = values->value(QStringLiteral(":parameters"))) {
                auto typed = reader.typedList(*p, true);
                if (!typed) {
                    return typed.error();
                }
                problem.htnParameters = *typed;
            }
            auto tasks = reader.network(*values);
            if (!tasks) {
                return tasks.error();
            }
            problem.htnTasks = *tasks;
            if (const SExpression *c = values->value(QStringLiteral(":constraints"));
                c && !(c->isList && c->items.isEmpty())) {
                return reader.error(c->position,
                                    Tr::tr("constraints on the initial task network are not supported; bind its "
                                           "variables in the methods of a task that wraps it"));
            }
            QSet<QString> declared;
            for (const TypedName &parameter : std::as_const(problem.htnParameters)) {
                declared.insert(parameter.name);
            }
            for (const TaskCall &call : std::as_const(problem.htnTasks)) {
                const Action *action = domain.action(call.task);
                const CompoundTask *compound = domain.task(call.task);
                if (!action && !compound) {
                    return reader.error(
                        call.position,
                        Tr::tr("'%1' is neither an action nor a task of domain '%2'").arg(call.task, domain.name));
                }
                const int arity = int(action ? action->parameters.size() : compound->parameters.size());
                if (arity != call.arguments.size()) {
                    return reader.error(call.position,
                                        Tr::tr("'%1' takes %2 argument(s), found %3")
                                            .arg(call.task)
                                            .arg(arity)
                                            .arg(call.arguments.size()));
                }
                for (const QString &term : call.arguments) {
                    if (term.startsWith(u'?') && !declared.contains(term)) {
                        return reader.error(call.position,
                                            Tr::tr("the initial task network uses %1, which is not one of its "
                                                   ":parameters; declare it there")
                                                .arg(term));
                    }
                }
            }
        } else if (kind == u":init") {
            for (int j = 1; j < section.items.size(); ++j) {
                const SExpression &atom = section.items.at(j);
                if (!atom.isList || atom.items.isEmpty() || atom.items.constFirst().isList) {
                    return reader.expected(atom, Tr::tr("a fact '(predicate objects…)'"));
                }
                GroundAtom fact;
                fact.predicate = atom.items.constFirst().symbol;
                for (int k = 1; k < atom.items.size(); ++k) {
                    if (atom.items.at(k).isList) {
                        return reader.expected(atom.items.at(k), Tr::tr("an object"));
                    }
                    fact.arguments.append(atom.items.at(k).symbol);
                }
                const Predicate *predicate = domain.predicate(fact.predicate);
                if (!predicate) {
                    return reader.error(
                        atom.position,
                        Tr::tr("'%1' is not a predicate of domain '%2'").arg(fact.predicate, domain.name));
                }
                if (predicate->parameters.size() != fact.arguments.size()) {
                    return reader.error(atom.position,
                                        Tr::tr("'%1' takes %2 argument(s), found %3")
                                            .arg(fact.predicate)
                                            .arg(predicate->parameters.size())
                                            .arg(fact.arguments.size()));
                }
                problem.init.append(fact);
            }
        } else if (kind == u":goal") {
            if (section.items.size() != 2) {
                return reader.expected(section, QStringLiteral("'(:goal formula)'"));
            }
            auto goal = reader.formula(section.items.at(1));
            if (!goal) {
                return goal.error();
            }
            problem.goal = *goal;
        } else {
            return reader.expected(section.items.constFirst(), Tr::tr("one of :domain, :objects, :htn, :init, :goal"));
        }
    }
    return problem;
}

} // namespace astra::hddl
