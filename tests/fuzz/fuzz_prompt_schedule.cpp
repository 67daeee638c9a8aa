// libFuzzer target: the text form of a prompt schedule (core/generate/prompt_schedule.h). What
// parse accepts must have valid segments, consistent segment lookups, and survive being written
// back with escapes and parsed again.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "generate/prompt_schedule.h"

namespace {

// The schedule in its text form: '\' before ':', '|' and '\' inside prompts.
std::string to_text(const artv::PromptSchedule &s) {
    std::string out;
    for (const auto &seg : s.segments()) {
        if (!out.empty()) out += '|';
        for (char ch : seg.prompt) {
            if (ch == ':' || ch == '|' || ch == '\\') out += '\\';
            out += ch;
        }
        if (seg.frames > 0) out += ":" + std::to_string(seg.frames);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using artv::PromptSchedule;
    const std::string text(reinterpret_cast<const char *>(data), size);
    PromptSchedule s;
    if (!artv::fuzz::accepts([&] { s = PromptSchedule::parse(text); })) return 0;

    const auto &segs = s.segments();
    ARTV_FUZZ_REQUIRE(!segs.empty());
    int64_t start = 0;
    for (size_t k = 0; k < segs.size(); ++k) {
        const bool last = k + 1 == segs.size();
        ARTV_FUZZ_REQUIRE(!segs[k].prompt.empty());
        ARTV_FUZZ_REQUIRE((segs[k].frames > 0 && segs[k].frames <= PromptSchedule::kMaxSegmentFrames) ||
                          (last && segs[k].frames == 0));
        ARTV_FUZZ_REQUIRE(s.segment_start(static_cast<int>(k)) == start);
        if (segs[k].frames > 0) {
            ARTV_FUZZ_REQUIRE(s.segment_at(start) == static_cast<int>(k));
            ARTV_FUZZ_REQUIRE(s.segment_at(start + segs[k].frames - 1) == static_cast<int>(k));
        }
        start += segs[k].frames;
    }
    ARTV_FUZZ_REQUIRE(s.segment_at(start) == static_cast<int>(segs.size()) - 1);
    ARTV_FUZZ_REQUIRE(s.total_frames() == (segs.back().frames == 0 ? -1 : start));

    // Outside accepts(): a written-back schedule that fails to parse is a finding.
    const PromptSchedule again = PromptSchedule::parse(to_text(s));
    ARTV_FUZZ_REQUIRE(again.segments().size() == segs.size());
    for (size_t k = 0; k < segs.size(); ++k) {
        ARTV_FUZZ_REQUIRE(again.segments()[k].prompt == segs[k].prompt);
        ARTV_FUZZ_REQUIRE(again.segments()[k].frames == segs[k].frames);
    }
    return 0;
}
