// One load-engine worker thread: an epoll loop that owns its connections,
// schedule cursor and histograms (wrk's design). Internal to engine.cpp.
//
// Thread-safety: a Worker is built on the coordinating thread, run() on its
// own thread; while it runs the coordinator may only read the published_*
// atomics and call take_intervals(). Everything else is read after join().
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loadgen/body_match.h"
#include "loadgen/endpoint_mix.h"
#include "loadgen/engine.h"
#include "loadgen/http1.h"
#include "loadgen/schedule.h"

namespace greenlight {

struct RunContext;

// Runs once when every worker has arrived at the start line: starts the clock.
struct StartClock {
  RunContext* ctx;
  void operator()() noexcept;
};

// What every worker reads; built before the threads start, immutable after
// (except the atomics).
struct RunContext {
  struct PreparedEndpoint {
    std::string request;  // the bytes on the wire, built once
    std::vector<std::string> variants;  // templated: one request per data row (request is row 0's)
    bool head = false;
    int expect_status = 0;
    std::unique_ptr<BodyNeedle> needle;  // null: no body check
  };

  LoadSchedule plan;
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::vector<PreparedEndpoint> endpoints;
  std::vector<double> weights;
  int64_t timeout_ns = 0;
  int64_t queue_wait_ns = 0;
  uint64_t max_requests = 0;
  size_t data_rows = 0;  // > 0: templated endpoints have that many variants
  const std::atomic<bool>* cancel = nullptr;

  std::atomic<bool> stop{false};       // the coordinator or a failed worker asks everyone to stop
  std::atomic<bool> cancelled{false};  // someone saw *cancel set: the run is interrupted
  std::atomic<int64_t> start_ns{0};    // set when every worker has opened its first connections
  std::unique_ptr<std::barrier<StartClock>> ready;
};

class Worker {
 public:
  // Allocates everything the loop needs (throws std::runtime_error when the
  // kernel refuses an epoll or timer fd).
  Worker(RunContext& ctx, int index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void run() noexcept;  // the thread body; failures end up in error()

  // Published for progress: relaxed stores every tick (10 ms).
  std::atomic<int64_t> published_requests{0};
  std::atomic<int64_t> published_errors{0};
  std::atomic<bool> finished{false};

  // Moves the completed per-second intervals since the last call into `out`,
  // and takes merged ones back from `spares` (reset) so the worker need not
  // allocate a histogram every second.
  void take_intervals(std::vector<IntervalStats>& out, std::vector<IntervalStats>& spares);

  // After join.
  struct Totals {
    int64_t requests = 0, dropped = 0, bytes_read = 0;
    std::array<int64_t, kErrorClassCount> errors{};
    Histogram latency, service_time;
    std::vector<EndpointStats> endpoints;
    int64_t stop_ns = 0;  // when this worker stopped starting requests
  };
  Totals& totals() { return totals_; }
  std::exception_ptr error() const { return error_; }

 private:
  struct Conn;
  struct Queued {
    int64_t intended_ns;
    uint32_t ep;
  };

  void prepare();
  void loop();
  void tick(int64_t now);
  void arm_timer(int64_t now);
  int wait_for_events(epoll_event* events, int timeout_ms);

  // Connections.
  void open_conn(Conn& c, int64_t now);
  void close_fd(Conn& c);    // the socket only (a thinking VU keeps its state)
  void close_conn(Conn& c);  // socket and slot
  void on_event(Conn& c, uint32_t events);
  void on_connected(Conn& c);
  void on_readable(Conn& c, uint32_t events);
  void send_request(Conn& c, uint32_t ep, int64_t intended_ns, int64_t now);
  void write_request(Conn& c, int64_t now);
  void continue_write(Conn& c);
  void flush_sends();
  void complete(Conn& c, int64_t now, bool must_close);
  void fail(Conn& c, ErrorClass cls, int64_t now);
  void count_error(uint32_t ep, ErrorClass cls, int64_t now);

  // Open model.
  void dispatch_due(int64_t now);
  void pump_queue(int64_t now);
  void expire_queue(int64_t now);
  Conn* pop_idle();
  void make_idle(Conn& c, int64_t now);
  Conn* free_slot();

  // Closed model.
  void start_vu(Conn& c, int64_t now);
  void vu_next(Conn& c, int64_t now);
  void wake_thinkers(int64_t now);
  void update_vus(int64_t now);

  void rollover(int64_t second);

  RunContext& ctx_;
  const LoadSchedule& plan_;
  int index_;
  int epfd_ = -1;
  int timerfd_ = -1;
  int64_t armed_ns_ = 0;
  int64_t spin_ns_ = 20'000;  // current poll-before-sleep budget
  bool spin_allowed_ = false;  // closed model without think time only
  int64_t start_ns_ = 0, end_ns_ = 0;
  int64_t drain_until_ns_ = 0;  // open model: in-flight requests may finish until then
  bool done_ = false;
  bool open_model_;
  bool dispatching_ = true;  // new requests may start
  bool single_endpoint_;
  uint64_t row_cursor_ = 0;  // next data row (index_, then += threads)

  std::vector<Conn> conns_;
  std::vector<char> read_buf_;
  EndpointMix mix_;
  int in_flight_ = 0;
  bool in_batch_ = false;
  std::vector<uint32_t> deferred_;  // connections whose request waits for flush_sends()

  // Open model.
  ThreadArrivals arrivals_;
  std::vector<uint32_t> idle_;        // stack of idle connection indices (lazy removal)
  std::vector<uint32_t> free_slots_;  // closed slots available for new connections
  int open_conns_ = 0;
  int cap_ = 0;
  std::vector<Queued> queue_;  // ring buffer
  size_t q_head_ = 0, q_size_ = 0;

  // Closed model.
  int active_vus_ = 0;
  uint64_t quota_left_ = 0;
  bool bounded_ = false;
  std::vector<uint32_t> think_;  // ring of connection indices, in wake order (think time is constant)
  size_t t_head_ = 0, t_size_ = 0;
  int64_t think_ns_ = 0;

  // Results.
  Totals totals_;
  IntervalStats cur_;
  int64_t cur_second_ = 0;
  int64_t next_second_ns_ = 0;
  std::mutex mu_;  // guards pending_ and spares_ (touched once per second)
  std::vector<IntervalStats> pending_;
  std::vector<IntervalStats> spares_;
  std::exception_ptr error_;
};

}  // namespace greenlight
