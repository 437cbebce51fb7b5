#pragma once

#include "model/plan.h"
#include "planning/hddl.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>

namespace astra {

// A place in a domain's source: where a node's words come from, to open it there.
struct SourceRef
{
    QString file; // the domain's file name, as the domain was read ("code-maintenance.hddl")
    int line = 0;

    bool isValid() const
    {
        return line > 0;
    }
    QString toString() const; // "code-maintenance.hddl:37"
};

// A stored plan in the reader's words: objects by what they stand for (`file1` → its path,
// `g7` → the goal's title, from the problem's "@means" lines), tasks, methods and actions by
// the domain's "@text", and a rejected method's cause as a sentence from the "@true"/"@false"
// of the fact that decided it. Where the domain says nothing, the planner's symbols are used.
// Words are made when asked, in the running program's language; what is stored stays
// language-neutral.
class PlanReading
{
public:
    // `domain` may be null (a domain this program does not have): symbols are shown then.
    PlanReading(const PlanRecord &plan, std::shared_ptr<const hddl::Domain> domain);

    // The domain a stored plan was made with, if this program has it (the built-in one, read
    // once). Thread-safe.
    static std::shared_ptr<const hddl::Domain> domainOf(const PlanRecord &plan);
    // The text of a domain's source, by the file name a SourceRef gives (the built-in one).
    static QString domainSource(const QString &file);

    const PlanRecord &plan() const
    {
        return m_plan;
    }
    const hddl::Domain *domain() const
    {
        return m_domain.get();
    }

    // What an object stands for, or the object itself.
    QString meaning(const QString &object) const;
    // The node in words: "Read src/parser.cpp", "Ask the proposer openai for the change".
    QString title(const PlanNodeRecord &node) const;
    // The node in the planner's symbols: "code_read g7 file1", "m-read-next ?g=g7 ?f=file1".
    static QString symbol(const PlanNodeRecord &node);
    // A rejected method's cause as a sentence ("no fix-its were found for this goal"); empty
    // for other nodes. Falls back to the planner's words when the cause is not structured.
    QString why(const PlanNodeRecord &node) const;
    QString why(const QJsonObject &cause) const;
    // Without a plan: where the search came furthest and what stopped it, in words; empty for a
    // plan that was found or a failure stored without its cause.
    QString failure() const;
    // What a step costs as the domain's @cost says (1 without it); 0 for other nodes.
    int cost(const PlanNodeRecord &node) const;
    // Where to read more in the domain: for a rejected method, the condition that was false;
    // otherwise the definition of the task, method or action.
    SourceRef source(const PlanNodeRecord &node) const;

    // The whole decomposition as indented text, one node per line: chosen ways "→", rejected
    // ones "✗ … : not taken, WHY [FILE:LINE]", steps numbered in the order they run. With
    // `symbolic`, the planner's symbols instead. `status`, when given, is appended to steps.
    QString text(bool symbolic, const std::function<QString(const PlanNodeRecord &)> &status = {}) const;

    // The step number of each action node (1-based, in plan order), by node id.
    const QHash<qint64, int> &stepNumbers() const
    {
        return m_steps;
    }

private:
    QString fill(const QString &text, const QHash<QString, QString> &binding) const;
    QString factText(const QJsonObject &cause, bool holds) const;
    QHash<QString, QString> parameterBinding(const QList<hddl::TypedName> &parameters,
                                             const QStringList &arguments) const;

    PlanRecord m_plan;
    std::shared_ptr<const hddl::Domain> m_domain;
    QHash<QString, QString> m_meanings;
    QHash<qint64, int> m_steps;
};

// One difference between two plans of a goal, in words.
struct PlanChange
{
    enum class Kind
    {
        Outcome, // one has a plan, the other not
        MethodChanged, // a task is decomposed another way
        BindingChanged, // the same way, with other objects
        TaskAdded, // a task only the newer plan has
        TaskRemoved, // a task only the older plan has
    };
    Kind kind = Kind::MethodChanged;
    QString task; // the task in words (or symbols)
    QString text; // the whole sentence
    qint64 olderNode = 0; // the task node in each plan (0: not in it)
    qint64 newerNode = 0;
};

// What changed from `older` to `newer`: compound tasks are matched by their place in the
// decomposition (the chain of tasks above them); for each, whether another method was chosen,
// and why: the reason the newer plan rejected the old way, or that the older one rejected the
// new way.
QList<PlanChange> comparePlans(const PlanReading &older, const PlanReading &newer, bool symbolic = false);

} // namespace astra
