#include "train/worker_pool.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "util/cpu_features.h"

namespace artv {

WorkerPool::WorkerPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    for (auto &t : workers_) t.join();
}

void WorkerPool::drain(const std::function<void(int64_t)> &fn, int64_t n) {
    for (int64_t i = next_.fetch_add(1); i < n; i = next_.fetch_add(1)) {
        try {
            fn(i);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!error_ || i < error_index_) error_ = std::current_exception(), error_index_ = i;
        }
    }
}

void WorkerPool::work() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        // A worker that wakes after the run was closed must not touch its job (nor the next
        // run's counter): run() only returns once every worker that joined has left.
        if (!open_) continue;
        const std::function<void(int64_t)> &fn = *job_;
        const int64_t n = n_;
        ++busy_;
        lock.unlock();
        drain(fn, n);
        lock.lock();
        if (--busy_ == 0) idle_.notify_all();
    }
}

void WorkerPool::run(int64_t n, const std::function<void(int64_t)> &fn) {
    if (n <= 0) return;
    if (workers_.empty() || n == 1) {
        for (int64_t i = 0; i < n; ++i) fn(i);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &fn;
        n_ = n;
        next_.store(0);
        error_ = nullptr;
        open_ = true;
        ++generation_;
    }
    wake_.notify_all();
    drain(fn, n);
    std::exception_ptr error;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        open_ = false;
        idle_.wait(lock, [&] { return busy_ == 0; });
        job_ = nullptr;
        error = std::exchange(error_, nullptr);
    }
    if (error) std::rethrow_exception(error);
}

int cpus_per_local_rank() {
    int local = 1;
    if (const char *v = std::getenv("LOCAL_WORLD_SIZE"); v && *v) local = std::max(1, std::atoi(v));
    return std::max(1, cpu_features().online_cpus / local);
}

int data_thread_count(int64_t option) {
    // Past 16 threads the drawing is no longer what a step waits for (a 64-sample batch).
    if (option <= 0) return std::min(16, cpus_per_local_rank());
    return int(std::min<int64_t>(option, 256));
}

}  // namespace artv
