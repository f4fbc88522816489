// Whether a SQLite file is, page for page, what SQLite's online backup API
// makes of a source database's current snapshot: the fast proof that a
// restored copy holds everything (every table, index and the schema), with
// no second copy on disk and no row decoding.
//
// The source is read once more through the backup API into a destination
// that writes nothing: each page it would write is compared with the same
// page of the file (the header's change counters and journal-mode bytes
// aside, which say nothing about the data). Any difference, including a
// source written meanwhile, makes the answer "not identical" with the first
// page that differs; the caller then compares row by row.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

namespace greenlight {

struct ImageComparison {
  bool identical = false;
  std::string difference;  // when not identical: "page 1234 of 246431 differs", "the copy has 12 pages more", ...
  uint64_t pages = 0;      // of the source's snapshot
  uint32_t page_size = 0;
};

// Reads `source` (a SQLite database file, opened read-only) and compares its
// image with `copy`, which nothing may write meanwhile. Cancellable between
// batches of pages (then not identical, "cancelled"). Throws
// std::runtime_error when the source cannot be read at all.
ImageComparison compare_sqlite_image(const std::filesystem::path& source, const std::filesystem::path& copy,
                                     const std::atomic<bool>* cancel = nullptr);

}  // namespace greenlight
