// The one-line presets: what a reviewer would check by hand on every
// deployment, turned into judgements on responses. Each function returns the
// failures (empty when the target is fine).
#pragma once

#include <string>
#include <vector>

#include "suites/smoke/http_loop.h"

namespace greenlight {

// HSTS (max-age of at least 180 days), a Content-Security-Policy,
// X-Frame-Options DENY/SAMEORIGIN (or CSP frame-ancestors), X-Content-Type-Options
// nosniff, and a Referrer-Policy that does not leak full URLs.
std::vector<std::string> judge_security_headers(const HttpResponse& r);

// Paths that must never be served: secrets, VCS metadata, editor and backup copies.
std::vector<std::string> default_hidden_paths();

// A failure when `r` serves `path`. `not_found` is the answer to a path that
// surely does not exist: a server that answers 200 to everything (a single-page
// app's fallback) is only blamed when the hidden path's answer differs from it.
// The message never quotes the body: it may hold the target's secrets.
// A request that got no answer is a failure too: nothing was proven.
std::string judge_hidden_path(const std::string& path, const HttpResponse& r, const HttpResponse& not_found);

// /health must answer 200 with a JSON object carrying "status"; /ready must
// answer 200, or 503 with a body that says why (which still fails: not ready).
std::vector<std::string> judge_health_contract(const std::string& health_path, const HttpResponse& health,
                                               const std::string& ready_path, const HttpResponse& ready);

}  // namespace greenlight
