// The shims are header-only (static inline); this file gives SwiftPM a C target to build.
#include "OptimizersShims.h"
