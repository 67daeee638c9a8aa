#include "train/training_data.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "data/photo_library.h"
#include "train/train_config.h"
#include "train/worker_pool.h"
#include "util/error.h"

namespace artv {
namespace {

std::vector<std::string> split_list(const std::string &text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    std::string item;
    while (std::getline(s, item, ',')) {
        size_t a = item.find_first_not_of(" \t"), b = item.find_last_not_of(" \t");
        if (a != std::string::npos) out.push_back(item.substr(a, b - a + 1));
    }
    return out;
}

// Option `option`'s comma-separated weights ("" = none).
std::vector<double> parse_weights(const char *option, const std::string &text) {
    std::vector<double> out;
    for (const auto &w : split_list(text)) {
        try {
            out.push_back(std::stod(w));
        } catch (const std::exception &) {
            throw_invalid(std::string("option ") + option + ": '" + w + "' is not a number");
        }
    }
    return out;
}

std::shared_ptr<PhotoLibrary> load_photos(const TrainConfig &config,
                                          const std::function<void(const std::string &)> &report) {
    if (config.photos == "none") return nullptr;
    std::string path = config.photos;
    if (path.empty()) {
        path = PhotoLibrary::default_list_path();
        if (!std::filesystem::exists(path)) {
            report("no photo list at " + path + ": the renderer draws no photo backgrounds and no camera clips");
            return nullptr;
        }
    }
    auto photos = PhotoLibrary::from_list(path);
    for (const auto &w : photos->warnings()) report(w);
    if (photos->size() == 0) return nullptr;
    return photos;
}

}  // namespace

TrainingData make_training_data(const TrainConfig &config, int width, int height,
                                const std::function<void(const std::string &)> &report_fn) {
    const std::function<void(const std::string &)> report = [report_fn](const std::string &line) {
        if (report_fn) report_fn(line);
    };
    TrainingData data;
    nlohmann::ordered_json desc;
    desc["width"] = width;
    desc["height"] = height;
    desc["seed"] = config.seed;
    desc["p_continue"] = config.p_mode_continue;
    desc["p_animate"] = config.p_mode_animate;
    desc["p_t2v"] = config.p_mode_t2v;
    desc["anchor_window"] = config.anchor_window;
    nlohmann::ordered_json sources = nlohmann::ordered_json::array();

    const std::vector<std::string> names = split_list(config.data);
    if (names.empty()) throw_invalid("option data: no data source given");
    for (const auto &name : names) {
        if (name == "renderer" || name == "renderer-augmented") {
            RendererOptions ro;
            ro.width = width;
            ro.height = height;
            ro.fps = config.fps;
            ro.photos = load_photos(config, report);
            for (const auto &m : split_list(config.renderer_object_motions))
                ro.object_motions.push_back(object_motion_named(m));
            for (const auto &m : split_list(config.renderer_camera_motions))
                ro.camera_motions.push_back(camera_motion_named(m));
            for (const auto &c : split_list(config.renderer_colours)) ro.colours.push_back(colour_named(c));
            if (config.renderer_camera_share >= 0) ro.camera_share = static_cast<float>(config.renderer_camera_share);
            ro.photo_augment = config.renderer_photo_augment || name == "renderer-augmented";
            if (!ro.photos) ro.camera_share = 0;
            if (config.renderer_min_speed > 0) ro.min_speed = static_cast<float>(config.renderer_min_speed);
            if (config.renderer_max_speed > 0) ro.max_speed = static_cast<float>(config.renderer_max_speed);
            if (config.renderer_min_camera_speed > 0 || config.renderer_max_camera_speed > 0) {
                const double lo = config.renderer_min_camera_speed, hi = config.renderer_max_camera_speed;
                ro.min_camera_speed = lo > 0 ? static_cast<float>(lo) : ro.min_speed;
                ro.max_camera_speed = hi > 0 ? static_cast<float>(hi) : ro.max_speed;
            }
            if (config.renderer_min_object_size > 0)
                ro.min_object_size = static_cast<float>(config.renderer_min_object_size);
            if (config.renderer_max_object_size > 0)
                ro.max_object_size = static_cast<float>(config.renderer_max_object_size);
            // Clip seeds of the pool start from the run seed, so two runs with different seeds
            // also see different clips.
            auto src = std::make_shared<RendererSource>(ro, config.seed * 1000003ull,
                                                        static_cast<size_t>(config.renderer_clips));
            const auto [camera_lo, camera_hi] = ro.camera_speed_range();
            sources.push_back({{"kind", "renderer"}, {"clips", config.renderer_clips},
                               {"photo_augment", ro.photo_augment},
                               {"object_motions", config.renderer_object_motions},
                               {"camera_motions", config.renderer_camera_motions},
                               {"colours", config.renderer_colours},
                               {"camera_share", ro.camera_share},
                               {"speed", {ro.min_speed, ro.max_speed}},
                               {"camera_speed", {camera_lo, camera_hi}},
                               {"object_size", {ro.min_object_size, ro.max_object_size}},
                               {"photos", ro.photos ? ro.photos->size() : 0}});
            data.sources.push_back(src);
        } else {
            if (!std::filesystem::exists(name))
                throw_io("data source '" + name + "': no such captions file");
            VideoSourceOptions vo;
            vo.fps = config.fps;
            vo.width = width;
            vo.height = height;
            vo.cache_dir = config.data_cache.empty()    ? config.out_dir + "/clip-cache"
                           : config.data_cache == "none" ? std::string()  // no cache
                                                         : config.data_cache;
            vo.log = report;
            auto src = std::make_shared<VideoSource>(name, vo);
            data.skipped += src->skipped();
            report(name + ": " + std::to_string(src->size()) + " clip(s), " +
                   std::to_string(src->skipped()) + " line(s) or video(s) skipped");
            sources.push_back({{"kind", "videos"}, {"captions", name}, {"clips", src->size()},
                               {"skipped", src->skipped()}});
            data.sources.push_back(src);
        }
    }
    SampleDrawerOptions so;
    so.p_continue = config.p_mode_continue;
    so.p_animate = config.p_mode_animate;
    so.p_t2v = config.p_mode_t2v;
    so.anchor_window = static_cast<int>(config.anchor_window);
    so.seed = config.seed;
    so.source_weights = parse_weights("data_weights", config.data_weights);
    so.mode_source_weights = {parse_weights("data_weights_continue", config.data_weights_continue),
                              parse_weights("data_weights_animate", config.data_weights_animate),
                              parse_weights("data_weights_t2v", config.data_weights_t2v)};
    data.drawer = std::make_shared<SampleDrawer>(data.sources, so);
    desc["sources"] = sources;
    if (!so.source_weights.empty()) desc["weights"] = so.source_weights;
    for (int m = 0; m < 3; ++m)
        if (!so.mode_source_weights[size_t(m)].empty())
            desc[std::string("weights_") + sample_mode_name(SampleMode(m))] = so.mode_source_weights[size_t(m)];
    data.description = desc.dump();
    return data;
}

std::vector<TrainSample> draw_samples(const SampleDrawer &drawer, uint64_t first, int64_t count,
                                      WorkerPool &pool) {
    std::vector<TrainSample> samples(static_cast<size_t>(std::max<int64_t>(count, 0)));
    pool.run(count, [&](int64_t i) { samples[size_t(i)] = drawer.sample(first + uint64_t(i)); });
    return samples;
}

std::vector<std::string> training_captions(const TrainingData &data) {
    std::vector<std::string> captions;
    for (const auto &src : data.sources) {
        if (auto *r = dynamic_cast<const RendererSource *>(src.get())) {
            for (size_t i = 0; i < r->size(); ++i)
                captions.push_back(caption_of(r->spec(i), r->options().photos.get()));
        } else {
            for (size_t i = 0; i < src->size(); ++i) captions.push_back(src->clip(i)->caption);
        }
    }
    return captions;
}

}  // namespace artv
