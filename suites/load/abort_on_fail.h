// Stopping a load run early when a threshold fails (k6's abortOnFail): once a
// second, after the first second or the first 100 requests, the thresholds
// are judged on what has completed so far; the first failure stops the run.
// Running on to the end would only confirm a verdict that is already clear,
// while the load keeps hurting a target that is out of its SLO.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "loadgen/engine.h"
#include "loadgen/thresholds.h"

namespace greenlight {

// A threshold that the figures so far cannot judge: a lower bound on the
// request count (every run starts below it) and anything on dropped requests
// (not published during the run). These wait for the end.
bool judged_at_end_only(const Threshold& t);

class AbortOnFail {
 public:
  // user_cancel may be null. While the object lives, a setting of
  // *user_cancel is relayed to cancel() within 10 ms.
  AbortOnFail(std::vector<Threshold> thresholds, const std::atomic<bool>* user_cancel);
  ~AbortOnFail();
  AbortOnFail(const AbortOnFail&) = delete;
  AbortOnFail& operator=(const AbortOnFail&) = delete;

  // The flag to give run_load: set by the user's cancel or by an abort.
  const std::atomic<bool>* cancel() const { return &stop_; }

  // Call from run_load's on_progress.
  void on_progress(const LoadProgress& p);

  bool aborted() const { return !threshold_.empty(); }
  bool user_cancelled() const { return user_cancel_ && user_cancel_->load(); }
  const std::string& threshold() const { return threshold_; }  // as written
  // "aborted after 1.1s: threshold p(99)<50ms failed (p(99)=201ms, limit <50ms)"; "" when not aborted
  std::string message() const;

 private:
  std::vector<Threshold> thresholds_;
  const std::atomic<bool>* user_cancel_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread relay_;
  std::string threshold_, verdict_;
  double at_s_ = 0;
};

}  // namespace greenlight
