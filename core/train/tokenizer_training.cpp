#include "train/tokenizer_training.h"

#include <cstdio>
#include <fstream>
#include <unordered_map>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "util/error.h"

namespace artv {
namespace {

class CaptionIterator : public sentencepiece::SentenceIterator {
public:
    explicit CaptionIterator(const std::vector<std::string> &captions) : captions_(captions) { skip(); }
    bool done() const override { return i_ >= captions_.size(); }
    void Next() override {
        ++i_;
        skip();
    }
    const std::string &value() const override { return captions_[i_]; }
    sentencepiece::util::Status status() const override { return {}; }

private:
    void skip() {
        while (i_ < captions_.size() && captions_[i_].empty()) ++i_;
    }
    const std::vector<std::string> &captions_;
    size_t i_ = 0;
};

}  // namespace

int64_t train_tokenizer(const std::vector<std::string> &captions, const TokenizerTrainOptions &options,
                        const std::string &out_path) {
    size_t usable = 0;
    for (const auto &c : captions) usable += !c.empty();
    if (usable == 0) throw_invalid("tokenizer: no captions to train on");
    if (options.vocab_size < 8) throw_invalid("tokenizer: vocab_size must be >= 8");
    std::unordered_map<std::string, std::string> args = {
        {"model_type", options.model_type},
        {"vocab_size", std::to_string(options.vocab_size)},
        {"character_coverage", "1.0"},
        {"normalization_rule_name", "identity"},
        {"hard_vocab_limit", options.hard_vocab_limit ? "true" : "false"},
        {"num_threads", "1"},
        {"minloglevel", "1"},
        {"input_sentence_size", "0"},
        {"max_sentence_length", "16384"},
    };
    CaptionIterator it(captions);
    std::string proto;
    auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
    if (!status.ok()) throw_format(std::string("tokenizer training failed: ") + status.ToString());

    sentencepiece::SentencePieceProcessor check;
    if (!check.LoadFromSerializedProto(proto).ok())
        throw_format("tokenizer training produced a model sentencepiece cannot load");

    const std::string tmp = out_path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(proto.data(), static_cast<std::streamsize>(proto.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            throw_io("cannot write the tokenizer " + out_path);
        }
    }
    if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw_io("cannot write the tokenizer " + out_path);
    }
    return check.GetPieceSize();
}

}  // namespace artv
