// Must not compile: see tests/layering/CMakeLists.txt.
#include "workspace/workspace.h"

int layerViolation();
