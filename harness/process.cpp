// External programs through Boost.Process. The child gets its own process
// group so that terminating it (timeout, Ctrl-C) also ends whatever a shell
// script started; the parent drains stdout/stderr with poll() while watching
// the clock and the cancel flag, so a chatty child never blocks on a full pipe.
#include "harness/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

namespace greenlight {

namespace bp = boost::process;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// How long a child has between SIGTERM and SIGKILL.
constexpr auto kTermGrace = std::chrono::seconds(2);
// How long the pipes are still read after the child exited: a background
// process it left behind may hold them open forever.
constexpr auto kDrainGrace = std::chrono::seconds(2);

// Runs in the child between fork and exec: a new process group, whose id is
// the child's pid, so killpg() reaches its descendants too. The parent sets it
// as well (on_success) so that there is no window in which a kill misses.
struct OwnProcessGroup : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);
  }
  template <class Executor>
  void on_success(Executor& e) const {
    ::setpgid(e.pid, e.pid);
  }
};

// Points the child's stdout at an already open file descriptor.
struct StdoutToFd : bp::extend::handler {
  int fd;
  explicit StdoutToFd(int f) : fd(f) {}
  template <class Executor>
  void on_exec_setup(Executor& e) const {
    if (::dup2(fd, STDOUT_FILENO) == -1) e.set_error(std::error_code(errno, std::system_category()), "dup2() failed");
  }
};

// Keeps the last `limit` bytes of a stream and counts what was cut.
class Tail {
 public:
  explicit Tail(size_t limit) : limit_(limit) {}
  void append(const char* data, size_t n) {
    total_ += n;
    buf_.append(data, n);
    // Trim only now and then: erasing the front on every read would be quadratic.
    if (buf_.size() > 2 * limit_ + 4096) buf_.erase(0, buf_.size() - limit_);
  }
  std::string take() {
    if (buf_.size() > limit_) buf_.erase(0, buf_.size() - limit_);
    size_t cut = total_ - buf_.size();
    if (cut == 0) return std::move(buf_);
    // Do not start in the middle of a UTF-8 sequence.
    size_t skip = 0;
    while (skip < buf_.size() && skip < 3 && (static_cast<unsigned char>(buf_[skip]) & 0xC0) == 0x80) ++skip;
    return "[... " + std::to_string(cut + skip) + " bytes cut]\n" + buf_.substr(skip);
  }

 private:
  size_t limit_;
  size_t total_ = 0;
  std::string buf_;
};

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// A pipe whose ends are close-on-exec: a child started concurrently by another
// thread must not inherit them, or our read end would never see EOF.
bp::pipe cloexec_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  return bp::pipe(fds[0], fds[1]);
}

bool is_executable_file(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

std::optional<fs::path> find_on_path(const std::string& program, const std::string& path_var) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (is_executable_file(program)) return fs::path(program);
    return std::nullopt;
  }
  size_t start = 0;
  while (start <= path_var.size()) {
    size_t colon = path_var.find(':', start);
    if (colon == std::string::npos) colon = path_var.size();
    std::string dir = path_var.substr(start, colon - start);
    fs::path candidate = (dir.empty() ? fs::path(".") : fs::path(dir)) / program;
    if (is_executable_file(candidate)) return candidate;
    start = colon + 1;
  }
  return std::nullopt;
}

std::string format_duration(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

// The line that says what went wrong: the last one mentioning an error (psql
// and pg_restore print context lines after it), else the last one.
std::string telling_line(const std::string& text) {
  std::string last, last_error;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) {
      last = line;
      std::string low = line;
      for (char& c : low) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (low.find("error") != std::string::npos || low.find("fatal") != std::string::npos) last_error = line;
    }
    pos = nl + 1;
  }
  return last_error.empty() ? last : last_error;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGKILL: return "SIGKILL";
    case SIGINT: return "SIGINT";
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGPIPE: return "SIGPIPE";
    case SIGHUP: return "SIGHUP";
    case SIGBUS: return "SIGBUS";
    default: return "signal " + std::to_string(sig);
  }
}

void drain(int& fd, Tail& sink, char* buf, size_t bufsize) {
  for (;;) {
    ssize_t n = ::read(fd, buf, bufsize);
    if (n > 0) {
      sink.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    ::close(fd);  // EOF or a read error: nothing more will come
    fd = -1;
    return;
  }
}

}  // namespace

std::string ProcessResult::failure() const {
  std::string name = program.empty() ? "the command" : fs::path(program).filename().string();
  if (cancelled) return name + " was cancelled (interrupted) after " + std::to_string(static_cast<int>(seconds)) + "s";
  if (timed_out) return name + " timed out after " + format_duration(timeout);
  if (exit_code == 0) return "";
  std::string why = telling_line(err);
  if (why.empty()) why = telling_line(out);
  std::string head = exit_code > 128 && exit_code < 128 + 65
                         ? name + " was killed by " + signal_name(exit_code - 128) + " (exit code " + std::to_string(exit_code) + ")"
                         : name + " exited with " + std::to_string(exit_code);
  return why.empty() ? head + " and printed nothing" : head + ": " + why;
}

std::optional<fs::path> find_program(const std::string& program, const std::optional<std::string>& path) {
  if (path) return find_on_path(program, *path);
  const char* env_path = std::getenv("PATH");
  return find_on_path(program, env_path ? env_path : "");
}

ProcessResult run_process(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) throw std::invalid_argument("run_process: no program given");
  const std::string& program = spec.argv.front();

  // A PATH given in the spec's environment is the one the child would search, so use it.
  std::string path_var;
  if (auto it = spec.env.find("PATH"); it != spec.env.end())
    path_var = it->second;
  else if (const char* p = std::getenv("PATH"))
    path_var = p;
  fs::path exe;
  if (program.find('/') != std::string::npos) {
    exe = program;
    fs::path resolved = exe.is_absolute() || spec.cwd.empty() ? exe : spec.cwd / exe;
    std::error_code ec;
    if (!fs::exists(resolved, ec))
      throw std::runtime_error("cannot start " + program + ": " + resolved.string() + " does not exist");
    if (!is_executable_file(resolved))
      throw std::runtime_error("cannot start " + program + ": " + resolved.string() +
                               " is not an executable file (chmod +x?)");
  } else {
    auto found = find_on_path(program, path_var);
    if (!found) throw std::runtime_error("cannot start " + program + ": not found on PATH");
    exe = *found;
  }

  bp::environment env = boost::this_process::environment();
  // set(), not env[k]: Boost 1.74's environment::find (behind operator[])
  // compares KEY= against shorter entries past their end (ASan: heap overflow).
  for (const auto& [k, v] : spec.env) env.set(k, v);
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  boost::filesystem::path start_dir = spec.cwd.empty() ? boost::filesystem::current_path()
                                                       : boost::filesystem::path(spec.cwd.string());

  ProcessResult result;
  result.program = program;
  result.timeout = spec.timeout;
  Tail out(spec.output_limit), err(spec.output_limit);

  bp::pipe err_pipe = cloexec_pipe();
  std::optional<bp::pipe> out_pipe;
  Fd out_file;
  if (spec.stdout_file) {
    out_file.fd = ::open(spec.stdout_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out_file.fd < 0)
      throw std::runtime_error("cannot start " + program + ": cannot write its output to " +
                               spec.stdout_file->string() + ": " + std::strerror(errno));
  } else {
    out_pipe = cloexec_pipe();
  }

  const auto started = Clock::now();
  bp::child child;
  try {
    if (out_pipe)
      child = bp::child(boost::filesystem::path(exe.string()), bp::args(args), env, bp::start_dir(start_dir),
                        bp::std_in < bp::null, bp::std_out > *out_pipe, bp::std_err > err_pipe, OwnProcessGroup{});
    else
      child = bp::child(boost::filesystem::path(exe.string()), bp::args(args), env, bp::start_dir(start_dir),
                        bp::std_in < bp::null, StdoutToFd{out_file.fd}, bp::std_err > err_pipe, OwnProcessGroup{});
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot start " + program + " (" + exe.string() + "): " + e.what());
  }
  out_file.close();  // the child has its copy

  // Only the read ends are left in this process (bp closed the write ends).
  Fd err_fd(err_pipe.native_source());
  err_pipe.assign_source(-1);
  Fd out_fd;
  if (out_pipe) {
    out_fd.fd = out_pipe->native_source();
    out_pipe->assign_source(-1);
  }
  for (int fd : {err_fd.fd, out_fd.fd})
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  const pid_t pgid = child.id();
  const auto deadline = started + spec.timeout;
  bool exited = false;
  Clock::time_point exited_at{};
  std::optional<Clock::time_point> kill_at;  // set once SIGTERM went out
  bool killed = false;
  std::vector<char> buf(64 * 1024);

  for (;;) {
    if (!exited) {
      std::error_code ec;
      bool running = child.running(ec);
      if (ec || !running) {
        exited = true;
        exited_at = Clock::now();
        result.seconds = std::chrono::duration<double>(exited_at - started).count();
      }
    }
    const auto now = Clock::now();
    if (!kill_at && !exited) {
      if (now >= deadline) result.timed_out = true;
      if (spec.cancel && spec.cancel->load()) result.cancelled = true;
      if (result.timed_out || result.cancelled) {
        ::killpg(pgid, SIGTERM);
        kill_at = now + kTermGrace;
      }
    }
    // SIGKILL also after the leader died: its descendants may ignore SIGTERM.
    if (kill_at && !killed && now >= *kill_at) {
      ::killpg(pgid, SIGKILL);
      killed = true;
    }
    bool pipes_open = err_fd.fd >= 0 || out_fd.fd >= 0;
    if (exited && (!pipes_open || now - exited_at >= kDrainGrace)) break;

    pollfd fds[2];
    int nfds = 0;
    for (int fd : {out_fd.fd, err_fd.fd})
      if (fd >= 0) fds[nfds++] = pollfd{fd, POLLIN, 0};
    if (nfds > 0) {
      int r = ::poll(fds, nfds, 20);
      if (r < 0 && errno != EINTR) break;
      if (out_fd.fd >= 0) drain(out_fd.fd, out, buf.data(), buf.size());
      if (err_fd.fd >= 0) drain(err_fd.fd, err, buf.data(), buf.size());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (kill_at && !killed) ::killpg(pgid, SIGKILL);  // the leader went; leave none of its group behind

  const int status = child.native_exit_code();
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  result.out = out.take();
  result.err = err.take();
  return result;
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // '' makes an (empty) word too
  size_t i = 0;
  const size_t n = command.size();
  auto fail = [&](const std::string& why, size_t at) {
    throw std::invalid_argument("command '" + command + "': " + why + " at character " + std::to_string(at + 1));
  };
  auto shell_only = [&](size_t at, const std::string& what) {
    fail(what + " needs a shell, which greenlight does not start: write the command as sh -c '...' or put it in a script",
         at);
  };
  while (i < n) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string::npos) fail("unterminated single quote", i);
      word += command.substr(i + 1, close - i - 1);
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      size_t open = i++;
      in_word = true;
      for (;;) {
        if (i >= n) fail("unterminated double quote", open);
        char d = command[i];
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < n && std::strchr("$`\"\\\n", command[i + 1])) {
          if (command[i + 1] != '\n') word += command[i + 1];
          i += 2;
          continue;
        }
        if (d == '$' || d == '`') shell_only(i, std::string("'") + d + "' (expansion)");
        word += d;
        ++i;
      }
    } else if (c == '\\') {
      if (i + 1 >= n) fail("a lone backslash ends the command", i);
      if (command[i + 1] != '\n') {  // backslash-newline continues the line
        word += command[i + 1];
        in_word = true;
      }
      i += 2;
    } else if (c == '#' && !in_word) {
      shell_only(i, "'#' (a comment)");
    } else if (std::strchr("|&;<>()`$", c)) {
      shell_only(i, std::string("'") + c + "'");
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace greenlight
