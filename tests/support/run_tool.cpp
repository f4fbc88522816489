// run_tool via Boost.Process, with output going to files in a TempDir so a
// chatty tool can never block on a full pipe.
#include "tests/support/command.h"
#include "tests/support/run_tool.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/process.hpp>

#include "tests/support/temp_dir.h"

namespace greenlight::test {

namespace bp = boost::process;

namespace {


}  // namespace

ToolResult run_tool(const std::string& program, const std::vector<std::string>& args) {
  boost::filesystem::path exe = program.find('/') != std::string::npos ? boost::filesystem::path(program)
                                                                         : bp::search_path(program);
  if (exe.empty()) throw std::runtime_error(program + ": not found in PATH");
  TempDir dir("greenlight-tool");
  ToolResult result;
  result.exit_code = bp::system(exe, bp::args(args), bp::std_in < bp::null, bp::std_out > dir.file("out"),
                                bp::std_err > dir.file("err"));
  result.out = read_file(dir.file("out"));
  result.err = read_file(dir.file("err"));
  return result;
}

std::string sqlite_query(const std::string& db_path, const std::string& sql) {
  ToolResult r = run_tool("sqlite3", {"-readonly", "-bail", db_path, sql});
  if (r.exit_code != 0) throw std::runtime_error("sqlite3 " + db_path + " '" + sql + "': " + r.err);
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r.out;
}

}  // namespace greenlight::test
