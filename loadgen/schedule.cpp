// Executor timelines: integrating piecewise-linear rates and inverting the
// integral for due times; piecewise-linear VU counts; spec validation.
#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace greenlight {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

[[noreturn]] void bad(const std::string& why) { throw std::invalid_argument(why); }

bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0; }

void check_stages(const std::vector<Stage>& stages, const char* target_name) {
  if (stages.empty()) bad("stages are required by this executor");
  for (size_t i = 0; i < stages.size(); ++i) {
    const Stage& s = stages[i];
    std::string where = "stages[" + std::to_string(i) + "]";
    if (!std::isfinite(s.duration_s) || s.duration_s <= 0) bad(where + ".duration must be > 0");
    if (!finite_nonneg(s.target)) bad(where + ".target (" + target_name + ") must be >= 0");
  }
}

}  // namespace

// ---- ArrivalSchedule ----------------------------------------------------------

ArrivalSchedule ArrivalSchedule::constant(double rate, double duration_s) {
  return ramping(rate, {Stage{duration_s, rate}});
}

ArrivalSchedule ArrivalSchedule::ramping(double start_rate, const std::vector<Stage>& stages) {
  ArrivalSchedule s;
  double t = 0, n = 0, r = start_rate;
  for (const Stage& st : stages) {
    Segment seg{t, t + st.duration_s, r, st.target, n, n + (r + st.target) / 2 * st.duration_s};
    s.segments_.push_back(seg);
    t = seg.t1;
    n = seg.n1;
    r = st.target;
  }
  s.duration_s_ = t;
  // Request k is due at count k, so [0, duration) holds ceil(N) of them
  // (the one landing exactly on the end belongs to no run).
  double total = std::ceil(n - 1e-9);
  s.total_ = total > 0 ? uint64_t(total) : 0;
  return s;
}

double ArrivalSchedule::rate_at(double t) const {
  for (const Segment& s : segments_)
    if (t < s.t1) return t <= s.t0 ? s.r0 : s.r0 + (s.r1 - s.r0) * (t - s.t0) / (s.t1 - s.t0);
  return 0;
}

double ArrivalSchedule::peak_rate() const {
  double peak = 0;
  for (const Segment& s : segments_) peak = std::max({peak, s.r0, s.r1});
  return peak;
}

double ArrivalSchedule::count_until(double t) const {
  if (segments_.empty() || t <= 0) return 0;
  for (const Segment& s : segments_) {
    if (t >= s.t1) continue;
    double tau = t - s.t0;
    double a = (s.r1 - s.r0) / (2 * (s.t1 - s.t0));
    return s.n0 + s.r0 * tau + a * tau * tau;
  }
  return segments_.back().n1;
}

double ArrivalSchedule::due_s(uint64_t n) const {
  if (n >= total_) return kInf;
  double x = double(n);
  // The first segment whose integral passes n (zero-rate segments pass nothing).
  auto it = std::upper_bound(segments_.begin(), segments_.end(), x,
                             [](double v, const Segment& s) { return v < s.n1; });
  if (it == segments_.end()) return kInf;
  const Segment& s = *it;
  double dx = x - s.n0;
  if (dx <= 0) return s.t0;
  // Solve r0*tau + a*tau^2 = dx. This form (rather than the textbook one)
  // stays exact when a is ~0 and does not cancel when r0 is large.
  double a = (s.r1 - s.r0) / (2 * (s.t1 - s.t0));
  double disc = s.r0 * s.r0 + 4 * a * dx;
  double tau = 2 * dx / (s.r0 + std::sqrt(std::max(0.0, disc)));
  double t = s.t0 + tau;
  return t < duration_s_ ? std::min(t, s.t1) : kInf;
}

// ---- ThreadArrivals -----------------------------------------------------------

ThreadArrivals::ThreadArrivals(const ArrivalSchedule& schedule, int thread, int threads, uint64_t quota)
    : schedule_(&schedule), n_(uint64_t(thread)), step_(uint64_t(threads)), left_(quota) {
  compute();
}

void ThreadArrivals::compute() {
  if (left_ == 0) {
    next_ns_ = kNever;
    return;
  }
  double t = schedule_->due_s(n_);
  next_ns_ = std::isfinite(t) ? int64_t(std::llround(t * 1e9)) : kNever;
}

void ThreadArrivals::advance() {
  if (next_ns_ == kNever) return;
  n_ += step_;
  if (left_ != kUnbounded) --left_;
  compute();
}

// ---- VuSchedule ---------------------------------------------------------------

VuSchedule VuSchedule::constant(int vus, double duration_s) {
  return ramping(vus, {Stage{duration_s, double(vus)}});
}

VuSchedule VuSchedule::ramping(int start_vus, const std::vector<Stage>& stages) {
  VuSchedule s;
  double t = 0, v = start_vus;
  s.max_vus_ = start_vus;
  for (const Stage& st : stages) {
    s.segments_.push_back(Segment{t, t + st.duration_s, v, st.target});
    t += st.duration_s;
    v = st.target;
    s.max_vus_ = std::max(s.max_vus_, int(std::floor(st.target + 1e-9)));
  }
  s.duration_s_ = t;
  return s;
}

int VuSchedule::vus_at(double t) const {
  if (segments_.empty()) return 0;
  for (const Segment& s : segments_) {
    if (t >= s.t1) continue;
    double v = t <= s.t0 ? s.v0 : s.v0 + (s.v1 - s.v0) * (t - s.t0) / (s.t1 - s.t0);
    return int(std::floor(v + 1e-9));
  }
  return int(std::floor(segments_.back().v1 + 1e-9));
}

// ---- LoadSchedule ------------------------------------------------------------

LoadSchedule make_plan(const LoadSpec& spec, int hardware_threads) {
  LoadSchedule p;
  p.executor = spec.executor;
  bool ramping = spec.executor == ExecutorKind::ramping_vus || spec.executor == ExecutorKind::ramping_arrival_rate;
  p.open = spec.executor == ExecutorKind::constant_arrival_rate || spec.executor == ExecutorKind::ramping_arrival_rate;

  if (spec.threads < 0) bad("threads must be >= 0 (0: one per core)");
  if (spec.connections < 1) bad("connections must be >= 1");
  if (spec.max_connections < 0) bad("max_connections must be >= 0 (0: = connections)");
  if (!std::isfinite(spec.timeout_s) || spec.timeout_s <= 0) bad("timeout must be > 0");
  if (!finite_nonneg(spec.think_time_s)) bad("think_time must be >= 0");
  if (!finite_nonneg(spec.max_queue_wait_s)) bad("max_queue_wait must be >= 0");
  if (!finite_nonneg(spec.rate)) bad("rate must be >= 0");
  if (!ramping && !spec.stages.empty()) bad("stages are only used by the ramping_vus and ramping_arrival_rate executors");
  if (ramping) check_stages(spec.stages, spec.executor == ExecutorKind::ramping_vus ? "VUs" : "requests/s");
  else if (!std::isfinite(spec.duration_s) || spec.duration_s <= 0) bad("duration must be > 0");
  if (spec.think_time_s > 0 && spec.executor != ExecutorKind::constant_vus &&
      spec.executor != ExecutorKind::ramping_vus)
    bad("think_time is only used by the constant_vus and ramping_vus executors");

  int cap = 0;
  switch (spec.executor) {
    case ExecutorKind::max_rate:
    case ExecutorKind::constant_vus:
      p.vus = VuSchedule::constant(spec.connections, spec.duration_s);
      cap = spec.connections;
      break;
    case ExecutorKind::ramping_vus:
      p.vus = VuSchedule::ramping(spec.connections, spec.stages);
      cap = p.vus.max_vus();
      break;
    case ExecutorKind::constant_arrival_rate:
      if (spec.rate <= 0) bad("rate must be > 0 for constant_arrival_rate");
      p.arrivals = ArrivalSchedule::constant(spec.rate, spec.duration_s);
      break;
    case ExecutorKind::ramping_arrival_rate:
      p.arrivals = ArrivalSchedule::ramping(spec.rate, spec.stages);
      break;
  }
  if (p.open) {
    p.pool = spec.connections;
    p.max_connections = spec.max_connections == 0 ? spec.connections : spec.max_connections;
    if (p.max_connections < p.pool) bad("max_connections must be >= connections");
    cap = p.max_connections;
    p.duration_s = p.arrivals.duration_s();
  } else {
    if (spec.max_connections != 0) bad("max_connections is only used by the arrival-rate executors");
    p.max_connections = cap;
    p.duration_s = p.vus.duration_s();
    p.think_time_s = spec.executor == ExecutorKind::max_rate ? 0 : spec.think_time_s;
  }

  int threads = spec.threads == 0 ? std::max(1, hardware_threads) : spec.threads;
  // A thread without a connection would have nothing to do.
  p.threads = std::max(1, std::min(threads, std::max(cap, 1)));
  return p;
}

}  // namespace greenlight
