#ifndef CMALLOCINFO_SHIM_H
#define CMALLOCINFO_SHIM_H

/* Swift's Glibc module does not import <malloc.h>: this header exposes the one figure
   `cachectl bench memory` reads, so no library is linked and other platforms build it too. */

#if defined(__linux__)
#include <malloc.h>
#endif

/** Bytes the allocator has handed out and not had back: mallinfo2()'s uordblks (in use in
    the arenas) plus hblkhd (in mmapped chunks). -1 without glibc 2.33 or later. */
static inline long long cmallocinfo_heap_in_use(void) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    return (long long)(info.uordblks + info.hblkhd);
#else
    return -1;
#endif
}

#endif
