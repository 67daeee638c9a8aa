// What a training run tells its user: a progress line every log_every steps (step, loss,
// samples/s, ETA) and a CSV of the loss (out_dir/loss.csv) for plotting. On resume the CSV keeps
// only the rows up to the checkpoint's step, so it reads as one uninterrupted run.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

namespace artv {

struct StepRecord {
    int64_t step = 0;              // optimizer steps done (1-based after the first step)
    double loss = 0;               // mean over the logging interval and all ranks
    std::vector<double> metrics;   // task-specific, same order as the names given
    double lr = 0;
    double grad_norm = 0;          // before clipping
    double samples_per_s = 0;
    double seconds_per_step = 0;
    double data_share = -1;        // of the time, the share spent on the data (< 0: unknown)
};

class ProgressLog {
public:
    // csv_path "" = no CSV. resume_step >= 0: keep the existing CSV's rows up to that step.
    ProgressLog(std::string csv_path, std::vector<std::string> metric_names, int64_t total_steps,
                int64_t resume_step, std::ostream *out);

    void record(const StepRecord &r);
    // A free-form line on the progress stream ("checkpoint written", ...).
    void note(const std::string &line);

private:
    std::string csv_path_;
    std::vector<std::string> metric_names_;
    int64_t total_steps_;
    std::ostream *out_;
    std::ofstream csv_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace artv
