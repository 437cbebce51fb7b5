#include "common/mainwindow.h"
#include "diff/diffview.h"
#include "review/inboxview.h"
#include "review/reviewview.h"
#include "testsupport.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QFile>
#include <QInputDialog>
#include <QListView>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace astra;

namespace {
// 45 one-line functions: changes to lines 3, 20 and 40 are three hunks apart.
QByteArray calc(const QMap<int, QByteArray> &changed = {})
{
    QByteArray text;
    for (int line = 1; line <= 45; ++line) {
        text +=
            changed.value(line,
                          "int v" + QByteArray::number(line) + "(void) { return " + QByteArray::number(line) + "; }")
            + '\n';
    }
    return text;
}
} // namespace

// The review as a conversation, as a person does it in the window: decide on hunks with the
// keyboard in Changes, apply the decisions as a new revision, compare revisions, comment on a
// line and resolve it, and see both sides of a conflict when updating onto a moved target.
class TestConversation : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::TempRepo> m_repo;
    std::unique_ptr<test::AgentFolder> m_agents;
    WorkspaceOptions m_options;
    std::unique_ptr<MainWindow> m_window;

    template<typename T>
    T *waitForChild(const QString &name)
    {
        T *found = nullptr;
        [[maybe_unused]] const bool shown = QTest::qWaitFor(
            [&] {
                for (T *child : m_window->findChildren<T *>(name)) {
                    if (child->isVisible()) {
                        found = child;
                        return true;
                    }
                }
                return false;
            },
            10000);
        return found;
    }

    DiffView *diff() const
    {
        return m_window->diffView();
    }
    const ReviewSnapshot &snapshot() const
    {
        return m_window->reviewView()->snapshot();
    }

    // The row of the `index`th (0-based) hunk header.
    int hunkRow(int index) const
    {
        int row = -1;
        for (int i = 0; i <= index; ++i) {
            row = diff()->model()->nextHunkRow(row);
        }
        return row;
    }

    void press(int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        diff()->listView()->setFocus();
        QTest::keyClick(diff()->listView(), Qt::Key(key), modifiers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QSettings().clear();
        m_repo = std::make_unique<test::TempRepo>();
        m_agents = std::make_unique<test::AgentFolder>();
        // The agent answers a review by taking back the change to v20, as the comments ask.
        const QString agent = m_agents->write(
            QStringLiteral("agent.sh"),
            "cat .git/astra/request.json >&2\nsed -i 's/return 200;/return 20;/' src/calc.c\necho done\n");
        m_repo->write(QStringLiteral(".astra.toml"),
                      "[workspace]\ntarget_branch = \"main\"\n[policy]\nallowed = [\"src/\"]\n[tests]\n"
                      "command = \"! grep -q BROKEN src/calc.c\"\ntimeout_s = 60\n[proposer]\nkind = \"agent\"\n"
                      "agent = \"command\"\ncommand = \"sh "
                          + agent.toUtf8() + "\"\ntimeout_s = 60\n" + m_agents->readOnlySetting());
        m_repo->write(QStringLiteral("src/calc.c"), calc());
        m_repo->commitAll(QStringLiteral("initial"));
        QCOMPARE(test::runAstra({QStringLiteral("init")}, m_repo->path()).exitCode, 0);
        m_repo->write(QStringLiteral("src/calc.c"),
                      calc({{3, "int v3(void) { return 30; }"},
                            {20, "int v20(void) { return 200; }"},
                            {40, "int v40(void) { return 400; }"}}));
        const QString patch = m_repo->git({QStringLiteral("diff")});
        m_repo->git({QStringLiteral("checkout"), QStringLiteral("--"), QStringLiteral("src/calc.c")});
        QFile file(m_repo->file(QStringLiteral(".git/change.diff")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(patch.toUtf8());
        file.close();
        const test::Run proposed =
            test::runAstra({QStringLiteral("propose"), QStringLiteral("--patch"), file.fileName()}, m_repo->path());
        QVERIFY2(proposed.exitCode == 0, qPrintable(test::describe(proposed)));
        QCOMPARE(test::runAstra({QStringLiteral("mod"), QStringLiteral("retest"), QStringLiteral("1")}, m_repo->path())
                     .exitCode,
                 0);

        m_options.repoPath = m_repo->path();
        m_window = std::make_unique<MainWindow>(m_options);
        QSignalSpy settled(m_window.get(), &MainWindow::settled);
        m_window->resize(1500, 900);
        m_window->show();
        QVERIFY(settled.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->reviewView()->modificationId(), qint64(1), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(diff()->model()->hunkCount(), 3, 30000);
        QVERIFY(m_window->showView(QStringLiteral("diff")));
    }

    void cleanupTestCase()
    {
        if (m_window) {
            m_window->watcher()->waitForIdle();
        }
        m_window.reset();
    }

    // X on the third hunk rejects it (and marks it seen); Apply decisions makes revision 2 with
    // the other two, tested; the compare choice shows what changed since revision 1.
    void rejectAHunkAndApply()
    {
        diff()->setCurrentRow(hunkRow(2));
        press(Qt::Key_X);
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().decisions.size(), 1, 30000);
        QCOMPARE(snapshot().decisions.constFirst().decision, QStringLiteral("rejected"));
        QTRY_COMPARE(diff()->model()->data(diff()->model()->index(hunkRow(2)), DiffModel::DecisionRole).toString(),
                     QStringLiteral("rejected"));
        QVERIFY(diff()->model()->isSeen(0, 2));
        // A on the first accepts it.
        diff()->setCurrentRow(hunkRow(0));
        press(Qt::Key_A);
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().decisions.size(), 2, 30000);

        auto *apply = m_window->reviewView()->findChild<QAbstractButton *>(QStringLiteral("applyDecisions"));
        QVERIFY(apply);
        QTRY_VERIFY(apply->isEnabled());
        QVERIFY2(apply->text().contains(QStringLiteral("1 rejected")), qPrintable(apply->text()));
        apply->click();
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().currentRevision, 2, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(snapshot().modification.status == ModificationStatus::AwaitingApproval, 60000);
        QVERIFY(m_window->reviewView()->detailsText().contains(QStringLiteral("Left out of revision 2")));

        // The person decided on revision 1: they see what changed since, the rejected hunk undone.
        auto *compare = diff()->findChild<QComboBox *>(QStringLiteral("diffCompare"));
        QVERIFY(compare);
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().compareFrom, 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(diff()->headerText().contains(QStringLiteral("since revision 1")), 30000);
        QCOMPARE(compare->count(), 2);
        QCOMPARE(compare->currentIndex(), 1);
        QCOMPARE(diff()->model()->hunkCount(), 1);
        QVERIFY2(diff()->model()->dump().contains(QStringLiteral("[-400-]")), qPrintable(diff()->model()->dump()));
        // In an interdiff, hunks are not decided.
        diff()->setCurrentRow(hunkRow(0));
        press(Qt::Key_X);
        m_window->watcher()->waitForIdle();
        QCOMPARE(snapshot().decisions.size(), 0);
        compare->setCurrentIndex(0);
        Q_EMIT compare->activated(0);
        QTRY_COMPARE_WITH_TIMEOUT(diff()->model()->hunkCount(), 2, 30000);
        QVERIFY(!diff()->headerText().contains(QStringLiteral("since revision")));
        // Seen marks follow the hunks' content: the accepted one was seen, the other was not.
        QCOMPARE(diff()->model()->seenCount(), 1);
        QVERIFY(diff()->model()->isSeen(0, 0));
    }

    // C on a line asks for the words; the comment stands under its line, and opening it resolves it.
    void commentOnALineAndResolve()
    {
        int lineRow = -1;
        for (int row = hunkRow(1); row < diff()->model()->rowCount(); ++row) {
            if (diff()->model()->row(row).kind == DiffModel::RowKind::Line
                && diff()->model()->newNumber(diff()->model()->row(row)) == 20) {
                lineRow = row;
                break;
            }
        }
        QVERIFY(lineRow > 0);
        diff()->setCurrentRow(lineRow);
        press(Qt::Key_C);
        auto *dialog = waitForChild<QInputDialog>(QStringLiteral("reviewComment"));
        QVERIFY(dialog);
        dialog->setTextValue(QStringLiteral("Why 200?"));
        dialog->accept();
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().comments.size(), 1, 30000);
        const ReviewComment comment = snapshot().comments.constFirst();
        QCOMPARE(comment.line, 20);
        QCOMPARE(comment.path, QStringLiteral("src/calc.c"));
        QTRY_VERIFY(diff()->model()->dump().contains(QStringLiteral("## ✎")));
        int commentRow = -1;
        for (int row = 0; row < diff()->model()->rowCount(); ++row) {
            if (diff()->model()->row(row).kind == DiffModel::RowKind::Comment) {
                commentRow = row;
            }
        }
        QVERIFY(commentRow > lineRow);
        QVERIFY(m_window->reviewView()->canRequestChanges());

        diff()->setCurrentRow(commentRow);
        press(Qt::Key_Return);
        auto *shown = waitForChild<QMessageBox>(QStringLiteral("reviewCommentShown"));
        QVERIFY(shown);
        QCOMPARE(shown->text(), QStringLiteral("Why 200?"));
        shown->buttons().constFirst()->click();
        QTRY_VERIFY_WITH_TIMEOUT(!snapshot().comments.isEmpty() && snapshot().comments.constFirst().isResolved(),
                                 30000);
    }

    // The inbox says how much of the revision under review was read.
    void inboxShowsSeenProgress()
    {
        InboxModel *inbox = m_window->inboxView()->model();
        QTRY_VERIFY_WITH_TIMEOUT(inbox->rowCount() == 1, 30000);
        const QString seen = inbox->data(inbox->index(0, InboxModel::SeenColumn)).toString();
        QCOMPARE(seen, QStringLiteral("1 of 2"));
    }

    // The target moved on the same line: Update shows both sides and changes nothing.
    void updateConflictShowsBothSides()
    {
        m_repo->write(QStringLiteral("src/calc.c"), calc({{20, "int v20(void) { return -20; }"}}));
        m_repo->commitAll(QStringLiteral("someone fixed v20 too"));
        const QString head = m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("astra/goal-1-1")});
        m_window->watcher()->loadReview(1, QString(), 0);
        auto *update = m_window->reviewView()->findChild<QAbstractButton *>(QStringLiteral("updateModification"));
        QVERIFY(update);
        QTRY_VERIFY_WITH_TIMEOUT(update->isEnabled(), 30000);
        update->click();
        QTRY_VERIFY_WITH_TIMEOUT(diff()->headerText().startsWith(QStringLiteral("Conflicts: main")), 30000);
        QString text;
        for (const DiffHunk &hunk : diff()->model()->diff()->files.value(0).hunks) {
            text += hunkText(hunk);
        }
        QVERIFY2(text.contains(QStringLiteral("-int v20(void) { return -20; }"))
                     && text.contains(QStringLiteral("+int v20(void) { return 200; }")),
                 qPrintable(text));
        auto *failed = waitForChild<QMessageBox>(QStringLiteral("actionFailed"));
        if (failed) {
            failed->accept();
            delete failed;
        }
        QCOMPARE(m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("astra/goal-1-1")}), head);
        QCOMPARE(m_repo->git({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
    }

    // The conflict is a comment; with one more on the change, Request changes sends both to the
    // agent, whose answer is the next revision; Update then replays it onto the moved target.
    void requestChangesThenUpdate()
    {
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(snapshot().comments.cbegin(),
                                             snapshot().comments.cend(),
                                             [](const ReviewComment &c) { return c.kind == u"conflict"; }),
                                 30000);
        auto *comment = m_window->reviewView()->findChild<QAbstractButton *>(QStringLiteral("commentModification"));
        QVERIFY(comment && comment->isEnabled());
        comment->click();
        auto *dialog = waitForChild<QInputDialog>(QStringLiteral("reviewComment"));
        QVERIFY(dialog);
        dialog->setTextValue(QStringLiteral("Leave v20 as main has it."));
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->reviewView()->openCommentCount() == 2, 30000);
        const int before = snapshot().currentRevision;
        auto *request = m_window->reviewView()->findChild<QAbstractButton *>(QStringLiteral("requestChanges"));
        QVERIFY(request && request->isEnabled());
        request->click();
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().currentRevision, before + 1, 120000);
        const Revision answered = snapshot().modification.revisions.constLast();
        QCOMPARE(answered.origin, QStringLiteral("request_changes"));
        const QString received =
            answered.meta.value(QStringLiteral("transcript")).toObject().value(QStringLiteral("stderr")).toString();
        QVERIFY2(received.contains(QStringLiteral("Leave v20 as main has it."))
                     && received.contains(QStringLiteral("\"kind\":\"conflict\"")),
                 qPrintable(received));

        auto *update = m_window->reviewView()->findChild<QAbstractButton *>(QStringLiteral("updateModification"));
        QTRY_VERIFY_WITH_TIMEOUT(update->isEnabled(), 30000);
        update->click();
        QTRY_COMPARE_WITH_TIMEOUT(snapshot().currentRevision, before + 2, 60000);
        QCOMPARE(snapshot().modification.revisions.constLast().origin, QStringLiteral("update"));
        QCOMPARE(snapshot().modification.baseCommit,
                 m_repo->git({QStringLiteral("rev-parse"), QStringLiteral("main")}).trimmed());
        // The conflict is answered: resolved with the update.
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(snapshot().comments.cbegin(),
                        snapshot().comments.cend(),
                        [](const ReviewComment &c) { return c.kind != u"conflict" || c.isResolved(); }),
            30000);
        QVERIFY(!m_window->reviewView()->canUpdate());
    }
};

QTEST_MAIN(TestConversation)
#include "tst_conversation.moc"
