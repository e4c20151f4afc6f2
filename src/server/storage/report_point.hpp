#pragma once

#include <cstdint>
#include <string>

namespace vigia::server {

// Where a report sits in its host's history: reports are ordered by collected_at, and two
// reports of one host collected at the same instant by report_id, so the order never depends
// on arrival.
struct ReportPoint {
  std::int64_t report_id = 0;  // reports.id
  std::int64_t collected_us = 0;
  std::string uuid;

  friend bool operator<(const ReportPoint& a, const ReportPoint& b) {
    return a.collected_us != b.collected_us ? a.collected_us < b.collected_us : a.uuid < b.uuid;
  }
  friend bool operator==(const ReportPoint& a, const ReportPoint& b) {
    return a.report_id == b.report_id;
  }
};

}  // namespace vigia::server
