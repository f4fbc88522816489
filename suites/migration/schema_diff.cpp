// The difference between two schema snapshots, as a person reads it: which
// object appeared or disappeared (with enough of its definition to recognise
// it) and which attributes of an object changed, old -> new.
#include "suites/migration/schema_diff.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace greenlight {

namespace {

// Containers before their contents, in the order a person reads a schema.
int kind_rank(const std::string& kind) {
  static const std::vector<std::string> order = {
      "schema", "extension", "type",  "sequence",  "table", "column",  "primary key", "unique",
      "foreign key", "check", "exclusion", "index", "view", "trigger", "policy",   "function"};
  auto it = std::find(order.begin(), order.end(), kind);
  return static_cast<int>(it - order.begin());
}

std::string attr(const SchemaObject& o, const std::string& key) {
  auto it = o.attributes.find(key);
  return it == o.attributes.end() ? "" : it->second;
}

constexpr size_t kShort = 120;
constexpr size_t kContext = 32;

// A long value (a view body, a function) cut to where two versions differ,
// at word boundaries, so that the change is visible in one line.
std::pair<std::string, std::string> around_difference(const std::string& a, const std::string& b) {
  if (a.size() <= kShort && b.size() <= kShort) return {a, b};
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  size_t from = prefix > kContext ? prefix - kContext : 0;
  constexpr size_t kSnap = 16;  // how far a cut moves to reach a space
  if (from > 0) {
    size_t space = a.rfind(' ', from);
    if (space != std::string::npos && from - space <= kSnap) from = space + 1;
  }
  auto cut = [&](const std::string& s) {
    size_t end = s.size() - suffix + kContext;
    if (end < s.size()) {
      size_t space = s.find(' ', end);
      if (space != std::string::npos && space - end <= kSnap) end = space;
    } else {
      end = s.size();
    }
    std::string out = (from > 0 ? "..." : "") + s.substr(from, end - from);
    if (end < s.size()) out += "...";
    return out;
  };
  return {cut(a), cut(b)};
}

std::string shown(const std::string& v) { return v.empty() ? "(none)" : v; }

std::string changed_detail(const SchemaObject& from, const SchemaObject& to) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : from.attributes) keys.push_back(k);
  for (const auto& [k, v] : to.attributes)
    if (!from.attributes.count(k)) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (const std::string& k : keys) {
    const std::string a = attr(from, k), b = attr(to, k);
    if (a == b && from.attributes.count(k) == to.attributes.count(k)) continue;
    auto [sa, sb] = around_difference(a, b);
    out += (out.empty() ? "" : "; ") + k + ": " + shown(sa) + " -> " + shown(sb);
  }
  return out;
}

// What identifies an added or removed object at a glance:
// "(text, nullable)", "on users (CREATE INDEX ...)".
std::string summary(const SchemaObject& o) {
  if (o.kind == "column") {
    std::string s = attr(o, "type") + (attr(o, "nullable") == "no" ? ", not null" : ", nullable");
    if (o.attributes.count("default")) s += ", default " + attr(o, "default");
    if (o.attributes.count("generated")) s += ", generated " + attr(o, "generated");
    if (o.attributes.count("identity")) s += ", identity " + attr(o, "identity");
    return "(" + s + ")";
  }
  std::string what;
  for (const char* key : {"definition", "expression", "labels", "virtual"})
    if (o.attributes.count(key)) {
      what = attr(o, key);
      break;
    }
  if (what.empty() && o.kind == "foreign key") what = attr(o, "columns") + " -> " + attr(o, "references");
  if (what.empty() && o.attributes.count("columns")) what = attr(o, "columns");
  if (what.empty() && o.kind == "sequence")
    what = attr(o, "type") + ", start " + attr(o, "start") + ", increment " + attr(o, "increment");
  if (what.empty() && o.kind == "type") what = attr(o, "kind");
  const std::string on = o.attributes.count("table") ? "on " + attr(o, "table") : "";
  if (what.empty()) return on;
  return on + (on.empty() ? "" : " ") + "(" + what + ")";
}

// Tables whose surviving columns keep their order while columns were added
// or removed: the shifted positions of the others are a consequence, not a
// change of their own, and would only bury the one line that matters.
std::set<std::string> positions_explained(const SchemaSnapshot& from, const SchemaSnapshot& to) {
  std::map<std::string, bool> touched;  // table -> a column was added or removed
  auto note = [&](const SchemaSnapshot& a, const SchemaSnapshot& b) {
    for (const auto& [key, o] : a.objects)
      if (o.kind == "column" && !b.objects.count(key)) touched[attr(o, "table")] = true;
  };
  note(from, to);
  note(to, from);
  std::set<std::string> explained;
  for (const auto& touched_table : touched) {
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
    const auto& table = touched_table.first;
    auto order = [&](const SchemaSnapshot& a, const SchemaSnapshot& b) {
      std::vector<std::pair<int, std::string>> cols;
      for (const auto& [key, o] : a.objects)
        if (o.kind == "column" && attr(o, "table") == table && b.objects.count(key))
          cols.emplace_back(std::atoi(attr(o, "position").c_str()), o.name);
      std::sort(cols.begin(), cols.end());
      std::vector<std::string> names;
      for (auto& c : cols) names.push_back(c.second);
      return names;
    };
    if (order(from, to) == order(to, from)) explained.insert(table);
  }
  return explained;
}

std::map<std::string, std::string> without_position(std::map<std::string, std::string> attributes) {
  attributes.erase("position");
  return attributes;
}

}  // namespace

std::vector<SchemaChange> diff_schema(const SchemaSnapshot& from, const SchemaSnapshot& to) {
  struct Keyed {
    int rank;
    std::string name;
    SchemaChange change;
  };
  std::vector<Keyed> out;
  const std::set<std::string> shifted = positions_explained(from, to);
  for (const auto& [key, o] : from.objects) {
    auto other = to.objects.find(key);
    if (other == to.objects.end()) {
      out.push_back({kind_rank(o.kind), o.name, {SchemaChange::removed, o.kind + " " + o.name, summary(o)}});
    } else if (other->second.attributes != o.attributes) {
      SchemaObject a = o, b = other->second;
      if (o.kind == "column" && shifted.count(attr(o, "table"))) {
        a.attributes = without_position(a.attributes);
        b.attributes = without_position(b.attributes);
        if (a.attributes == b.attributes) continue;
      }
      out.push_back({kind_rank(o.kind), o.name, {SchemaChange::changed, o.kind + " " + o.name, changed_detail(a, b)}});
    }
  }
  for (const auto& [key, o] : to.objects)
    if (!from.objects.count(key))
      out.push_back({kind_rank(o.kind), o.name, {SchemaChange::added, o.kind + " " + o.name, summary(o)}});
  std::stable_sort(out.begin(), out.end(), [](const Keyed& a, const Keyed& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.change.object != b.change.object) return a.change.object < b.change.object;
    return a.change.kind < b.change.kind;
  });
  std::vector<SchemaChange> changes;
  for (Keyed& k : out) changes.push_back(std::move(k.change));
  return changes;
}

std::string format_diff(const std::vector<SchemaChange>& changes, const std::string& from_label,
                        const std::string& to_label) {
  std::string out = "schema " + from_label + " -> " + to_label + ": ";
  if (changes.empty()) return out + "no differences\n";
  out += std::to_string(changes.size()) + (changes.size() == 1 ? " difference" : " differences") +
         " (- only " + from_label + ", + only " + to_label + ", ~ changed)\n";
  for (const SchemaChange& c : changes) {
    switch (c.kind) {
      case SchemaChange::added: out += "+ " + c.object + (c.detail.empty() ? "" : " " + c.detail); break;
      case SchemaChange::removed: out += "- " + c.object + (c.detail.empty() ? "" : " " + c.detail); break;
      case SchemaChange::changed: out += "~ " + c.object + ": " + c.detail; break;
    }
    out += "\n";
  }
  return out;
}

}  // namespace greenlight
