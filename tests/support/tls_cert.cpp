// Certificate generation through the openssl CLI (req -x509 for the common
// case, ca -selfsign when the validity window must be chosen).
#include "tests/support/tls_cert.h"

#include <atomic>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tests/support/run_tool.h"

namespace greenlight::test {

namespace {

std::string unique_stem(const std::string& dir) {
  static std::atomic<int> counter{0};
  return dir + "/cert-" + std::to_string(++counter);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

void openssl(const std::vector<std::string>& args) {
  ToolResult r = run_tool("openssl", args);
  if (r.exit_code != 0) {
    std::string cmd = "openssl";
    for (const auto& a : args) cmd += " " + a;
    throw std::runtime_error(cmd + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  }
}

// GeneralizedTime as `openssl ca -startdate` wants it: YYYYMMDDHHMMSSZ.
std::string asn1_time(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return buf;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

CertFiles make_self_signed_cert(const std::string& dir, int days_valid, const std::string& common_name,
                                const std::vector<std::string>& subject_alt_names) {
  if (days_valid <= 0) {
    using namespace std::chrono;
    auto not_after = system_clock::now() + hours(24 * days_valid) - hours(1);
    return make_cert_valid_between(dir, not_after - hours(24 * 30), not_after, common_name, subject_alt_names);
  }
  std::string stem = unique_stem(dir);
  CertFiles files{stem + ".pem", stem + ".key"};
  std::vector<std::string> args = {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", std::to_string(days_valid),
                                   "-subj", "/CN=" + common_name, "-keyout", files.key_path, "-out", files.cert_path};
  if (!subject_alt_names.empty()) {
    args.push_back("-addext");
    args.push_back("subjectAltName=" + join(subject_alt_names));
  }
  openssl(args);
  return files;
}

CertFiles make_cert_valid_between(const std::string& dir, std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after, const std::string& common_name,
                                  const std::vector<std::string>& subject_alt_names) {
  std::string stem = unique_stem(dir);
  CertFiles files{stem + ".pem", stem + ".key"};
  std::string ca = stem + "-ca";
  std::filesystem::create_directories(ca + "/newcerts");
  write_file(ca + "/index.txt", "");
  write_file(ca + "/serial", "1000\n");
  // CA:TRUE so clients can use the certificate itself as the trust anchor,
  // as they do with a `req -x509` certificate.
  write_file(ca + "/ca.cnf", "[ ca ]\ndefault_ca = throwaway\n"
                             "[ throwaway ]\n"
                             "dir = " + ca + "\n"
                             "database = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\n"
                             "default_md = sha256\npolicy = any\nunique_subject = no\n"
                             "copy_extensions = none\nx509_extensions = ext\n"
                             "[ any ]\ncommonName = supplied\n"
                             "[ ext ]\nbasicConstraints = critical,CA:TRUE\n"
                             "subjectKeyIdentifier = hash\n" +
                             (subject_alt_names.empty() ? "" : "subjectAltName = " + join(subject_alt_names) + "\n"));
  openssl({"req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + common_name, "-keyout", files.key_path,
           "-out", ca + "/request.csr"});
  openssl({"ca", "-batch", "-config", ca + "/ca.cnf", "-selfsign", "-keyfile", files.key_path, "-in",
           ca + "/request.csr", "-out", files.cert_path, "-notext", "-startdate", asn1_time(not_before), "-enddate",
           asn1_time(not_after)});
  return files;
}

}  // namespace greenlight::test
