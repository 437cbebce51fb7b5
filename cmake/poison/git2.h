// Only the git layer (engine/git) includes libgit2. Everything else reaches git through its
// wrappers, so that one library holds every libgit2 call, its error handling and its threading
// rules. This header stands first on every other target's include path.
#error "git2.h is included outside engine/git: call the git layer's wrappers instead (docs/architecture.md)"
