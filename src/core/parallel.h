#ifndef NPSBUNDLE_CORE_PARALLEL_H_
#define NPSBUNDLE_CORE_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace npsbundle {

// Calls body(i) once for every i in [0, count), on up to `threads` threads
// (0: one per core; never more than `count`), the calling thread among
// them. Indices start in increasing order, so callers put the longest jobs
// first. If a call throws, no further index starts, the running ones
// finish, and the first exception is rethrown here. `body` must be safe to
// call concurrently for different indices.
void ParallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& body);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_PARALLEL_H_
