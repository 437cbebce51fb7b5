// Must not compile: see tests/layering/CMakeLists.txt.
#include <git2.h>

int layerViolation();
