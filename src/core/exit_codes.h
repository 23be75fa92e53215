#ifndef NPSBUNDLE_CORE_EXIT_CODES_H_
#define NPSBUNDLE_CORE_EXIT_CODES_H_

namespace npsbundle {

// The process exit codes of every subcommand. CI systems gate on these, so
// their values are part of the public interface and never change.
enum class ExitCode : int {
  kOk = 0,              // all budgets hold (or the command succeeded)
  kBudgetExceeded = 1,  // check: at least one rule failed
  kInputError = 2,      // usage error, unreadable or malformed input
  kBrowserMissing = 3,  // measure: no browser at the given or default path
  kBrowserFailed = 4,   // measure: the browser died or broke the protocol
  kMeasureTimeout = 5,  // measure: a navigation or the whole run timed out
  kInterrupted = 130,   // a long-running command was stopped by SIGINT
};

inline int ToInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_EXIT_CODES_H_
