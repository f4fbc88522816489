// UTF-8 repair and markup escaping for everything a report copies from a target.
#include "reports/escape.h"

#include <cstdint>

#include <fmt/format.h>

namespace greenlight {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at text[i], or 0 when it is not one.
// Follows the Unicode table of well-formed sequences, so overlong forms and
// surrogates are rejected, not just bad continuation bytes.
size_t sequence_length(std::string_view text, size_t i) {
  auto at = [&](size_t k) -> unsigned char { return i + k < text.size() ? text[i + k] : 0; };
  unsigned char b0 = at(0);
  if (b0 < 0x80) return 1;
  unsigned char lo = 0x80, hi = 0xBF;
  size_t len;
  if (b0 >= 0xC2 && b0 <= 0xDF) len = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (at(1) < lo || at(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (!is_continuation(at(k))) return 0;
  return len;
}

uint32_t decode(std::string_view seq) {
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(seq[k])); };
  switch (seq.size()) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// A control byte stays visible as U+2400+c, so a reader can still tell that the
// target sent a NUL or an ESC rather than seeing it silently vanish.
void append_control_picture(std::string& out, unsigned char c) {
  out += "\xE2\x90";
  out += static_cast<char>(0x80 + c);
}

// Walks `text` as UTF-8: keep(seq) for each character XML 1.0 allows,
// control(byte) for each C0 control other than tab/LF/CR, and keep(U+FFFD) for
// invalid bytes, DEL, C1 controls and U+FFFE/U+FFFF. The callers only decide
// how a control looks.
template <class Keep, class Control>
void walk(std::string_view text, Keep keep, Control control) {
  for (size_t i = 0; i < text.size();) {
    size_t len = sequence_length(text, i);
    if (len == 0) {
      keep(kReplacement);
      ++i;
      continue;
    }
    std::string_view seq = text.substr(i, len);
    uint32_t cp = decode(seq);
    i += len;
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') control(static_cast<unsigned char>(cp));
    else if ((cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) keep(kReplacement);
    else keep(seq);
  }
}

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  walk(text, [&](std::string_view seq) { out += seq; }, [&](unsigned char c) { append_control_picture(out, c); });
  return out;
}

std::string xml_text(std::string_view text) {
  std::string out;
  for (char c : clean_text(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;  // also breaks any "]]>" in the text
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string xml_attr(std::string_view text) {
  std::string out;
  for (char c : clean_text(text)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto keep = [&](std::string_view seq) {
    for (char c : seq) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
      }
    }
  };
  // Common fonts have no glyph for the Control Pictures, so a browser would show
  // empty boxes: spell the byte out instead, marked so it is not read as text.
  auto control = [&](unsigned char c) {
    out += fmt::format("<span class=\"ctl\" title=\"control byte 0x{0:02X}\">\\x{0:02X}</span>", c);
  };
  walk(text, keep, control);
  return out;
}

}  // namespace greenlight
