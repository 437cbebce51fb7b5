#pragma once

#include <QString>

namespace astra {

// The command that most likely runs the tests of the project in workdir, judged from the
// files at its top level (first match wins):
//   CMakeLists.txt                                   ctest --test-dir build --output-on-failure
//   pytest.ini, conftest.py, tox.ini with [pytest],
//   setup.cfg with [tool:pytest], pyproject.toml
//   with [tool.pytest                                python3 -m pytest
//   package.json with a real "test" script           npm test
//   Cargo.toml                                       cargo test
//   go.mod                                           go test ./...
//   meson.build                                      meson test -C build
//   Makefile with a test: (or else check:) target    make test / make check
// Empty when nothing matches. Files are only read, never run.
QString guessTestCommand(const QString &workdir);

// The commented `.astra.toml` that `astra init` writes: every section present, every default
// spelled out, optional settings as commented examples. Parsing it gives defaultConfig() with
// workspace.targetBranch and tests.command replaced by the arguments (an empty targetBranch
// writes the default, "main"; an empty testCommand leaves the command empty with a note).
QString defaultConfigText(const QString &targetBranch, const QString &testCommand);

} // namespace astra
