// Must not compile: see tests/layering/CMakeLists.txt.
#include "git/gitrepository.h"

int layerViolation();
