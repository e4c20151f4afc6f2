#include "agent/delivery/deliver.hpp"

#include <cstdio>
#include <random>

#include "agent/delivery/gzip.hpp"
#include "agent/delivery/retry_policy.hpp"
#include "agent/exit_codes.hpp"
#include "agent/runtime/log.hpp"

namespace vigia::agent {
namespace {

using Clock = std::chrono::steady_clock;

bool saysDuplicate(const std::string& body) {
  // The server's own answer is {"id": …, "status": "duplicate"}; a proxy's 200 page is not.
  return body.find("\"duplicate\"") != std::string::npos;
}

std::string describe(const PostResult& r) {
  if (r.status == 0) return "no answer (" + r.error + ")";
  std::string body = r.body.substr(0, 200);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "HTTP " + std::to_string(r.status) + " " + body;
}

std::string seconds(std::chrono::milliseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  return text;
}

// One report until it is stored, refused, or the budget or a stop request ends the retries
// (then kind is kRetry).
struct Attempted {
  AnswerKind kind = AnswerKind::kRetry;
  PostResult answer;
  bool stopped = false;
};

Attempted sendWithRetries(HttpClient& client, const std::string& body, const std::string& id,
                          const DeliveryPolicy& policy, const Sleeper& sleep,
                          Clock::time_point& deadline, std::string& last_problem) {
  Backoff backoff(policy.backoff_base, policy.backoff_cap, std::random_device{}());
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const auto attempt_limit = std::max(std::chrono::milliseconds(1000),
                                        std::min<std::chrono::milliseconds>(policy.timeout, left));
    Attempted out;
    out.answer = client.postReport(body, attempt_limit);
    out.kind = classifyAnswer(out.answer.status, saysDuplicate(out.answer.body));
    if (out.kind != AnswerKind::kRetry) {
      if (out.kind != AnswerKind::kAuthRefused) deadline = Clock::now() + policy.timeout;
      return out;
    }
    // As the server says (429/503 Retry-After), else backoff with full jitter.
    const auto wait =
        out.answer.retry_after
            ? std::chrono::duration_cast<std::chrono::milliseconds>(*out.answer.retry_after)
            : backoff.next();
    last_problem = describe(out.answer);
    if (Clock::now() + wait > deadline) {
      logWarning("report " + id + " not delivered: " + last_problem);
      return out;
    }
    logWarning("delivery of report " + id + " failed: " + last_problem + "; retrying in " +
               seconds(wait));
    if (!sleep(wait)) {
      out.stopped = true;
      return out;
    }
  }
}

}  // namespace

DeliverySummary deliverPending(Spool& spool, HttpClient& client, const DeliveryPolicy& policy,
                               const Sleeper& sleep) {
  DeliverySummary summary;
  auto deadline = Clock::now() + policy.timeout;
  for (const SpoolEntry& entry : spool.pending()) {
    if (!sleep(std::chrono::milliseconds(0))) {
      summary.stopped = true;
      break;
    }
    auto data = spool.read(entry);
    if (!data) continue;  // moved aside with a warning
    auto body = gzipCompress(*data);
    if (!body) {
      summary.last_problem = body.error().message;
      break;
    }
    const Attempted done = sendWithRetries(client, *body, entry.report_id, policy, sleep, deadline,
                                           summary.last_problem);
    if (done.kind == AnswerKind::kStored) {
      if (auto st = spool.remove(entry); !st) logWarning(st.error().message);
      ++summary.delivered;
      continue;
    }
    if (done.kind == AnswerKind::kRejected) {
      logError("report " + entry.report_id + " rejected by the server: " + describe(done.answer) +
               "; moved to " + spool.rejectedDir().string());
      if (auto st = spool.reject(entry, done.answer.status, done.answer.body); !st) {
        logError("cannot move it to rejected/: " + st.error().message);
      }
      ++summary.rejected;
      continue;
    }
    if (done.kind == AnswerKind::kAuthRefused) {
      logError("the server refused the token (" + describe(done.answer) +
               "); reports stay in the spool until the token is fixed");
      summary.auth_refused = true;
    }
    summary.stopped = done.stopped;
    break;  // out of budget, stopped, or refused: the rest waits for the next run
  }
  summary.pending = spool.pending().size();
  return summary;
}

DeliverySummary deliverUnspooled(HttpClient& client, std::string_view report_json,
                                 const std::string& report_id, const DeliveryPolicy& policy,
                                 const Sleeper& sleep) {
  DeliverySummary summary;
  summary.pending = 1;
  auto body = gzipCompress(report_json);
  if (!body) return summary;
  auto deadline = Clock::now() + policy.timeout;
  const Attempted done =
      sendWithRetries(client, *body, report_id, policy, sleep, deadline, summary.last_problem);
  summary.stopped = done.stopped;
  if (done.kind == AnswerKind::kStored) {
    summary.delivered = 1;
    summary.pending = 0;
  } else if (done.kind == AnswerKind::kRejected) {
    logError("report " + report_id + " rejected by the server: " + describe(done.answer));
    summary.rejected = 1;
    summary.pending = 0;
  } else if (done.kind == AnswerKind::kAuthRefused) {
    logError("the server refused the token (" + describe(done.answer) + ")");
    summary.auth_refused = true;
  }
  return summary;
}

int exitCodeFor(const DeliverySummary& summary) {
  if (summary.auth_refused) return kExitAuthRefused;
  if (summary.rejected > 0) return kExitRejected;
  if (summary.pending > 0) return kExitNotDelivered;
  return kExitOk;
}

}  // namespace vigia::agent
