// SigpipeBlock turns a write to a pipe without a reader into EPIPE, leaves
// no SIGPIPE pending, and restores the thread's signal mask.

#include "core/sigpipe_block.h"

#include <unistd.h>

#include <cerrno>

#include <catch2/catch.hpp>

namespace npsbundle::testing {
namespace {

bool Blocked() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

TEST_CASE("sigpipe block: EPIPE instead of a signal, nothing left pending", "[sigpipe_block]") {
  REQUIRE_FALSE(Blocked());
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  close(fds[0]);
  {
    SigpipeBlock block;
    CHECK(Blocked());
    // Without the block this write ends the test binary.
    CHECK(write(fds[1], "x", 1) == -1);
    CHECK(errno == EPIPE);
  }
  close(fds[1]);
  CHECK_FALSE(Blocked());
  sigset_t pending;
  REQUIRE(sigpending(&pending) == 0);
  CHECK(sigismember(&pending, SIGPIPE) == 0);
}

}  // namespace
}  // namespace npsbundle::testing
