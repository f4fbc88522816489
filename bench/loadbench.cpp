// greenlight-loadbench: the native load engine from the command line, with
// wrk's flags, so bench/load_vs_wrk.sh can compare the two like for like.
//
//   greenlight-loadbench URL --threads N --connections N --duration 10s [--rate R]
//                        [--timeout 2s] [--max-connections N]
//
// Without --rate: max_rate (closed model, like wrk). With --rate:
// constant_arrival_rate (open model, like wrk2 -R). Prints requests, rps,
// errors by class, latency percentiles and the process's CPU time.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "loadgen/engine.h"

namespace {

using greenlight::ErrorClass;

double parse_seconds(const std::string& s) {
  size_t used = 0;
  double v = std::stod(s, &used);
  std::string unit = s.substr(used);
  if (unit.empty() || unit == "s") return v;
  if (unit == "ms") return v / 1000;
  if (unit == "m") return v * 60;
  throw std::invalid_argument("bad duration '" + s + "' (use 10s, 500ms, 1m)");
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "%s\nusage: greenlight-loadbench URL --threads N --connections N --duration 10s [--rate R] "
               "[--timeout 2s] [--max-connections N]\n",
               why);
  std::exit(2);
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string ms(int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fms", double(us) / 1000.0);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  greenlight::LoadSpec spec;
  spec.threads = 1;
  spec.connections = 10;
  spec.duration_s = 10;
  std::string url;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) usage(("missing value after " + a).c_str());
        return argv[++i];
      };
      if (a == "--threads" || a == "-t") spec.threads = std::stoi(value());
      else if (a == "--connections" || a == "-c") spec.connections = std::stoi(value());
      else if (a == "--duration" || a == "-d") spec.duration_s = parse_seconds(value());
      else if (a == "--rate" || a == "-R") spec.rate = std::stod(value());
      else if (a == "--timeout") spec.timeout_s = parse_seconds(value());
      else if (a == "--max-connections") spec.max_connections = std::stoi(value());
      else if (a == "--help" || a == "-h") usage("");
      else if (!a.empty() && a[0] == '-') usage(("unknown option " + a).c_str());
      else if (url.empty()) url = a;
      else usage("more than one URL");
    }
  } catch (const std::exception& e) {
    usage(e.what());
  }
  if (url.empty()) usage("missing URL");
  spec.executor = spec.rate > 0 ? greenlight::ExecutorKind::constant_arrival_rate : greenlight::ExecutorKind::max_rate;
  spec.endpoints.push_back(greenlight::Endpoint{.name = "bench", .url = url});

  greenlight::LoadResult r;
  try {
    r = greenlight::run_load(spec);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenlight-loadbench: %s\n", e.what());
    return 2;
  }
  double cpu = cpu_seconds();

  std::printf("threads %d, connections %d, duration %.2fs, %s\n", r.threads, spec.connections, r.duration_s,
              spec.rate > 0 ? "constant_arrival_rate" : "max_rate");
  std::printf("requests   %lld\n", (long long)r.requests);
  std::printf("rps        %.1f\n", r.duration_s > 0 ? double(r.requests) / r.duration_s : 0.0);
  std::printf("bytes      %lld\n", (long long)r.bytes_read);
  if (spec.rate > 0) std::printf("dropped    %lld\n", (long long)r.dropped);
  std::printf("errors     %lld\n", (long long)r.error_count());
  for (size_t k = 0; k < greenlight::kErrorClassCount; ++k)
    if (r.errors[k] > 0)
      std::printf("  %-16s %lld\n", greenlight::to_string(ErrorClass(k)), (long long)r.errors[k]);
  const greenlight::Histogram& h = r.latency;
  std::printf("latency    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", ms(h.value_at_percentile(50)).c_str(),
              ms(h.value_at_percentile(90)).c_str(), ms(h.value_at_percentile(99)).c_str(),
              ms(h.value_at_percentile(99.9)).c_str(), ms(h.max()).c_str());
  if (spec.rate > 0) {
    const greenlight::Histogram& s = r.service_time;
    std::printf("service    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", ms(s.value_at_percentile(50)).c_str(),
                ms(s.value_at_percentile(90)).c_str(), ms(s.value_at_percentile(99)).c_str(),
                ms(s.value_at_percentile(99.9)).c_str(), ms(s.max()).c_str());
  }
  std::printf("cpu        %.3fs (%.2f us/request)\n", cpu, r.requests > 0 ? cpu * 1e6 / double(r.requests) : 0.0);
  return 0;
}
