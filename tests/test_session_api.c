/* The public session API from plain C (C99): a user's view of artv.h. Opens the tiny random
 * model made by `artv init-random` in the build tree, generates a few frames in each mode and
 * checks the inspection state and error handling. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "artv/artv.h"
#include "testutil.h"

#define W 64
#define H 48

static artv_model *open_model(void) {
    static char dir[4096];
    artv_model_params mp = artv_model_default_params();
    artv_model *model = NULL;
    mp.device = "cpu";
    mp.dtype = "fp32";
    mp.threads = 1;
    ARTV_TEST_PATH(dir, ARTV_TEST_BUILDDIR(), "tests/test-tiny");
    ck_assert_msg(artv_model_open(dir, &mp, &model) == ARTV_OK, "open: %s", artv_last_error());
    return model;
}

static void fill(uint8_t *rgb, int w, int h, int stride, int seed) {
    int x, y;
    for (y = 0; y < h; y++)
        for (x = 0; x < 3 * w; x++) rgb[y * stride + x] = (uint8_t)(x * 5 + y * 3 + seed * 70);
}

START_TEST(test_c_api_modes) {
    artv_model *model = open_model();
    artv_session_params p = artv_session_default_params();
    artv_session *s = NULL;
    artv_session_state st;
    static uint8_t frame[W * H * 3], out[(W * 3 + 8) * H];
    int i;

    ck_assert(isnan(p.cfg_text));
    ck_assert(isnan(p.cfg_text_t2v));
    ck_assert_int_eq(p.steps, 0);
    ck_assert_int_eq(p.use_mask, 1);
    ck_assert_int_eq(p.progress_steps, 0);
    p.sampler = ARTV_SAMPLER_EULER;
    p.steps = 2;
    p.seed = 7;

    /* TI2V at 64x48: generation size 80x64 (short side 64, 85.3 rounded to 80). */
    ck_assert_int_eq(artv_session_new(model, &p, &s), ARTV_OK);
    ck_assert_int_eq(artv_session_set_prompt(s, "a yellow star spins"), ARTV_OK);
    fill(frame, W, H, 3 * W, 0);
    ck_assert_int_eq(artv_session_feed_frame(s, frame, W, H, 3 * W), ARTV_OK);
    for (i = 0; i < 3; i++)
        ck_assert_msg(artv_session_next_frame(s, out, W, H, 3 * W + 8) == ARTV_OK, "%s",
                      artv_last_error());
    ck_assert_int_eq(artv_session_get_state(s, &st), ARTV_OK);
    ck_assert_int_eq(st.frames_fed, 1);
    ck_assert_int_eq(st.frames_generated, 3);
    ck_assert_int_eq(st.gen_width, 80);
    ck_assert_int_eq(st.gen_height, 64);
    ck_assert_int_eq(st.anchor_frame, 0);
    ck_assert_int_eq(st.reference_frames[0], 2);
    ck_assert_int_eq(st.reference_frames[1], 3);
    ck_assert_int_eq(st.steps, 2);
    ck_assert_str_eq(st.prompt, "a yellow star spins");
    /* Euler: one call per step; cfg 1.5/1.5/5 -> weights -0.5, 0, -3.5, 5: three conditions. */
    ck_assert_int_eq(st.denoiser_calls_last_frame, 2 * 3);
    artv_session_free(s);

    /* T2V with a schedule, output larger than the generation size. */
    s = NULL;
    ck_assert_int_eq(artv_session_new(model, &p, &s), ARTV_OK);
    ck_assert_int_eq(artv_session_set_schedule(s, "a red ball:1|a blue ball:1"), ARTV_OK);
    ck_assert_int_eq(artv_session_next_frame(s, out, W, H, 3 * W), ARTV_OK);
    ck_assert_int_eq(artv_session_get_state(s, &st), ARTV_OK);
    ck_assert_int_eq(st.segment, 1);
    ck_assert_int_eq(st.anchor_frame, 0);
    ck_assert_str_eq(st.prompt, "a blue ball");
    artv_session_free(s);
    artv_session_free(NULL);
    artv_model_close(model);
}
END_TEST

START_TEST(test_c_api_errors) {
    artv_model *model = open_model();
    artv_session_params p = artv_session_default_params();
    artv_session *s = NULL;
    static uint8_t out[W * H * 3];
    artv_model_params mp = artv_model_default_params();
    artv_model *none = NULL;

    p.steps = -3;
    ck_assert_int_eq(artv_session_new(model, &p, &s), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(artv_last_error(), "steps"));
    p.steps = 1;
    p.cfg_ref = INFINITY;
    ck_assert_int_eq(artv_session_new(model, &p, &s), ARTV_ERR_INVALID_ARGUMENT);
    p.cfg_ref = NAN; /* NAN = the model's default */
    ck_assert_int_eq(artv_session_new(model, &p, &s), ARTV_OK);
    ck_assert_int_eq(artv_session_set_schedule(s, "x:1||y"), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_next_frame(s, out, W, H, 2 * W), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_next_frame(s, NULL, W, H, 3 * W), ARTV_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(artv_session_next_frame(s, out, W, H, 3 * W), ARTV_OK);
    ck_assert_str_eq(artv_last_error(), "");
    artv_session_free(s);

    mp.device = "cuda";
    if (artv_model_open(ARTV_TEST_BUILDDIR(), &mp, &none) == ARTV_ERR_DEVICE)
        ck_assert_ptr_nonnull(strstr(artv_last_error(), "CUDA"));
    ck_assert_ptr_null(none);
    ck_assert_str_eq(artv_status_string(ARTV_ERR_NUMERIC), "numeric error (NaN or Inf)");
    artv_model_close(model);
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("session_api");
    TCase *tc = tcase_create("c");
    tcase_add_test(tc, test_c_api_modes);
    tcase_add_test(tc, test_c_api_errors);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(suite)
