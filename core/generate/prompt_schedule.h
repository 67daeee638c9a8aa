// A prompt schedule: segments of (prompt, frame count) for multi-prompt long videos
// (DESIGN.md "Generation modes"). Text form, as typed on command lines and filter options:
//
//   PROMPT:FRAMES|PROMPT:FRAMES|...     e.g.  "a red ball rolls left:48|the ball stops:24"
//
// '\' escapes ':' '|' and '\' inside prompts. Only the last segment may omit its count; a bare
// "PROMPT" is one segment for ever. The last prompt holds after its count runs out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace artv {

class PromptSchedule {
public:
    struct Segment {
        std::string prompt;
        int64_t frames;  // > 0, or 0 for "no count" (only the last segment)
    };

    // Frame counts above this are rejected as typos (~4.6 days at 25 fps).
    static constexpr int64_t kMaxSegmentFrames = 10'000'000;
    // Longer prompts or schedule texts are refused: the tokenizer segments the whole text before
    // cutting it to the model's context, so an unbounded prompt costs unbounded time and memory.
    static constexpr size_t kMaxTextBytes = 64 * 1024;

    // One prompt for every frame; "" is the unconditional text. Over kMaxTextBytes: throws
    // artv::Error(ARTV_ERR_INVALID_ARGUMENT).
    static PromptSchedule single(std::string prompt);
    // Throws artv::Error(ARTV_ERR_INVALID_ARGUMENT) naming the 1-based character position of
    // the problem: a text over kMaxTextBytes, empty schedule, empty prompt, bad count (non-numeric, zero, negative,
    // above kMaxSegmentFrames), a second unescaped ':', a dangling '\', a missing count
    // before a later segment.
    static PromptSchedule parse(const std::string &text);

    const std::vector<Segment> &segments() const { return segments_; }
    // The segment that generated frame `index` (0-based, counting generated frames only)
    // belongs to; frames past the end belong to the last segment.
    int segment_at(int64_t index) const;
    // Index of the first generated frame of a segment.
    int64_t segment_start(int segment) const;
    // Sum of all counts, or -1 when the last segment has no count (open-ended).
    int64_t total_frames() const;

private:
    std::vector<Segment> segments_;
};

}  // namespace artv
