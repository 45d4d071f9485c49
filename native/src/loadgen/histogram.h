// Latency histogram in the HdrHistogram style: log-linear buckets with 64 sub-buckets per power
// of two (~1.6 % relative precision) from 1 ns to ~2^40 ns. Fixed memory, O(1) record, mergeable.
// Each generator thread owns one (single writer, relaxed atomics) so snapshots need no lock.
#pragma once
#include <atomic>
#include <cstdint>

namespace iocpm {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 6;
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMagnitudes = 40;
  static constexpr int kBuckets = kMagnitudes * kSub;

  void record(uint64_t ns);
  // Adds this histogram's counts into `into` (plain array of kBuckets).
  void addTo(uint64_t* into, uint64_t* maxOut) const;

  static int bucketOf(uint64_t ns);
  static uint64_t bucketUpper(int bucket);  // highest value that maps to the bucket
  // Percentile (0..100) from merged counts.
  static uint64_t percentile(const uint64_t* counts, uint64_t total, double p);

 private:
  std::atomic<uint64_t> counts_[kBuckets] = {};
  std::atomic<uint64_t> max_{0};
};

}  // namespace iocpm
