// Functions of instant vectors and scalars: the math functions (Go's own
// algorithms where the C library rounds differently live in eval_math; tan,
// the inverse and hyperbolic functions use the C library and may differ
// from Prometheus in the last bit), clamp*, round, sgn, timestamp, absent, scalar, vector,
// time and the date functions, label_replace/label_join, sort/sort_desc and
// histogram_quantile over classic buckets.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/eval_math.h"
#include "suites/alerts/promql/eval_regex.h"
#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/printer.h"

namespace greenlight::promql::eval_detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Val vector_val() {
  Val v;
  v.type = ValueType::Vector;
  return v;
}

Val scalar_val(double x) {
  Val v;
  v.type = ValueType::Scalar;
  v.scalar = x;
  return v;
}

Val map_values(Vec in, double (*f)(double)) {
  Val out = vector_val();
  bool collide = names_may_collide(in);
  out.vec = std::move(in);
  for (auto& e : out.vec) {
    e.labels = drop_metric_name(e.labels);
    e.v = f(e.v);
  }
  if (collide) check_duplicates(out.vec);
  return out;
}

double sgn(double v) { return v < 0 ? -1 : v > 0 ? 1 : v; }
double deg(double v) { return v * 180 / M_PI; }
double rad(double v) { return v * M_PI / 180; }
double abs_fn(double v) { return std::fabs(v); }
double ceil_fn(double v) { return std::ceil(v); }
double floor_fn(double v) { return std::floor(v); }
double sqrt_fn(double v) { return std::sqrt(v); }
double exp_fn(double v) { return go_exp(v); }
double sin_fn(double v) { return go_sin(v); }
double cos_fn(double v) { return go_cos(v); }
double tan_fn(double v) { return std::tan(v); }
double asin_fn(double v) { return std::asin(v); }
double acos_fn(double v) { return std::acos(v); }
double atan_fn(double v) { return go_atan(v); }
double sinh_fn(double v) { return std::sinh(v); }
double cosh_fn(double v) { return std::cosh(v); }
double tanh_fn(double v) { return std::tanh(v); }
double asinh_fn(double v) { return std::asinh(v); }
double acosh_fn(double v) { return std::acosh(v); }
double atanh_fn(double v) { return std::atanh(v); }

const std::unordered_map<std::string_view, double (*)(double)>& simple_functions() {
  static const std::unordered_map<std::string_view, double (*)(double)> table = {
      {"abs", abs_fn},     {"ceil", ceil_fn},   {"floor", floor_fn}, {"sqrt", sqrt_fn},   {"exp", exp_fn},
      {"ln", go_log},      {"log2", go_log2},   {"log10", go_log10}, {"sgn", sgn},        {"deg", deg},
      {"rad", rad},        {"sin", sin_fn},     {"cos", cos_fn},     {"tan", tan_fn},     {"asin", asin_fn},
      {"acos", acos_fn},   {"atan", atan_fn},   {"sinh", sinh_fn},   {"cosh", cosh_fn},   {"tanh", tanh_fn},
      {"asinh", asinh_fn}, {"acosh", acosh_fn}, {"atanh", atanh_fn},
  };
  return table;
}

// ---- dates (Go's time.Unix(sec, 0).UTC()) ----

struct Civil {
  std::int64_t year;
  int month, day, hour, minute, weekday, yday;
};

Civil civil_from_unix(std::int64_t sec) {
  std::int64_t days = sec / 86400, rem = sec % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  Civil c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  // Howard Hinnant's civil_from_days.
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = c.month <= 2 ? y + 1 : y;
  bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
  static const int before[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  c.yday = before[c.month - 1] + c.day + (leap && c.month > 2 ? 1 : 0);
  return c;
}

int days_in_month(std::int64_t year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

double date_part(std::string_view name, const Civil& c) {
  if (name == "year") return static_cast<double>(c.year);
  if (name == "month") return c.month;
  if (name == "day_of_month") return c.day;
  if (name == "day_of_week") return c.weekday;
  if (name == "day_of_year") return c.yday;
  if (name == "days_in_month") return days_in_month(c.year, c.month);
  if (name == "hour") return c.hour;
  return c.minute;
}

// Go's int64(float64) on amd64: out-of-range and NaN give the minimum int64.
std::int64_t go_int64(double v) {
  if (std::isnan(v) || v >= 9223372036854775808.0 || v < -9223372036854775808.0)
    return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(v);
}

bool is_date_function(std::string_view n) {
  return n == "year" || n == "month" || n == "day_of_month" || n == "day_of_week" || n == "day_of_year" ||
         n == "days_in_month" || n == "hour" || n == "minute";
}

// ---- label_replace / label_join ----

Val label_replace(Vec in, const std::string& dst, const std::string& repl, const std::string& src,
                  const std::string& regex) {
  std::shared_ptr<const GoRegex> re;
  try {
    re = cached_regex("^(?:" + regex + ")$");
  } catch (const std::invalid_argument&) {
    eval_error("invalid regular expression in label_replace(): " + regex);
  }
  if (!valid_label_name(dst)) eval_error("invalid destination label name in label_replace(): " + dst);
  Val out = vector_val();
  out.vec = std::move(in);
  std::vector<std::pair<int, int>> groups;
  for (auto& e : out.vec) {
    std::string_view src_val = get_label(*e.labels, src);
    if (!re->full_match(src_val, groups)) continue;
    std::string res = expand_template(*re, repl, src_val, groups);
    Labels l = *e.labels;
    l.erase(std::remove_if(l.begin(), l.end(), [&](const auto& p) { return p.first == dst; }), l.end());
    if (!res.empty()) l.push_back({dst, res});
    e.labels = std::make_shared<const Labels>(normalize_labels(std::move(l)));
  }
  check_duplicates(out.vec);
  return out;
}

Val label_join(Vec in, const std::string& dst, const std::string& sep, const std::vector<std::string>& srcs) {
  for (const auto& s : srcs)
    if (!valid_label_name(s)) eval_error("invalid source label name in label_join(): " + s);
  if (!valid_label_name(dst)) eval_error("invalid destination label name in label_join(): " + dst);
  Val out = vector_val();
  out.vec = std::move(in);
  for (auto& e : out.vec) {
    std::string joined;
    for (std::size_t i = 0; i < srcs.size(); ++i) {
      if (i) joined += sep;
      joined += get_label(*e.labels, srcs[i]);
    }
    Labels l = *e.labels;
    l.erase(std::remove_if(l.begin(), l.end(), [&](const auto& p) { return p.first == dst; }), l.end());
    if (!joined.empty()) l.push_back({dst, joined});
    e.labels = std::make_shared<const Labels>(normalize_labels(std::move(l)));
  }
  check_duplicates(out.vec);
  return out;
}

// ---- histogram_quantile ----

// Go's strconv.ParseFloat(s, 64): false for a syntax error or an overflow.
bool go_parse_float(std::string_view s, double& out) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  std::string lower(body);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "infinity") {
    out = negative ? -kInf : kInf;
    return true;
  }
  if (lower == "nan") {
    out = kNaN;
    return true;
  }
  if (body.empty()) return false;
  if (lower.size() > 2 && lower[0] == '0' && lower[1] == 'x') {
    // Hexadecimal floats need a 'p' exponent in Go.
    if (lower.find('p') == std::string::npos) return false;
    for (char c : lower.substr(2))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'p' || c == '+' || c == '-')) return false;
    char* end = nullptr;
    std::string text(body);
    double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) return false;
    if (std::isinf(v)) return false;
    out = negative ? -v : v;
    return true;
  }
  std::size_t i = 0, digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t start = i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i;
    if (i == start) return false;
  }
  if (i != body.size()) return false;
  double v = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (ec == std::errc::result_out_of_range) {
    std::size_t e = lower.find('e');
    if (e != std::string::npos && e + 1 < lower.size() && lower[e + 1] == '-') v = 0;  // underflow is no error
    else return false;
  } else if (ec != std::errc() || ptr != body.data() + body.size()) {
    return false;
  }
  out = negative ? -v : v;
  return true;
}

struct Bucket {
  double upper;
  double count;
};

// Prometheus 2.42's bucketQuantile.
double bucket_quantile(double q, std::vector<Bucket> buckets) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(buckets.begin(), buckets.end(), [](const Bucket& a, const Bucket& b) { return a.upper < b.upper; });
  if (!(std::isinf(buckets.back().upper) && buckets.back().upper > 0)) return kNaN;
  // Coalesce buckets with the same upper bound.
  std::vector<Bucket> c;
  for (const auto& b : buckets) {
    if (!c.empty() && c.back().upper == b.upper) c.back().count += b.count;
    else c.push_back(b);
  }
  // Force monotonicity: a bucket never holds fewer observations than one below it.
  double max = -kInf;
  for (auto& b : c) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (c.size() < 2) return kNaN;
  double observations = c.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  std::size_t b = 0;
  {
    // sort.Search over all but the last bucket.
    std::size_t lo = 0, hi = c.size() - 1;
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo) / 2;
      if (!(c[mid].count >= rank)) lo = mid + 1;
      else hi = mid;
    }
    b = lo;
  }
  if (b == c.size() - 1) return c[c.size() - 2].upper;
  if (b == 0 && c[0].upper <= 0) return c[0].upper;
  double bucket_start = 0, bucket_end = c[b].upper, count = c[b].count;
  if (b > 0) {
    bucket_start = c[b - 1].upper;
    count -= c[b - 1].count;
    rank -= c[b - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

Val histogram_quantile(double q, const Vec& in, std::int64_t t) {
  struct Group {
    LabelsPtr labels;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> index;
  for (const auto& e : in) {
    double upper = 0;
    if (!go_parse_float(get_label(*e.labels, "le"), upper)) continue;
    // The group is every label but le (the metric name included: two
    // histograms with the same labels are not merged).
    std::string key;
    for (const auto& [n, v] : *e.labels) {
      if (n == "le") continue;
      key += n;
      key += '\xff';
      key += v;
      key += '\xfe';
    }
    auto [it, inserted] = index.emplace(std::move(key), groups.size());
    if (inserted) {
      auto l = std::make_shared<Labels>();
      for (const auto& p : *e.labels)
        if (p.first != "le" && p.first != kMetricName) l->push_back(p);
      groups.push_back({l, {}});
    }
    groups[it->second].buckets.push_back({upper, e.v});
  }
  Val out = vector_val();
  for (auto& g : groups) out.vec.push_back({g.labels, bucket_quantile(q, std::move(g.buckets)), t});
  check_duplicates(out.vec);
  return out;
}

// ---- clamp / round (Go's math.Max and math.Min) ----

double go_max(double x, double y) {
  if ((std::isinf(x) && x > 0) || (std::isinf(y) && y > 0)) return kInf;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

double go_min(double x, double y) {
  if ((std::isinf(x) && x < 0) || (std::isinf(y) && y < 0)) return -kInf;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

std::string string_arg(const Node& n) {
  const Node& u = unwrap_parens(n);
  if (const auto* s = u.as<StringLiteral>()) return s->value;
  eval_error("expected a string literal argument");
}

}  // namespace

Val eval_call(const Node& node, const Call& call, std::int64_t t, Context& ctx) {
  std::string_view name = call.func->name;
  auto arg = [&](std::size_t i) { return eval_node(*call.args.at(i), t, ctx); };

  if (name == "time") return scalar_val(static_cast<double>(t) / 1000);
  if (name == "pi") return scalar_val(M_PI);
  if (name == "vector") {
    Val out = vector_val();
    out.vec.push_back({std::make_shared<const Labels>(), arg(0).scalar, t});
    return out;
  }
  if (name == "scalar") {
    Val v = arg(0);
    return scalar_val(v.vec.size() == 1 ? v.vec[0].v : kNaN);
  }
  if (is_date_function(name)) {
    Val out = vector_val();
    if (call.args.empty()) {
      std::int64_t sec = t / 1000;
      out.vec.push_back({std::make_shared<const Labels>(), date_part(name, civil_from_unix(sec)), t});
      return out;
    }
    out.vec = arg(0).vec;
    bool collide = names_may_collide(out.vec);
    for (auto& e : out.vec) {
      e.labels = drop_metric_name(e.labels);
      e.v = date_part(name, civil_from_unix(go_int64(e.v)));
    }
    if (collide) check_duplicates(out.vec);
    return out;
  }
  auto simple = simple_functions().find(name);
  if (simple != simple_functions().end()) {
    return map_values(arg(0).vec, simple->second);
  }
  if (name == "timestamp") {
    // Of a selector: the samples' own timestamps; of anything else: the
    // evaluation time, which is what Prometheus' computed vectors carry.
    bool selector = unwrap_parens(*call.args[0]).as<VectorSelector>() != nullptr;
    Val out = vector_val();
    out.vec = arg(0).vec;
    bool collide = names_may_collide(out.vec);
    for (auto& e : out.vec) {
      e.labels = drop_metric_name(e.labels);
      e.v = static_cast<double>(selector ? e.t : t) / 1000;
    }
    if (collide) check_duplicates(out.vec);
    return out;
  }
  if (name == "clamp" || name == "clamp_min" || name == "clamp_max") {
    Vec in = arg(0).vec;
    double lo = -kInf, hi = kInf;
    if (name == "clamp") {
      lo = arg(1).scalar;
      hi = arg(2).scalar;
      if (hi < lo) return vector_val();
    } else if (name == "clamp_min") {
      lo = arg(1).scalar;
    } else {
      hi = arg(1).scalar;
    }
    Val out = vector_val();
    bool collide = names_may_collide(in);
    out.vec = std::move(in);
    for (auto& e : out.vec) {
      e.labels = drop_metric_name(e.labels);
      if (name == "clamp") e.v = go_max(lo, go_min(hi, e.v));
      else if (name == "clamp_min") e.v = go_max(lo, e.v);
      else e.v = go_min(hi, e.v);
    }
    if (collide) check_duplicates(out.vec);
    return out;
  }
  if (name == "round") {
    Vec in = arg(0).vec;
    double to_nearest = call.args.size() >= 2 ? arg(1).scalar : 1;
    // Prometheus divides by the inverse: fewer rounding surprises.
    double inverse = 1.0 / to_nearest;
    Val out = vector_val();
    bool collide = names_may_collide(in);
    out.vec = std::move(in);
    for (auto& e : out.vec) {
      e.labels = drop_metric_name(e.labels);
      e.v = std::floor(e.v * inverse + 0.5) / inverse;
    }
    if (collide) check_duplicates(out.vec);
    return out;
  }
  if (name == "absent") {
    Val v = arg(0);
    Val out = vector_val();
    if (v.vec.empty()) out.vec.push_back({std::make_shared<const Labels>(labels_for_absent(*call.args[0])), 1, t});
    return out;
  }
  if (name == "sort" || name == "sort_desc") {
    Val out = vector_val();
    out.vec = arg(0).vec;
    bool desc = name == "sort_desc";
    // NaN last either way, as Prometheus orders them.
    std::stable_sort(out.vec.begin(), out.vec.end(), [desc](const Elem& a, const Elem& b) {
      if (std::isnan(a.v) || std::isnan(b.v)) return !std::isnan(a.v) && std::isnan(b.v);
      return desc ? a.v > b.v : a.v < b.v;
    });
    return out;
  }
  if (name == "label_replace") {
    Vec in = arg(0).vec;
    return label_replace(std::move(in), string_arg(*call.args[1]), string_arg(*call.args[2]),
                         string_arg(*call.args[3]), string_arg(*call.args[4]));
  }
  if (name == "label_join") {
    Vec in = arg(0).vec;
    std::vector<std::string> srcs;
    for (std::size_t i = 3; i < call.args.size(); ++i) srcs.push_back(string_arg(*call.args[i]));
    return label_join(std::move(in), string_arg(*call.args[1]), string_arg(*call.args[2]), srcs);
  }
  if (name == "histogram_quantile") {
    double q = arg(0).scalar;
    return histogram_quantile(q, arg(1).vec, t);
  }
  if (name == "histogram_count" || name == "histogram_sum" || name == "histogram_fraction") {
    // Only native histograms have these; float samples (all this store
    // holds) are skipped, as Prometheus skips them.
    for (std::size_t i = 0; i < call.args.size(); ++i) (void)arg(i);
    return vector_val();
  }
  (void)node;
  eval_error("function " + std::string(name) + "() is not supported by greenlight's evaluator" +
             (call.func->newer_than_reference ? " (Prometheus 2.42 does not know it either)" : ""));
}

}  // namespace greenlight::promql::eval_detail
