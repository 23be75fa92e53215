#ifndef NPSBUNDLE_CORE_ERROR_H_
#define NPSBUNDLE_CORE_ERROR_H_

#include <stdexcept>
#include <string>

#include "core/exit_codes.h"

namespace npsbundle {

// The one error type for bad input: a missing path, an unreadable archive, a
// malformed manifest or budget file. The message is complete and names the
// file first ("dist/.vite/manifest.json: \"_x.js\".imports[2]: unknown key");
// the CLI prints it as "npsbundle: error: <message>" and exits with
// ExitCode::kInputError. Thrown deep, caught once at the CLI boundary.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// A failure of the browser `measure` drives: missing, died, spoke malformed
// protocol, or ran out of time. Carries its own exit code (exit_codes.h);
// caught at the same CLI boundary as InputError.
class BrowserError : public std::runtime_error {
 public:
  BrowserError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_ERROR_H_
