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

struct Predicate
{
    QString name;
    QList<TypedName> parameters;
};

struct Action
{
    QString name;
    QList<TypedName> parameters;
    Formula precondition;
    Effect effect;
    SourcePosition position;
};

struct CompoundTask
{
    QString name;
    QList<TypedName> parameters;
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
    Formula precondition;
    QList<TaskCall> subtasks; // totally ordered
    SourcePosition position;
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

    const Action *action(const QString &name) const;
    const CompoundTask *task(const QString &name) const;
    const Predicate *predicate(const QString &name) const;
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
    QList<TypedName> htnParameters;
    QList<TaskCall> htnTasks; // totally ordered
    QList<GroundAtom> init;
    Formula goal;
    QString file;
};

// Total-order HDDL (Höller et al. 2020 with the IPC 2020 addendum). Errors are
// "FILE:LINE:COLUMN: <what was expected>, found <what>"; partial-order networks are refused
// with that reason.
Result<Domain> parseDomain(const QByteArray &text, const QString &file);
Result<Problem> parseProblem(const QByteArray &text, const QString &file, const Domain &domain);

} // namespace astra::hddl
