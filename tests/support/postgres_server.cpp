// PostgresServer: initdb + postgres as child processes. PostgreSQL refuses to
// run as root, so when the tests are root the children drop to the `postgres`
// system user (or `nobody`) and the cluster's directory is handed to it.
#include "tests/support/postgres_server.h"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <pqxx/pqxx>

#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

namespace greenlight::test {

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool runnable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

// $GREENLIGHT_PG_BINDIR, else the newest /usr/lib/postgresql/N/bin (Debian
// keeps the server binaries out of PATH), else PATH.
fs::path find_bindir() {
  auto complete = [](const fs::path& dir) { return runnable(dir / "initdb") && runnable(dir / "postgres"); };
  if (const char* env = std::getenv("GREENLIGHT_PG_BINDIR"); env && *env) {
    if (complete(env)) return env;
    throw std::runtime_error(std::string("PostgreSQL server binaries (initdb, postgres) not found in GREENLIGHT_PG_BINDIR=") +
                             env);
  }
  std::vector<std::pair<int, fs::path>> versions;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit) && complete(entry.path() / "bin"))
      versions.emplace_back(std::stoi(name), entry.path() / "bin");
  }
  if (!versions.empty()) return std::max_element(versions.begin(), versions.end())->second;
  fs::path initdb = bp::search_path("initdb").string();
  if (!initdb.empty() && complete(initdb.parent_path())) return initdb.parent_path();
  throw std::runtime_error(
      "PostgreSQL server binaries (initdb, postgres) not found in /usr/lib/postgresql/*/bin or PATH "
      "(install the postgresql package, or set GREENLIGHT_PG_BINDIR)");
}

// Who the server runs as: ourselves, unless we are root.
struct ServerUser {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

ServerUser server_user() {
  ServerUser u;
  if (::geteuid() != 0) return u;
  for (const char* name : {"postgres", "nobody"}) {
    if (const passwd* pw = ::getpwnam(name)) {
      u.switch_user = true;
      u.uid = pw->pw_uid;
      u.gid = pw->pw_gid;
      return u;
    }
  }
  throw std::runtime_error("running as root and there is no `postgres` or `nobody` user to run PostgreSQL as");
}

// Runs in the forked child just before exec: drop to the server user, and ask
// the kernel to stop the server if the test process dies without its destructor.
struct AsServerUser : bp::extend::handler {
  ServerUser user;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    if (user.switch_user &&
        (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0))
      ::_exit(126);
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);  // after setuid: changing credentials clears it
  }
};

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

struct PostgresServer::Child {
  bp::child process;
};

PostgresServer::PostgresServer() : dir_(std::make_unique<TempDir>("greenlight-pg")) {
  const fs::path bindir = find_bindir();
  const ServerUser user = server_user();
  if (user.switch_user && ::chown(dir_->path().c_str(), user.uid, user.gid) != 0)
    throw std::runtime_error("chown " + dir_->path() + ": " + std::strerror(errno));

  const std::string data = dir_->file("data");
  // --no-sync: a test cluster need not survive a power cut, and syncing is most of initdb's time.
  int rc = bp::system((bindir / "initdb").string(), "-D", data, "-U", kSuperuser, "-A", "trust", "--locale=C", "-E",
                      "UTF8", "--no-sync", "--no-instructions", bp::std_in < bp::null,
                      (bp::std_out & bp::std_err) > dir_->file("initdb.log"), AsServerUser{{}, user});
  if (rc != 0)
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "): " + slurp(dir_->file("initdb.log")));

  // Only the superuser skips authentication, so that other roles really
  // exercise password checks (and a wrong password really fails).
  {
    std::ofstream hba(data + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n"
        << "host all " << kSuperuser << " 127.0.0.1/32 trust\n"
        << "host all all 127.0.0.1/32 scram-sha-256\n";
  }
  if (user.switch_user) ::chown((data + "/pg_hba.conf").c_str(), user.uid, user.gid);

  // free_port() is racy, so a port taken meanwhile ("could not bind") gets a second and third try.
  for (int attempt = 1;; ++attempt) {
    port_ = free_port();
    child_ = std::make_unique<Child>();
    child_->process = bp::child(
        (bindir / "postgres").string(), "-D", data, "-h", "127.0.0.1", "-p", std::to_string(port_), "-k", dir_->path(),
        "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "max_connections=20",
        "-c", "shared_buffers=16MB", bp::std_in < bp::null, (bp::std_out & bp::std_err) > dir_->file("server.log"),
        AsServerUser{{}, user});

    // Ready means a real login works: the port opens before recovery ends
    // ("the database system is starting up").
    auto deadline = std::chrono::steady_clock::now() + 10s;
    bool up = false;
    while (!up && child_->process.running() && std::chrono::steady_clock::now() < deadline) {
      try {
        pqxx::connection probe(dsn() + "?connect_timeout=2");
        up = true;
      } catch (const pqxx::broken_connection&) {
        std::this_thread::sleep_for(20ms);
      }
    }
    if (up) return;
    std::string why = child_->process.running() ? "did not accept connections within 10 s" : "exited";
    stop();
    std::string server_log = log();
    if (attempt < 3 && server_log.find("could not bind") != std::string::npos) continue;
    throw std::runtime_error("postgres " + why + " (port " + std::to_string(port_) + "); log:\n" + server_log);
  }
}

PostgresServer::~PostgresServer() {
  try {
    stop();
  } catch (...) {
  }
}

void PostgresServer::stop() {
  if (!child_) return;
  bp::child& p = child_->process;
  // SIGINT is PostgreSQL's "fast" shutdown (roll back, disconnect, exit
  // cleanly); SIGQUIT is the immediate one, for a server that hangs.
  for (int sig : {SIGINT, SIGQUIT}) {
    if (!p.running()) break;
    ::kill(p.id(), sig);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (p.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  }
  if (p.running()) p.terminate();
  p.wait();
  child_.reset();
}

std::string PostgresServer::dsn(const std::string& db, const std::string& user) const {
  return "postgresql://" + percent_encode(user) + "@127.0.0.1:" + std::to_string(port_) + "/" + percent_encode(db);
}

std::string PostgresServer::dsn_with_password(const std::string& db, const std::string& user,
                                              const std::string& password) const {
  return "postgresql://" + percent_encode(user) + ":" + percent_encode(password) + "@127.0.0.1:" +
         std::to_string(port_) + "/" + percent_encode(db);
}

void PostgresServer::exec(const std::string& sql, const std::string& db) const {
  pqxx::connection conn(dsn(db));
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
}

std::string PostgresServer::query_value(const std::string& sql, const std::string& db) const {
  pqxx::connection conn(dsn(db));
  pqxx::nontransaction tx(conn);
  pqxx::result r = tx.exec(sql);
  if (r.empty() || r.columns() < 1) throw std::runtime_error("no value from: " + sql);
  return r[0][0].is_null() ? "" : r[0][0].c_str();
}

void PostgresServer::create_database(const std::string& name, const std::string& owner) const {
  pqxx::connection conn(dsn());
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + conn.quote_name(name) + " OWNER " + conn.quote_name(owner));
}

void PostgresServer::create_role(const std::string& name, const std::string& password) const {
  pqxx::connection conn(dsn());
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE ROLE " + conn.quote_name(name) + " LOGIN PASSWORD " + conn.quote(password));
}

const std::string& PostgresServer::dir() const { return dir_->path(); }
std::string PostgresServer::log() const { return slurp(dir_->file("server.log")); }

}  // namespace greenlight::test
