// Request templates over a data table (k6's SharedArray, Gatling's feeders):
// `${data:column}` in an endpoint's URL, headers or body takes the value of
// that column in the current row. The engine renders every templated
// endpoint once per row before the run, so the hot path only picks a buffer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace greenlight {

struct DataTable {
  std::string source;                          // for messages, e.g. "users.csv"
  std::vector<std::string> columns;            // names, from the header row / the objects' keys
  std::vector<std::vector<std::string>> rows;  // each as long as columns
  bool empty() const { return rows.empty(); }
};

// Limits on what the engine renders up front: beyond them the memory is not
// worth it (and a plan that needs more is better served by a smaller sample).
inline constexpr size_t kMaxDataRows = 100'000;
inline constexpr size_t kMaxRenderedBytes = size_t(64) << 20;

bool has_template(std::string_view text);

// Column names referenced by ${data:NAME} in text, in order (may repeat).
std::vector<std::string> template_columns(std::string_view text);

// Index of a column, or -1.
int column_index(const DataTable& table, std::string_view name);

// Replaces every ${data:NAME} with row's value; throws std::invalid_argument
// naming an unknown column.
std::string render_template(std::string_view text, const DataTable& table, size_t row);

}  // namespace greenlight
