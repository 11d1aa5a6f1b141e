// The allocator XNNPACK is given: the C library's, except that each fresh
// block of a megabyte or more has its pages faulted in across the module's
// thread pool before XNNPACK writes it. And the heap's next pages, faulted
// in ahead of need.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

namespace bodypix {

const xnn_allocator* xnnpackAllocator();

// The pool that faults large blocks in from now on; null: none. Only set
// while no other thread calls XNNPACK: the allocator runs the pool from
// whichever thread allocates.
void faultInWith(pthreadpool_t pool);

// Pages the heap has yet to hand out, faulted in ahead of need by a thread
// with time to spare (while a model downloads): the headroom reaches bytes
// past the heap's current end (never nearer than before).
void setHeadroom(size_t bytes);
// Faults in up to most bytes of the headroom, growing the heap as needed;
// false once none is left. Leaves any bytes other threads meanwhile
// allocated and wrote as they were. A no-op outside WebAssembly.
bool faultInHeadroom(size_t most);
// Ends the headroom where it has been faulted in so far.
void endHeadroom();

}  // namespace bodypix
