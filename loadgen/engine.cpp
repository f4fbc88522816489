// run_load: turns a LoadSpec into prepared requests and a plan, starts the
// workers, and on the calling thread merges their per-second intervals,
// reports progress and watches the cancel flag; then merges the totals.
#include "loadgen/engine.h"

#include <netdb.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "loadgen/http1.h"
#include "loadgen/schedule.h"
#include "loadgen/url.h"
#include "loadgen/worker.h"

namespace greenlight {

const char* to_string(ErrorClass c) {
  switch (c) {
    case ErrorClass::connect_refused: return "connect_refused";
    case ErrorClass::connect_timeout: return "connect_timeout";
    case ErrorClass::timeout: return "timeout";
    case ErrorClass::reset: return "reset";
    case ErrorClass::http_4xx: return "http_4xx";
    case ErrorClass::http_5xx: return "http_5xx";
    case ErrorClass::parse_error: return "parse_error";
    case ErrorClass::check_failed: return "check_failed";
    case ErrorClass::other: return "other";
    case ErrorClass::count_: break;
  }
  return "unknown";
}

namespace {

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : int(n);
}

int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool same_host(const Url& a, const Url& b) {
  if (a.port != b.port || a.host.size() != b.host.size()) return false;
  for (size_t i = 0; i < a.host.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a.host[i])) != std::tolower(static_cast<unsigned char>(b.host[i])))
      return false;
  return true;
}

bool templated(const LoadSpec& spec, const Endpoint& e) {
  if (spec.data.empty()) return false;
  if (has_template(e.url) || has_template(e.body)) return true;
  for (const auto& [k, v] : e.headers)
    if (has_template(k) || has_template(v)) return true;
  return false;
}

// One request per data row, built now so that the workers only pick one.
// `first` is the first endpoint's URL (for endpoint 0, its row-0 rendering
// is checked against itself): a row must not move the request to another host.
std::vector<std::string> render_variants(const LoadSpec& spec, const Endpoint& e, const Url& first, size_t& total) {
  std::vector<std::string> out;
  out.reserve(spec.data.rows.size());
  HeaderList headers = e.headers;
  for (size_t row = 0; row < spec.data.rows.size(); ++row) {
    Url url = parse_url(render_template(e.url, spec.data, row));
    if (!first.host.empty() && !same_host(first, url))
      throw std::invalid_argument("data row " + std::to_string(row + 1) + " changes the host:port of the URL");
    for (size_t h = 0; h < headers.size(); ++h) {
      headers[h].first = render_template(e.headers[h].first, spec.data, row);
      headers[h].second = render_template(e.headers[h].second, spec.data, row);
    }
    out.push_back(build_request(e.method, url, headers, render_template(e.body, spec.data, row)));
    total += out.back().size();
    if (total > kMaxRenderedBytes)
      throw std::invalid_argument("the requests rendered from " + spec.data.source + " exceed " +
                                  std::to_string(kMaxRenderedBytes >> 20) + " MiB; use fewer rows");
  }
  return out;
}

// Parses and checks the endpoints; fills ctx (when given) with their request bytes.
Url prepare_endpoints(const LoadSpec& spec, RunContext* ctx) {
  if (spec.endpoints.empty()) throw std::invalid_argument("at least one endpoint is required");
  if (spec.endpoints.size() > 65535) throw std::invalid_argument("too many endpoints");
  if (spec.data.rows.size() > kMaxDataRows)
    throw std::invalid_argument(spec.data.source + ": " + std::to_string(spec.data.rows.size()) + " rows, at most " +
                                std::to_string(kMaxDataRows) + " are supported");
  for (const auto& row : spec.data.rows)
    if (row.size() != spec.data.columns.size())
      throw std::invalid_argument(spec.data.source + ": every row needs one value per column");
  Url first;
  size_t rendered_bytes = 0;
  for (size_t i = 0; i < spec.endpoints.size(); ++i) {
    const Endpoint& e = spec.endpoints[i];
    std::string where = "endpoint '" + (e.name.empty() ? e.url : e.name) + "': ";
    Url url;
    try {
      url = parse_url(e.url);
    } catch (const std::invalid_argument& err) {
      throw std::invalid_argument(where + err.what());
    }
    if (i == 0) first = url;
    else if (!same_host(first, url))
      throw std::invalid_argument(where + "every endpoint must target the same host:port as the first (" +
                                  first.host_header + ")");
    if (!std::isfinite(e.weight) || e.weight <= 0) throw std::invalid_argument(where + "weight must be > 0");
    if (e.expect_status != 0 && (e.expect_status < 100 || e.expect_status > 999))
      throw std::invalid_argument(where + "expect_status must be 100..999 (or 0: any 2xx/3xx)");
    RunContext::PreparedEndpoint pe;
    try {
      if (templated(spec, e)) {
        pe.variants = render_variants(spec, e, first, rendered_bytes);
        pe.request = pe.variants[0];
      } else {
        pe.request = build_request(e.method, url, e.headers, e.body);
      }
    } catch (const std::invalid_argument& err) {
      throw std::invalid_argument(where + err.what());
    }
    if (pe.request.size() > UINT32_MAX / 2) throw std::invalid_argument(where + "request too large");
    if (ctx) {
      pe.head = e.method == "HEAD";
      pe.expect_status = e.expect_status;
      if (!e.expect_body_contains.empty()) pe.needle = std::make_unique<BodyNeedle>(e.expect_body_contains);
      ctx->endpoints.push_back(std::move(pe));
      ctx->weights.push_back(e.weight);
    }
  }
  return first;
}

void resolve(const Url& url, RunContext& ctx) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &res);
  if (rc != 0 || !res) throw std::runtime_error("cannot resolve '" + url.host + "': " + gai_strerror(rc));
  std::memcpy(&ctx.addr, res->ai_addr, res->ai_addrlen);
  ctx.addr_len = socklen_t(res->ai_addrlen);
  freeaddrinfo(res);
}

void merge_interval(std::vector<IntervalStats>& into, IntervalStats& s) {
  size_t i = size_t(std::max(0.0, s.start_s));
  while (into.size() <= i) {
    into.emplace_back();
    into.back().start_s = double(into.size() - 1);
  }
  into[i].requests += s.requests;
  into[i].errors += s.errors;
  into[i].latency.add(s.latency);
}

}  // namespace

void validate(const LoadSpec& spec) {
  make_plan(spec, hardware_threads());
  prepare_endpoints(spec, nullptr);
}

LoadResult run_load(const LoadSpec& spec, const std::atomic<bool>* cancel,
                    std::function<void(const LoadProgress&)> on_progress) {
  auto ctx = std::make_unique<RunContext>();
  ctx->plan = make_plan(spec, hardware_threads());
  Url url = prepare_endpoints(spec, ctx.get());
  resolve(url, *ctx);
  ctx->timeout_ns = int64_t(std::llround(spec.timeout_s * 1e9));
  ctx->queue_wait_ns = int64_t(std::llround(spec.max_queue_wait_s * 1e9));
  ctx->max_requests = spec.max_requests;
  ctx->data_rows = spec.data.rows.size();
  ctx->cancel = cancel;
  int nthreads = ctx->plan.threads;
  ctx->ready = std::make_unique<std::barrier<StartClock>>(nthreads, StartClock{ctx.get()});

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < nthreads; ++i) workers.push_back(std::make_unique<Worker>(*ctx, i));

  std::vector<std::thread> threads;
  auto stop_all = [&] {
    ctx->stop.store(true);
    for (std::thread& t : threads)
      if (t.joinable()) t.join();
  };
  try {
    for (int i = 0; i < nthreads; ++i) threads.emplace_back([w = workers[size_t(i)].get()] { w->run(); });
  } catch (...) {
    for (size_t i = threads.size(); i < size_t(nthreads); ++i) ctx->ready->arrive_and_drop();
    stop_all();
    throw;
  }

  LoadResult result;
  result.threads = nthreads;
  std::vector<IntervalStats> arrived, spares;
  Histogram so_far{3'600'000'000, 2};  // for LoadProgress::latency; one add per worker-second
  auto collect = [&] {
    for (auto& w : workers) {
      w->take_intervals(arrived, spares);
      for (IntervalStats& s : arrived) {
        merge_interval(result.intervals, s);
        if (on_progress) so_far.add(s.latency);
        s.latency.reset();
        s.requests = s.errors = 0;
        spares.push_back(std::move(s));
      }
      arrived.clear();
    }
  };

  try {
    int64_t next_progress_s = 1;
    int64_t last_requests = 0;
    int64_t last_progress_ns = 0;
    for (;;) {
      bool all_done = true;
      for (auto& w : workers) all_done &= w->finished.load(std::memory_order_acquire);
      if (all_done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (cancel && cancel->load() && !ctx->stop.load()) {
        ctx->cancelled.store(true);
        ctx->stop.store(true);
      }
      collect();
      int64_t start = ctx->start_ns.load(std::memory_order_relaxed);
      if (!on_progress || start == 0) continue;
      int64_t now = mono_ns();
      double elapsed = double(now - start) / 1e9;
      // A little after each whole second, so the workers have handed over
      // the second that just ended.
      if (elapsed < double(next_progress_s) + 0.05) continue;
      LoadProgress p{};
      p.elapsed_s = elapsed;
      for (auto& w : workers) {
        p.requests += w->published_requests.load(std::memory_order_relaxed);
        p.errors += w->published_errors.load(std::memory_order_relaxed);
      }
      int64_t since = last_progress_ns == 0 ? now - start : now - last_progress_ns;
      p.rps = since > 0 ? double(p.requests - last_requests) * 1e9 / double(since) : 0;
      size_t sec = size_t(std::floor(elapsed)) - 1;
      p.p99_us = sec < result.intervals.size() ? result.intervals[sec].latency.value_at_percentile(99) : 0;
      p.latency = &so_far;
      last_requests = p.requests;
      last_progress_ns = now;
      next_progress_s = int64_t(std::floor(elapsed)) + 1;
      on_progress(p);
    }
  } catch (...) {
    stop_all();
    throw;
  }
  for (std::thread& t : threads) t.join();
  result.interrupted = ctx->cancelled.load();
  for (auto& w : workers)
    if (w->error()) std::rethrow_exception(w->error());
  collect();

  int64_t start = ctx->start_ns.load();
  int64_t stop = start;
  result.endpoints.resize(spec.endpoints.size());
  for (size_t i = 0; i < spec.endpoints.size(); ++i)
    result.endpoints[i].name = spec.endpoints[i].name.empty() ? spec.endpoints[i].url : spec.endpoints[i].name;
  for (auto& w : workers) {
    Worker::Totals& t = w->totals();
    result.requests += t.requests;
    result.dropped += t.dropped;
    result.bytes_read += t.bytes_read;
    for (size_t k = 0; k < kErrorClassCount; ++k) result.errors[k] += t.errors[k];
    result.latency.add(t.latency);
    result.service_time.add(t.service_time);
    for (size_t i = 0; i < t.endpoints.size(); ++i) {
      EndpointStats& e = result.endpoints[i];
      e.requests += t.endpoints[i].requests;
      for (size_t k = 0; k < kErrorClassCount; ++k) e.errors[k] += t.endpoints[i].errors[k];
      e.latency.add(t.endpoints[i].latency);
    }
    stop = std::max(stop, t.stop_ns);
  }
  result.duration_s = double(stop - start) / 1e9;
  return result;
}

}  // namespace greenlight
