#pragma once

// Runs the collectors and assembles one report. A collector that fails leaves a warning and
// safe defaults for the required fields, so a report is always produced.

#include <string>
#include <vector>

#include "agent/collectors/collector.hpp"
#include "common/report.hpp"

namespace vigia::agent {

struct CollectOutcome {
  common::Report report;
  std::vector<std::string> warnings;  // "<collector>: <message>"
};

CollectOutcome collectReport(const CollectContext& context);

}  // namespace vigia::agent
