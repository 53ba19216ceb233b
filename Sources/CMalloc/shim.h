#ifndef KS_CMALLOC_SHIM_H
#define KS_CMALLOC_SHIM_H
/* glibc's malloc_trim, which Swift's Glibc module does not export. Elsewhere a no-op. */
#if defined(__linux__)
#include <features.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
static inline int ks_malloc_trim(void) { return malloc_trim(0); }
#else
static inline int ks_malloc_trim(void) { return 0; }
#endif
#endif
