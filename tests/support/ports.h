// Loopback ports for servers started by tests: find a free one, and wait
// until something accepts on one.
#pragma once

#include <chrono>

namespace greenlight::test {

// A port that was free a moment ago (bound to 127.0.0.1:0, then closed).
// Another process may take it before the caller does; tests accept that tiny race.
unsigned short free_port();

// Whether 127.0.0.1:port accepts a TCP connection within `timeout`.
bool wait_for_port(unsigned short port, std::chrono::milliseconds timeout);

}  // namespace greenlight::test
