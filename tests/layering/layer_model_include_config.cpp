// Must not compile: see tests/layering/CMakeLists.txt.
#include "config/astraconfig.h"

int layerViolation();
