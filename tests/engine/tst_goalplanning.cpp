#include "ipcverifier.h"
#include "planning/goalplanning.h"
#include "planning/planreading.h"
#include "policy/pathpolicy.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTest>

using namespace astra;

namespace {

Goal goalOf(const QString &kind, const QStringList &files, bool fixits)
{
    Goal goal;
    goal.id = 7;
    goal.kind = kind;
    goal.title = QStringLiteral("Keep the build green");
    QJsonObject evidence;
    evidence.insert(QStringLiteral("files"), QJsonArray::fromStringList(files));
    if (fixits) {
        QJsonObject fix;
        fix.insert(QStringLiteral("path"), files.value(0));
        evidence.insert(QStringLiteral("fixits"), QJsonArray{fix});
    }
    goal.evidence = evidence;
    return goal;
}

QString goldenPath(const QString &name)
{
    return qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/plans/") + name + QStringLiteral(".golden");
}
} // namespace

// Goals planned with the built-in domain over workspace facts: the problem, the decomposition
// tree with the methods that were not applicable and why, and the plan, compared with golden
// files (ASTRA_UPDATE_GOLDEN=1 rewrites them); every plan passes the independent verifier.
class TestGoalPlanning : public QObject
{
    Q_OBJECT
private:
    hddl::Domain m_domain;

private Q_SLOTS:
    void initTestCase()
    {
        auto domain = builtinDomain();
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        m_domain = *domain;
        // The compiled-in domain is the file in resources/.
        QFile file(qEnvironmentVariable("ASTRA_RESOURCES") + QStringLiteral("/domains/code-maintenance.hddl"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        auto fromFile = hddl::parseDomain(file.readAll(), file.fileName());
        QVERIFY(fromFile.ok());
        QCOMPARE(fromFile->methods.size(), m_domain.methods.size());
    }

    void golden_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<bool>("fixits");
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QStringList>("proposers");
        QTest::addColumn<bool>("solved");
        const QByteArray command =
            "[policy]\nallowed = [\"src/\", \"tests/\"]\nforbidden = [\"src/secret/\"]\n"
            "[tests]\ncommand = \"make check\"\n[proposer]\nkind = \"command\"\ncommand = \"agent\"\n";
        const QByteArray noTests =
            "[policy]\nallowed = [\"src/\"]\n[proposer]\nkind = \"command\"\ncommand = \"agent\"\n";
        const QByteArray fixitsOnly =
            "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"make check\"\n"
            "[proposer]\nkind = \"fixits\"\n";
        const QStringList both{QStringLiteral("command"), QStringLiteral("fixits")};
        const QStringList two{QStringLiteral("src/app.cpp"), QStringLiteral("tests/app_test.cpp")};
        QTest::newRow("user-request-command")
            << QStringLiteral("user-request") << two << false << command << both << true;
        QTest::newRow("fix-job-failure-command")
            << QStringLiteral("fix-job-failure") << QStringList{QStringLiteral("src/backup.py")} << false << command
            << both << true;
        QTest::newRow("fix-failing-test-fixits")
            << QStringLiteral("fix-failing-test") << two << true << command << both << true;
        QTest::newRow("apply-analyzer-fixes")
            << QStringLiteral("apply-analyzer-fixes") << QStringList{QStringLiteral("src/app.cpp")} << true
            << fixitsOnly << both << true;
        QTest::newRow("no-files") << QStringLiteral("user-request") << QStringList() << false << command << both
                                  << true;
        QTest::newRow("no-test-command") << QStringLiteral("fix-job-failure")
                                         << QStringList{QStringLiteral("src/backup.py")} << false << noTests << both
                                         << false;
        QTest::newRow("forbidden-file") << QStringLiteral("user-request")
                                        << QStringList{QStringLiteral("src/secret/key.pem")} << false << command << both
                                        << false;
        QTest::newRow("fixits-without-fixits")
            << QStringLiteral("apply-analyzer-fixes") << QStringList{QStringLiteral("src/app.cpp")} << false
            << fixitsOnly << both << false;
        QTest::newRow("proposer-not-built")
            << QStringLiteral("user-request") << QStringList{QStringLiteral("src/app.cpp")} << false << command
            << QStringList() << false;
    }
    void golden()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, files);
        QFETCH(bool, fixits);
        QFETCH(QByteArray, config);
        QFETCH(QStringList, proposers);
        QFETCH(bool, solved);
        const Config parsed = test::configFrom(config);
        auto policy = PathPolicy::create(parsed.policy);
        QVERIFY(policy.ok());
        const Goal goal = goalOf(kind, files, fixits);
        const WorkspaceFacts facts = workspaceFacts(goal, parsed, *policy, proposers);
        auto plan = planForGoal(goal, parsed, m_domain, facts);
        QVERIFY2(plan.ok(), qPrintable(plan.message()));
        QCOMPARE(plan->solved, solved);
        QCOMPARE(plan->tasks.size(), plan->taskNodes.size());

        QString text =
            QStringLiteral("# problem\n") + plan->plan.problem + QStringLiteral("# tree\n") + plan->plan.treeText();
        if (solved) {
            text += QStringLiteral("# plan\n") + plan->plan.ipcPlan;
            auto problem = hddl::parseProblem(plan->plan.problem.toUtf8(), QStringLiteral("p.hddl"), m_domain);
            QVERIFY(problem.ok());
            const QString verdict = test::verifyIpcPlan(m_domain, *problem, plan->plan.ipcPlan);
            QVERIFY2(verdict.isEmpty(), qPrintable(verdict));
            // Every task points at its action node, in plan order.
            for (int i = 0; i < plan->tasks.size(); ++i) {
                const PlanNodeRecord &node = plan->plan.nodes.at(plan->taskNodes.at(i));
                QCOMPARE(toString(node.kind), QStringLiteral("action"));
                QCOMPARE(node.name, plan->tasks.at(i).kind);
                QCOMPARE(node.arguments, plan->tasks.at(i).arguments);
            }
        } else {
            text += QStringLiteral("# failure\n") + plan->plan.failure + u'\n';
            QVERIFY(plan->tasks.isEmpty());
            QVERIFY(!plan->plan.failure.isEmpty());
        }
        // The same in words: no planner symbols left where the domain has words for them.
        const PlanReading reading(plan->plan, std::make_shared<const hddl::Domain>(m_domain));
        const QString readable = reading.text(false) + reading.failure();
        for (const QString &symbol : {QStringLiteral("?g="), QStringLiteral("file1"), QStringLiteral("g7 ")}) {
            QVERIFY2(!readable.contains(symbol), qPrintable(symbol + QStringLiteral(" in:\n") + readable));
        }
        QCOMPARE(reading.failure().isEmpty(), solved);
        text += QStringLiteral("# readable\n") + readable + (solved ? QString() : QStringLiteral("\n"));
        const QString path = goldenPath(QString::fromLatin1(QTest::currentDataTag()));
        if (qEnvironmentVariableIsSet("ASTRA_UPDATE_GOLDEN")) {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(text.toUtf8());
        }
        QFile golden(path);
        QVERIFY2(golden.open(QIODevice::ReadOnly), qPrintable(path));
        QCOMPARE(text, QString::fromUtf8(golden.readAll()));
    }

    void unknownGoalKindIsAnError()
    {
        const Config parsed = test::configFrom("[tests]\ncommand = \"make\"\n");
        auto policy = PathPolicy::create(parsed.policy);
        const Goal goal = goalOf(QStringLiteral("rewrite-everything"), {}, false);
        auto plan = planForGoal(goal, parsed, m_domain, workspaceFacts(goal, parsed, *policy, {}));
        QVERIFY(!plan.ok());
        QVERIFY(plan.message().contains(QStringLiteral("'rewrite-everything'")));
        QVERIFY(plan.message().contains(QStringLiteral("fix-job-failure")));
    }

    // The verifier is a real check: plans altered in each way it looks at are refused.
    void verifierRefusesBrokenPlans_data()
    {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("complaint");
        QTest::newRow("actions swapped") << QStringLiteral("9 code_modify g7\n10 code_test g7")
                                         << QStringLiteral("10 code_test g7\n9 code_modify g7")
                                         << QStringLiteral("order");
        QTest::newRow("read the wrong file")
            << QStringLiteral("4 code_read g7 file1") << QStringLiteral("4 code_read g7 file2")
            << QStringLiteral("does not hold");
        QTest::newRow("wrong method") << QStringLiteral("-> m-change-with-proposer")
                                      << QStringLiteral("-> m-change-with-fixits") << QStringLiteral("fixits");
        QTest::newRow("unknown method") << QStringLiteral("-> m-change-with-proposer")
                                        << QStringLiteral("-> m-change-by-magic") << QStringLiteral("not a method");
        QTest::newRow("no root") << QStringLiteral("root") << QStringLiteral("rot") << QStringLiteral("");
        QTest::newRow("missing end") << QStringLiteral("<==") << QStringLiteral("") << QStringLiteral("<==");
        QTest::newRow("wrong object") << QStringLiteral("code_analyze g7 command")
                                      << QStringLiteral("code_analyze g7 file1") << QStringLiteral("type");
    }
    void verifierRefusesBrokenPlans()
    {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, complaint);
        const Config parsed = test::configFrom(
            "[policy]\nallowed = [\"src/\", \"tests/\"]\n[tests]\ncommand = \"make\"\n"
            "[proposer]\nkind = \"command\"\ncommand = \"agent\"\n");
        auto policy = PathPolicy::create(parsed.policy);
        const Goal goal = goalOf(QStringLiteral("user-request"),
                                 {QStringLiteral("src/a.cpp"), QStringLiteral("tests/a_test.cpp")},
                                 false);
        auto plan =
            planForGoal(goal, parsed, m_domain, workspaceFacts(goal, parsed, *policy, {QStringLiteral("command")}));
        QVERIFY(plan.ok() && plan->solved);
        auto problem = hddl::parseProblem(plan->plan.problem.toUtf8(), QStringLiteral("p.hddl"), m_domain);
        QVERIFY(problem.ok());
        QVERIFY(test::verifyIpcPlan(m_domain, *problem, plan->plan.ipcPlan).isEmpty());
        QString broken = plan->plan.ipcPlan;
        QVERIFY2(broken.contains(from), qPrintable(broken));
        broken.replace(from, to);
        const QString verdict = test::verifyIpcPlan(m_domain, *problem, broken);
        QVERIFY2(!verdict.isEmpty(), qPrintable(broken));
        QVERIFY2(verdict.contains(complaint), qPrintable(verdict));
    }

    // The verifier accepts what the planner finds on the hand-written problems.
    void verifierAcceptsSolvedProblems_data()
    {
        QTest::addColumn<QString>("domainFile");
        QTest::addColumn<QString>("problemFile");
        QTest::newRow("delivery-two") << QStringLiteral("delivery-domain") << QStringLiteral("delivery-problem");
        QTest::newRow("delivery-five") << QStringLiteral("delivery-domain") << QStringLiteral("delivery-five-problem");
        QTest::newRow("assign-eight") << QStringLiteral("assign-domain") << QStringLiteral("assign-problem");
    }
    void verifierAcceptsSolvedProblems()
    {
        QFETCH(QString, domainFile);
        QFETCH(QString, problemFile);
        const QString dir = qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/hddl/");
        QFile domainText(dir + domainFile + QStringLiteral(".hddl"));
        QFile problemText(dir + problemFile + QStringLiteral(".hddl"));
        QVERIFY(domainText.open(QIODevice::ReadOnly) && problemText.open(QIODevice::ReadOnly));
        auto domain = hddl::parseDomain(domainText.readAll(), domainText.fileName());
        QVERIFY(domain.ok());
        auto problem = hddl::parseProblem(problemText.readAll(), problemText.fileName(), *domain);
        QVERIFY2(problem.ok(), qPrintable(problem.message()));
        const hddl::PlanResult result = hddl::solve(*domain, *problem);
        QCOMPARE(hddl::toString(result.outcome), QStringLiteral("solved"));
        const QString verdict = test::verifyIpcPlan(*domain, *problem, result.toIpcFormat(*domain, *problem));
        QVERIFY2(verdict.isEmpty(), qPrintable(verdict + u'\n' + result.toIpcFormat(*domain, *problem)));
    }
};

QTEST_GUILESS_MAIN(TestGoalPlanning)
#include "tst_goalplanning.moc"
