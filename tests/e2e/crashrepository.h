#pragma once

// The repository the crash tests start from: one file the path policy allows, a test command
// that passes, and a patch that changes the file.
namespace astra::test {

inline constexpr char crashConfig[] = "[policy]\nallowed = [\"src/\"]\n[tests]\ncommand = \"true\"\ntimeout_s = 60\n";
inline constexpr char crashPatch[] =
    "diff --git a/src/a.c b/src/a.c\n"
    "--- a/src/a.c\n"
    "+++ b/src/a.c\n"
    "@@ -1 +1 @@\n"
    "-int a = 1;\n"
    "+int a = 2;\n";

} // namespace astra::test
