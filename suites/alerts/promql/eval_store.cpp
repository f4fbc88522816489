// The evaluator's series store and label helpers: label sets normalised and
// shared once per series, an index by metric name, selection with
// pre-compiled matchers (regexes from the process-wide cache) and a cache of
// selection results, since a rule test evaluates the same selectors at every
// step.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/eval_regex.h"

namespace greenlight::promql {

using namespace eval_detail;

namespace {

constexpr std::uint64_t kStaleBits = 0x7ff0000000000002ULL;

std::string label_key(const Labels& l) {
  std::string key;
  for (const auto& [n, v] : l) {
    key += n;
    key += '\xff';
    key += v;
    key += '\xfe';
  }
  return key;
}

struct CompiledMatcher {
  std::string name;
  MatchOp op = MatchOp::Equal;
  std::string value;
  std::shared_ptr<const GoRegex> re;

  bool matches(std::string_view v) const {
    switch (op) {
      case MatchOp::Equal: return v == value;
      case MatchOp::NotEqual: return v != value;
      case MatchOp::Regex: return re->full_match(v);
      case MatchOp::NotRegex: return !re->full_match(v);
    }
    return false;
  }
};

std::vector<CompiledMatcher> compile_matchers(const VectorSelector& sel) {
  std::vector<CompiledMatcher> out;
  if (!sel.name.empty()) out.push_back({kMetricName, MatchOp::Equal, sel.name, nullptr});
  for (const auto& m : sel.matchers) {
    CompiledMatcher c{m.name, m.op, m.value, nullptr};
    if (m.op == MatchOp::Regex || m.op == MatchOp::NotRegex) {
      try {
        c.re = cached_regex(m.value);
      } catch (const std::invalid_argument& e) {
        eval_error(e.what());
      }
    }
    out.push_back(std::move(c));
  }
  // Cheap equality tests first: they reject most series.
  std::stable_sort(out.begin(), out.end(), [](const CompiledMatcher& a, const CompiledMatcher& b) {
    return (a.op == MatchOp::Equal) > (b.op == MatchOp::Equal);
  });
  return out;
}

std::string selector_key(const VectorSelector& sel) {
  std::string key = sel.name;
  for (const auto& m : sel.matchers) {
    key += '\xff';
    key += m.name;
    key += match_op_text(m.op);
    key += m.value;
  }
  return key;
}

}  // namespace

// ---- public helpers ----

double stale_nan() {
  double d;
  std::memcpy(&d, &kStaleBits, sizeof d);
  return d;
}

bool is_stale_nan(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits == kStaleBits;
}

std::string format_labels(const Labels& l) {
  std::string name(get_label(l, kMetricName));
  std::string out = name + "{";
  bool first = true;
  for (const auto& [n, v] : l) {
    if (n == kMetricName) continue;
    if (!first) out += ", ";
    first = false;
    out += n + "=" + go_quote(v);
  }
  return out + "}";
}

// ---- label helpers ----

namespace eval_detail {

std::string_view get_label(const Labels& l, std::string_view name) {
  for (const auto& [n, v] : l)
    if (n == name) return v;
  return {};
}

bool has_label(const Labels& l, std::string_view name) {
  for (const auto& p : l)
    if (p.first == name) return true;
  return false;
}

LabelsPtr drop_metric_name(const LabelsPtr& l) {
  if (!has_label(*l, kMetricName)) return l;
  auto out = std::make_shared<Labels>();
  out->reserve(l->size() - 1);
  for (const auto& p : *l)
    if (p.first != kMetricName) out->push_back(p);
  return out;
}

std::string go_quote(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string labels_string(const Labels& l) {
  std::string out = "{";
  for (std::size_t i = 0; i < l.size(); ++i) {
    if (i) out += ", ";
    out += l[i].first + "=" + go_quote(l[i].second);
  }
  return out + "}";
}

std::uint64_t labels_hash(const Labels& l) {
  std::uint64_t h = 1469598103934665603ULL;
  std::hash<std::string_view> hash;
  for (const auto& [n, v] : l) {
    h = (h ^ hash(n)) * 1099511628211ULL;
    h = (h ^ hash(v)) * 1099511628211ULL;
  }
  return h;
}

bool names_may_collide(const Vec& v) {
  if (v.size() < 2) return false;
  std::string_view first = get_label(*v[0].labels, kMetricName);
  for (std::size_t i = 1; i < v.size(); ++i)
    if (get_label(*v[i].labels, kMetricName) != first) return true;
  return false;
}

Labels normalize_labels(Labels l) {
  std::stable_sort(l.begin(), l.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Labels out;
  out.reserve(l.size());
  for (auto& p : l) {
    if (!out.empty() && out.back().first == p.first) out.pop_back();
    out.push_back(std::move(p));
  }
  out.erase(std::remove_if(out.begin(), out.end(), [](const auto& p) { return p.second.empty(); }), out.end());
  return out;
}

bool valid_label_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void eval_error(const std::string& message) { throw EvalError(message); }

void check_duplicates(const Vec& v) {
  if (v.size() < 2) return;
  std::vector<std::pair<std::uint64_t, std::size_t>> hashes;
  hashes.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) hashes.push_back({labels_hash(*v[i].labels), i});
  std::sort(hashes.begin(), hashes.end());
  for (std::size_t i = 1; i < hashes.size(); ++i)
    if (hashes[i].first == hashes[i - 1].first && *v[hashes[i].second].labels == *v[hashes[i - 1].second].labels)
      eval_error("vector cannot contain metrics with the same labelset");
}

void Context::count_samples(std::size_t n) {
  if (n > opt.max_samples)
    eval_error("query processing would load too many samples into memory in query execution");
}

}  // namespace eval_detail

// ---- the store ----

SeriesStore::SeriesStore() : index_(std::make_unique<Index>()) {}
SeriesStore::~SeriesStore() = default;
SeriesStore::SeriesStore(SeriesStore&&) noexcept = default;
SeriesStore& SeriesStore::operator=(SeriesStore&&) noexcept = default;

SeriesStore::SeriesStore(const SeriesStore& other) : series_(other.series_), index_(std::make_unique<Index>()) {
  index_->entries = other.index_->entries;
  index_->by_key = other.index_->by_key;
  index_->by_name = other.index_->by_name;
  index_->nameless = other.index_->nameless;
}

SeriesStore& SeriesStore::operator=(const SeriesStore& other) {
  if (this != &other) {
    SeriesStore copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void SeriesStore::add(const Labels& raw, std::int64_t t_ms, double v) {
  Labels labels = normalize_labels(raw);
  std::string key = label_key(labels);
  auto it = index_->by_key.find(key);
  std::size_t i;
  if (it == index_->by_key.end()) {
    i = series_.size();
    series_.push_back(Series{labels, {}});
    auto shared = std::make_shared<const Labels>(labels);
    index_->entries.push_back({shared, drop_metric_name(shared), false});
    index_->by_key.emplace(std::move(key), i);
    std::string_view name = get_label(labels, kMetricName);
    if (name.empty()) index_->nameless.push_back(i);
    else index_->by_name[std::string(name)].push_back(i);
    std::lock_guard<std::mutex> lock(index_->cache_mu);
    index_->select_cache.clear();
  } else {
    i = it->second;
  }
  auto& samples = series_[i].samples;
  if (!samples.empty() && samples.back().t_ms >= t_ms)
    throw std::invalid_argument("sample at " + std::to_string(t_ms) + " ms for " + format_labels(labels) +
                                " is not after the series' last sample (" + std::to_string(samples.back().t_ms) +
                                " ms): samples must be added in ascending time order");
  samples.push_back({t_ms, v});
  if (is_stale_nan(v)) index_->entries[i].has_stale = true;
}

std::vector<std::size_t> SeriesStore::select_indices(const VectorSelector& sel) const {
  std::string key = selector_key(sel);
  {
    std::lock_guard<std::mutex> lock(index_->cache_mu);
    auto it = index_->select_cache.find(key);
    if (it != index_->select_cache.end()) return it->second;
  }
  std::vector<CompiledMatcher> matchers = compile_matchers(sel);
  // Candidates: the series of the metric name when the selector fixes it.
  const std::vector<std::size_t>* candidates = nullptr;
  std::vector<std::size_t> all;
  for (const auto& m : matchers)
    if (m.name == kMetricName && m.op == MatchOp::Equal) {
      auto it = index_->by_name.find(m.value);
      static const std::vector<std::size_t> none;
      candidates = it == index_->by_name.end() ? &none : &it->second;
      break;
    }
  if (!candidates) {
    all.resize(series_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    candidates = &all;
  }
  std::vector<std::size_t> out;
  for (std::size_t i : *candidates) {
    const Labels& l = series_[i].labels;
    bool ok = true;
    for (const auto& m : matchers)
      if (!m.matches(get_label(l, m.name))) {
        ok = false;
        break;
      }
    if (ok) out.push_back(i);
  }
  // Prometheus returns series sorted by label set; several results depend on
  // that order (topk ties, the order of count_values groups).
  std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) { return series_[a].labels < series_[b].labels; });
  std::lock_guard<std::mutex> lock(index_->cache_mu);
  index_->select_cache.emplace(std::move(key), out);
  return out;
}

std::vector<const Series*> SeriesStore::select(const VectorSelector& sel) const {
  std::vector<const Series*> out;
  for (std::size_t i : select_indices(sel)) out.push_back(&series_[i]);
  return out;
}

}  // namespace greenlight::promql
