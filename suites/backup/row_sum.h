// The order-independent checksum of a table's rows: the SHA-256 of every row
// added modulo 2^256. Equal sums mean the same multiset of rows (with
// overwhelming probability): row order does not matter, every duplicate,
// missing or changed row does (XOR would let two equal rows cancel out).
//
// Hashing is most of the digest's CPU after reading: with the x86 SHA
// extensions two rows are hashed side by side (the SHA rounds of one row
// wait on each other, those of two rows do not); elsewhere OpenSSL hashes
// each row. Both give the same SHA-256, hence the same sum.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight {

class RowSum {
 public:
  RowSum();
  ~RowSum();
  RowSum(const RowSum&) = delete;
  RowSum& operator=(const RowSum&) = delete;

  // Rows may be held back for pairing; rows(), bytes() count them at once.
  void add(std::string_view row);
  // Adds another sum (of other rows of the same table, e.g. another rowid range).
  void merge(RowSum& other);

  std::string hex();  // 64 hex digits, most significant first
  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }

  // Whether this machine hashes with the SHA extensions; tests switch them
  // off to check the OpenSSL path gives the same sums (false = OpenSSL only).
  static bool hardware();
  static void use_hardware(bool on);

 private:
  uint64_t sum_[4] = {0, 0, 0, 0};  // big-endian limbs: sum_[3] is the least significant
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  bool hw_;
  std::vector<uint8_t> pending_;  // a row padded to whole SHA-256 blocks, waiting for a second one
  size_t pending_blocks_ = 0;     // 0: none waiting
  std::vector<uint8_t> padded_;
  void* evp_md_ = nullptr;   // EVP_MD*, OpenSSL path
  void* evp_ctx_ = nullptr;  // EVP_MD_CTX*

  void flush();
  void add_digest(const uint32_t state[8]);
  void add_openssl(std::string_view row);
};

// SHA-256 of `data` into 32 bytes, by the same code the sums use (tests
// compare it with OpenSSL on every length around the block boundaries).
void row_sha256(std::string_view data, unsigned char out[32]);

}  // namespace greenlight
