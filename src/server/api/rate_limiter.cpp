#include "server/api/rate_limiter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>

#include "common/identifiers.hpp"

namespace vigia::server {

RateLimiter::RateLimiter(RateLimitOptions options, Clock clock)
    : options_(options),
      clock_(std::move(clock)),
      // Shards keep the I/O threads from queueing on one mutex; a small table (tests) is one
      // shard so its capacity is exact.
      shard_count_(std::clamp<std::size_t>(options_.max_sources / 1024, 1, 16)),
      shard_capacity_(std::max<std::size_t>(1, options_.max_sources / shard_count_)),
      shards_(std::make_unique<Shard[]>(shard_count_)) {}

RateLimiter::~RateLimiter() = default;

double RateLimiter::refilled(const Bucket& b, TimePoint now) const {
  const std::chrono::duration<double> elapsed = now - b.last;
  return std::min(options_.burst,
                  b.tokens + std::max(0.0, elapsed.count()) * options_.requests_per_second);
}

RateLimiter::Decision RateLimiter::acquire(std::string_view source) {
  // On the server's own host, a loopback client is a local relay, a reverse proxy or an
  // operator (docs/api.md): limiting it would throttle everyone behind it as one source.
  if (!enabled() || common::isLoopbackAddress(std::string(source))) return {};
  const std::string key = rateLimitKey(source);
  const TimePoint now = clock_();
  Shard& shard = shards_[std::hash<std::string>{}(key) % shard_count_];
  std::lock_guard lock(shard.mutex);

  Bucket* bucket = nullptr;
  if (auto found = shard.index.find(key); found != shard.index.end()) {
    shard.recent.splice(shard.recent.begin(), shard.recent, found->second);
    bucket = &*found->second;
  } else {
    // A full bucket is what a new source starts with, so forgetting one loses nothing: drop
    // those at the old end now, and all of them once the table is full. Only when every
    // bucket is in use does the least recently seen go.
    auto forget = [&](std::list<Bucket>::iterator it) {
      shard.index.erase(it->key);
      return shard.recent.erase(it);
    };
    while (!shard.recent.empty() && refilled(shard.recent.back(), now) >= options_.burst) {
      forget(std::prev(shard.recent.end()));
    }
    if (shard.index.size() >= shard_capacity_) {
      for (auto it = shard.recent.begin(); it != shard.recent.end();) {
        it = refilled(*it, now) >= options_.burst ? forget(it) : std::next(it);
      }
    }
    if (shard.index.size() >= shard_capacity_) forget(std::prev(shard.recent.end()));
    shard.recent.push_front(Bucket{key, options_.burst, now});
    shard.index.emplace(shard.recent.front().key, shard.recent.begin());
    bucket = &shard.recent.front();
  }

  bucket->tokens = refilled(*bucket, now);
  bucket->last = std::max(bucket->last, now);
  if (bucket->tokens >= 1) {
    bucket->tokens -= 1;
    return {};
  }
  // Capped so that an absurdly low rate cannot overflow the conversion below.
  const double wait = std::min(86400.0, (1 - bucket->tokens) / options_.requests_per_second);
  Decision refused;
  refused.allowed = false;
  refused.retry_after =
      std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait))));
  return refused;
}

std::size_t RateLimiter::sources() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].index.size();
  }
  return total;
}

std::string rateLimitKey(std::string_view peer_ip) {
  const std::string text(peer_ip);
  in6_addr v6{};
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
    return text;
  }
  std::memset(&v6.s6_addr[8], 0, 8);
  char buf[INET6_ADDRSTRLEN];
  return std::string(inet_ntop(AF_INET6, &v6, buf, sizeof buf)) + "/64";
}

}  // namespace vigia::server
