// The worker's event loop. Per request on a kept-alive connection the hot
// path is one send(), one read() and a share of one epoll_wait(): sockets are
// registered once, edge-triggered, for both directions, so nothing is
// re-armed per request (wrk spends two epoll_ctl() per request on that).
// Requests that follow the responses of one epoll batch are sent together
// after it. Timers: one timerfd for the next due request or end of think
// time (sub-millisecond, unlike epoll_wait's timeout), plus a 10 ms
// housekeeping tick for timeouts, reconnects, ramping and publishing.
#include "loadgen/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace greenlight {

namespace {

constexpr uint32_t kTimerTag = UINT32_MAX;
constexpr int64_t kTickNs = 10'000'000;
constexpr int kMaxEvents = 256;
constexpr size_t kReadBufBytes = 64 * 1024;
constexpr int64_t kPrepareLimitNs = 1'000'000'000;
constexpr int64_t kNever = ThreadArrivals::kNever;
constexpr ErrorClass kNoError = ErrorClass::count_;
constexpr size_t kMaxQueue = size_t(1) << 20;
constexpr int64_t kSpinMaxNs = 20'000;  // see wait_for_events()

inline int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline int64_t to_us(int64_t ns) { return (ns + 500) / 1000; }

// Reconnecting after a failure: 10 ms, doubling up to 1 s, so a dead target
// costs a few connects per second per VU instead of a busy loop.
int64_t backoff_ns(uint32_t failures) {
  int shift = int(std::min<uint32_t>(failures > 0 ? failures - 1 : 0, 7));
  return std::min<int64_t>(10'000'000LL << shift, 1'000'000'000LL);
}

ErrorClass classify_connect(int err) {
  switch (err) {
    case ECONNREFUSED:
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EADDRNOTAVAIL:
      return ErrorClass::connect_refused;
    case ETIMEDOUT:
      return ErrorClass::connect_timeout;
    case ECONNRESET:
      return ErrorClass::reset;
    default:
      return ErrorClass::other;
  }
}

}  // namespace

void StartClock::operator()() noexcept { ctx->start_ns.store(now_ns(), std::memory_order_relaxed); }

enum class ConnState : uint8_t {
  closed,      // no socket; open model: a free slot
  connecting,  // handshake in progress (a request may be waiting on it)
  idle,        // connected, nothing to send
  writing,     // request partly sent, waiting for room in the socket buffer
  reading,     // request sent, response not complete
  thinking,    // closed model: pause before the VU's next request (socket may be open)
  backoff,     // closed model: after a failure, reconnect at wake_ns
};

struct Worker::Conn {
  int fd = -1;
  ConnState state = ConnState::closed;
  bool has_request = false;
  bool in_idle = false;
  bool deferred = false;  // written by flush_sends() after the current event batch
  uint32_t index = 0;
  uint32_t ep = 0;
  uint32_t written = 0;
  uint32_t failures = 0;  // consecutive, reset by any complete response
  const std::string* request = nullptr;  // the bytes being sent: the endpoint's, or its variant for a data row
  int64_t intended_ns = 0, sent_ns = 0, deadline_ns = 0, wake_ns = 0;
  ResponseParser parser;
  BodyMatch match;
};

Worker::Worker(RunContext& ctx, int index)
    : ctx_(ctx),
      plan_(ctx.plan),
      index_(index),
      open_model_(ctx.plan.open),
      single_endpoint_(ctx.endpoints.size() == 1),
      row_cursor_(uint64_t(index)),
      mix_(ctx.weights),
      arrivals_(ctx.plan.arrivals, index, ctx.plan.threads,
                ctx.max_requests == 0 ? ThreadArrivals::kUnbounded
                                      : ctx.max_requests / uint64_t(ctx.plan.threads) +
                                            (uint64_t(index) < ctx.max_requests % uint64_t(ctx.plan.threads) ? 1 : 0)) {
  int threads = plan_.threads;
  int slots = open_model_ ? VuSchedule::share(plan_.max_connections, index, threads)
                          : plan_.vus.max_vus_for_thread(index, threads);
  conns_.resize(size_t(slots));
  for (int i = 0; i < slots; ++i) conns_[size_t(i)].index = uint32_t(i);
  read_buf_.resize(kReadBufBytes);
  if (ctx.max_requests > 0) {
    bounded_ = true;
    quota_left_ = ctx.max_requests / uint64_t(threads) + (uint64_t(index) < ctx.max_requests % uint64_t(threads) ? 1 : 0);
  }
  if (open_model_) {
    cap_ = slots;
    idle_.reserve(size_t(slots));
    for (int i = slots - 1; i >= 0; --i) free_slots_.push_back(uint32_t(i));
    if (ctx.queue_wait_ns > 0) {
      double per_thread = plan_.arrivals.peak_rate() / threads;
      double want = std::ceil(per_thread * double(ctx.queue_wait_ns) / 1e9) + 64;
      queue_.resize(size_t(std::min(want, double(kMaxQueue))));
    }
  } else {
    think_ns_ = int64_t(std::llround(plan_.think_time_s * 1e9));
    spin_allowed_ = think_ns_ == 0;
    if (think_ns_ > 0) think_.resize(size_t(slots));
  }

  totals_.endpoints.resize(ctx.endpoints.size());
  pending_.reserve(16);
  deferred_.reserve(conns_.size());

  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  timerfd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timerfd_ < 0) throw std::runtime_error(std::string("timerfd_create: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u32 = kTimerTag;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, timerfd_, &ev) != 0)
    throw std::runtime_error(std::string("epoll_ctl(timerfd): ") + std::strerror(errno));
}

Worker::~Worker() {
  for (Conn& c : conns_)
    if (c.fd >= 0) ::close(c.fd);
  if (timerfd_ >= 0) ::close(timerfd_);
  if (epfd_ >= 0) ::close(epfd_);
}

void Worker::run() noexcept {
  try {
    prepare();
  } catch (...) {
    error_ = std::current_exception();
    ctx_.stop.store(true);
  }
  ctx_.ready->arrive_and_wait();
  if (!error_ && !ctx_.stop.load()) {
    try {
      loop();
    } catch (...) {
      error_ = std::current_exception();
      ctx_.stop.store(true);
    }
  }
  for (Conn& c : conns_)
    if (c.fd >= 0) {
      ::close(c.fd);
      c.fd = -1;
    }
  published_requests.store(totals_.requests, std::memory_order_relaxed);
  int64_t errors = 0;
  for (int64_t e : totals_.errors) errors += e;
  published_errors.store(errors, std::memory_order_relaxed);
  finished.store(true, std::memory_order_release);
}

// Opens the first connections before the clock starts, so the first due
// requests do not all pay for a handshake.
void Worker::prepare() {
  int64_t now = now_ns();
  if (open_model_) {
    int n = VuSchedule::share(plan_.pool, index_, plan_.threads);
    for (int i = 0; i < n && open_conns_ < cap_; ++i) open_conn(*free_slot(), now);
  } else {
    int n = plan_.vus.vus_for_thread(0, index_, plan_.threads);
    for (int i = 0; i < n; ++i) open_conn(conns_[size_t(i)], now);
  }
  int64_t limit = now + kPrepareLimitNs;
  epoll_event events[kMaxEvents];
  for (;;) {
    bool connecting = false;
    for (const Conn& c : conns_) connecting |= c.state == ConnState::connecting;
    if (!connecting || now_ns() >= limit || ctx_.stop.load(std::memory_order_relaxed) ||
        (ctx_.cancel && ctx_.cancel->load(std::memory_order_relaxed)))
      break;
    int n = epoll_wait(epfd_, events, kMaxEvents, 10);
    for (int i = 0; i < n; ++i)
      if (events[i].data.u32 != kTimerTag) on_event(conns_[events[i].data.u32], events[i].events);
  }
}

void Worker::loop() {
  start_ns_ = ctx_.start_ns.load(std::memory_order_relaxed);
  end_ns_ = start_ns_ + int64_t(std::llround(plan_.duration_s * 1e9));
  next_second_ns_ = start_ns_ + 1'000'000'000;
  cur_.start_s = 0;
  int64_t now = now_ns();
  if (!open_model_) {
    active_vus_ = plan_.vus.vus_for_thread(0, index_, plan_.threads);
    for (int i = 0; i < active_vus_; ++i) start_vu(conns_[size_t(i)], now);
  }
  int64_t next_tick = now + kTickNs;
  epoll_event events[kMaxEvents];
  for (;;) {
    now = now_ns();
    if (open_model_) {
      if (dispatching_) dispatch_due(now);
      if (q_size_ > 0) pump_queue(now);
    } else if (t_size_ > 0) {
      wake_thinkers(now);
    }
    if (now >= next_tick) {
      tick(now);
      if (done_) break;
      next_tick = now + kTickNs;
    }
    arm_timer(now);
    int timeout_ms = int((next_tick - now + 999'999) / 1'000'000);
    int n = wait_for_events(events, std::max(timeout_ms, 0));
    // Requests that follow responses of this batch go out together after
    // it (as wrk's write-on-next-iteration does): the server then finds
    // several at once instead of being woken for each.
    in_batch_ = true;
    for (int i = 0; i < n; ++i)
      if (events[i].data.u32 != kTimerTag) on_event(conns_[events[i].data.u32], events[i].events);
    in_batch_ = false;
    flush_sends();
  }
  totals_.dropped += int64_t(q_size_);  // due, never sent
  q_size_ = 0;
  rollover(cur_second_ + 1);  // publish the last partial second
  if (!open_model_) totals_.service_time = totals_.latency;  // the closed model measures both from the send
  if (single_endpoint_) totals_.endpoints[0].latency = totals_.latency;
}

// Sleeping in epoll_wait is cheap for us but not for the server: every
// response that finds us asleep makes the server's write pay for waking us
// (a reschedule, and an IPI in a VM), which on loopback costs it about as
// much as serving the request. So when every response is followed at once
// by the next request (closed model without think time: throughput is the
// point) and requests are in flight, we poll for up to spin_ns_ before
// blocking. The budget adapts to the target, as the kernel's haltpoll does:
// back to the full kSpinMaxNs whenever a sleep turns out shorter than that
// (a spin would have caught it), halved after each long sleep (a slow
// target: spinning would only burn CPU). Paced runs (open model, think
// time) never spin: there the CPU is better left to the target.
int Worker::wait_for_events(epoll_event* events, int timeout_ms) {
  if (!spin_allowed_) return epoll_wait(epfd_, events, kMaxEvents, timeout_ms);
  int n = epoll_wait(epfd_, events, kMaxEvents, 0);
  if (n != 0 || timeout_ms == 0) return n;
  if (in_flight_ > 0 && spin_ns_ > 0) {
    int64_t until = now_ns() + spin_ns_;
    do {
      sched_yield();  // a runnable task here (the server itself, on a small box) goes first
      n = epoll_wait(epfd_, events, kMaxEvents, 0);
    } while (n == 0 && now_ns() < until);
    if (n != 0) return n;
  }
  int64_t before = now_ns();
  n = epoll_wait(epfd_, events, kMaxEvents, timeout_ms);
  if (in_flight_ > 0) spin_ns_ = now_ns() - before < kSpinMaxNs ? kSpinMaxNs : spin_ns_ / 2;
  return n;
}

void Worker::tick(int64_t now) {
  bool cancelled = ctx_.cancel && ctx_.cancel->load(std::memory_order_relaxed);
  if (cancelled || ctx_.stop.load(std::memory_order_relaxed)) {
    if (cancelled) ctx_.cancelled.store(true);
    ctx_.stop.store(true, std::memory_order_relaxed);
    totals_.stop_ns = std::min(now, end_ns_);
    done_ = true;
    return;
  }
  if (now >= next_second_ns_) rollover((now - start_ns_) / 1'000'000'000);

  if (dispatching_) {
    bool over = now >= end_ns_ || (open_model_ && arrivals_.next_ns() == kNever);
    if (over) {
      dispatching_ = false;
      drain_until_ns_ = now + ctx_.timeout_ns;
      if (!open_model_) {  // closed model: in-flight requests are abandoned, as wrk does
        totals_.stop_ns = end_ns_;
        done_ = true;
        return;
      }
    }
  }

  for (Conn& c : conns_) {
    switch (c.state) {
      case ConnState::connecting:
        if (now >= c.deadline_ns) fail(c, ErrorClass::connect_timeout, now);
        break;
      case ConnState::writing:
      case ConnState::reading:
        if (now >= c.deadline_ns) fail(c, ErrorClass::timeout, now);
        break;
      case ConnState::backoff:
        if (now >= c.wake_ns) {
          if (dispatching_ && int(c.index) < active_vus_) start_vu(c, now);
          else c.state = ConnState::closed;
        }
        break;
      default:
        break;
    }
  }

  if (open_model_) {
    expire_queue(now);
  } else if (plan_.executor == ExecutorKind::ramping_vus && dispatching_) {
    update_vus(now);
  }

  published_requests.store(totals_.requests, std::memory_order_relaxed);
  int64_t errors = 0;
  for (int64_t e : totals_.errors) errors += e;
  published_errors.store(errors, std::memory_order_relaxed);

  bool finished_work = false;
  if (open_model_) {
    finished_work = !dispatching_ && ((in_flight_ == 0 && q_size_ == 0) || now >= drain_until_ns_);
  } else {
    finished_work = bounded_ && quota_left_ == 0 && in_flight_ == 0;
  }
  if (finished_work) {
    totals_.stop_ns = std::min(now, end_ns_);
    done_ = true;
  }
}

void Worker::arm_timer(int64_t now) {
  int64_t next = kNever;
  if (open_model_ && dispatching_ && arrivals_.next_ns() != kNever) next = start_ns_ + arrivals_.next_ns();
  if (t_size_ > 0) next = std::min(next, conns_[think_[t_head_]].wake_ns);
  if (next == kNever || next == armed_ns_ || next <= now) return;
  itimerspec spec{};
  spec.it_value.tv_sec = next / 1'000'000'000;
  spec.it_value.tv_nsec = next % 1'000'000'000;
  timerfd_settime(timerfd_, TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_ns_ = next;
}

// ---- connections ----------------------------------------------------------------

void Worker::open_conn(Conn& c, int64_t now) {
  c.state = ConnState::connecting;
  c.deadline_ns = now + ctx_.timeout_ns;
  if (open_model_) ++open_conns_;
  int fd = ::socket(ctx_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fail(c, ErrorClass::other, now);
    return;
  }
  c.fd = fd;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  epoll_event ev{};
  // EPOLLRDHUP: a FIN that arrived with the last data is reported in the
  // same edge, so a short read is not mistaken for "nothing more to come".
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u32 = c.index;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    fail(c, ErrorClass::other, now);
    return;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&ctx_.addr), ctx_.addr_len) == 0) {
    on_connected(c);
  } else if (errno != EINPROGRESS) {
    fail(c, classify_connect(errno), now);
  }
}

void Worker::close_fd(Conn& c) {
  c.deferred = false;
  if (c.fd >= 0) {
    ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
  }
}

void Worker::close_conn(Conn& c) {
  close_fd(c);
  if (open_model_ && c.state != ConnState::closed) {
    --open_conns_;
    free_slots_.push_back(c.index);
  }
  c.state = ConnState::closed;
}

void Worker::on_event(Conn& c, uint32_t events) {
  switch (c.state) {
    case ConnState::connecting:
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
        if (err != 0) fail(c, classify_connect(err), now_ns());
        else on_connected(c);
      }
      return;
    case ConnState::writing:
      if (c.deferred) return;  // flush_sends() writes it
      continue_write(c);
      // The response may have arrived with this very edge; look once.
      if (c.state == ConnState::reading) on_readable(c, events);
      return;
    case ConnState::reading:
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) on_readable(c, events);
      return;
    case ConnState::idle:
    case ConnState::thinking:
      // A connection with nothing outstanding became readable: the server
      // closed it (idle timeout) or sent bytes nobody asked for. Drop it; the
      // next request opens a new one.
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        if (c.state == ConnState::thinking) close_fd(c);
        else close_conn(c);
      }
      return;
    default:
      return;
  }
}

void Worker::on_connected(Conn& c) {
  int64_t now = now_ns();
  if (c.has_request) {
    write_request(c, now);
  } else if (open_model_) {
    make_idle(c, now);
  } else {
    c.state = ConnState::idle;
  }
}

void Worker::send_request(Conn& c, uint32_t ep, int64_t intended_ns, int64_t now) {
  const RunContext::PreparedEndpoint& pe = ctx_.endpoints[ep];
  c.ep = ep;
  c.request = &pe.request;
  if (ctx_.data_rows > 0) {
    // Every request takes the next row, templated endpoint or not, so that
    // the rows stay shared by the whole mix.
    size_t row = size_t(row_cursor_ % ctx_.data_rows);
    row_cursor_ += uint64_t(plan_.threads);
    if (!pe.variants.empty()) c.request = &pe.variants[row];
  }
  c.intended_ns = intended_ns;
  c.has_request = true;
  ++in_flight_;
  c.match.reset(pe.needle.get());
  c.parser.reset(pe.head, pe.needle ? &c.match : nullptr);
  if (c.state == ConnState::connecting) return;  // sent once connected
  if (c.fd >= 0) write_request(c, now);
  else open_conn(c, now);
}

void Worker::write_request(Conn& c, int64_t now) {
  if (in_batch_) {
    c.state = ConnState::writing;
    c.written = 0;
    c.deferred = true;
    c.deadline_ns = now + ctx_.timeout_ns;
    deferred_.push_back(c.index);
    return;
  }
  c.sent_ns = now;
  c.written = 0;
  c.deadline_ns = now + ctx_.timeout_ns;
  c.state = ConnState::writing;
  continue_write(c);
}

void Worker::flush_sends() {
  for (uint32_t i : deferred_) {
    Conn& c = conns_[i];
    if (!c.deferred) continue;
    c.deferred = false;
    if (c.state != ConnState::writing) continue;
    write_request(c, now_ns());
  }
  deferred_.clear();
}

void Worker::continue_write(Conn& c) {
  const std::string& req = *c.request;
  while (c.written < req.size()) {
    ssize_t n = ::send(c.fd, req.data() + c.written, req.size() - c.written, MSG_NOSIGNAL);
    if (n > 0) {
      c.written += uint32_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // the EPOLLOUT edge resumes
    fail(c, (errno == EPIPE || errno == ECONNRESET) ? ErrorClass::reset : ErrorClass::other, now_ns());
    return;
  }
  c.state = ConnState::reading;
}

void Worker::on_readable(Conn& c, uint32_t events) {
  // With the peer gone, read on to the EOF: no further edge will come.
  bool until_eof = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  char* buf = read_buf_.data();
  for (;;) {
    ssize_t r = ::read(c.fd, buf, kReadBufBytes);
    if (r > 0) {
      totals_.bytes_read += r;
      size_t used = c.parser.feed(buf, size_t(r));
      switch (c.parser.result()) {
        case ResponseParser::Result::complete:
          // Bytes after the response on a connection that never pipelines
          // mean the server is confused; do not reuse the connection.
          complete(c, now_ns(), used < size_t(r));
          return;
        case ResponseParser::Result::error:
          fail(c, ErrorClass::parse_error, now_ns());
          return;
        case ResponseParser::Result::incomplete:
          break;
      }
      if (size_t(r) < kReadBufBytes && !until_eof) return;  // drained; the next edge brings more
      continue;
    }
    if (r == 0) {
      if (c.parser.finish() == ResponseParser::Result::complete) complete(c, now_ns(), true);
      else fail(c, ErrorClass::reset, now_ns());
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    fail(c, errno == ECONNRESET || errno == EPIPE ? ErrorClass::reset : ErrorClass::other, now_ns());
    return;
  }
}

void Worker::complete(Conn& c, int64_t now, bool must_close) {
  const RunContext::PreparedEndpoint& pe = ctx_.endpoints[c.ep];
  uint32_t ep = c.ep;
  c.has_request = false;
  --in_flight_;
  c.failures = 0;
  bool keep = c.parser.keep_alive() && !must_close;

  if (!open_model_ && now >= end_ns_) {  // after the end: abandoned, as in wrk
    close_conn(c);
    return;
  }

  int status = c.parser.status();
  bool status_ok = pe.expect_status ? status == pe.expect_status : (status >= 200 && status < 400);
  ErrorClass cls = kNoError;
  if (!status_ok) cls = status >= 500 ? ErrorClass::http_5xx : status >= 400 ? ErrorClass::http_4xx : ErrorClass::check_failed;
  else if (!c.match.found()) cls = ErrorClass::check_failed;

  if (now >= next_second_ns_) rollover((now - start_ns_) / 1'000'000'000);
  int64_t latency = to_us(now - (open_model_ ? c.intended_ns : c.sent_ns));
  totals_.latency.record(latency);
  if (open_model_) totals_.service_time.record(to_us(now - c.sent_ns));
  cur_.latency.record(latency);
  ++cur_.requests;
  ++totals_.requests;
  EndpointStats& es = totals_.endpoints[ep];
  ++es.requests;
  if (!single_endpoint_) es.latency.record(latency);
  if (cls != kNoError) {
    ++totals_.errors[size_t(cls)];
    ++es.errors[size_t(cls)];
    ++cur_.errors;
  }

  if (open_model_) {
    if (keep) make_idle(c, now);
    else close_conn(c);  // pump_queue() reopens if requests wait
  } else {
    if (!keep) close_fd(c);
    vu_next(c, now);
  }
}

void Worker::fail(Conn& c, ErrorClass cls, int64_t now) {
  bool had_request = c.has_request;
  if (had_request) {
    c.has_request = false;
    --in_flight_;
    if (open_model_ || now < end_ns_) count_error(c.ep, cls, now);
  }
  close_conn(c);
  if (!open_model_ && had_request) {
    ++c.failures;
    c.state = ConnState::backoff;
    c.wake_ns = now + backoff_ns(c.failures);
  }
}

void Worker::count_error(uint32_t ep, ErrorClass cls, int64_t now) {
  if (now >= next_second_ns_) rollover((now - start_ns_) / 1'000'000'000);
  ++totals_.errors[size_t(cls)];
  ++totals_.endpoints[ep].errors[size_t(cls)];
  ++cur_.errors;
}

// ---- open model -----------------------------------------------------------------

void Worker::dispatch_due(int64_t now) {
  for (;;) {
    int64_t due = arrivals_.next_ns();
    if (due == kNever || start_ns_ + due > now) return;
    int64_t intended = start_ns_ + due;
    uint32_t ep = uint32_t(mix_.next());
    arrivals_.advance();
    if (q_size_ == 0) {
      if (Conn* c = pop_idle()) {
        send_request(*c, ep, intended, now);
        continue;
      }
      if (open_conns_ < cap_) {
        send_request(*free_slot(), ep, intended, now);
        continue;
      }
    }
    if (q_size_ == queue_.size()) {  // no queue (max_queue_wait 0) or full
      ++totals_.dropped;
      continue;
    }
    queue_[(q_head_ + q_size_) % queue_.size()] = Queued{intended, ep};
    ++q_size_;
  }
}

void Worker::expire_queue(int64_t now) {
  while (q_size_ > 0 && queue_[q_head_].intended_ns + ctx_.queue_wait_ns < now) {
    ++totals_.dropped;
    q_head_ = (q_head_ + 1) % queue_.size();
    --q_size_;
  }
}

void Worker::pump_queue(int64_t now) {
  expire_queue(now);
  while (q_size_ > 0) {
    Conn* c = pop_idle();
    if (!c) {
      if (open_conns_ >= cap_) return;
      c = free_slot();
    }
    Queued q = queue_[q_head_];
    q_head_ = (q_head_ + 1) % queue_.size();
    --q_size_;
    send_request(*c, q.ep, q.intended_ns, now);
  }
}

Worker::Conn* Worker::pop_idle() {
  while (!idle_.empty()) {
    Conn& c = conns_[idle_.back()];
    idle_.pop_back();
    c.in_idle = false;
    if (c.state == ConnState::idle) return &c;
  }
  return nullptr;
}

// A connection is free: the oldest waiting request takes it, else it idles.
void Worker::make_idle(Conn& c, int64_t now) {
  if (q_size_ > 0) {
    expire_queue(now);
    if (q_size_ > 0) {
      Queued q = queue_[q_head_];
      q_head_ = (q_head_ + 1) % queue_.size();
      --q_size_;
      c.state = ConnState::idle;
      send_request(c, q.ep, q.intended_ns, now);
      return;
    }
  }
  c.state = ConnState::idle;
  if (!c.in_idle) {
    c.in_idle = true;
    idle_.push_back(c.index);
  }
}

Worker::Conn* Worker::free_slot() {
  Conn& c = conns_[free_slots_.back()];
  free_slots_.pop_back();
  return &c;
}

// ---- closed model ---------------------------------------------------------------

void Worker::start_vu(Conn& c, int64_t now) {
  if (bounded_) {
    if (quota_left_ == 0) {
      if (c.fd >= 0) c.state = ConnState::idle;
      else c.state = ConnState::closed;
      return;
    }
    --quota_left_;
  }
  if (c.state == ConnState::thinking || c.state == ConnState::backoff) c.state = c.fd >= 0 ? ConnState::idle : ConnState::closed;
  send_request(c, uint32_t(mix_.next()), now, now);
}

void Worker::vu_next(Conn& c, int64_t now) {
  if (!dispatching_ || now >= end_ns_ || int(c.index) >= active_vus_ || (bounded_ && quota_left_ == 0)) {
    close_conn(c);
    return;
  }
  if (think_ns_ > 0) {
    c.state = ConnState::thinking;
    c.wake_ns = now + think_ns_;
    think_[(t_head_ + t_size_) % think_.size()] = c.index;
    ++t_size_;
    return;
  }
  if (c.fd < 0) c.state = ConnState::closed;
  else c.state = ConnState::idle;
  start_vu(c, now);
}

// Think time is the same for every VU, so VUs wake in the order they began
// thinking: a FIFO is the whole timer queue.
void Worker::wake_thinkers(int64_t now) {
  while (t_size_ > 0) {
    Conn& c = conns_[think_[t_head_]];
    if (c.wake_ns > now) return;
    t_head_ = (t_head_ + 1) % think_.size();
    --t_size_;
    if (!dispatching_ || int(c.index) >= active_vus_) {
      close_conn(c);
      continue;
    }
    start_vu(c, now);
  }
}

void Worker::update_vus(int64_t now) {
  double t = double(now - start_ns_) / 1e9;
  int want = plan_.vus.vus_for_thread(t, index_, plan_.threads);
  if (want == active_vus_) return;
  int before = active_vus_;
  active_vus_ = want;
  if (want > before) {
    for (int i = before; i < want; ++i) {
      Conn& c = conns_[size_t(i)];
      if (c.state == ConnState::closed || c.state == ConnState::idle) start_vu(c, now);
    }
  } else {
    // VUs above the new count stop after their current request (vu_next,
    // wake_thinkers and backoff check the index); idle ones close now.
    for (int i = want; i < before; ++i) {
      Conn& c = conns_[size_t(i)];
      if (c.state == ConnState::idle) close_conn(c);
    }
  }
}

// ---- per-second intervals ----------------------------------------------------------

// Once a second, not per request: hands the finished second to the
// coordinator under the lock and takes a recycled histogram back.
void Worker::rollover(int64_t second) {
  if (cur_.requests > 0 || cur_.errors > 0) {
    bool recycled = false;
    {
      std::lock_guard lock(mu_);
      pending_.push_back(std::move(cur_));
      if (!spares_.empty()) {
        cur_ = std::move(spares_.back());
        spares_.pop_back();
        recycled = true;
      }
    }
    if (!recycled) cur_ = IntervalStats{};
  }
  cur_second_ = std::max(second, cur_second_);
  cur_.start_s = double(cur_second_);
  cur_.requests = 0;
  cur_.errors = 0;
  next_second_ns_ = start_ns_ + (cur_second_ + 1) * 1'000'000'000;
}

void Worker::take_intervals(std::vector<IntervalStats>& out, std::vector<IntervalStats>& spares) {
  std::lock_guard lock(mu_);
  for (IntervalStats& s : pending_) out.push_back(std::move(s));
  pending_.clear();
  while (!spares.empty() && spares_.size() < 4) {
    spares_.push_back(std::move(spares.back()));
    spares.pop_back();
  }
}

}  // namespace greenlight
