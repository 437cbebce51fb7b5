#pragma once

#include "base/result.h"
#include "planning/sexpression.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace astra::hddl {

struct TypedName
{
    QString name; // "?x" for variables
    QString type = QStringLiteral("object");
};

struct Formula
{
    enum class Kind
    {
        True, // an empty precondition "()"
        Atom,
        Equals,
        Not,
        And,
        Or,
        Imply,
        Forall,
        Exists,
    };
    Kind kind = Kind::True;
    QString predicate; // Atom
    QStringList arguments; // Atom, Equals (two terms)
    QList<Formula> children;
    QList<TypedName> variables; // Forall, Exists
    SourcePosition position;
};

struct Effect
{
    enum class Kind
    {
        None,
        Add,
        Delete,
        And,
        When, // condition -> children.first()
        Forall,
    };
    Kind kind = Kind::None;
    QString predicate;
    QStringList arguments;
    Formula condition;
    QList<Effect> children;
    QList<TypedName> variables;
};

// Annotations are comment lines "; @KEY TEXT" directly above a definition (blank lines end
// them; plain comments between are allowed). `?name` in TEXT stands for what the parameter is
// bound to. See docs/planning.md, "Reading a plan".
struct Predicate
{
    QString name;
    QList<TypedName> parameters;
    SourcePosition position;
    QString whenTrue; // @true: what the fact means in the workspace when it holds
    QString whenFalse; // @false: what it means when it does not
};

struct Action
{
    QString name;
    QList<TypedName> parameters;
    Formula precondition;
    Effect effect;
    SourcePosition position;
    QString text; // @text: what the step does, e.g. "Read ?f"
    int cost = 1; // @cost: its effort relative to the domain's other actions (a whole number >= 0)
};

struct CompoundTask
{
    QString name;
    QList<TypedName> parameters;
    SourcePosition position;
    QString text; // @text
};

struct TaskCall
{
    QString id; // the subtask label, when given
    QString task;
    QStringList arguments; // variables or constants
    SourcePosition position;
};

struct Method
{
    QString name;
    QList<TypedName> parameters;
    TaskCall task; // the compound task it decomposes
    Formula precondition; // with the method's :constraints (equalities of its variables) joined in
    QList<TaskCall> subtasks; // totally ordered
    SourcePosition position;
    QString text; // @text: the way it takes, e.g. "Change the files with ?p"
};

struct Domain
{
    QString name;
    QStringList requirements;
    QHash<QString, QString> typeParents; // type -> parent; "object" is the root
    QList<TypedName> constants;
    QList<Predicate> predicates;
    QList<CompoundTask> tasks;
    QList<Action> actions;
    QList<Method> methods;
    QString file;
    QHash<QString, QString> meanings; // "; @means CONSTANT TEXT"
    // Names are compared lower-cased (HDDL is case-insensitive); this is how each name of an
    // action, task, method, predicate, type or constant was written where it was declared.
    QHash<QString, QString> spellings;

    const Action *action(const QString &name) const;
    const CompoundTask *task(const QString &name) const;
    const Predicate *predicate(const QString &name) const;
    const Method *method(const QString &name) const;
    bool isSubtype(const QString &type, const QString &ancestor) const;
};

struct GroundAtom
{
    QString predicate;
    QStringList arguments;
};

struct Problem
{
    QString name;
    QString domain;
    QList<TypedName> objects;
    QList<TypedName> htnParameters; // variables of the initial task network, bound by the planner
    QList<TaskCall> htnTasks; // totally ordered
    QList<GroundAtom> init;
    Formula goal;
    QString file;
    // "; @means OBJECT TEXT" anywhere in the problem: what an object stands for.
    QHash<QString, QString> meanings;
    QHash<QString, QString> spellings; // object -> as written in :objects (see Domain::spellings)
};

// A name as the domain or problem wrote it where it was declared (`name` as given if neither did).
QString spelled(const Domain &domain, const Problem &problem, const QString &name);

// The annotations of a text, by the line of the code they stand above: line -> key -> text.
QHash<int, QHash<QString, QString>> readAnnotations(const QByteArray &text);
// The "; @means OBJECT TEXT" lines of a problem, object -> text.
QHash<QString, QString> readMeanings(const QByteArray &text);

// Total-order HDDL (Höller et al. 2020 with the IPC 2020 addendum). Errors are
// "FILE:LINE:COLUMN: <what was expected>, found <what>"; partial-order networks are refused
// with that reason.
Result<Domain> parseDomain(const QByteArray &text, const QString &file);
Result<Problem> parseProblem(const QByteArray &text, const QString &file, const Domain &domain);

} // namespace astra::hddl
