// The allocator XNNPACK is given: the C library's, except that each fresh
// block of a megabyte or more has its pages faulted in across the module's
// thread pool before XNNPACK writes it.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

namespace bodypix {

const xnn_allocator* xnnpackAllocator();

// The pool that faults large blocks in from now on; null: none. Only set
// while no other thread calls XNNPACK: the allocator runs the pool from
// whichever thread allocates.
void faultInWith(pthreadpool_t pool);

}  // namespace bodypix
