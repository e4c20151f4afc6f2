#pragma once

// What agent end-to-end tests look at: the reports a server stored (from its database), the
// reports waiting in an agent's spool, and a port nobody listens on.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigia::test {

// A loopback port bound and released at once: "the server is down".
unsigned short unusedPort();

// Report ids in the order the server at `data_dir` stored them (empty if there is no database).
std::vector<std::string> storedIds(const std::filesystem::path& data_dir);

// Report ids waiting in the spool, oldest first (the agent's file names sort that way).
std::vector<std::string> spooledIds(const std::filesystem::path& spool);

// Puts a report into the spool named the way the agent names them, as if an earlier run had;
// returns its report id.
std::string spoolReport(const std::filesystem::path& spool, int order,
                        const nlohmann::json& report);

std::string slurp(const std::filesystem::path& file);

}  // namespace vigia::test
