// Must not compile: see tests/layering/CMakeLists.txt.
#include "store/database.h"

int layerViolation();
