// run_process against real programs (sh, sleep, cat): exit codes and signals,
// bounded capture that keeps the tail, streaming to a file, the environment,
// timeouts and the cancel flag ending a whole process tree quickly, clear
// errors for programs that cannot start; split_command's shell-like words.
#include <catch2/catch.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/process.h"
#include "tests/support/command.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

ProcessResult sh(const std::string& script, std::chrono::milliseconds timeout = 30s) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", script};
  spec.timeout = timeout;
  return run_process(spec);
}

// Alive and not a zombie (an orphan waits in that state until init reaps it).
bool pid_alive(const std::string& pid_text) {
  int pid = std::stoi(pid_text);
  if (::kill(pid, 0) != 0) return false;
  std::string stat = read_file("/proc/" + pid_text + "/stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

// Waits a little for a killed process to disappear (its parent, init, reaps it).
bool gone_soon(const std::string& pid_text) {
  for (int i = 0; i < 100; ++i) {
    if (!pid_alive(pid_text)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("run_process returns exit codes and captured output", "[process]") {
  SECTION("success") {
    ProcessResult r = sh("echo hello; echo oops >&2");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "hello\n");
    CHECK(r.err == "oops\n");
    CHECK(r.failure() == "");
    CHECK_FALSE(r.timed_out);
    CHECK(r.seconds >= 0);
  }
  SECTION("a non-zero exit names the program and the last line of stderr") {
    ProcessResult r = sh("echo first >&2; echo 'pg_dump: error: connection refused' >&2; exit 3");
    CHECK(r.exit_code == 3);
    CHECK(r.failure() == "sh exited with 3: pg_dump: error: connection refused");
  }
  SECTION("an exit without any output says so") {
    ProcessResult r = sh("exit 1");
    CHECK(r.exit_code == 1);
    CHECK(r.failure() == "sh exited with 1 and printed nothing");
  }
  SECTION("death by a signal is 128+N") {
    ProcessResult r = sh("kill -SEGV $$");
    CHECK(r.exit_code == 128 + SIGSEGV);
    CHECK_THAT(r.failure(), Catch::Contains("killed by SIGSEGV"));
  }
  SECTION("argv words reach the program unchanged") {
    ProcessSpec spec;
    spec.argv = {"printf", "%s|", "a b", "", "'q'", "$HOME"};
    ProcessResult r = run_process(spec);
    CHECK(r.out == "a b||'q'|$HOME|");
  }
  SECTION("stdin is empty, never the terminal") {
    ProcessSpec spec;
    spec.argv = {"cat"};
    spec.timeout = 5s;
    ProcessResult r = run_process(spec);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(r.timed_out);
    CHECK(r.out.empty());
  }
}

TEST_CASE("run_process keeps the tail of output over the limit", "[process]") {
  ProcessSpec spec;
  // 200000 numbered lines on stdout, then a final line on stderr after lots of noise.
  spec.argv = {"sh", "-c", "seq 1 200000; seq 1 50000 >&2; echo 'the real error' >&2; exit 2"};
  spec.output_limit = 1000;
  ProcessResult r = run_process(spec);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out, Catch::StartsWith("[... "));
  CHECK_THAT(r.out, Catch::EndsWith("199999\n200000\n"));
  CHECK(r.out.size() < 1100);
  CHECK_THAT(r.err, Catch::EndsWith("50000\nthe real error\n"));
  CHECK(r.err.size() < 1100);
  // The cut count is exact: the bytes kept plus the bytes cut are all that was written.
  std::string all;
  for (int i = 1; i <= 200000; ++i) all += std::to_string(i) + "\n";
  size_t bytes_cut = std::stoul(r.out.substr(5));
  CHECK(bytes_cut + (r.out.size() - r.out.find('\n') - 1) == all.size());
  CHECK(r.failure() == "sh exited with 2: the real error");

  SECTION("below the limit nothing is cut") {
    spec.argv = {"sh", "-c", "seq 1 10"};
    ProcessResult small = run_process(spec);
    CHECK(small.out == "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  }
}

TEST_CASE("run_process streams stdout to a file without a limit", "[process]") {
  TempDir dir;
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "seq 1 100000; echo done >&2"};
  spec.output_limit = 100;
  spec.stdout_file = dir.file("out.txt");
  ProcessResult r = run_process(spec);
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err == "done\n");
  std::string written = read_file(dir.file("out.txt"));
  CHECK(written.size() == 588895);
  CHECK_THAT(written, Catch::EndsWith("99999\n100000\n"));

  SECTION("an unwritable file is a clear error") {
    spec.stdout_file = dir.file("no/such/dir/out.txt");
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("no/such/dir/out.txt") && Catch::Contains("cannot write"));
  }
}

TEST_CASE("run_process passes environment and working directory", "[process]") {
  TempDir dir;
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo \"$GREENLIGHT_TEST_VAR|$HOME\"; pwd"};
  spec.env["GREENLIGHT_TEST_VAR"] = "value with spaces";
  spec.cwd = dir.path();
  ProcessResult r = run_process(spec);
  REQUIRE(r.exit_code == 0);
  const char* home = std::getenv("HOME");
  CHECK(r.out == "value with spaces|" + std::string(home ? home : "") + "\n" +
                     fs::canonical(dir.path()).string() + "\n");

  SECTION("a variable of the parent can be replaced") {
    spec.env["HOME"] = "/nowhere";
    ProcessResult replaced = run_process(spec);
    CHECK_THAT(replaced.out, Catch::StartsWith("value with spaces|/nowhere\n"));
  }
  SECTION("the PATH given in env is where the program is looked up") {
    std::ofstream(dir.file("only-here")) << "#!/bin/sh\necho found me\n";
    fs::permissions(dir.file("only-here"), fs::perms::owner_all);
    ProcessSpec p;
    p.argv = {"only-here"};
    CHECK_THROWS_WITH(run_process(p), Catch::Contains("only-here") && Catch::Contains("not found on PATH"));
    p.env["PATH"] = dir.path() + ":/usr/bin:/bin";
    CHECK(run_process(p).out == "found me\n");
  }
}

TEST_CASE("run_process kills a child that runs over its timeout", "[process]") {
  SECTION("a plain sleep") {
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = sh("echo started; sleep 30", 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.timed_out);
    CHECK(r.exit_code == 128 + SIGTERM);
    CHECK(r.out == "started\n");
    CHECK(took < 3s);
    CHECK(r.failure() == "sh timed out after 300ms");
  }
  SECTION("a shell's background child dies with it") {
    ProcessResult r = sh("sleep 30 & echo $!; wait", 300ms);
    CHECK(r.timed_out);
    REQUIRE_FALSE(trim(r.out).empty());
    CHECK(gone_soon(trim(r.out)));
  }
  SECTION("a child that ignores SIGTERM is killed 2 s later") {
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = sh("trap '' TERM; echo $$; while :; do sleep 0.1; done", 200ms);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.timed_out);
    CHECK(r.exit_code == 128 + SIGKILL);
    CHECK(took >= 2s);
    CHECK(took < 5s);
  }
  SECTION("a child that finishes in time is not marked") {
    ProcessResult r = sh("sleep 0.1; echo ok", 5s);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "ok\n");
  }
}

TEST_CASE("run_process terminates the child when the cancel flag is set", "[process]") {
  std::atomic<bool> cancel{false};
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "sleep 30 & echo $!; wait"};
  spec.cancel = &cancel;
  std::thread setter([&] {
    std::this_thread::sleep_for(300ms);
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run_process(spec);
  auto took = std::chrono::steady_clock::now() - start;
  setter.join();
  CHECK(r.cancelled);
  CHECK_FALSE(r.timed_out);
  CHECK(took < 3s);
  CHECK_THAT(r.failure(), Catch::StartsWith("sh was cancelled"));
  REQUIRE_FALSE(trim(r.out).empty());
  CHECK(gone_soon(trim(r.out)));

  SECTION("an unset flag changes nothing") {
    std::atomic<bool> never{false};
    ProcessSpec quick;
    quick.argv = {"true"};
    quick.cancel = &never;
    ProcessResult ok = run_process(quick);
    CHECK_FALSE(ok.cancelled);
    CHECK(ok.exit_code == 0);
  }
}

TEST_CASE("run_process reports programs that cannot start", "[process]") {
  TempDir dir;
  ProcessSpec spec;
  SECTION("not on PATH") {
    spec.argv = {"greenlight-no-such-program"};
    CHECK_THROWS_WITH(run_process(spec), "cannot start greenlight-no-such-program: not found on PATH");
  }
  SECTION("a path that does not exist") {
    spec.argv = {dir.file("missing.sh")};
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("missing.sh does not exist"));
  }
  SECTION("a file that is not executable") {
    std::ofstream(dir.file("plain.sh")) << "echo hi\n";
    spec.argv = {dir.file("plain.sh")};
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("plain.sh is not an executable file"));
  }
  SECTION("a relative path is taken from cwd") {
    std::ofstream(dir.file("script.sh")) << "#!/bin/sh\necho from script\n";
    fs::permissions(dir.file("script.sh"), fs::perms::owner_all);
    spec.argv = {"./script.sh"};
    spec.cwd = dir.path();
    CHECK(run_process(spec).out == "from script\n");
  }
  SECTION("no argv at all") {
    CHECK_THROWS_AS(run_process(spec), std::invalid_argument);
  }
}

TEST_CASE("find_program looks programs up on PATH", "[process]") {
  auto sh_path = find_program("sh");
  REQUIRE(sh_path);
  CHECK(sh_path->filename() == "sh");
  CHECK(sh_path->is_absolute());
  CHECK_FALSE(find_program("greenlight-no-such-program"));
  CHECK(find_program("/bin/sh") == fs::path("/bin/sh"));
  CHECK_FALSE(find_program("/no/such/sh"));
  CHECK_FALSE(find_program(""));
}

TEST_CASE("split_command splits words like a POSIX shell", "[process]") {
  using V = std::vector<std::string>;
  CHECK(split_command("./backup.sh {source} {artifact}") == V{"./backup.sh", "{source}", "{artifact}"});
  CHECK(split_command("  a \t b\n c  ") == V{"a", "b", "c"});
  CHECK(split_command("") == V{});
  CHECK(split_command("'a b' c") == V{"a b", "c"});
  CHECK(split_command("\"a b\" c") == V{"a b", "c"});
  CHECK(split_command("x'a b'y") == V{"xa by"});
  CHECK(split_command("'' x \"\"") == V{"", "x", ""});
  CHECK(split_command("a\\ b") == V{"a b"});
  CHECK(split_command("'a\\b'") == V{"a\\b"});
  CHECK(split_command("\"say \\\"hi\\\" \\\\ \\n\"") == V{"say \"hi\" \\ \\n"});
  CHECK(split_command("'$HOME' \"\\$HOME\" \\$x") == V{"$HOME", "$HOME", "$x"});
  CHECK(split_command("'a|b' \"c;d\" e\\&f") == V{"a|b", "c;d", "e&f"});
  CHECK(split_command("a \\\nb") == V{"a", "b"});
  CHECK(split_command("sh -c 'pg_dump \"$1\" | gzip > \"$2\"' _ {source} {artifact}") ==
        V{"sh", "-c", "pg_dump \"$1\" | gzip > \"$2\"", "_", "{source}", "{artifact}"});

  SECTION("errors name the fault and the position") {
    CHECK_THROWS_AS(split_command("echo 'unterminated"), std::invalid_argument);
    CHECK_THROWS_WITH(split_command("echo 'unterminated"), Catch::Contains("unterminated single quote at character 6"));
    CHECK_THROWS_WITH(split_command("echo \"open"), Catch::Contains("unterminated double quote at character 6"));
    CHECK_THROWS_WITH(split_command("echo x\\"), Catch::Contains("lone backslash"));
    CHECK_THROWS_WITH(split_command("pg_dump {source} | gzip"), Catch::Contains("'|' needs a shell") && Catch::Contains("sh -c"));
    CHECK_THROWS_WITH(split_command("backup > out"), Catch::Contains("'>' needs a shell"));
    CHECK_THROWS_WITH(split_command("a; b"), Catch::Contains("';' needs a shell"));
    CHECK_THROWS_WITH(split_command("echo $HOME"), Catch::Contains("'$' needs a shell"));
    CHECK_THROWS_WITH(split_command("b.sh {artifact} # nightly"), Catch::Contains("'#' (a comment) needs a shell"));
    CHECK(split_command("a#b '#'") == V{"a#b", "#"});
    CHECK_THROWS_WITH(split_command("echo \"$HOME\""), Catch::Contains("'$' (expansion) needs a shell"));
  }
}
