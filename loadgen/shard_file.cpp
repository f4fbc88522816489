// Shard results as JSON: writing the "shard" object and reading it back,
// with the per-second histograms from the shard's HdrHistogram interval log.
#include "loadgen/shard_file.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "loadgen/hdr_log.h"

namespace greenlight {

namespace {

using nlohmann::json;

// FNV-1a, 64 bits: a stable fingerprint of what must be equal across shards
// (headers may carry credentials, so only this is written).
std::string fingerprint(const Endpoint& e) {
  uint64_t h = 1469598103934665603ull;
  auto feed = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // separator, so ("ab","c") != ("a","bc")
  };
  feed(e.method);
  feed(e.url);
  for (const auto& [k, v] : e.headers) feed(k), feed(v);
  feed(e.body);
  feed(std::to_string(e.expect_status));
  feed(e.expect_body_contains);
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string encode(const Histogram& h) { return base64_encode(encode_compressed_histogram(h)); }

json errors_json(const std::array<int64_t, kErrorClassCount>& errors) {
  json out = json::object();
  for (size_t i = 0; i < errors.size(); ++i)
    if (errors[i]) out[to_string(static_cast<ErrorClass>(i))] = errors[i];
  return out;
}

// Reading: every access names the field, so a hand-edited or truncated file
// says exactly what is wrong.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& why) const { throw ShardFileError(file_ + ": " + why); }

  const json& at(const json& j, const std::string& key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail("missing " + where + key);
    return j.at(key);
  }
  int64_t integer(const json& j, const std::string& key, const std::string& where = "shard.") const {
    const json& v = at(j, key, where);
    if (!v.is_number_integer()) fail(where + key + " must be an integer");
    return v.get<int64_t>();
  }
  double number(const json& j, const std::string& key, const std::string& where = "shard.") const {
    const json& v = at(j, key, where);
    if (!v.is_number()) fail(where + key + " must be a number");
    return v.get<double>();
  }
  std::string text(const json& j, const std::string& key, const std::string& where = "shard.") const {
    const json& v = at(j, key, where);
    if (!v.is_string()) fail(where + key + " must be a string");
    return v.get<std::string>();
  }
  Histogram histogram(const json& j, const std::string& key, const std::string& where) const {
    std::string b64 = text(j, key, where);
    auto bytes = base64_decode(b64);
    if (!bytes) fail(where + key + " is not base64");
    std::string error;
    auto h = decode_histogram(*bytes, &error);
    if (!h) fail(where + key + ": " + error);
    return std::move(*h);
  }
  std::array<int64_t, kErrorClassCount> errors(const json& j, const std::string& where) const {
    std::array<int64_t, kErrorClassCount> out{};
    const json& e = at(j, "errors", where);
    if (!e.is_object()) fail(where + "errors must be an object");
    for (const auto& item : e.items()) {
      size_t k = 0;
      while (k < kErrorClassCount && item.key() != to_string(static_cast<ErrorClass>(k))) ++k;
      if (k == kErrorClassCount) fail(where + "errors: unknown error class '" + item.key() + "'");
      if (!item.value().is_number_integer()) fail(where + "errors." + item.key() + " must be an integer");
      out[k] = item.value().get<int64_t>();
    }
    return out;
  }

 private:
  std::string file_;
};

std::map<long long, Histogram> read_hdr_log(const std::filesystem::path& path, const Reader& rd) {
  std::ifstream in(path);
  if (!in) rd.fail("its interval log " + path.string() + " cannot be read (shard.hdr_log names it)");
  HdrLogReader log(in);
  HdrLogInterval interval;
  std::map<long long, Histogram> out;
  while (log.next(&interval)) out.insert_or_assign(std::llround(interval.offset_s), interval.histogram);
  if (!log.error().empty()) rd.fail("its interval log " + path.string() + ": " + log.error());
  return out;
}

}  // namespace

const char* open_executor_name(ExecutorKind kind) {
  switch (kind) {
    case ExecutorKind::constant_arrival_rate: return "constant-arrival-rate";
    case ExecutorKind::ramping_arrival_rate: return "ramping-arrival-rate";
    default: return "closed-model";
  }
}

json test_parameters(const LoadSpec& whole) {
  json stages = json::array();
  for (const Stage& s : whole.stages) stages.push_back({{"duration_s", s.duration_s}, {"target", s.target}});
  json endpoints = json::array();
  for (const Endpoint& e : whole.endpoints)
    endpoints.push_back({{"name", e.name.empty() ? e.url : e.name},
                         {"method", e.method},
                         {"url", e.url},
                         {"weight", e.weight},
                         {"fingerprint", fingerprint(e)}});
  return {{"executor", open_executor_name(whole.executor)},
          {"rate", whole.rate},
          {"duration_s", whole.stages.empty() ? whole.duration_s : 0.0},
          {"stages", stages},
          {"timeout_s", whole.timeout_s},
          {"max_queue_wait_s", whole.max_queue_wait_s},
          {"endpoints", endpoints},
          {"data", {{"source", whole.data.source}, {"rows", whole.data.rows.size()}}},
          {"planned_requests", planned_requests(whole)}};
}

json shard_json(const ShardRecord& rec) {
  const LoadResult& r = rec.result;
  json intervals = json::array();
  for (const IntervalStats& i : r.intervals)
    intervals.push_back({{"t", i.start_s}, {"requests", i.requests}, {"errors", i.errors}});
  json endpoints = json::array();
  for (const EndpointStats& e : r.endpoints)
    endpoints.push_back({{"name", e.name}, {"requests", e.requests}, {"errors", errors_json(e.errors)}, {"latency", encode(e.latency)}});
  return {{"index", rec.shard.index},
          {"count", rec.shard.count},
          {"started_at", rec.started_at},
          {"test", rec.test},
          {"thresholds", rec.thresholds},
          {"planned_requests", rec.planned_requests},
          {"hdr_log", rec.hdr_log},
          {"result",
           {{"duration_s", r.duration_s},
            {"requests", r.requests},
            {"dropped", r.dropped},
            {"errors", errors_json(r.errors)},
            {"bytes_read", r.bytes_read},
            {"threads", r.threads},
            {"interrupted", r.interrupted},
            {"latency", encode(r.latency)},
            {"service_time", encode(r.service_time)},
            {"endpoints", endpoints},
            {"intervals", intervals}}}};
}

bool is_shard_result(const json& doc) {
  return doc.is_object() && doc.value("schema", "") == "greenlight.load/1" && doc.contains("shard") &&
         doc["shard"].is_object();
}

ShardRecord read_shard_result(const std::filesystem::path& json_file) {
  Reader rd(json_file.string());
  std::ifstream in(json_file, std::ios::binary);
  if (!in) rd.fail("cannot be read");
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) rd.fail("is not valid JSON");
  if (!is_shard_result(doc))
    rd.fail("is not a shard result (a greenlight.load/1 summary with a \"shard\" object, written by "
            "greenlight load --shard i/N --json FILE)");
  const json& s = doc["shard"];
  ShardRecord rec;
  rec.file = json_file;
  rec.shard.index = int(rd.integer(s, "index"));
  rec.shard.count = int(rd.integer(s, "count"));
  if (rec.shard.count < 1 || rec.shard.index < 1 || rec.shard.index > rec.shard.count)
    rd.fail("shard " + rec.shard.text() + " is not i/N with 1 <= i <= N");
  rec.started_at = rd.text(s, "started_at");
  rec.test = rd.at(s, "test", "shard.");
  if (!rec.test.is_object()) rd.fail("shard.test must be an object");
  const json& ts = rd.at(s, "thresholds", "shard.");
  if (!ts.is_array()) rd.fail("shard.thresholds must be an array");
  for (const json& t : ts) {
    if (!t.is_string()) rd.fail("shard.thresholds must hold strings");
    rec.thresholds.push_back(t.get<std::string>());
  }
  rec.planned_requests = uint64_t(rd.integer(s, "planned_requests"));
  rec.hdr_log = rd.text(s, "hdr_log");

  const json& r = rd.at(s, "result", "shard.");
  const std::string where = "shard.result.";
  LoadResult& out = rec.result;
  out.duration_s = rd.number(r, "duration_s", where);
  out.requests = rd.integer(r, "requests", where);
  out.dropped = rd.integer(r, "dropped", where);
  out.errors = rd.errors(r, where);
  out.bytes_read = rd.integer(r, "bytes_read", where);
  out.threads = int(rd.integer(r, "threads", where));
  const json& interrupted = rd.at(r, "interrupted", where);
  if (!interrupted.is_boolean()) rd.fail(where + "interrupted must be true or false");
  out.interrupted = interrupted.get<bool>();
  out.latency = rd.histogram(r, "latency", where);
  out.service_time = rd.histogram(r, "service_time", where);
  const json& eps = rd.at(r, "endpoints", where);
  if (!eps.is_array()) rd.fail(where + "endpoints must be an array");
  for (size_t i = 0; i < eps.size(); ++i) {
    std::string w = where + "endpoints[" + std::to_string(i) + "].";
    EndpointStats e;
    e.name = rd.text(eps[i], "name", w);
    e.requests = rd.integer(eps[i], "requests", w);
    e.errors = rd.errors(eps[i], w);
    e.latency = rd.histogram(eps[i], "latency", w);
    out.endpoints.push_back(std::move(e));
  }

  const json& iv = rd.at(r, "intervals", where);
  if (!iv.is_array()) rd.fail(where + "intervals must be an array");
  std::filesystem::path log_path = json_file.parent_path() / rec.hdr_log;
  std::map<long long, Histogram> per_second;
  if (!iv.empty()) per_second = read_hdr_log(log_path, rd);
  for (size_t i = 0; i < iv.size(); ++i) {
    std::string w = where + "intervals[" + std::to_string(i) + "].";
    IntervalStats s;
    s.start_s = rd.number(iv[i], "t", w);
    s.requests = rd.integer(iv[i], "requests", w);
    s.errors = rd.integer(iv[i], "errors", w);
    auto h = per_second.find(std::llround(s.start_s));
    if (h == per_second.end())
      rd.fail("its interval log " + log_path.string() + " has no histogram for second " + std::to_string(std::llround(s.start_s)) +
              " (is it the log written with this result?)");
    if (h->second.highest() != s.latency.highest() || h->second.significant_digits() != s.latency.significant_digits())
      rd.fail("its interval log " + log_path.string() + ": second " + std::to_string(h->first) +
              " holds a histogram of another precision than greenlight's per-second histograms");
    s.latency = h->second;
    out.intervals.push_back(std::move(s));
  }
  return rec;
}

LoadSpec spec_from_parameters(const json& test) {
  Reader rd("shard.test");
  LoadSpec spec;
  std::string executor = rd.text(test, "executor", "");
  if (executor == "constant-arrival-rate") spec.executor = ExecutorKind::constant_arrival_rate;
  else if (executor == "ramping-arrival-rate") spec.executor = ExecutorKind::ramping_arrival_rate;
  else rd.fail("executor '" + executor + "' is not an open-model executor");
  spec.rate = rd.number(test, "rate", "");
  spec.duration_s = rd.number(test, "duration_s", "");
  spec.timeout_s = rd.number(test, "timeout_s", "");
  spec.max_queue_wait_s = rd.number(test, "max_queue_wait_s", "");
  const json& stages = rd.at(test, "stages", "");
  if (!stages.is_array()) rd.fail("stages must be an array");
  for (const json& st : stages) spec.stages.push_back({rd.number(st, "duration_s", "stages[]."), rd.number(st, "target", "stages[].")});
  if (!spec.stages.empty()) {
    spec.duration_s = 0;
    for (const Stage& st : spec.stages) spec.duration_s += st.duration_s;
  }
  const json& eps = rd.at(test, "endpoints", "");
  if (!eps.is_array() || eps.empty()) rd.fail("endpoints must be a non-empty array");
  for (const json& e : eps) {
    Endpoint ep;
    ep.name = rd.text(e, "name", "endpoints[].");
    ep.method = rd.text(e, "method", "endpoints[].");
    ep.url = rd.text(e, "url", "endpoints[].");
    ep.weight = rd.number(e, "weight", "endpoints[].");
    spec.endpoints.push_back(std::move(ep));
  }
  return spec;
}

}  // namespace greenlight
