// parse_url: a small, strict parser for http://host[:port][/path][?query][#fragment].
#include "loadgen/url.h"

#include <stdexcept>

namespace greenlight {

namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw std::invalid_argument("bad URL '" + std::string(text) + "': " + why);
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Url parse_url(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) bad(text, "contains whitespace or control characters");

  if (starts_with_icase(text, "https://")) throw std::invalid_argument("https is not supported by the native engine yet");
  if (!starts_with_icase(text, "http://")) {
    auto colon = text.find("://");
    if (colon == std::string_view::npos) bad(text, "expected http://host[:port]/path");
    bad(text, "unsupported scheme '" + std::string(text.substr(0, colon)) + "' (only http is supported)");
  }
  std::string_view rest = text.substr(7);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  if (authority.find('@') != std::string_view::npos) bad(text, "user info in the URL is not supported");

  Url url;
  std::string_view port_text;
  bool ipv6 = false;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) bad(text, "unterminated IPv6 address");
    url.host = std::string(authority.substr(1, close - 1));
    ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') bad(text, "unexpected characters after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) bad(text, "empty port");
    }
  } else {
    size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) bad(text, "empty port");
    }
  }
  if (url.host.empty()) bad(text, "empty host");

  if (!port_text.empty()) {
    uint32_t port = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') bad(text, "port is not a number");
      port = port * 10 + uint32_t(c - '0');
      if (port > 65535) bad(text, "port out of range");
    }
    if (port == 0) bad(text, "port out of range");
    url.port = uint16_t(port);
  }

  std::string_view target = tail.substr(0, tail.find('#'));
  if (target.empty()) url.target = "/";
  else if (target[0] == '?') url.target = "/" + std::string(target);
  else url.target = std::string(target);

  url.host_header = ipv6 ? "[" + url.host + "]" : url.host;
  if (url.port != 80) url.host_header += ":" + std::to_string(url.port);
  return url;
}

}  // namespace greenlight
