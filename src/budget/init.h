#ifndef NPSBUNDLE_BUDGET_INIT_H_
#define NPSBUNDLE_BUDGET_INIT_H_

#include <string>

#include "budget/analysis.h"

namespace npsbundle {

// A starter budget file (JSON, schema version 1) that the measured build
// passes, and that the next build of the same app still recognises:
//  - every limit is today's size plus `headroom` (0.10 = 10 %), rounded up
//    to whole kB: the largest initial load; each chunk of the app (by its
//    manifest source key, chunk name, or a path glob with the hash as '*')
//    and each lazy page of the app (by manifest key) on its own; chunks and
//    pages of libraries (keys under node_modules/) and chunks added later
//    under the app-neutral defaults (DefaultBudget), raised to the largest
//    such chunk or page when that is bigger;
//  - labels never name a hashed file, so a rebuild does not orphan them;
//  - vendorChunks lists only chunks named "*vendor*" that are separate files
//    of an initial load (a lazily loaded vendor chunk would fail the rule);
//  - lazyPages lists the app's dynamic entries outside every initial load.
// `report` must come from a check with no size rules, so that it measured
// everything.
std::string StarterBudget(const CheckReport& report, double headroom);

// The label a budget uses for a file that may be rebuilt under another
// hash: "assets/index-CNgsl1pN.css" -> "assets/index-*.css"; a path without
// a Vite content hash is returned as is.
std::string HashFreeGlob(const std::string& path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_INIT_H_
