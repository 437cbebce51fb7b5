#include "diff/difffiles.h"
#include "diff/diffmodel.h"
#include "diff/diffoverview.h"
#include "diff/diffview.h"
#include "diff/highlighting.h"
#include "diff/syntaxcache.h"
#include "git/gitrepository.h"
#include "git/treediff.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QFile>
#include <QFontInfo>
#include <QFontMetrics>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace astra;

// The diff viewer on real repositories made with the git command line: libgit2's hunks,
// dtl's intra-line ranges, the rows side by side and unified (against golden files), collapsed
// regions, binary, over-size, mode and symlink changes, navigation and seen marks by keyboard,
// and language highlighting where the build has it.
class TestDiffView : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::TempRepo> m_repo;
    QString m_base;
    QString m_head;

    static QByteArray numbered(int from, int to, const QByteArray &prefix = "line")
    {
        QByteArray text;
        for (int i = from; i <= to; ++i) {
            text += prefix + ' ' + QByteArray::number(i) + '\n';
        }
        return text;
    }

    TreeDiff diff(const TreeDiffOptions &options = {})
    {
        auto repo = GitRepository::discover(m_repo->path());
        if (!repo) {
            qFatal("%s", qPrintable(repo.message()));
        }
        auto result = diffCommits(*repo, m_base, m_head, options);
        if (!result) {
            qFatal("%s", qPrintable(result.message()));
        }
        return *result;
    }

    static QString golden(const QString &name, const QString &actual)
    {
        const QString path = qEnvironmentVariable("ASTRA_TEST_DATA") + QStringLiteral("/diff/") + name;
        if (qEnvironmentVariableIsSet("ASTRA_UPDATE_GOLDEN")) {
            QFile out(path);
            if (out.open(QIODevice::WriteOnly)) {
                out.write(actual.toUtf8());
            }
        }
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll())
                                              : QStringLiteral("(missing %1)").arg(path);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_repo = std::make_unique<test::TempRepo>();
        QVERIFY(m_repo->isValid());
        // app.py: 40 lines with changes at the top and bottom (two hunks, a gap between them).
        QByteArray app = "def upload(target, files):\n    lock = acquire(target)\n    send(files)\n";
        app += numbered(4, 36, "# filler");
        app += "def prune(target, keep=3):\n    for name in archives(target)[:-keep]:\n        os.remove(name)\n";
        app += "    return keep\n";
        m_repo->write(QStringLiteral("app.py"), app);
        m_repo->write(QStringLiteral("gone.txt"), "old\n");
        m_repo->write(QStringLiteral("logo.png"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        m_repo->write(QStringLiteral("run.sh"), "#!/bin/sh\necho run\n");
        m_repo->write(QStringLiteral("big.txt"), numbered(1, 3000));
        m_base = m_repo->commitAll(QStringLiteral("base"));

        QByteArray changed = "def upload(target, files, timeout_s=600):\n    lock = acquire(target)\n    send(files)\n";
        changed += numbered(4, 36, "# filler");
        changed +=
            "def prune(target, keep=5):\n    for name in archives(target)[:-keep]:\n"
            "        log.info(\"pruned %s\", name)\n        os.remove(name)\n";
        changed += "    return keep\n";
        m_repo->write(QStringLiteral("app.py"), changed);
        QFile::remove(m_repo->file(QStringLiteral("gone.txt")));
        m_repo->write(QStringLiteral("new.py"), "print('new')\n");
        m_repo->write(QStringLiteral("logo.png"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\1", 18));
        QFile script(m_repo->file(QStringLiteral("run.sh")));
        QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeGroup
                                      | QFileDevice::ExeOther));
        QVERIFY(QFile::link(QStringLiteral("app.py"), m_repo->file(QStringLiteral("link.py"))));
        m_repo->write(QStringLiteral("big.txt"), numbered(1, 3000, "row"));
        m_head = m_repo->commitAll(QStringLiteral("head"));
        QCOMPARE(m_repo->git({QStringLiteral("ls-files"), QStringLiteral("-s"), QStringLiteral("run.sh")}).left(6),
                 QStringLiteral("100755"));
    }

    void treeDiffReadsEveryKindOfChange()
    {
        const TreeDiff d = diff();
        QHash<QString, const FileDiff *> byPath;
        for (const FileDiff &file : d.files) {
            byPath.insert(file.path, &file);
        }
        QCOMPARE(byPath.size(), 7);
        const FileDiff *app = byPath.value(QStringLiteral("app.py"));
        QVERIFY(app);
        QCOMPARE(app->change, QStringLiteral("modified"));
        QCOMPARE(app->hunks.size(), 2);
        QCOMPARE(app->additions, 3);
        QCOMPARE(app->deletions, 2);
        QCOMPARE(app->oldLineCount, 40);
        QCOMPARE(byPath.value(QStringLiteral("gone.txt"))->change, QStringLiteral("deleted"));
        QCOMPARE(byPath.value(QStringLiteral("new.py"))->change, QStringLiteral("added"));
        QVERIFY(byPath.value(QStringLiteral("logo.png"))->binary);
        QVERIFY(byPath.value(QStringLiteral("logo.png"))->hunks.isEmpty());
        const FileDiff *script = byPath.value(QStringLiteral("run.sh"));
        QCOMPARE(script->oldMode, quint32(0100644));
        QCOMPARE(script->newMode, quint32(0100755));
        QVERIFY(script->modeChanged());
        QCOMPARE(byPath.value(QStringLiteral("link.py"))->newMode, quint32(0120000));
        QCOMPARE(d.additions, 3 + 1 + 1 + 3000);

        // The paired lines carry the words that changed, not the whole line.
        const DiffHunk &first = app->hunks.at(0);
        const DiffLine &removed = first.lines.at(0);
        const DiffLine &added = first.lines.at(1);
        QCOMPARE(removed.origin, '-');
        QCOMPARE(added.origin, '+');
        QCOMPARE(removed.pair, 1);
        QCOMPARE(added.pair, 0);
        QVERIFY(removed.changed.isEmpty()); // nothing was removed from it, only added
        QCOMPARE(added.changed.size(), 1);
        QCOMPARE(added.text.mid(added.changed.at(0).start, added.changed.at(0).length),
                 QStringLiteral(", timeout_s=600"));
        const DiffHunk &second = app->hunks.at(1);
        int keepLine = -1;
        for (int i = 0; i < second.lines.size(); ++i) {
            if (second.lines.at(i).origin == '-') {
                keepLine = i;
                break;
            }
        }
        QVERIFY(keepLine >= 0);
        const DiffLine &keepOld = second.lines.at(keepLine);
        QCOMPARE(keepOld.changed.size(), 1);
        QCOMPARE(keepOld.text.mid(keepOld.changed.at(0).start, keepOld.changed.at(0).length), QStringLiteral("3"));
    }

    void overSizeFilesAreNotDiffed()
    {
        TreeDiffOptions options;
        options.maxFileBytes = 10000;
        const TreeDiff d = diff(options);
        for (const FileDiff &file : d.files) {
            QCOMPARE(file.tooLarge, file.path == u"big.txt");
        }
        DiffModel model;
        model.setDiff(TreeDiffPtr(new TreeDiff(d)));
        QVERIFY(model.dump().contains(QStringLiteral("!! Not shown:")));
    }

    void intraLineTokens()
    {
        const QList<QStringView> tokens = diffTokens(u"  foo_bar(x, 42);");
        QStringList texts;
        for (QStringView token : tokens) {
            texts.append(token.toString());
        }
        QCOMPARE(texts,
                 (QStringList{QStringLiteral("  "),
                              QStringLiteral("foo_bar"),
                              QStringLiteral("("),
                              QStringLiteral("x"),
                              QStringLiteral(","),
                              QStringLiteral(" "),
                              QStringLiteral("42"),
                              QStringLiteral(")"),
                              QStringLiteral(";")}));
        // A line rewritten completely gets no marks.
        DiffHunk hunk;
        hunk.lines = {DiffLine{'-', 1, 0, QStringLiteral("alpha beta"), -1, {}},
                      DiffLine{'+', 0, 1, QStringLiteral("gamma delta"), -1, {}}};
        annotateIntraLine(hunk);
        QCOMPARE(hunk.lines.at(0).pair, 1);
        QVERIFY(hunk.lines.at(0).changed.isEmpty());
        QVERIFY(hunk.lines.at(1).changed.isEmpty());
    }

    void rowsMatchGoldenFiles()
    {
        DiffModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        TreeDiffOptions options;
        options.maxFileBytes = 10000; // keeps big.txt out of the golden files
        model.setDiff(TreeDiffPtr(new TreeDiff(diff(options))));
        const QString sideBySide = model.dump();
        QCOMPARE(sideBySide, golden(QStringLiteral("side-by-side.txt"), sideBySide));
        model.setMode(DiffModel::Mode::Unified);
        const QString unified = model.dump();
        QCOMPARE(unified, golden(QStringLiteral("unified.txt"), unified));
        // Side by side pairs the changed lines: fewer rows than unified.
        model.setMode(DiffModel::Mode::SideBySide);
        const int pairedRows = model.rowCount();
        model.setMode(DiffModel::Mode::Unified);
        QCOMPARE(model.rowCount(), pairedRows + 2);
    }

    void gapsExpandAndCollapse()
    {
        DiffModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDiff(TreeDiffPtr(new TreeDiff(diff())));
        int gapRow = -1;
        for (int row = 0; row < model.rowCount(); ++row) {
            if (model.row(row).kind == DiffModel::RowKind::Gap) {
                gapRow = row;
                break;
            }
        }
        QVERIFY(gapRow >= 0);
        const DiffModel::Gap gap = model.gap(model.row(gapRow).file, model.row(gapRow).part);
        QCOMPARE(gap.oldFrom, 5);
        QCOMPARE(gap.newFrom, 5);
        QCOMPARE(gap.count, 29); // lines 5..33 of 40 between the two hunks
        const int before = model.rowCount();
        QVERIFY(model.toggleGap(gapRow));
        QCOMPARE(model.rowCount(), before + gap.count - 1);
        QCOMPARE(model.row(gapRow).kind, DiffModel::RowKind::GapLine);
        QCOMPARE(model.oldNumber(model.row(gapRow)), 5);
        QCOMPARE(model.newNumber(model.row(gapRow)), 5);
        QCOMPARE(model.gapLineText(model.row(gapRow)), QStringLiteral("# filler 5"));
        QCOMPARE(model.gapLineText(model.row(gapRow + 28)), QStringLiteral("# filler 33"));
        QVERIFY(model.toggleGap(gapRow + 5)); // collapses from any of its lines
        QCOMPARE(model.rowCount(), before);
        QCOMPARE(model.row(gapRow).kind, DiffModel::RowKind::Gap);
    }

    void keyboardNavigationAndSeenMarks()
    {
        const QString key = QStringLiteral("test-") + m_base + u".." + m_head;
        QSettings().remove(QStringLiteral("diff/seen/") + key);
        DiffView view;
        QAbstractItemModelTester files(view.fileModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1400, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&view));
        QSignalSpy painted(&view, &DiffView::diffPainted);
        view.setDiff(TreeDiffPtr(new TreeDiff(diff())), key);
        QVERIFY(painted.wait(5000));
        QCOMPARE(view.fileModel()->rowCount(), 7);
        view.listView()->setFocus();
        DiffModel *model = view.model();

        QTest::keyClick(view.listView(), Qt::Key_Down, Qt::AltModifier);
        const int firstHunk = view.currentRow();
        QCOMPARE(model->row(firstHunk).kind, DiffModel::RowKind::Hunk);
        QTest::keyClick(view.listView(), Qt::Key_Down, Qt::AltModifier);
        const int secondHunk = view.currentRow();
        QVERIFY(secondHunk > firstHunk);
        QCOMPARE(model->row(secondHunk).kind, DiffModel::RowKind::Hunk);
        QTest::keyClick(view.listView(), Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(view.currentRow(), firstHunk);
        const int fileBefore = model->row(view.currentRow()).file;
        QTest::keyClick(view.listView(), Qt::Key_PageDown, Qt::AltModifier);
        QCOMPARE(model->row(view.currentRow()).kind, DiffModel::RowKind::File);
        QCOMPARE(model->row(view.currentRow()).file, fileBefore + 1);
        QCOMPARE(view.fileView()->currentIndex().row(), fileBefore + 1);
        QTest::keyClick(view.listView(), Qt::Key_PageUp, Qt::AltModifier);
        QCOMPARE(model->row(view.currentRow()).file, fileBefore);

        // Ctrl+Space marks the hunk seen and moves on.
        view.setCurrentRow(firstHunk);
        QTest::keyClick(view.listView(), Qt::Key_Space, Qt::ControlModifier);
        QVERIFY(model->isSeen(model->row(firstHunk).file, model->row(firstHunk).part));
        QCOMPARE(view.currentRow(), secondHunk);
        QCOMPARE(model->seenCount(), 1);
        QVERIFY2(view.headerText().contains(QStringLiteral("1 of %1").arg(model->hunkCount())),
                 qPrintable(view.headerText()));
        QVERIFY(model->fileHeaderText(model->row(firstHunk).file).contains(QStringLiteral("1 of 2 hunk")));

        // Enter expands the collapsed region under the cursor.
        int gapRow = -1;
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->row(row).kind == DiffModel::RowKind::Gap) {
                gapRow = row;
                break;
            }
        }
        view.setCurrentRow(gapRow);
        const int rows = model->rowCount();
        QTest::keyClick(view.listView(), Qt::Key_Return);
        QVERIFY(model->rowCount() > rows);

        // Unified and back keeps the place.
        view.setCurrentRow(secondHunk);
        const DiffModel::Row at = model->row(view.currentRow());
        QTest::keyClick(view.listView(), Qt::Key_U, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(model->mode() == DiffModel::Mode::Unified);
        QCOMPARE(model->row(view.currentRow()).file, at.file);
        QCOMPARE(model->row(view.currentRow()).part, at.part);

        // The marks come back for the same commits.
        DiffView again;
        again.setDiff(TreeDiffPtr(new TreeDiff(diff())), key);
        QCOMPARE(again.model()->seenCount(), 1);
        QVERIFY(again.model()->isSeen(model->row(firstHunk).file, model->row(firstHunk).part));
    }

    // A seen mark names the hunk's changes, not its place: three hunks seen in revision 1, and
    // revision 2 moves all of them down and rewrites one — exactly that one is unseen.
    void seenMarksFollowTheContent()
    {
        const auto hunk = [](int at, const QString &removed, const QString &added) {
            DiffHunk h;
            h.oldStart = at;
            h.newStart = at;
            h.oldLines = 2;
            h.newLines = 2;
            h.lines = {DiffLine{' ', at, at, QStringLiteral("context"), -1, {}},
                       DiffLine{'-', at + 1, 0, removed, -1, {}},
                       DiffLine{'+', 0, at + 1, added, -1, {}}};
            return h;
        };
        const auto revision = [&](int shift, const QString &secondAdded) {
            TreeDiff diff;
            FileDiff file;
            file.path = QStringLiteral("src/a.c");
            file.change = QStringLiteral("modified");
            file.hunks = {hunk(10 + shift, QStringLiteral("a = 1;"), QStringLiteral("a = 2;")),
                          hunk(40 + shift, QStringLiteral("b = 1;"), secondAdded),
                          hunk(80 + shift, QStringLiteral("a = 1;"), QStringLiteral("a = 2;"))}; // repeats the first
            diff.files = {file};
            return TreeDiffPtr(new TreeDiff(diff));
        };
        DiffModel first;
        first.setDiff(revision(0, QStringLiteral("b = 2;")));
        QCOMPARE(first.hunkCount(), 3);
        QVERIFY(first.hunkKey(0, 0) != first.hunkKey(0, 2)); // a repeated hunk has a name of its own
        for (int h = 0; h < 3; ++h) {
            first.setSeen(0, h, true);
        }
        const QStringList kept = first.seenKeys();
        QCOMPARE(kept.size(), 3);

        DiffModel second;
        second.setDiff(revision(7, QStringLiteral("b = 3;")));
        second.setSeenKeys(kept);
        QCOMPARE(second.seenCount(), 2);
        QVERIFY(second.isSeen(0, 0));
        QVERIFY(!second.isSeen(0, 1)); // rewritten: unseen
        QVERIFY(second.isSeen(0, 2));

        // A viewed file stays viewed while its changes are the same, wherever they moved.
        first.setViewed(0, true);
        QVERIFY(first.isViewed(0));
        const QStringList viewed = first.viewedKeys();
        DiffModel moved;
        moved.setDiff(revision(0, QStringLiteral("b = 2;")));
        moved.setViewedKeys(viewed);
        QVERIFY(moved.isViewed(0));
        QCOMPARE(moved.seenCount(), 3); // viewing a file sees its hunks
        DiffModel changed;
        changed.setDiff(revision(7, QStringLiteral("b = 3;")));
        changed.setViewedKeys(viewed);
        QVERIFY(!changed.isViewed(0)); // the file changed: read it again
        QCOMPARE(changed.seenCount(), 0);
    }

    // Comments stand under their line: a new-side comment after the row with that new line, an
    // old-side one after the removed line, one on a line in a collapsed gap after the gap, one on
    // the file after its header; decisions show on their hunk (a file's on each of its hunks).
    void commentsAndDecisionsStandWhereTheyBelong()
    {
        TreeDiff diff;
        FileDiff file;
        file.path = QStringLiteral("src/a.c");
        file.change = QStringLiteral("modified");
        file.oldContent = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        file.oldLineCount = 10;
        DiffHunk hunk;
        hunk.oldStart = 8;
        hunk.oldLines = 2;
        hunk.newStart = 8;
        hunk.newLines = 2;
        hunk.key = QStringLiteral("k1");
        hunk.header = QStringLiteral("@@ -8,2 +8,2 @@");
        hunk.lines = {DiffLine{' ', 8, 8, QStringLiteral("8"), -1, {}},
                      DiffLine{'-', 9, 0, QStringLiteral("9"), 2, {}},
                      DiffLine{'+', 0, 9, QStringLiteral("nine"), 1, {}}};
        file.hunks = {hunk};
        diff.files = {file};
        DiffModel model;
        model.setDiff(TreeDiffPtr(new TreeDiff(diff)));
        const auto comment = [](qint64 id, int line, const QString &side, const QString &body) {
            ReviewComment c;
            c.id = id;
            c.path = QStringLiteral("src/a.c");
            c.line = line;
            c.side = side;
            c.body = body;
            c.author = QStringLiteral("dana (Dana Reviewer <dana@example.org>)");
            return c;
        };
        HunkDecision rejectedFile;
        rejectedFile.path = QStringLiteral("src/a.c");
        rejectedFile.decision = QStringLiteral("rejected");
        model.setReview({rejectedFile},
                        {comment(1, 9, QStringLiteral("new"), QStringLiteral("on nine")),
                         comment(2, 9, QStringLiteral("old"), QStringLiteral("on the old nine")),
                         comment(3, 3, QStringLiteral("new"), QStringLiteral("in the gap")),
                         comment(4, 0, QString(), QStringLiteral("on the file"))});
        model.setMode(DiffModel::Mode::Unified);
        const QString dump = model.dump();
        const QStringList lines = dump.split(u'\n');
        const auto at = [&](const QString &text) {
            for (int i = 0; i < lines.size(); ++i) {
                if (lines.at(i).contains(text)) {
                    return i;
                }
            }
            return -1;
        };
        QVERIFY2(at(QStringLiteral("on the file")) == at(QStringLiteral("== src/a.c")) + 1, qPrintable(dump));
        QVERIFY2(at(QStringLiteral("in the gap")) == at(QStringLiteral(".. 7 unchanged")) + 1, qPrintable(dump));
        QVERIFY2(at(QStringLiteral("on the old nine")) == at(QStringLiteral("- 9")) + 1, qPrintable(dump));
        QVERIFY2(at(QStringLiteral("on nine")) == at(QStringLiteral("+ nine")) + 1, qPrintable(dump));
        QVERIFY(dump.contains(QStringLiteral("## ✎ Dana Reviewer: on nine")));
        QCOMPARE(model.decisionOf(0, 0), QStringLiteral("rejected")); // the file's decision
        // Expanding the gap keeps its comment after it, and collapsing brings it back.
        int gapRow = -1;
        for (int row = 0; row < model.rowCount(); ++row) {
            gapRow = gapRow < 0 && model.row(row).kind == DiffModel::RowKind::Gap ? row : gapRow;
        }
        QVERIFY(model.toggleGap(gapRow));
        QCOMPARE(model.row(gapRow + 7).kind, DiffModel::RowKind::Comment);
        QVERIFY(model.toggleGap(gapRow + 2));
        QCOMPARE(model.row(gapRow + 1).kind, DiffModel::RowKind::Comment);
    }

    // Code lines up in columns on every platform, including where the platform names no
    // fixed-pitch font (Qt 5 offscreen gives its proportional default).
    // A change of many files opens on its outline and is completed behind the view: every file
    // read (the ones on screen first), the renames git finds in place of their deletion and
    // addition, the seen marks of files not read yet kept, and the place being read held while
    // rows grow above it. In the end the rows are those of the whole diff read at once.
    void outlineIsCompletedBehindTheView()
    {
        test::TempRepo repo;
        QVERIFY(repo.isValid());
        for (int f = 0; f < 60; ++f) {
            repo.write(QStringLiteral("src/file%1.txt").arg(f, 2, 10, QLatin1Char('0')), numbered(1, 80));
        }
        repo.write(QStringLiteral("old/moved.txt"), numbered(1, 50, "kept"));
        const QString base = repo.commitAll(QStringLiteral("base"));
        for (int f = 0; f < 60; ++f) {
            QByteArray text = numbered(1, 80);
            text.replace("line 10\n", "line ten\n").replace("line 70\n", "line seventy\n");
            repo.write(QStringLiteral("src/file%1.txt").arg(f, 2, 10, QLatin1Char('0')), text);
        }
        QFile::remove(repo.file(QStringLiteral("old/moved.txt")));
        repo.write(QStringLiteral("new/moved.txt"), numbered(1, 50, "kept") + "one more\n");
        const QString head = repo.commitAll(QStringLiteral("head"));
        auto git = GitRepository::discover(repo.path());
        QVERIFY(git.ok());
        TreeDiffOptions outlineOnly;
        outlineOnly.outline = true;
        auto outline = diffCommits(*git, base, head, outlineOnly);
        QVERIFY(outline.ok());
        QCOMPARE(outline->files.size(), 62); // the move is a deletion and an addition yet
        QVERIFY(outline->files.first().loaded);
        QVERIFY(!outline->files.last().loaded);
        QVERIFY(!outline->isComplete());
        auto whole = diffCommits(*git, base, head);
        QVERIFY(whole.ok());
        QCOMPARE(whole->files.size(), 61);

        // A hunk of the last file was marked seen in an earlier session.
        DiffModel reference;
        reference.setDiff(TreeDiffPtr(new TreeDiff(*whole)));
        const QString key = QStringLiteral("test/outline");
        const QString lastHunk = reference.hunkKey(int(whole->files.size()) - 1, 0);
        QSettings().setValue(QStringLiteral("diff/seen/") + key, QStringList{lastHunk});
        QSettings().remove(QStringLiteral("diff/viewed/") + key);

        DiffView view;
        view.resize(1200, 600);
        view.show();
        DiffFiller filler;
        connect(&filler, &DiffFiller::outlineChanged, &view, &DiffView::replaceOutline);
        connect(&filler, &DiffFiller::filesLoaded, &view, &DiffView::addFiles);
        connect(&view, &DiffView::filesWanted, &filler, &DiffFiller::want);
        QSignalSpy loaded(&filler, &DiffFiller::filesLoaded);
        QSignalSpy finished(&filler, &DiffFiller::finished);
        const TreeDiffPtr shown(new TreeDiff(*outline));
        view.setDiff(shown, key);
        QVERIFY2(view.headerText().contains(QStringLiteral("reading")), qPrintable(view.headerText()));
        QCOMPARE(view.model()->noticeText(1), QStringLiteral("Reading…"));
        // Reading the 40th file: it stays on top while the files before it grow.
        const int row = view.model()->fileRow(40);
        view.listView()->scrollTo(view.model()->index(row), QAbstractItemView::PositionAtTop);
        view.setCurrentRow(row);
        QTest::qWait(50); // the view asks for the files on screen
        filler.start(repo.path(), shown);
        QVERIFY(finished.wait(30000));
        QCoreApplication::processEvents();
        QVERIFY(view.model()->isComplete());
        // The same rows as the whole diff read at once, but for the mark that was kept.
        QVERIFY(view.model()->isSeen(int(whole->files.size()) - 1, 0));
        reference.setSeenKeys({lastHunk});
        QCOMPARE(view.model()->dump(), reference.dump());
        const QModelIndex top = view.listView()->indexAt(QPoint(1, 1));
        QCOMPARE(view.model()->file(view.model()->row(top.row()).file).path, outline->files.at(40).path);
        QCOMPARE(view.model()->fileRow(view.model()->row(top.row()).file), top.row());
        QCOMPARE(view.model()->file(view.model()->row(view.currentRow()).file).path, outline->files.at(40).path);
        QVERIFY(!loaded.isEmpty());
        QVERIFY2(!view.headerText().contains(QStringLiteral("reading")), qPrintable(view.headerText()));
        QCOMPARE(QSettings().value(QStringLiteral("diff/seen/") + key).toStringList(), QStringList{lastHunk});
        // The file on screen came before the files after it.
        QList<int> order;
        for (const QList<QVariant> &batch : std::as_const(loaded)) {
            for (const LoadedFile &file : batch.first().value<QList<LoadedFile>>()) {
                order.append(file.index);
            }
        }
        const int onScreen =
            int(std::find_if(whole->files.cbegin(),
                             whole->files.cend(),
                             [&](const FileDiff &file) { return file.path == outline->files.at(40).path; })
                - whole->files.cbegin());
        QVERIFY2(order.indexOf(onScreen) < order.indexOf(onScreen - 1),
                 qPrintable(QString::number(order.indexOf(onScreen))));
    }

    // Finding one's way in a big change: the file list follows the scroll and the arrow keys
    // choose files; a sticky header names the file being read; folders and a filter; Ctrl+F;
    // lock files collapsed; whitespace ignored on request (and hunks not decided meanwhile); long
    // lines wrapped; the text zoomed; the overview ruler spans the file being read.
    void navigationForBigChanges()
    {
        test::TempRepo repo;
        QVERIFY(repo.isValid());
        for (int f = 0; f < 8; ++f) {
            repo.write(QStringLiteral("src/part%1/code%1.c").arg(f), numbered(1, 200, "int value"));
        }
        repo.write(QStringLiteral("package-lock.json"), "{\n  \"lockfileVersion\": 2\n}\n");
        repo.write(QStringLiteral("src/style.c"), "int f(void)\n{\n    return 1;\n}\n");
        const QString base = repo.commitAll(QStringLiteral("base"));
        for (int f = 0; f < 8; ++f) {
            QByteArray text = numbered(1, 200, "int value");
            for (int line = 5; line < 200; line += 15) {
                text.replace(QByteArray("int value " + QByteArray::number(line) + '\n'),
                             QByteArray("int value " + QByteArray::number(line) + " /* needle */\n"));
            }
            repo.write(QStringLiteral("src/part%1/code%1.c").arg(f), text);
        }
        repo.write(QStringLiteral("package-lock.json"), "{\n  \"lockfileVersion\": 3\n}\n");
        repo.write(QStringLiteral("src/style.c"), "int f(void)\n{\n\treturn 1;\n}\n" + QByteArray(300, 'x') + '\n');
        const QString head = repo.commitAll(QStringLiteral("head"));
        auto git = GitRepository::discover(repo.path());
        auto whole = diffCommits(*git, base, head);
        QVERIFY(whole.ok());

        DiffView view;
        view.resize(1200, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDiff(TreeDiffPtr(new TreeDiff(*whole)));
        DiffModel *model = view.model();
        int lock = -1;
        int style = -1;
        for (int f = 0; f < whole->files.size(); ++f) {
            lock = whole->files.at(f).path == u"package-lock.json" ? f : lock;
            style = whole->files.at(f).path == u"src/style.c" ? f : style;
        }
        // The lock file: collapsed, Enter shows it.
        QVERIFY(model->isCollapsed(lock));
        QVERIFY2(model->noticeText(lock).startsWith(QStringLiteral("Lock file, collapsed")),
                 qPrintable(model->noticeText(lock)));
        QCOMPARE(model->row(model->fileRow(lock) + 1).kind, DiffModel::RowKind::Notice);
        QVERIFY(model->toggleGap(model->fileRow(lock) + 1));
        QVERIFY(!model->isCollapsed(lock));
        QCOMPARE(model->row(model->fileRow(lock) + 1).kind, DiffModel::RowKind::Hunk);

        // Scrolled into the middle of the third file: the list follows, the header names it.
        const int third = 3;
        const int inside = model->fileRow(third) + 20;
        view.listView()->scrollTo(model->index(inside), QAbstractItemView::PositionAtTop);
        QTRY_COMPARE(view.filesPanel()->currentFile(), third);
        QVERIFY2(view.stickyText().startsWith(whole->files.at(third).path), qPrintable(view.stickyText()));
        // The ruler spans that file.
        auto *overview = view.findChild<DiffOverview *>();
        QVERIFY(overview);
        QCOMPARE(overview->fileRows().first, model->fileRow(third));
        QCOMPARE(overview->fileRows().second, model->fileRow(third + 1));
        // Down in the file list: the next file.
        view.fileView()->setFocus();
        QTest::keyClick(view.fileView(), Qt::Key_Down);
        QCOMPARE(model->row(view.currentRow()).file, third + 1);
        QCOMPARE(view.currentRow(), model->fileRow(third + 1));

        // A filter by name, in the list and in folders.
        view.filesPanel()->filterEdit()->setText(QStringLiteral("code3"));
        QCOMPARE(view.filesPanel()->shownFiles(), 1);
        view.filesPanel()->setTree(true);
        QCOMPARE(view.filesPanel()->shownFiles(), 1);
        QVERIFY(view.filesPanel()->isTree());
        view.filesPanel()->filterEdit()->clear();
        QCOMPARE(view.filesPanel()->shownFiles(), int(whole->files.size()));
        view.filesPanel()->setTree(false);

        // Ctrl+F: the rows that hold the text, one after the other.
        view.setCurrentRow(0);
        view.showFind();
        auto *find = view.findChild<QLineEdit *>(QStringLiteral("diffFind"));
        QVERIFY(find && find->isVisible());
        find->setText(QStringLiteral("NEEDLE"));
        QCOMPARE(model->matchCount(), 8 * 13);
        if (const QString shot = qEnvironmentVariable("ASTRA_TEST_SCREENSHOT"); !shot.isEmpty()) {
            view.listView()->scrollTo(model->index(model->fileRow(third) + 30), QAbstractItemView::PositionAtTop);
            QTest::qWait(50);
            view.grab().save(shot);
        }
        const int first = view.currentRow();
        QVERIFY(model->rowMatches(first));
        view.findNext();
        QVERIFY(view.currentRow() > first && model->rowMatches(view.currentRow()));
        view.findPrevious();
        QCOMPARE(view.currentRow(), first);
        QTest::keyClick(find, Qt::Key_Escape);
        QVERIFY(!find->isVisible());
        QCOMPARE(model->matchCount(), 0);

        // Long lines wrap: the row of the 300 x's is several lines high.
        const QFontMetrics metrics(view.listView()->font());
        int longRow = -1;
        for (int row = model->fileRow(style); row < model->rowCount(); ++row) {
            if (model->row(row).kind == DiffModel::RowKind::Line && model->newNumber(model->row(row)) == 5) {
                longRow = row;
                break;
            }
        }
        QVERIFY(longRow > 0);
        QCOMPARE(view.listView()->visualRect(model->index(longRow)).height(),
                 view.listView()->visualRect(model->index(0)).height());
        view.setWrap(true);
        QTRY_VERIFY(view.listView()->visualRect(model->index(longRow)).height() >= 2 * metrics.height());
        view.setWrap(false);

        // Zoom.
        const qreal size = view.listView()->font().pointSizeF();
        view.zoom(2);
        QCOMPARE(view.listView()->font().pointSizeF(), size + 2);
        view.zoom(0);
        QCOMPARE(view.listView()->font().pointSizeF(), size);

        // Ignore whitespace: the files are read again without it; the reindented line is gone.
        DiffFiller filler;
        connect(&view,
                &DiffView::readRequested,
                &filler,
                [&](const TreeDiffPtr &outline, const TreeDiffOptions &options) {
                    filler.start(repo.path(), outline, options);
                });
        connect(&filler, &DiffFiller::filesLoaded, &view, &DiffView::addFiles);
        QSignalSpy finished(&filler, &DiffFiller::finished);
        view.setReview({}, {}, true);
        auto *accept = view.findChild<QAction *>(QStringLiteral("acceptHunk"));
        QVERIFY(accept->isEnabled());
        view.setIgnoreWhitespace(true);
        QVERIFY(!accept->isEnabled());
        QVERIFY(!model->isComplete());
        QVERIFY(finished.wait(10000));
        QVERIFY(model->isComplete());
        const FileDiff &reindented = model->file(style);
        QCOMPARE(reindented.additions, 1); // only the long line; the tab for four spaces is no change
        QCOMPARE(reindented.deletions, 0);
        view.setIgnoreWhitespace(false);
        QVERIFY(accept->isEnabled());
        QVERIFY(finished.wait(10000));
        QCOMPARE(model->file(style).additions, 2);
    }

    // The filler says why it cannot read, and a new start forgets the old diff's files.
    void fillerFailsClearly()
    {
        TreeDiff outline;
        outline.fromCommit = m_base;
        outline.toCommit = m_head;
        outline.renamesFound = false;
        DiffFiller filler;
        QSignalSpy failed(&filler, &DiffFiller::failed);
        QTemporaryDir nowhere;
        filler.start(nowhere.path(), TreeDiffPtr(new TreeDiff(outline)));
        QVERIFY(failed.wait(10000));
        QVERIFY2(failed.first().first().toString().contains(nowhere.path()),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!filler.isRunning());
    }

    void codeIsFixedPitch()
    {
        DiffView view;
        QVERIFY(QFontInfo(view.listView()->font()).fixedPitch());
        const QFontMetrics metrics(view.listView()->font());
        QCOMPARE(metrics.horizontalAdvance(QStringLiteral("iiii")), metrics.horizontalAdvance(QStringLiteral("WWWW")));
    }

    void highlighting()
    {
        DiffModel model;
        model.setDiff(TreeDiffPtr(new TreeDiff(diff())));
        SyntaxCache cache;
        cache.reset(QPalette());
        int defRow = -1;
        for (int row = 0; row < model.rowCount(); ++row) {
            const DiffModel::Row &r = model.row(row);
            if (r.kind == DiffModel::RowKind::Line && r.right >= 0
                && model.file(r.file).hunks.at(r.part).lines.at(r.right).text.startsWith(
                    QStringLiteral("def upload"))) {
                defRow = row;
                break;
            }
        }
        QVERIFY(defRow >= 0);
        const auto formats = cache.formats(model, model.row(defRow), true);
        DiffView view;
#ifdef ASTRA_EXPECT_HIGHLIGHTING
        QVERIFY(Highlighting::available());
        QCOMPARE(cache.definitionName(QStringLiteral("app.py")), QStringLiteral("Python"));
        QVERIFY(!formats.isEmpty());
        // "def" is a keyword: the first format starts at 0 and covers it.
        QCOMPARE(formats.first().start, 0);
        QCOMPARE(formats.first().length, 3);
        QVERIFY(cache.highlightedLines() >= 1);
#else
        QVERIFY(!Highlighting::available());
        QVERIFY(formats.isEmpty());
        bool said = false;
        for (QLabel *label : view.findChildren<QLabel *>()) {
            said = said || label->text().contains(QStringLiteral("unavailable in this build"));
        }
        QVERIFY(said);
#endif
    }
};

QTEST_MAIN(TestDiffView)
#include "tst_diffview.moc"
