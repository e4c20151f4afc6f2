#pragma once

// Drains the spool: oldest report first, one at a time, each until the server stores it,
// refuses it for good, refuses the token, or the retry budget runs out.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "agent/delivery/http_client.hpp"
#include "agent/delivery/spool.hpp"

namespace vigia::agent {

struct DeliveryPolicy {
  // Each attempt's limit, and also how long the loop keeps retrying without progress: a
  // delivered or rejected report restarts the budget, so a long backlog drains.
  std::chrono::seconds timeout{30};
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30'000};
};

// Sleeps up to `duration`; returns false when the agent was asked to stop meanwhile (it then
// stops retrying, but a request already under way is finished first).
using Sleeper = std::function<bool(std::chrono::milliseconds duration)>;

struct DeliverySummary {
  int delivered = 0;  // 201 or 200 duplicate
  int rejected = 0;   // moved to rejected/
  bool auth_refused = false;
  bool stopped = false;      // a stop request cut the retries short
  std::size_t pending = 0;   // still in the spool afterwards
  std::string last_problem;  // why something is still pending, for the log
};

DeliverySummary deliverPending(Spool& spool, HttpClient& client, const DeliveryPolicy& policy,
                               const Sleeper& sleep);

// When the spool cannot be written (disk full, read-only): one report straight from memory, with
// the same retries, so it is not lost if the server is there.
DeliverySummary deliverUnspooled(HttpClient& client, std::string_view report_json,
                                 const std::string& report_id, const DeliveryPolicy& policy,
                                 const Sleeper& sleep);

// docs/cli.md exit status of `send`: 5 token refused, else 4 a report rejected, else 3 reports
// left pending, else 0.
int exitCodeFor(const DeliverySummary& summary);

}  // namespace vigia::agent
