#pragma once

// How long an undelivered webhook event waits before its next attempt (docs/compliance.md: retried
// with backoff until the receiver answers 2xx). From 1 s, doubling with each failed attempt, to at
// most 5 min, so that a receiver back from an outage hears from vigia within minutes; with
// equal jitter (half to all of that), so the events of many hosts failing together spread out
// and no retry ever follows its failure at once.

#include <chrono>
#include <random>

namespace vigia::server {

inline constexpr std::chrono::milliseconds kWebhookFirstRetry{1'000};
inline constexpr std::chrono::milliseconds kWebhookMaxRetry{300'000};

// `attempts`: how many attempts have failed so far (1 after the first); a count below 1 is
// taken as 1. The first form draws from a generator of the calling thread's own.
std::chrono::milliseconds webhookRetryDelay(int attempts);
std::chrono::milliseconds webhookRetryDelay(int attempts, std::mt19937_64& rng);

}  // namespace vigia::server
