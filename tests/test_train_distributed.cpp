// core/train data-parallel training (issue 5): two ranks over loopback (c10d TCPStore + Gloo),
// each with half of every global batch, end with the weights of one rank that trains on the
// whole batch; and the collectives themselves (mean all-reduce, broadcast, any).
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "train/checkpoint.h"
#include "train/distributed.h"
#include "test_train_util.h"
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using namespace artv::test;

namespace {

// Runs fn(rank) in `world` forked processes (before this process touched LibTorch's thread
// pools) and returns whether all exited 0.
template <class F>
bool run_ranks(int world, F fn) {
    std::vector<pid_t> pids;
    for (int r = 0; r < world; ++r) {
        pid_t pid = fork();
        if (pid == 0) {
            int code = 1;
            try {
                code = fn(r);
            } catch (const std::exception &e) {
                std::fprintf(stderr, "rank %d: %s\n", r, e.what());
            }
            std::fflush(stderr);
            _exit(code);
        }
        pids.push_back(pid);
    }
    bool ok = true;
    for (pid_t p : pids) {
        int status = 0;
        waitpid(p, &status, 0);
        ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    return ok;
}

DistributedOptions rank_options(int rank, int world, int port) {
    DistributedOptions o;
    o.rank = rank;
    o.world_size = world;
    o.master_addr = "127.0.0.1";
    o.master_port = port;
    o.timeout_s = 120;
    return o;
}

TrainConfig dp_config(const std::string &dir) {
    TrainConfig c = tiny_train_config(dir);
    c.steps = 6;
    c.batch_size = 4;
    c.checkpoint_every = 6;
    c.log_every = 3;
    c.threads = 1;
    c.grad_clip = 0.5;  // clipping acts on the all-reduced gradient, as in one rank
    // Adam divides by sqrt(v) + eps: where a gradient is ~0 (behind the zero-initialised output
    // layers), rounding differences of 1e-9 between the two summation orders would become
    // updates of +-lr with eps 1e-8 (measured: 6e-4 apart after 6 steps). eps 1e-5 keeps that
    // rounding noise at its own size (measured: 6e-7) without changing what is compared.
    c.adam_eps = 1e-5;
    return c;
}

}  // namespace

START_TEST(test_collectives) {
    ck_assert(distributed_available());
    const int port = free_local_port();
    bool ok = run_ranks(2, [port](int rank) {
        torch::set_num_threads(1);
        Distributed d(rank_options(rank, 2, port));
        torch::Tensor a = torch::full({3}, float(rank + 1)), b = torch::full({2, 2}, float(10 * rank));
        d.allreduce_mean({a, b});
        if (!torch::allclose(a, torch::full({3}, 1.5f)) || !torch::allclose(b, torch::full({2, 2}, 5.0f))) return 3;
        torch::Tensor c = torch::full({4}, float(rank));
        d.broadcast({c}, 1);
        if (!torch::equal(c, torch::ones({4}))) return 4;
        if (!d.any(rank == 1) || d.any(false)) return 5;
        d.barrier();
        return 0;
    });
    ck_assert_msg(ok, "a rank failed (see stderr)");
}
END_TEST

START_TEST(test_two_ranks_equal_one_rank_with_double_batch) {
    TempDir two, one;
    const int port = free_local_port();
    bool ok = run_ranks(2, [&](int rank) {
        TrainConfig c = dp_config(two.path());
        Distributed d(rank_options(rank, 2, port));
        // Different init seeds per rank: the broadcast from rank 0 must make them equal.
        ArtvTask task(c, tiny_networks(rank == 0 ? 1 : 2), tiny_drawer(3, 8), "{}");
        TrainOutcome r = run_training(c, task, d, {});
        return r.step == 6 ? 0 : 6;
    });
    ck_assert_msg(ok, "a rank failed (see stderr)");

    TrainConfig c = dp_config(one.path());
    ArtvTask task(c, tiny_networks(1), tiny_drawer(3, 8), "{}");
    Distributed single(DistributedOptions{});
    run_training(c, task, single, {});

    auto t2 = checkpoint_tensors(latest_checkpoint_path(two.path()));
    auto t1 = checkpoint_tensors(latest_checkpoint_path(one.path()));
    ck_assert_int_eq(t1.size(), t2.size());
    double worst = 0, worst_scale = 0;
    std::string worst_name;
    int compared = 0;
    for (const auto &[name, a] : t1) {
        if (name.rfind("model.", 0) != 0 && name.rfind("ema.", 0) != 0) continue;
        const torch::Tensor &b = t2.at(name);
        const double diff = (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
        if (diff > worst) {
            worst = diff;
            worst_name = name;
            worst_scale = a.abs().max().item<double>();
        }
        ++compared;
    }
    std::fprintf(stderr, "2 ranks vs 1: %d tensors, largest difference %.3g in %s (|max| %.3g)\n", compared,
                 worst, worst_name.c_str(), worst_scale);
    // Float tolerance: the batch mean is summed in another order (per rank, then averaged).
    ck_assert_msg(worst < 5e-6, "2 ranks and 1 rank differ by %g in %s", worst, worst_name.c_str());
    ck_assert_int_gt(compared, 100);
    // And they did train: the weights moved well beyond that tolerance from the init.
    double moved = 0;
    for (const auto &[name, init] : named_tensors(tiny_networks(1)->modules()))
        moved = std::max(moved, (t1.at("model." + name) - init).abs().max().item<double>());
    ck_assert_msg(moved > 1e-3, "weights moved only %g", moved);
}
END_TEST

static Suite *distributed_suite(void) {
    Suite *s = suite_create("train_distributed");
    TCase *tc = tcase_create("gloo");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_collectives);
    tcase_add_test(tc, test_two_ranks_equal_one_rank_with_double_batch);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(distributed_suite)
