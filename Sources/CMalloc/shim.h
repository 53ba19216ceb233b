#ifndef KS_CMALLOC_SHIM_H
#define KS_CMALLOC_SHIM_H
/* glibc's malloc tuning, which Swift's Glibc module does not export. Elsewhere no-ops. */
#if defined(__linux__)
#include <features.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
static inline int ks_malloc_trim(void) { return malloc_trim(0); }
/* Blocks of at least `bytes` get mappings of their own, returned to the kernel when freed.
   Setting it also stops glibc from raising the threshold to each freed mapping's size. */
static inline int ks_malloc_set_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
#else
static inline int ks_malloc_trim(void) { return 0; }
static inline int ks_malloc_set_mmap_threshold(int bytes) { (void)bytes; return 0; }
#endif
#endif
