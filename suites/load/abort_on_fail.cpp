// Judging thresholds during a run; see abort_on_fail.h for the rule.
#include "suites/load/abort_on_fail.h"

#include <chrono>
#include <cstdio>

namespace greenlight {

namespace {

constexpr int64_t kMinRequests = 100;
constexpr double kMinSeconds = 1.0;

}  // namespace

bool judged_at_end_only(const Threshold& t) {
  using M = Threshold::Metric;
  using O = Threshold::Op;
  if (t.metric == M::dropped) return true;
  return t.metric == M::requests && (t.op == O::gt || t.op == O::ge || t.op == O::eq);
}

AbortOnFail::AbortOnFail(std::vector<Threshold> thresholds, const std::atomic<bool>* user_cancel)
    : thresholds_(std::move(thresholds)), user_cancel_(user_cancel) {
  if (user_cancel_)
    relay_ = std::thread([this] {
      while (!done_.load()) {
        if (user_cancel_->load()) {
          stop_.store(true);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
}

AbortOnFail::~AbortOnFail() {
  done_.store(true);
  if (relay_.joinable()) relay_.join();
}

void AbortOnFail::on_progress(const LoadProgress& p) {
  if (aborted() || !p.latency || (p.requests < kMinRequests && p.elapsed_s < kMinSeconds)) return;
  if (p.latency->count() == 0) return;  // nothing judged yet (a stalled target: the timeout will tell)
  LoadFigures f{p.latency, p.requests, p.errors, 0, p.elapsed_s};
  for (const Threshold& t : thresholds_) {
    if (judged_at_end_only(t)) continue;
    ThresholdVerdict v = evaluate(t, f);
    if (v.passed) continue;
    threshold_ = t.text;
    verdict_ = v.message;
    at_s_ = p.elapsed_s;
    stop_.store(true);
    return;
  }
}

std::string AbortOnFail::message() const {
  if (!aborted()) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", at_s_);
  return "aborted after " + std::string(buf) + "s: threshold " + threshold_ + " failed (" + verdict_ + ")";
}

}  // namespace greenlight
