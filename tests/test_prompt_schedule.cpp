// Prompt schedules (core/generate/prompt_schedule.cpp): the text form, escapes, segment lookup,
// and every malformed case rejected with ARTV_ERR_INVALID_ARGUMENT and the position.
#include <check.h>

#include <string>

#include "generate/prompt_schedule.h"
#include "testutil.h"
#include "util/error.h"

using artv::PromptSchedule;

// Parses text that must fail; returns the message, checks the status.
static std::string parse_error(const std::string &text) {
    try {
        PromptSchedule::parse(text);
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
        return e.what();
    }
    ck_abort_msg("\"%s\" parsed but should have failed", text.c_str());
    return "";
}

static bool contains(const std::string &s, const std::string &part) {
    return s.find(part) != std::string::npos;
}

START_TEST(test_two_segments) {
    auto s = PromptSchedule::parse("a red ball rolls left:3|the ball stops:2");
    ck_assert_int_eq(s.segments().size(), 2);
    ck_assert_str_eq(s.segments()[0].prompt.c_str(), "a red ball rolls left");
    ck_assert_int_eq(s.segments()[0].frames, 3);
    ck_assert_str_eq(s.segments()[1].prompt.c_str(), "the ball stops");
    ck_assert_int_eq(s.segments()[1].frames, 2);
    ck_assert_int_eq(s.total_frames(), 5);
    // Frames 0-2 in segment 0, 3-4 in 1, later ones stay in the last segment.
    const int expect[] = {0, 0, 0, 1, 1, 1, 1};
    for (int i = 0; i < 7; ++i) ck_assert_int_eq(s.segment_at(i), expect[i]);
    ck_assert_int_eq(s.segment_start(0), 0);
    ck_assert_int_eq(s.segment_start(1), 3);
}
END_TEST

START_TEST(test_bare_prompt_and_open_end) {
    auto s = PromptSchedule::parse("  a cockatoo turns its head  ");
    ck_assert_int_eq(s.segments().size(), 1);
    ck_assert_str_eq(s.segments()[0].prompt.c_str(), "a cockatoo turns its head");
    ck_assert_int_eq(s.segments()[0].frames, 0);
    ck_assert_int_eq(s.total_frames(), -1);
    ck_assert_int_eq(s.segment_at(123456), 0);

    auto t = PromptSchedule::parse("first:2|then forever");
    ck_assert_int_eq(t.total_frames(), -1);
    ck_assert_int_eq(t.segment_at(1), 0);
    ck_assert_int_eq(t.segment_at(2), 1);
    ck_assert_int_eq(t.segment_at(1000), 1);

    auto u = PromptSchedule::parse("a: 10 ");  // blanks around the count are fine
    ck_assert_int_eq(u.segments()[0].frames, 10);
}
END_TEST

START_TEST(test_escapes) {
    auto s = PromptSchedule::parse("time\\: 10\\|11 am \\\\ noon:4|b\\:c");
    ck_assert_int_eq(s.segments().size(), 2);
    ck_assert_str_eq(s.segments()[0].prompt.c_str(), "time: 10|11 am \\ noon");
    ck_assert_int_eq(s.segments()[0].frames, 4);
    ck_assert_str_eq(s.segments()[1].prompt.c_str(), "b:c");
    ck_assert_int_eq(s.segments()[1].frames, 0);
}
END_TEST

START_TEST(test_single_keeps_empty_prompt) {
    auto s = PromptSchedule::single("");
    ck_assert_int_eq(s.segments().size(), 1);
    ck_assert_str_eq(s.segments()[0].prompt.c_str(), "");
    ck_assert_int_eq(s.segment_at(5), 0);
}
END_TEST

START_TEST(test_bad_schedules) {
    ck_assert(contains(parse_error(""), "empty"));
    ck_assert(contains(parse_error("   "), "empty"));
    ck_assert(contains(parse_error("a:3||b:2"), "character 5"));    // empty segment 2
    ck_assert(contains(parse_error("a:3||b:2"), "empty prompt"));
    ck_assert(contains(parse_error(":5"), "empty prompt"));
    ck_assert(contains(parse_error("a:3|"), "segment 2"));
    ck_assert(contains(parse_error("a:x"), "whole number"));
    ck_assert(contains(parse_error("a:x"), "character 3"));
    ck_assert(contains(parse_error("a:1.5"), "whole number"));
    ck_assert(contains(parse_error("a:0"), "positive"));
    ck_assert(contains(parse_error("a:-4"), "positive"));
    ck_assert(contains(parse_error("a:"), "missing frame count"));
    ck_assert(contains(parse_error("a:99999999999999999999999"), "maximum"));
    ck_assert(contains(parse_error("a:10000001"), "maximum"));
    ck_assert(contains(parse_error("a:1:2"), "second ':'"));
    ck_assert(contains(parse_error("a:1:2"), "character 4"));
    ck_assert(contains(parse_error("a|b:2"), "needs a frame count"));
    ck_assert(contains(parse_error("a\\"), "escapes nothing"));
    ck_assert(contains(parse_error("a\\n:2"), "escapes only"));
    // The largest count passes.
    ck_assert_int_eq(PromptSchedule::parse("a:10000000").segments()[0].frames, 10000000);
    // Text length: the limit passes, one byte more fails, for schedules and single prompts.
    const std::string longest(PromptSchedule::kMaxTextBytes, 'a');
    ck_assert_uint_eq(PromptSchedule::parse(longest).segments()[0].prompt.size(), longest.size());
    ck_assert(contains(parse_error(longest + "a"), "at most 65536"));
    ck_assert_uint_eq(PromptSchedule::single(longest).segments()[0].prompt.size(), longest.size());
    try {
        PromptSchedule::single(longest + "a");
        ck_abort_msg("a prompt over the limit was accepted");
    } catch (const artv::Error &e) {
        ck_assert_int_eq(e.status(), ARTV_ERR_INVALID_ARGUMENT);
        ck_assert(contains(e.what(), "prompt is 65537 bytes"));
    }
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("prompt_schedule");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_two_segments);
    tcase_add_test(tc, test_bare_prompt_and_open_end);
    tcase_add_test(tc, test_escapes);
    tcase_add_test(tc, test_single_keeps_empty_prompt);
    tcase_add_test(tc, test_bad_schedules);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(suite)
