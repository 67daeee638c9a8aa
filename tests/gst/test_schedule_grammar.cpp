// test_schedule_grammar.cpp — the plugin refuses a 'prompts' value when it is set
// (gst_artv_schedule_is_valid, C, in gst-artv/gstartvsettings.c) by the same rules the engine
// parses it with at generation time (artv::PromptSchedule::parse). Both are run on every
// string of up to 6 characters over an alphabet of the grammar's characters and on random
// longer ones; they must agree on each.
#include <check.h>

#include <cstdint>
#include <random>
#include <string>

#include "generate/prompt_schedule.h"
#include "util/error.h"
extern "C" {
#include "gst-artv/gstartvsettings.h"
}
#include "tests/testutil.h"

namespace {

const char kAlphabet[] = {'a', ' ', ':', '|', '\\', '0', '1', '7', '-', 'x'};
constexpr int kAlphabetSize = sizeof kAlphabet;

bool engine_accepts(const std::string &s) {
    try {
        artv::PromptSchedule::parse(s);
        return true;
    } catch (const artv::Error &) {
        return false;
    }
}

// Returns the number of strings checked; fails on the first disagreement.
int64_t compare(const std::string &s) {
    const char *why = nullptr;
    bool plugin = gst_artv_schedule_is_valid(s.c_str(), &why);
    bool engine = engine_accepts(s);
    ck_assert_msg(plugin == engine, "\"%s\": plugin %s, engine %s%s%s", s.c_str(),
                  plugin ? "accepts" : "refuses", engine ? "accepts" : "refuses",
                  plugin ? "" : " — plugin says: ", plugin ? "" : why);
    ck_assert_msg(plugin || (why && *why), "\"%s\" refused without a reason", s.c_str());
    return 1;
}

}  // namespace

START_TEST(test_all_short_strings) {
    int64_t checked = 0;
    std::string s;
    // Every string of length 0..6 over the alphabet (1,111,111 strings).
    for (int len = 0; len <= 6; ++len) {
        int64_t n = 1;
        for (int i = 0; i < len; ++i) n *= kAlphabetSize;
        s.assign(len, 'a');
        for (int64_t code = 0; code < n; ++code) {
            int64_t c = code;
            for (int i = 0; i < len; ++i, c /= kAlphabetSize) s[i] = kAlphabet[c % kAlphabetSize];
            checked += compare(s);
        }
    }
    ck_assert_int_eq(checked, 1111111);
}
END_TEST

START_TEST(test_random_long_strings) {
    std::mt19937_64 rng(1234);
    std::uniform_int_distribution<int> len(7, 40), pick(0, kAlphabetSize - 1);
    for (int k = 0; k < 200000; ++k) {
        std::string s(len(rng), 'a');
        for (char &ch : s) ch = kAlphabet[pick(rng)];
        compare(s);
    }
}
END_TEST

START_TEST(test_counts_at_the_limit) {
    const int64_t max = artv::PromptSchedule::kMaxSegmentFrames;
    compare("a:" + std::to_string(max));
    compare("a:" + std::to_string(max + 1));
    compare("a:" + std::to_string(max) + "|b");
    compare("a:00000000000000000000000001");
    compare("a:99999999999999999999999999");
}
END_TEST

static Suite *schedule_grammar_suite(void) {
    Suite *s = suite_create("schedule_grammar");
    TCase *tc = tcase_create("agree");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_all_short_strings);
    tcase_add_test(tc, test_random_long_strings);
    tcase_add_test(tc, test_counts_at_the_limit);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(schedule_grammar_suite)
