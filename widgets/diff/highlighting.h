#pragma once

#include <QString>

namespace astra {

// Whether this build has language highlighting (KSyntaxHighlighting of the same Qt major
// version). Without it the diff viewer still colours additions, removals and intra-line
// changes, and says so in its header.
class Highlighting
{
public:
    static bool available();
    // "KSyntaxHighlighting (N syntax definitions)" or why it is unavailable.
    static QString description();
    // The library's version ("5.103.0"); empty when unavailable.
    static QString version();
};

} // namespace astra
