// Ctrl-C handling: the first SIGINT/SIGTERM asks the run to stop gracefully
// (suites finish what is in flight, reports are still written); a second one exits at once.
#pragma once

#include <atomic>

namespace greenlight {

void install_interrupt_handler();
const std::atomic<bool>& interrupt_flag();

}  // namespace greenlight
