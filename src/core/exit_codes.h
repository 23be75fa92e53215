#ifndef NPSBUNDLE_CORE_EXIT_CODES_H_
#define NPSBUNDLE_CORE_EXIT_CODES_H_

namespace npsbundle {

// The one table of process exit codes (README "Exit codes" mirrors it). CI
// systems gate on these, so a value, once given, never changes meaning.
// Free for later commands: 7-63; 64-78 follow sysexits.h.
enum class ExitCode : int {
  kOk = 0,              // all budgets hold (or the command succeeded)
  kBudgetExceeded = 1,  // check, diff: at least one rule failed
  kInputError = 2,      // usage error, unreadable or malformed input
  kBrowserMissing = 3,  // measure: no browser at the given or default path
  kBrowserFailed = 4,   // measure: the browser died or broke the protocol
  kMeasureTimeout = 5,  // measure: a navigation or the whole run timed out
  kMeasureImpossible = 6,  // measure: a result that cannot be true (wrong URL, nothing loaded, time <= 0)
  kInternalError = 70,  // EX_SOFTWARE: a bug in npsbundle (an unexpected exception)
  // The npm shim (npm/), not this binary, exits with these two:
  kPlatformBinaryMissing = 71,   // npm shim: no npsbundle binary for this platform
  kBinaryVersionMismatch = 72,   // npm shim: the binary's version is not the package's
  kInterrupted = 130,   // a long-running command was stopped by SIGINT
};

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_EXIT_CODES_H_
