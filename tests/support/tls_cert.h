// Self-signed certificates for TLS tests, made with the openssl CLI:
// valid ones, ones about to expire, and ones already expired.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace greenlight::test {

struct CertFiles {
  std::string cert_path;  // PEM certificate (also usable as the CA file to trust it)
  std::string key_path;   // PEM private key, unencrypted
};

// days_valid > 0: valid from now for that many days.
// days_valid <= 0: already expired; notAfter is |days_valid| days and one hour
// ago (0: expired an hour ago), notBefore 30 days before that.
// Files are created in `dir` under unique names.
CertFiles make_self_signed_cert(const std::string& dir, int days_valid, const std::string& common_name = "localhost",
                                const std::vector<std::string>& subject_alt_names = {"DNS:localhost",
                                                                                     "IP:127.0.0.1"});

// Any validity window, past or future. OpenSSL 3.0's req/x509 cannot set
// dates (-not_before/-not_after arrived in 3.4), so this signs with
// `openssl ca -selfsign -startdate -enddate` and a throwaway CA database.
CertFiles make_cert_valid_between(const std::string& dir, std::chrono::system_clock::time_point not_before,
                                  std::chrono::system_clock::time_point not_after,
                                  const std::string& common_name = "localhost",
                                  const std::vector<std::string>& subject_alt_names = {"DNS:localhost",
                                                                                       "IP:127.0.0.1"});

}  // namespace greenlight::test
