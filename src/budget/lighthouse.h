#ifndef NPSBUNDLE_BUDGET_LIGHTHOUSE_H_
#define NPSBUNDLE_BUDGET_LIGHTHOUSE_H_

#include <string>
#include <string_view>

#include "budget/budget.h"

namespace npsbundle {

// Lighthouse performance budgets (budget.json, an array of
// {path, resourceSizes, resourceCounts, timings}), read as an npsbundle
// budget so teams whose budgets lived in Lighthouse (removed from its core in
// 2024) keep them. Mapping, applied to each entry's initial load:
//   resourceSizes script     -> initial.js  (budget KiB, gzip)
//   resourceSizes stylesheet -> initial.css (budget KiB, gzip)
//   resourceSizes total      -> initial.max (budget KiB, gzip)
//   resourceCounts total     -> initial.requests
// Lighthouse counts budgets in KiB (budget * 1024 bytes) of transfer size;
// gzip is the transfer encoding every server supports. Other resource types,
// counts other than total, timings and path entries other than the one for
// "/*" (or "/", else the first) cannot be checked from a build: each becomes
// a note in Budget::notes, never silently dropped.

// True when `json` is a JSON array at the top level (Lighthouse's form; an
// npsbundle budget is an object).
bool LooksLikeLighthouseBudget(std::string_view json);

// Throws InputError naming `display_path` and the location of a bad field:
// "budget.json: [0].resourceSizes[1].budget: expected a number of KiB".
Budget ParseLighthouseBudget(std::string_view json, const std::string& display_path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_LIGHTHOUSE_H_
