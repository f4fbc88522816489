// The page-image comparison: a SQLite VFS ("greenlight-image") whose only
// file compares every page the pager writes with the same page of the copy,
// and keeps nothing but one state byte per page (and page 1, which the pager
// reads back). The online backup API drives it exactly as it drives a real
// destination file, so "identical" means the copy is what a backup of the
// source taken now would be, byte for byte outside the header's counters.
#include "suites/backup/sqlite_image.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace greenlight {

namespace {

constexpr int kPagesPerStep = 4096;  // 16 MB of 4 KB pages between looks at the cancel flag
constexpr int kMaxRestarts = 3;      // then one step holds the source's read lock to the end
constexpr auto kLockedFor = std::chrono::seconds(60);  // a writer holding the source this long: give up

// Header bytes that differ between two faithful images of the same data:
// 18-19 the journal mode (the drill leaves its artifact in rollback mode,
// a WAL source says WAL), 24-27 the file change counter and 92-95
// version-valid-for, which count the commits of that one file.
bool ignored_header_byte(size_t i) { return i == 18 || i == 19 || (i >= 24 && i < 28) || (i >= 92 && i < 96); }

enum PageState : uint8_t { unwritten = 0, same = 1, differs = 2 };

// The destination as the pager sees it, compared with the copy.
struct Target {
  int copy_fd = -1;
  uint32_t page_size = 0;  // from the first write: the pager writes whole pages
  uint64_t size = 0;       // the destination's size
  std::vector<uint8_t> state;  // by page number - 1
  uint64_t differing = 0;      // pages in state `differs`
  std::vector<char> page1;     // the destination's own page 1, served back on reads
  std::vector<char> buffer;    // the copy's page, read for a comparison
  std::string failure;         // an access the comparison cannot follow (then not identical)
};

struct SinkFile {
  sqlite3_file base;
  Target* target;
};

std::mutex registry_mutex;
std::map<std::string, Target*> registry;  // by the name the destination is opened under

Target& target_of(sqlite3_file* f) { return *reinterpret_cast<SinkFile*>(f)->target; }

bool read_exactly(int fd, char* out, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

void set_state(Target& t, uint64_t index, PageState s) {
  if (t.state[index] == differs) --t.differing;
  if (s == differs) ++t.differing;
  t.state[index] = s;
}

int sink_close(sqlite3_file*) { return SQLITE_OK; }

int sink_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  Target& t = target_of(f);
  char* dst = static_cast<char*>(out);
  const uint64_t off = static_cast<uint64_t>(offset), n = static_cast<uint64_t>(amount);
  if (off >= t.size) {
    std::memset(dst, 0, n);
    return SQLITE_IOERR_SHORT_READ;
  }
  const uint64_t page = off / t.page_size, in_page = off % t.page_size;
  if (in_page + n > t.page_size) {
    t.failure = "the backup read across a page boundary at byte " + std::to_string(off);
    return SQLITE_IOERR_READ;
  }
  const PageState state = page < t.state.size() ? PageState(t.state[page]) : unwritten;
  if (page == 0 && !t.page1.empty()) {
    std::memcpy(dst, t.page1.data() + in_page, n);
  } else if (state == same) {
    if (!read_exactly(t.copy_fd, dst, n, off)) {
      t.failure = "cannot read the copy at byte " + std::to_string(off);
      return SQLITE_IOERR_READ;
    }
  } else if (state == unwritten) {
    std::memset(dst, 0, n);
  } else {
    // Its content was not kept: the image differs anyway.
    t.failure = "the backup read back page " + std::to_string(page + 1) + ", which differs from the copy";
    return SQLITE_IOERR_READ;
  }
  return SQLITE_OK;
}

int sink_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  Target& t = target_of(f);
  const char* src = static_cast<const char*>(data);
  const uint64_t off = static_cast<uint64_t>(offset), n = static_cast<uint64_t>(amount);
  if (t.page_size == 0) t.page_size = static_cast<uint32_t>(n);
  if (n != t.page_size || off % t.page_size != 0) {
    t.failure = "the backup wrote " + std::to_string(n) + " bytes at byte " + std::to_string(off) + ", not a page";
    return SQLITE_IOERR_WRITE;
  }
  const uint64_t index = off / t.page_size;
  if (t.state.size() <= index) t.state.resize(index + 1, unwritten);
  t.buffer.resize(n);
  bool equal = read_exactly(t.copy_fd, t.buffer.data(), n, off);
  if (equal && index == 0) {
    t.page1.assign(src, src + n);
    for (size_t i = 0; i < n && equal; ++i) equal = ignored_header_byte(i) || t.buffer[i] == src[i];
  } else if (equal) {
    equal = std::memcmp(t.buffer.data(), src, n) == 0;
  }
  set_state(t, index, equal ? same : differs);
  t.size = std::max(t.size, off + n);
  return SQLITE_OK;
}

int sink_truncate(sqlite3_file* f, sqlite3_int64 size) {
  Target& t = target_of(f);
  t.size = static_cast<uint64_t>(size);
  const uint64_t keep = t.page_size ? (t.size + t.page_size - 1) / t.page_size : 0;
  for (uint64_t i = keep; i < t.state.size(); ++i) set_state(t, i, unwritten);
  if (t.state.size() > keep) t.state.resize(keep);
  return SQLITE_OK;
}

int sink_sync(sqlite3_file*, int) { return SQLITE_OK; }
int sink_file_size(sqlite3_file* f, sqlite3_int64* size) {
  *size = static_cast<sqlite3_int64>(target_of(f).size);
  return SQLITE_OK;
}
int sink_lock(sqlite3_file*, int) { return SQLITE_OK; }
int sink_check_reserved_lock(sqlite3_file*, int* out) {
  *out = 0;
  return SQLITE_OK;
}
int sink_file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int sink_sector_size(sqlite3_file*) { return 4096; }
int sink_device_characteristics(sqlite3_file*) { return 0; }

const sqlite3_io_methods sink_methods = {
    1,         sink_close,     sink_read,       sink_write,       sink_truncate,
    sink_sync, sink_file_size, sink_lock,       sink_lock,        sink_check_reserved_lock,
    sink_file_control,         sink_sector_size, sink_device_characteristics};

int sink_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  f->pMethods = nullptr;
  if (!name || !(flags & SQLITE_OPEN_MAIN_DB)) return SQLITE_CANTOPEN;  // no journal, no temp files
  std::lock_guard<std::mutex> lock(registry_mutex);
  auto it = registry.find(name);
  if (it == registry.end()) return SQLITE_CANTOPEN;
  auto* sink = reinterpret_cast<SinkFile*>(f);
  sink->target = it->second;
  f->pMethods = &sink_methods;
  if (out_flags) *out_flags = flags;
  return SQLITE_OK;
}
int sink_delete(sqlite3_vfs*, const char*, int) { return SQLITE_OK; }
int sink_access(sqlite3_vfs*, const char*, int, int* out) {
  *out = 0;  // no journal, no WAL: nothing to recover
  return SQLITE_OK;
}
int sink_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  sqlite3_snprintf(n, out, "%s", name);
  return SQLITE_OK;
}

const char* kVfsName = "greenlight-image";

void register_vfs() {
  static std::once_flag once;
  static sqlite3_vfs vfs;
  std::call_once(once, [] {
    // Randomness, time, sleep and dlopen from the default VFS (they ignore
    // the VFS argument); files from the sink.
    vfs = *sqlite3_vfs_find(nullptr);
    vfs.iVersion = 1;
    vfs.szOsFile = sizeof(SinkFile);
    vfs.mxPathname = 512;
    vfs.pNext = nullptr;
    vfs.zName = kVfsName;
    vfs.pAppData = nullptr;
    vfs.xOpen = sink_open;
    vfs.xDelete = sink_delete;
    vfs.xAccess = sink_access;
    vfs.xFullPathname = sink_full_pathname;
    if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) throw std::runtime_error("cannot register the SQLite image VFS");
  });
}

// The name under which the sink opens `target`, for as long as this lives.
struct Registration {
  std::string name;
  Registration(std::string n, Target* target) : name(std::move(n)) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry[name] = target;
  }
  ~Registration() {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry.erase(name);
  }
};

using Connection = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

Connection open(const std::string& name, int flags, const char* vfs, const std::string& what) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, vfs);
  Connection c(db, sqlite3_close_v2);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  return c;
}

// Runs the backup of `source` into the sink; "" when it ran to the end, or
// why it stopped.
std::string run_backup(sqlite3* source, sqlite3* sink, const std::atomic<bool>* cancel) {
  std::unique_ptr<sqlite3_backup, int (*)(sqlite3_backup*)> backup(sqlite3_backup_init(sink, "main", source, "main"),
                                                                  sqlite3_backup_finish);
  if (!backup) return std::string("the backup API refused: ") + sqlite3_errmsg(sink);
  int batch = kPagesPerStep, restarts = 0, last_remaining = -1;
  auto progressed = std::chrono::steady_clock::now();
  for (;;) {
    if (cancel && cancel->load()) return "cancelled";
    int rc = sqlite3_backup_step(backup.get(), batch);
    if (rc == SQLITE_DONE) return "";
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (std::chrono::steady_clock::now() - progressed > kLockedFor) return "the source stayed locked for a minute";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    progressed = std::chrono::steady_clock::now();
    if (rc != SQLITE_OK) return std::string("the backup API failed: ") + sqlite3_errstr(rc);
    int remaining = sqlite3_backup_remaining(backup.get());
    if (last_remaining >= 0 && remaining > last_remaining && ++restarts >= kMaxRestarts) batch = -1;
    last_remaining = remaining;
  }
}

}  // namespace

ImageComparison compare_sqlite_image(const std::filesystem::path& source, const std::filesystem::path& copy,
                                     const std::atomic<bool>* cancel) {
  register_vfs();
  Target t;
  t.copy_fd = ::open(copy.c_str(), O_RDONLY | O_CLOEXEC);
  if (t.copy_fd < 0) throw std::runtime_error("cannot read " + copy.string() + ": " + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> close_copy(&t.copy_fd, [](int* fd) { ::close(*fd); });
  struct stat st {};
  ::fstat(t.copy_fd, &st);
  const uint64_t copy_size = static_cast<uint64_t>(st.st_size);

  static std::atomic<uint64_t> serial{0};
  Registration registration("greenlight-image-" + std::to_string(++serial), &t);
  const std::string& name = registration.name;

  ImageComparison result;
  std::string stopped;
  {
    Connection src = open(source.string(), SQLITE_OPEN_READONLY, nullptr, "the source " + source.string());
    sqlite3_busy_timeout(src.get(), 5000);
    Connection sink = open(name, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kVfsName, "the image comparison");
    sqlite3_exec(sink.get(), "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF", nullptr, nullptr, nullptr);
    stopped = run_backup(src.get(), sink.get(), cancel);
  }
  result.page_size = t.page_size;
  result.pages = t.page_size ? t.size / t.page_size : 0;
  if (!t.failure.empty()) {
    result.difference = t.failure;
  } else if (!stopped.empty()) {
    if (stopped != "cancelled" && result.pages == 0) throw std::runtime_error("cannot read the source " + source.string() + ": " + stopped);
    result.difference = stopped;
  } else if (result.pages == 0) {
    result.difference = "the source has no pages";
  } else if (t.size != copy_size) {
    result.difference = "the copy is " + std::to_string(copy_size) + " bytes, the source's image " + std::to_string(t.size);
  } else {
    for (uint64_t i = 0; i < t.state.size() && result.difference.empty(); ++i)
      if (t.state[i] != same)
        result.difference = "page " + std::to_string(i + 1) + " of " + std::to_string(result.pages) +
                            (t.state[i] == differs ? " differs" : " is missing");
    result.identical = result.difference.empty() && t.differing == 0;
  }
  return result;
}

}  // namespace greenlight
