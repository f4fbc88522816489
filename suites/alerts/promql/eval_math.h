// Go's math functions as Prometheus (a Go program, amd64) computes them:
// Exp and Log as Go's amd64 assembly does (Exp takes its FMA path when the
// CPU has FMA and AVX2, as Go decides at run time), Log2, Log10, Pow, Atan,
// Atan2, Sin and Cos as Go's portable code does. PromQL results must round
// exactly as Prometheus' do, and the C library rounds some differently.
#pragma once

namespace greenlight::promql {

double go_exp(double x);
double go_log(double x);
double go_log2(double x);
double go_log10(double x);
double go_pow(double x, double y);
double go_atan(double x);
double go_atan2(double y, double x);
double go_sin(double x);
double go_cos(double x);

}  // namespace greenlight::promql
