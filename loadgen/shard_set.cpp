// Finding shard results, proving they are the N parts of one test, merging.
#include "loadgen/shard_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "loadgen/merge.h"

namespace greenlight {

namespace fs = std::filesystem;

namespace {

bool looks_like_shard(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  auto doc = nlohmann::json::parse(in, nullptr, false);
  return !doc.is_discarded() && is_shard_result(doc);
}

// The first key (as a path) where two parameter objects differ.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& where) {
  if (a.is_object() && b.is_object()) {
    for (const auto& item : a.items()) {
      if (!b.contains(item.key())) return where + item.key() + " (absent in the other)";
      std::string d = first_difference(item.value(), b[item.key()], where + item.key() + ".");
      if (!d.empty()) return d;
    }
    for (const auto& item : b.items())
      if (!a.contains(item.key())) return where + item.key() + " (absent in the first)";
    return "";
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      std::string d = first_difference(a[i], b[i], where.substr(0, where.size() - 1) + "[" + std::to_string(i) + "].");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (a == b) return "";
  return where.substr(0, where.size() - 1) + ": " + a.dump() + " vs " + b.dump();
}

std::string join_thresholds(const std::vector<std::string>& t) {
  std::string out;
  for (const std::string& s : t) out += (out.empty() ? "" : ", ") + ("'" + s + "'");
  return out.empty() ? "none" : out;
}

}  // namespace

ShardSet load_shard_set(const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw ShardFileError("no shard results given: name the directory the shards wrote to, or their JSON files");
  std::vector<fs::path> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(in, ec))
        if (entry.path().extension() == ".json" && looks_like_shard(entry.path())) found.push_back(entry.path());
      if (ec) throw ShardFileError(in + ": cannot list the directory: " + ec.message());
      if (found.empty())
        throw ShardFileError(in + ": no shard results in this directory (JSON files written by greenlight load --shard i/N --json FILE)");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
    } else {
      throw ShardFileError(in + ": no such file or directory");
    }
  }

  std::vector<ShardRecord> records;
  for (const fs::path& f : files) records.push_back(read_shard_result(f));
  const ShardRecord& first = records.front();
  int n = first.shard.count;
  std::vector<const ShardRecord*> by_index(size_t(n) + 1, nullptr);
  for (const ShardRecord& r : records) {
    if (r.shard.count != n)
      throw ShardFileError(r.file.string() + " is shard " + r.shard.text() + " but " + first.file.string() + " is shard " +
                           first.shard.text() + ": the shards of one test share N");
    // planned_requests follows from the rest: name the parameter that was given differently.
    nlohmann::json given_a = first.test, given_b = r.test;
    given_a.erase("planned_requests"), given_b.erase("planned_requests");
    std::string diff = first_difference(given_a, given_b, "");
    if (diff.empty()) diff = first_difference(first.test, r.test, "");
    if (!diff.empty())
      throw ShardFileError(r.file.string() + " (shard " + r.shard.text() + ") is not from the same test as " +
                           first.file.string() + " (shard " + first.shard.text() + "): they differ in " + diff);
    if (r.thresholds != first.thresholds)
      throw ShardFileError(r.file.string() + " (shard " + r.shard.text() + ") was given the thresholds " +
                           join_thresholds(r.thresholds) + ", " + first.file.string() + " " + join_thresholds(first.thresholds) +
                           ": give every shard the same --threshold options");
    const ShardRecord*& slot = by_index[size_t(r.shard.index)];
    if (slot)
      throw ShardFileError("shard " + r.shard.text() + " was found twice: " + slot->file.string() + " and " + r.file.string() +
                           " (a retried pod, or results of two runs in one directory?)");
    slot = &r;
  }
  std::string missing;
  for (int i = 1; i <= n; ++i)
    if (!by_index[size_t(i)]) missing += (missing.empty() ? "" : ", ") + ShardId{i, n}.text();
  if (!missing.empty()) {
    std::string found;
    for (int i = 1; i <= n; ++i)
      if (by_index[size_t(i)]) found += (found.empty() ? "" : ", ") + by_index[size_t(i)]->file.string();
    throw ShardFileError("shard " + missing + (missing.find(',') == std::string::npos ? " is" : " are") +
                         " missing: found only " + found + "; a merge of fewer shards would under-report the test");
  }

  ShardSet set;
  for (int i = 1; i <= n; ++i) set.shards.push_back(*by_index[size_t(i)]);
  set.spec = spec_from_parameters(first.test);
  set.thresholds = first.thresholds;
  set.planned_requests = first.test.value("planned_requests", uint64_t(0));
  std::vector<const LoadResult*> parts;
  for (const ShardRecord& r : set.shards) {
    parts.push_back(&r.result);
    if (set.started_at.empty() || r.started_at < set.started_at) set.started_at = r.started_at;
  }
  try {
    set.merged = merge_results(parts);
  } catch (const std::invalid_argument& e) {
    throw ShardFileError(std::string("the shards' results do not add up: ") + e.what());
  }
  return set;
}

}  // namespace greenlight
