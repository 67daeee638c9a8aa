// A small pool of std::threads for the data side of a training step (drawing samples, hashing
// frames): on a GPU the step was bound by this single-threaded CPU work (docs/TRAINING.md
// "Data threads"). Each call spreads the indices [0, n) over the threads; callers write result
// i to slot i, so what comes out does not depend on the thread count or the scheduling. The
// work must not use LibTorch's intra-op parallelism (it is plain C++: renderer, decoder, memcpy).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace artv {

class WorkerPool {
public:
    // `threads` in all, the calling thread included (1 = everything runs on the caller).
    explicit WorkerPool(int threads);
    ~WorkerPool();
    WorkerPool(const WorkerPool &) = delete;
    WorkerPool &operator=(const WorkerPool &) = delete;

    int threads() const { return int(workers_.size()) + 1; }
    // Calls fn(i) once for every i in [0, n) and returns when all are done. When calls throw,
    // the exception of the lowest index is rethrown (the one a sequential loop would throw).
    // One run at a time (the pool belongs to one task).
    void run(int64_t n, const std::function<void(int64_t)> &fn);

private:
    void work();
    void drain(const std::function<void(int64_t)> &fn, int64_t n);

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, idle_;
    const std::function<void(int64_t)> *job_ = nullptr;
    int64_t n_ = 0;
    std::atomic<int64_t> next_{0};
    uint64_t generation_ = 0;
    bool open_ = false;  // workers may still join the current run
    int busy_ = 0;       // workers inside the current run
    bool stop_ = false;
    std::exception_ptr error_;
    int64_t error_index_ = 0;
};

// The thread count of option data_threads: 0 = the online CPUs divided by the ranks on this
// machine (LOCAL_WORLD_SIZE), at most 16; otherwise the option's value.
int data_thread_count(int64_t option);
// The online CPUs divided by the ranks on this machine (at least 1).
int cpus_per_local_rank();

}  // namespace artv
