#ifndef NPSBUNDLE_CORE_READ_FILE_H_
#define NPSBUNDLE_CORE_READ_FILE_H_

#include <optional>
#include <string>

namespace npsbundle {

// The whole of a small file read outside a build (a certificate, a routes
// file, /etc/hosts): nullopt when it cannot be opened, with errno saying why.
// A build's own files go through BundleSource instead.
std::optional<std::string> ReadSmallFile(const std::string& path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_READ_FILE_H_
