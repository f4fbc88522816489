// Feeds: the load engine's incremental HTTP/1.1 response parser
// (loadgen/http1.h ResponseParser). The first input byte picks the options
// (HEAD request, a body needle, EOF after the bytes) and the split seed; the
// rest is the wire: fed whole, then in pieces whose sizes come from the seed,
// then one byte at a time.
// Asserts beyond "no crash":
//  * feed() never reports consuming more bytes than it was given, and after a
//    complete response or an error consumes nothing more;
//  * the outcome (result, status, keep_alive, body bytes, bytes consumed,
//    needle found) is the same whatever the split (the header promises any split);
//  * body_bytes() never exceeds the bytes consumed; error() is "" unless the
//    result is error; a complete response has a status in 100..999.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "loadgen/body_match.h"
#include "loadgen/http1.h"

using greenlight::BodyMatch;
using greenlight::BodyNeedle;
using greenlight::ResponseParser;
using Result = ResponseParser::Result;

namespace {

struct Outcome {
  Result result = Result::incomplete;
  int status = 0;
  bool keep_alive = false;
  uint64_t body_bytes = 0;
  size_t consumed = 0;
  bool found = false;
  bool closed_early = false;
};

// pieces: the sizes to feed in turn (the rest goes as one last piece).
Outcome run(const char* wire, size_t size, const std::vector<size_t>& pieces, bool head, const BodyNeedle* needle,
            bool eof) {
  ResponseParser p;
  BodyMatch m;
  m.reset(needle);
  p.reset(head, needle ? &m : nullptr);
  size_t off = 0;
  std::vector<size_t> sizes = pieces;
  sizes.push_back(size);
  for (size_t s : sizes) {
    size_t len = std::min(s, size - off);
    Result before = p.result();
    size_t used = p.feed(wire + off, len);
    FUZZ_ASSERT(used <= len);
    if (before != Result::incomplete) FUZZ_ASSERT(used == 0);
    off += used;
    if (p.result() == Result::incomplete) FUZZ_ASSERT(used == len);
    if (p.result() != Result::incomplete || used < len) break;
  }
  if (eof && p.result() == Result::incomplete) {
    Result f = p.finish();
    FUZZ_ASSERT(f == p.result());
    FUZZ_ASSERT(f != Result::incomplete);
  }
  FUZZ_ASSERT((p.result() == Result::error) == (std::strlen(p.error()) > 0));
  FUZZ_ASSERT(p.body_bytes() <= off);
  if (p.result() == Result::complete) FUZZ_ASSERT(p.status() >= 100 && p.status() <= 999);
  // A further feed after the end takes nothing.
  if (p.result() != Result::incomplete) FUZZ_ASSERT(p.feed("x", 1) == 0);
  return Outcome{p.result(), p.status(), p.keep_alive(), p.body_bytes(), off, m.found(), p.closed_early()};
}

void same(const Outcome& a, const Outcome& b) {
  FUZZ_ASSERT(a.result == b.result);
  FUZZ_ASSERT(a.body_bytes == b.body_bytes);
  FUZZ_ASSERT(a.consumed == b.consumed);
  FUZZ_ASSERT(a.found == b.found);
  FUZZ_ASSERT(a.closed_early == b.closed_early);
  if (a.result == Result::complete) {
    FUZZ_ASSERT(a.status == b.status);
    FUZZ_ASSERT(a.keep_alive == b.keep_alive);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t flags = data[0];
  const char* wire = reinterpret_cast<const char*>(data + 1);
  size_t n = size - 1;
  bool head = flags & 1;
  bool eof = flags & 2;
  static const BodyNeedle needle("hello");
  const BodyNeedle* nd = (flags & 4) ? &needle : nullptr;

  Outcome whole = run(wire, n, {}, head, nd, eof);

  // Pieces of 1..16 bytes, from a simple generator seeded by the flags byte.
  std::vector<size_t> pieces;
  uint32_t x = flags * 2654435761u + 1;
  for (size_t total = 0; total < n;) {
    x = x * 1103515245u + 12345u;
    size_t s = 1 + ((x >> 16) % 16);
    pieces.push_back(s);
    total += s;
  }
  same(whole, run(wire, n, pieces, head, nd, eof));
  if (n <= 4096) same(whole, run(wire, n, std::vector<size_t>(n, 1), head, nd, eof));
  return 0;
}
