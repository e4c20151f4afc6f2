#pragma once

// Brings every day file back to what the database says it holds (docs/storage.md,
// "Recovery"): a file longer than its recorded size is cut back to it, a file missing or
// shorter is rebuilt from the stored documents, a file the checkpoint does not know is removed.
// Runs on the writer thread (or before it starts): it alone touches the files.

#include <span>
#include <string>

#include "common/result.hpp"
#include "server/storage/database.hpp"
#include "server/storage/report_writer.hpp"

namespace vigia::server {

common::Status recoverDayFiles(WriteSession& db, std::span<SinkFiles> sinks);

// Writes `relative` anew from the database and records its new size.
common::Status rebuildDayFile(WriteSession& db, SinkFiles& sink, const std::string& relative);

}  // namespace vigia::server
