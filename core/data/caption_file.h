// Lists of files with captions, as the data layer reads them: a captions file for real
// footage (CSV or JSON lines: path, caption, optional start/end seconds) and the plain line
// reading shared with the photo list. Bad lines are collected as "file:line: problem" so that
// the caller can report and skip them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace artv {

// The lines of a text file that carry data: blank lines and lines starting with '#' are left
// out; each comes with its 1-based line number. ARTV_ERR_IO naming the file when it cannot
// be read.
std::vector<std::pair<int, std::string>> read_data_lines(const std::string &path);

// `p` as given when absolute, else relative to the directory of `list_path`.
std::string resolve_relative(const std::string &list_path, const std::string &p);

struct CaptionRecord {
    std::string path;     // resolved (see resolve_relative)
    std::string caption;
    double start = 0;     // seconds
    double end = -1;      // seconds, < 0 = to the end
    int line = 0;         // in the captions file
};

struct CaptionFile {
    std::vector<CaptionRecord> records;
    std::vector<std::string> problems;  // "captions.csv:7: caption is empty", one per bad line
};

// Reads a captions file. Its format comes from its first data line: '{' → JSON lines
// ({"path": ..., "caption": ..., "start": s, "end": e}), else CSV (path,caption[,start[,end]],
// RFC 4180 quoting, an optional header line "path,caption,..."). A bad line (unparsable,
// missing path or caption, bad or inverted times) goes to `problems` and is skipped.
CaptionFile read_caption_file(const std::string &path);

}  // namespace artv
