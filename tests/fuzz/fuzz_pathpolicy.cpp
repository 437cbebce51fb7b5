// Fuzz target for the path policy and its glob matcher.
//
// Input: one flags byte, then fields separated by 0xFF (a byte valid UTF-8 never contains):
//   path 0xFF patterns 0xFF base-symlinks 0xFF more-paths 0xFF base-submodules
// where patterns, base-symlinks, more-paths and base-submodules are '\n'-separated lists.
// Flags: bit 0 compiles the patterns case-insensitively; bit 1 turns the second, fifth, ...
// change into a deletion; bit 2 makes the second change a new symlink; bit 3 gives the
// changes growing sizes (against a 500-byte file limit and a 1000-byte total).
//
// The invariants are checked against independent re-implementations of git's own checks
// (path.c is_ntfs_dotgit / is_ntfs_dot_generic, utf8.c is_hfs_dot_generic), not against the
// policy's code. A broken invariant prints the input in hex and aborts.

#include "policy/pathglob.h"
#include "policy/pathpolicy.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace astra;

namespace {

QByteArray g_input;

[[noreturn]] void fail(const char *invariant, const QByteArray &path, const QString &detail = QString())
{
    std::fprintf(stderr,
                 "fuzz_pathpolicy: invariant broken: %s\n  path (hex): %s\n  detail: %s\n  input (hex): %s\n",
                 invariant,
                 path.toHex().constData(),
                 detail.toUtf8().constData(),
                 g_input.toHex().constData());
    std::abort();
}

void check(bool condition, const char *invariant, const QByteArray &path, const QString &detail = QString())
{
    if (!condition) {
        fail(invariant, path, detail);
    }
}

// The bytes as UTF-8 text, NUL included (Qt 5's fromUtf8(QByteArray) stops at the first NUL).
QString text(const QByteArray &bytes)
{
    return QString::fromUtf8(bytes.constData(), int(bytes.size()));
}

// git's next_hfs_char: the code points HFS+ ignores.
bool isHfsIgnorable(uint c)
{
    switch (c) {
    case 0x200c:
    case 0x200d:
    case 0x200e:
    case 0x200f:
    case 0x202a:
    case 0x202b:
    case 0x202c:
    case 0x202d:
    case 0x202e:
    case 0x206a:
    case 0x206b:
    case 0x206c:
    case 0x206d:
    case 0x206e:
    case 0x206f:
    case 0xfeff:
        return true;
    default:
        return false;
    }
}

// The bidi-control and zero-width code points the design refuses outright.
bool isRefusedInvisible(uint c)
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064)
        || (c >= 0x2066 && c <= 0x206F) || c == 0xFEFF || isHfsIgnorable(c);
}

uint asciiLower(uint c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// QByteArray::toLower() and toUpper() also fold Latin-1 bytes in Qt 5; these stay ASCII.
QByteArray asciiLower(const QByteArray &bytes)
{
    QByteArray result = bytes;
    for (char &c : result) {
        c = char(asciiLower(uchar(c)));
    }
    return result;
}

QByteArray asciiUpper(const QByteArray &bytes)
{
    QByteArray result = bytes;
    for (char &c : result) {
        if (c >= 'a' && c <= 'z') {
            c = char(c - ('a' - 'A'));
        }
    }
    return result;
}

// git's is_hfs_dot_generic: ".name" once the ignorable code points are dropped and ASCII is
// folded to lower case.
bool isHfsDotGeneric(const QString &component, const char *name)
{
    QByteArray folded;
    for (const uint c : component.toUcs4()) {
        if (isHfsIgnorable(c)) {
            continue;
        }
        if (c >= 0x80) {
            return false;
        }
        folded.append(char(asciiLower(c)));
    }
    return folded == QByteArray(".") + name;
}

bool onlySpacesAndPeriods(const QByteArray &name, int from)
{
    for (int i = from; i < name.size(); ++i) {
        const char c = name.at(i);
        if (c == ':' || c == '\\' || c == '/') {
            return true;
        }
        if (c != ' ' && c != '.') {
            return false;
        }
    }
    return true;
}

// git's is_ntfs_dotgit.
bool isNtfsDotGit(const QByteArray &name)
{
    const QByteArray lower = asciiLower(name);
    if (lower.startsWith(".git")) {
        return onlySpacesAndPeriods(lower, 4);
    }
    if (lower.startsWith("git~1")) {
        return onlySpacesAndPeriods(lower, 5);
    }
    return false;
}

// git's is_ntfs_dot_generic.
bool isNtfsDotGeneric(const QByteArray &name, const char *dotName, const char *shortPrefix)
{
    const QByteArray lower = asciiLower(name);
    const QByteArray longName = QByteArray(".") + dotName;
    if (lower.startsWith(longName)) {
        return onlySpacesAndPeriods(lower, int(longName.size()));
    }
    if (lower.size() >= 8 && lower.left(6) == QByteArray(dotName).left(6) && lower.at(6) == '~' && lower.at(7) >= '1'
        && lower.at(7) <= '4') {
        return onlySpacesAndPeriods(lower, 8);
    }
    bool sawTilde = false;
    for (int i = 0; i < 8; ++i) {
        if (i >= name.size()) {
            return false;
        }
        const char c = name.at(i);
        if (sawTilde) {
            if (c < '0' || c > '9') {
                return false;
            }
        } else if (c == '~') {
            ++i;
            if (i >= name.size() || name.at(i) < '1' || name.at(i) > '9') {
                return false;
            }
            sawTilde = true;
        } else if (i >= 6 || (uchar(c) & 0x80) || asciiLower(uchar(c)) != uchar(shortPrefix[i])) {
            return false;
        }
    }
    return onlySpacesAndPeriods(name, 8);
}

// A path in ASCII lower case, without git's HFS ignorables.
QString simpleKey(const QByteArray &path)
{
    QString key;
    for (const uint c : text(path).toUcs4()) {
        if (!isHfsIgnorable(c)) {
            const char32_t lower = char32_t(asciiLower(c));
            key.append(QString::fromUcs4(&lower, 1));
        }
    }
    return key;
}

QString escapedForGlob(const QByteArray &path)
{
    QString pattern = QStringLiteral("/");
    for (const QChar c : text(path)) {
        if (c == u'*' || c == u'?' || c == u'[' || c == u'\\') {
            pattern += u'\\';
        }
        pattern += c;
    }
    return pattern;
}

// Everything an accepted path must be, checked without the policy's own helpers.
void checkCanonical(const QByteArray &path)
{
    check(!path.isEmpty() && path.size() <= 4096, "accepted path is not empty and at most 4096 bytes", path);
    const QString decoded = text(path);
    check(decoded.toUtf8() == path, "accepted path is valid UTF-8", path);
    check(decoded.normalized(QString::NormalizationForm_C) == decoded, "accepted path is NFC", path);
    const QList<QByteArray> parts = path.split('/');
    check(parts.join('/') == path, "accepted path re-joins to the same bytes", path);
    for (const char byte : path) {
        const uchar b = uchar(byte);
        check(b >= 0x20 && b != 0x7F && b != '\\' && b != ':', "accepted path has no control, \\ or :", path);
    }
    for (const uint c : decoded.toUcs4()) {
        check(!(c >= 0x80 && c <= 0x9F), "accepted path has no C1 control", path);
        check(!isRefusedInvisible(c),
              "accepted path has no bidi-control, zero-width or HFS-ignorable code point",
              path);
        check(!(c >= 0xD800 && c <= 0xDFFF) && c <= 0x10FFFF, "accepted path has only scalar values", path);
    }
    for (const QByteArray &part : parts) {
        check(!part.isEmpty() && part != "." && part != "..", "accepted path has no empty, . or .. component", path);
        check(part.size() <= 255, "accepted component is at most 255 bytes", path);
        check(!part.endsWith('.') && !part.endsWith(' '), "accepted component ends in neither dot nor space", path);
        const QString component = text(part);
        check(!isHfsDotGeneric(component, "git") && !isNtfsDotGit(part), "accepted component is not .git", path);
        check(asciiLower(part) != ".git", "accepted component is not .git in any case", path);
        check(!isHfsDotGeneric(component, "gitmodules") && !isNtfsDotGeneric(part, "gitmodules", "gi7eba"),
              "accepted component is not .gitmodules",
              path);
        check(!isHfsDotGeneric(component, "gitattributes") && !isNtfsDotGeneric(part, "gitattributes", "gi7d29"),
              "accepted component is not .gitattributes",
              path);
        check(!isHfsDotGeneric(component, "astra.toml"), "accepted component is not .astra.toml", path);
    }
}

void checkGlobs(const QByteArray &path, const QStringList &patterns, bool caseInsensitive)
{
    auto list = PathGlobList::compile(patterns, caseInsensitive);
    if (!list) {
        check(list.error().kind == ErrorKind::Invalid, "an invalid pattern is ErrorKind::Invalid", path);
        return;
    }
    const bool matched = list->matches(path);
    const QString decided = list->matchingPattern(path);
    check(matched == (!decided.isEmpty() && !decided.startsWith(u'!')),
          "matches() agrees with matchingPattern()",
          path,
          decided);
    check(decided.isEmpty() || patterns.contains(decided), "matchingPattern() is one of the patterns", path, decided);
    check(list->matches(path) == matched, "matching is deterministic", path);

    bool anyNegation = false;
    bool anyNegatedSet = false; // "[!x]" matches "X" only when case matters
    for (const QString &pattern : patterns) {
        anyNegation = anyNegation || pattern.startsWith(u'!');
        anyNegatedSet =
            anyNegatedSet || pattern.contains(QStringLiteral("[!")) || pattern.contains(QStringLiteral("[^"));
    }
    if (!anyNegation && !anyNegatedSet && !caseInsensitive && matched) {
        auto folded = PathGlobList::compile(patterns, true);
        check(folded.ok(), "a valid list is valid case-insensitively", path);
        check(folded->matches(path), "a case-sensitive match is a case-insensitive match", path);
    }
    if (!anyNegation && matched) {
        check(list->matches(path + "/child"), "a match matches everything below it", path);
    }
}

void checkLiteralGlob(const QByteArray &path)
{
    const QString pattern = escapedForGlob(path);
    auto literal = PathGlobList::compile({pattern});
    check(literal.ok(), "an escaped canonical path is a valid pattern", path, pattern);
    check(literal->matches(path), "an escaped path matches itself", path, pattern);
    check(literal->matches(path + "/x"), "an escaped path matches below itself", path, pattern);
    check(!literal->matches(path + "x"), "an escaped path does not match a longer name", path, pattern);
    auto folded = PathGlobList::compile({pattern}, true);
    check(folded.ok() && folded->matches(asciiUpper(path)),
          "an escaped path matches its upper case, ignoring case",
          path,
          pattern);
}

// The first few items of a '\n'-separated list: enough for every interaction, and it keeps
// each input fast.
QList<QByteArray> splitList(const QByteArray &field)
{
    constexpr qsizetype maxItems = 8;
    QList<QByteArray> result;
    if (field.isEmpty()) {
        return result;
    }
    const QList<QByteArray> items = field.split('\n');
    for (qsizetype i = 0; i < items.size() && i < maxItems; ++i) {
        result.append(items.at(i));
    }
    return result;
}

bool contains(const QList<PolicyViolation> &violations, const QByteArray &path, PolicyRule rule)
{
    for (const PolicyViolation &violation : violations) {
        if (violation.path == path && violation.rule == rule) {
            return true;
        }
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096) {
        return 0;
    }
    g_input = QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
    const uchar flags = uchar(g_input.at(0));
    const QList<QByteArray> fields = g_input.mid(1).split('\xFF');
    const QByteArray path = fields.value(0);
    QStringList patterns;
    for (const QByteArray &pattern : splitList(fields.value(1))) {
        patterns.append(text(pattern));
    }
    const QList<QByteArray> symlinks = splitList(fields.value(2));
    const QList<QByteArray> morePaths = splitList(fields.value(3));
    const QList<QByteArray> submodules = splitList(fields.value(4));
    const bool caseInsensitive = flags & 1;

    // The form of the path.
    static const PolicyLimits limits = [] {
        PolicyLimits small;
        small.maxFiles = 3;
        small.maxTotalBytes = 1000;
        small.maxFileBytes = 500;
        return small;
    }();
    static const Result<PathPolicy> plain = [] {
        PolicySection noGlobs;
        noGlobs.maxFileKb = 0;
        return PathPolicy::create(noGlobs, limits);
    }();
    check(plain.ok(), "a policy without globs is valid", path);
    const auto verdict = plain->checkPath(path);
    if (verdict) {
        check(verdict->path == path, "a violation names its path", path);
        check(verdict->message.contains(quotedPath(path)),
              "a violation message quotes the path",
              path,
              verdict->message);
        check(verdict->message.contains(policyRuleName(verdict->rule)),
              "a violation message names the rule",
              path,
              verdict->message);
    } else {
        checkCanonical(path);
        checkLiteralGlob(path);
    }

    // The globs, alone and as the policy's lists.
    checkGlobs(path, patterns, caseInsensitive);
    if (!patterns.isEmpty()) {
        PolicySection globbed;
        globbed.forbidden = patterns;
        globbed.allowed = patterns;
        globbed.maxFileKb = 0;
        auto policy = PathPolicy::create(globbed, limits);
        if (policy) {
            const auto globVerdict = policy->checkPath(path);
            if (verdict) {
                check(globVerdict && globVerdict->rule == verdict->rule, "globs never accept a refused path", path);
            } else if (!globVerdict) {
                QStringList nfc;
                for (const QString &pattern : std::as_const(patterns)) {
                    nfc.append(pattern.normalized(QString::NormalizationForm_C));
                }
                auto forbidden = PathGlobList::compile(nfc, true);
                auto allowed = PathGlobList::compile(nfc, false);
                check(forbidden.ok() && allowed.ok(), "the policy's lists compile on their own", path);
                check(!forbidden->matches(path), "an accepted path is not forbidden", path);
                check(allowed->matches(path), "an accepted path is allowed", path);
            } else {
                check(globVerdict->rule == PolicyRule::Forbidden || globVerdict->rule == PolicyRule::NotAllowed,
                      "globs add only the forbidden and allowed rules",
                      path);
            }
        }
    }

    // Change sets.
    QList<PathChange> changes;
    QList<QByteArray> changePaths = {path};
    for (const QByteArray &more : morePaths) {
        changePaths.append(more);
    }
    for (int i = 0; i < changePaths.size(); ++i) {
        PathChange change;
        change.kind = (flags & 2) && i % 3 == 1 ? PathChange::Kind::Delete : PathChange::Kind::Add;
        change.path = changePaths.at(i);
        change.oldMode = change.kind == PathChange::Kind::Delete ? 0100644 : 0;
        change.newMode = change.kind == PathChange::Kind::Delete ? 0 : ((flags & 4) && i == 1 ? 0120000 : 0100644);
        change.newSize = (flags & 8) ? 100 * (i + 1) : 10;
        changes.append(change);
    }
    BaseTreeFacts base;
    for (const QByteArray &link : symlinks) {
        base.symlinks.insert(link);
    }
    for (const QByteArray &module : submodules) {
        base.submodules.insert(module);
    }
    const QList<PolicyViolation> violations = plain->checkChanges(changes, base);
    QList<QByteArray> oversized;
    for (const PathChange &change : std::as_const(changes)) {
        if (change.kind != PathChange::Kind::Delete && change.newSize > limits.maxFileBytes) {
            oversized.append(change.path);
        }
    }
    qint64 total = 0;
    for (const PathChange &change : std::as_const(changes)) {
        const auto single = change.path == path ? verdict : plain->checkPath(change.path);
        if (single) {
            check(contains(violations, change.path, single->rule),
                  "checkChanges reports what checkPath refuses",
                  change.path,
                  policyRuleName(single->rule));
        }
        if (change.kind != PathChange::Kind::Delete) {
            total += change.newSize;
            check(oversized.contains(change.path) == contains(violations, change.path, PolicyRule::FileTooLarge),
                  "file_too_large exactly above the limit",
                  change.path);
        }
        const QString key = simpleKey(change.path);
        const bool validPath = text(change.path).toUtf8() == change.path;
        for (const QByteArray &link : symlinks) {
            if (!validPath || text(link).toUtf8() != link) {
                continue; // invalid UTF-8 decodes to U+FFFD, which would make different bytes equal
            }
            const QString linkKey = simpleKey(link);
            if (linkKey.isEmpty() || linkKey.contains(u'/') || linkKey.contains(u'\\') || linkKey.contains(u':')
                || linkKey.endsWith(u'.') || linkKey.endsWith(u' ') || linkKey == QStringLiteral("..")) {
                continue; // compared by the simple rule only for one plain component
            }
            if (key == linkKey || key.startsWith(QString(linkKey + u'/'))) {
                check(contains(violations, change.path, PolicyRule::ThroughSymlink),
                      "a path through a base symlink (ignoring ASCII case and HFS ignorables) is refused",
                      change.path,
                      text(link));
            }
        }
    }
    check((changes.size() > limits.maxFiles) == contains(violations, QByteArray(), PolicyRule::TooManyFiles),
          "too_many_files exactly above the limit",
          path);
    check((total > limits.maxTotalBytes) == contains(violations, QByteArray(), PolicyRule::TooManyBytes),
          "too_many_bytes exactly above the limit",
          path);
    for (const PolicyViolation &violation : violations) {
        check(violation.path.isEmpty()
                  ? (violation.rule == PolicyRule::TooManyFiles || violation.rule == PolicyRule::TooManyBytes
                     || changePaths.contains(violation.path))
                  : changePaths.contains(violation.path),
              "every violation names a path of the change set",
              violation.path);
    }
    if (violations.isEmpty()) {
        for (const QByteArray &changed : std::as_const(changePaths)) {
            check(!plain->checkPath(changed), "an accepted change set has only accepted paths", changed);
        }
    }
    return 0;
}
