// Row checksums: the SHA-256 used for rows is SHA-256 (against OpenSSL, on
// every length around the block boundaries, with the SHA extensions and
// without); the hardware path's sums (two rows hashed side by side, a row
// left over) equal OpenSSL's; the sum ignores order but not a changed,
// missing or duplicated row; merged partial sums equal one sum.
#include "suites/backup/row_sum.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace greenlight;

namespace {

std::string openssl_sha256(const std::string& data) {
  unsigned char d[32];
  unsigned int n = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), d, &n, EVP_sha256(), nullptr) == 1);
  return std::string(reinterpret_cast<char*>(d), n);
}

std::vector<std::string> random_rows(size_t count, size_t max_len, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> rows;
  for (size_t i = 0; i < count; ++i) {
    std::string r(rng() % (max_len + 1), '\0');
    for (char& c : r) c = static_cast<char>(rng());
    rows.push_back(r);
  }
  return rows;
}

std::string sum_of(const std::vector<std::string>& rows) {
  RowSum s;
  for (const auto& r : rows) s.add(r);
  return s.hex();
}

// Restores the machine's choice after a test switched it.
struct HardwareGuard {
  bool was = RowSum::hardware();
  ~HardwareGuard() { RowSum::use_hardware(was); }
};

}  // namespace

TEST_CASE("row_sha256 is SHA-256 on every length around the block boundaries", "[backup][rowsum]") {
  HardwareGuard guard;
  for (bool hw : {true, false}) {
    RowSum::use_hardware(hw);
    INFO("hardware path: " << RowSum::hardware());
    std::mt19937 rng(7);
    for (size_t len = 0; len <= 300; ++len) {
      std::string data(len, '\0');
      for (char& c : data) c = static_cast<char>(rng());
      unsigned char out[32];
      row_sha256(data, out);
      INFO("length " << len);
      CHECK(std::string(reinterpret_cast<char*>(out), 32) == openssl_sha256(data));
    }
  }
  // A known answer, so that both paths cannot agree on something else.
  unsigned char abc[32];
  row_sha256("abc", abc);
  CHECK(openssl_sha256("abc") == std::string(reinterpret_cast<char*>(abc), 32));
  CHECK(static_cast<int>(abc[0]) == 0xba);
  CHECK(static_cast<int>(abc[31]) == 0xad);
}

TEST_CASE("the hardware and OpenSSL paths give the same sums", "[backup][rowsum]") {
  HardwareGuard guard;
  // Odd and even counts (a row left waiting for a partner), rows of unequal
  // block counts side by side, empty rows.
  for (size_t count : {0u, 1u, 2u, 3u, 17u, 1000u}) {
    auto rows = random_rows(count, 300, static_cast<unsigned>(count));
    RowSum::use_hardware(true);
    std::string hw = sum_of(rows);
    RowSum::use_hardware(false);
    std::string sw = sum_of(rows);
    INFO(count << " rows");
    CHECK(hw == sw);
    CHECK(hw.size() == 64);
  }
  RowSum::use_hardware(false);
  CHECK(sum_of({}) == std::string(64, '0'));
}

TEST_CASE("a row sum ignores order but not a changed, missing or duplicated row", "[backup][rowsum]") {
  auto rows = random_rows(501, 200, 42);
  const std::string base = sum_of(rows);

  auto shuffled = rows;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(1));
  CHECK(sum_of(shuffled) == base);

  auto changed = rows;
  changed[250] += 'x';
  CHECK(sum_of(changed) != base);

  auto missing = rows;
  missing.pop_back();
  CHECK(sum_of(missing) != base);

  auto duplicated = rows;
  duplicated.push_back(rows[3]);
  CHECK(sum_of(duplicated) != base);

  // Two equal rows do not cancel out (as they would with XOR).
  std::vector<std::string> pair = {"same", "same"};
  CHECK(sum_of(pair) != sum_of({}));
}

TEST_CASE("merged partial sums equal the sum of all rows", "[backup][rowsum]") {
  auto rows = random_rows(999, 150, 3);
  RowSum first, second;
  for (size_t i = 0; i < rows.size(); ++i) (i < 400 ? first : second).add(rows[i]);
  first.merge(second);
  CHECK(first.rows() == rows.size());
  CHECK(first.hex() == sum_of(rows));

  RowSum other;
  for (size_t i = 0; i < 400; ++i) other.add(rows[i]);
  CHECK(other.hex() != sum_of(rows));  // a half alone is not the whole
}
