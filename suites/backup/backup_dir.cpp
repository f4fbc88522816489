// A backup directory's files and its policy: freshness of the newest usable
// backup, how many are kept, and no file that is empty or cannot be read
// (each an actual fault seen in the field: a cron job writing 0 bytes for
// weeks, a rotation deleting everything but one).
#include "suites/backup/backup_dir.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>

namespace greenlight {

namespace fs = std::filesystem;

namespace {

const char* const kExtensions[] = {".sql", ".dump", ".db", ".sqlite", ".sqlite3"};

bool is_backup_name(std::string name) {
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name.ends_with(".gz")) name.resize(name.size() - 3);
  for (const char* ext : kExtensions)
    if (name.size() > std::strlen(ext) && name.ends_with(ext)) return true;
  return false;
}

// "31h", "2d 3h", "45m", "12s": the precision a person reads an age with.
std::string human(std::chrono::seconds s) {
  long long v = s.count();
  if (v < 0) v = 0;
  if (v < 60) return std::to_string(v) + "s";
  if (v < 3600) return std::to_string(v / 60) + "m";
  if (v < 48 * 3600) {
    long long h = v / 3600, m = (v % 3600) / 60;
    return std::to_string(h) + "h" + (m ? " " + std::to_string(m) + "m" : "");
  }
  long long d = v / 86400, h = (v % 86400) / 3600;
  return std::to_string(d) + "d" + (h ? " " + std::to_string(h) + "h" : "");
}

// Empty when the file can be opened for reading, else why not.
std::string unreadable(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  char byte;
  ssize_t n = ::read(fd, &byte, 1);
  std::string why = n < 0 ? std::strerror(errno) : "";
  ::close(fd);
  return why;
}

}  // namespace

std::vector<BackupFile> list_backups(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw std::runtime_error("cannot read the backup directory " + dir.string() + ": " + ec.message());
  std::vector<BackupFile> files;
  for (const fs::directory_entry& e : it) {
    if (!is_backup_name(e.path().filename().string())) continue;
    std::error_code fec;
    auto st = e.status(fec);  // follows symlinks; a dangling one stays in, to be reported unreadable
    if (!fec && fs::is_directory(st)) continue;
    BackupFile f;
    f.path = e.path();
    if (!fec && fs::is_regular_file(st)) {
      f.size_bytes = e.file_size(fec);
      auto t = e.last_write_time(fec);
      if (!fec) f.modified = std::chrono::file_clock::to_sys(t);
    }
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(), [](const BackupFile& a, const BackupFile& b) {
    return a.modified != b.modified ? a.modified > b.modified : a.path.filename() > b.path.filename();
  });
  return files;
}

std::vector<std::string> check_dir_policy(const std::vector<BackupFile>& files, const DirPolicy& policy,
                                          std::chrono::system_clock::time_point now) {
  std::vector<std::string> problems;
  if (files.empty()) {
    problems.push_back("no backup file found (looked for .sql, .dump, .db, .sqlite, .sqlite3, each also .gz)");
    return problems;
  }
  std::vector<const BackupFile*> usable;  // newest first, as given
  for (const BackupFile& f : files) {
    const std::string name = f.path.filename().string();
    if (std::string why = unreadable(f.path); !why.empty())
      problems.push_back(name + " cannot be read: " + why);
    else if (f.size_bytes == 0)
      problems.push_back(name + " is 0 bytes");
    else
      usable.push_back(&f);
  }
  if (usable.empty()) {
    problems.push_back("no usable backup: all " + std::to_string(files.size()) + " files are empty or unreadable");
    return problems;
  }
  if (policy.max_age) {
    const BackupFile& newest = *usable.front();
    auto age = std::chrono::duration_cast<std::chrono::seconds>(now - newest.modified);
    if (age > *policy.max_age) {
      std::string msg = "the newest backup " + newest.path.filename().string() + " is " + human(age) +
                        " old, more than --max-age " + human(*policy.max_age);
      if (&newest != &files.front())
        msg += " (newer files are empty or unreadable: " + files.front().path.filename().string() + ")";
      problems.push_back(msg);
    }
  }
  if (policy.keep && static_cast<int>(usable.size()) < *policy.keep) {
    std::string msg = "only " + std::to_string(usable.size()) + " usable backup" + (usable.size() == 1 ? "" : "s") +
                      " present, fewer than --keep " + std::to_string(*policy.keep);
    if (usable.size() != files.size()) msg += " (" + std::to_string(files.size()) + " files in all)";
    problems.push_back(msg);
  }
  return problems;
}

}  // namespace greenlight
