// merge_results: sums of counts and bucket-by-bucket histogram additions.
#include "loadgen/merge.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace greenlight {

namespace {

void add_histogram(Histogram& into, const Histogram& h, size_t part, const char* what) {
  if (into.highest() != h.highest() || into.significant_digits() != h.significant_digits())
    throw std::invalid_argument("part " + std::to_string(part + 1) + ": its " + what + " histogram has another layout (" +
                                std::to_string(h.significant_digits()) + " digits up to " + std::to_string(h.highest()) +
                                ") than the first part's");
  into.add(h);
}

}  // namespace

LoadResult merge_results(const std::vector<const LoadResult*>& parts) {
  LoadResult out;
  if (parts.empty()) return out;
  for (const EndpointStats& e : parts[0]->endpoints) {
    out.endpoints.emplace_back();
    out.endpoints.back().name = e.name;
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    const LoadResult& r = *parts[p];
    if (r.endpoints.size() != out.endpoints.size())
      throw std::invalid_argument("part " + std::to_string(p + 1) + " has " + std::to_string(r.endpoints.size()) +
                                  " endpoints, the first part " + std::to_string(out.endpoints.size()));
    out.duration_s = std::max(out.duration_s, r.duration_s);
    out.requests += r.requests;
    out.dropped += r.dropped;
    out.bytes_read += r.bytes_read;
    for (size_t k = 0; k < kErrorClassCount; ++k) out.errors[k] += r.errors[k];
    add_histogram(out.latency, r.latency, p, "latency");
    add_histogram(out.service_time, r.service_time, p, "service time");
    for (size_t i = 0; i < r.endpoints.size(); ++i) {
      const EndpointStats& e = r.endpoints[i];
      EndpointStats& into = out.endpoints[i];
      if (e.name != into.name)
        throw std::invalid_argument("part " + std::to_string(p + 1) + ": endpoint " + std::to_string(i + 1) + " is '" + e.name +
                                    "', in the first part '" + into.name + "'");
      into.requests += e.requests;
      for (size_t k = 0; k < kErrorClassCount; ++k) into.errors[k] += e.errors[k];
      add_histogram(into.latency, e.latency, p, ("endpoint '" + e.name + "' latency").c_str());
    }
    for (const IntervalStats& s : r.intervals) {
      size_t i = size_t(std::max(0.0, std::floor(s.start_s + 0.5)));
      while (out.intervals.size() <= i) {
        out.intervals.emplace_back();
        out.intervals.back().start_s = double(out.intervals.size() - 1);
      }
      IntervalStats& into = out.intervals[i];
      into.requests += s.requests;
      into.errors += s.errors;
      add_histogram(into.latency, s.latency, p, "per-second latency");
    }
    out.interrupted |= r.interrupted;
    out.threads += r.threads;
  }
  return out;
}

}  // namespace greenlight
