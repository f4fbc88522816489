// Runs the smoke checks: waits for readiness, then starts every check whose
// captured inputs are available, all over one HttpLoop so that independent
// checks run concurrently. Each kind of check is a small callback chain that
// ends in finish().
#include "suites/smoke/smoke_suite.h"

#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <strings.h>

#include "harness/redactor.h"
#include "harness/status_line.h"
#include "harness/target_database.h"
#include "suites/smoke/expectations.h"
#include "suites/smoke/exposition.h"
#include "suites/smoke/metric_assertion.h"
#include "suites/smoke/presets.h"
#include "suites/smoke/smoke_plan.h"

namespace greenlight {

namespace {

using Clock = std::chrono::steady_clock;

std::string new_run_id() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lx-%04x", static_cast<long>(std::time(nullptr)), rd() & 0xffff);
  return buf;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

class SmokeRun {
 public:
  SmokeRun(const SmokePlan& plan, const SuiteContext& ctx)
      : plan_(plan), ctx_(ctx), loop_(plan.concurrency), results_(plan.checks.size()), state_(plan.checks.size()) {
    run_id_ = new_run_id();
  }

  SuiteResult run() {
    SuiteResult out;
    if (plan_.wait_until_ready) out.checks.push_back(wait_until_ready(*plan_.wait_until_ready));
    start_ready_checks();
    bool complete = loop_.run(ctx_.cancel, ctx_.deadline);
    for (size_t i = 0; i < plan_.checks.size(); ++i) {
      if (state_[i] != State::done) {
        Check& c = results_[i];
        c.name = plan_.checks[i].name;
        if (ctx_.cancelled()) {
          c.outcome = Outcome::skipped;
          c.message = "skipped, because the run was interrupted before this check finished";
        } else {
          c.outcome = Outcome::error;
          c.message = complete ? "not run" : "not finished: the plan's deadline passed";
        }
      }
      out.checks.push_back(std::move(results_[i]));
    }
    return out;
  }

 private:
  enum class State { waiting, running, done };

  // ---- requests ------------------------------------------------------------

  std::string expand(const std::string& text) const {
    std::string out = text;
    for (size_t p = out.find("${"); p != std::string::npos; p = out.find("${", p)) {
      size_t end = out.find('}', p);
      if (end == std::string::npos) break;
      std::string key = out.substr(p + 2, end - p - 2);
      std::string value;
      if (key == "run:id") value = run_id_;
      else if (key.rfind("capture:", 0) == 0 && captures_.count(key.substr(8))) value = captures_.at(key.substr(8));
      else {
        p = end + 1;
        continue;
      }
      out.replace(p, end - p + 1, value);
      p += value.size();
    }
    return out;
  }

  HttpRequest make_request(const RequestSpec& spec) const {
    HttpRequest r;
    r.method = spec.method;
    std::string path = expand(spec.path);
    r.url = path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0 ? path : ctx_.target.base_url + path;
    r.headers = ctx_.target.headers;
    for (const auto& header : spec.headers) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
      const std::string& k = header.first;
      std::erase_if(r.headers, [&](const auto& h) { return strcasecmp(h.first.c_str(), k.c_str()) == 0; });
      r.headers.emplace_back(k, expand(header.second));
    }
    r.body = expand(spec.body);
    r.tls = spec.tls;
    r.follow_redirects = spec.follow_redirects;
    r.timeout = std::chrono::milliseconds(static_cast<long>(1000 * spec.timeout.value_or(plan_.timeout).count()));
    return r;
  }

  void add_exchange(Check& c, const HttpRequest& req, const HttpResponse& resp, const std::string& suffix = "") {
    c.evidence.push_back({"request" + suffix, ctx_.redactor->redact(describe_request(req))});
    c.evidence.push_back({"response" + suffix, ctx_.redactor->redact(describe_response(resp))});
  }

  // ---- scheduling ----------------------------------------------------------

  void start_ready_checks() {
    for (size_t i = 0; i < plan_.checks.size(); ++i) {
      if (state_[i] != State::waiting) continue;
      const SmokeCheckSpec& spec = plan_.checks[i];
      std::string missing;
      bool blocked = false;
      for (const std::string& name : spec.uses_captures) {
        if (captures_.count(name)) continue;
        size_t producer = producer_of(name);
        if (state_[producer] != State::done) blocked = true;
        else missing = name + " (check '" + plan_.checks[producer].name + "' " + to_string(results_[producer].outcome) + ")";
      }
      if (blocked) continue;
      if (!missing.empty()) {
        Check c;
        c.name = spec.name;
        c.outcome = Outcome::skipped;
        c.message = "skipped, because capture " + missing + " is not available";
        state_[i] = State::running;
        finish(i, std::move(c), Clock::now());
        continue;
      }
      state_[i] = State::running;
      start(i);
    }
  }

  size_t producer_of(const std::string& capture) const {
    for (size_t i = 0; i < plan_.checks.size(); ++i)
      for (const Capture& c : plan_.checks[i].captures)
        if (c.name == capture) return i;
    return 0;  // validated at plan time: never reached
  }

  void finish(size_t i, Check c, Clock::time_point started) {
    c.name = plan_.checks[i].name;
    c.duration_s = std::chrono::duration<double>(Clock::now() - started).count();
    c.message = ctx_.redactor->redact(c.message);
    results_[i] = std::move(c);
    state_[i] = State::done;
    ++done_;
    if (results_[i].outcome == Outcome::failed || results_[i].outcome == Outcome::error) ++failed_;
    if (ctx_.status)
      ctx_.status->set("smoke: " + std::to_string(done_) + "/" + std::to_string(plan_.checks.size()) + " checks done, " +
                       std::to_string(failed_) + " failed");
    start_ready_checks();
  }

  void start(size_t i) {
    const SmokeCheckSpec& spec = plan_.checks[i];
    auto started = Clock::now();
    if (spec.preset) {
      if (spec.preset->name == "security-headers") start_security_headers(i, started);
      else if (spec.preset->name == "hidden-files") start_hidden_files(i, started);
      else start_health_contract(i, started);
    } else if (spec.metrics) {
      start_metrics(i, started);
    } else if (spec.idempotency) {
      start_idempotency(i, started);
    } else {
      start_request(i, started, 1);
    }
  }

  // ---- request checks --------------------------------------------------------

  void start_request(size_t i, Clock::time_point started, int attempt) {
    const SmokeCheckSpec& spec = plan_.checks[i];
    HttpRequest req = make_request(spec.request);
    loop_.submit(req, [this, i, started, attempt, req](HttpResponse resp) {
      const SmokeCheckSpec& spec = plan_.checks[i];
      Judgement j = judge(spec.expect, resp);
      if (j.failures.empty()) capture(spec, resp, j.failures);
      if (!j.failures.empty() && attempt <= spec.retries) {
        auto delay = std::chrono::milliseconds(static_cast<long>(spec.retry_delay.count() * 1000));
        loop_.after(delay, [this, i, started, attempt] { start_request(i, started, attempt + 1); });
        return;
      }
      Check c;
      c.figures = j.figures;
      if (spec.retries > 0) c.figures.push_back({"attempts", static_cast<double>(attempt), ""});
      add_exchange(c, req, resp);
      if (!j.failures.empty()) {
        c.outcome = Outcome::failed;
        c.message = join(j.failures, "; ");
        if (attempt > 1) c.message += " (after " + std::to_string(attempt) + " attempts)";
      }
      finish(i, std::move(c), started);
    });
  }

  void capture(const SmokeCheckSpec& spec, const HttpResponse& resp, std::vector<std::string>& failures) {
    for (const Capture& cap : spec.captures) {
      std::string value;
      bool found = false;
      if (cap.from == Capture::From::json) {
        nlohmann::json doc = nlohmann::json::parse(resp.body, nullptr, false);
        nlohmann::json::json_pointer ptr(cap.source);
        if (!doc.is_discarded() && doc.contains(ptr)) {
          const auto& v = doc.at(ptr);
          value = v.is_string() ? v.get<std::string>() : v.dump();
          found = true;
        } else {
          failures.push_back("capture '" + cap.name + "': JSON " + cap.source + " is not in the response");
          continue;
        }
      } else if (cap.from == Capture::From::header) {
        if (const std::string* h = resp.header(cap.source)) value = *h, found = true;
        else {
          failures.push_back("capture '" + cap.name + "': header " + cap.source + " is not in the response");
          continue;
        }
      } else {
        value = resp.body;
        found = true;
      }
      if (found && !cap.regex.empty()) {
        std::smatch m;
        if (!std::regex_search(value, m, std::regex(cap.regex))) {
          failures.push_back("capture '" + cap.name + "': /" + cap.regex + "/ does not match");
          continue;
        }
        value = m.size() > 1 ? m[1].str() : m[0].str();
      }
      if (cap.secret) ctx_.redactor->add(value);
      captures_[cap.name] = value;
    }
  }

  // ---- /metrics ---------------------------------------------------------------

  void start_metrics(size_t i, Clock::time_point started) {
    HttpRequest req = make_request(plan_.checks[i].request);
    loop_.submit(req, [this, i, started, req](HttpResponse resp) {
      const SmokeCheckSpec& spec = plan_.checks[i];
      Check c;
      Expectations expect = spec.expect;
      Judgement j = judge(expect, resp);
      c.figures = j.figures;
      std::vector<std::string> failures = j.failures;
      std::vector<std::string> observed;
      if (failures.empty()) {
        try {
          Exposition e = parse_exposition(resp.body);
          size_t series = 0;
          for (const auto& f : e.families) series += f.samples.size();
          c.figures.push_back({"series", static_cast<double>(series), ""});
          for (const std::string& text : spec.metrics->assertions) {
            AssertionResult r = evaluate(parse_metric_assertion(text), e);
            if (r.passed) observed.push_back(r.message);
            else failures.push_back(text + ": " + r.message);
          }
        } catch (const std::exception& e) {
          failures.push_back(std::string("malformed metrics exposition: ") + e.what());
        }
      }
      HttpResponse shown = resp;
      c.evidence.push_back({"request", ctx_.redactor->redact(describe_request(req))});
      c.evidence.push_back({"response", ctx_.redactor->redact(describe_response(shown))});
      if (!observed.empty()) c.evidence.push_back({"observed", join(observed, "\n")});
      if (!failures.empty()) c.outcome = Outcome::failed, c.message = join(failures, "; ");
      finish(i, std::move(c), started);
    });
  }

  // ---- presets --------------------------------------------------------------

  void start_security_headers(size_t i, Clock::time_point started) {
    HttpRequest req = make_request(plan_.checks[i].request);
    loop_.submit(req, [this, i, started, req](HttpResponse resp) {
      Check c;
      auto failures = judge_security_headers(resp);
      resp.body = trim_evidence(resp.body, 512);
      add_exchange(c, req, resp);
      if (!failures.empty()) c.outcome = Outcome::failed, c.message = join(failures, "; ");
      finish(i, std::move(c), started);
    });
  }

  // Many requests for one check: collects the answers, judges when the last arrives.
  struct Gather {
    std::vector<HttpRequest> requests;
    std::vector<HttpResponse> responses;
    size_t pending = 0;
  };

  void gather(std::vector<HttpRequest> requests, std::function<void(Gather&)> done) {
    auto g = std::make_shared<Gather>();
    g->requests = std::move(requests);
    g->responses.resize(g->requests.size());
    g->pending = g->requests.size();
    for (size_t k = 0; k < g->requests.size(); ++k)
      loop_.submit(g->requests[k], [g, k, done](HttpResponse r) {
        g->responses[k] = std::move(r);
        if (--g->pending == 0) done(*g);
      });
  }

  void start_hidden_files(size_t i, Clock::time_point started) {
    const SmokeCheckSpec& spec = plan_.checks[i];
    std::vector<std::string> paths = default_hidden_paths();
    paths.insert(paths.end(), spec.preset->paths.begin(), spec.preset->paths.end());
    std::vector<HttpRequest> requests;
    RequestSpec probe = spec.request;
    probe.path = "/greenlight-surely-absent-" + run_id_;
    requests.push_back(make_request(probe));
    for (const std::string& p : paths) {
      RequestSpec r = spec.request;
      r.path = p;
      requests.push_back(make_request(r));
    }
    gather(std::move(requests), [this, i, started, paths](Gather& g) {
      Check c;
      std::vector<std::string> failures;
      if (!g.responses[0].ok) {
        c.outcome = Outcome::failed;
        c.message = "cannot check hidden files: the target did not answer (" + g.responses[0].error + ")";
        add_exchange(c, g.requests[0], g.responses[0]);
        return finish(i, std::move(c), started);
      }
      for (size_t k = 0; k < paths.size(); ++k) {
        std::string f = judge_hidden_path(paths[k], g.responses[k + 1], g.responses[0]);
        if (f.empty()) continue;
        failures.push_back(f);
        HttpResponse shown = g.responses[k + 1];
        shown.body = "[body not shown: it may hold the target's secrets]";
        add_exchange(c, g.requests[k + 1], shown, " " + paths[k]);
      }
      c.figures.push_back({"paths_probed", static_cast<double>(paths.size()), ""});
      if (!failures.empty()) c.outcome = Outcome::failed, c.message = join(failures, "; ");
      finish(i, std::move(c), started);
    });
  }

  void start_health_contract(size_t i, Clock::time_point started) {
    const PresetSpec& p = *plan_.checks[i].preset;
    RequestSpec health = plan_.checks[i].request, ready = plan_.checks[i].request;
    health.path = p.health_path;
    ready.path = p.ready_path;
    gather({make_request(health), make_request(ready)}, [this, i, started](Gather& g) {
      const PresetSpec& p = *plan_.checks[i].preset;
      Check c;
      auto failures = judge_health_contract(p.health_path, g.responses[0], p.ready_path, g.responses[1]);
      add_exchange(c, g.requests[0], g.responses[0], " " + p.health_path);
      add_exchange(c, g.requests[1], g.responses[1], " " + p.ready_path);
      if (!failures.empty()) c.outcome = Outcome::failed, c.message = join(failures, "; ");
      finish(i, std::move(c), started);
    });
  }

  // ---- idempotency ------------------------------------------------------------

  void start_idempotency(size_t i, Clock::time_point started) {
    const SmokeCheckSpec& spec = plan_.checks[i];
    const IdempotencySpec& idem = *spec.idempotency;
    std::string query = expand(idem.count_query);
    long long before;
    try {
      before = query_scalar_readonly(ctx_.target.database, query);
    } catch (const std::exception& e) {
      Check c;
      c.outcome = Outcome::failed;
      c.message = std::string("cannot count on the target database: ") + e.what();
      c.evidence.push_back({"sql", query});
      return finish(i, std::move(c), started);
    }
    HttpRequest req = make_request(spec.request);
    auto done = [this, i, started, before, query](Gather& g) {
      const SmokeCheckSpec& spec = plan_.checks[i];
      Check c;
      std::vector<std::string> failures;
      for (size_t k = 0; k < g.responses.size(); ++k) {
        Judgement j = judge(spec.expect, g.responses[k]);
        for (auto& f : j.failures) failures.push_back("delivery " + std::to_string(k + 1) + ": " + f);
      }
      add_exchange(c, g.requests[0], g.responses[0], " 1");
      add_exchange(c, g.requests.back(), g.responses.back(), " " + std::to_string(g.responses.size()));
      c.evidence.push_back({"sql", query});
      try {
        long long after = query_scalar_readonly(ctx_.target.database, query);
        long long change = after - before;
        c.figures.push_back({"count_change", static_cast<double>(change), "rows"});
        if (change != spec.idempotency->expect_change)
          failures.push_back(std::to_string(g.responses.size()) + " identical deliveries changed the count by " +
                             std::to_string(change) + ", expected exactly " +
                             std::to_string(spec.idempotency->expect_change) + ": not idempotent");
      } catch (const std::exception& e) {
        failures.push_back(std::string("cannot count on the target database: ") + e.what());
      }
      if (!failures.empty()) c.outcome = Outcome::failed, c.message = join(failures, "; ");
      finish(i, std::move(c), started);
    };
    if (idem.concurrent) {
      gather(std::vector<HttpRequest>(idem.times, req), done);
    } else {
      auto g = std::make_shared<Gather>();
      g->requests.assign(idem.times, req);
      send_next(g, 0, done);
    }
  }

  void send_next(std::shared_ptr<Gather> g, size_t k, std::function<void(Gather&)> done) {
    loop_.submit(g->requests[k], [this, g, k, done](HttpResponse r) {
      g->responses.push_back(std::move(r));
      if (k + 1 < g->requests.size()) send_next(g, k + 1, done);
      else done(*g);
    });
  }

  // ---- readiness --------------------------------------------------------------

  Check wait_until_ready(const ReadinessSpec& spec) {
    Check c;
    c.name = "wait_until_ready";
    auto started = Clock::now();
    auto give_up = std::min(started + std::chrono::duration_cast<Clock::duration>(spec.timeout), ctx_.deadline);
    HttpLoop loop(1);
    HttpRequest req = make_request(spec.request);
    req.timeout = std::min(req.timeout, std::chrono::milliseconds(static_cast<long>(spec.timeout.count() * 1000)));
    int attempts = 0;
    HttpResponse last;
    bool ready = false;
    Duration interval = spec.interval;
    std::function<void()> attempt = [&] {
      ++attempts;
      loop.submit(req, [&](HttpResponse r) {
        last = std::move(r);
        ready = last.ok && status_matches(spec.status, last.status);
        if (ready) return;
        auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(interval);
        if (next >= give_up) return;
        loop.after(std::chrono::duration_cast<std::chrono::milliseconds>(interval), attempt);
        interval = std::min(Duration(interval.count() * 2), spec.max_interval);  // back off
      });
    };
    attempt();
    loop.run(ctx_.cancel, give_up);
    double waited = std::chrono::duration<double>(Clock::now() - started).count();
    c.duration_s = waited;
    c.figures.push_back({"time_to_ready", std::round(waited * 1000) / 1000, "s"});
    c.figures.push_back({"attempts", static_cast<double>(attempts), ""});
    add_exchange(c, req, last);
    if (!ready) {
      c.outcome = ctx_.cancelled() ? Outcome::skipped : Outcome::failed;
      c.message = ctx_.cancelled() ? "skipped, because the run was interrupted while waiting"
                                   : "not ready after " + format_duration(Duration(waited)) + " (" + std::to_string(attempts) +
                                         " attempts): last answer " +
                                         (last.ok ? "HTTP " + std::to_string(last.status) + ", expected " + spec.status.text
                                                  : last.error);
      c.message = ctx_.redactor->redact(c.message);
    }
    return c;
  }

  const SmokePlan& plan_;
  const SuiteContext& ctx_;
  HttpLoop loop_;
  std::vector<Check> results_;
  std::vector<State> state_;
  std::map<std::string, std::string> captures_;
  std::string run_id_;
  size_t done_ = 0, failed_ = 0;
};

class SmokeSuite : public Suite {
 public:
  explicit SmokeSuite(SmokePlan plan) : plan_(std::move(plan)) {}
  SuiteResult run(const SuiteContext& ctx) override {
    if (ctx.target.base_url.empty()) {
      SuiteResult r;
      r.checks.push_back({"smoke", Outcome::error, "the plan's target has no base_url (or pass --target-url)"});
      return r;
    }
    return SmokeRun(plan_, ctx).run();
  }

 private:
  SmokePlan plan_;
};

}  // namespace

std::unique_ptr<Suite> build_smoke_suite(const PlanNode& section) {
  return std::make_unique<SmokeSuite>(parse_smoke_plan(section));
}

}  // namespace greenlight
