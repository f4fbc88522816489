// Picks which endpoint the next request goes to: smooth weighted round robin
// (nginx's upstream algorithm). Deterministic and evenly spread: weights 3:1
// give A A B A, A A B A, ... rather than random runs, so short runs and tests
// see exactly the configured mix.
//
// One instance per worker thread (it has state); no allocation after construction.
#pragma once

#include <cstddef>
#include <vector>

namespace greenlight {

class EndpointMix {
 public:
  // REQUIRES: weights non-empty, each > 0.
  explicit EndpointMix(std::vector<double> weights) : weights_(std::move(weights)), current_(weights_.size(), 0.0) {
    for (double w : weights_) total_ += w;
  }

  size_t next() {
    if (weights_.size() == 1) return 0;
    size_t best = 0;
    for (size_t i = 0; i < weights_.size(); ++i) {
      current_[i] += weights_[i];
      if (current_[i] > current_[best]) best = i;
    }
    current_[best] -= total_;
    return best;
  }

 private:
  std::vector<double> weights_;
  std::vector<double> current_;
  double total_ = 0;
};

}  // namespace greenlight
