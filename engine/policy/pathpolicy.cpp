#include "policy/pathpolicy.h"

#include <QChar>
#include <QCoreApplication>
#include <QHash>

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PathPolicy)
};

constexpr quint32 modeFile = 0100644;
constexpr quint32 modeExecutable = 0100755;
constexpr quint32 modeSymlink = 0120000;
constexpr quint32 modeGitlink = 0160000;

constexpr qsizetype maxQuotedCharacters = 300;
// PATH_MAX and NAME_MAX of Linux; NTFS and APFS allow 255 characters per name too. They also
// bound the work of matching a path against the globs.
constexpr qsizetype maxPathBytes = 4096;
constexpr qsizetype maxComponentBytes = 255;

// Characters no file name needs and that file systems, terminals or git may ignore or show
// as nothing: the bidi controls, the zero-width characters, the code points HFS+ ignores
// (git's next_hfs_char: U+200C-U+200F, U+202A-U+202E, U+206A-U+206F, U+FEFF) and the rest of
// Unicode's default-ignorable code points. Most are also in category Cf; the list keeps them
// refused whatever the Unicode version of Qt.
bool isInvisible(char32_t c)
{
    return c == 0x00AD // SOFT HYPHEN
        || c == 0x034F // COMBINING GRAPHEME JOINER
        || c == 0x061C // ARABIC LETTER MARK
        || c == 0x115F || c == 0x1160 // HANGUL CHOSEONG / JUNGSEONG FILLER
        || c == 0x17B4 || c == 0x17B5 // KHMER VOWEL INHERENT AQ / AA
        || (c >= 0x180B && c <= 0x180F) // MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR
        || (c >= 0x200B && c <= 0x200F) // ZERO WIDTH SPACE, ZWNJ, ZWJ, LRM, RLM
        || (c >= 0x202A && c <= 0x202E) // LRE, RLE, PDF, LRO, RLO
        || (c >= 0x2060 && c <= 0x206F) // WORD JOINER, invisible operators, LRI, RLI, FSI, PDI, deprecated format
        || c == 0x3164 // HANGUL FILLER
        || (c >= 0xFE00 && c <= 0xFE0F) // VARIATION SELECTORS
        || c == 0xFEFF // ZERO WIDTH NO-BREAK SPACE
        || c == 0xFFA0 // HALFWIDTH HANGUL FILLER
        || (c >= 0x1BCA0 && c <= 0x1BCA3) // SHORTHAND FORMAT CONTROLS
        || (c >= 0x1D173 && c <= 0x1D17A) // MUSICAL SYMBOL BEGIN / END formatting
        || (c >= 0xE0000 && c <= 0xE0FFF); // TAGS, VARIATION SELECTORS SUPPLEMENT
}

bool isControl(char32_t c)
{
    return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
}

bool hasRefusedCategory(char32_t c)
{
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        return false;
    }
}

bool isForbiddenCharacter(char32_t c)
{
    return isControl(c) || c == U'\\' || c == U':' || isInvisible(c) || hasRefusedCategory(c);
}

// Characters a file system or git may skip when it compares names.
bool isDroppedForComparison(char32_t c)
{
    return isControl(c) || isInvisible(c) || QChar::category(c) == QChar::Other_Format;
}

QString fromCodePoints(const std::u32string &text)
{
    return QString::fromUcs4(text.data(), int(text.size()));
}

// A component as a file system that ignores case, normalisation and ignorable characters
// would compare it.
std::u32string comparisonKey(std::u32string_view component)
{
    bool ascii = true;
    for (const char32_t c : component) {
        ascii = ascii && c < 0x80;
    }
    if (ascii) {
        // ASCII is in NFC already and folds to ASCII: the same key, without the round trips.
        std::u32string key;
        key.reserve(component.size());
        for (const char32_t c : component) {
            if (!isControl(c)) {
                key.push_back(pathtext::foldCase(c));
            }
        }
        return key;
    }
    std::u32string kept;
    kept.reserve(component.size());
    for (const char32_t c : component) {
        if (!isDroppedForComparison(c)) {
            kept.push_back(c);
        }
    }
    std::u32string folded = pathtext::toCodePoints(fromCodePoints(kept).normalized(QString::NormalizationForm_C));
    for (char32_t &c : folded) {
        c = pathtext::foldCase(c);
    }
    return pathtext::toCodePoints(fromCodePoints(folded).normalized(QString::NormalizationForm_C));
}

bool startsWith(const std::u32string &text, std::u32string_view prefix, size_t at = 0)
{
    return text.size() >= at + prefix.size() && std::u32string_view(text).substr(at, prefix.size()) == prefix;
}

// git's only_spaces_and_periods: what NTFS ignores at the end of a name, up to the end or to
// an alternate data stream (":stream:$TYPE").
bool onlyNtfsNoiseFrom(const std::u32string &key, size_t from)
{
    for (size_t i = from; i < key.size(); ++i) {
        if (key[i] == U':') {
            return true;
        }
        if (key[i] != U'.' && key[i] != U' ') {
            return false;
        }
    }
    return true;
}

// git's is_hfs_dotgit and is_ntfs_dotgit on a comparison key.
bool isDotGitAlias(const std::u32string &key)
{
    return (startsWith(key, U".git") && onlyNtfsNoiseFrom(key, 4))
        || (startsWith(key, U"git~1") && onlyNtfsNoiseFrom(key, 5));
}

// git's is_ntfs_dot_generic: ".name", its 6-character 8.3 short name "name6~1".."~4", or the
// hashed short name "prefix~N" where prefix starts the given hash prefix.
bool isNtfsDotGenericAlias(const std::u32string &key, std::u32string_view name, std::u32string_view shortPrefix)
{
    if (key.size() >= 1 + name.size() && key[0] == U'.' && std::u32string_view(key).substr(1, name.size()) == name) {
        return onlyNtfsNoiseFrom(key, 1 + name.size());
    }
    if (key.size() >= 8 && std::u32string_view(key).substr(0, 6) == name.substr(0, 6) && key[6] == U'~'
        && key[7] >= U'1' && key[7] <= U'4') {
        return onlyNtfsNoiseFrom(key, 8);
    }
    bool sawTilde = false;
    for (size_t i = 0; i < 8; ++i) {
        if (i >= key.size()) {
            return false;
        }
        const char32_t c = key[i];
        if (sawTilde) {
            if (c < U'0' || c > U'9') {
                return false;
            }
        } else if (c == U'~') {
            ++i;
            if (i >= key.size() || key[i] < U'1' || key[i] > U'9') {
                return false;
            }
            sawTilde = true;
        } else if (i >= 6 || c != shortPrefix[i]) {
            return false;
        }
    }
    return onlyNtfsNoiseFrom(key, 8);
}

bool isHexDigit(char32_t c)
{
    return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'f');
}

// .astra.toml and its 8.3 short names ASTRA~N.TOM and ASxxxx~N.TOM (xxxx: any hash).
bool isAstraTomlAlias(const std::u32string &key)
{
    if (startsWith(key, U".astra.toml")) {
        return onlyNtfsNoiseFrom(key, 11);
    }
    size_t i = 0;
    if (startsWith(key, U"astra~")) {
        i = 6;
    } else if (key.size() >= 7 && startsWith(key, U"as") && isHexDigit(key[2]) && isHexDigit(key[3])
               && isHexDigit(key[4]) && isHexDigit(key[5]) && key[6] == U'~') {
        i = 7;
    } else {
        return false;
    }
    if (i >= key.size() || key[i] < U'1' || key[i] > U'9') {
        return false;
    }
    while (i < key.size() && key[i] >= U'0' && key[i] <= U'9') {
        ++i;
    }
    return startsWith(key, U".tom", i) && onlyNtfsNoiseFrom(key, i + 4);
}

// The file an always-forbidden component stands for, or nothing.
const char *alwaysForbiddenName(const std::u32string &key)
{
    if (isNtfsDotGenericAlias(key, U"gitmodules", U"gi7eba")) {
        return ".gitmodules";
    }
    if (isNtfsDotGenericAlias(key, U"gitattributes", U"gi7d29")) {
        return ".gitattributes";
    }
    if (isAstraTomlAlias(key)) {
        return ".astra.toml";
    }
    return nullptr;
}

struct Component
{
    qsizetype begin; // in code points
    qsizetype end;
};

// The components of a path, split at "/" and also at "\" (Windows' separator).
QList<Component> splitAtAnySeparator(const std::u32string &text)
{
    QList<Component> result;
    qsizetype begin = 0;
    for (qsizetype i = 0; i <= qsizetype(text.size()); ++i) {
        if (i == qsizetype(text.size()) || text[size_t(i)] == U'/' || text[size_t(i)] == U'\\') {
            result.append(Component{begin, i});
            begin = i + 1;
        }
    }
    return result;
}

// The comparison keys of the directories a path walks through and of the path itself, as a
// file system that ignores case, normalisation, ignorable characters, trailing dots and
// spaces and stream suffixes would resolve it; empty and "." components are skipped, and a
// name made only of what such a file system ignores is compared as it is. A path
// with ".." gives two chains: one where ".." goes up (where the path lands) and one where it
// is a name (what it walks through first, since a symlink resolves before its "..").
QList<QStringList> keyChains(const QByteArray &path)
{
    const std::u32string text = pathtext::decodeUtf8Lenient(path);
    QList<std::u32string> literal;
    QList<std::u32string> resolved;
    bool hasDotDot = false;
    for (const Component &component : splitAtAnySeparator(text)) {
        const std::u32string_view raw =
            std::u32string_view(text).substr(size_t(component.begin), size_t(component.end - component.begin));
        if (raw.empty() || raw == U".") {
            continue;
        }
        std::u32string key = comparisonKey(raw);
        const size_t stream = key.find(U':');
        if (stream != std::u32string::npos) {
            key.resize(stream);
        }
        if (key != U"..") {
            while (!key.empty() && (key.back() == U'.' || key.back() == U' ')) {
                key.pop_back();
            }
        }
        if (key.empty()) {
            key = raw; // nothing but ignorable characters: the name stands for itself
        }
        literal.append(key);
        if (key == U"..") {
            hasDotDot = true;
            if (!resolved.isEmpty() && resolved.constLast() != U"..") {
                resolved.removeLast();
                continue;
            }
        }
        resolved.append(key);
    }
    const auto chain = [](const QList<std::u32string> &keys) {
        QStringList result;
        QString prefix;
        for (const std::u32string &key : keys) {
            if (!prefix.isEmpty()) {
                prefix += u'/';
            }
            prefix += fromCodePoints(key);
            result.append(prefix);
        }
        return result;
    };
    QList<QStringList> chains{chain(resolved)};
    if (hasDotDot) {
        chains.append(chain(literal));
    }
    return chains;
}

QString hexCodePoint(char32_t c)
{
    return QStringLiteral("\\u{") + QString::number(uint(c), 16).toUpper().rightJustified(4, u'0') + u'}';
}

QString describeCodePoint(char32_t c)
{
    return QStringLiteral("U+") + QString::number(uint(c), 16).toUpper().rightJustified(4, u'0');
}

void appendEscaped(QString &out, char32_t c, bool escapeNonAscii)
{
    switch (c) {
    case U'"':
        out += QStringLiteral("\\\"");
        return;
    case U'\\':
        out += QStringLiteral("\\\\");
        return;
    case U'\n':
        out += QStringLiteral("\\n");
        return;
    case U'\r':
        out += QStringLiteral("\\r");
        return;
    case U'\t':
        out += QStringLiteral("\\t");
        return;
    default:
        break;
    }
    if (c < 0x20 || c == 0x7F || (c >= 0xDC80 && c <= 0xDCFF)) {
        // A control character, or a byte that is not UTF-8 (see decodeUtf8Lenient).
        const uint byte = c < 0x80 ? uint(c) : uint(c - 0xDC00);
        out += QStringLiteral("\\x") + QString::number(byte, 16).toUpper().rightJustified(2, u'0');
        return;
    }
    if (c < 0x80) {
        out += QChar(ushort(c));
        return;
    }
    if (escapeNonAscii || isControl(c) || isInvisible(c) || hasRefusedCategory(c)
        || QChar::category(c) == QChar::Separator_Space) {
        out += hexCodePoint(c);
        return;
    }
    out += QString::fromUcs4(&c, 1);
}

QString octal(quint32 mode)
{
    return QString::number(mode, 8).rightJustified(6, u'0');
}

PolicyViolation makeViolation(const QByteArray &path, PolicyRule rule, const QString &problem)
{
    return PolicyViolation{
        path,
        rule,
        Tr::tr("The path policy refuses %1 (%2): %3").arg(quotedPath(path), policyRuleName(rule), problem)};
}

// The rules about the form of a path: everything checkPath() checks before the globs.
std::optional<PolicyViolation> formViolation(const QByteArray &path)
{
    if (path.isEmpty()) {
        return makeViolation(path,
                             PolicyRule::NotCanonical,
                             Tr::tr("an empty path names no file. Give the file's path relative to the repository "
                                    "root, such as src/main.cpp."));
    }
    if (path.size() > maxPathBytes) {
        return makeViolation(path,
                             PolicyRule::NotCanonical,
                             Tr::tr("it is %1 bytes long; paths longer than %2 bytes do not fit common file systems. "
                                    "Choose a shorter path.")
                                 .arg(path.size())
                                 .arg(maxPathBytes));
    }
    if (!pathtext::isValidUtf8(path)) {
        return makeViolation(path,
                             PolicyRule::NotUtf8Nfc,
                             Tr::tr("it is not valid UTF-8 (a stray, truncated, overlong or surrogate byte "
                                    "sequence). Write the path in UTF-8, in Unicode NFC form."));
    }
    const std::u32string text = pathtext::decodeUtf8Lenient(path);
    const QList<Component> components = splitAtAnySeparator(text);
    const auto quotedComponent = [&text](const Component &component) {
        return quotedPath(
            fromCodePoints(text.substr(size_t(component.begin), size_t(component.end - component.begin))).toUtf8());
    };
    QList<std::u32string> keys;
    for (const Component &component : components) {
        keys.append(comparisonKey(
            std::u32string_view(text).substr(size_t(component.begin), size_t(component.end - component.begin))));
    }

    for (qsizetype i = 0; i < components.size(); ++i) {
        const Component &component = components.at(i);
        if (isDotGitAlias(keys.at(i))) {
            return makeViolation(path,
                                 PolicyRule::GitDirectory,
                                 Tr::tr("the component %1 is .git, or a name a file system may take for it "
                                        "(other case, 8.3 short name, trailing dots or spaces, ignorable "
                                        "characters, an NTFS stream). No change may write a git directory; "
                                        "choose another path.")
                                     .arg(quotedComponent(component)));
        }
    }
    for (qsizetype i = 0; i < components.size(); ++i) {
        const Component &component = components.at(i);
        if (const char *name = alwaysForbiddenName(keys.at(i))) {
            return makeViolation(path,
                                 PolicyRule::AlwaysForbidden,
                                 Tr::tr("the component %1 is %2, or a name a file system may take for it. "
                                        "%2 is always forbidden to the agent, at any depth; a person must make "
                                        "this change.")
                                     .arg(quotedComponent(component), QString::fromLatin1(name)));
        }
    }

    if (path.startsWith('/')) {
        return makeViolation(path,
                             PolicyRule::NotCanonical,
                             Tr::tr("it is absolute. Give the path relative to the repository root, without the "
                                    "leading /."));
    }
    if (path.endsWith('/')) {
        return makeViolation(path,
                             PolicyRule::NotCanonical,
                             Tr::tr("it ends with /. Name the file, without a trailing /."));
    }
    const QList<QByteArray> parts = path.split('/');
    for (const QByteArray &part : parts) {
        if (part.size() > maxComponentBytes) {
            return makeViolation(path,
                                 PolicyRule::NotCanonical,
                                 Tr::tr("a component is %1 bytes long; names longer than %2 bytes do not fit common "
                                        "file systems. Choose a shorter name.")
                                     .arg(part.size())
                                     .arg(maxComponentBytes));
        }
        if (part.isEmpty()) {
            return makeViolation(path,
                                 PolicyRule::NotCanonical,
                                 Tr::tr("it has an empty component (//). Write each folder once, separated by a "
                                        "single /."));
        }
        if (part == "." || part == "..") {
            return makeViolation(path,
                                 PolicyRule::NotCanonical,
                                 Tr::tr("it has a \"%1\" component. Give the path without . and .. components, "
                                        "as the repository root sees it.")
                                     .arg(QString::fromLatin1(part)));
        }
    }

    for (const char32_t c : text) {
        if (!isForbiddenCharacter(c)) {
            continue;
        }
        QString what;
        if (c == U'\\') {
            what = Tr::tr(
                "a backslash, which Windows reads as a folder separator. Use / between folders and "
                "no backslash in names.");
        } else if (c == U':') {
            what = Tr::tr("a colon, which names an alternate data stream on NTFS. Choose a name without :.");
        } else if (isControl(c)) {
            what = Tr::tr("the control character %1. Choose a name of printable characters.").arg(describeCodePoint(c));
        } else {
            what = Tr::tr(
                       "the character %1, which is invisible, changes the text direction, is for private use "
                       "or is not assigned in Unicode. Choose a name of visible characters.")
                       .arg(describeCodePoint(c));
        }
        return makeViolation(path, PolicyRule::ForbiddenCharacter, Tr::tr("it contains %1").arg(what));
    }

    for (const QByteArray &part : parts) {
        if (part.endsWith('.') || part.endsWith(' ')) {
            return makeViolation(path,
                                 PolicyRule::NotCanonical,
                                 Tr::tr("the component %1 ends with a dot or a space, which Windows drops, so it "
                                        "names another file there. Choose a name that ends otherwise.")
                                     .arg(quotedPath(part)));
        }
    }

    char32_t highest = 0;
    for (const char32_t c : text) {
        highest = std::max(highest, c);
    }
    if (highest < 0x300) {
        return std::nullopt; // nothing below U+0300 decomposes or combines: already NFC
    }
    const QString decoded = fromCodePoints(text);
    const QString nfc = decoded.normalized(QString::NormalizationForm_C);
    if (decoded != nfc) {
        return makeViolation(path,
                             PolicyRule::NotUtf8Nfc,
                             Tr::tr("it is not in Unicode NFC form: %1 has decomposed or reordered characters. Write "
                                    "it in NFC, as %2.")
                                 .arg(quotedPath(path, true), quotedPath(nfc.toUtf8(), true)));
    }
    return std::nullopt;
}

// Collects violations, each path and rule once.
class Violations
{
public:
    void add(PolicyViolation violation)
    {
        const QString key = policyRuleName(violation.rule) + u'\n' + QString::fromLatin1(violation.path.toHex());
        if (m_seen.contains(key)) {
            return;
        }
        m_seen.insert(key);
        m_list.append(std::move(violation));
    }
    QList<PolicyViolation> take()
    {
        return std::move(m_list);
    }

private:
    QSet<QString> m_seen;
    QList<PolicyViolation> m_list;
};

// Base-tree symlinks or submodules by their resolved key.
QHash<QString, QByteArray> keyedPaths(const QSet<QByteArray> &paths)
{
    QHash<QString, QByteArray> result;
    for (const QByteArray &path : paths) {
        const QStringList keys = keyChains(path).constFirst();
        if (!keys.isEmpty()) {
            result.insert(keys.constLast(), path);
        }
    }
    return result;
}

struct LinkKind
{
    PolicyRule rule;
    QHash<QString, QByteArray> base; // key -> base tree path
    QHash<QString, int> created; // key -> index of the change that creates it
};

// Reports the first link of `links` that `path` goes through or onto; true when it found one.
bool checkLinkChain(const QByteArray &path,
                    const QStringList &keys,
                    int changeIndex,
                    const LinkKind &links,
                    Violations &out)
{
    const bool symlink = links.rule == PolicyRule::ThroughSymlink;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QString &key = keys.at(i);
        const bool self = i == keys.size() - 1;
        if (links.base.contains(key)) {
            const QString link = quotedPath(links.base.value(key));
            QString problem;
            if (self) {
                problem = symlink ? Tr::tr(
                                        "it is %1, a symbolic link in the base tree (compared as a "
                                        "case-insensitive file system would). The agent may not change, "
                                        "delete or rename symbolic links.")
                                        .arg(link)
                                  : Tr::tr(
                                        "it is %1, a submodule in the base tree (compared as a "
                                        "case-insensitive file system would). The agent may not change, "
                                        "delete or rename submodules.")
                                        .arg(link);
            } else {
                problem = symlink ? Tr::tr(
                                        "it goes through %1, a symbolic link in the base tree (compared as a "
                                        "case-insensitive file system would). Write to the file the link "
                                        "points at, by its own path.")
                                        .arg(link)
                                  : Tr::tr(
                                        "it goes into %1, a submodule in the base tree (compared as a "
                                        "case-insensitive file system would). Change the submodule in its "
                                        "own repository.")
                                        .arg(link);
            }
            out.add(makeViolation(path, links.rule, problem));
            return true;
        }
        const auto created = links.created.constFind(key);
        if (created != links.created.constEnd() && (!self || created.value() != changeIndex)) {
            const QString problem = symlink
                ? Tr::tr(
                    "it goes through or onto a symbolic link that this change set creates, as a "
                    "case-insensitive file system would resolve it. Remove the link from the change set.")
                : Tr::tr(
                    "it goes into or onto a submodule that this change set creates, as a "
                    "case-insensitive file system would resolve it. Remove the submodule from the change set.");
            out.add(makeViolation(path, links.rule, problem));
            return true;
        }
    }
    return false;
}

void checkLinks(const QByteArray &path, int changeIndex, const LinkKind &links, Violations &out)
{
    if (links.base.isEmpty() && links.created.isEmpty()) {
        return;
    }
    for (const QStringList &keys : keyChains(path)) {
        if (checkLinkChain(path, keys, changeIndex, links, out)) {
            return;
        }
    }
}

bool createsLink(const PathChange &change, quint32 mode)
{
    if (change.kind == PathChange::Kind::Delete || change.newMode != mode) {
        return false;
    }
    return change.kind != PathChange::Kind::Modify || change.oldMode != mode;
}

bool isSpecialMode(quint32 mode)
{
    return mode == modeSymlink || mode == modeGitlink;
}

qint64 saturatingAdd(qint64 a, qint64 b)
{
    return a > std::numeric_limits<qint64>::max() - b ? std::numeric_limits<qint64>::max() : a + b;
}

} // namespace

QString policyRuleName(PolicyRule rule)
{
    switch (rule) {
    case PolicyRule::NotCanonical:
        return QStringLiteral("not_canonical");
    case PolicyRule::ForbiddenCharacter:
        return QStringLiteral("forbidden_character");
    case PolicyRule::NotUtf8Nfc:
        return QStringLiteral("not_utf8_nfc");
    case PolicyRule::GitDirectory:
        return QStringLiteral("git_directory");
    case PolicyRule::AlwaysForbidden:
        return QStringLiteral("always_forbidden");
    case PolicyRule::Forbidden:
        return QStringLiteral("forbidden");
    case PolicyRule::NotAllowed:
        return QStringLiteral("not_allowed");
    case PolicyRule::ThroughSymlink:
        return QStringLiteral("through_symlink");
    case PolicyRule::ThroughSubmodule:
        return QStringLiteral("through_submodule");
    case PolicyRule::NewSymlink:
        return QStringLiteral("new_symlink");
    case PolicyRule::NewSubmodule:
        return QStringLiteral("new_submodule");
    case PolicyRule::ModeChange:
        return QStringLiteral("mode_change");
    case PolicyRule::FileTooLarge:
        return QStringLiteral("file_too_large");
    case PolicyRule::TooManyFiles:
        return QStringLiteral("too_many_files");
    case PolicyRule::TooManyBytes:
        return QStringLiteral("too_many_bytes");
    case PolicyRule::BeyondScope:
        return QStringLiteral("beyond_scope");
    case PolicyRule::TooManyChangedLines:
        return QStringLiteral("too_many_changed_lines");
    }
    return QStringLiteral("unknown");
}

QString quotedPath(const QByteArray &path, bool escapeNonAscii)
{
    const std::u32string text = pathtext::decodeUtf8Lenient(path);
    const qsizetype length = qsizetype(text.size());
    QString out;
    out.reserve(path.size() + 2);
    out += u'"';
    if (length <= maxQuotedCharacters) {
        for (const char32_t c : text) {
            appendEscaped(out, c, escapeNonAscii);
        }
    } else {
        const qsizetype keep = maxQuotedCharacters / 2;
        for (qsizetype i = 0; i < keep; ++i) {
            appendEscaped(out, text[size_t(i)], escapeNonAscii);
        }
        out += QChar(0x2026);
        for (qsizetype i = length - keep; i < length; ++i) {
            appendEscaped(out, text[size_t(i)], escapeNonAscii);
        }
    }
    out += u'"';
    return out;
}

Result<PathPolicy> PathPolicy::create(const PolicySection &config, PolicyLimits limits)
{
    if (config.maxFileKb > 0) {
        limits.maxFileBytes = qint64(config.maxFileKb) * 1024;
    }
    if (limits.maxFileBytes < 0 || limits.maxFiles < 0 || limits.maxTotalBytes < 0) {
        return makeError(Tr::tr("The path policy limits must not be negative (file size %1, files %2, total %3).")
                             .arg(limits.maxFileBytes)
                             .arg(limits.maxFiles)
                             .arg(limits.maxTotalBytes),
                         ErrorKind::Invalid);
    }
    // Paths are NFC, so a pattern is compared in NFC too: a decomposed "é" in a forbidden
    // pattern still forbids.
    const auto nfc = [](const QStringList &patterns) {
        QStringList result;
        for (const QString &pattern : patterns) {
            result.append(pattern.normalized(QString::NormalizationForm_C));
        }
        return result;
    };
    auto allowed = PathGlobList::compile(nfc(config.allowed), false);
    if (!allowed) {
        return makeError(Tr::tr("policy.allowed in .astra.toml: %1").arg(allowed.error().message), ErrorKind::Invalid);
    }
    auto forbidden = PathGlobList::compile(nfc(config.forbidden), true);
    if (!forbidden) {
        return makeError(Tr::tr("policy.forbidden in .astra.toml: %1").arg(forbidden.error().message),
                         ErrorKind::Invalid);
    }
    PathPolicy policy;
    policy.m_allowed = std::move(allowed).value();
    policy.m_forbidden = std::move(forbidden).value();
    policy.m_limits = limits;
    return policy;
}

std::optional<PolicyViolation> PathPolicy::checkPath(const QByteArray &path) const
{
    if (auto violation = formViolation(path)) {
        return violation;
    }
    if (m_forbidden.matches(path)) {
        return makeViolation(path,
                             PolicyRule::Forbidden,
                             Tr::tr("the pattern \"%1\" of policy.forbidden in .astra.toml matches it (ignoring "
                                    "case). Leave the file alone, or ask a person to change the policy.")
                                 .arg(m_forbidden.matchingPattern(path)));
    }
    if (!m_allowed.isEmpty() && !m_allowed.matches(path)) {
        const QString decided = m_allowed.matchingPattern(path);
        const QString problem = decided.isEmpty()
            ? Tr::tr(
                  "no pattern of policy.allowed in .astra.toml (%1) matches it. Change only files the policy "
                  "allows, or ask a person to allow this one.")
                  .arg(m_allowed.patterns().join(QStringLiteral(", ")))
            : Tr::tr(
                  "the pattern \"%1\" of policy.allowed in .astra.toml excludes it. Change only files the "
                  "policy allows, or ask a person to allow this one.")
                  .arg(decided);
        return makeViolation(path, PolicyRule::NotAllowed, problem);
    }
    return std::nullopt;
}

QList<PolicyViolation> PathPolicy::checkChanges(const QList<PathChange> &changes, const BaseTreeFacts &base) const
{
    Violations out;
    LinkKind symlinks{PolicyRule::ThroughSymlink, keyedPaths(base.symlinks), {}};
    LinkKind submodules{PolicyRule::ThroughSubmodule, keyedPaths(base.submodules), {}};
    for (int i = 0; i < int(changes.size()); ++i) {
        const PathChange &change = changes.at(i);
        const auto remember = [&change, i](LinkKind &links, quint32 mode) {
            if (createsLink(change, mode)) {
                const QStringList keys = keyChains(change.path).constFirst();
                if (!keys.isEmpty()) {
                    links.created.insert(keys.constLast(), i);
                }
            }
        };
        remember(symlinks, modeSymlink);
        remember(submodules, modeGitlink);
    }

    qint64 totalBytes = 0;
    for (int i = 0; i < int(changes.size()); ++i) {
        const PathChange &change = changes.at(i);
        const bool isRename = change.kind == PathChange::Kind::Rename;
        const bool isDelete = change.kind == PathChange::Kind::Delete;
        QList<QByteArray> paths{change.path};
        if (isRename) {
            paths.append(change.oldPath);
        }
        for (const QByteArray &path : std::as_const(paths)) {
            if (auto violation = checkPath(path)) {
                out.add(std::move(*violation));
            }
        }
        for (const QByteArray &path : std::as_const(paths)) {
            checkLinks(path, i, symlinks, out);
            checkLinks(path, i, submodules, out);
        }
        // The old side of a change is a link by its mode, whatever the base facts say.
        if (change.kind != PathChange::Kind::Add && isSpecialMode(change.oldMode)) {
            const QByteArray &oldPath = isRename ? change.oldPath : change.path;
            const bool symlink = change.oldMode == modeSymlink;
            out.add(makeViolation(oldPath,
                                  symlink ? PolicyRule::ThroughSymlink : PolicyRule::ThroughSubmodule,
                                  symlink ? Tr::tr("it is a symbolic link (mode 120000) before the change. The agent "
                                                   "may not change, delete or rename symbolic links.")
                                          : Tr::tr("it is a submodule (mode 160000) before the change. The agent may "
                                                   "not change, delete or rename submodules.")));
        }
        if (isDelete) {
            continue;
        }

        if (createsLink(change, modeSymlink)) {
            out.add(makeViolation(change.path,
                                  PolicyRule::NewSymlink,
                                  Tr::tr("the change makes it a symbolic link (mode 120000). The agent may not "
                                         "create symbolic links; write a regular file.")));
        }
        if (createsLink(change, modeGitlink)) {
            out.add(makeViolation(change.path,
                                  PolicyRule::NewSubmodule,
                                  Tr::tr("the change makes it a submodule (mode 160000). The agent may not add "
                                         "submodules; a person must.")));
        }
        const quint32 newMode = change.newMode;
        if (newMode != modeFile && newMode != modeExecutable && newMode != modeSymlink && newMode != modeGitlink) {
            out.add(makeViolation(change.path,
                                  PolicyRule::ModeChange,
                                  Tr::tr("the new mode %1 is not a mode git writes for a file (100644, 100755). "
                                         "Write a regular file.")
                                      .arg(octal(newMode))));
        } else if (change.kind != PathChange::Kind::Add && change.oldMode != 0 && change.oldMode != newMode
                   && (isSpecialMode(change.oldMode) || isSpecialMode(newMode))) {
            out.add(makeViolation(change.path,
                                  PolicyRule::ModeChange,
                                  Tr::tr("the change turns mode %1 into %2; the agent may not turn files into or out "
                                         "of symbolic links or submodules. Keep the mode.")
                                      .arg(octal(change.oldMode), octal(newMode))));
        }
        if (change.newSize > m_limits.maxFileBytes) {
            out.add(makeViolation(change.path,
                                  PolicyRule::FileTooLarge,
                                  Tr::tr("the new content is %1 bytes; the limit is %2 bytes (max_file_kb = %3 in "
                                         "[policy] of .astra.toml). Raise max_file_kb if a file this size is meant "
                                         "to be written; otherwise write a smaller file.")
                                      .arg(change.newSize)
                                      .arg(m_limits.maxFileBytes)
                                      .arg((m_limits.maxFileBytes + 1023) / 1024)));
        }
        totalBytes = saturatingAdd(totalBytes, qMax<qint64>(0, change.newSize));
    }

    if (changes.size() > m_limits.maxFiles) {
        out.add(PolicyViolation{QByteArray(),
                                PolicyRule::TooManyFiles,
                                Tr::tr("The path policy refuses the change set (%1): it changes %n file(s); the limit "
                                       "is %2 (max_files in [policy] of .astra.toml). Raise max_files if a change "
                                       "this size is meant to be reviewed in one piece; otherwise split the work.",
                                       nullptr,
                                       int(changes.size()))
                                    .arg(policyRuleName(PolicyRule::TooManyFiles))
                                    .arg(m_limits.maxFiles)});
    }
    if (totalBytes > m_limits.maxTotalBytes) {
        out.add(PolicyViolation{QByteArray(),
                                PolicyRule::TooManyBytes,
                                Tr::tr("The path policy refuses the change set (%1): its new files add up to %2 "
                                       "bytes; the limit is %3 bytes (max_total_kb = %4 in [policy] of .astra.toml). "
                                       "Raise max_total_kb if a change this size is meant to be reviewed in one "
                                       "piece; otherwise split the work.")
                                    .arg(policyRuleName(PolicyRule::TooManyBytes))
                                    .arg(totalBytes)
                                    .arg(m_limits.maxTotalBytes)
                                    .arg((m_limits.maxTotalBytes + 1023) / 1024)});
    }
    return out.take();
}

} // namespace astra
