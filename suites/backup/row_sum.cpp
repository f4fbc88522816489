// Row checksums: SHA-256 per row, summed modulo 2^256.
//
// Why not OpenSSL alone: a row is ~100 bytes, two or three SHA-256 blocks,
// so per-call costs (EVP dispatch, context reset, cleansing) were a third of
// the hashing, and one SHA-256 is a chain of dependent rounds that leaves
// the SHA unit idle half the time. Here two rows' blocks go through the SHA
// extensions (SHA-NI) interleaved, padded by hand; the result is plain
// SHA-256 (row_sha256 is checked against OpenSSL in the tests). Without
// SHA-NI (checked with CPUID at run time), OpenSSL hashes each row.
#include "suites/backup/row_sum.h"

#include <openssl/evp.h>

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <utility>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define GREENLIGHT_SHA_NI 1
#endif

#include "harness/database.h"

namespace greenlight {

namespace {

constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// Blocks needed for `n` bytes plus the 0x80 marker and the 64-bit length.
size_t padded_blocks(size_t n) { return (n + 9 + 63) / 64; }

// `row` with SHA-256 padding into `out` (resized to whole blocks).
size_t pad(std::string_view row, std::vector<uint8_t>& out) {
  const size_t blocks = padded_blocks(row.size());
  out.assign(blocks * 64, 0);
  if (!row.empty()) std::memcpy(out.data(), row.data(), row.size());
  out[row.size()] = 0x80;
  const uint64_t bits = uint64_t(row.size()) * 8;
  for (int i = 0; i < 8; ++i) out[out.size() - 1 - i] = uint8_t(bits >> (8 * i));
  return blocks;
}

#ifdef GREENLIGHT_SHA_NI

bool cpu_has_sha_ni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool sha = b & (1u << 29);
  return ssse3 && sse41 && sha;
}

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

alignas(16) constexpr uint32_t kRound[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// The state as the SHA instructions hold it: ABEF and CDGH.
struct Lane {
  __m128i abef, cdgh;
};

SHA_TARGET inline Lane load_lane(const uint32_t s[8]) {
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s[0])), 0xB1);  // CDAB
  __m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&s[4])), 0x1B);
  return {_mm_alignr_epi8(tmp, efgh, 8), _mm_blend_epi16(efgh, tmp, 0xF0)};
}

SHA_TARGET inline void store_lane(const Lane& l, uint32_t s[8]) {
  __m128i feba = _mm_shuffle_epi32(l.abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(l.cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&s[0]), _mm_blend_epi16(feba, dchg, 0xF0));  // DCBA
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&s[4]), _mm_alignr_epi8(dchg, feba, 8));     // HGFE
}

// Four rounds (group g) of one lane; message words w[g] sit in m[g % 4] and
// w[4..15] are scheduled in that rolling array as in Intel's SHA extensions
// reference. Templates rather than loops: every index is a constant, so the
// arrays live in registers.
template <int G>
SHA_TARGET __attribute__((always_inline)) inline void group(Lane& lane, __m128i (&m)[4], const uint8_t* block) {
  if (G < 4) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    m[G] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 16 * G)), swap);
  }
  __m128i msg = _mm_add_epi32(m[G & 3], _mm_load_si128(reinterpret_cast<const __m128i*>(&kRound[4 * G])));
  lane.cdgh = _mm_sha256rnds2_epu32(lane.cdgh, lane.abef, msg);
  if (G >= 3 && G <= 14) {
    __m128i& next = m[(G + 1) & 3];
    next = _mm_sha256msg2_epu32(_mm_add_epi32(next, _mm_alignr_epi8(m[G & 3], m[(G - 1) & 3], 4)), m[G & 3]);
  }
  lane.abef = _mm_sha256rnds2_epu32(lane.abef, lane.cdgh, _mm_shuffle_epi32(msg, 0x0E));
  if (G >= 1 && G <= 12) m[(G - 1) & 3] = _mm_sha256msg1_epu32(m[(G - 1) & 3], m[G & 3]);
}

// One block for each of N lanes, group by group, so that the lanes'
// independent rounds interleave.
template <int N, size_t... G>
SHA_TARGET __attribute__((always_inline)) inline void groups(Lane (&lane)[N], __m128i (&m)[N][4],
                                                            const uint8_t* const (&block)[N], std::index_sequence<G...>) {
  static_assert(N == 1 || N == 2);
  auto one = [&](auto g) SHA_TARGET {
    group<decltype(g)::value>(lane[0], m[0], block[0]);
    if constexpr (N == 2) group<decltype(g)::value>(lane[1], m[1], block[1]);
  };
  (one(std::integral_constant<int, int(G)>{}), ...);
}

template <int N>
SHA_TARGET __attribute__((always_inline)) inline void compress(Lane (&lane)[N], const uint8_t* const (&block)[N]) {
  Lane saved[N];
  for (int l = 0; l < N; ++l) saved[l] = lane[l];
  __m128i m[N][4];
  groups<N>(lane, m, block, std::make_index_sequence<16>{});
  for (int l = 0; l < N; ++l) {
    lane[l].abef = _mm_add_epi32(lane[l].abef, saved[l].abef);
    lane[l].cdgh = _mm_add_epi32(lane[l].cdgh, saved[l].cdgh);
  }
}

// SHA-256 of two padded messages: blocks both have side by side, then the
// rest of the longer one alone.
SHA_TARGET void sha256_two(const uint8_t* a, size_t a_blocks, const uint8_t* b, size_t b_blocks, uint32_t out_a[8],
                           uint32_t out_b[8]) {
  Lane two[2] = {load_lane(kInit), load_lane(kInit)};
  const size_t both = a_blocks < b_blocks ? a_blocks : b_blocks;
  for (size_t i = 0; i < both; ++i) {
    const uint8_t* const blocks[2] = {a + 64 * i, b + 64 * i};
    compress<2>(two, blocks);
  }
  Lane one[1] = {a_blocks > both ? two[0] : two[1]};
  const uint8_t* rest = a_blocks > both ? a : b;
  for (size_t i = both; i < (a_blocks > both ? a_blocks : b_blocks); ++i) {
    const uint8_t* const blocks[1] = {rest + 64 * i};
    compress<1>(one, blocks);
  }
  if (a_blocks > both) two[0] = one[0];
  else two[1] = one[0];
  store_lane(two[0], out_a);
  store_lane(two[1], out_b);
}

SHA_TARGET void sha256_one(const uint8_t* p, size_t blocks, uint32_t out[8]) {
  Lane one[1] = {load_lane(kInit)};
  for (size_t i = 0; i < blocks; ++i) {
    const uint8_t* const b[1] = {p + 64 * i};
    compress<1>(one, b);
  }
  store_lane(one[0], out);
}

std::atomic<bool> g_hardware{cpu_has_sha_ni()};
const bool g_has_sha_ni = cpu_has_sha_ni();

#else

std::atomic<bool> g_hardware{false};
const bool g_has_sha_ni = false;

#endif

}  // namespace

bool RowSum::hardware() { return g_hardware.load(); }
void RowSum::use_hardware(bool on) { g_hardware = on && g_has_sha_ni; }

RowSum::RowSum() : hw_(g_hardware.load()) {
  if (hw_) return;
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!md || !ctx) {
    if (ctx) EVP_MD_CTX_free(ctx);
    if (md) EVP_MD_free(md);
    throw DatabaseError("OpenSSL cannot provide SHA-256 for the table checksums");
  }
  evp_md_ = md;
  evp_ctx_ = ctx;
}

RowSum::~RowSum() {
  if (evp_ctx_) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(evp_ctx_));
  if (evp_md_) EVP_MD_free(static_cast<EVP_MD*>(evp_md_));
}

void RowSum::add(std::string_view row) {
  ++rows_;
  bytes_ += row.size();
  if (!hw_) return add_openssl(row);
#ifdef GREENLIGHT_SHA_NI
  if (pending_blocks_ == 0) {
    pending_blocks_ = pad(row, pending_);
    return;
  }
  const size_t blocks = pad(row, padded_);
  uint32_t a[8], b[8];
  sha256_two(pending_.data(), pending_blocks_, padded_.data(), blocks, a, b);
  pending_blocks_ = 0;
  add_digest(a);
  add_digest(b);
#endif
}

void RowSum::flush() {
#ifdef GREENLIGHT_SHA_NI
  if (pending_blocks_ == 0) return;
  uint32_t a[8];
  sha256_one(pending_.data(), pending_blocks_, a);
  pending_blocks_ = 0;
  add_digest(a);
#endif
}

void RowSum::add_openssl(std::string_view row) {
  unsigned char d[32];
  unsigned int size = 0;
  auto* ctx = static_cast<EVP_MD_CTX*>(evp_ctx_);
  if (EVP_DigestInit_ex(ctx, static_cast<EVP_MD*>(evp_md_), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, row.data(), row.size()) != 1 || EVP_DigestFinal_ex(ctx, d, &size) != 1 || size != sizeof d)
    throw DatabaseError("OpenSSL failed to hash a row for the table checksums");
  uint32_t state[8];
  for (int i = 0; i < 8; ++i)
    state[i] = (uint32_t(d[4 * i]) << 24) | (uint32_t(d[4 * i + 1]) << 16) | (uint32_t(d[4 * i + 2]) << 8) | d[4 * i + 3];
  add_digest(state);
}

// The digest is the big-endian number state[0..7]: limb i is words 2i, 2i+1.
void RowSum::add_digest(const uint32_t state[8]) {
  unsigned carry = 0;
  for (int limb = 3; limb >= 0; --limb) {
    const uint64_t d = (uint64_t(state[2 * limb]) << 32) | state[2 * limb + 1];
    const uint64_t s = sum_[limb] + d;
    const unsigned c1 = s < d;
    const uint64_t t = s + carry;
    const unsigned c2 = t < s;
    sum_[limb] = t;
    carry = c1 | c2;
  }
}

void RowSum::merge(RowSum& other) {
  other.flush();
  uint32_t words[8];
  for (int limb = 0; limb < 4; ++limb) {
    words[2 * limb] = uint32_t(other.sum_[limb] >> 32);
    words[2 * limb + 1] = uint32_t(other.sum_[limb]);
  }
  add_digest(words);
  rows_ += other.rows_;
  bytes_ += other.bytes_;
}

std::string RowSum::hex() {
  flush();
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint64_t limb : sum_)
    for (int shift = 60; shift >= 0; shift -= 4) out += digits[(limb >> shift) & 0xf];
  return out;
}

void row_sha256(std::string_view data, unsigned char out[32]) {
  uint32_t state[8];
#ifdef GREENLIGHT_SHA_NI
  if (g_hardware.load()) {
    std::vector<uint8_t> padded;
    size_t blocks = pad(data, padded);
    sha256_one(padded.data(), blocks, state);
    for (int i = 0; i < 8; ++i)
      for (int b = 0; b < 4; ++b) out[4 * i + b] = uint8_t(state[i] >> (24 - 8 * b));
    return;
  }
#endif
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out, &size, EVP_sha256(), nullptr) != 1 || size != 32)
    throw std::runtime_error("OpenSSL failed to compute a SHA-256");
  (void)state;
}

}  // namespace greenlight
