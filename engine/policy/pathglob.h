#pragma once

#include "base/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <string>

namespace astra {

// Text helpers shared by the glob matcher and the path policy. Paths are UTF-8 bytes.
namespace pathtext {

// The length of the shortest-form UTF-8 sequence that starts at bytes[index] (1 to 4) with its
// code point in *codePoint, or 0 when the bytes there are not one: a stray continuation byte,
// a truncated sequence, an overlong form, a UTF-16 surrogate or a value above U+10FFFF.
int decodeUtf8At(const QByteArray &bytes, qsizetype index, char32_t *codePoint);

// True when every byte of `bytes` belongs to a valid shortest-form sequence (as above).
bool isValidUtf8(const QByteArray &bytes);

// The code points of `bytes`. A byte that starts no valid sequence comes out on its own as
// U+DC80 + (byte - 0x80): a value valid UTF-8 never decodes to, so no invalid path decodes
// to the same text as a valid one.
std::u32string decodeUtf8Lenient(const QByteArray &bytes);

// A case fold that errs towards "the same": when the simple upper, lower or folded form of
// `c` is ASCII, the ASCII lower case of it (so U+0131 DOTLESS I, U+017F LONG S and U+212A
// KELVIN SIGN fold like i, s and k, as some file systems' upcase tables treat them);
// otherwise the simple Unicode case folding.
char32_t foldCase(char32_t c);

// The code points of `text`.
std::u32string toCodePoints(const QString &text);

} // namespace pathtext

// One gitignore-style pattern list, with the matching rules of gitignore(5) as git itself
// implements them (dir.c and wildmatch.c):
// - later patterns win; "!" negates; "\" escapes the next character ("\!", "\#", "\ ");
// - trailing unescaped spaces are dropped;
// - a trailing "/" matches directories only, and so everything below a matching directory;
// - a pattern without any other "/" matches a name at any depth; a leading or middle "/"
//   anchors it to the root;
// - "*", "?" and "[...]" never match "/"; "[!...]" and "[^...]" negate a set; "[:alpha:]"
//   and the other POSIX classes (ASCII only) may appear in a set;
// - "**" between slashes, at the start before a "/", or at the end after a "/" matches any
//   number of directories; any other "**" is a "*";
// - a path is matched when one of its parent directories is, as git never looks inside an
//   ignored directory: a later "!" pattern cannot bring back a file below a matched directory.
//
// Characters are Unicode code points (gitignore(5) speaks of characters; git itself counts
// bytes, which differs only for "?" and "[...]" against non-ASCII text). With
// caseInsensitive, characters compare by pathtext::foldCase, inside sets too.
//
// Paths are '/'-separated and relative. Every directory on the way is a directory and the
// path itself is a file: a policy checks blobs, never trees.
//
// Unlike a .gitignore file, a pattern list refuses what can only be a mistake: an empty
// pattern, a "#" comment, a lone "!" or "/", a trailing lone "\", a "[" without its "]",
// an unknown "[:class:]" and NUL.
class PathGlobList
{
public:
    // An empty list: matches nothing.
    PathGlobList() = default;

    // An invalid pattern is an ErrorKind::Invalid error that quotes it and says what is wrong.
    static Result<PathGlobList> compile(const QStringList &patterns, bool caseInsensitive = false);

    bool isEmpty() const
    {
        return m_patterns.isEmpty();
    }
    bool isCaseInsensitive() const
    {
        return m_caseInsensitive;
    }
    QStringList patterns() const;

    // True when the last pattern that applies to `path` (or to one of its parent directories)
    // is not a negation.
    bool matches(const QByteArray &path) const;
    // The pattern that decided, as given to compile() (with its "!" when it is a negation),
    // or an empty string when no pattern applies. matches(path) is true exactly when this is
    // not empty and does not start with "!".
    QString matchingPattern(const QByteArray &path) const;

private:
    struct Pattern
    {
        QString text; // as given
        std::u32string glob; // without "!", the trailing "/" and an anchoring leading "/"
        qsizetype literalPrefix = 0; // leading characters free of * ? [ and backslash
        bool negative = false;
        bool mustBeDirectory = false;
        bool baseNameOnly = false; // no "/" in the pattern: matches the last component
    };

    // The index of the deciding pattern, or -1.
    int decidingPattern(const QByteArray &path) const;
    int lastMatch(const std::u32string &path, qsizetype length, qsizetype baseNameStart, bool isDirectory) const;

    QList<Pattern> m_patterns;
    bool m_caseInsensitive = false;
};

} // namespace astra
