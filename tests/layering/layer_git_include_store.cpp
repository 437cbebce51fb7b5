// Must not compile: see tests/layering/CMakeLists.txt.
#include "store/ledger.h"

int layerViolation();
