#include "planning/planner.h"

#include <QFile>
#include <QTest>

using namespace astra;
using namespace astra::hddl;

namespace {
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

// The built-in domain decomposes each goal kind into the primitives, choosing methods by the
// workspace's facts; without an applicable method there is no plan, and the trace says why.
class TestCodeMaintenance : public QObject
{
    Q_OBJECT
private:
    Domain m_domain;

    PlanResult
    plan(const QString &kind, const QByteArray &facts, const QByteArray &objects = "f1 f2 - file openai - proposer")
    {
        const QByteArray text = "(define (problem p) (:domain code-maintenance)\n"
                                " (:objects g1 - goal " + objects + ")\n"
                                " (:htn :ordered-subtasks (" + kind.toUtf8() + " g1))\n"
                                " (:init " + facts + "))";
        auto problem = parseProblem(text, QStringLiteral("problem.hddl"), m_domain);
        if (!problem) {
            qWarning("%s", qPrintable(problem.message()));
            return {};
        }
        return solve(m_domain, *problem);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QFile file(qEnvironmentVariable("ASTRA_RESOURCES") + QStringLiteral("/domains/code-maintenance.hddl"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto domain = parseDomain(file.readAll(), file.fileName());
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        m_domain = *domain;
    }

    void goalKinds_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("facts");
        QTest::addColumn<QStringList>("steps");
        const QByteArray both =
            "(goal-file g1 f1) (goal-file g1 f2) (file-allowed f1) (file-allowed f2) (test-command-configured)";
        const QStringList withProposer = {QStringLiteral("code_read g1 f1"),
                                          QStringLiteral("code_read g1 f2"),
                                          QStringLiteral("code_analyze g1 openai"),
                                          QStringLiteral("code_modify g1"),
                                          QStringLiteral("code_test g1"),
                                          QStringLiteral("request_review g1")};
        QStringList withFixits = withProposer;
        withFixits[2] = QStringLiteral("code_analyze g1 fixits");
        for (const char *kind : {"user-request", "fix-job-failure", "fix-failing-test"}) {
            QTest::addRow("%s with a proposer", kind)
                << QString::fromLatin1(kind) << QByteArray(both + " (proposer-available openai)") << withProposer;
            QTest::addRow("%s with fix-its", kind)
                << QString::fromLatin1(kind) << QByteArray(both + " (has-fixits g1)") << withFixits;
        }
        QTest::addRow("apply-analyzer-fixes")
            << QStringLiteral("apply-analyzer-fixes") << QByteArray(both + " (has-fixits g1)") << withFixits;
    }
    void goalKinds()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, facts);
        QFETCH(QStringList, steps);
        const PlanResult result = plan(kind, facts);
        QCOMPARE(toString(result.outcome), QStringLiteral("solved"));
        QCOMPARE(planSteps(result), steps);
    }

    void noPlanWithoutWhatTheMethodsNeed_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QByteArray>("facts");
        QTest::addColumn<QString>("mentions");
        const QByteArray files = "(goal-file g1 f1) (file-allowed f1) ";
        QTest::addRow("no proposer") << QStringLiteral("user-request")
                                     << QByteArray(files + "(test-command-configured)")
                                     << QStringLiteral("m-user-request");
        QTest::addRow("no test command") << QStringLiteral("user-request")
                                         << QByteArray(files + "(proposer-available openai)")
                                         << QStringLiteral("m-user-request");
        QTest::addRow("file not allowed")
            << QStringLiteral("fix-job-failure")
            << QByteArray("(goal-file g1 f1) (test-command-configured) (proposer-available openai)")
            << QStringLiteral("m-fix-job-failure");
        QTest::addRow("no fix-its") << QStringLiteral("apply-analyzer-fixes")
                                    << QByteArray(files + "(test-command-configured) (proposer-available openai)")
                                    << QStringLiteral("(has-fixits g1) is false");
    }
    void noPlanWithoutWhatTheMethodsNeed()
    {
        QFETCH(QString, kind);
        QFETCH(QByteArray, facts);
        QFETCH(QString, mentions);
        const PlanResult result = plan(kind, facts);
        QCOMPARE(toString(result.outcome), QStringLiteral("exhausted"));
        QVERIFY(!result.failure.isEmpty());
        QString trace;
        for (const MethodAttempt &attempt : result.failure) {
            trace += attempt.method + u' ' + attempt.reason + u'\n';
        }
        QVERIFY2(trace.contains(mentions), qPrintable(trace));
    }
};

QTEST_GUILESS_MAIN(TestCodeMaintenance)
#include "tst_codemaintenance.moc"
