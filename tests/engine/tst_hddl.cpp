#include "planning/hddl.h"

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

const char minimalDomain[] =
    "(define (domain d)\n"
    "  (:predicates (p ?x))\n"
    "  (:task t :parameters (?x))\n"
    "  (:method m :parameters (?x) :task (t ?x) :ordered-subtasks (a ?x))\n"
    "  (:action a :parameters (?x) :precondition (p ?x) :effect (not (p ?x))))\n";
} // namespace

class TestHddl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesTheDeliveryDomain()
    {
        const QByteArray text = readData(QStringLiteral("delivery-domain.hddl"));
        QVERIFY(!text.isEmpty());
        auto domain = parseDomain(text, QStringLiteral("delivery-domain.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        QCOMPARE(domain->name, QStringLiteral("delivery"));
        QCOMPARE(domain->tasks.size(), 2);
        QCOMPARE(domain->actions.size(), 3);
        QCOMPARE(domain->methods.size(), 4);
        QVERIFY(domain->isSubtype(QStringLiteral("truck"), QStringLiteral("locatable")));
        QVERIFY(domain->isSubtype(QStringLiteral("package"), QStringLiteral("object")));
        QVERIFY(!domain->isSubtype(QStringLiteral("location"), QStringLiteral("locatable")));
        QCOMPARE(domain->constants.size(), 1);
        QCOMPARE(domain->constants.first().type, QStringLiteral("location"));

        const Method &deliver = domain->methods.at(0);
        QCOMPARE(deliver.subtasks.size(), 4);
        QCOMPARE(deliver.subtasks.at(1).task, QStringLiteral("load"));
        QCOMPARE(deliver.precondition.kind, Formula::Kind::And);
        QCOMPARE(deliver.precondition.children.at(1).kind, Formula::Kind::Not);
        QCOMPARE(deliver.precondition.children.at(1).children.first().kind, Formula::Kind::Equals);
        QVERIFY(domain->methods.at(1).subtasks.isEmpty()); // an empty method
        // Unordered subtasks are put in the order the :ordering gives, constants kept.
        const Method &viaDepot = domain->methods.at(3);
        QCOMPARE(viaDepot.subtasks.at(0).id, QStringLiteral("first"));
        QCOMPARE(viaDepot.subtasks.at(1).arguments,
                 (QStringList{QStringLiteral("?t"), QStringLiteral("depot"), QStringLiteral("?l")}));

        const Action *drive = domain->action(QStringLiteral("drive"));
        QVERIFY(drive);
        QCOMPARE(drive->effect.kind, Effect::Kind::And);
        QCOMPARE(drive->effect.children.at(2).kind, Effect::Kind::Forall);
        QCOMPARE(drive->effect.children.at(2).children.first().kind, Effect::Kind::When);
        const Action *unload = domain->action(QStringLiteral("unload"));
        QCOMPARE(unload->precondition.children.at(2).kind, Formula::Kind::Forall);
        QCOMPARE(unload->precondition.children.at(2).children.first().kind, Formula::Kind::Imply);

        auto problem = parseProblem(readData(QStringLiteral("delivery-problem.hddl")),
                                    QStringLiteral("delivery-problem.hddl"),
                                    *domain);
        QVERIFY2(problem.ok(), qPrintable(problem.message()));
        QCOMPARE(problem->objects.size(), 5);
        QCOMPARE(problem->htnTasks.size(), 2);
        QCOMPARE(problem->htnTasks.at(0).id, QStringLiteral("task0"));
        QCOMPARE(problem->init.size(), 7);
    }

    void namesAreCaseInsensitive()
    {
        QByteArray text = minimalDomain;
        text.replace("(:action a", "(:ACTION A");
        auto domain = parseDomain(text, QStringLiteral("d.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        QVERIFY(domain->action(QStringLiteral("a")));
    }

    void namesKeepTheirSpelling()
    {
        auto domain = parseDomain(readData(QStringLiteral("rooms-domain.hddl")), QStringLiteral("rooms-domain.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        auto problem =
            parseProblem(readData(QStringLiteral("rooms-problem.hddl")), QStringLiteral("rooms-problem.hddl"), *domain);
        QVERIFY2(problem.ok(), qPrintable(problem.message()));
        // Compared lower-cased, written back as declared.
        QVERIFY(domain->action(QStringLiteral("pickup")));
        QCOMPARE(spelled(*domain, *problem, QStringLiteral("pickup")), QStringLiteral("PickUp"));
        QCOMPARE(spelled(*domain, *problem, QStringLiteral("m-fetch")), QStringLiteral("M-Fetch"));
        QCOMPARE(spelled(*domain, *problem, QStringLiteral("redbox")), QStringLiteral("RedBox"));
        QCOMPARE(spelled(*domain, *problem, QStringLiteral("unknown")), QStringLiteral("unknown"));
        // The network's variable and the method's constraint are read.
        QCOMPARE(problem->htnParameters.size(), 1);
        QCOMPARE(problem->htnParameters.constFirst().type, QStringLiteral("box"));
        const Method *step = domain->method(QStringLiteral("m-step"));
        QVERIFY(step);
        QCOMPARE(int(step->precondition.kind), int(Formula::Kind::And));
        QCOMPARE(int(step->precondition.children.at(1).kind), int(Formula::Kind::Not));
    }

    void domainErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("position");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("unclosed") << QByteArray("(define (domain d)\n  (:predicates (p ?x))\n")
                                  << QStringLiteral("d.hddl:1:1:") << QStringLiteral("never closed");
        QTest::addRow("extra paren") << QByteArray("(define (domain d))\n)") << QStringLiteral("d.hddl:2:1:")
                                     << QStringLiteral("unexpected ')'");
        QTest::addRow("not define") << QByteArray("(domain d)") << QStringLiteral("d.hddl:1:1:")
                                    << QStringLiteral("define");
        QTest::addRow("unknown section") << QByteArray("(define (domain d)\n (:axioms))")
                                         << QStringLiteral("d.hddl:2:3:") << QStringLiteral(":action");
        QTest::addRow("partial order") << QByteArray(
            "(define (domain d) (:task t :parameters ()) (:action a :parameters ())\n"
            " (:method m :parameters () :task (t)\n  :subtasks (and (x (a)) (y (a)) (z (a)))\n"
            "  :ordering (and (< x y))))")
                                       << QStringLiteral("d.hddl:4:13:") << QStringLiteral("partial-order");
        QTest::addRow("ordering cycle") << QByteArray(
            "(define (domain d) (:task t :parameters ()) (:action a :parameters ())\n"
            " (:method m :parameters () :task (t) :subtasks (and (x (a)) (y (a)))\n"
            "  :ordering (and (< x y) (< y x))))")
                                        << QStringLiteral("d.hddl:3:13:") << QStringLiteral("cycle");
        QTest::addRow("unknown subtask") << QByteArray(
            "(define (domain d) (:task t :parameters ())\n (:method m :parameters () :task (t)\n"
            "   :ordered-subtasks (fly)))")
                                         << QStringLiteral("d.hddl:3:22:") << QStringLiteral("'fly'");
        QTest::addRow("wrong arity") << QByteArray(
            "(define (domain d) (:task t :parameters (?x)) (:action a :parameters (?x))\n"
            " (:method m :parameters (?x) :task (t ?x) :ordered-subtasks (a ?x ?x)))")
                                     << QStringLiteral("d.hddl:2:61:")
                                     << QStringLiteral("takes 1 argument(s), found 2");
        QTest::addRow("method of an action")
            << QByteArray("(define (domain d) (:action a :parameters ())\n (:method m :parameters () :task (a)))")
            << QStringLiteral("d.hddl:2:34:") << QStringLiteral("not a declared :task");
        QTest::addRow("bad keyword") << QByteArray("(define (domain d) (:action a :params ()))")
                                     << QStringLiteral("d.hddl:1:31:") << QStringLiteral(":parameters");
        QTest::addRow("variable expected") << QByteArray("(define (domain d) (:predicates (p x)))")
                                           << QStringLiteral("d.hddl:1:36:") << QStringLiteral("variable");
        QTest::addRow("bad not") << QByteArray("(define (domain d) (:action a :parameters () :precondition (not)))")
                                 << QStringLiteral("d.hddl:1:60:") << QStringLiteral("takes 1");
        QTest::addRow("constraint on a fact") << QByteArray(
            "(define (domain d) (:predicates (p ?x)) (:task t :parameters (?x)) (:action a :parameters (?x))\n"
            " (:method m :parameters (?x ?y) :task (t ?x)\n  :constraints (and (not (= ?x ?y)) (p ?y))\n"
            "  :ordered-subtasks (a ?y)))") << QStringLiteral("d.hddl:3:37:")
                                              << QStringLiteral("may only compare variables");
        QTest::addRow("undeclared method variable")
            << QByteArray(
                   "(define (domain d) (:task t :parameters (?x)) (:action a :parameters (?x))\n"
                   " (:method m :parameters (?x) :task (t ?x) :ordered-subtasks (a ?z)))")
            << QStringLiteral("d.hddl:2:61:") << QStringLiteral("?z, which is not one of its :parameters");
        QTest::addRow("duplicate") << QByteArray(
            "(define (domain d) (:task t :parameters ()) (:task t :parameters ()))")
                                   << QStringLiteral("d.hddl:1:45:") << QStringLiteral("defined twice");
    }
    void domainErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, position);
        QFETCH(QString, mentions);
        auto domain = parseDomain(text, QStringLiteral("d.hddl"));
        QVERIFY(!domain.ok());
        QCOMPARE(domain.error().kind, ErrorKind::Invalid);
        QVERIFY2(domain.message().startsWith(position), qPrintable(domain.message()));
        QVERIFY2(domain.message().contains(mentions), qPrintable(domain.message()));
    }

    void problemErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("position");
        QTest::addColumn<QString>("mentions");
        QTest::addRow("other domain") << QByteArray("(define (problem x) (:domain other))")
                                      << QStringLiteral("p.hddl:1:30:") << QStringLiteral("'other'");
        QTest::addRow("unknown predicate")
            << QByteArray("(define (problem x) (:domain d)\n (:objects o) (:init (q o)))")
            << QStringLiteral("p.hddl:2:22:") << QStringLiteral("'q'");
        QTest::addRow("init arity") << QByteArray("(define (problem x) (:domain d) (:objects o) (:init (p o o)))")
                                    << QStringLiteral("p.hddl:1:53:") << QStringLiteral("takes 1");
        QTest::addRow("unknown task") << QByteArray("(define (problem x) (:domain d) (:htn :ordered-subtasks (z)))")
                                      << QStringLiteral("p.hddl:1:57:") << QStringLiteral("'z'");
        QTest::addRow("undeclared htn variable")
            << QByteArray(
                   "(define (problem x) (:domain d) (:objects o)\n (:htn :parameters (?a) :ordered-subtasks (t ?b)))")
            << QStringLiteral("p.hddl:2:43:") << QStringLiteral("?b, which is not one of its :parameters");
        QTest::addRow("htn constraints") << QByteArray(
            "(define (problem x) (:domain d) (:objects o)\n (:htn :parameters (?a) :ordered-subtasks (t ?a)"
            " :constraints (= ?a o)))") << QStringLiteral("p.hddl:2:63:")
                                         << QStringLiteral("not supported");
        QTest::addRow("partial htn") << QByteArray(
            "(define (problem x) (:domain d) (:objects o)\n (:htn :subtasks (and (t1 (t o)) (t2 (t o)))))")
                                     << QStringLiteral("p.hddl:2:18:") << QStringLiteral("partial-order");
    }
    void problemErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, position);
        QFETCH(QString, mentions);
        auto domain = parseDomain(minimalDomain, QStringLiteral("d.hddl"));
        QVERIFY2(domain.ok(), qPrintable(domain.message()));
        auto problem = parseProblem(text, QStringLiteral("p.hddl"), *domain);
        QVERIFY(!problem.ok());
        QVERIFY2(problem.message().startsWith(position), qPrintable(problem.message()));
        QVERIFY2(problem.message().contains(mentions), qPrintable(problem.message()));
    }
};

QTEST_GUILESS_MAIN(TestHddl)
#include "tst_hddl.moc"
