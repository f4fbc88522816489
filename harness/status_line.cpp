// Carriage-return redraw of a single status line on stderr.
#include "harness/status_line.h"

#include <cstdio>
#include <unistd.h>

namespace greenlight {

StatusLine::StatusLine(bool enabled) : enabled_(enabled) {}
StatusLine::~StatusLine() { clear(); }

bool StatusLine::stderr_is_tty() { return isatty(STDERR_FILENO) == 1; }

void StatusLine::set(const std::string& text) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  std::string line = text.size() > 100 ? text.substr(0, 99) + "…" : text;
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
}

void StatusLine::clear() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (shown_) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace greenlight
