#include "histogram.h"

namespace iocpm {

int LatencyHistogram::bucketOf(uint64_t ns) {
  if (ns < uint64_t(kSub)) return static_cast<int>(ns);
  int msb = 63 - __builtin_clzll(ns);        // ns >= kSub so msb >= kSubBits
  int mag = msb - kSubBits + 1;              // 1.. : which power-of-two band
  int sub = static_cast<int>((ns >> (msb - kSubBits)) & (kSub - 1));  // top bits below msb
  int b = mag * kSub + sub;
  return b < kBuckets ? b : kBuckets - 1;
}

uint64_t LatencyHistogram::bucketUpper(int b) {
  if (b < kSub) return static_cast<uint64_t>(b);
  int mag = b / kSub;
  int sub = b % kSub;
  int shift = mag - 1;
  // Values in this bucket: ((kSub + sub) << shift) .. (((kSub + sub + 1) << shift) - 1)
  return ((uint64_t(kSub + sub + 1)) << shift) - 1;
}

void LatencyHistogram::record(uint64_t ns) {
  auto& c = counts_[bucketOf(ns)];
  c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  if (ns > max_.load(std::memory_order_relaxed)) max_.store(ns, std::memory_order_relaxed);
}

void LatencyHistogram::addTo(uint64_t* into, uint64_t* maxOut) const {
  for (int i = 0; i < kBuckets; ++i) into[i] += counts_[i].load(std::memory_order_relaxed);
  uint64_t m = max_.load(std::memory_order_relaxed);
  if (m > *maxOut) *maxOut = m;
}

uint64_t LatencyHistogram::percentile(const uint64_t* counts, uint64_t total, double p) {
  if (total == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(p / 100.0 * static_cast<double>(total) + 0.5);
  if (rank < 1) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) return bucketUpper(i);
  }
  return bucketUpper(kBuckets - 1);
}

}  // namespace iocpm
