#include <chrono>
#include <cstdio>
#include "test_train_util.h"
#include "train/distributed.h"
using namespace artv; using namespace artv::test;
int main(int argc, char** argv) {
  torch::set_num_threads(2);
  auto t0 = std::chrono::steady_clock::now();
  auto nets = tiny_networks(1);
  auto drawer = tiny_drawer(2, 11);
  auto t1 = std::chrono::steady_clock::now();
  TrainConfig c = tiny_train_config("/tmp/h8/benchrun");
  ArtvTask task(c, nets, drawer, "{}");
  for (int s = 0; s < 6; ++s) {
    auto a = std::chrono::steady_clock::now();
    auto l = task.loss(s, 0, 4);
    auto b = std::chrono::steady_clock::now();
    l.loss.backward();
    auto e = std::chrono::steady_clock::now();
    std::printf("step %d loss %.4f fwd %.3f s bwd %.3f s\n", s, l.loss.item<double>(),
      std::chrono::duration<double>(b-a).count(), std::chrono::duration<double>(e-b).count());
  }
  std::printf("setup %.3f s, params %lld\n", std::chrono::duration<double>(t1-t0).count(), (long long)nets->parameter_count());
}
