// Micro-benchmarks of the server's per-report CPU work on a realistic 300-process report
// (bench/make_report_template.py output): where ingest spends its time.
//   cmake --build --preset release --target vigia_parse_bench
//   build/release/bench/vigia_parse_bench /tmp/report.json

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "common/report_json.hpp"
#include "common/validate.hpp"
#include "server/storage/document_codec.hpp"
#include "server/storage/runs/run_ledger.hpp"
#include "server/storage/sinks/csv_rows.hpp"
#include "server/storage/sinks/jsonl_line.hpp"

namespace {

std::string g_body;

// For comparison: nlohmann/json's DOM parse alone, what the validator used before simdjson.
void BM_NlohmannPlainParse(benchmark::State& state) {
  for (auto _ : state) {
    auto doc = vigia::common::Json::parse(g_body);
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g_body.size()));
}

void BM_ParseAndValidate(benchmark::State& state) {
  for (auto _ : state) {
    auto r = vigia::common::parseAndValidate(g_body);
    if (!r) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * g_body.size()));
}

void BM_CsvRows(benchmark::State& state) {
  const auto r = vigia::common::parseAndValidate(g_body);
  for (auto _ : state) {
    std::string out;
    vigia::server::appendCsvRows(r->report, true, out);
    benchmark::DoNotOptimize(out);
  }
}

void BM_JsonlLine(benchmark::State& state) {
  for (auto _ : state) {
    auto line = vigia::server::makeJsonlLine(g_body, vigia::common::nowUtc(), "10.0.0.1");
    benchmark::DoNotOptimize(line);
  }
}

void BM_CompressDocument(benchmark::State& state) {
  std::size_t compressed = 0;
  for (auto _ : state) {
    auto z = vigia::server::compressDocument(g_body);
    compressed = z.size();
    benchmark::DoNotOptimize(z);
  }
  state.counters["ratio"] = static_cast<double>(g_body.size()) / static_cast<double>(compressed);
}

// The run keys of a report's processes (hashing and sorting), worked out on the I/O threads.
void BM_RunKeys(benchmark::State& state) {
  const auto r = vigia::common::parseAndValidate(g_body);
  vigia::server::RunLedger<vigia::common::Process> ledger;
  for (auto _ : state) {
    auto keys = ledger.keysOf(r->report.processes);
    benchmark::DoNotOptimize(keys);
  }
}

BENCHMARK(BM_NlohmannPlainParse)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ParseAndValidate)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CsvRows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_JsonlLine)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CompressDocument)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RunKeys)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s REPORT.json [benchmark flags]\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  g_body = ss.str();
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
