// The text tokenizer: a sentencepiece unigram model (.model file next to the weights;
// files.tokenizer), read and run natively.
//
// Why not libsentencepiece: Debian's libsentencepiece embeds its own protobuf runtime and
// exports its symbols, while Debian's LibTorch loads the system libprotobuf; in one process one
// of the two crashes, whichever comes first in the link order (see configure.ac). A unigram
// model is a list of scored pieces plus a normalizer, so this file reads the ModelProto
// (sentencepiece_model.proto) itself and segments with the same Viterbi search as
// sentencepiece's unigram_model.cc; tests/test_tokenizer.cpp checks the ids against
// `spm_encode`.
//
// encode() gives what the text encoder takes, like open_clip's tokenize() (SD2): BOS, the
// pieces' ids, EOS, padded to context_length with the pad id; a longer text is truncated so that
// EOS is still the last token. The ids come from the model file: BOS/EOS must be defined there;
// the pad id is the model's <pad> if it has one, else EOS.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace artv {

class Tokenizer {
public:
    // Missing or unreadable file: ARTV_ERR_IO; not a sentencepiece model, not unigram, or
    // without BOS/EOS: ARTV_ERR_FORMAT. Messages name the file.
    static Tokenizer load(const std::string &path, int context_length);
    // From the bytes of a .model file (a serialized ModelProto); `origin` names it in errors.
    static Tokenizer from_bytes(const std::string &model_proto, int context_length,
                                const std::string &origin);

    // BOS + ids + EOS, padded to context_length; truncated with EOS last.
    std::vector<int64_t> encode(const std::string &text) const;
    // The ids of the pieces only (no BOS/EOS/padding), as spm_encode --output_format=id.
    std::vector<int> pieces(const std::string &text) const;
    // Text of the ids (BOS/EOS/pad and other control pieces skipped).
    std::string decode(const std::vector<int64_t> &ids) const;

    int vocab_size() const;
    int context_length() const { return context_length_; }
    int bos_id() const { return bos_; }
    int eos_id() const { return eos_; }
    int pad_id() const { return pad_; }
    // The model file's bytes, to write it next to saved weights.
    const std::string &model_proto() const { return proto_; }
    void save(const std::string &path) const;

    Tokenizer(Tokenizer &&) noexcept;
    Tokenizer &operator=(Tokenizer &&) noexcept;
    ~Tokenizer();

    struct Model; // the parsed model (tokenizer.cpp)

private:
    Tokenizer();
    std::unique_ptr<Model> model_;
    std::string proto_;
    int context_length_ = 0;
    int bos_ = -1, eos_ = -1, pad_ = -1;
};

} // namespace artv
