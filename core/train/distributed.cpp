#include "train/distributed.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <torch/torch.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

// Debian's libtorch_cpu carries c10d with Gloo, but its headers include Gloo's own headers
// (Debian package libgloo-dev) and are guarded by USE_C10D_GLOO, which LibTorch's build defined
// for itself only. Without those headers only the single-rank path is built.
#if __has_include(<gloo/algorithm.h>)
#define ARTV_HAVE_GLOO 1
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#else
#define ARTV_HAVE_GLOO 0
#endif

#include "util/error.h"

namespace artv {
namespace {

int env_int(const char *name, int fallback, int min_value) {
    const char *v = std::getenv(name);
    if (!v || !*v) return fallback;
    char *end = nullptr;
    errno = 0;
    long x = std::strtol(v, &end, 10);
    if (*end || errno || x < min_value || x > 1 << 30)
        throw_invalid(std::string("environment variable ") + name + "='" + v + "' is not a valid number");
    return static_cast<int>(x);
}

}  // namespace

DistributedOptions distributed_options_from_environment() {
    DistributedOptions o;
    o.world_size = env_int("WORLD_SIZE", 1, 1);
    o.rank = env_int("RANK", 0, 0);
    if (o.rank >= o.world_size)
        throw_invalid("RANK (" + std::to_string(o.rank) + ") must be < WORLD_SIZE (" +
                      std::to_string(o.world_size) + ")");
    if (const char *a = std::getenv("MASTER_ADDR"); a && *a) o.master_addr = a;
    o.master_port = env_int("MASTER_PORT", o.master_port, 1);
    if (const char *i = std::getenv("GLOO_SOCKET_IFNAME"); i && *i) o.interface = i;
    return o;
}

bool distributed_available() { return ARTV_HAVE_GLOO != 0; }

struct Distributed::Impl {
    c10::intrusive_ptr<c10d::Store> store;
#if ARTV_HAVE_GLOO
    // The Gloo group itself: LibTorch 1.13 derives it from ProcessGroup, 2.x from Backend.
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
#endif
};

Distributed::Distributed(const DistributedOptions &options) : options_(options) {
    if (options_.world_size <= 1) return;
#if ARTV_HAVE_GLOO
    impl_ = std::make_unique<Impl>();
    auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options_.timeout_s) * 1000);
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<uint16_t>(options_.master_port);
        so.isServer = options_.rank == 0;
        so.numWorkers = options_.world_size;
        so.waitWorkers = true;
        so.timeout = timeout;
        impl_->store = c10::make_intrusive<c10d::TCPStore>(options_.master_addr, so);
        auto go = c10d::ProcessGroupGloo::Options::create(timeout);
        const std::string &a = options_.master_addr;
        if (!options_.interface.empty())
            go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(options_.interface));
        else if (a == "127.0.0.1" || a == "localhost")
            go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, options_.rank,
                                                                    options_.world_size, go);
    } catch (const std::exception &e) {
        throw_io("rank " + std::to_string(options_.rank) + " of " + std::to_string(options_.world_size) +
                 ": cannot join the process group at " + options_.master_addr + ":" +
                 std::to_string(options_.master_port) + ": " + e.what());
    }
#else
    throw_error(ARTV_ERR_DEVICE,
                "this build has no Gloo headers, so it cannot train on more than one rank "
                "(install libgloo-dev and rebuild)");
#endif
}

Distributed::~Distributed() = default;

#if ARTV_HAVE_GLOO
void Distributed::allreduce_mean(const std::vector<at::Tensor> &tensors) {
    if (!impl_ || tensors.empty()) return;
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> flat_parts;
    flat_parts.reserve(tensors.size());
    for (const auto &t : tensors) flat_parts.push_back(t.reshape({-1}).to(torch::kFloat32));
    std::vector<torch::Tensor> flat{torch::cat(flat_parts)};
    impl_->group->allreduce(flat)->wait();
    flat[0].div_(options_.world_size);
    int64_t offset = 0;
    for (const auto &t : tensors) {
        int64_t n = t.numel();
        const_cast<at::Tensor &>(t).copy_(flat[0].narrow(0, offset, n).view(t.sizes()));
        offset += n;
    }
}

void Distributed::broadcast(const std::vector<at::Tensor> &tensors, int root) {
    if (!impl_) return;
    torch::NoGradGuard no_grad;
    for (const auto &t : tensors) {
        std::vector<torch::Tensor> one{t.contiguous()};
        c10d::BroadcastOptions bo;
        bo.rootRank = root;
        impl_->group->broadcast(one, bo)->wait();
        if (!one[0].is_same(t)) const_cast<at::Tensor &>(t).copy_(one[0]);
    }
}

bool Distributed::any(bool flag) {
    if (!impl_) return flag;
    std::vector<torch::Tensor> v{torch::full({1}, flag ? 1.0f : 0.0f)};
    impl_->group->allreduce(v)->wait();
    return v[0].item<float>() > 0;
}

void Distributed::barrier() {
    if (!impl_) return;
    impl_->group->barrier()->wait();
}
#else
// Without Gloo there is never a group (the constructor refuses world_size > 1).
void Distributed::allreduce_mean(const std::vector<at::Tensor> &) {}
void Distributed::broadcast(const std::vector<at::Tensor> &, int) {}
bool Distributed::any(bool flag) { return flag; }
void Distributed::barrier() {}
#endif

int free_local_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw_io(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        int e = errno;
        ::close(fd);
        throw_io(std::string("cannot find a free port: ") + std::strerror(e));
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

namespace {

volatile sig_atomic_t g_forward_signal = 0;
void remember_signal(int sig) { g_forward_signal = sig; }

}  // namespace

int launch_ranks(const std::vector<std::string> &argv, int nproc, int nnodes, int node_rank,
                 const std::string &master_addr, int master_port) {
    if (nproc < 1 || nnodes < 1 || node_rank < 0 || node_rank >= nnodes)
        throw_invalid("launch: need nproc >= 1, nnodes >= 1 and 0 <= node_rank < nnodes");
    if (argv.empty()) throw_invalid("launch: empty command line");
    std::vector<pid_t> pids;
    for (int i = 0; i < nproc; ++i) {
        pid_t pid = ::fork();
        if (pid < 0) throw_io(std::string("fork: ") + std::strerror(errno));
        if (pid == 0) {
            // Its own process group: a Ctrl-C on the terminal reaches the launcher only, which
            // forwards it once (a second SIGINT would kill a rank instead of stopping it).
            setpgid(0, 0);
            // A launcher that dies (even by SIGKILL) takes its ranks down cleanly.
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            setenv("RANK", std::to_string(node_rank * nproc + i).c_str(), 1);
            setenv("LOCAL_RANK", std::to_string(i).c_str(), 1);
            setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
            setenv("WORLD_SIZE", std::to_string(nnodes * nproc).c_str(), 1);
            setenv("MASTER_ADDR", master_addr.c_str(), 1);
            setenv("MASTER_PORT", std::to_string(master_port).c_str(), 1);
            std::vector<char *> args;
            for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
            args.push_back(nullptr);
            ::execv("/proc/self/exe", args.data());
            std::fprintf(stderr, "artv: cannot start rank %d: %s\n", i, std::strerror(errno));
            _exit(127);
        }
        pids.push_back(pid);
    }
    struct sigaction sa = {}, old_int, old_term;
    sa.sa_handler = remember_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    int result = 0;
    size_t running = pids.size();
    std::vector<bool> done(pids.size(), false);
    auto kill_deadline = std::chrono::steady_clock::time_point::max();
    while (running > 0) {
        if (int sig = g_forward_signal) {
            g_forward_signal = 0;
            for (size_t i = 0; i < pids.size(); ++i)
                if (!done[i]) ::kill(pids[i], sig);
        }
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            for (size_t i = 0; i < pids.size(); ++i) {
                if (pids[i] != pid || done[i]) continue;
                done[i] = true;
                --running;
                int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                             : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
                if (code != 0 && result == 0) {
                    result = code;
                    std::fprintf(stderr, "artv: rank %zu exited with status %d; stopping the others\n",
                                 node_rank * nproc + i, code);
                    // The others wait in a collective for the failed rank: ask them to stop,
                    // then kill what is left after a grace period.
                    for (size_t j = 0; j < pids.size(); ++j)
                        if (!done[j]) ::kill(pids[j], SIGTERM);
                    kill_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                }
            }
            continue;
        }
        if (std::chrono::steady_clock::now() > kill_deadline) {
            for (size_t j = 0; j < pids.size(); ++j)
                if (!done[j]) ::kill(pids[j], SIGKILL);
            kill_deadline = std::chrono::steady_clock::time_point::max();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    return result;
}

}  // namespace artv
