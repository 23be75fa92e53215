#ifndef NPSBUNDLE_ERROR_H_
#define NPSBUNDLE_ERROR_H_

#include <stdexcept>
#include <string>

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

}  // namespace npsbundle

#endif  // NPSBUNDLE_ERROR_H_
