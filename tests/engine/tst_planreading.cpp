#include "config/astraconfig.h"
#include "planning/goalplanning.h"
#include "planning/plangraph.h"
#include "planning/planreading.h"
#include "policy/pathpolicy.h"
#include "testsupport.h"
#include "workspace/workspace.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>
#include <QXmlStreamReader>

using namespace astra;

namespace {

Goal goalWith(const QString &title, const QStringList &files)
{
    Goal goal;
    goal.id = 7;
    goal.kind = QStringLiteral("user-request");
    goal.title = title;
    QJsonObject evidence;
    evidence.insert(QStringLiteral("files"), QJsonArray::fromStringList(files));
    goal.evidence = evidence;
    return goal;
}

const QByteArray withTests = "[tests]\ncommand = \"make check\"\n[proposer]\nkind = \"command\"\ncommand = \"agent\"\n";
const QByteArray withoutTests = "[proposer]\nkind = \"command\"\ncommand = \"agent\"\n";

// The line of `text` (1-based).
QString lineOf(const QString &text, int line)
{
    return text.split(u'\n').value(line - 1);
}
} // namespace

// A plan in the reader's words: the domain's annotations, what objects stand for, rejected
// ways as sentences with their place in the domain; the picture's layout and its SVG and DOT
// exports; and the comparison of two plans.
class TestPlanReading : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<const hddl::Domain> m_domain;

    GoalPlan plan(const Goal &goal, const QByteArray &toml)
    {
        const Config config = test::configFrom(toml);
        auto policy = PathPolicy::create(config.policy);
        const WorkspaceFacts facts =
            workspaceFacts(goal, config, *policy, {QStringLiteral("command"), QStringLiteral("fixits")});
        auto planned = planForGoal(goal, config, *m_domain, facts);
        return planned ? *planned : GoalPlan();
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto domain = builtinDomain();
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        m_domain = std::make_shared<const hddl::Domain>(*domain);
    }

    void annotationsStandAboveWhatTheyDescribe()
    {
        const QByteArray text =
            "; @text not attached: a blank line follows\n"
            "\n"
            "(define (domain d)\n"
            "  (:predicates\n"
            "    ; @true ?x is ready\n"
            "    ; a plain comment between is allowed\n"
            "    ; @false ?x is not ready yet\n"
            "    (ready ?x)\n"
            "    (done ?x))\n"
            "  ; @TEXT Prepare ?x\n"
            "  (:task prepare :parameters (?x))\n"
            "  ; @means c1 the first crate\n"
            "  (:constants c1)\n"
            "  ; @cost 4\n"
            "  (:action make-ready :parameters (?x) :effect (ready ?x))\n"
            "  (:action check :parameters (?x) :precondition (ready ?x)))\n";
        auto domain = hddl::parseDomain(text, QStringLiteral("d.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        QCOMPARE(domain->predicate(QStringLiteral("ready"))->whenTrue, QStringLiteral("?x is ready"));
        QCOMPARE(domain->predicate(QStringLiteral("ready"))->whenFalse, QStringLiteral("?x is not ready yet"));
        QVERIFY(domain->predicate(QStringLiteral("done"))->whenTrue.isEmpty());
        QCOMPARE(domain->task(QStringLiteral("prepare"))->text, QStringLiteral("Prepare ?x"));
        QVERIFY(domain->action(QStringLiteral("make-ready"))->text.isEmpty());
        QCOMPARE(domain->meanings.value(QStringLiteral("c1")), QStringLiteral("the first crate"));
        QCOMPARE(domain->predicate(QStringLiteral("ready"))->position.line, 8);
        QCOMPARE(domain->action(QStringLiteral("make-ready"))->cost, 4);
        QCOMPARE(domain->action(QStringLiteral("check"))->cost, 1);
        // A cost that is not a whole number is an error at the action, not a guess.
        QByteArray bad = text;
        bad.replace("@cost 4", "@cost four");
        auto refused = hddl::parseDomain(bad, QStringLiteral("d.hddl"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.message().startsWith(QStringLiteral("d.hddl:15:"))
                     && refused.message().contains(QStringLiteral("'four'")),
                 qPrintable(refused.message()));
    }

    void everyPartOfTheBuiltinDomainHasWords()
    {
        for (const hddl::CompoundTask &task : m_domain->tasks) {
            QVERIFY2(!task.text.isEmpty(), qPrintable(task.name));
        }
        for (const hddl::Method &method : m_domain->methods) {
            QVERIFY2(!method.text.isEmpty(), qPrintable(method.name));
        }
        for (const hddl::Action &action : m_domain->actions) {
            QVERIFY2(!action.text.isEmpty(), qPrintable(action.name));
        }
        for (const hddl::Predicate &predicate : m_domain->predicates) {
            QVERIFY2(!predicate.whenTrue.isEmpty() && !predicate.whenFalse.isEmpty(), qPrintable(predicate.name));
        }
    }

    void objectsAreShownByWhatTheyStandFor()
    {
        const GoalPlan made =
            plan(goalWith(QStringLiteral("Fix the parser crash"), {QStringLiteral("src/parser.cpp")}), withTests);
        QVERIFY(made.solved);
        const PlanReading reading(made.plan, m_domain);
        QCOMPARE(reading.meaning(QStringLiteral("file1")), QStringLiteral("src/parser.cpp"));
        QCOMPARE(reading.meaning(QStringLiteral("g7")), QStringLiteral("Fix the parser crash"));
        QCOMPARE(reading.meaning(QStringLiteral("fixits")), QStringLiteral("the analyzer's fix-its"));
        QCOMPARE(reading.meaning(QStringLiteral("unknown")), QStringLiteral("unknown"));
        const PlanNodeRecord &root = made.plan.nodes.constFirst();
        QCOMPARE(reading.title(root), QStringLiteral("Do what was asked: Fix the parser crash"));
        QCOMPARE(PlanReading::symbol(root), QStringLiteral("user-request g7"));
        // Steps are numbered in the order they run, which is the order of the tasks.
        for (int i = 0; i < made.tasks.size(); ++i) {
            QCOMPARE(reading.stepNumbers().value(made.plan.nodes.at(made.taskNodes.at(i)).id), i + 1);
        }
        const PlanNodeRecord &firstStep = made.plan.nodes.at(made.taskNodes.constFirst());
        QCOMPARE(reading.title(firstStep), QStringLiteral("Read src/parser.cpp"));
    }

    // Plans stored before "@means" name their objects in plain comments.
    void olderProblemsAreReadToo()
    {
        PlanRecord old;
        old.domain = QStringLiteral("code-maintenance");
        old.problem = QStringLiteral("; Goal 4: Old goal\n; file1 = a/b.cpp\n(define (problem goal-4))\n");
        const PlanReading reading(old, m_domain);
        QCOMPARE(reading.meaning(QStringLiteral("file1")), QStringLiteral("a/b.cpp"));
        QCOMPARE(reading.meaning(QStringLiteral("g4")), QStringLiteral("Old goal"));
    }

    void aRejectedWayNamesTheFactAndWhereItIsWritten()
    {
        const GoalPlan made = plan(goalWith(QStringLiteral("Fix it"), {QStringLiteral("src/a.cpp")}), withTests);
        const PlanReading reading(made.plan, m_domain);
        const QString source = PlanReading::domainSource(m_domain->file);
        QVERIFY(!source.isEmpty());
        int rejected = 0;
        for (const PlanNodeRecord &node : made.plan.nodes) {
            if (node.kind != PlanNodeRecord::Kind::RejectedMethod) {
                QVERIFY(reading.why(node).isEmpty());
                continue;
            }
            ++rejected;
            const SourceRef ref = reading.source(node);
            QVERIFY(ref.isValid());
            QCOMPARE(ref.file, QStringLiteral("code-maintenance.hddl"));
            const QString predicate = node.why.value(QStringLiteral("predicate")).toString();
            // The line named holds the condition that decided it.
            QVERIFY2(
                lineOf(source, ref.line).contains(predicate),
                qPrintable(QStringLiteral("%1 at %2: %3").arg(predicate, ref.toString(), lineOf(source, ref.line))));
            if (node.name == u"m-change-with-fixits") {
                QCOMPARE(reading.why(node), QStringLiteral("no fix-its were found for this goal"));
            } else if (node.name == u"m-read-next") {
                QCOMPARE(reading.why(node), QStringLiteral("src/a.cpp has been read"));
                QCOMPARE(node.why.value(QStringLiteral("kind")).toString(), QStringLiteral("holds"));
            }
        }
        QCOMPARE(rejected, 2);
    }

    // Without a plan, the reason of the way that failed is the obstacle the search got furthest
    // to, not the backtracking that came after it.
    void aFailedPlanNamesItsRealObstacle()
    {
        const GoalPlan made = plan(goalWith(QStringLiteral("Fix it"), {QStringLiteral("src/a.cpp")}), withoutTests);
        QVERIFY(!made.solved);
        const PlanReading reading(made.plan, m_domain);
        const PlanNodeRecord &way = made.plan.nodes.at(1);
        QVERIFY(way.kind == PlanNodeRecord::Kind::RejectedMethod);
        QVERIFY2(reading.why(way).contains(QStringLiteral("no test command is set")), qPrintable(reading.why(way)));
        QVERIFY2(way.reason.contains(QStringLiteral("(test-command-configured) is false")), qPrintable(way.reason));
        QVERIFY2(reading.failure().contains(QStringLiteral("after 3 step")), qPrintable(reading.failure()));
        QVERIFY(reading.failure().contains(QStringLiteral("“Check the change”")));
        const SourceRef ref = reading.source(way);
        QVERIFY(
            lineOf(PlanReading::domainSource(ref.file), ref.line).contains(QStringLiteral("test-command-configured")));
    }

    // A domain without annotations is shown with its symbols, objects still by their meaning.
    void aDomainWithoutWordsKeepsItsSymbols()
    {
        PlanRecord record = test::syntheticPlan(40);
        record.problem = QStringLiteral("; @means g1 The goal\n");
        const PlanReading reading(record, nullptr);
        QCOMPARE(reading.title(record.nodes.constFirst()), QStringLiteral("root-task The goal file1"));
        QVERIFY(!reading.source(record.nodes.constFirst()).isValid());
        const PlanNodeRecord &rejected = record.nodes.at(1);
        QCOMPARE(reading.why(rejected), rejected.reason); // not structured: the planner's words
        QVERIFY(reading.text(true).contains(QStringLiteral("✗ m-rejected g1 file2: not taken, precondition:")));
    }

    void layoutKeepsBoxesApartAndParentsBesideTheirChildren_data()
    {
        QTest::addColumn<int>("nodes");
        QTest::newRow("small") << 30;
        QTest::newRow("1000") << 1000;
    }
    void layoutKeepsBoxesApartAndParentsBesideTheirChildren()
    {
        QFETCH(int, nodes);
        const PlanRecord record = test::syntheticPlan(nodes);
        QVERIFY(record.nodes.size() >= nodes * 9 / 10);
        const PlanReading reading(record, nullptr);
        const PlanGraph graph = layoutPlan(reading, false);
        QCOMPARE(graph.nodes.size(), record.nodes.size());
        const QRectF canvas(QPointF(0, 0), graph.size);
        QHash<int, QList<QRectF>> columns;
        for (const PlanGraphNode &node : graph.nodes) {
            QVERIFY(canvas.contains(node.box));
            columns[node.depth].append(node.box);
            if (node.parent >= 0) {
                const QRectF &parent = graph.nodes.at(node.parent).box;
                QVERIFY(parent.right() < node.box.left()); // children to the right
            }
        }
        for (QList<QRectF> &column : columns) {
            std::sort(column.begin(), column.end(), [](const QRectF &a, const QRectF &b) { return a.top() < b.top(); });
            for (int i = 1; i < column.size(); ++i) {
                QVERIFY2(column.at(i - 1).bottom() <= column.at(i).top(),
                         qPrintable(QStringLiteral("overlap at %1").arg(column.at(i).top())));
            }
        }
        // A parent is centred on its first and last child.
        QHash<int, QList<int>> kids;
        for (int i = 0; i < graph.nodes.size(); ++i) {
            kids[graph.nodes.at(i).parent].append(i);
        }
        for (auto it = kids.cbegin(); it != kids.cend(); ++it) {
            if (it.key() < 0) {
                continue;
            }
            const qreal middle =
                (graph.nodes.at(it->constFirst()).box.center().y() + graph.nodes.at(it->constLast()).box.center().y())
                / 2;
            QVERIFY(qAbs(graph.nodes.at(it.key()).box.center().y() - middle) < 0.5);
        }
    }

    // The SVG is well-formed XML whatever a goal's title holds, with a group per node.
    void svgIsValidWithHostileTitles()
    {
        const QString title = QStringLiteral("<script>alert('x')</script> & \"quotes\" ]]> \u202e \x01\x1b[31m");
        const GoalPlan made = plan(goalWith(title, {QStringLiteral("src/a&b<c>.cpp")}), withTests);
        const PlanReading reading(made.plan, m_domain);
        const GraphMetrics metrics;
        const PlanGraph graph = layoutPlan(reading, false, metrics);
        QHash<qint64, QString> states;
        states.insert(made.plan.nodes.at(made.taskNodes.constFirst()).id, QStringLiteral("succeeded"));
        const QString svg = planSvg(graph, states, metrics, QStringLiteral("Plan & goal"));
        QXmlStreamReader xml(svg);
        int groups = 0;
        int texts = 0;
        bool sawTitle = false;
        bool sawSucceeded = false;
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        QCOMPARE(xml.namespaceUri().toString(), QStringLiteral("http://www.w3.org/2000/svg"));
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement()) {
                continue;
            }
            if (xml.name() == QLatin1String("g")) {
                ++groups;
                QVERIFY(xml.attributes().value(QLatin1String("id")).startsWith(QLatin1String("node-")));
                sawSucceeded =
                    sawSucceeded || xml.attributes().value(QLatin1String("class")).contains(QLatin1String("succeeded"));
            } else if (xml.name() == QLatin1String("text")) {
                ++texts;
                const QString text = xml.readElementText();
                sawTitle = sawTitle || text.contains(QStringLiteral("<script>"));
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(groups, made.plan.nodes.size());
        QVERIFY(texts >= groups);
        QVERIFY(sawTitle); // the title as text, escaped in the document
        QVERIFY(sawSucceeded);
        QVERIFY(!svg.contains(QStringLiteral("<script>")));
        // Control characters XML 1.0 forbids are replaced, not written.
        QVERIFY(std::none_of(svg.cbegin(), svg.cend(), [](QChar c) {
            return c.unicode() < 0x20 && c != u'\n' && c != u'\t' && c != u'\r';
        }));
        QVERIFY(!svg.contains(QStringLiteral("&#x1;")) && !svg.contains(QStringLiteral("&#1;")));
    }

    void dotHasEveryNodeAndEdge()
    {
        const GoalPlan made = plan(goalWith(QStringLiteral("Say \"hi\"\\n"), {QStringLiteral("src/a.cpp")}), withTests);
        const PlanReading reading(made.plan, m_domain);
        const QString dot = planDot(reading, false, {});
        QVERIFY(dot.startsWith(QStringLiteral("digraph \"plan")));
        QCOMPARE(
            dot.count(QRegularExpression(QStringLiteral("^  n\\d+ \\[label="), QRegularExpression::MultilineOption)),
            made.plan.nodes.size());
        QCOMPARE(dot.count(QStringLiteral(" -> ")), made.plan.nodes.size() - 1);
        // Quotes and backslashes in a title do not end the label.
        QVERIFY2(dot.contains(QStringLiteral("Say \\\"hi\\\"\\\\n")), qPrintable(dot.left(600)));
        QVERIFY(planDot(reading, true, {}).contains(QStringLiteral("user-request g7")));
    }

    void comparingPlansSaysWhatChangedAndWhy()
    {
        const Goal goal = goalWith(QStringLiteral("Fix it"), {QStringLiteral("src/a.cpp")});
        GoalPlan failed = plan(goal, withoutTests);
        failed.plan.id = 1;
        GoalPlan solved = plan(goal, withTests);
        solved.plan.id = 2;
        const PlanReading older(failed.plan, m_domain);
        const PlanReading newer(solved.plan, m_domain);
        const QList<PlanChange> changes = comparePlans(older, newer);
        QVERIFY(changes.size() >= 2);
        QVERIFY(changes.constFirst().kind == PlanChange::Kind::Outcome);
        const auto root = std::find_if(changes.cbegin(), changes.cend(), [](const PlanChange &change) {
            return change.kind == PlanChange::Kind::MethodChanged;
        });
        QVERIFY(root != changes.cend());
        QVERIFY2(root->text.contains(QStringLiteral("was not taken before"))
                     && root->text.contains(QStringLiteral("no test command")),
                 qPrintable(root->text));
        // The reading of file after file is one line, with how often.
        QCOMPARE(std::count_if(changes.cbegin(),
                               changes.cend(),
                               [](const PlanChange &change) {
                                   return change.kind == PlanChange::Kind::TaskAdded
                                       && change.task == u"Read the goal's files";
                               }),
                 1);
        QVERIFY(std::any_of(changes.cbegin(), changes.cend(), [](const PlanChange &change) {
            return change.text == QStringLiteral("New: Read the goal's files (2 times)");
        }));
        // A plan compared with itself has no changes; the other way round, tasks are removed.
        QVERIFY(comparePlans(newer, newer).isEmpty());
        const QList<PlanChange> back = comparePlans(newer, older);
        QVERIFY(std::any_of(back.cbegin(), back.cend(), [](const PlanChange &change) {
            return change.kind == PlanChange::Kind::TaskRemoved;
        }));
    }
};

QTEST_GUILESS_MAIN(TestPlanReading)
#include "tst_planreading.moc"
