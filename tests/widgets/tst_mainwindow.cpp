#include "base/sharedtext.h"
#include "common/labels.h"
#include "common/mainwindow.h"
#include "common/statuspage.h"
#include "diff/highlighting.h"
#include "testsupport.h"
#include "workspace/backgroundcycle.h"
#include "workspace/demo.h"
#include "workspace/workspace.h"
#include "workspace/workspacewatcher.h"

#include <QAction>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace astra;

class TestMainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void showsWorkspaceStatus()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        auto report = createDemoWorkspace(demo);
        QVERIFY2(report.ok(), qPrintable(report.message()));

        WorkspaceOptions options;
        options.repoPath = demo;
        MainWindow window(options);
        QSignalSpy settled(&window, &MainWindow::settled);
        window.show();
        QVERIFY(settled.wait(30000));
        StatusPage *page = window.statusPage();
        QVERIFY2(page->shownError().isEmpty(), qPrintable(page->shownError()));
        QCOMPARE(page->shownGoalCount(QStringLiteral("proposed")), 1);
        QCOMPARE(page->shownGoalCount(QStringLiteral("planned")), 1);
        QCOMPARE(page->shownGoalCount(QStringLiteral("completed")), 1);
        QVERIFY(window.windowTitle().contains(QStringLiteral("demo")));
        // The generator's refusals are on the first page, the unexecutable one among them.
        QVERIFY2(page->shownRefusals().contains(QStringLiteral("feasibility: Job backup_report failed 3 times in the "
                                                               "last 1d")),
                 qPrintable(page->shownRefusals().join(u'\n')));

        // F5 reloads: a goal added behind the window's back shows up.
        {
            auto workspace = Workspace::open(options);
            QVERIFY(workspace.ok());
            QVERIFY((*workspace)->addUserGoal(QStringLiteral("One more"), {}).ok());
        }
        QTest::keyClick(&window, Qt::Key_F5);
        QVERIFY(settled.wait(30000));
        QTRY_COMPARE(page->shownGoalCount(QStringLiteral("proposed")), 2);
        // Another process changes the state: the window follows without F5.
        const test::Run added = test::runAstra({QStringLiteral("--repo"),
                                                demo,
                                                QStringLiteral("goal"),
                                                QStringLiteral("add"),
                                                QStringLiteral("From the CLI")});
        QVERIFY2(added.exitCode == 0, qPrintable(added.err));
        QTRY_COMPARE_WITH_TIMEOUT(page->shownGoalCount(QStringLiteral("proposed")), 3, 10000);
        // Loaded: the status bar no longer says it is loading.
        window.watcher()->waitForIdle();
        QTRY_VERIFY2(window.statusBar()->currentMessage() != QStringLiteral("Loading…"),
                     qPrintable(window.statusBar()->currentMessage()));
    }

    void showsWhyAWorkspaceCannotOpen()
    {
        QTemporaryDir dir;
        WorkspaceOptions options;
        options.repoPath = dir.path();
        MainWindow window(options);
        QSignalSpy settled(&window, &MainWindow::settled);
        QVERIFY(settled.wait(30000));
        QVERIFY2(window.statusPage()->shownError().contains(QStringLiteral("not inside a git repository")),
                 qPrintable(window.statusPage()->shownError()));
    }

    void latestRefreshWins()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        QVERIFY(createDemoWorkspace(demo).ok());
        WorkspaceWatcher watcher;
        QSignalSpy loaded(&watcher, &WorkspaceWatcher::statusLoaded);
        QSignalSpy failed(&watcher, &WorkspaceWatcher::loadFailed);
        WorkspaceOptions bad;
        bad.repoPath = dir.path();
        watcher.setOptions(bad);
        watcher.refresh();
        WorkspaceOptions good;
        good.repoPath = demo;
        watcher.setOptions(good);
        watcher.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 30000);
        watcher.waitForIdle();
        QCoreApplication::processEvents();
        QCOMPARE(failed.count(), 0); // the superseded failure is never delivered
        QCOMPARE(loaded.count(), 1);
    }

    void translationsAreCompiledIn()
    {
        QTranslator german;
        QVERIFY(german.load(QStringLiteral(":/i18n/astra_de.qm")));
        QCoreApplication::installTranslator(&german);
        const QString translated = QCoreApplication::translate("astra::StatusPage", "Goals by state");
        const QString plural = QCoreApplication::translate("astra::StatusPage", "%n modification(s)", nullptr, 2);
        QCoreApplication::removeTranslator(&german);
        QVERIFY(translated != QStringLiteral("Goals by state"));
        QVERIFY2(plural.contains(QStringLiteral("2")) && plural != QStringLiteral("2 modification(s)"),
                 qPrintable(plural));

        QTranslator english;
        QVERIFY(english.load(QStringLiteral(":/i18n/astra_en.qm")));
        QCoreApplication::installTranslator(&english);
        QCOMPARE(QCoreApplication::translate("astra::StatusPage", "%n modification(s)", nullptr, 1),
                 QStringLiteral("1 modification"));
        QCOMPARE(QCoreApplication::translate("astra::StatusPage", "%n modification(s)", nullptr, 3),
                 QStringLiteral("3 modifications"));
        QCoreApplication::removeTranslator(&english);
    }

    // A process that speaks German writes English into the state and the ledger; each view
    // shows it in its reader's language.
    void sharedDataIsLanguageNeutral()
    {
        QTranslator german;
        QVERIFY(german.load(QStringLiteral(":/i18n/astra_de.qm")));
        QCoreApplication::installTranslator(&german);
        const auto removeGerman = qScopeGuard([&german] { QCoreApplication::removeTranslator(&german); });
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        QVERIFY(createDemoWorkspace(demo).ok());
        WorkspaceOptions options;
        options.repoPath = demo;
        auto workspace = Workspace::open(options);
        QVERIFY(workspace.ok());
        auto goals = (*workspace)->goals();
        QVERIFY(goals.ok());
        int detected = 0;
        for (const Goal &goal : std::as_const(*goals)) {
            const QJsonObject message = goal.evidence.value(QStringLiteral("title_message")).toObject();
            if (message.isEmpty()) {
                continue;
            }
            ++detected;
            // Stored in English (with English plurals), shown in German.
            QVERIFY2(goal.title.contains(QStringLiteral(" fix-it")) || goal.title.contains(QStringLiteral(" failed "))
                         || goal.title.contains(QStringLiteral(" fail: ")),
                     qPrintable(goal.title));
            QVERIFY2(!goal.title.contains(QStringLiteral("(s)")), qPrintable(goal.title));
            const QString shown = goalTitle(goal);
            QVERIFY2(shown != goal.title, qPrintable(shown));
            for (const QJsonValue &arg : message.value(QStringLiteral("args")).toArray()) {
                QVERIFY2(shown.contains(arg.toString()), qPrintable(shown));
            }
        }
        QVERIFY(detected >= 1);
        // A person's reason written by the demo and the generator's reasons: English in the ledger.
        auto entries = (*workspace)->ledger().entries();
        QVERIFY(entries.ok());
        bool reasonSeen = false;
        bool generatorReasonSeen = false;
        for (const LedgerEntry &entry : std::as_const(*entries)) {
            const QString reason = entry.meta.value(QStringLiteral("reason")).toString();
            reasonSeen = reasonSeen || reason == u"worth doing";
            if (!entry.meta.value(QStringLiteral("reason_message")).toObject().isEmpty()) {
                generatorReasonSeen = true;
                QVERIFY(sharedReason(reason, entry.meta.value(QStringLiteral("reason_message")).toObject()) != reason);
            }
        }
        QVERIFY(reasonSeen);
        QVERIFY(generatorReasonSeen);
        QVERIFY(sharedReason(QStringLiteral("worth doing")) != QStringLiteral("worth doing"));
        // English plural forms whatever the process speaks.
        QCOMPARE(sharedText(QT_TRANSLATE_N_NOOP("astra::Shared", "%1: apply %n fix-it(s) in %2"),
                            {QStringLiteral("clang-tidy"), QStringLiteral("a.cpp")},
                            1)
                     .text,
                 QStringLiteral("clang-tidy: apply 1 fix-it in a.cpp"));
    }

    // Opening the workstation changes nothing: the background loop's first turn comes a tick
    // later. It says whether it is on, and pausing it stops its turns.
    void backgroundWorkWaitsAndPauses()
    {
        QTemporaryDir dir;
        const QString demo = dir.filePath(QStringLiteral("demo"));
        QVERIFY(createDemoWorkspace(demo).ok());
        WorkspaceOptions options;
        options.repoPath = demo;
        const auto ledgerHead = [&options] {
            auto workspace = Workspace::open(options);
            return workspace ? (*workspace)->ledger().head()->seq : -1;
        };
        const qint64 before = ledgerHead();
        QSettings().remove(QStringLiteral("background/enabled"));
        MainWindow window(options);
        QSignalSpy settled(&window, &MainWindow::settled);
        QSignalSpy turns(window.backgroundCycle(), &BackgroundCycle::turnFinished);
        window.show();
        QVERIFY(settled.wait(30000));
        window.startBackgroundWork(std::chrono::seconds(2));
        QCOMPARE(window.backgroundText(), QStringLiteral("Background work: every 2 s"));
        QVERIFY(!window.backgroundCycle()->isRunning());
        QCOMPARE(ledgerHead(), before);

        // Paused: no turn after the tick.
        window.backgroundAction()->trigger();
        QCOMPARE(window.backgroundText(), QStringLiteral("Background work: paused"));
        QTest::qWait(2500);
        QCOMPARE(turns.count(), 0);
        QCOMPARE(ledgerHead(), before);
        QCOMPARE(QSettings().value(QStringLiteral("background/enabled")).toBool(), false);

        // On again: a turn comes a tick later.
        window.backgroundAction()->trigger();
        QVERIFY(turns.wait(30000));
        window.backgroundCycle()->waitForIdle();
    }

    void highlightingGate()
    {
#ifdef ASTRA_EXPECT_HIGHLIGHTING
        QVERIFY(Highlighting::available());
        QVERIFY(Highlighting::description().contains(QStringLiteral("KSyntaxHighlighting")));
#else
        QVERIFY(!Highlighting::available());
        QVERIFY(Highlighting::description().contains(QStringLiteral("unavailable")));
#endif
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
