// Writes the three reports into one directory. Each file is written beside its
// final name and then renamed, so a CI step never reads half a report.
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "reports/reports.h"

namespace greenlight {

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& content) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp.string() + ": cannot open for writing");
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw std::runtime_error("cannot write " + tmp.string() + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
  }
}

}  // namespace

ReportPaths write_reports(const RunResult& run, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::runtime_error("cannot create report directory " + dir.string() + ": " +
                             (ec ? ec.message() : "a file of that name exists"));
  ReportPaths paths{dir / "greenlight.junit.xml", dir / "greenlight.json", dir / "greenlight.html"};
  write_file(paths.junit, junit_xml(run));
  write_file(paths.json, json_report(run));
  write_file(paths.html, html_report(run));
  return paths;
}

}  // namespace greenlight
