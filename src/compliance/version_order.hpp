#pragma once

// Natural version order for os.version_id and os.kernel (docs/compliance.md, "require_os"):
// runs of digits compare as numbers, runs of letters as text (ASCII case ignored), and the
// separators between them (".", "-", "+", "~", "_") only split runs. So "9" < "12",
// "22.04" < "22.10", "22.04" == "22.4", "6.1.0-13-amd64" > "6.1.0-9-amd64". Where a run of
// letters meets a run of digits, the letters sort first ("1.0rc1" < "1.0.1").

#include <string_view>

namespace vigia::compliance {

// <0, 0 or >0 as a sorts before, with or after b. A total order; no allocation.
int compareVersions(std::string_view a, std::string_view b);

// A bound admits every version it is a prefix of, run by run: min_version = "6.1" and
// max_version = "6.1" both admit "6.1.0-13-amd64", and max_version = "12" admits "12.5". A
// rule author writes the precision they mean; a longer version is not "above" it.
bool versionAtLeast(std::string_view version, std::string_view min);
bool versionAtMost(std::string_view version, std::string_view max);

}  // namespace vigia::compliance
