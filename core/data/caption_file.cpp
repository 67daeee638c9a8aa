#include "data/caption_file.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace artv {

std::vector<std::pair<int, std::string>> read_data_lines(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw_io(path + ": cannot open: " + std::strerror(errno));
    std::vector<std::pair<int, std::string>> lines;
    std::string text;
    int number = 0;
    while (std::getline(in, text)) {
        ++number;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        size_t first = text.find_first_not_of(" \t");
        if (first == std::string::npos || text[first] == '#') continue;
        lines.emplace_back(number, text);
    }
    if (in.bad()) throw_io(path + ": read error");
    return lines;
}

std::string resolve_relative(const std::string &list_path, const std::string &p) {
    if (p.empty() || p[0] == '/') return p;
    size_t slash = list_path.rfind('/');
    return slash == std::string::npos ? p : list_path.substr(0, slash + 1) + p;
}

namespace {

// Splits one CSV line (RFC 4180 quotes: "a, b" and "" for a quote). False on an unterminated
// quote.
bool split_csv(const std::string &line, std::vector<std::string> *fields) {
    fields->assign(1, "");
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields->back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields->back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields->emplace_back();
        } else {
            fields->back() += c;
        }
    }
    for (std::string &f : *fields) {
        size_t a = f.find_first_not_of(" \t"), b = f.find_last_not_of(" \t");
        f = a == std::string::npos ? std::string() : f.substr(a, b - a + 1);
    }
    return !quoted;
}

bool parse_seconds(const std::string &s, double *out) {
    if (s.empty()) return false;
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
    *out = v;
    return true;
}

// Fills `r` from a JSON object line; returns "" or the problem.
std::string parse_json_record(const std::string &text, CaptionRecord *r) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &e) { // parse_error, or out_of_range (1e999)
        return std::string("not valid JSON (") + e.what() + ")";
    }
    if (!j.is_object()) return "expected a JSON object {\"path\": ..., \"caption\": ...}";
    if (!j.contains("path") || !j["path"].is_string()) return "missing \"path\" (a string)";
    if (!j.contains("caption") || !j["caption"].is_string()) return "missing \"caption\" (a string)";
    r->path = j["path"].get<std::string>();
    r->caption = j["caption"].get<std::string>();
    for (const char *key : {"start", "end"}) {
        if (!j.contains(key) || j[key].is_null()) continue;
        if (!j[key].is_number()) return std::string("\"") + key + "\" must be a number of seconds";
        (std::strcmp(key, "start") == 0 ? r->start : r->end) = j[key].get<double>();
    }
    return "";
}

std::string parse_csv_record(const std::string &text, CaptionRecord *r) {
    std::vector<std::string> f;
    if (!split_csv(text, &f)) return "unterminated quote";
    if (f.size() < 2 || f.size() > 4)
        return "expected path,caption[,start[,end]], got " + std::to_string(f.size()) + " fields";
    r->path = f[0];
    r->caption = f[1];
    if (f.size() > 2 && !f[2].empty() && !parse_seconds(f[2], &r->start))
        return "start '" + f[2] + "' is not a number of seconds";
    if (f.size() > 3 && !f[3].empty() && !parse_seconds(f[3], &r->end))
        return "end '" + f[3] + "' is not a number of seconds";
    return "";
}

}  // namespace

CaptionFile read_caption_file(const std::string &path) {
    CaptionFile out;
    auto lines = read_data_lines(path);
    if (lines.empty()) return out;
    bool json = lines.front().second.find_first_not_of(" \t") != std::string::npos &&
                lines.front().second[lines.front().second.find_first_not_of(" \t")] == '{';
    for (size_t i = 0; i < lines.size(); ++i) {
        const auto &[number, text] = lines[i];
        if (!json && i == 0 && text.rfind("path,caption", 0) == 0) continue;  // CSV header
        CaptionRecord r;
        r.line = number;
        std::string problem = json ? parse_json_record(text, &r) : parse_csv_record(text, &r);
        if (problem.empty() && r.path.empty()) problem = "path is empty";
        if (problem.empty() && r.caption.find_first_not_of(" \t") == std::string::npos)
            problem = "caption is empty";
        if (problem.empty() && r.start < 0) problem = "start must be >= 0 seconds";
        if (problem.empty() && r.end >= 0 && r.end <= r.start)
            problem = "end (" + std::to_string(r.end) + ") is not after start (" + std::to_string(r.start) + ")";
        if (!problem.empty()) {
            out.problems.push_back(path + ":" + std::to_string(number) + ": " + problem);
            continue;
        }
        r.path = resolve_relative(path, r.path);
        out.records.push_back(std::move(r));
    }
    return out;
}

}  // namespace artv
