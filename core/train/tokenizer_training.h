// Stage "tokenizer": a sentencepiece model trained on the captions of the training data. Same
// settings as the committed test tokenizer (models/test-tiny/README.md): identity normalisation
// (the NFKC table alone is 237 KB), full character coverage, one thread (deterministic).
//
// The training runs in Debian's `spm_train` program (package sentencepiece), not through the
// library's SentencePieceTrainer::Train: Debian's libsentencepiece carries protobuf code built
// against its own protobuf 3.14, and in a process that also loads LibTorch (which needs the
// system's libprotobuf 3.21, linked first: configure.ac) its first message aborts with
// "compiled against version 3.14.0 ... not compatible with the installed version (3.21.12)".
// (The engine reads .model files with its own parser, io/tokenizer.h, for the same reason.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace artv {

struct TokenizerTrainOptions {
    int64_t vocab_size = 512;
    std::string model_type = "unigram";  // "unigram", "bpe", "word", "char"
    // A vocabulary larger than the captions allow is shrunk instead of being an error.
    bool hard_vocab_limit = false;
    // The trainer program ("" = $ARTV_SPM_TRAIN, else spm_train from PATH).
    std::string spm_train;
};

// Trains on `captions` (line breaks inside a caption become spaces; empty ones are left out)
// and writes the model to `out_path` atomically (temporary + rename). No caption at all or a
// vocab_size < 8 is ARTV_ERR_INVALID_ARGUMENT; spm_train missing or failing is ARTV_ERR_IO with
// its last message; the result not loadable is ARTV_ERR_FORMAT. Returns the vocabulary size
// of the written model.
int64_t train_tokenizer(const std::vector<std::string> &captions, const TokenizerTrainOptions &options,
                        const std::string &out_path);

}  // namespace artv
