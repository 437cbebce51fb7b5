#include "planning/planner.h"

#include <QFile>
#include <QTest>

using namespace astra;
using namespace astra::hddl;

namespace {
QByteArray readData(const QString &name)
{
    QFile file(qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/hddl/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QStringList planSteps(const PlanResult &result)
{
    QStringList steps;
    for (int index : result.plan) {
        const DecompositionNode &node = result.nodes.at(index);
        steps.append(QStringList(QStringList{node.name} + node.arguments).join(u' '));
    }
    return steps;
}
} // namespace

class TestPlanner : public QObject
{
    Q_OBJECT
private:
    Domain m_domain;

    Result<Problem> problem(const QByteArray &extraInit = {}, const QByteArray &htn = {})
    {
        QByteArray text = readData(QStringLiteral("delivery-problem.hddl"));
        if (!extraInit.isEmpty()) {
            text.replace(QByteArray("(:init"), QByteArray(QByteArray("(:init ") + extraInit));
        }
        if (!htn.isEmpty()) {
            const int start = text.indexOf("(:htn");
            const int end = text.indexOf("(:init");
            text = QByteArray(text.left(start) + htn + QByteArray("\n  ") + text.mid(end));
        }
        return parseProblem(text, QStringLiteral("delivery-problem.hddl"), m_domain);
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto domain =
            parseDomain(readData(QStringLiteral("delivery-domain.hddl")), QStringLiteral("delivery-domain.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        m_domain = *domain;
    }

    void solvesWithBacktrackingAndBindings()
    {
        auto p = problem();
        QVERIFY2(p.ok(), qPrintable(p.message()));
        const PlanResult result = solve(m_domain, *p);
        QCOMPARE(toString(result.outcome), QStringLiteral("solved"));
        // task0 (p2 to a) comes first by the :ordering; p1 reaches b only via the depot, after
        // the direct road was tried and refused.
        QCOMPARE(planSteps(result),
                 (QStringList{QStringLiteral("load p2 truck1 depot"),
                              QStringLiteral("drive truck1 depot a"),
                              QStringLiteral("unload p2 truck1 a"),
                              QStringLiteral("load p1 truck1 a"),
                              QStringLiteral("drive truck1 a depot"),
                              QStringLiteral("drive truck1 depot b"),
                              QStringLiteral("unload p1 truck1 b")}));
        const QString tree = result.toTree();
        QVERIFY2(tree.contains(QStringLiteral("task get-to truck1 b -> m-via-depot")), qPrintable(tree));
        QVERIFY2(
            tree.contains(QStringLiteral("x m-already-there [?t=truck1 ?l=b]: precondition: (at truck1 b) is false")),
            qPrintable(tree));
        QVERIFY2(tree.contains(QStringLiteral("x m-drive [?t=truck1 ?l=b]: precondition: ")), qPrintable(tree));
    }

    void ipcPlanFormat()
    {
        auto p = problem();
        const PlanResult result = solve(m_domain, *p);
        const QString text = result.toIpcFormat();
        QVERIFY(text.startsWith(QStringLiteral("==>\n")));
        QVERIFY(text.endsWith(QStringLiteral("<==\n")));
        const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
        int actions = 0;
        int abstract = 0;
        QString root;
        for (const QString &line : lines.mid(1, lines.size() - 2)) {
            if (line.startsWith(QStringLiteral("root "))) {
                root = line;
            } else if (line.contains(QStringLiteral(" -> "))) {
                ++abstract;
            } else {
                ++actions;
            }
        }
        QCOMPARE(actions, 7);
        QCOMPARE(root.split(u' ').size(), 3); // root and two tasks
        QVERIFY2(text.contains(QStringLiteral("deliver p1 b -> m-deliver ")), qPrintable(text));
        QCOMPARE(abstract, 6); // two deliveries, each with two get-to
    }

    void conditionalEffectsAndForallCanMakeItUnsolvable()
    {
        // Loading a fragile package damages it (a conditional effect); unloading requires no
        // damaged package in the truck (forall + imply): there is no plan.
        auto p = problem("(fragile p1)");
        QVERIFY(p.ok());
        const PlanResult result = solve(m_domain, *p);
        QCOMPARE(toString(result.outcome), QStringLiteral("exhausted"));
        QVERIFY(result.plan.isEmpty());
        QVERIFY(!result.failure.isEmpty());
    }

    void negativePreconditionExplainsTheFailure()
    {
        auto p = problem({}, "(:htn :ordered-subtasks (deliver p2 depot))");
        QVERIFY2(p.ok(), qPrintable(p.message()));
        const PlanResult result = solve(m_domain, *p);
        QCOMPARE(toString(result.outcome), QStringLiteral("exhausted"));
        QCOMPARE(result.failedTask, QStringLiteral("deliver p2 depot"));
        QCOMPARE(result.failure.size(), 1);
        QCOMPARE(result.failure.first().method, QStringLiteral("m-deliver"));
        QVERIFY2(
            result.failure.first().reason.contains(QStringLiteral("(= depot depot) holds, and the negative condition")),
            qPrintable(result.failure.first().reason));
    }

    void emptyNetworkIsTrivial()
    {
        auto p = problem({}, "(:htn :ordered-subtasks ())");
        QVERIFY(p.ok());
        const PlanResult result = solve(m_domain, *p);
        QCOMPARE(toString(result.outcome), QStringLiteral("solved"));
        QVERIFY(result.plan.isEmpty());
    }

    void limits()
    {
        auto p = problem();
        PlannerLimits tight;
        tight.maxNodes = 3;
        QCOMPARE(toString(solve(m_domain, *p, tight).outcome), QStringLiteral("node limit"));
        PlannerLimits shallow;
        shallow.maxDepth = 1;
        QCOMPARE(toString(solve(m_domain, *p, shallow).outcome), QStringLiteral("depth limit"));
        std::atomic<bool> cancel{true};
        PlannerLimits cancelled;
        cancelled.cancel = &cancel;
        QCOMPARE(toString(solve(m_domain, *p, cancelled).outcome), QStringLiteral("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestPlanner)
#include "tst_planner.moc"
