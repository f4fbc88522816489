// Data files for request templates (`data:` in a scenario, `--data` for
// `greenlight load`): CSV with a header row (RFC 4180 quoting, LF or CRLF),
// or a JSON array of flat objects. Read once, before the run.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "loadgen/data_template.h"

namespace greenlight {

// what(): "users.csv:3: unterminated quoted field" (line 0: no line to name).
class DataFileError : public std::runtime_error {
 public:
  DataFileError(const std::string& source, int line, const std::string& problem);
  int line;
};

// `source` names the file in messages and becomes DataTable::source.
DataTable parse_csv(std::string_view text, const std::string& source);
DataTable parse_json_rows(std::string_view text, const std::string& source);

// By extension: .json is JSON, anything else CSV. Throws DataFileError
// (also when the file cannot be read, or holds no rows or too many).
DataTable load_data_file(const std::filesystem::path& path);

}  // namespace greenlight
