// core/train building blocks without a model: the option table (JSON, command-line names,
// errors), the learning-rate warm-up, AdamW against PyTorch's update rule and through a
// checkpoint round trip, the EMA, the per-sample draw seeds, CPU autocast nesting, and the
// data threads' worker pool.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "io/safetensors.h"
#include "io/tensor_io.h"
#include "train/adamw.h"
#include "train/draw_seed.h"
#include "train/ema.h"
#include "train/progress_log.h"
#include "train/train_config.h"
#include "train/trainer.h"
#include "train/worker_pool.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using namespace artv::test;

START_TEST(test_options_json_and_cli) {
    TrainConfig c;
    apply_train_config_json(c, R"({"lr": 0.0001, "use_mask": false, "batch_size": 8, "data": "a.csv"})", "t.json");
    ck_assert(c.lr == 1e-4 && !c.use_mask && c.batch_size == 8 && c.data == "a.csv");
    set_train_option(c, "p_drop_text", "0.25");
    ck_assert(c.p_drop_text == 0.25);
    ck_assert_string_eq(get_train_option(c, "use_mask"), "false");
    // Round trip through the saved form.
    TrainConfig d;
    apply_train_config_json(d, train_config_to_json(c), "saved");
    for (const auto &o : train_options())
        ck_assert_string_eq(get_train_option(c, o.name), get_train_option(d, o.name));
    expect_error([&] { set_train_option(c, "learning_rate", "1"); }, ARTV_ERR_INVALID_ARGUMENT, {"learning_rate"});
    expect_error([&] { set_train_option(c, "steps", "ten"); }, ARTV_ERR_INVALID_ARGUMENT, {"steps", "ten"});
    expect_error([&] { set_train_option(c, "use_mask", "maybe"); }, ARTV_ERR_INVALID_ARGUMENT, {"use_mask"});
    expect_error([&] { apply_train_config_json(c, R"({"lr": [1]})", "x.json"); }, ARTV_ERR_FORMAT, {"x.json", "lr"});
    expect_error([&] { apply_train_config_json(c, "{", "bad.json"); }, ARTV_ERR_FORMAT, {"bad.json"});
    expect_error([&] { apply_train_config_json(c, R"({"nope": 1})", "y.json"); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"y.json", "nope"});
}
END_TEST

START_TEST(test_validation) {
    TrainConfig c;
    validate_train_config(c, 1);
    c.p_mode_t2v = 0.3;  // shares no longer sum to 1
    c.batch_size = 6;
    c.grad_accum = 4;
    expect_error([&] { validate_train_config(c, 1); }, ARTV_ERR_INVALID_ARGUMENT,
                 {"p_mode_animate + p_mode_continue + p_mode_t2v", "batch_size (6)"});
    TrainConfig d;
    d.batch_size = 6;
    expect_error([&] { validate_train_config(d, 4); }, ARTV_ERR_INVALID_ARGUMENT, {"1 x 4"});
    TrainConfig e;
    e.p_drop_text_continue = 0.5;
    validate_train_config(e, 1);
    e.p_drop_text_continue = 1.5;
    expect_error([&] { validate_train_config(e, 1); }, ARTV_ERR_INVALID_ARGUMENT, {"p_drop_text_continue"});
}
END_TEST

START_TEST(test_warmup) {
    TrainConfig c;
    c.lr = 1e-3;
    c.warmup_steps = 4;
    ck_assert(std::abs(learning_rate_at(c, 0) - 0.25e-3) < 1e-15);
    ck_assert(std::abs(learning_rate_at(c, 3) - 1e-3) < 1e-15);
    ck_assert(learning_rate_at(c, 100) == 1e-3);
    c.warmup_steps = 0;
    ck_assert(learning_rate_at(c, 0) == 1e-3);
}
END_TEST

START_TEST(test_adamw_matches_pytorch_rule) {
    torch::Tensor p = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64).set_requires_grad(true);
    AdamWOptions o{0.9, 0.99, 1e-8, 0.1};
    AdamW opt({{"w", p}}, o);
    std::vector<std::vector<double>> grads = {{0.5, -1.0, 0.0}, {0.1, 0.2, -0.3}, {1.0, 1.0, 1.0}};
    // Reference: torch.optim.AdamW (decoupled decay, bias-corrected moments), by hand.
    std::vector<double> ref = {1.0, -2.0, 0.5}, m(3, 0.0), v(3, 0.0);
    const double lr = 0.01;
    for (size_t s = 0; s < grads.size(); ++s) {
        p.mutable_grad() = torch::tensor(grads[s], torch::kFloat64);
        opt.step(lr);
        for (int i = 0; i < 3; ++i) {
            const double g = grads[s][size_t(i)];
            ref[size_t(i)] *= 1 - lr * o.weight_decay;
            m[size_t(i)] = o.beta1 * m[size_t(i)] + (1 - o.beta1) * g;
            v[size_t(i)] = o.beta2 * v[size_t(i)] + (1 - o.beta2) * g * g;
            const double bc1 = 1 - std::pow(o.beta1, double(s + 1)), bc2 = 1 - std::pow(o.beta2, double(s + 1));
            ref[size_t(i)] -= lr / bc1 * m[size_t(i)] / (std::sqrt(v[size_t(i)]) / std::sqrt(bc2) + o.eps);
        }
    }
    for (int i = 0; i < 3; ++i)
        ck_assert_msg(std::abs(p[i].item<double>() - ref[size_t(i)]) < 1e-12, "param %d: %.15g vs %.15g", i,
                      p[i].item<double>(), ref[size_t(i)]);

    // The state survives a safetensors round trip exactly, by parameter name.
    TempDir dir;
    save_safetensors(dir.file("o.safetensors"), opt.state_tensors("optim."));
    torch::Tensor q = p.detach().clone().set_requires_grad(true);
    AdamW restored({{"w", q}}, o);
    restored.load_state(SafeTensorsFile::open(dir.file("o.safetensors")), "optim.");
    p.mutable_grad() = torch::tensor({0.3, 0.3, 0.3}, torch::kFloat64);
    q.mutable_grad() = torch::tensor({0.3, 0.3, 0.3}, torch::kFloat64);
    opt.step(lr);
    restored.step(lr);
    ck_assert(torch::equal(p, q));
    AdamW other({{"other", q}}, o);
    expect_error([&] { other.load_state(SafeTensorsFile::open(dir.file("o.safetensors")), "optim."); },
                 ARTV_ERR_MODEL, {"unknown parameter 'w'"});
}
END_TEST

START_TEST(test_ema) {
    torch::Tensor p = torch::zeros({2});
    Ema ema({{"p", p}}, 0.99, true);
    ck_assert(std::abs(ema.decay_at(0) - 0.1) < 1e-12);  // (1+0)/(10+0)
    ck_assert(ema.decay_at(100000) == 0.99);
    p.fill_(1.0);
    ema.update({{"p", p}}, 0);
    ck_assert(std::abs(ema.averages()[0].second[0].item<float>() - 0.9f) < 1e-6);
    Ema plain({{"p", torch::zeros({1})}}, 0.5, false);
    plain.update({{"p", torch::ones({1})}}, 0);
    ck_assert(plain.averages()[0].second[0].item<float>() == 0.5f);
}
END_TEST

START_TEST(test_draw_seeds) {
    std::set<uint64_t> seen;
    for (int64_t step = 0; step < 20; ++step)
        for (int64_t i = 0; i < 20; ++i)
            for (auto p : {DrawPurpose::Timestep, DrawPurpose::Augment, DrawPurpose::Dropout})
                seen.insert(draw_seed(1, step, i, p));
    ck_assert_int_eq(seen.size(), 20 * 20 * 3);
    ck_assert(draw_seed(1, 2, 3, DrawPurpose::Data) != draw_seed(2, 2, 3, DrawPurpose::Data));
    at::Generator a = draw_generator(5, 6, 7, DrawPurpose::Timestep);
    at::Generator b = draw_generator(5, 6, 7, DrawPurpose::Timestep);
    ck_assert(torch::equal(torch::randn({8}, a), torch::randn({8}, b)));
}
END_TEST

START_TEST(test_autocast_guard) {
    ck_assert(!at::autocast::is_cpu_enabled());
    {
        CpuAutocast outer(true);
        ck_assert(at::autocast::is_cpu_enabled());
        torch::Tensor y = torch::mm(torch::randn({4, 4}), torch::randn({4, 4}));
        ck_assert(y.scalar_type() == torch::kBFloat16);
        {
            CpuAutocast off(false);
            ck_assert(at::autocast::is_cpu_enabled());
        }
    }
    ck_assert(!at::autocast::is_cpu_enabled());
    ck_assert(!use_bf16_autocast("fp32"));
    ck_assert(use_bf16_autocast("bf16"));
}
END_TEST

START_TEST(test_duration_format) {
    ck_assert_string_eq(format_duration(5), "5s");
    ck_assert_string_eq(format_duration(185), "3m05s");
    ck_assert_string_eq(format_duration(3720), "1h02m");
}
END_TEST

START_TEST(test_worker_pool) {
    WorkerPool pool(4);
    ck_assert_int_eq(pool.threads(), 4);
    // Back-to-back runs of every size: each index exactly once, none left over or repeated
    // by a worker that woke late.
    for (int round = 0; round < 400; ++round) {
        const int64_t n = round % 23;
        std::vector<std::atomic<int>> calls(static_cast<size_t>(n));
        pool.run(n, [&](int64_t i) { calls[size_t(i)].fetch_add(1); });
        for (const auto &c : calls) ck_assert_int_eq(c.load(), 1);
    }
    // The work is really spread (each call long enough for the workers to wake).
    std::mutex ids_mutex;
    std::set<std::thread::id> ids;
    pool.run(32, [&](int64_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::lock_guard<std::mutex> lock(ids_mutex);
        ids.insert(std::this_thread::get_id());
    });
    ck_assert_int_gt(ids.size(), 1);
    // The lowest failing index's error, after every index ran.
    std::atomic<int> ran{0};
    expect_error([&] {
        pool.run(50, [&](int64_t i) {
            ran.fetch_add(1);
            if (i % 10 == 7) throw_invalid("sample " + std::to_string(i));
        });
    }, ARTV_ERR_INVALID_ARGUMENT, {"sample 7"});
    ck_assert_int_eq(ran.load(), 50);
    WorkerPool inline_pool(1);
    int sum = 0;
    inline_pool.run(5, [&](int64_t i) { sum += int(i); });
    ck_assert_int_eq(sum, 10);
    ck_assert_int_eq(data_thread_count(3), 3);
    ck_assert(data_thread_count(0) >= 1 && data_thread_count(0) <= 16);
}
END_TEST

static Suite *units_suite(void) {
    Suite *s = suite_create("train_units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_options_json_and_cli);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_warmup);
    tcase_add_test(tc, test_adamw_matches_pytorch_rule);
    tcase_add_test(tc, test_ema);
    tcase_add_test(tc, test_draw_seeds);
    tcase_add_test(tc, test_autocast_guard);
    tcase_add_test(tc, test_duration_format);
    tcase_add_test(tc, test_worker_pool);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(units_suite)
