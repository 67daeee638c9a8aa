#include "generate/prompt_schedule.h"

#include <cctype>

#include "util/error.h"

namespace artv {
namespace {

[[noreturn]] void fail_at(size_t pos, const std::string &what) {
    throw_invalid("prompt schedule, character " + std::to_string(pos + 1) + ": " + what);
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(const std::string &s) {
    size_t b = 0, e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
}

// A count as typed: optional surrounding blanks, then decimal digits only.
int64_t parse_count(const std::string &raw, size_t pos) {
    std::string t = trim(raw);
    if (t.empty()) fail_at(pos, "missing frame count after ':'");
    if (t[0] == '-') fail_at(pos, "frame count must be positive, got \"" + t + "\"");
    int64_t n = 0;
    for (char c : t) {
        if (c < '0' || c > '9')
            fail_at(pos, "frame count must be a whole number, got \"" + t + "\"");
        n = n * 10 + (c - '0');
        if (n > PromptSchedule::kMaxSegmentFrames)
            fail_at(pos, "frame count \"" + t + "\" is above the maximum of " +
                             std::to_string(PromptSchedule::kMaxSegmentFrames));
    }
    if (n == 0) fail_at(pos, "frame count must be positive, got \"" + t + "\"");
    return n;
}

void check_text_size(const std::string &text, const char *what) {
    if (text.size() > PromptSchedule::kMaxTextBytes)
        throw_invalid(std::string(what) + " is " + std::to_string(text.size()) +
                      " bytes long; at most " + std::to_string(PromptSchedule::kMaxTextBytes) +
                      " are accepted");
}

}  // namespace

PromptSchedule PromptSchedule::single(std::string prompt) {
    check_text_size(prompt, "prompt");
    PromptSchedule s;
    s.segments_.push_back({std::move(prompt), 0});
    return s;
}

PromptSchedule PromptSchedule::parse(const std::string &text) {
    check_text_size(text, "prompt schedule");
    if (trim(text).empty()) throw_invalid("prompt schedule is empty");
    PromptSchedule s;

    // One pass: unescape into the current prompt or count, split on unescaped '|' and ':'.
    std::string prompt, count;
    bool in_count = false;
    size_t segment_pos = 0, count_pos = 0;
    auto finish_segment = [&](size_t end_pos, bool last) {
        std::string p = trim(prompt);
        if (p.empty()) fail_at(segment_pos, "empty prompt in segment " +
                                                std::to_string(s.segments_.size() + 1));
        int64_t frames = 0;
        if (in_count) frames = parse_count(count, count_pos);
        else if (!last)
            fail_at(end_pos, "segment " + std::to_string(s.segments_.size() + 1) +
                                 " needs a frame count (PROMPT:FRAMES); only the last may omit it");
        s.segments_.push_back({std::move(p), frames});
        prompt.clear();
        count.clear();
        in_count = false;
    };

    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\') {
            if (i + 1 >= text.size()) fail_at(i, "'\\' at the end escapes nothing");
            char next = text[i + 1];
            if (next != ':' && next != '|' && next != '\\')
                fail_at(i, std::string("'\\' escapes only ':', '|' and '\\', not '") + next + "'");
            (in_count ? count : prompt) += next;
            ++i;
        } else if (c == '|') {
            finish_segment(i, false);
            segment_pos = i + 1;
        } else if (c == ':') {
            if (in_count)
                fail_at(i, "a second ':' in one segment (write '\\:' for a colon in a prompt)");
            in_count = true;
            count_pos = i + 1;
        } else {
            (in_count ? count : prompt) += c;
        }
    }
    finish_segment(text.size(), true);
    return s;
}

int PromptSchedule::segment_at(int64_t index) const {
    int64_t start = 0;
    for (size_t k = 0; k + 1 < segments_.size(); ++k) {
        start += segments_[k].frames;
        if (index < start) return static_cast<int>(k);
    }
    return static_cast<int>(segments_.size()) - 1;
}

int64_t PromptSchedule::segment_start(int segment) const {
    int64_t start = 0;
    for (int k = 0; k < segment && k < static_cast<int>(segments_.size()); ++k)
        start += segments_[k].frames;
    return start;
}

int64_t PromptSchedule::total_frames() const {
    int64_t total = 0;
    for (const auto &seg : segments_) {
        if (seg.frames == 0) return -1;
        total += seg.frames;
    }
    return total;
}

}  // namespace artv
