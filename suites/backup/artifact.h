// What a backup artifact is and whether it is intact, before anything is
// restored from it: exists, non-empty, compression intact (gzip read to the
// end, CRC checked), format recognised (SQLite header, pg_dump custom format
// whose table of contents `pg_restore --list` parses, plain SQL), SHA-256;
// or, before a byte-for-byte copy, only what the head of a SQLite file shows.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace greenlight {

enum class ArtifactFormat {
  sqlite,         // a SQLite database file (optionally .gz)
  pg_custom,      // pg_dump -Fc (.dump)
  sql,            // plain SQL (.sql, optionally .gz)
  unknown,
};
const char* to_string(ArtifactFormat f);

struct ArtifactInfo {
  std::filesystem::path path;
  ArtifactFormat format = ArtifactFormat::unknown;
  bool gzip = false;
  uint64_t size_bytes = 0;           // on disk
  uint64_t content_bytes = 0;        // after decompression
  std::string sha256;                // of the bytes on disk
  std::chrono::system_clock::time_point modified;
  std::vector<std::string> tables;   // pg_custom: TABLE entries of the TOC ("public.users"); sqlite: from sqlite_schema
  std::vector<std::string> problems; // empty when intact; each names the fault ("gzip data truncated at byte 1234")
  // before_copy left the SHA-256 (empty) to the caller (file_sha256) and the
  // page-by-page check to integrity_check of the copy (see InspectDepth).
  bool deferred = false;
  bool ok() const { return problems.empty(); }
};

enum class InspectDepth {
  full,  // everything: the whole file is read here
  // For a restore that copies the file byte for byte (the drill's built-in
  // SQLite restore, restore_backup with sqlite_copy_file): a plain
  // (uncompressed) SQLite file gets only the checks that read no more than
  // its header and schema (format, page size, size = whole pages, header page
  // count against the size, sqlite_schema readable); the drill hashes the
  // file (file_sha256) beside the copy, and PRAGMA integrity_check of the
  // copy (a superset of quick_check) checks every page. Every other artifact
  // is inspected fully.
  before_copy,
};

// Reads the whole artifact once (streaming, constant memory), or its head
// only (before_copy). Never throws for what is wrong with the file: that
// goes to `problems`. `pg_restore` is used for pg_custom when found on PATH;
// when missing, a problem says so.
ArtifactInfo inspect_artifact(const std::filesystem::path& path, InspectDepth depth = InspectDepth::full);

// SHA-256 of the file's bytes, in hex, read in chunks (constant memory);
// `cancel` stops it between chunks. Throws std::runtime_error naming the file
// and the cause when it cannot be read, or when cancelled.
std::string file_sha256(const std::filesystem::path& path, const std::atomic<bool>* cancel = nullptr);

// The format from the first bytes only (of the decompressed content for a
// .gz), for choosing how to restore; `gzip` tells whether it is compressed.
// Throws std::runtime_error when the file cannot be read.
ArtifactFormat detect_format(const std::filesystem::path& path, bool* gzip = nullptr);

// Decompresses `gz` into `out` (streaming); throws std::runtime_error naming the fault.
void gunzip_file(const std::filesystem::path& gz, const std::filesystem::path& out);

}  // namespace greenlight
