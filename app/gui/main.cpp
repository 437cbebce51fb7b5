#include "common/appearance.h"
#include "common/mainwindow.h"
#include "common/statuspage.h"
#include "diff/diffview.h"
#include "kanban/goalboardmodel.h"
#include "kanban/goalcolumnproxy.h"
#include "kanban/kanbanview.h"
#include "textstream.h"
#include "translations.h"
#include "workspace/version.h"
#include "workspace/workspacewatcher.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include <memory>

namespace {
int usage(const QString &message)
{
    QTextStream err(stderr);
    err << QStringLiteral("astra-review: ") << message << '\n'
        << QCoreApplication::translate("main", "Run `astra-review --help` for usage.") << '\n';
    return 2;
}
} // namespace

int main(int argc, char **argv)
{
    // --screenshot renders offscreen, and --help and --version show no window: decide the
    // platform before QApplication exists, so none of them needs a display.
    const auto needsNoDisplay = [](const char *argument) {
        return qstrcmp(argument, "--screenshot") == 0 || qstrncmp(argument, "--screenshot=", 13) == 0
            || qstrcmp(argument, "--version") == 0 || qstrcmp(argument, "--help") == 0 || qstrcmp(argument, "-h") == 0
            || qstrcmp(argument, "--help-all") == 0;
    };
    for (int i = 1; i < argc; ++i) {
        if (needsNoDisplay(argv[i]) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("astra-review"));
    QApplication::setApplicationDisplayName(QStringLiteral("Astra Review"));
    QApplication::setOrganizationName(QStringLiteral("Astra Review"));
    QApplication::setApplicationVersion(astra::astraVersion());
    QApplication::setDesktopFileName(QStringLiteral("org.astrareview.AstraReview"));
    astra::installTranslations(app);

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "The Astra Review workstation."));
    parser.addHelpOption();
    const QCommandLineOption version(QStringLiteral("version"),
                                     QCoreApplication::translate("main", "Print the versions."));
    parser.addOption(version);
    parser.addOption(
        {QStringLiteral("repo"), QCoreApplication::translate("main", "The repository."), QStringLiteral("PATH")});
    parser.addOption(
        {QStringLiteral("db"), QCoreApplication::translate("main", "The state database URL."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("screenshot"),
                      QCoreApplication::translate("main", "Render the view offscreen to a PNG file and exit."),
                      QStringLiteral("FILE")});
    parser.addOption(
        {QStringLiteral("view"),
         QCoreApplication::translate("main",
                                     "The view to show first (with --screenshot, the view to render): status, kanban, "
                                     "plan, review, diff, tasks or ledger."),
         QStringLiteral("VIEW")});
    parser.addOption({QStringLiteral("modification"),
                      QCoreApplication::translate("main",
                                                  "The modification to open in the review and the diff (default, with "
                                                  "--view review or diff: the first one waiting for review)."),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("goal"),
                      QCoreApplication::translate("main",
                                                  "The goal to show on the board and in the plan (default: the first "
                                                  "one waiting for review)."),
                      QStringLiteral("N")});
    parser.addOption(
        {QStringLiteral("theme"),
         QCoreApplication::translate("main", "The palette: system, light or dark (default: as last chosen)."),
         QStringLiteral("THEME")});
    if (!parser.parse(QCoreApplication::arguments())) {
        return usage(parser.errorText());
    }
    if (parser.isSet(QStringLiteral("help"))) {
        parser.showHelp(0);
    }
    if (parser.isSet(version)) {
        QTextStream(stdout) << astra::MainWindow::aboutText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty()) {
        return usage(QCoreApplication::translate("main", "unexpected argument '%1'.")
                         .arg(parser.positionalArguments().constFirst()));
    }
    const QStringList views = astra::MainWindow::viewNames();
    qint64 modification = 0;
    if (parser.isSet(QStringLiteral("modification"))) {
        bool number = false;
        modification = parser.value(QStringLiteral("modification")).toLongLong(&number);
        if (!number || modification <= 0) {
            return usage(
                QCoreApplication::translate("main",
                                            "--modification %1: give a modification's number (see `astra status`).")
                    .arg(parser.value(QStringLiteral("modification"))));
        }
    }
    qint64 goal = 0;
    if (parser.isSet(QStringLiteral("goal"))) {
        bool number = false;
        goal = parser.value(QStringLiteral("goal")).toLongLong(&number);
        if (!number || goal <= 0) {
            return usage(QCoreApplication::translate("main", "--goal %1: give a goal's number (see `astra goals`).")
                             .arg(parser.value(QStringLiteral("goal"))));
        }
    }
    const QString view = parser.isSet(QStringLiteral("view")) ? parser.value(QStringLiteral("view"))
        : modification > 0                                    ? QStringLiteral("diff")
        : goal > 0                                            ? QStringLiteral("plan")
                                                              : QStringLiteral("status");
    if (!views.contains(view)) {
        return usage(QCoreApplication::translate("main", "--view %1: no such view in this version; available: %2.")
                         .arg(view, views.join(QStringLiteral(", "))));
    }
    // The review and the diff open on a change: the one asked for, else the first that waits.
    const bool opensAChange = modification > 0 || view == u"review" || view == u"diff";

    astra::WorkspaceOptions options;
    options.repoPath = parser.value(QStringLiteral("repo"));
    options.dbUrl = parser.value(QStringLiteral("db"));
    const QString screenshot = parser.value(QStringLiteral("screenshot"));
    const QString themeName = parser.value(QStringLiteral("theme"));
    if (parser.isSet(QStringLiteral("theme")) && themeName != u"system" && themeName != u"light"
        && themeName != u"dark") {
        return usage(QCoreApplication::translate("main", "--theme %1: use system, light or dark.").arg(themeName));
    }
    // Screenshots use the default palette unless --theme says otherwise; a session uses the
    // palette chosen last.
    const QString savedTheme = QSettings().value(QStringLiteral("appearance/theme")).toString();
    astra::applyTheme(astra::themeFromString(parser.isSet(QStringLiteral("theme")) ? themeName
                                                 : screenshot.isEmpty()            ? savedTheme
                                                                                   : QString()));
    astra::MainWindow window(options);
    if (screenshot.isEmpty()) {
        window.restoreLayout();
    }
    if (screenshot.isEmpty() ? parser.isSet(QStringLiteral("view")) || modification > 0 || goal > 0 : true) {
        window.showView(view);
    }
    if (opensAChange) {
        window.openModification(modification);
    }

    if (screenshot.isEmpty()) {
        if (goal > 0) {
            // The goal asked for is chosen once the board has its cards.
            auto chosen = std::make_shared<bool>(false);
            QObject::connect(&window, &astra::MainWindow::settled, &window, [&window, goal, chosen] {
                if (!*chosen) {
                    *chosen = true;
                    window.kanbanView()->selectGoal(goal);
                }
            });
        }
        window.show();
        // Due jobs, detection and approved plans, every minute, off the UI thread.
        window.startBackgroundWork(std::chrono::minutes(1));
        return QApplication::exec();
    }

    int status = 1;
    window.resize(1760, 900); // the whole board, nine columns and the detail panel, fits
    window.show();
    bool grabbing = false;
    bool loadFailed = false; // the change asked for could not be shown
    const auto grabNow = [&] {
        if (grabbing) {
            return;
        }
        grabbing = true;
        // Let layouts settle before grabbing.
        QTimer::singleShot(100, &window, [&] {
            if (window.grab().save(screenshot)) {
                status = window.statusPage()->shownError().isEmpty() && !loadFailed ? 0 : 1;
            } else {
                QTextStream(stderr)
                    << QCoreApplication::translate("main", "astra-review: cannot write %1").arg(screenshot) << '\n';
            }
            QApplication::quit();
        });
    };
    bool settledOnce = false;
    QObject::connect(&window, &astra::MainWindow::settled, &window, [&] {
        if (settledOnce) {
            return;
        }
        settledOnce = true;
        // The board and the plan show a goal: the first one waiting for review.
        QTimer::singleShot(0, &window, [&] {
            const QModelIndex first = window.kanbanView()->columnProxy(astra::GoalState::AwaitingReview)->index(0, 0);
            if (view == u"ledger") {
                QObject::connect(window.watcher(), &astra::WorkspaceWatcher::ledgerLoaded, &window, grabNow);
                window.watcher()->loadLedger(true);
                return;
            }
            if (opensAChange && (modification > 0 || first.isValid())) {
                // openModification() chose it; the picture waits for it, or for why it cannot show.
                QObject::connect(window.watcher(), &astra::WorkspaceWatcher::reviewLoadFailed, &window, [&] {
                    loadFailed = true;
                    grabNow();
                });
                if (view == u"diff") {
                    // The picture shows the whole diff: painted, every file read.
                    const auto whenComplete = [&] {
                        if (window.diffView()->model()->isComplete()) {
                            grabNow();
                        }
                    };
                    QObject::connect(window.diffView(), &astra::DiffView::diffPainted, &window, whenComplete);
                    QObject::connect(window.diffView(), &astra::DiffView::diffCompleted, &window, whenComplete);
                    QObject::connect(window.watcher(),
                                     &astra::WorkspaceWatcher::reviewLoaded,
                                     &window,
                                     [&](const astra::ReviewSnapshot &snapshot) {
                                         if (!snapshot.diff && !snapshot.diffUnchanged) {
                                             grabNow(); // why there is no diff to show
                                         }
                                     });
                } else {
                    QObject::connect(window.watcher(), &astra::WorkspaceWatcher::reviewLoaded, &window, grabNow);
                }
                return;
            }
            if (view == u"status" || view == u"tasks" || (!first.isValid() && goal == 0)) {
                grabNow();
                return;
            }
            if (view == u"plan") {
                QObject::connect(window.watcher(), &astra::WorkspaceWatcher::planLoaded, &window, grabNow);
            }
            window.kanbanView()->selectGoal(goal > 0 ? goal : first.data(astra::GoalBoardModel::IdRole).toLongLong());
            if (view == u"kanban") {
                grabNow();
            }
        });
    });
    QTimer::singleShot(60000, &window, [&] {
        QTextStream(stderr) << QCoreApplication::translate("main",
                                                           "astra-review: the workspace did not load within 60 s")
                            << '\n';
        QApplication::exit(1);
    });
    QApplication::exec();
    return status;
}
