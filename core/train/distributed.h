// Data-parallel training over torch.distributed's c10d: a TCPStore rendezvous and a Gloo process
// group (CPU). Every rank holds the full model, draws its own part of each global batch, and the
// gradients are averaged with one all-reduce per optimizer step, so N ranks with batch B/N each
// compute what one rank computes with batch B (docs/TRAINING.md "Distributed").
//
// The rendezvous follows torch.distributed's env:// convention: RANK, WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT (and GLOO_SOCKET_IFNAME to pick the network interface across machines).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace at { class Tensor; }

namespace artv {

struct DistributedOptions {
    int rank = 0;
    int world_size = 1;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
    std::string interface;  // network interface for Gloo ("" = by the address / the hostname)
    int timeout_s = 1800;   // rendezvous and collective timeout
};

// RANK etc. from the environment; world_size 1 when WORLD_SIZE is unset. Malformed values are
// ARTV_ERR_INVALID_ARGUMENT naming the variable.
DistributedOptions distributed_options_from_environment();

class Distributed {
public:
    // world_size 1: no process group, every collective is the identity. Otherwise connects to the
    // store (rank 0 serves it) and builds the process group; failures are ARTV_ERR_IO, and a
    // LibTorch built without Gloo is ARTV_ERR_DEVICE saying so.
    explicit Distributed(const DistributedOptions &options);
    ~Distributed();
    Distributed(const Distributed &) = delete;
    Distributed &operator=(const Distributed &) = delete;

    int rank() const { return options_.rank; }
    int world_size() const { return options_.world_size; }
    bool is_main() const { return options_.rank == 0; }

    // In place: every tensor becomes the mean over the ranks (one flattened all-reduce).
    void allreduce_mean(const std::vector<at::Tensor> &tensors);
    // In place: every rank gets rank `root`'s values.
    void broadcast(const std::vector<at::Tensor> &tensors, int root = 0);
    // True on every rank when it is true on at least one (a stop request, an error).
    bool any(bool flag);
    void barrier();

private:
    struct Impl;
    DistributedOptions options_;
    std::unique_ptr<Impl> impl_;
};

// Whether this build can run more than one rank (Gloo headers were found at build time).
bool distributed_available();

// The launcher behind `artv train --nproc N`: starts N copies of `argv` (argv[0] = the program,
// found through /proc/self/exe) with RANK = node_rank*N + i, LOCAL_RANK = i,
// WORLD_SIZE = nnodes*N, MASTER_ADDR, MASTER_PORT set, waits for all, forwards SIGINT/SIGTERM to
// them, and when one fails stops the others. Returns 0 when every rank exited 0, else the first
// failing rank's status (128 + signal for a signal).
int launch_ranks(const std::vector<std::string> &argv, int nproc, int nnodes, int node_rank,
                 const std::string &master_addr, int master_port);

// A TCP port that is free on the loopback interface now (for a local rendezvous).
int free_local_port();

}  // namespace artv
