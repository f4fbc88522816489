// Signal handler that only sets an atomic flag (async-signal-safe).
#include "harness/interrupt.h"

#include <csignal>
#include <unistd.h>

namespace greenlight {

namespace {
std::atomic<bool> g_interrupted{false};

void on_signal(int sig) {
  if (g_interrupted.exchange(true)) _exit(128 + sig);
  const char msg[] = "\ngreenlight: interrupted, finishing checks in flight and writing reports (Ctrl-C again to quit now)\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}
}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>& interrupt_flag() { return g_interrupted; }

}  // namespace greenlight
