// `artv eval`'s report on disk: the JSON of run_eval() (eval_suite.h) and a markdown rendering
// of its summary — one table per suite, the modes as columns — for docs/.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace artv {

// The markdown tables of a report (per-clip details are left to the JSON).
std::string report_markdown(const nlohmann::ordered_json &report);

// Writes the JSON to json_path and the markdown next to it (the same path with ".md" for its
// extension, or with ".md" appended). Returns the markdown's path. ARTV_ERR_IO on failure.
std::string write_report(const nlohmann::ordered_json &report, const std::string &json_path);

}  // namespace artv
