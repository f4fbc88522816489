// The HTTP/1.1 codec: request bytes, and the incremental response parser fed
// whole, split at every byte boundary, and one byte at a time.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "loadgen/body_match.h"
#include "loadgen/http1.h"
#include "loadgen/url.h"

using namespace greenlight;
using Result = ResponseParser::Result;

namespace {

struct Parsed {
  Result result = Result::incomplete;
  int status = 0;
  bool keep_alive = false;
  uint64_t body_bytes = 0;
  size_t consumed = 0;
  bool found = false;
  std::string error;
};

// Feeds `wire` in the given pieces (sizes; the rest as one last piece), then
// EOF when `eof` is set.
Parsed parse(const std::string& wire, const std::vector<size_t>& pieces, bool eof = false, bool head = false,
             const std::string& needle = "") {
  ResponseParser p;
  BodyNeedle n(needle);
  BodyMatch m;
  m.reset(needle.empty() ? nullptr : &n);
  p.reset(head, needle.empty() ? nullptr : &m);
  size_t off = 0;
  std::vector<size_t> sizes = pieces;
  sizes.push_back(wire.size());
  for (size_t s : sizes) {
    size_t len = std::min(s, wire.size() - off);
    size_t used = p.feed(wire.data() + off, len);
    off += used;
    if (p.result() != Result::incomplete || used < len) break;
  }
  if (eof && p.result() == Result::incomplete) p.finish();
  return Parsed{p.result(), p.status(), p.keep_alive(), p.body_bytes(), off, m.found(), p.error()};
}

Parsed parse_whole(const std::string& wire, bool eof = false, bool head = false, const std::string& needle = "") {
  return parse(wire, {}, eof, head, needle);
}

// Every split into two pieces, and byte by byte, gives the same outcome as one piece.
void check_all_splits(const std::string& wire, bool eof = false, const std::string& needle = "") {
  Parsed whole = parse_whole(wire, eof, false, needle);
  for (size_t k = 0; k <= wire.size(); ++k) {
    Parsed split = parse(wire, {k}, eof, false, needle);
    INFO("split at " << k);
    CHECK(split.result == whole.result);
    CHECK(split.status == whole.status);
    CHECK(split.keep_alive == whole.keep_alive);
    CHECK(split.body_bytes == whole.body_bytes);
    CHECK(split.consumed == whole.consumed);
    CHECK(split.found == whole.found);
  }
  std::vector<size_t> ones(wire.size(), 1);
  Parsed bytewise = parse(wire, ones, eof, false, needle);
  CHECK(bytewise.result == whole.result);
  CHECK(bytewise.body_bytes == whole.body_bytes);
  CHECK(bytewise.consumed == whole.consumed);
  CHECK(bytewise.found == whole.found);
}

}  // namespace

TEST_CASE("parse_url splits host, port and target and refuses https") {
  Url u = parse_url("http://127.0.0.1:8080/a/b?x=1#frag");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == 8080);
  CHECK(u.target == "/a/b?x=1");
  CHECK(u.host_header == "127.0.0.1:8080");
  Url d = parse_url("HTTP://Example.com");
  CHECK(d.port == 80);
  CHECK(d.target == "/");
  CHECK(d.host_header == "Example.com");
  CHECK(parse_url("http://h?q").target == "/?q");
  Url v6 = parse_url("http://[::1]:9000/x");
  CHECK(v6.host == "::1");
  CHECK(v6.host_header == "[::1]:9000");

  CHECK_THROWS_WITH(parse_url("https://127.0.0.1/"), "https is not supported by the native engine yet");
  CHECK_THROWS_AS(parse_url("ftp://x/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://:80/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://h:0/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://h:65536/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://h:8x/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://user:pw@h/"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("http://h/a b"), std::invalid_argument);
  CHECK_THROWS_AS(parse_url("127.0.0.1:80"), std::invalid_argument);
}

TEST_CASE("build_request writes the head once, with Host, User-Agent and Content-Length") {
  Url u = parse_url("http://127.0.0.1:8080/items?x=1");
  CHECK(build_request("GET", u, {}, "") ==
        "GET /items?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: greenlight\r\n\r\n");
  CHECK(build_request("POST", u, {{"Content-Type", "application/json"}}, "{}") ==
        "POST /items?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: greenlight\r\n"
        "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  CHECK(build_request("PUT", u, {{"host", "other"}, {"User-Agent", "me"}}, "") ==
        "PUT /items?x=1 HTTP/1.1\r\nhost: other\r\nUser-Agent: me\r\nContent-Length: 0\r\n\r\n");
  CHECK_THROWS_AS(build_request("G ET", u, {}, ""), std::invalid_argument);
  CHECK_THROWS_AS(build_request("GET", u, {{"X-A", "1\r\nInjected: yes"}}, ""), std::invalid_argument);
  CHECK_THROWS_AS(build_request("GET", u, {{"Bad Name", "1"}}, ""), std::invalid_argument);
  CHECK_THROWS_AS(build_request("POST", u, {{"Content-Length", "5"}}, "x"), std::invalid_argument);
}

TEST_CASE("a Content-Length response parses in any split") {
  std::string wire =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\ncontent-length: 12\r\n\r\nhello, world";
  Parsed p = parse_whole(wire, false, false, "o, w");
  CHECK(p.result == Result::complete);
  CHECK(p.status == 200);
  CHECK(p.keep_alive);
  CHECK(p.body_bytes == 12);
  CHECK(p.consumed == wire.size());
  CHECK(p.found);
  check_all_splits(wire, false, "o, w");
  CHECK_FALSE(parse_whole(wire, false, false, "absent").found);
}

TEST_CASE("a chunked response with extensions and trailers parses in any split") {
  std::string wire =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      "5;name=value;other=\"q\"\r\nhello\r\n"
      "7\r\n, world\r\n"
      "A \r\n0123456789\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
  Parsed p = parse_whole(wire, false, false, "world01");
  CHECK(p.result == Result::complete);
  CHECK(p.status == 201);
  CHECK(p.keep_alive);
  CHECK(p.body_bytes == 22);
  CHECK(p.consumed == wire.size());
  CHECK(p.found);  // across a chunk boundary
  check_all_splits(wire, false, "world01");

  // Transfer-Encoding wins over Content-Length.
  Parsed both = parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  CHECK(both.result == Result::complete);
  CHECK(both.body_bytes == 3);
}

TEST_CASE("Connection: close and HTTP/1.0 decide keep-alive") {
  Parsed c = parse_whole("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n");
  CHECK(c.result == Result::complete);
  CHECK_FALSE(c.keep_alive);
  Parsed ten = parse_whole("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
  CHECK(ten.result == Result::complete);
  CHECK_FALSE(ten.keep_alive);
  Parsed ten_ka = parse_whole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx");
  CHECK(ten_ka.keep_alive);
  Parsed upgrade = parse_whole("HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n");
  CHECK_FALSE(upgrade.keep_alive);
}

TEST_CASE("a response without a length is read to the close") {
  std::string wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until EOF";
  Parsed open = parse_whole(wire);
  CHECK(open.result == Result::incomplete);
  Parsed closed = parse_whole(wire, true);
  CHECK(closed.result == Result::complete);
  CHECK_FALSE(closed.keep_alive);
  CHECK(closed.body_bytes == 21);
  check_all_splits(wire, true);
}

TEST_CASE("HEAD, 204 and 304 responses have no body whatever the headers say") {
  CHECK(parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", false, true).result == Result::complete);
  CHECK(parse_whole("HTTP/1.1 204 No Content\r\n\r\n").result == Result::complete);
  Parsed nm = parse_whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
  CHECK(nm.result == Result::complete);
  CHECK(nm.body_bytes == 0);
}

TEST_CASE("interim 1xx responses are skipped") {
  std::string wire =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  Parsed p = parse_whole(wire);
  CHECK(p.result == Result::complete);
  CHECK(p.status == 200);
  CHECK(p.body_bytes == 2);
  check_all_splits(wire);
  CHECK(parse_whole("HTTP/1.1 101 Switching Protocols\r\n\r\n").result == Result::error);
}

TEST_CASE("several keep-alive responses in one buffer parse one after another") {
  std::string wire =
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n"
      "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ResponseParser p;
  size_t off = 0;
  std::vector<int> statuses;
  std::vector<bool> keep;
  for (int i = 0; i < 3; ++i) {
    p.reset();
    off += p.feed(wire.data() + off, wire.size() - off);
    REQUIRE(p.result() == Result::complete);
    statuses.push_back(p.status());
    keep.push_back(p.keep_alive());
  }
  CHECK(off == wire.size());
  CHECK(statuses == std::vector<int>{200, 404, 503});
  CHECK(keep == std::vector<bool>{true, true, false});
  // A complete parser takes nothing more.
  CHECK(p.feed("HTTP/1.1", 8) == 0);
}

TEST_CASE("malformed responses are errors") {
  auto error_of = [](const std::string& wire) {
    Parsed p = parse_whole(wire);
    INFO(wire);
    CHECK(p.result == Result::error);
    CHECK_FALSE(p.error.empty());
    return p.error;
  };
  error_of("garbage\r\n\r\n");
  error_of("HTTP/1.1 2OO OK\r\n\r\n");
  error_of("HTTP/1.1 20 OK\r\n\r\n");
  error_of("HTTP/1.1  200 OK\r\n\r\n");
  error_of("HTTP/2 200\r\n\r\n");
  error_of("HTTP/1.1 099 Low\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx");
  error_of("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n");
  error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\n");
  error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX");
  error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n");
  // The same value twice is allowed.
  CHECK(parse_whole("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx").result == Result::complete);
}

TEST_CASE("oversized headers, trailers and chunk lines are errors, however they arrive") {
  std::string big(ResponseParser::kDefaultMaxHeaderBytes, 'a');
  Parsed head = parse("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\n\r\n", {100, 100});
  CHECK(head.result == Result::error);
  CHECK(head.error == std::string("response headers too large"));
  // It stops at the limit instead of consuming everything it is given.
  CHECK(head.consumed <= ResponseParser::kDefaultMaxHeaderBytes + 1);

  Parsed trailer = parse_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: " + big + "\r\n\r\n");
  CHECK(trailer.result == Result::error);

  Parsed ext = parse_whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(5000, 'e') + "\r\n");
  CHECK(ext.result == Result::error);

  ResponseParser small(64);
  small.reset();
  std::string wire = "HTTP/1.1 200 OK\r\nServer: a-very-long-server-name-that-goes-on-and-on\r\n\r\n";
  small.feed(wire.data(), wire.size());
  CHECK(small.result() == Result::error);
}

TEST_CASE("a close before the response is complete is an early-close error") {
  auto closed = [](const std::string& wire) {
    ResponseParser p;
    p.reset();
    p.feed(wire.data(), wire.size());
    CHECK(p.finish() == Result::error);
    CHECK(p.closed_early());
    return p.started();
  };
  CHECK_FALSE(closed(""));
  CHECK(closed("HTTP/1.1 200 OK\r\nContent-Le"));
  CHECK(closed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345"));
  CHECK(closed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"));
}

TEST_CASE("body matching finds a needle split anywhere and with overlapping prefixes") {
  BodyNeedle n("abab c");
  for (std::string body : {"xxabab c", "ababab cyy", "abab abab c", "aabab c"}) {
    for (size_t k = 0; k <= body.size(); ++k) {
      BodyMatch m;
      m.reset(&n);
      m.feed(body.data(), k);
      m.feed(body.data() + k, body.size() - k);
      INFO(body << " split at " << k);
      CHECK(m.found());
    }
  }
  BodyMatch m;
  m.reset(&n);
  std::string miss = "abab abab";
  m.feed(miss.data(), miss.size());
  CHECK_FALSE(m.found());
}
