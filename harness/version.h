// The version printed by --version and recorded in every report.
#pragma once
namespace greenlight {
inline constexpr const char* kVersion = "0.1.0";
}
