// A one-line live status for long work on a terminal; silent when stderr is not a TTY
// (CI logs stay clean). Thread-safe.
#pragma once

#include <mutex>
#include <string>

namespace greenlight {

class StatusLine {
 public:
  explicit StatusLine(bool enabled);
  ~StatusLine();
  void set(const std::string& text);  // replaces the line
  void clear();                        // before ordinary output

  static bool stderr_is_tty();

 private:
  std::mutex mu_;
  bool enabled_;
  bool shown_ = false;
};

}  // namespace greenlight
