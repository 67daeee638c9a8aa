// The training data of a run, built from the TrainConfig's data options: the clip sources
// (the procedural renderer and/or real videos listed in captions files), the sample drawer over
// them (modes continue / animate / T2V in the configured shares), and a description of it all
// that checkpoints record. Problems with the data (bad caption lines, unreadable videos) are
// reported through `report` with file and line and skipped; a source that yields nothing is an
// error before training starts.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/sample_drawer.h"

namespace artv {

struct TrainConfig;
class WorkerPool;

struct TrainingData {
    std::vector<std::shared_ptr<ClipSource>> sources;
    std::shared_ptr<SampleDrawer> drawer;
    std::string description;  // JSON: sources, sizes, seed, mode shares, frame size
    size_t skipped = 0;       // caption lines and videos skipped
};

// Frames are width x height. `report` gets one line per problem and a summary per source.
TrainingData make_training_data(const TrainConfig &config, int width, int height,
                                const std::function<void(const std::string &)> &report);

// Samples first .. first + count - 1 of `drawer`, drawn on the pool's threads and each put in
// its place, so the result is the same for any thread count (sample k depends on k alone).
std::vector<TrainSample> draw_samples(const SampleDrawer &drawer, uint64_t first, int64_t count,
                                      WorkerPool &pool);

// Every caption the data can show (for the tokenizer stage): for the renderer, the captions of
// all its clips (from their specs, without rendering); for videos, each clip's caption.
std::vector<std::string> training_captions(const TrainingData &data);

}  // namespace artv
