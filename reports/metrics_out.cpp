// `--metrics-out`: the run's headline figures as Prometheus text exposition
// (0.0.4). Every family is written once (HELP, TYPE, then its samples), label
// values are UTF-8-repaired and escaped, and the file is replaced atomically so
// that a textfile collector never reads half of it.
#include "reports/metrics_out.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/run_history.h"
#include "reports/escape.h"

namespace greenlight {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// clean_text first: the Go parser Prometheus uses rejects a label value that
// is not valid UTF-8, and a check name or target can hold anything.
std::string label_value(const std::string& raw) {
  std::string out;
  for (char c : clean_text(raw)) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Shortest round-trip decimal; NaN and infinities spelled as Prometheus does.
// Whole numbers (counts, Unix times) stay plain digits: 1795000000 rather
// than the shorter 1.795e+09, for the person reading the file.
std::string sample_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = v == std::trunc(v) && std::fabs(v) < 1e15 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                                                      : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// One metric family: its samples are collected first and written together,
// because the format forbids a family's samples to be split by another's.
// A label set seen twice (two checks with one name) keeps its first value:
// a textfile collector rejects the whole file on a duplicate series.
struct Family {
  std::string name, help;
  std::vector<std::pair<std::string, double>> samples;  // rendered label set, value
  std::set<std::string> seen;

  void add(const Labels& labels, double value) {
    std::string rendered;
    for (const auto& [k, v] : labels) {
      rendered += rendered.empty() ? "{" : ",";
      rendered += k + "=\"" + label_value(v) + "\"";
    }
    if (!rendered.empty()) rendered += "}";
    if (seen.insert(rendered).second) samples.emplace_back(std::move(rendered), value);
  }

  void write(std::string& out) const {
    if (samples.empty()) return;
    out += "# HELP " + name + " " + help + "\n";
    out += "# TYPE " + name + " gauge\n";
    for (const auto& [labels, value] : samples) out += name + labels + " " + sample_value(value) + "\n";
  }
};

std::optional<double> unix_time_of(const std::string& iso) {
  std::tm tm{};
  const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

bool suite_passed(const SuiteResult& s) {
  Counts c = count(s);
  return c.failed + c.error == 0;
}

}  // namespace

std::string metrics_text(const RunResult& run, std::optional<double> last_drill_success) {
  const Labels base = {{"profile", run.profile}, {"target", run.target}};
  auto with = [&](Labels extra) {
    Labels l = base;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  };

  Family info{"greenlight_run_info", "The run's greenlight version and deployed revision (value always 1).", {}, {}};
  Family timestamp{"greenlight_run_timestamp_seconds", "When the run started, in Unix time.", {}, {}};
  Family success{"greenlight_run_success", "1 when every check passed and the run was not interrupted, else 0.", {}, {}};
  Family duration{"greenlight_run_duration_seconds", "How long the whole run took.", {}, {}};
  Family checks{"greenlight_run_checks", "Checks of the run per outcome.", {}, {}};
  Family suite_success{"greenlight_suite_success", "1 when no check of the suite failed or errored, else 0.", {}, {}};
  Family suite_duration{"greenlight_suite_duration_seconds", "How long each suite took.", {}, {}};
  Family figure{"greenlight_figure",
                "A headline figure of a check (latency, throughput, capacity, RTO, RPO), in the unit its label names.",
                {}, {}};
  Family drill{"greenlight_backup_drill_last_success_timestamp_seconds",
               "When the last passing restore drill against the target ran, in Unix time.", {}, {}};

  info.add(with({{"revision", run.revision}, {"version", run.tool_version}}), 1);
  if (auto t = unix_time_of(run.started_at)) timestamp.add(base, *t);
  success.add(base, passed(run) ? 1 : 0);
  duration.add(base, run.duration_s);
  Counts c = count(run);
  checks.add(with({{"outcome", "passed"}}), c.passed);
  checks.add(with({{"outcome", "failed"}}), c.failed);
  checks.add(with({{"outcome", "skipped"}}), c.skipped);
  checks.add(with({{"outcome", "error"}}), c.error);
  for (const SuiteResult& s : run.suites) {
    suite_success.add(with({{"suite", s.name}}), suite_passed(s) ? 1 : 0);
    suite_duration.add(with({{"suite", s.name}}), s.duration_s);
    for (const Check& ch : s.checks)
      for (const Figure& f : ch.figures)
        if (is_headline_figure(s.name, ch.name, f.name))
          figure.add(with({{"suite", s.name}, {"check", ch.name}, {"figure", f.name}, {"unit", f.unit}}), f.value);
  }
  if (last_drill_success) drill.add(base, *last_drill_success);

  std::string out;
  for (const Family* f : {&info, &timestamp, &success, &duration, &checks, &suite_success, &suite_duration, &figure, &drill})
    f->write(out);
  return out;
}

void write_metrics_file(const std::filesystem::path& path, const std::string& text) {
  auto fail = [&](const std::string& what, int err) {
    return std::runtime_error("cannot write the metrics file " + path.string() + ": " + what + ": " + std::strerror(err) +
                              " (check that its folder exists and is writable)");
  };
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw fail("creating " + dir.string(), ec.value());
  // The temporary name must not end in .prom: the textfile collector reads
  // every *.prom in its folder and would see the partial file.
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int fd = mkstemp(tmp.data());
  if (fd < 0) throw fail("creating a temporary file in " + dir.string(), errno);
  auto abandon = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(what, err);
  };
  // mkstemp makes the file 0600; node_exporter usually runs as another user.
  if (fchmod(fd, 0644) != 0) throw abandon("setting permissions");
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw abandon("writing " + tmp);
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) throw abandon("syncing " + tmp);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw fail("closing " + tmp, err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw fail("renaming " + tmp, err);
  }
}

}  // namespace greenlight
