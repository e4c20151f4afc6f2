#pragma once

// Per-source rate limit: one token bucket per client address; loopback clients are never
// limited (docs/api.md). A source may send `burst`
// requests at once, then `requests_per_second` on average. The table of buckets is bounded:
// buckets that have refilled completely carry no information and are dropped first; when the
// table is full of live ones, the least recently seen goes (it merely starts again with a full
// bucket), so a flood of addresses costs bounded memory and locks nobody out.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigia::server {

struct RateLimitOptions {
  double requests_per_second = 50;  // 0: no limit
  double burst = 200;
  std::size_t max_sources = 65536;
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Clock = std::function<TimePoint()>;

  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: ≥ 1, until one request would pass
  };

  explicit RateLimiter(RateLimitOptions options, Clock clock = &std::chrono::steady_clock::now);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  bool enabled() const { return options_.requests_per_second > 0; }

  // Takes one request from `source`'s bucket. Thread-safe.
  Decision acquire(std::string_view source);

  // Buckets held now (for tests and the curious).
  std::size_t sources() const;

 private:
  struct Bucket {
    std::string key;
    double tokens;
    TimePoint last;
  };
  struct Shard {
    std::mutex mutex;
    std::list<Bucket> recent;  // most recently seen first
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;
  };

  double refilled(const Bucket& b, TimePoint now) const;

  RateLimitOptions options_;
  Clock clock_;
  std::size_t shard_count_;
  std::size_t shard_capacity_;
  std::unique_ptr<Shard[]> shards_;
};

// The bucket a peer address falls in: an IPv4 address, or the /64 of an IPv6 one (a single
// IPv6 host usually holds a whole /64). Anything else is used as it is.
std::string rateLimitKey(std::string_view peer_ip);

}  // namespace vigia::server
