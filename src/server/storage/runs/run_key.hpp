#pragma once

// The identity of a run's entry as 64 bits: what the ledger keeps in memory per open run
// instead of the entry's text. XXH3 with a seed drawn at start: an agent, which sees neither
// the seed nor any key, cannot make two of its processes collide on purpose; by chance, two
// distinct entries of one host collide with odds of about 1 in 10^14 per report.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/report.hpp"
#include "server/storage/compliance/verdict_entry.hpp"

namespace vigia::server {

using RunKey = std::uint64_t;

class RunKeyHasher {
 public:
  RunKeyHasher();  // a random seed

  // Over every identity field of docs/storage.md (absent and empty told apart); volatile values
  // (state, rss_bytes, cpu_seconds) are not part of it.
  RunKey operator()(const common::Process& p) const;
  RunKey operator()(const common::Session& s) const;
  // A verdict's run is its rule's stretch of one status: evidence and waiver are not part of it.
  RunKey operator()(const VerdictEntry& v) const;
  // The key of the copy-th identical entry of one report (copy 0: `key` itself).
  RunKey withCopy(RunKey key, int copy) const;

 private:
  RunKey hash(std::string_view bytes) const;

  std::uint64_t seed_;
};

}  // namespace vigia::server
