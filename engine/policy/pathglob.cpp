#include "policy/pathglob.h"

#include <QChar>
#include <QCoreApplication>

namespace astra {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(astra::PathGlobList)
};

constexpr char32_t lowerAscii(char32_t c)
{
    return (c >= U'A' && c <= U'Z') ? c + (U'a' - U'A') : c;
}

bool isGlobSpecial(char32_t c)
{
    return c == U'*' || c == U'?' || c == U'[' || c == U'\\';
}

// The POSIX classes of a "[...]" set, with git's ASCII-only character types.
enum class CharClass
{
    Invalid,
    Alnum,
    Alpha,
    Blank,
    Cntrl,
    Digit,
    Graph,
    Lower,
    Print,
    Punct,
    Space,
    Upper,
    Xdigit,
};

CharClass charClass(const std::u32string &name)
{
    static const struct
    {
        const char32_t *name;
        CharClass value;
    } classes[] = {
        {U"alnum", CharClass::Alnum},
        {U"alpha", CharClass::Alpha},
        {U"blank", CharClass::Blank},
        {U"cntrl", CharClass::Cntrl},
        {U"digit", CharClass::Digit},
        {U"graph", CharClass::Graph},
        {U"lower", CharClass::Lower},
        {U"print", CharClass::Print},
        {U"punct", CharClass::Punct},
        {U"space", CharClass::Space},
        {U"upper", CharClass::Upper},
        {U"xdigit", CharClass::Xdigit},
    };
    for (const auto &entry : classes) {
        if (name == entry.name) {
            return entry.value;
        }
    }
    return CharClass::Invalid;
}

bool isAsciiLower(char32_t c)
{
    return c >= U'a' && c <= U'z';
}
bool isAsciiUpper(char32_t c)
{
    return c >= U'A' && c <= U'Z';
}
bool isAsciiDigit(char32_t c)
{
    return c >= U'0' && c <= U'9';
}

bool inClass(CharClass cls, char32_t c, bool caseInsensitive)
{
    const bool alpha = isAsciiLower(c) || isAsciiUpper(c);
    switch (cls) {
    case CharClass::Alnum:
        return alpha || isAsciiDigit(c);
    case CharClass::Alpha:
        return alpha;
    case CharClass::Blank:
        return c == U' ' || c == U'\t';
    case CharClass::Cntrl:
        return c < 0x20 || c == 0x7f;
    case CharClass::Digit:
        return isAsciiDigit(c);
    case CharClass::Graph:
        return c > 0x20 && c < 0x7f;
    case CharClass::Lower:
        return isAsciiLower(c) || (caseInsensitive && alpha);
    case CharClass::Print:
        return c >= 0x20 && c < 0x7f;
    case CharClass::Punct:
        return c > 0x20 && c < 0x7f && !alpha && !isAsciiDigit(c);
    case CharClass::Space:
        return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r';
    case CharClass::Upper:
        return isAsciiUpper(c) || (caseInsensitive && alpha);
    case CharClass::Xdigit:
        return isAsciiDigit(c) || (c >= U'a' && c <= U'f') || (c >= U'A' && c <= U'F');
    case CharClass::Invalid:
        break;
    }
    return false;
}

bool sameChar(char32_t patternChar, char32_t textChar, bool fold)
{
    if (patternChar == textChar) {
        return true;
    }
    return fold && pathtext::foldCase(patternChar) == pathtext::foldCase(textChar);
}

bool inRange(char32_t c, char32_t low, char32_t high, bool fold)
{
    if (c >= low && c <= high) {
        return true;
    }
    if (!fold) {
        return false;
    }
    const char32_t forms[] = {pathtext::foldCase(c), char32_t(QChar::toUpper(c)), char32_t(QChar::toLower(c))};
    for (const char32_t form : forms) {
        if (form >= low && form <= high) {
            return true;
        }
    }
    return false;
}

enum class SetResult
{
    Match,
    NoMatch,
    Unclosed, // no "]" closes the set
    BadClass, // "[:name:]" with an unknown name
};

// The "[...]" set that starts at pat[p] against the character c, as git's wildmatch reads it:
// a "]" right after "[" or "[!" is a member, "\" escapes, "a-z" is a range unless the "-"
// comes first or last, "[:class:]" is a POSIX class. The result does not depend on c for
// Unclosed and BadClass: every member is read whatever c is. *end receives the index of the
// closing "]", *badClass the unknown class name.
SetResult matchSet(const char32_t *pat,
                   qsizetype pn,
                   qsizetype p,
                   char32_t c,
                   bool fold,
                   qsizetype *end,
                   std::u32string *badClass = nullptr)
{
    qsizetype i = p + 1;
    bool negated = false;
    if (i < pn && (pat[i] == U'!' || pat[i] == U'^')) {
        negated = true;
        ++i;
    }
    bool matched = false;
    char32_t previous = 0;
    for (bool first = true;; first = false, ++i) {
        if (i >= pn) {
            return SetResult::Unclosed;
        }
        char32_t pc = pat[i];
        if (!first && pc == U']') {
            break;
        }
        if (pc == U'\\') {
            ++i;
            if (i >= pn) {
                return SetResult::Unclosed;
            }
            pc = pat[i];
            if (sameChar(pc, c, fold)) {
                matched = true;
            }
        } else if (pc == U'-' && previous != 0 && i + 1 < pn && pat[i + 1] != U']') {
            ++i;
            char32_t high = pat[i];
            if (high == U'\\') {
                ++i;
                if (i >= pn) {
                    return SetResult::Unclosed;
                }
                high = pat[i];
            }
            if (inRange(c, previous, high, fold)) {
                matched = true;
            }
            pc = 0; // a range cannot start another one
        } else if (pc == U'[' && i + 1 < pn && pat[i + 1] == U':') {
            const qsizetype nameStart = i + 2;
            qsizetype close = nameStart;
            while (close < pn && pat[close] != U']') {
                ++close;
            }
            if (close >= pn) {
                return SetResult::Unclosed;
            }
            if (close - nameStart - 1 < 0 || pat[close - 1] != U':') {
                // No ":]": an ordinary "[" in the set.
                if (c == U'[') {
                    matched = true;
                }
                previous = U'[';
                continue;
            }
            const std::u32string name(pat + nameStart, size_t(close - nameStart - 1));
            const CharClass cls = charClass(name);
            if (cls == CharClass::Invalid) {
                if (badClass) {
                    *badClass = name;
                }
                return SetResult::BadClass;
            }
            if (inClass(cls, c, fold)) {
                matched = true;
            }
            i = close;
            pc = 0;
        } else if (sameChar(pc, c, fold)) {
            matched = true;
        }
        previous = pc;
    }
    *end = i;
    return (matched == negated || c == U'/') ? SetResult::NoMatch : SetResult::Match;
}

enum class Wild
{
    Match,
    NoMatch,
    AbortAll, // the text ran out: no later start position can match either
    AbortToStarStar, // a "*" reached a "/": only an enclosing "**" may go on
};

// git's wildmatch with WM_PATHNAME over code points. Indices instead of NUL-terminated
// strings, so a NUL in the text is an ordinary character.
class WildMatcher
{
public:
    WildMatcher(const char32_t *pattern, qsizetype patternLength, const char32_t *text, qsizetype textLength, bool fold)
        : m_pat(pattern)
        , m_pn(patternLength)
        , m_txt(text)
        , m_tn(textLength)
        , m_fold(fold)
    {}

    bool matches() const
    {
        return match(0, 0) == Wild::Match;
    }

private:
    bool textHasSlashFrom(qsizetype t) const
    {
        for (; t < m_tn; ++t) {
            if (m_txt[t] == U'/') {
                return true;
            }
        }
        return false;
    }

    // Matches the text from t against the pattern from p. patternStart is where this
    // (sub)pattern begins: a "**" right at it counts as following a "/".
    Wild match(qsizetype p, qsizetype t, qsizetype patternStart) const;
    Wild match(qsizetype p, qsizetype t) const
    {
        return match(p, t, p);
    }

    const char32_t *m_pat;
    qsizetype m_pn;
    const char32_t *m_txt;
    qsizetype m_tn;
    bool m_fold;
};

Wild WildMatcher::match(qsizetype p, qsizetype t, qsizetype patternStart) const
{
    for (; p < m_pn; ++t, ++p) {
        const char32_t pc = m_pat[p];
        if (t >= m_tn && pc != U'*') {
            return Wild::AbortAll;
        }
        const char32_t tc = t < m_tn ? m_txt[t] : 0;
        switch (pc) {
        case U'\\':
            ++p;
            if (p >= m_pn || !sameChar(m_pat[p], tc, m_fold)) {
                return Wild::NoMatch;
            }
            continue;
        case U'?':
            if (tc == U'/') {
                return Wild::NoMatch;
            }
            continue;
        case U'[': {
            qsizetype end = p;
            switch (matchSet(m_pat, m_pn, p, tc, m_fold, &end)) {
            case SetResult::Match:
                p = end;
                continue;
            case SetResult::NoMatch:
                return Wild::NoMatch;
            case SetResult::Unclosed:
            case SetResult::BadClass:
                break;
            }
            return Wild::AbortAll;
        }
        case U'*': {
            qsizetype q = p + 1;
            bool matchSlash = false;
            if (q < m_pn && m_pat[q] == U'*') {
                const qsizetype before = p - 1;
                while (q < m_pn && m_pat[q] == U'*') {
                    ++q;
                }
                const bool afterSlash = before < patternStart || m_pat[before] == U'/';
                const bool beforeSlash =
                    q >= m_pn || m_pat[q] == U'/' || (m_pat[q] == U'\\' && q + 1 < m_pn && m_pat[q + 1] == U'/');
                if (afterSlash && beforeSlash) {
                    // "**/" also matches no directory at all: "a/**/b" matches "a/b".
                    if (q < m_pn && m_pat[q] == U'/' && match(q + 1, t) == Wild::Match) {
                        return Wild::Match;
                    }
                    matchSlash = true;
                }
            }
            if (q >= m_pn) {
                // A trailing "**" matches everything, a trailing "*" only what has no "/".
                return (!matchSlash && textHasSlashFrom(t)) ? Wild::NoMatch : Wild::Match;
            }
            if (!matchSlash && m_pat[q] == U'/') {
                // A single "*" before a "/" matches up to the next "/" of the text.
                qsizetype slash = t;
                while (slash < m_tn && m_txt[slash] != U'/') {
                    ++slash;
                }
                if (slash >= m_tn) {
                    return Wild::NoMatch;
                }
                t = slash;
                p = q; // the loop steps over both slashes
                continue;
            }
            for (; t < m_tn; ++t) {
                const Wild rest = match(q, t);
                if (rest != Wild::NoMatch) {
                    if (!matchSlash || rest != Wild::AbortToStarStar) {
                        return rest;
                    }
                } else if (!matchSlash && m_txt[t] == U'/') {
                    return Wild::AbortToStarStar;
                }
            }
            return Wild::AbortAll;
        }
        default:
            if (!sameChar(pc, tc, m_fold)) {
                return Wild::NoMatch;
            }
            continue;
        }
    }
    return t < m_tn ? Wild::NoMatch : Wild::Match;
}

// git's trim_trailing_spaces: drops trailing spaces that no backslash escapes.
QString trimTrailingSpaces(const QString &pattern)
{
    qsizetype lastSpace = -1;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern.at(i);
        if (c == u' ') {
            if (lastSpace < 0) {
                lastSpace = i;
            }
            continue;
        }
        if (c == u'\\') {
            ++i;
            if (i >= pattern.size()) {
                return pattern;
            }
        }
        lastSpace = -1;
    }
    return lastSpace < 0 ? pattern : pattern.left(lastSpace);
}

// What is wrong with a glob's syntax, or an empty string. The matcher reads the pattern from
// left to right whatever the text, so a set it would fail to read makes the pattern match
// nothing at all.
QString globSyntaxProblem(const std::u32string &glob)
{
    const qsizetype n = qsizetype(glob.size());
    for (qsizetype p = 0; p < n; ++p) {
        const char32_t c = glob[size_t(p)];
        if (c == U'\\') {
            if (++p >= n) {
                return Tr::tr("it ends with a lone \\ (write \\\\ for a backslash)");
            }
            continue;
        }
        if (c != U'[') {
            continue;
        }
        qsizetype end = p;
        std::u32string badClass;
        switch (matchSet(glob.data(), n, p, U'a', false, &end, &badClass)) {
        case SetResult::Match:
        case SetResult::NoMatch:
            p = end;
            continue;
        case SetResult::Unclosed:
            return Tr::tr("the [ has no closing ] (write \\[ for a literal bracket)");
        case SetResult::BadClass:
            return Tr::tr(
                       "[:%1:] is not a character class (alnum, alpha, blank, cntrl, digit, graph, lower, print, "
                       "punct, space, upper, xdigit)")
                .arg(QString::fromUcs4(badClass.data(), int(badClass.size())));
        }
    }
    return {};
}

qsizetype simpleLength(const std::u32string &glob)
{
    qsizetype length = 0;
    while (length < qsizetype(glob.size()) && !isGlobSpecial(glob[size_t(length)])) {
        ++length;
    }
    return length;
}

} // namespace

namespace pathtext {

int decodeUtf8At(const QByteArray &bytes, qsizetype index, char32_t *codePoint)
{
    const qsizetype n = bytes.size();
    if (index < 0 || index >= n) {
        return 0;
    }
    const auto *data = reinterpret_cast<const uchar *>(bytes.constData());
    const uchar lead = data[index];
    if (lead < 0x80) {
        *codePoint = lead;
        return 1;
    }
    int length = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        value = lead & 0x1F;
        minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        value = lead & 0x0F;
        minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        value = lead & 0x07;
        minimum = 0x10000;
    } else {
        return 0;
    }
    if (index + length > n) {
        return 0;
    }
    for (int k = 1; k < length; ++k) {
        const uchar next = data[index + k];
        if ((next & 0xC0) != 0x80) {
            return 0;
        }
        value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
        return 0;
    }
    *codePoint = value;
    return length;
}

bool isValidUtf8(const QByteArray &bytes)
{
    char32_t c = 0;
    for (qsizetype i = 0; i < bytes.size();) {
        const int length = decodeUtf8At(bytes, i, &c);
        if (length == 0) {
            return false;
        }
        i += length;
    }
    return true;
}

std::u32string decodeUtf8Lenient(const QByteArray &bytes)
{
    std::u32string result;
    result.reserve(size_t(bytes.size()));
    char32_t c = 0;
    for (qsizetype i = 0; i < bytes.size();) {
        const int length = decodeUtf8At(bytes, i, &c);
        if (length == 0) {
            result.push_back(char32_t(0xDC00 + uchar(bytes.at(i))));
            ++i;
        } else {
            result.push_back(c);
            i += length;
        }
    }
    return result;
}

char32_t foldCase(char32_t c)
{
    if (c < 0x80) {
        return lowerAscii(c);
    }
    const char32_t forms[] = {char32_t(QChar::toUpper(c)),
                              char32_t(QChar::toLower(c)),
                              char32_t(QChar::toCaseFolded(c))};
    for (const char32_t form : forms) {
        if (form < 0x80) {
            return lowerAscii(form);
        }
    }
    return char32_t(QChar::toCaseFolded(c));
}

std::u32string toCodePoints(const QString &text)
{
    std::u32string result;
    const auto ucs4 = text.toUcs4();
    result.reserve(size_t(ucs4.size()));
    for (const auto c : ucs4) {
        result.push_back(char32_t(c));
    }
    return result;
}

} // namespace pathtext

Result<PathGlobList> PathGlobList::compile(const QStringList &patterns, bool caseInsensitive)
{
    PathGlobList list;
    list.m_caseInsensitive = caseInsensitive;
    for (const QString &text : patterns) {
        const auto invalid = [&text](const QString &problem) {
            return makeError(Tr::tr("The pattern \"%1\" is not a valid gitignore-style glob: %2.").arg(text, problem),
                             ErrorKind::Invalid);
        };
        if (text.contains(QChar(0))) {
            return invalid(Tr::tr("it contains a NUL character"));
        }
        QString body = trimTrailingSpaces(text);
        if (body.isEmpty()) {
            return invalid(Tr::tr("it is empty and would match nothing; remove it"));
        }
        if (body.startsWith(u'#')) {
            return invalid(Tr::tr("a gitignore file reads it as a comment; write \\# to match a leading #"));
        }
        Pattern pattern;
        pattern.text = text;
        if (body.startsWith(u'!')) {
            pattern.negative = true;
            body.remove(0, 1);
        }
        if (body.endsWith(u'/')) {
            pattern.mustBeDirectory = true;
            body.chop(1);
        }
        if (body.isEmpty()) {
            return invalid(Tr::tr("it names no file or folder"));
        }
        pattern.baseNameOnly = !body.contains(u'/');
        if (body.startsWith(u'/')) {
            body.remove(0, 1);
        }
        pattern.glob = pathtext::toCodePoints(body);
        const QString problem = globSyntaxProblem(pattern.glob);
        if (!problem.isEmpty()) {
            return invalid(problem);
        }
        pattern.literalPrefix = simpleLength(pattern.glob);
        list.m_patterns.append(pattern);
    }
    return list;
}

QStringList PathGlobList::patterns() const
{
    QStringList result;
    for (const Pattern &pattern : m_patterns) {
        result.append(pattern.text);
    }
    return result;
}

int PathGlobList::lastMatch(const std::u32string &path,
                            qsizetype length,
                            qsizetype baseNameStart,
                            bool isDirectory) const
{
    for (qsizetype i = m_patterns.size() - 1; i >= 0; --i) {
        const Pattern &pattern = m_patterns.at(i);
        if (pattern.mustBeDirectory && !isDirectory) {
            continue;
        }
        const char32_t *glob = pattern.glob.data();
        const qsizetype globLength = qsizetype(pattern.glob.size());
        if (pattern.baseNameOnly) {
            if (WildMatcher(glob, globLength, path.data() + baseNameStart, length - baseNameStart, m_caseInsensitive)
                    .matches()) {
                return int(i);
            }
            continue;
        }
        // git's match_pathname: the literal prefix compares first, and the rest of the
        // pattern is matched as a pattern of its own.
        const qsizetype prefix = pattern.literalPrefix;
        if (prefix > length) {
            continue;
        }
        bool prefixMatches = true;
        for (qsizetype k = 0; k < prefix && prefixMatches; ++k) {
            const char32_t a = glob[k];
            const char32_t b = path[size_t(k)];
            prefixMatches = a == b || (m_caseInsensitive && pathtext::foldCase(a) == pathtext::foldCase(b));
        }
        if (!prefixMatches) {
            continue;
        }
        if (prefix == globLength && prefix == length) {
            return int(i);
        }
        if (WildMatcher(glob + prefix, globLength - prefix, path.data() + prefix, length - prefix, m_caseInsensitive)
                .matches()) {
            return int(i);
        }
    }
    return -1;
}

int PathGlobList::decidingPattern(const QByteArray &path) const
{
    if (m_patterns.isEmpty() || path.isEmpty()) {
        return -1; // the empty path names nothing
    }
    const std::u32string text = pathtext::decodeUtf8Lenient(path);
    const qsizetype length = qsizetype(text.size());
    // Parent directories first, from the root down: git does not look inside a directory
    // that is matched, so what decides for it decides for everything below.
    qsizetype baseNameStart = 0;
    for (qsizetype k = 0; k < length; ++k) {
        if (text[size_t(k)] != U'/') {
            continue;
        }
        if (k > 0) {
            const int index = lastMatch(text, k, baseNameStart, true);
            if (index >= 0 && !m_patterns.at(index).negative) {
                return index;
            }
        }
        baseNameStart = k + 1;
    }
    return lastMatch(text, length, baseNameStart, false);
}

bool PathGlobList::matches(const QByteArray &path) const
{
    const int index = decidingPattern(path);
    return index >= 0 && !m_patterns.at(index).negative;
}

QString PathGlobList::matchingPattern(const QByteArray &path) const
{
    const int index = decidingPattern(path);
    return index >= 0 ? m_patterns.at(index).text : QString();
}

} // namespace astra
