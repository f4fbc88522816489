// ${data:column} substitution; run before the load starts, never per request.
#include "loadgen/data_template.h"

#include <stdexcept>

namespace greenlight {

namespace {

constexpr std::string_view kOpen = "${data:";

// Calls f(literal) and g(column) for the pieces of text, in order.
template <class Literal, class Column>
void split(std::string_view text, Literal&& f, Column&& g) {
  size_t pos = 0;
  for (;;) {
    size_t at = text.find(kOpen, pos);
    size_t close = at == std::string_view::npos ? at : text.find('}', at + kOpen.size());
    if (close == std::string_view::npos) {  // no (complete) template left: literal
      f(text.substr(pos));
      return;
    }
    f(text.substr(pos, at - pos));
    g(text.substr(at + kOpen.size(), close - at - kOpen.size()));
    pos = close + 1;
  }
}

}  // namespace

bool has_template(std::string_view text) { return !template_columns(text).empty(); }

std::vector<std::string> template_columns(std::string_view text) {
  std::vector<std::string> out;
  split(text, [](std::string_view) {}, [&](std::string_view c) { out.emplace_back(c); });
  return out;
}

int column_index(const DataTable& table, std::string_view name) {
  for (size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i] == name) return int(i);
  return -1;
}

std::string render_template(std::string_view text, const DataTable& table, size_t row) {
  std::string out;
  out.reserve(text.size());
  split(text, [&](std::string_view s) { out += s; },
        [&](std::string_view c) {
          int i = column_index(table, c);
          if (i < 0)
            throw std::invalid_argument("${data:" + std::string(c) + "}: no column '" + std::string(c) + "' in " +
                                        (table.source.empty() ? "the data" : table.source));
          out += table.rows[row][size_t(i)];
        });
  return out;
}

}  // namespace greenlight
