#include "policy/pathglob.h"
#include "policy/pathpolicy.h"
#include "policy/scope.h"
#include "testsupport.h"

#include <QFile>
#include <QTest>

#include <memory>

using namespace astra;

namespace {

constexpr quint32 modeRegular = 0100644;
constexpr quint32 modeExecutable = 0100755;
constexpr quint32 modeSymlink = 0120000;
constexpr quint32 modeGitlink = 0160000;

QByteArray utf8(const QString &text)
{
    return text.toUtf8();
}

PathChange added(const QByteArray &path, qint64 size = 10, quint32 mode = modeRegular)
{
    PathChange change;
    change.kind = PathChange::Kind::Add;
    change.path = path;
    change.newMode = mode;
    change.newSize = size;
    return change;
}

PathChange modified(const QByteArray &path, quint32 oldMode, quint32 newMode, qint64 size = 10)
{
    PathChange change;
    change.kind = PathChange::Kind::Modify;
    change.path = path;
    change.oldMode = oldMode;
    change.newMode = newMode;
    change.newSize = size;
    return change;
}

PathChange deleted(const QByteArray &path, quint32 oldMode = modeRegular)
{
    PathChange change;
    change.kind = PathChange::Kind::Delete;
    change.path = path;
    change.oldMode = oldMode;
    return change;
}

PathChange renamed(const QByteArray &from, const QByteArray &to, quint32 mode = modeRegular, qint64 size = 10)
{
    PathChange change;
    change.kind = PathChange::Kind::Rename;
    change.oldPath = from;
    change.path = to;
    change.oldMode = mode;
    change.newMode = mode;
    change.newSize = size;
    return change;
}

// "rule path", the form the expectations below are written in.
QString line(const QString &rule, const QByteArray &path)
{
    return path.isEmpty() ? rule : rule + u' ' + quotedPath(path);
}

QStringList describe(const QList<PolicyViolation> &violations)
{
    QStringList result;
    for (const PolicyViolation &violation : violations) {
        result.append(line(policyRuleName(violation.rule), violation.path));
    }
    return result;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

PathPolicy makePolicy(const QStringList &allowed = {}, const QStringList &forbidden = {}, PolicyLimits limits = {})
{
    PolicySection section;
    section.allowed = allowed;
    section.forbidden = forbidden;
    section.maxFileKb = 0; // the limits as given
    auto policy = PathPolicy::create(section, limits);
    if (!policy) {
        qFatal("%s", qPrintable(policy.message()));
    }
    return std::move(policy).value();
}

} // namespace

class TestPathPolicy : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::TempRepo> m_repo;

private Q_SLOTS:
    void initTestCase()
    {
        m_repo = std::make_unique<test::TempRepo>();
        QVERIFY(m_repo->isValid());
    }

    void ruleNames()
    {
        const QList<QPair<PolicyRule, QString>> names = {
            {PolicyRule::NotCanonical, QStringLiteral("not_canonical")},
            {PolicyRule::ForbiddenCharacter, QStringLiteral("forbidden_character")},
            {PolicyRule::NotUtf8Nfc, QStringLiteral("not_utf8_nfc")},
            {PolicyRule::GitDirectory, QStringLiteral("git_directory")},
            {PolicyRule::AlwaysForbidden, QStringLiteral("always_forbidden")},
            {PolicyRule::Forbidden, QStringLiteral("forbidden")},
            {PolicyRule::NotAllowed, QStringLiteral("not_allowed")},
            {PolicyRule::ThroughSymlink, QStringLiteral("through_symlink")},
            {PolicyRule::ThroughSubmodule, QStringLiteral("through_submodule")},
            {PolicyRule::NewSymlink, QStringLiteral("new_symlink")},
            {PolicyRule::NewSubmodule, QStringLiteral("new_submodule")},
            {PolicyRule::ModeChange, QStringLiteral("mode_change")},
            {PolicyRule::FileTooLarge, QStringLiteral("file_too_large")},
            {PolicyRule::TooManyFiles, QStringLiteral("too_many_files")},
            {PolicyRule::TooManyBytes, QStringLiteral("too_many_bytes")},
        };
        for (const auto &name : names) {
            QCOMPARE(policyRuleName(name.first), name.second);
        }
    }

    // Paths from git's own path CVEs and the other ways to spell a path that is not the
    // canonical one.
    void hostilePaths_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("rule");

        const QString gitDirectory = QStringLiteral("git_directory");
        const QString alwaysForbidden = QStringLiteral("always_forbidden");
        const QString notCanonical = QStringLiteral("not_canonical");
        const QString forbiddenCharacter = QStringLiteral("forbidden_character");
        const QString notUtf8Nfc = QStringLiteral("not_utf8_nfc");

        // CVE-2014-9390: .git in other case, with HFS-ignorable code points, as an 8.3 name,
        // with the trailing dots and spaces Windows drops.
        QTest::addRow("CVE-2014-9390 .Git") << QByteArray(".Git") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .GIT/config") << QByteArray(".GIT/config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .git/config") << QByteArray(".git/config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .g ZWNJ it/config") << utf8(QStringLiteral(".g\u200Cit/config")) << gitDirectory;
        QTest::addRow("CVE-2014-9390 .gi ZWJ t") << utf8(QStringLiteral(".gi\u200Dt")) << gitDirectory;
        QTest::addRow("CVE-2014-9390 .git U+206A/HEAD") << utf8(QStringLiteral(".git\u206A/HEAD")) << gitDirectory;
        QTest::addRow("CVE-2014-9390 BOM .git/config") << utf8(QStringLiteral("\uFEFF.git/config")) << gitDirectory;
        QTest::addRow("CVE-2014-9390 git~1/config") << QByteArray("git~1/config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 GIT~1/config") << QByteArray("GIT~1/config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .git./config") << QByteArray(".git./config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .git space/config") << QByteArray(".git /config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 .git. . ./config") << QByteArray(".git. . ./config") << gitDirectory;
        QTest::addRow("CVE-2014-9390 nested sub/.git/config") << QByteArray("sub/.git/config") << gitDirectory;
        QTest::addRow(".g dotless-i t") << utf8(QStringLiteral(".g\u0131t/config")) << gitDirectory;
        QTest::addRow(".git as the last component") << QByteArray("vendor/.GiT") << gitDirectory;

        // CVE-2018-11235: .gitmodules and its aliases, and submodule names with "..".
        QTest::addRow("CVE-2018-11235 .gitmodules") << QByteArray(".gitmodules") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 GITMOD~1") << QByteArray("GITMOD~1") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 gi7eba~1") << QByteArray("gi7eba~1") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 GI7EB~12") << QByteArray("GI7EB~12") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 .gitmodules space") << QByteArray(".gitmodules ") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 .gitmodules::$DATA") << QByteArray(".gitmodules::$DATA") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 sub/.GITMODULES") << QByteArray("sub/.GITMODULES") << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 .gitmodules ZWJ") << utf8(QStringLiteral(".gitmodules\u200D")) << alwaysForbidden;
        QTest::addRow("CVE-2018-11235 a/../.git/hooks/x") << QByteArray("a/../.git/hooks/x") << gitDirectory;
        QTest::addRow("CVE-2018-11235 ../x") << QByteArray("../x") << notCanonical;
        QTest::addRow("CVE-2018-11235 modules/../../x") << QByteArray("modules/../../x") << notCanonical;
        QTest::addRow(".gitattributes") << QByteArray("src/.gitattributes") << alwaysForbidden;
        QTest::addRow("GITATT~1") << QByteArray("GITATT~1") << alwaysForbidden;
        QTest::addRow("gi7d29~1") << QByteArray("gi7d29~1") << alwaysForbidden;
        QTest::addRow(".astra.toml") << QByteArray(".astra.toml") << alwaysForbidden;
        QTest::addRow("docs/.Astra.TOML") << QByteArray("docs/.Astra.TOML") << alwaysForbidden;
        QTest::addRow("ASTRA~1.TOM") << QByteArray("ASTRA~1.TOM") << alwaysForbidden;
        QTest::addRow("AS3F2A~5.TOM") << QByteArray("AS3F2A~5.TOM") << alwaysForbidden;

        // CVE-2019-1352: NTFS alternate data streams name the .git directory.
        QTest::addRow("CVE-2019-1352 .git::$INDEX_ALLOCATION/config")
            << QByteArray(".git::$INDEX_ALLOCATION/config") << gitDirectory;
        QTest::addRow("CVE-2019-1352 git~1::$INDEX_ALLOCATION")
            << QByteArray("git~1::$INDEX_ALLOCATION") << gitDirectory;
        QTest::addRow("NTFS stream a:b") << QByteArray("a:b") << forbiddenCharacter;

        // CVE-2019-1354: backslashes are separators on Windows.
        QTest::addRow("CVE-2019-1354 a\\b") << QByteArray("a\\b") << forbiddenCharacter;
        QTest::addRow("CVE-2019-1354 ..\\..\\x") << QByteArray("..\\..\\x") << forbiddenCharacter;
        QTest::addRow("CVE-2019-1354 a\\.git\\config") << QByteArray("a\\.git\\config") << gitDirectory;

        // Not canonical.
        QTest::addRow("empty") << QByteArray() << notCanonical;
        QTest::addRow("/abs/path") << QByteArray("/abs/path") << notCanonical;
        QTest::addRow("a//b") << QByteArray("a//b") << notCanonical;
        QTest::addRow("./a") << QByteArray("./a") << notCanonical;
        QTest::addRow("a/.") << QByteArray("a/.") << notCanonical;
        QTest::addRow("a/..") << QByteArray("a/..") << notCanonical;
        QTest::addRow("a/../b") << QByteArray("a/../b") << notCanonical;
        QTest::addRow("trailing /") << QByteArray("src/") << notCanonical;
        QTest::addRow("trailing dot") << QByteArray("src/a.") << notCanonical;
        QTest::addRow("trailing space") << QByteArray("src /a") << notCanonical;
        QTest::addRow("...") << QByteArray("...") << notCanonical;
        QTest::addRow("component of 256 bytes") << QByteArray("src/" + QByteArray(256, 'a')) << notCanonical;
        QTest::addRow("path of 4097 bytes") << QByteArray(2048, 'a').replace('a', "a/").append('b') << notCanonical;

        // Characters.
        QTest::addRow("a newline b") << QByteArray("a\nb") << forbiddenCharacter;
        QTest::addRow("tab") << QByteArray("a\tb") << forbiddenCharacter;
        QTest::addRow("NUL") << QByteArray("a\0b", 3) << forbiddenCharacter;
        QTest::addRow("DEL") << QByteArray("a\x7f") << forbiddenCharacter;
        QTest::addRow("C1 NEL") << QByteArray("a\xC2\x85") << forbiddenCharacter;
        QTest::addRow("U+202E RLO") << utf8(QStringLiteral("invoice\u202Efdp.exe")) << forbiddenCharacter;
        QTest::addRow("U+2066 LRI") << utf8(QStringLiteral("a\u2066b")) << forbiddenCharacter;
        QTest::addRow("U+200B ZWSP") << utf8(QStringLiteral("a\u200Bb")) << forbiddenCharacter;
        QTest::addRow("U+2060 WJ") << utf8(QStringLiteral("a\u2060b")) << forbiddenCharacter;
        QTest::addRow("U+FEFF BOM") << utf8(QStringLiteral("a\uFEFFb")) << forbiddenCharacter;
        QTest::addRow("U+00AD soft hyphen") << utf8(QStringLiteral("a\u00ADb")) << forbiddenCharacter;
        QTest::addRow("U+FE0F variation selector") << utf8(QStringLiteral("a\uFE0Fb")) << forbiddenCharacter;
        QTest::addRow("U+2028 line separator") << utf8(QStringLiteral("a\u2028b")) << forbiddenCharacter;
        QTest::addRow("U+E000 private use") << utf8(QStringLiteral("a\uE000b")) << forbiddenCharacter;
        QTest::addRow("U+FFFF noncharacter") << QByteArray("a\xEF\xBF\xBF") << forbiddenCharacter;
        QTest::addRow("U+E0041 tag") << QByteArray("a\xF3\xA0\x81\x81") << forbiddenCharacter;

        // Encoding.
        QTest::addRow("non-NFC e + U+0301") << utf8(QStringLiteral("docs/e\u0301.md")) << notUtf8Nfc;
        QTest::addRow("non-NFC Angstrom sign") << utf8(QStringLiteral("\u212B")) << notUtf8Nfc;
        QTest::addRow("invalid byte 0xFF") << QByteArray("a\xFF") << notUtf8Nfc;
        QTest::addRow("stray continuation byte") << QByteArray("a\x80") << notUtf8Nfc;
        QTest::addRow("truncated sequence") << QByteArray("a\xC3") << notUtf8Nfc;
        QTest::addRow("overlong dot C0 AE") << QByteArray("\xC0\xAE") << notUtf8Nfc;
        QTest::addRow("overlong dot-dot C0 AE C0 AE/x") << QByteArray("\xC0\xAE\xC0\xAE/x") << notUtf8Nfc;
        QTest::addRow("overlong slash E0 80 AF") << QByteArray("a\xE0\x80\xAF.git") << notUtf8Nfc;
        QTest::addRow("surrogate ED A0 80") << QByteArray("a\xED\xA0\x80") << notUtf8Nfc;
        QTest::addRow("above U+10FFFF") << QByteArray("a\xF4\x90\x80\x80") << notUtf8Nfc;
    }

    void hostilePaths()
    {
        QFETCH(QByteArray, path);
        QFETCH(QString, rule);
        const PathPolicy policy = makePolicy();
        const auto violation = policy.checkPath(path);
        QVERIFY2(violation.has_value(), qPrintable(quotedPath(path)));
        QCOMPARE(policyRuleName(violation->rule), rule);
        QCOMPARE(violation->path, path);
        QVERIFY2(violation->message.contains(quotedPath(path)), qPrintable(violation->message));
        QVERIFY2(violation->message.contains(rule), qPrintable(violation->message));

        // checkChanges refuses the same path, on either side of every kind of change.
        const QList<PathChange> changes = {added(path),
                                           deleted(path),
                                           renamed(path, "ok.txt"),
                                           renamed("ok.txt", path)};
        for (const PathChange &change : changes) {
            const QStringList found = describe(policy.checkChanges({change}, {}));
            QVERIFY2(found.contains(line(rule, path)), qPrintable(found.join(u'\n')));
        }
    }

    void acceptedPaths_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addRow("src/a.cpp") << QByteArray("src/a.cpp");
        QTest::addRow("tests/x.py") << QByteArray("tests/x.py");
        QTest::addRow("docs NFC unicode") << utf8(QStringLiteral("docs/\u00FCn\u00EFc\u00F6d\u00E9.md"));
        QTest::addRow("CJK") << utf8(QStringLiteral("\u540D\u524D/\u30D5\u30A1\u30A4\u30EB.txt"));
        QTest::addRow("Hangul syllable") << utf8(QStringLiteral("\uD55C.txt"));
        QTest::addRow("emoji") << utf8(QStringLiteral("notes/\U0001F600.md"));
        QTest::addRow("README") << QByteArray("README");
        QTest::addRow(".gitignore") << QByteArray(".gitignore");
        QTest::addRow(".github/workflows/ci.yml") << QByteArray(".github/workflows/ci.yml");
        QTest::addRow(".git-blame-ignore-revs") << QByteArray(".git-blame-ignore-revs");
        QTest::addRow(".gitmodules.bak") << QByteArray("docs/.gitmodules.bak");
        QTest::addRow("git") << QByteArray("git/README");
        QTest::addRow("git~2") << QByteArray("git~2/x");
        QTest::addRow("space inside") << QByteArray("my docs/a b.txt");
        QTest::addRow("leading dot") << QByteArray(".clang-format");
        QTest::addRow("astra.toml without dot") << QByteArray("examples/astra.toml");
        QTest::addRow("deep") << QByteArray("a/b/c/d/e/f/g.h");
        QTest::addRow("component of 255 bytes") << QByteArray("src/" + QByteArray(255, 'a'));
        QTest::addRow("path of 4096 bytes") << QByteArray(2047, 'a').replace('a', "a/").append("bc");
    }

    void acceptedPaths()
    {
        QFETCH(QByteArray, path);
        const PathPolicy policy = makePolicy();
        const auto violation = policy.checkPath(path);
        QVERIFY2(!violation.has_value(), violation ? qPrintable(violation->message) : "");
        QCOMPARE(describe(policy.checkChanges({added(path), modified(path, modeRegular, modeExecutable)}, {})),
                 QStringList());
    }

    void quotedPathEscapes_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("escapeNonAscii");
        QTest::addColumn<QString>("expected");
        QTest::addRow("plain") << QByteArray("src/a.cpp") << false << QStringLiteral("\"src/a.cpp\"");
        QTest::addRow("newline") << QByteArray("a\nb") << false << QStringLiteral("\"a\\nb\"");
        QTest::addRow("NUL") << QByteArray("a\0b", 3) << false << QStringLiteral("\"a\\x00b\"");
        QTest::addRow("quote and backslash") << QByteArray("a\"\\") << false << QStringLiteral("\"a\\\"\\\\\"");
        QTest::addRow("invalid byte") << QByteArray("a\xFF") << false << QStringLiteral("\"a\\xFF\"");
        QTest::addRow("RLO") << utf8(QStringLiteral("a\u202Eb")) << false << QStringLiteral("\"a\\u{202E}b\"");
        QTest::addRow("ZWNJ") << utf8(QStringLiteral(".g\u200Cit")) << false << QStringLiteral("\".g\\u{200C}it\"");
        QTest::addRow("no-break space") << utf8(QStringLiteral("a\u00A0b")) << false
                                        << QStringLiteral("\"a\\u{00A0}b\"");
        QTest::addRow("visible unicode") << utf8(QStringLiteral("\u00E9")) << false << QStringLiteral("\"\u00E9\"");
        QTest::addRow("escaped unicode") << utf8(QStringLiteral("e\u0301")) << true << QStringLiteral("\"e\\u{0301}\"");
        QTest::addRow("astral") << utf8(QStringLiteral("\U0001F600")) << true << QStringLiteral("\"\\u{1F600}\"");
    }

    void quotedPathEscapes()
    {
        QFETCH(QByteArray, path);
        QFETCH(bool, escapeNonAscii);
        QFETCH(QString, expected);
        QCOMPARE(quotedPath(path, escapeNonAscii), expected);
    }

    void quotedPathShortensLongPaths()
    {
        const QByteArray path = QByteArray(200, 'a') + '/' + QByteArray(200, 'b');
        const QString quoted = quotedPath(path);
        QVERIFY(quoted.size() < 320);
        QVERIFY(quoted.startsWith(QStringLiteral("\"aaaa")));
        QVERIFY(quoted.endsWith(QStringLiteral("bbbb\"")));
        QVERIFY(quoted.contains(QChar(0x2026)));
    }

    // PathGlobList against git itself: `git check-ignore --no-index -v -n` with the patterns in
    // the repository's .gitignore is the oracle, for the answer and for the deciding line.
    void globsAgainstGit_data()
    {
        QTest::addColumn<QStringList>("patterns");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("caseInsensitive");

        const auto row = [](const char *name, const QStringList &patterns, const QByteArray &path, bool ci = false) {
            QTest::addRow("%s", name) << patterns << path << ci;
        };
        const auto p = [](const char *pattern) {
            return QString::fromUtf8(pattern);
        };
        // Names at any depth, anchoring.
        row("*.txt matches at the root", {p("*.txt")}, "a.txt");
        row("*.txt matches at any depth", {p("*.txt")}, "dir/sub/a.txt");
        row("*.txt is not a prefix", {p("*.txt")}, "a.txt.bak");
        row("leading / anchors", {p("/a.txt")}, "a.txt");
        row("leading / anchors, not deeper", {p("/a.txt")}, "dir/a.txt");
        row("middle / anchors", {p("doc/*.txt")}, "doc/a.txt");
        row("middle / anchors, not deeper", {p("doc/*.txt")}, "x/doc/a.txt");
        row("* does not cross /", {p("doc/*.txt")}, "doc/sub/a.txt");
        row("*/b one level", {p("*/b")}, "a/b");
        row("*/b not two levels", {p("*/b")}, "x/a/b");
        // Directories.
        row("trailing / matches below", {p("build/")}, "build/out.o");
        row("trailing / not the file itself", {p("build/")}, "build");
        row("trailing / at any depth", {p("build/")}, "src/build/x.o");
        row("anchored trailing / only at root", {p("/build/")}, "src/build/x.o");
        row("name matches the file", {p("build")}, "build");
        row("name matches a parent directory", {p("build")}, "src/build/deep/x");
        row("path matches a parent directory", {p("a/b")}, "a/b/c");
        row("path with / matches no file of that name", {p("a/b/")}, "a/b");
        row("* matches the first directory", {p("*")}, "a/b/c");
        row("glob directory", {p("*.d/")}, "conf.d/x.conf");
        // "**".
        row("**/foo at the root", {p("**/foo")}, "foo");
        row("**/foo deeper", {p("**/foo")}, "a/b/foo");
        row("**/foo/bar", {p("**/foo/bar")}, "x/y/foo/bar");
        row("**/foo as a parent", {p("**/foo")}, "a/foo/bar");
        row("foo/** below", {p("foo/**")}, "foo/a/b");
        row("foo/** not foo itself", {p("foo/**")}, "foo");
        row("a/**/b zero directories", {p("a/**/b")}, "a/b");
        row("a/**/b two directories", {p("a/**/b")}, "a/x/y/b");
        row("a/**/b not a suffix", {p("a/**/b")}, "a/xb");
        row("src/**/*.c direct", {p("src/**/*.c")}, "src/b.c");
        row("src/**/*.c deep", {p("src/**/*.c")}, "src/a/b/c.c");
        row("** alone", {p("**")}, "a/b");
        row("**/ matches below any directory", {p("**/")}, "a/b");
        row("**/ not a root file", {p("**/")}, "a");
        row("a**b is a single star", {p("a**b")}, "a/x/b");
        row("foo**/bar after the literal prefix", {p("foo**/bar")}, "foo/bar");
        row("foo**/bar deeper", {p("foo**/bar")}, "foo/x/bar");
        // Negation: later patterns win, but a matched directory hides everything below.
        row("negation wins later", {p("*.log"), p("!keep.log")}, "keep.log");
        row("negation leaves others", {p("*.log"), p("!keep.log")}, "other.log");
        row("negation cannot re-include below a directory", {p("logs/"), p("!logs/keep.txt")}, "logs/keep.txt");
        row("negation of a file below logs/*", {p("logs/*"), p("!logs/keep.txt")}, "logs/keep.txt");
        row("negated directory, file below", {p("foo/*"), p("!foo/bar")}, "foo/bar/baz");
        row("negation alone", {p("!*.c")}, "a.c");
        row("** matches the directory first", {p("src/**"), p("!src/gen/**")}, "src/gen/x.c");
        row("negated directory and contents", {p("src/**"), p("!src/gen/"), p("!src/gen/**")}, "src/gen/x.c");
        row("re-match after negation", {p("*.c"), p("!*.c"), p("a.c")}, "a.c");
        // Wildcards and sets.
        row("? one character", {p("?at")}, "cat");
        row("? not zero characters", {p("?at")}, "at");
        row("? not /", {p("a?b")}, "a/b");
        row("* not /", {p("a*b")}, "a/b");
        row("range", {p("[a-c]at")}, "bat");
        row("range excludes", {p("[a-c]at")}, "dat");
        row("negated set !", {p("[!a-c]at")}, "dat");
        row("negated set ! excludes", {p("[!a-c]at")}, "bat");
        row("negated set ^", {p("[^a-c]at")}, "dat");
        row("set never matches /", {p("x[/]y")}, "x/y");
        row("] first in a set", {p("[]]x")}, "]x");
        row("- last in a set", {p("[a-]x")}, "-x");
        row("class digit", {p("[[:digit:]]x")}, "5x");
        row("class digit excludes", {p("[[:digit:]]x")}, "ax");
        row("class alpha", {p("[[:alpha:]_]*.c")}, "_x.c");
        // Escapes and spaces.
        row("escaped star", {p("\\*.txt")}, "*.txt");
        row("escaped star is literal", {p("\\*.txt")}, "a.txt");
        row("escaped !", {p("\\!important")}, "!important");
        row("escaped #", {p("\\#hash")}, "#hash");
        row("escaped trailing space", {p("foo\\ ")}, "foo ");
        row("trailing space trimmed", {p("foo  ")}, "foo");
        row("escaped ?", {p("a\\?")}, "a?");
        row("escaped ? is literal", {p("a\\?")}, "ab");
        // Case.
        row("case-sensitive", {p("*.c")}, "a.C");
        row("case-insensitive *.C", {p("*.C")}, "a.c", true);
        row("case-insensitive directory", {p("Build/")}, "build/x", true);
        row("case-insensitive range over upper text", {p("[a-c]AT")}, "BAT", true);
        row("case-insensitive range of upper letters", {p("[A-C]at")}, "bat", true);
        row("case-insensitive anchored path", {p("Docs/*.MD")}, "docs/readme.md", true);
        row("case-insensitive [:upper:]", {p("[[:upper:]]x")}, "ax", true);
        row("case-insensitive negation", {p("*.TXT"), p("!KEEP.txt")}, "keep.TXT", true);
    }

    void globsAgainstGit()
    {
        QFETCH(QStringList, patterns);
        QFETCH(QByteArray, path);
        QFETCH(bool, caseInsensitive);

        QFile ignore(m_repo->file(QStringLiteral(".gitignore")));
        QVERIFY(ignore.open(QIODevice::WriteOnly | QIODevice::Truncate));
        ignore.write(patterns.join(u'\n').toUtf8() + '\n');
        ignore.close();

        const test::Run run = test::runProgram(
            QStringLiteral("git"),
            {QStringLiteral("-c"),
             QStringLiteral("core.excludesFile=/dev/null"),
             QStringLiteral("-c"),
             caseInsensitive ? QStringLiteral("core.ignorecase=true") : QStringLiteral("core.ignorecase=false"),
             QStringLiteral("check-ignore"),
             QStringLiteral("--no-index"),
             QStringLiteral("-v"),
             QStringLiteral("-n"),
             QStringLiteral("--"),
             QString::fromUtf8(path)},
            m_repo->path());
        QVERIFY2(run.exitCode == 0 || run.exitCode == 1, qPrintable(run.err));
        // "SOURCE:LINE:PATTERN<TAB>PATH", with empty fields when nothing applies. The source is
        // .gitignore, so the first two colons end the source and the line number.
        const QString head = run.out.section(u'\t', 0, 0);
        const qsizetype firstColon = head.indexOf(u':');
        const qsizetype secondColon = head.indexOf(u':', firstColon + 1);
        QVERIFY2(run.out.contains(u'\t') && firstColon >= 0 && secondColon > firstColon, qPrintable(run.out));
        const QString lineField = head.mid(firstColon + 1, secondColon - firstColon - 1);
        const QString gitPattern = head.mid(secondColon + 1);
        const int gitLine = lineField.isEmpty() ? 0 : lineField.toInt();
        const bool gitMatches = !gitPattern.isEmpty() && !gitPattern.startsWith(u'!');

        auto list = PathGlobList::compile(patterns, caseInsensitive);
        QVERIFY2(list.ok(), qPrintable(list.message()));
        QCOMPARE(list->matches(path), gitMatches);
        const QString decided = list->matchingPattern(path);
        QCOMPARE(int(patterns.indexOf(decided) + 1), gitLine);
        QCOMPARE(list->matches(path), !decided.isEmpty() && !decided.startsWith(u'!'));
    }

    // Where the matcher departs from git on purpose: it counts characters, not bytes, and
    // folds case inside sets and escapes too.
    void globsBeyondGit_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("caseInsensitive");
        QTest::addColumn<bool>("matches");
        QTest::addRow("? is one character")
            << QStringLiteral("?.md") << utf8(QStringLiteral("\u00E9.md")) << false << true;
        QTest::addRow("set of non-ASCII")
            << QStringLiteral("[\u00E9\u00E8].md") << utf8(QStringLiteral("\u00E8.md")) << false << true;
        QTest::addRow("[A] folds") << QStringLiteral("[A]x") << QByteArray("ax") << true << true;
        QTest::addRow("escaped letter folds") << QStringLiteral("\\Ax") << QByteArray("ax") << true << true;
        QTest::addRow("Unicode case fold")
            << QStringLiteral("\u00C9t\u00E9/") << utf8(QStringLiteral("\u00E9T\u00C9/x")) << true << true;
        QTest::addRow("Kelvin sign folds to k")
            << QStringLiteral("kit") << utf8(QStringLiteral("\u212Ait")) << true << true;
        QTest::addRow("the empty path matches nothing") << QStringLiteral("*") << QByteArray() << false << false;
        QTest::addRow("no fold when case-sensitive")
            << QStringLiteral("kit") << utf8(QStringLiteral("\u212Ait")) << false << false;
    }

    void globsBeyondGit()
    {
        QFETCH(QString, pattern);
        QFETCH(QByteArray, path);
        QFETCH(bool, caseInsensitive);
        QFETCH(bool, matches);
        auto list = PathGlobList::compile({pattern}, caseInsensitive);
        QVERIFY2(list.ok(), qPrintable(list.message()));
        QCOMPARE(list->matches(path), matches);
    }

    void invalidPatterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addRow("empty") << QString();
        QTest::addRow("spaces") << QStringLiteral("   ");
        QTest::addRow("comment") << QStringLiteral("#notes");
        QTest::addRow("lone !") << QStringLiteral("!");
        QTest::addRow("lone /") << QStringLiteral("/");
        QTest::addRow("trailing backslash") << QStringLiteral("foo\\");
        QTest::addRow("unclosed [") << QStringLiteral("a[bc");
        QTest::addRow("unclosed [!") << QStringLiteral("[!");
        QTest::addRow("unknown class") << QStringLiteral("[[:nope:]]");
        QTest::addRow("NUL") << QString(QChar(0));
    }

    void invalidPatterns()
    {
        QFETCH(QString, pattern);
        auto list = PathGlobList::compile({QStringLiteral("ok/"), pattern});
        QVERIFY(!list.ok());
        QCOMPARE(list.error().kind, ErrorKind::Invalid);
        QVERIFY2(list.message().contains(u'"' + pattern + u'"'), qPrintable(list.message()));

        PolicySection section;
        section.forbidden = QStringList{pattern};
        auto policy = PathPolicy::create(section);
        QVERIFY(!policy.ok());
        QCOMPARE(policy.error().kind, ErrorKind::Invalid);
        QVERIFY2(policy.message().contains(QStringLiteral("policy.forbidden")), qPrintable(policy.message()));
    }

    void allowedAndForbidden_data()
    {
        QTest::addColumn<QStringList>("allowed");
        QTest::addColumn<QStringList>("forbidden");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("rule"); // empty: accepted

        const QStringList allowed = {QStringLiteral("src/"), QStringLiteral("tests/"), QStringLiteral("docs/")};
        const QStringList forbidden = {QStringLiteral("config/"), QStringLiteral(".env*"), QStringLiteral("*.pem")};
        const QString notAllowed = QStringLiteral("not_allowed");
        const QString isForbidden = QStringLiteral("forbidden");
        QTest::addRow("allowed folder") << allowed << forbidden << QByteArray("src/a.cpp") << QString();
        QTest::addRow("outside the allowed folders") << allowed << forbidden << QByteArray("build/a.o") << notAllowed;
        QTest::addRow("allowed is case-sensitive") << allowed << forbidden << QByteArray("SRC/a.cpp") << notAllowed;
        QTest::addRow("forbidden wins") << allowed << forbidden << QByteArray("src/config/x") << isForbidden;
        QTest::addRow("forbidden ignores case") << allowed << forbidden << QByteArray("src/Config/x") << isForbidden;
        QTest::addRow("forbidden glob") << allowed << forbidden << QByteArray("tests/.env.local") << isForbidden;
        QTest::addRow("forbidden glob ignores case")
            << allowed << forbidden << QByteArray("docs/KEY.PEM") << isForbidden;
        QTest::addRow("empty allowed allows all")
            << QStringList() << forbidden << QByteArray("anything/x") << QString();
        QTest::addRow("empty allowed, still forbidden")
            << QStringList() << forbidden << QByteArray(".env") << isForbidden;
        QTest::addRow("negated allowed") << QStringList{QStringLiteral("src/**"),
                                                        QStringLiteral("!src/gen/"),
                                                        QStringLiteral("!src/gen/**")}
                                         << QStringList() << QByteArray("src/gen/x.c") << notAllowed;
        QTest::addRow("negated allowed, directory still matched")
            << QStringList{QStringLiteral("src/**"), QStringLiteral("!src/gen/**")} << QStringList()
            << QByteArray("src/gen/x.c") << QString();
        QTest::addRow("always forbidden beats allowed")
            << QStringList{QStringLiteral("*")} << QStringList() << QByteArray(".gitattributes")
            << QStringLiteral("always_forbidden");
        QTest::addRow("decomposed forbidden pattern")
            << QStringList() << QStringList{QStringLiteral("caf\u0065\u0301/")}
            << utf8(QStringLiteral("caf\u00E9/menu.txt")) << isForbidden;
    }

    void allowedAndForbidden()
    {
        QFETCH(QStringList, allowed);
        QFETCH(QStringList, forbidden);
        QFETCH(QByteArray, path);
        QFETCH(QString, rule);
        const PathPolicy policy = makePolicy(allowed, forbidden);
        const auto violation = policy.checkPath(path);
        if (rule.isEmpty()) {
            QVERIFY2(!violation, violation ? qPrintable(violation->message) : "");
            return;
        }
        QVERIFY(violation);
        QCOMPARE(policyRuleName(violation->rule), rule);
        QVERIFY2(violation->message.contains(quotedPath(path)), qPrintable(violation->message));
        if (violation->rule == PolicyRule::Forbidden) {
            QVERIFY2(violation->message.contains(QStringLiteral("policy.forbidden")), qPrintable(violation->message));
        }
        if (violation->rule == PolicyRule::NotAllowed) {
            QVERIFY2(violation->message.contains(QStringLiteral("policy.allowed")), qPrintable(violation->message));
        }
    }

    // Change sets from the symlink and submodule CVEs: a case-insensitive checkout resolves a
    // path through a link of another case.
    void hostileChanges_data()
    {
        QTest::addColumn<QByteArrayList>("symlinks");
        QTest::addColumn<QByteArrayList>("submodules");
        QTest::addColumn<QList<PathChange>>("changes");
        QTest::addColumn<QStringList>("expected");

        const QString throughSymlink = QStringLiteral("through_symlink");
        const QString throughSubmodule = QStringLiteral("through_submodule");

        QTest::addRow("CVE-2021-21300 A/post-checkout through symlink a")
            << QByteArrayList{"a"} << QByteArrayList() << QList<PathChange>{added("A/post-checkout")}
            << QStringList{line(throughSymlink, "A/post-checkout")};
        QTest::addRow("CVE-2021-21300 with an HFS ignorable")
            << QByteArrayList{"a"} << QByteArrayList() << QList<PathChange>{added(utf8(QStringLiteral("a\u200C/x")))}
            << QStringList{line(throughSymlink, utf8(QStringLiteral("a\u200C/x"))),
                           line(QStringLiteral("forbidden_character"), utf8(QStringLiteral("a\u200C/x")))};
        QTest::addRow("CVE-2021-21300 trailing dot")
            << QByteArrayList{"hooks"} << QByteArrayList() << QList<PathChange>{added("Hooks./x")}
            << QStringList{line(throughSymlink, "Hooks./x"), line(QStringLiteral("not_canonical"), "Hooks./x")};
        QTest::addRow("through a symlink, then ..")
            << QByteArrayList{"a"} << QByteArrayList() << QList<PathChange>{added("A/../b")}
            << QStringList{line(throughSymlink, "A/../b"), line(QStringLiteral("not_canonical"), "A/../b")};
        QTest::addRow(".. back into a symlink")
            << QByteArrayList{"a"} << QByteArrayList() << QList<PathChange>{added("x/../A/y")}
            << QStringList{line(throughSymlink, "x/../A/y"), line(QStringLiteral("not_canonical"), "x/../A/y")};
        QTest::addRow("CVE-2021-21300 decomposed name")
            << QByteArrayList{utf8(QStringLiteral("caf\u00E9"))} << QByteArrayList()
            << QList<PathChange>{added(utf8(QStringLiteral("CAFE\u0301/x")))}
            << QStringList{line(throughSymlink, utf8(QStringLiteral("CAFE\u0301/x"))),
                           line(QStringLiteral("not_utf8_nfc"), utf8(QStringLiteral("CAFE\u0301/x")))};
        QTest::addRow("CVE-2023-23946 new symlink and a write through it")
            << QByteArrayList() << QByteArrayList()
            << QList<PathChange>{added("link", 12, modeSymlink), added("link/x")}
            << QStringList{line(QStringLiteral("new_symlink"), "link"), line(throughSymlink, "link/x")};
        QTest::addRow("CVE-2023-23946 other case of a new symlink")
            << QByteArrayList() << QByteArrayList()
            << QList<PathChange>{added("x/LINK/y"), added("x/link", 3, modeSymlink)}
            << QStringList{line(QStringLiteral("new_symlink"), "x/link"), line(throughSymlink, "x/LINK/y")};
        QTest::addRow("CVE-2023-23946 through an existing symlink")
            << QByteArrayList{"docs/link"} << QByteArrayList() << QList<PathChange>{added("docs/link/x")}
            << QStringList{line(throughSymlink, "docs/link/x")};
        QTest::addRow("a file and a new symlink differing in case")
            << QByteArrayList() << QByteArrayList() << QList<PathChange>{added("X", 3, modeSymlink), added("x")}
            << QStringList{line(QStringLiteral("new_symlink"), "X"), line(throughSymlink, "x")};
        QTest::addRow("retargeting a symlink") << QByteArrayList{"link"} << QByteArrayList()
                                               << QList<PathChange>{modified("link", modeSymlink, modeSymlink)}
                                               << QStringList{line(throughSymlink, "link")};
        QTest::addRow("deleting a symlink")
            << QByteArrayList{"link"} << QByteArrayList() << QList<PathChange>{deleted("link", modeSymlink)}
            << QStringList{line(throughSymlink, "link")};
        QTest::addRow("renaming a symlink")
            << QByteArrayList{"l"} << QByteArrayList() << QList<PathChange>{renamed("l", "m", modeSymlink)}
            << QStringList{line(throughSymlink, "l"), line(QStringLiteral("new_symlink"), "m")};
        QTest::addRow("CVE-2024-32002 SUB/x into submodule sub")
            << QByteArrayList() << QByteArrayList{"sub"} << QList<PathChange>{added("SUB/x")}
            << QStringList{line(throughSubmodule, "SUB/x")};
        QTest::addRow("CVE-2024-32002 sub/.git")
            << QByteArrayList() << QByteArrayList{"sub"} << QList<PathChange>{added("sub/.git")}
            << QStringList{line(throughSubmodule, "sub/.git"), line(QStringLiteral("git_directory"), "sub/.git")};
        QTest::addRow("CVE-2024-32002 hooks through a symlinked submodule path")
            << QByteArrayList{"a"} << QByteArrayList{"A/modules/x"}
            << QList<PathChange>{added("A/modules/x/hooks/post-checkout")}
            << QStringList{line(throughSymlink, "A/modules/x/hooks/post-checkout"),
                           line(throughSubmodule, "A/modules/x/hooks/post-checkout")};
        QTest::addRow("deleting a submodule")
            << QByteArrayList() << QByteArrayList{"sub"} << QList<PathChange>{deleted("sub", modeGitlink)}
            << QStringList{line(throughSubmodule, "sub")};
        QTest::addRow("rename into .git")
            << QByteArrayList() << QByteArrayList() << QList<PathChange>{renamed("src/a", ".git/hooks/pre-commit")}
            << QStringList{line(QStringLiteral("git_directory"), ".git/hooks/pre-commit")};
        QTest::addRow("rename out of .gitattributes")
            << QByteArrayList() << QByteArrayList() << QList<PathChange>{renamed(".gitattributes", "attributes.txt")}
            << QStringList{line(QStringLiteral("always_forbidden"), ".gitattributes")};
        QTest::addRow("deleting .gitmodules")
            << QByteArrayList() << QByteArrayList() << QList<PathChange>{deleted(".gitmodules")}
            << QStringList{line(QStringLiteral("always_forbidden"), ".gitmodules")};
        QTest::addRow("unrelated paths pass")
            << QByteArrayList{"link"} << QByteArrayList{"sub"}
            << QList<PathChange>{added("linked/x"), added("subway/y")} << QStringList();
    }

    void hostileChanges()
    {
        QFETCH(QByteArrayList, symlinks);
        QFETCH(QByteArrayList, submodules);
        QFETCH(QList<PathChange>, changes);
        QFETCH(QStringList, expected);
        BaseTreeFacts base;
        for (const QByteArray &path : std::as_const(symlinks)) {
            base.symlinks.insert(path);
        }
        for (const QByteArray &path : std::as_const(submodules)) {
            base.submodules.insert(path);
        }
        const QList<PolicyViolation> violations = makePolicy().checkChanges(changes, base);
        QCOMPARE(sorted(describe(violations)), sorted(expected));
        for (const PolicyViolation &violation : violations) {
            QVERIFY2(violation.message.contains(quotedPath(violation.path)), qPrintable(violation.message));
            QVERIFY2(violation.message.contains(policyRuleName(violation.rule)), qPrintable(violation.message));
        }
    }

    void limits_data()
    {
        QTest::addColumn<int>("maxFileKb");
        QTest::addColumn<int>("maxFiles");
        QTest::addColumn<qint64>("maxTotalBytes");
        QTest::addColumn<QList<PathChange>>("changes");
        QTest::addColumn<QStringList>("expected");

        const qint64 total = 1 << 20;
        QTest::addRow("file at the limit") << 1 << 10 << total << QList<PathChange>{added("a", 1024)} << QStringList();
        QTest::addRow("file too large") << 1 << 10 << total << QList<PathChange>{added("a", 1025)}
                                        << QStringList{line(QStringLiteral("file_too_large"), "a")};
        QTest::addRow("modified file too large")
            << 1 << 10 << total << QList<PathChange>{modified("a", modeRegular, modeRegular, 4096)}
            << QStringList{line(QStringLiteral("file_too_large"), "a")};
        QTest::addRow("deleting a large file") << 1 << 10 << total << QList<PathChange>{deleted("a")} << QStringList();
        QTest::addRow("files at the limit")
            << 100 << 2 << total << QList<PathChange>{added("a"), added("b")} << QStringList();
        QTest::addRow("too many files") << 100 << 2 << total
                                        << QList<PathChange>{added("a"), deleted("b"), renamed("c", "d")}
                                        << QStringList{QStringLiteral("too_many_files")};
        QTest::addRow("bytes at the limit")
            << 100 << 10 << qint64(100) << QList<PathChange>{added("a", 50), added("b", 50)} << QStringList();
        QTest::addRow("too many bytes") << 100 << 10 << qint64(100) << QList<PathChange>{added("a", 60), added("b", 60)}
                                        << QStringList{QStringLiteral("too_many_bytes")};
        QTest::addRow("deletions add no bytes")
            << 100 << 10 << qint64(100) << QList<PathChange>{added("a", 60), deleted("b")} << QStringList();
        QTest::addRow("executable bit") << 100 << 10 << total
                                        << QList<PathChange>{modified("run.sh", modeRegular, modeExecutable)}
                                        << QStringList();
        QTest::addRow("file to symlink") << 100 << 10 << total
                                         << QList<PathChange>{modified("run.sh", modeRegular, modeSymlink)}
                                         << QStringList{line(QStringLiteral("new_symlink"), "run.sh"),
                                                        line(QStringLiteral("mode_change"), "run.sh")};
        QTest::addRow("symlink to file") << 100 << 10 << total
                                         << QList<PathChange>{modified("link", modeSymlink, modeRegular)}
                                         << QStringList{line(QStringLiteral("through_symlink"), "link"),
                                                        line(QStringLiteral("mode_change"), "link")};
        QTest::addRow("gitlink to file") << 100 << 10 << total
                                         << QList<PathChange>{modified("lib", modeGitlink, modeRegular)}
                                         << QStringList{line(QStringLiteral("through_submodule"), "lib"),
                                                        line(QStringLiteral("mode_change"), "lib")};
        QTest::addRow("file to gitlink") << 100 << 10 << total
                                         << QList<PathChange>{modified("lib", modeRegular, modeGitlink)}
                                         << QStringList{line(QStringLiteral("new_submodule"), "lib"),
                                                        line(QStringLiteral("mode_change"), "lib")};
        QTest::addRow("new symlink") << 100 << 10 << total << QList<PathChange>{added("link", 5, modeSymlink)}
                                     << QStringList{line(QStringLiteral("new_symlink"), "link")};
        QTest::addRow("new gitlink") << 100 << 10 << total << QList<PathChange>{added("vendor/lib", 0, modeGitlink)}
                                     << QStringList{line(QStringLiteral("new_submodule"), "vendor/lib")};
        QTest::addRow("tree mode") << 100 << 10 << total << QList<PathChange>{added("dir", 0, 040000)}
                                   << QStringList{line(QStringLiteral("mode_change"), "dir")};
        QTest::addRow("group-writable mode") << 100 << 10 << total << QList<PathChange>{added("a", 1, 0100664)}
                                             << QStringList{line(QStringLiteral("mode_change"), "a")};
    }

    void limits()
    {
        QFETCH(int, maxFileKb);
        QFETCH(int, maxFiles);
        QFETCH(qint64, maxTotalBytes);
        QFETCH(QList<PathChange>, changes);
        QFETCH(QStringList, expected);
        PolicySection section;
        section.maxFileKb = maxFileKb;
        PolicyLimits limits;
        limits.maxFiles = maxFiles;
        limits.maxTotalBytes = maxTotalBytes;
        auto policy = PathPolicy::create(section, limits);
        QVERIFY(policy.ok());
        QCOMPARE(policy->limits().maxFileBytes, qint64(maxFileKb) * 1024);
        const QList<PolicyViolation> violations = policy->checkChanges(changes, {});
        QCOMPARE(sorted(describe(violations)), sorted(expected));
        for (const PolicyViolation &violation : violations) {
            QVERIFY2(violation.message.contains(policyRuleName(violation.rule)), qPrintable(violation.message));
        }
    }

    void limitsWithoutMaxFileKb()
    {
        PolicySection section;
        section.maxFileKb = 0;
        PolicyLimits limits;
        limits.maxFileBytes = 10;
        auto policy = PathPolicy::create(section, limits);
        QVERIFY(policy.ok());
        QCOMPARE(policy->limits().maxFileBytes, qint64(10));
        QCOMPARE(describe(policy->checkChanges({added("a", 11)}, {})),
                 QStringList{line(QStringLiteral("file_too_large"), "a")});

        auto defaults = PathPolicy::create(PolicySection());
        QVERIFY(defaults.ok());
        QCOMPARE(defaults->limits().maxFileBytes, qint64(100 * 1024));
        QCOMPARE(defaults->limits().maxFiles, 200);
        QCOMPARE(defaults->limits().maxTotalBytes, qint64(5 * 1024 * 1024));
    }

    // One change set breaking many rules gets every violation, in change order, and the
    // rules about the whole set last.
    void everyViolationReported()
    {
        PolicyLimits limits;
        limits.maxFiles = 6;
        limits.maxTotalBytes = 300 * 1024;
        PolicySection section;
        section.allowed = QStringList{QStringLiteral("src/"), QStringLiteral("docs/")};
        section.forbidden = QStringList{QStringLiteral("src/secret/")};
        section.maxFileKb = 200;
        auto policy = PathPolicy::create(section, limits);
        QVERIFY(policy.ok());
        BaseTreeFacts base;
        base.symlinks.insert("src/hooks");
        base.submodules.insert("docs/theme");

        const QList<PathChange> changes = {
            added("src/ok.cpp"),
            added(".git/config"),
            added("src/secret/key.pem"),
            added("build/out.o"),
            added("src/big.bin", 250 * 1024),
            added("src/mid.bin", 150 * 1024),
            added("src/HOOKS/post-checkout"),
            added("src/link", 8, modeSymlink),
            modified("docs/theme", modeGitlink, modeGitlink),
            added("src/a\nb"),
        };
        const QStringList expected = {
            line(QStringLiteral("git_directory"), ".git/config"),
            line(QStringLiteral("forbidden"), "src/secret/key.pem"),
            line(QStringLiteral("not_allowed"), "build/out.o"),
            line(QStringLiteral("file_too_large"), "src/big.bin"),
            line(QStringLiteral("through_symlink"), "src/HOOKS/post-checkout"),
            line(QStringLiteral("new_symlink"), "src/link"),
            line(QStringLiteral("through_submodule"), "docs/theme"),
            line(QStringLiteral("forbidden_character"), "src/a\nb"),
            QStringLiteral("too_many_files"),
            QStringLiteral("too_many_bytes"),
        };
        const QList<PolicyViolation> violations = policy->checkChanges(changes, base);
        QCOMPARE(describe(violations), expected);
        QVERIFY(violations.constLast().message.contains(QString::number(300 * 1024)));
        QVERIFY(violations.at(violations.size() - 2).message.contains(QStringLiteral("10 file")));
    }

    // A scope names files and folders: a file is in it when named or under a named folder, never
    // by a shared prefix of names.
    void scopeNamesFilesAndFolders_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("inside");
        QTest::newRow("named") << QStringLiteral("src/parser.cpp") << true;
        QTest::newRow("longer name") << QStringLiteral("src/parser.cpp.orig") << false;
        QTest::newRow("under a folder") << QStringLiteral("lib/core/io.c") << true;
        QTest::newRow("under a folder with /") << QStringLiteral("docs/api/index.md") << true;
        QTest::newRow("sibling of the folder") << QStringLiteral("lib/corelib.c") << false;
        QTest::newRow("the file as a folder") << QStringLiteral("src/parser.cpp/x") << true;
        QTest::newRow("elsewhere") << QStringLiteral("src/lexer.cpp") << false;
        QTest::newRow("case differs") << QStringLiteral("SRC/parser.cpp") << false;
    }
    void scopeNamesFilesAndFolders()
    {
        QFETCH(QString, path);
        QFETCH(bool, inside);
        ModificationScope scope;
        scope.state = ModificationScope::State::Stated;
        scope.add(QStringLiteral("src/parser.cpp"), QStringLiteral("goal"));
        scope.add(QStringLiteral("lib/core"), QStringLiteral("import"));
        scope.add(QStringLiteral("docs/api/"), QStringLiteral("comment"));
        scope.add(QStringLiteral("src/parser.cpp"), QStringLiteral("plan")); // named once
        QCOMPARE(scope.entries.size(), 3);
        QCOMPARE(scope.contains(path), inside);
    }

    // checkScope: the files beyond a stated scope are flagged with their lines (a rename is in
    // scope by its old path); "refuse" refuses each of them; max_changed_lines counts every file.
    void scopeFlagsAndRefuses()
    {
        const auto file = [](const char *path, int additions, int deletions, const char *oldPath = "") {
            ModificationFile made;
            made.path = QString::fromUtf8(path);
            made.oldPath = QString::fromUtf8(oldPath);
            made.additions = additions;
            made.deletions = deletions;
            return made;
        };
        const QList<ModificationFile> files{file("src/parser.cpp", 3, 1),
                                            file("src/new_name.cpp", 2, 0, "src/old_name.cpp"),
                                            file("src/util.cpp", 10, 4),
                                            file("README.md", 1, 0)};
        ModificationScope scope;
        scope.state = ModificationScope::State::Stated;
        scope.add(QStringLiteral("src/parser.cpp"), QStringLiteral("goal"));
        scope.add(QStringLiteral("src/old_name.cpp"), QStringLiteral("goal"));
        PolicySection policy;

        QList<ModificationFile> flagged = files;
        QStringList flags{QStringLiteral("auto_run_file:CMakeLists.txt"), QStringLiteral("beyond_scope:stale.cpp")};
        QVERIFY(checkScope(scope, flagged, flags, policy, QStringLiteral("main:.astra.toml")).isEmpty());
        QCOMPARE(scope.beyondFiles, (QStringList{QStringLiteral("src/util.cpp"), QStringLiteral("README.md")}));
        QCOMPARE(scope.beyondLines, 15);
        QCOMPARE(scope.changedLines, 21);
        QCOMPARE(flags,
                 (QStringList{QStringLiteral("auto_run_file:CMakeLists.txt"),
                              QStringLiteral("beyond_scope:src/util.cpp"),
                              QStringLiteral("beyond_scope:README.md")}));
        QCOMPARE(flagged.at(2).flags, QStringList{QStringLiteral("beyond_scope")});
        QVERIFY(flagged.at(1).flags.isEmpty());

        policy.scope = PolicySection::Scope::Refuse;
        QList<ModificationFile> refusedFiles = files;
        QStringList refusedFlags;
        const QList<PolicyViolation> refused =
            checkScope(scope, refusedFiles, refusedFlags, policy, QStringLiteral("main:.astra.toml"));
        QCOMPARE(refused.size(), 2);
        QCOMPARE(refused.first().rule, PolicyRule::BeyondScope);
        QCOMPARE(refused.first().path, QByteArray("src/util.cpp"));
        QVERIFY2(refused.first().message.contains(QStringLiteral("main:.astra.toml"))
                     && refused.first().message.contains(QStringLiteral("scope = \"flag\""))
                     && refused.first().message.contains(QStringLiteral("src/parser.cpp, src/old_name.cpp")),
                 qPrintable(refused.first().message));

        // The line limit: at it nothing is refused, one over it is.
        policy.scope = PolicySection::Scope::Flag;
        policy.maxChangedLines = 21;
        QList<ModificationFile> sized = files;
        QVERIFY(checkScope(scope, sized, refusedFlags, policy, QString()).isEmpty());
        policy.maxChangedLines = 20;
        const QList<PolicyViolation> tooLong = checkScope(scope, sized, refusedFlags, policy, QString());
        QCOMPARE(tooLong.size(), 1);
        QCOMPARE(tooLong.first().rule, PolicyRule::TooManyChangedLines);
        QCOMPARE(policyRuleName(tooLong.first().rule), QStringLiteral("too_many_changed_lines"));

        // No stated scope: nothing is beyond it; an import says so with its flag.
        ModificationScope none;
        none.state = ModificationScope::State::NoFiles;
        policy = PolicySection();
        policy.scope = PolicySection::Scope::Refuse;
        QList<ModificationFile> unflagged = files;
        QStringList noFlags;
        QVERIFY(checkScope(none, unflagged, noFlags, policy, QString()).isEmpty());
        QVERIFY(noFlags.isEmpty() && none.beyondFiles.isEmpty());
        none.state = ModificationScope::State::Unstated;
        QVERIFY(checkScope(none, unflagged, noFlags, policy, QString()).isEmpty());
        QCOMPARE(noFlags, QStringList{QStringLiteral("no_stated_scope")});
    }
};

QTEST_GUILESS_MAIN(TestPathPolicy)

#include "tst_pathpolicy.moc"
