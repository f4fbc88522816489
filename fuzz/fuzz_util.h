// Shared by the fuzz targets (fuzz/*_fuzz.cpp): an assertion that survives
// NDEBUG and names what broke, and a per-process scratch folder for the
// loaders that read a path rather than text.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

// libFuzzer treats abort() as a crash and saves the input.
#define FUZZ_ASSERT(cond)                                                                    \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

namespace fuzz {

// An empty folder of this process's own, made once (mkdtemp) and removed at exit.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string templ = "/tmp/greenlight-fuzz-XXXXXX";
    if (!mkdtemp(templ.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string keep = templ;
    std::atexit([] { std::system(("rm -rf '" + keep + "'").c_str()); });
    return templ;
  }();
  return dir;
}

// Writes `data` to scratch_dir()/name (truncating) and returns the path.
inline std::string write_scratch(const std::string& name, std::string_view data) {
  std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace fuzz
