#include "eval/eval_report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "util/error.h"

namespace artv {

namespace {

using json = nlohmann::ordered_json;

// A table cell: numbers with 3 significant decimals, shares as percentages, null as "–".
std::string cell(const json &v, bool percent) {
    if (v.is_null()) return "–";
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    if (v.is_string()) return v.get<std::string>();
    if (!v.is_number()) return v.dump();
    char buf[64];
    const double d = v.get<double>();
    if (percent) std::snprintf(buf, sizeof buf, "%.1f%%", 100 * d);
    else if (v.is_number_integer()) std::snprintf(buf, sizeof buf, "%lld", v.get<long long>());
    else std::snprintf(buf, sizeof buf, "%.3f", d);
    return buf;
}

struct Row {
    const char *key, *label;
    bool percent;
};

// The picture-kept rows of the suites that report them (camera, continuation).
std::vector<Row> with_picture_kept(std::vector<Row> rows) {
    rows.insert(rows.end(), {{"picture_kept", "picture kept: edge match of the first frame", false},
                             {"picture_kept_vae", "the same, VAE round trip of the truth", false},
                             {"picture_kept_frozen", "the same, last fed frame", false}});
    return rows;
}

// Rows = metrics, columns = the modes present in the suite.
void mode_table(std::ostringstream &md, const json &suite, const std::vector<Row> &rows) {
    std::vector<std::string> modes;
    for (const char *m : {"continue", "animate", "t2v"})
        if (suite.contains(m)) modes.push_back(m);
    if (modes.empty()) return;
    md << "| metric |";
    for (const auto &m : modes) md << ' ' << m << " |";
    md << "\n|---|";
    for (size_t i = 0; i < modes.size(); ++i) md << "---|";
    md << '\n';
    for (const Row &r : rows) {
        // A figure no mode has (e.g. one an option turns on) gets no row.
        if (std::none_of(modes.begin(), modes.end(), [&](const std::string &m) { return suite[m].contains(r.key); }))
            continue;
        md << "| " << r.label << " |";
        for (const auto &m : modes)
            md << ' ' << (suite[m].contains(r.key) ? cell(suite[m][r.key], r.percent) : "–") << " |";
        md << '\n';
    }
    md << '\n';
}

}  // namespace

std::string report_markdown(const json &report) {
    std::ostringstream md;
    md << "# artv eval\n\n";
    if (report.contains("model")) md << "Model: `" << report["model"].get<std::string>() << "`\n\n";
    if (report.contains("settings")) {
        md << "| setting | value |\n|---|---|\n";
        for (const auto &[k, v] : report["settings"].items()) md << "| " << k << " | " << cell(v, false) << " |\n";
        md << '\n';
    }
    const json suites = report.value("suites", json::object());
    auto section = [&](const char *name, const char *title) -> const json * {
        if (!suites.contains(name)) return nullptr;
        md << "## " << title << "\n\n";
        const json &s = suites[name];
        if (s.contains("skipped")) {
            md << "Skipped: " << s["skipped"].get<std::string>() << "\n\n";
            return nullptr;
        }
        return &s;
    };
    if (const json *s = section("object", "Object motion (held-out synthetic prompts)"))
        mode_table(md, *s, {{"clips", "clips", false},
                            {"direction_accuracy", "direction accuracy", true},
                            {"persistence", "persistence", true},
                            {"colour_fidelity", "colour fidelity", true},
                            {"colour_error", "colour error (RGB distance)", false},
                            {"foreground_frames", "frames with a foreground object", true},
                            {"vae_direction_accuracy", "the true frames through the VAE: direction accuracy", true},
                            {"vae_persistence", "… their persistence", true}});
    if (const json *s = section("camera", "Camera motion (pans and tilts over held-out photos)"))
        mode_table(md, *s, with_picture_kept({{"clips", "clips", false},
                                              {"direction_accuracy", "direction accuracy", true},
                                              {"mean_shift_per_frame", "mean shift per frame (px)", false}}));
    if (const json *s = section("continuation", "Motion continuation (panned held-out photos)"))
        mode_table(md, *s, with_picture_kept({{"clips", "clips", false},
                                              {"kept", "direction kept, speed within ±50%", true},
                                              {"keeps_direction", "direction kept", true},
                                              {"keeps_speed", "speed within ±50%", true},
                                              {"mean_speed_ratio", "mean speed / shown speed", false},
                                              {"speed_correlation", "correlation of speed with the shown speed", false},
                                              {"vae_kept", "the true next frames through the VAE: kept", true},
                                              {"vae_mean_speed_ratio", "… their mean speed / shown speed", false},
                                              {"consecutive_kept", "measured between neighbouring frames (if the stride is not 1): kept", true},
                                              {"consecutive_mean_speed_ratio", "… mean speed / shown speed", false},
                                              {"vae_consecutive_kept", "… the true frames through the VAE: kept", true}}));
    if (const json *s = section("conflict", "Text against shown motion: conflict and switch")) {
        const json &cf = (*s)["conflict"], &sw = (*s)["switch"];
        md << "| test | clips | text wins | mean frames until it wins | first prompt followed |\n|---|---|---|---|---|\n";
        md << "| conflict (continue, prompt opposite to the shown motion) | " << cell(cf["clips"], false) << " | "
           << cell(cf["text_wins"], true) << " | " << cell(cf["mean_frames_to_win"], false) << " | – |\n";
        md << "| switch (animate, schedule reverses after " << cell(sw["change_after_frames"], false) << " frames) | "
           << cell(sw["clips"], false) << " | " << cell(sw["text_wins"], true) << " | "
           << cell(sw["mean_frames_to_win"], false) << " | " << cell(sw["first_prompt_direction_accuracy"], true)
           << " |\n\n";
    }
    if (const json *s = section("drift", "Drift (still scenes)"))
        mode_table(md, *s, {{"clips", "clips", false},
                            {"frames", "frames", false},
                            {"colour_shift", "colour shift of the mean vs the anchor (RGB)", false},
                            {"sharpness_ratio", "sharpness / first frame's", false},
                            {"flicker", "flicker (mean abs. difference of consecutive frames)", false}});
    if (const json *s = section("real", "Real held-out tails (continue)")) {
        if (s->contains("problems") && !(*s)["problems"].empty()) {
            md << "Not evaluated: " << (*s)["problems"].size() << " line(s) or video(s) of the captions file:\n\n";
            for (const auto &p : (*s)["problems"]) md << "- " << p.get<std::string>() << '\n';
            md << '\n';
        }
        md << "| horizon | clips | model PSNR | model SSIM | freeze PSNR | freeze SSIM | freeze+VAE PSNR | "
              "freeze+VAE SSIM |\n|---|---|---|---|---|---|---|---|\n";
        for (const auto &[h, row] : (*s)["continue"]["horizons"].items())
            md << "| " << h << " | " << cell(row["clips"], false) << " | " << cell(row["model"]["psnr"], false)
               << " | " << cell(row["model"]["ssim"], false) << " | " << cell(row["freeze_last"]["psnr"], false)
               << " | " << cell(row["freeze_last"]["ssim"], false) << " | "
               << cell(row["freeze_last_vae"]["psnr"], false) << " | " << cell(row["freeze_last_vae"]["ssim"], false)
               << " |\n";
        md << '\n';
    }
    if (const json *s = section("text_scale", "Text guidance scale (animate mode)")) {
        md << "| cfg_text | object direction | camera direction |\n|---|---|---|\n";
        for (const auto &[k, row] : s->items())
            if (row.is_object())
                md << "| " << k << " | " << cell(row["object_direction_accuracy"], true) << " | "
                   << cell(row["camera_direction_accuracy"], true) << " |\n";
        md << '\n';
    }
    return md.str();
}

std::string write_report(const json &report, const std::string &json_path) {
    const size_t slash = json_path.find_last_of('/'), dot = json_path.find_last_of('.');
    const std::string md_path = (dot != std::string::npos && (slash == std::string::npos || dot > slash))
                                    ? json_path.substr(0, dot) + ".md"
                                    : json_path + ".md";
    auto write = [](const std::string &path, const std::string &text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) throw_io("cannot write " + path);
    };
    write(json_path, report.dump(2) + "\n");
    write(md_path, report_markdown(report));
    return md_path;
}

}  // namespace artv
