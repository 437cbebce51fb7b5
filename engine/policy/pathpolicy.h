#pragma once

#include "base/result.h"
#include "config/astraconfig.h"
#include "policy/pathglob.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QSet>
#include <QString>

#include <optional>

namespace astra {

struct PolicyLimits
{
    qint64 maxFileBytes = 100 * 1024; // the largest new blob; PathPolicy::create takes it from max_file_kb
    int maxFiles = 200; // changes in one change set (a rename counts once)
    qint64 maxTotalBytes = 5 * 1024 * 1024; // the sum of the new blobs' sizes
};

// The rules of the path policy, in the order checkPath() applies them to one path.
enum class PolicyRule
{
    NotCanonical, // absolute, empty / "." / ".." component, trailing "/", too long, or a name Windows would alter
    ForbiddenCharacter, // NUL, control, bidi-control, zero-width, HFS-ignorable, private-use, unassigned, "\", ":"
    NotUtf8Nfc, // not valid UTF-8, or not in Unicode NFC
    GitDirectory, // a component that is ".git" or an alias of it (case, 8.3 name, trailing dots, ignorables)
    AlwaysForbidden, // .gitmodules, .gitattributes, .astra.toml or an alias, at any depth
    Forbidden, // matched by policy.forbidden
    NotAllowed, // not matched by a non-empty policy.allowed
    ThroughSymlink, // through or to a symbolic link of the base tree or of the change set
    ThroughSubmodule, // through or to a submodule (gitlink) of the base tree or of the change set
    NewSymlink,
    NewSubmodule,
    ModeChange, // to or from a symlink or gitlink, or to a mode git does not write for a blob
    FileTooLarge,
    TooManyFiles,
    TooManyBytes,
    BeyondScope, // a file outside what the change was asked to touch, with [policy] scope = "refuse"
    TooManyChangedLines, // more lines added and deleted than [policy] max_changed_lines
};

// The stable snake_case name the ledger records: "not_canonical", "forbidden_character", ...
QString policyRuleName(PolicyRule rule);

struct PolicyViolation
{
    QByteArray path; // empty for the rules about the whole change set
    PolicyRule rule = PolicyRule::NotCanonical;
    // Names the path (as quotedPath() writes it), the rule and what to do instead.
    QString message;
};

struct PathChange
{
    enum class Kind
    {
        Add,
        Modify,
        Delete,
        Rename,
    };

    Kind kind = Kind::Add;
    QByteArray path; // Rename: the destination
    QByteArray oldPath; // Rename: the source
    // Git file modes: 0100644, 0100755, 0120000 (symlink), 0160000 (gitlink); 0 = absent.
    quint32 oldMode = 0;
    quint32 newMode = 0;
    qint64 newSize = 0;
};

// What the policy must know about the base tree: the paths of its symlinks and submodules.
struct BaseTreeFacts
{
    QSet<QByteArray> symlinks;
    QSet<QByteArray> submodules;
};

// `path` between double quotes, readable whatever it holds: \" and \\ for quote and backslash,
// \n \r \t and \xHH for control characters and bytes that are not UTF-8, \u{HHHH} for
// invisible, bidi-control, unassigned and private-use characters and non-ASCII spaces.
// With escapeNonAscii every non-ASCII character is written as \u{HHHH}. Paths longer than
// 300 characters are shortened in the middle.
QString quotedPath(const QByteArray &path, bool escapeNonAscii = false);

// The path policy of DESIGN.md ("Code access"). It accepts only paths that are already
// canonical and never normalises a path to accept it.
//
// checkPath() applies, in this order (the first broken rule is reported):
// 1. NotCanonical for the empty path and one longer than 4096 bytes, NotUtf8Nfc for bytes that
//    are not valid UTF-8;
// 2. GitDirectory / AlwaysForbidden: a component (split at "/" and "\") that a file system
//    could take for .git, .gitmodules, .gitattributes or .astra.toml: compared after dropping
//    control, format and HFS-ignorable characters, in NFC, case-folded (pathtext::foldCase),
//    ignoring trailing dots and spaces and an NTFS stream suffix (":..."), and including the
//    8.3 short names git's is_ntfs_dotgit* check (git~1, gitmod~1, gi7eba~1, gitatt~1,
//    gi7d29~1, ...) and ASTRA~N.TOM / ASxxxx~N.TOM;
// 3. NotCanonical: a leading or trailing "/", a component longer than 255 bytes, an empty, "."
//    or ".." component;
// 4. ForbiddenCharacter: C0, DEL, C1, "\", ":", the bidi controls, zero-width and HFS-ignorable
//    code points and Unicode's other default-ignorable ones, and every character of the
//    categories Cc, Cf, Cs, Co, Cn, Zl and Zp;
// 5. NotCanonical: a component ending in "." or " " (Windows drops them);
// 6. NotUtf8Nfc: not in NFC;
// 7. Forbidden: policy.forbidden matches (case-insensitively, so that "Config/x" cannot slip
//    past "config/" on a case-insensitive file system);
// 8. NotAllowed: policy.allowed is not empty and does not match (case-sensitively).
class PathPolicy
{
public:
    // Compiles the globs (an invalid one is an ErrorKind::Invalid error naming the key and the
    // pattern). config.maxFileKb, when positive, sets limits.maxFileBytes; the workspace's
    // max_files and max_total_kb come in `limits` (policyLimitsFor()).
    static Result<PathPolicy> create(const PolicySection &config, PolicyLimits limits = {});

    const PolicyLimits &limits() const
    {
        return m_limits;
    }

    // The first rule `path` breaks (see above), or nothing when a change may write it.
    std::optional<PolicyViolation> checkPath(const QByteArray &path) const;

    // Every violation of every change, in change order, then those of the whole set:
    // - checkPath() on every path of every change: both ends of a rename, deletions too;
    // - ThroughSymlink / ThroughSubmodule: a path, or one of its parent directories, is a
    //   symlink or submodule of the base tree or one that another change of the set creates;
    //   compared like the .git aliases (case, ignorables, NFC, trailing dots and spaces, stream
    //   suffixes), since a case-insensitive checkout resolves "A/x" through a symlink "a"
    //   (CVE-2021-21300, CVE-2023-23946, CVE-2024-32002), and with ".." taken both as a name and
    //   as a step up. Changing, deleting or renaming a symlink or submodule is refused as well,
    //   also when only the change's oldMode says it is one;
    // - NewSymlink / NewSubmodule: a symlink or gitlink where there was none (an add, a
    //   rename, or a mode change);
    // - ModeChange: a change of mode to or from 0120000 or 0160000, or a new mode other than
    //   0100644, 0100755, 0120000 and 0160000;
    // - FileTooLarge: newSize above limits().maxFileBytes (not for deletions);
    // - TooManyFiles: more changes than limits().maxFiles;
    // - TooManyBytes: the new sizes add up to more than limits().maxTotalBytes.
    // A path and rule are reported once.
    QList<PolicyViolation> checkChanges(const QList<PathChange> &changes, const BaseTreeFacts &base) const;

private:
    PathPolicy() = default;

    PathGlobList m_allowed;
    PathGlobList m_forbidden;
    PolicyLimits m_limits;
};

} // namespace astra

Q_DECLARE_METATYPE(astra::PolicyViolation)
Q_DECLARE_METATYPE(astra::PathChange)
