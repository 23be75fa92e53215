#ifndef NPSBUNDLE_BUDGET_INIT_H_
#define NPSBUNDLE_BUDGET_INIT_H_

#include <string>

#include "budget/analysis.h"

namespace npsbundle {

// A starter budget file (JSON, schema version 1) for the measured build:
// limits at today's sizes plus `headroom` (0.10 = 10 %), rounded up to whole
// kB; its vendor chunks (chunk names containing "vendor"), its lazy pages
// (dynamic entries from the app's own sources) and their routes left for
// the user to fill in. `report` must come from a check with no size rules,
// so that it measured everything.
std::string StarterBudget(const CheckReport& report, double headroom);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_INIT_H_
