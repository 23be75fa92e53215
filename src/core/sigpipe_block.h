#ifndef NPSBUNDLE_CORE_SIGPIPE_BLOCK_H_
#define NPSBUNDLE_CORE_SIGPIPE_BLOCK_H_

#include <pthread.h>
#include <signal.h>

namespace npsbundle {

// Blocks SIGPIPE on the calling thread for the life of the object. A write
// to a pipe or socket whose reader has gone raises SIGPIPE, which kills the
// process by default; sendfile(2) and write(2) have no MSG_NOSIGNAL. While
// blocked, the write fails with EPIPE instead, and the signal it raised is
// consumed before the old mask comes back (unless the caller had SIGPIPE
// blocked already: then a pending one is the caller's).
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    if (sigismember(&previous_, SIGPIPE) == 0 && sigpending(&pending) == 0 &&
        sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, previous_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_SIGPIPE_BLOCK_H_
