// Ports of Go 1.19's math package (exp_amd64.s, log_amd64.s, log10.go,
// pow.go, atan.go, atan2.go, sin.go), with the same operations in the same
// order so results agree with Prometheus to the bit. Arguments of sin/cos
// beyond 2^29 (where Go switches to Payne-Hanek reduction) use the C library.
#include "suites/alerts/promql/eval_math.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace greenlight::promql {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846264338327950288419716939937510582097494459;

std::uint64_t bits_of(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

double from_bits(std::uint64_t b) {
  double v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

bool is_odd_int(double x) {
  if (std::fabs(x) >= 9007199254740992.0) return false;  // 2^53: every float is even
  double xi;
  double xf = std::modf(x, &xi);
  return xf == 0 && (static_cast<std::int64_t>(xi) & 1) == 1;
}

// Go checks cpu.X86.HasAVX2 && cpu.X86.HasFMA once; so do we.
bool use_fma() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return fma;
#else
  return false;
#endif
}

// CVTSD2SL: round to nearest even; out of range or NaN gives INT32_MIN.
std::int32_t cvtsd2sl(double v) {
#if defined(__x86_64__)
  return _mm_cvtsd_si32(_mm_set_sd(v));
#else
  if (std::isnan(v) || v >= 2147483647.5 || v < -2147483648.5) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(std::nearbyint(v));
#endif
}

}  // namespace

double go_exp(double x) {
  constexpr double LOG2E = 1.4426950408889634073599246810018920;
  constexpr double LN2U = 0.69314718055966295651160180568695068359375;
  constexpr double LN2L = 0.28235290563031577122588448175013436025525412068e-12;
  constexpr double Overflow = 7.09782712893384e+02;
  constexpr double c[] = {0.5,
                          1.0,
                          2.0,
                          1.6666666666666666667e-1,
                          4.1666666666666666667e-2,
                          8.3333333333333333333e-3,
                          1.3888888888888888889e-3,
                          1.9841269841269841270e-4,
                          2.4801587301587301587e-5};
  std::uint64_t b = bits_of(x);
  if ((b & ~(1ULL << 63)) >= 0x7FF0000000000000ULL) {  // not finite
    if (b == 0xFFF0000000000000ULL) return 0;            // -Inf
    return x;                                            // NaN or +Inf
  }
  if (x > Overflow) return kInf;
  std::int32_t e = cvtsd2sl(LOG2E * x);
  double k = e;
  double x0 = x, x1;
  if (use_fma()) {
    x0 = std::fma(-LN2U, k, x0);
    x0 = std::fma(-LN2L, k, x0);
    x0 *= 0.0625;
    x1 = c[8];
    x1 = std::fma(x1, x0, c[7]);
    x1 = std::fma(x1, x0, c[6]);
    x1 = std::fma(x1, x0, c[5]);
    x1 = std::fma(x1, x0, c[4]);
    x1 = std::fma(x1, x0, c[3]);
    x1 = std::fma(x1, x0, c[0]);
    x1 = std::fma(x1, x0, c[1]);
    x0 = x0 * x1;
    for (int i = 0; i < 3; ++i) {
      x1 = x0 + c[2];
      x0 = x0 * x1;
    }
    x1 = x0 + c[2];
    x0 = std::fma(x0, x1, c[1]);
  } else {
    x0 = x0 - LN2U * k;
    x0 = x0 - LN2L * k;
    x0 *= 0.0625;
    x1 = c[8] * x0;
    x1 += c[7];
    x1 *= x0;
    x1 += c[6];
    x1 *= x0;
    x1 += c[5];
    x1 *= x0;
    x1 += c[4];
    x1 *= x0;
    x1 += c[3];
    x1 *= x0;
    x1 += c[0];
    x1 *= x0;
    x1 += c[1];
    x0 = x0 * x1;
    for (int i = 0; i < 4; ++i) {
      x1 = c[2] + x0;
      x0 = x0 * x1;
    }
    x0 += c[1];
  }
  std::int64_t biased = static_cast<std::int64_t>(e) + 0x3FF;
  if (biased <= 0) return 0;
  if (biased >= 0x7FF) return kInf;
  return x0 * from_bits(static_cast<std::uint64_t>(biased) << 52);
}

double go_log(double x) {
  constexpr double HSqrt2 = 7.07106781186547524401e-01;
  constexpr double Ln2Hi = 6.93147180369123816490e-01;
  constexpr double Ln2Lo = 1.90821492927058770002e-10;
  constexpr double L1 = 6.666666666666735130e-01;
  constexpr double L2 = 3.999999999940941908e-01;
  constexpr double L3 = 2.857142874366239149e-01;
  constexpr double L4 = 2.222219843214978396e-01;
  constexpr double L5 = 1.818357216161805012e-01;
  constexpr double L6 = 1.531383769920937332e-01;
  constexpr double L7 = 1.479819860511658591e-01;
  std::uint64_t b = bits_of(x);
  if ((b & ~(1ULL << 63)) == 0) return -kInf;
  if (static_cast<std::int64_t>(b) < 0) return from_bits(0x7FF8000000000001ULL);
  if (b >= 0x7FF0000000000000ULL) return x;  // +Inf or NaN
  // Frexp by bit manipulation, as the assembly does it.
  double f1 = from_bits((b & 0x000FFFFFFFFFFFFFULL) | 0x3FE0000000000000ULL);
  double k = static_cast<double>(static_cast<std::int32_t>((b >> 52) & 0x7FF) - 0x3FE);
  // CMPSD's not-less-than: the assembly also adjusts when f1 == Sqrt2/2.
  double adjust = !(HSqrt2 < f1) ? 1.0 : 0.0;
  k -= adjust;
  f1 *= adjust + 1.0;
  double f = f1 - 1.0;
  double s = f / (2.0 + f);
  double s2 = s * s;
  double s4 = s2 * s2;
  double t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
  double t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
  double R = t1 + t2;
  double hfsq = 0.5 * f * f;
  double a = s * (hfsq + R) + k * Ln2Lo;
  double d = (hfsq - a) - f;
  return k * Ln2Hi - d;
}

double go_log2(double x) {
  constexpr double InvLn2 = 0x1.71547652b82fep+0;  // 1/Ln2 as Go's constant, rounded once
  if (x == 0 || std::isnan(x) || std::isinf(x)) {
    // Go's Frexp returns these unchanged with exponent 0.
    return go_log(x);
  }
  int exp = 0;
  double frac = std::frexp(x, &exp);
  // Exact powers of two give exact answers.
  if (frac == 0.5) return exp - 1;
  return go_log(frac) * InvLn2 + exp;
}

double go_log10(double x) {
  constexpr double InvLn10 = 0x1.bcb7b1526e50ep-2;  // 1/Ln10 as Go's constant, rounded once
  return go_log(x) * InvLn10;
}

double go_pow(double x, double y) {
  if (y == 0 || x == 1) return 1;
  if (y == 1) return x;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0) {
    if (y < 0) return std::signbit(x) && is_odd_int(y) ? -kInf : kInf;
    if (y > 0) return std::signbit(x) && is_odd_int(y) ? x : 0;
  }
  if (std::isinf(y)) {
    if (x == -1) return 1;
    if ((std::fabs(x) < 1) == (y > 0)) return 0;
    return kInf;
  }
  if (std::isinf(x)) {
    if (x < 0) return go_pow(1 / x, -y);  // Pow(-0, -y)
    if (y < 0) return 0;
    if (y > 0) return kInf;
  }
  if (y == 0.5) return std::sqrt(x);
  if (y == -0.5) return 1 / std::sqrt(x);

  double yi;
  double yf = std::modf(std::fabs(y), &yi);
  if (yf != 0 && x < 0) return kNaN;
  if (yi >= 9223372036854775808.0) {
    if (x == -1) return 1;
    if ((std::fabs(x) < 1) == (y > 0)) return 0;
    return kInf;
  }
  double a1 = 1.0;
  long ae = 0;
  if (yf != 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = go_exp(yf * go_log(x));
  }
  int xe_int = 0;
  double x1 = std::frexp(x, &xe_int);
  long xe = xe_int;
  for (std::int64_t i = static_cast<std::int64_t>(yi); i != 0; i >>= 1) {
    if (xe < -(1 << 12) || (1 << 12) < xe) {
      // Catastrophic overflow: let ldexp handle it.
      ae += xe;
      break;
    }
    if ((i & 1) == 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  if (ae > 100000) ae = 100000;
  if (ae < -100000) ae = -100000;
  return std::ldexp(a1, static_cast<int>(ae));
}

namespace {

// xatan evaluates a series valid in the range [0, 0.66].
double xatan(double x) {
  constexpr double P0 = -8.750608600031904122785e-01, P1 = -1.615753718733365076637e+01,
                   P2 = -7.500855792314704667340e+01, P3 = -1.228866684490136173410e+02,
                   P4 = -6.485021904942025371773e+01, Q0 = +2.485846490142306297962e+01,
                   Q1 = +1.650270098316988542046e+02, Q2 = +4.328810604912902668951e+02,
                   Q3 = +4.853903996359136964868e+02, Q4 = +1.945506571482613964425e+02;
  double z = x * x;
  z = z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4) / (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
  z = x * z + x;
  return z;
}

// satan reduces its (positive) argument to [0, 0.66] and calls xatan.
double satan(double x) {
  constexpr double Morebits = 6.123233995736765886130e-17;  // pi/2 = PIO2 + Morebits
  constexpr double Tan3pio8 = 2.41421356237309504880;       // tan(3*pi/8)
  constexpr double PiOver2 = kPi / 2, PiOver4 = kPi / 4, HalfMorebits = 0.5 * Morebits;
  if (x <= 0.66) return xatan(x);
  if (x > Tan3pio8) return PiOver2 - xatan(1 / x) + Morebits;
  return PiOver4 + xatan((x - 1) / (x + 1)) + HalfMorebits;
}

constexpr double kSin[] = {1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
                           -1.98412698295895385996e-4, 8.33333333332211858878e-3,  -1.66666666666666307295e-1};
constexpr double kCos[] = {-1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
                           2.48015872888517045348e-5,   -1.38888888888730564116e-3, 4.16666666666665929218e-2};
constexpr double PI4A = 7.85398125648498535156e-1, PI4B = 3.77489470793079817668e-8,
                 PI4C = 2.69515142907905952645e-15;
constexpr double kReduceThreshold = 1 << 29;

// The octant j and the reduced argument z of a positive x below the threshold.
void reduce(double x, std::uint64_t& j, double& z) {
  constexpr double FourOverPi = 4 / kPi;
  j = static_cast<std::uint64_t>(x * FourOverPi);
  double y = static_cast<double>(j);
  if ((j & 1) == 1) {
    j++;
    y++;
  }
  j &= 7;
  z = ((x - y * PI4A) - y * PI4B) - y * PI4C;
}

double sin_poly(double z, double zz) {
  return z + z * zz * ((((((kSin[0] * zz) + kSin[1]) * zz + kSin[2]) * zz + kSin[3]) * zz + kSin[4]) * zz + kSin[5]);
}

double cos_poly(double zz) {
  return 1.0 - 0.5 * zz +
         zz * zz * ((((((kCos[0] * zz) + kCos[1]) * zz + kCos[2]) * zz + kCos[3]) * zz + kCos[4]) * zz + kCos[5]);
}

}  // namespace

double go_atan(double x) {
  if (x == 0) return x;
  if (x > 0) return satan(x);
  return -satan(-x);
}

double go_atan2(double y, double x) {
  if (std::isnan(y) || std::isnan(x)) return kNaN;
  if (y == 0) {
    if (x >= 0 && !std::signbit(x)) return std::copysign(0.0, y);
    return std::copysign(kPi, y);
  }
  if (x == 0) return std::copysign(kPi / 2, y);
  if (std::isinf(x)) {
    if (x > 0) return std::isinf(y) ? std::copysign(kPi / 4, y) : std::copysign(0.0, y);
    return std::isinf(y) ? std::copysign(3 * kPi / 4, y) : std::copysign(kPi, y);
  }
  if (std::isinf(y)) return std::copysign(kPi / 2, y);
  double q = go_atan(y / x);
  if (x < 0) return q <= 0 ? q + kPi : q - kPi;
  return q;
}

double go_sin(double x) {
  if (x == 0 || std::isnan(x)) return x;
  if (std::isinf(x)) return kNaN;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x >= kReduceThreshold) return sign ? -std::sin(x) : std::sin(x);
  std::uint64_t j;
  double z;
  reduce(x, j, z);
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  double zz = z * z;
  double y = (j == 1 || j == 2) ? cos_poly(zz) : sin_poly(z, zz);
  return sign ? -y : y;
}

double go_cos(double x) {
  if (std::isnan(x) || std::isinf(x)) return kNaN;
  bool sign = false;
  x = std::fabs(x);
  if (x >= kReduceThreshold) return std::cos(x);
  std::uint64_t j;
  double z;
  reduce(x, j, z);
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  double zz = z * z;
  double y = (j == 1 || j == 2) ? sin_poly(z, zz) : cos_poly(zz);
  return sign ? -y : y;
}

}  // namespace greenlight::promql
