#ifndef NPSBUNDLE_CORE_ATOMIC_FILE_H_
#define NPSBUNDLE_CORE_ATOMIC_FILE_H_

#include <string>
#include <string_view>

namespace npsbundle {

// The infix of the temporary names WriteFileAtomically uses:
// "<path>.tmp-<pid>-<n>". Exposed so a folder walk can skip (or clean up)
// the leftovers of a killed run.
inline constexpr std::string_view kAtomicTempInfix = ".tmp-";

// How far a write must survive. kDurable fsyncs before the rename, so even
// a power loss leaves the old file or the whole new one: for what users
// keep (reports, budgets, configs, compressed variants). kCache skips the
// fsync (it costs milliseconds on every `check` under disk load): a crash of
// the process still never shows a torn file, a power loss may leave an
// empty one, which a cache must survive anyway (the size cache checks its
// header and every line).
enum class WriteDurability { kDurable, kCache };

// Writes `data` to `path` so that readers, and a crash at any point, see the
// old file or the whole new one, never a torn one: the data goes to a
// temporary file in the same folder, is fsync'ed (kDurable), and is renamed
// over `path`. A new file gets mode 0666 & ~umask; a replaced one keeps its
// mode. A symlink keeps pointing where it did (its target is replaced), and a
// path that is not a regular file (/dev/null, /dev/stdout, a FIFO) is
// written in place, since no rename can be atomic there.
// Throws InputError "<display>: cannot write file: <reason>" (display
// defaults to `path`) and leaves no temporary file behind. Thread-safe.
void WriteFileAtomically(const std::string& path, std::string_view data, const std::string& display = "",
                         WriteDurability durability = WriteDurability::kDurable);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_ATOMIC_FILE_H_
