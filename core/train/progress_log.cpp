#include "train/progress_log.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "util/error.h"

namespace artv {

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    long s = std::lround(seconds);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

ProgressLog::ProgressLog(std::string csv_path, std::vector<std::string> metric_names,
                         int64_t total_steps, int64_t resume_step, std::ostream *out)
    : csv_path_(std::move(csv_path)), metric_names_(std::move(metric_names)),
      total_steps_(total_steps), out_(out) {
    if (csv_path_.empty()) return;
    std::string header = "step,loss";
    for (const auto &n : metric_names_) header += "," + n;
    header += ",lr,grad_norm,samples_per_s";

    std::vector<std::string> kept;
    if (resume_step >= 0) {
        std::ifstream in(csv_path_);
        std::string line;
        bool first = true;
        while (std::getline(in, line)) {
            if (first) {
                first = false;
                if (line != header) break;  // another layout: start afresh
                continue;
            }
            long long step = std::atoll(line.c_str());
            if (step > 0 && step <= resume_step) kept.push_back(line);
        }
    }
    csv_.open(csv_path_, std::ios::trunc);
    if (!csv_) throw_io("cannot write " + csv_path_);
    csv_ << header << '\n';
    for (const auto &l : kept) csv_ << l << '\n';
    csv_.flush();
}

void ProgressLog::record(const StepRecord &r) {
    if (out_) {
        std::ostringstream s;
        s.setf(std::ios::fixed);
        s.precision(5);
        s << "step " << r.step << "/" << total_steps_ << "  loss " << r.loss;
        s.precision(4);
        for (size_t i = 0; i < metric_names_.size() && i < r.metrics.size(); ++i)
            s << "  " << metric_names_[i] << " " << r.metrics[i];
        s.precision(2);
        s << "  |g| " << r.grad_norm;
        s.unsetf(std::ios::fixed);
        s.precision(3);
        s << "  lr " << r.lr;
        s.setf(std::ios::fixed);
        s.precision(2);
        s << "  " << r.samples_per_s << " samples/s  " << r.seconds_per_step << " s/step";
        if (r.data_share >= 0) s << "  data " << std::lround(100 * r.data_share) << "%";
        s << "  ETA "
          << format_duration(r.seconds_per_step * double(total_steps_ - r.step));
        *out_ << s.str() << std::endl;
    }
    if (csv_.is_open()) {
        csv_.precision(8);
        csv_ << r.step << ',' << r.loss;
        for (double m : r.metrics) csv_ << ',' << m;
        csv_ << ',' << r.lr << ',' << r.grad_norm << ',' << r.samples_per_s << '\n';
        csv_.flush();
    }
}

void ProgressLog::note(const std::string &line) {
    if (out_) *out_ << line << std::endl;
}

}  // namespace artv
