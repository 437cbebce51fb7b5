#pragma once

// Internal to astra-engine (includes git2.h through git.h).

#include "git/git.h"

#include <QList>

namespace astra::git {

// One file the change deleted (`source`) paired with one it added (`target`), both as delta
// indices of the diff the pairing was found on; `score` out of renameMaxScore.
struct RenamePair
{
    size_t source = 0;
    size_t target = 0;
    int score = 0;
};

inline constexpr int renameMaxScore = 60000;

struct RenameOptions
{
    // git's -M default: 50 %. renameMaxScore asks for exact renames only.
    int minimumScore = renameMaxScore / 2;
    // git's diff.renameLimit: similarity is not estimated when more than limit × limit pairs
    // of sources and targets are left after the exact and the same-name renames.
    int renameLimit = 1000;
};

struct Renames
{
    QList<RenamePair> pairs;
    int exact = 0; // how many of `pairs` have identical content
    bool limitReached = false; // similarity was not estimated: too many candidates
};

// The renames `git diff -M` finds between the deleted and the added files of `diff` (a diff
// found with no rename detection), by git's own method and measure: identical content first
// (a source with the target's name preferred), then files whose names are unique on both
// sides and alike at 75 % or more, then, within the rename limit, the best pairs of the rest
// by git's similarity estimate (the share of the larger file's bytes, in runs cut at line ends
// or every 64 bytes, that both have). Only regular files are paired: libgit2 cannot make a
// symbolic link or a submodule a rename.
Result<Renames> findRenames(git_repository *repo, git_diff *diff, const RenameOptions &options = {});

// Makes the pairs of `renames` the renamed deltas of `diff` (libgit2's git_diff_find_similar,
// with a measure that knows only those pairs). Every later reader of the diff — patches,
// git_apply — sees the renames git shows.
Status applyRenames(git_diff *diff, const Renames &renames);

// Both: the diff a person reads, with git's renames.
Status findAndApplyRenames(git_repository *repo, git_diff *diff, const RenameOptions &options = {});

} // namespace astra::git
