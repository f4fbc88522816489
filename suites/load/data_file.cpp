// CSV and JSON readers for data files. Strict on purpose: a malformed line
// would otherwise shift values into the wrong columns of every request after it.
#include "suites/load/data_file.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace greenlight {

namespace {

std::string where(const std::string& source, int line) {
  return line > 0 ? source + ":" + std::to_string(line) : source;
}

// One record of RFC 4180 starting at text[pos]; advances pos past its line
// end and line past the newlines it consumed (quoted fields may hold some).
std::vector<std::string> csv_record(std::string_view text, size_t& pos, int& line, const std::string& source) {
  std::vector<std::string> fields;
  std::string field;
  int start_line = line;
  for (;;) {
    if (pos < text.size() && text[pos] == '"') {
      ++pos;
      for (;;) {
        if (pos >= text.size()) throw DataFileError(source, start_line, "unterminated quoted field");
        char c = text[pos++];
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            field += '"';
            ++pos;
            continue;
          }
          break;
        }
        if (c == '\n') ++line;
        field += c;
      }
      if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r')
        throw DataFileError(source, line, "text after a closing quote (write a quote inside a quoted field as \"\")");
    } else {
      while (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
        if (text[pos] == '"')
          throw DataFileError(source, line, "a quote inside an unquoted field (quote the whole field, and double the quote)");
        field += text[pos++];
      }
    }
    fields.push_back(std::move(field));
    field.clear();
    if (pos >= text.size()) return fields;
    char c = text[pos++];
    if (c == ',') continue;
    if (c == '\r') {
      if (pos < text.size() && text[pos] == '\n') ++pos;
      else throw DataFileError(source, line, "a carriage return outside quotes that does not end the line");
    }
    ++line;
    return fields;
  }
}

}  // namespace

DataFileError::DataFileError(const std::string& source, int line, const std::string& problem)
    : std::runtime_error(where(source, line) + ": " + problem), line(line) {}

DataTable parse_csv(std::string_view text, const std::string& source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM, as spreadsheets write
  DataTable t;
  t.source = source;
  size_t pos = 0;
  int line = 1;
  bool header = true;
  while (pos < text.size()) {
    if (text[pos] == '\n' || text.substr(pos, 2) == "\r\n") {  // blank line: nothing to send
      pos += text[pos] == '\n' ? 1 : 2;
      ++line;
      continue;
    }
    int start = line;
    std::vector<std::string> rec = csv_record(text, pos, line, source);
    if (header) {
      for (size_t i = 0; i < rec.size(); ++i) {
        if (rec[i].empty()) throw DataFileError(source, start, "column " + std::to_string(i + 1) + " of the header row has no name");
        for (size_t j = 0; j < i; ++j)
          if (rec[j] == rec[i]) throw DataFileError(source, start, "column '" + rec[i] + "' appears twice in the header row");
      }
      t.columns = std::move(rec);
      header = false;
      continue;
    }
    if (rec.size() != t.columns.size())
      throw DataFileError(source, start, std::to_string(rec.size()) + " fields, but the header row names " +
                                             std::to_string(t.columns.size()) + " columns");
    if (t.rows.size() == kMaxDataRows)
      throw DataFileError(source, start, "more than " + std::to_string(kMaxDataRows) + " rows; use a smaller sample");
    t.rows.push_back(std::move(rec));
  }
  if (header) throw DataFileError(source, 0, "the file is empty (expected a header row naming the columns, then rows)");
  if (t.rows.empty()) throw DataFileError(source, line > 1 ? line - 1 : 1, "a header row but no data rows");
  return t;
}

DataTable parse_json_rows(std::string_view text, const std::string& source) {
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw DataFileError(source, 0, std::string("not valid JSON: ") + e.what());
  }
  if (!doc.is_array()) throw DataFileError(source, 0, "expected a JSON array of objects");
  DataTable t;
  t.source = source;
  if (doc.empty()) throw DataFileError(source, 0, "the array is empty");
  if (doc.size() > kMaxDataRows)
    throw DataFileError(source, 0, std::to_string(doc.size()) + " rows, at most " + std::to_string(kMaxDataRows));
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& obj = doc[i];
    std::string at = "element " + std::to_string(i + 1) + ": ";
    if (!obj.is_object()) throw DataFileError(source, 0, at + "not an object");
    if (i == 0)
      for (const auto& [k, v] : obj.items()) t.columns.push_back(k);
    if (obj.size() != t.columns.size())
      throw DataFileError(source, 0, at + "has " + std::to_string(obj.size()) + " keys, the first element " +
                                         std::to_string(t.columns.size()) + " (every element needs the same keys)");
    std::vector<std::string> row;
    for (const std::string& c : t.columns) {
      auto it = obj.find(c);
      if (it == obj.end()) throw DataFileError(source, 0, at + "has no key '" + c + "'");
      row.push_back(it->is_string() ? it->get<std::string>() : it->is_null() ? "" : it->dump());
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

DataTable load_data_file(const std::filesystem::path& path) {
  std::string source = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataFileError(path.string(), 0, "cannot read the data file");
  std::stringstream buf;
  buf << in.rdbuf();
  DataTable t = path.extension() == ".json" ? parse_json_rows(buf.str(), path.string()) : parse_csv(buf.str(), path.string());
  t.source = source;
  return t;
}

}  // namespace greenlight
