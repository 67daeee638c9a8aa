// Stage "tokenizer": a sentencepiece model trained on the captions of the training data, through
// the library API (sentencepiece::SentencePieceTrainer::Train with a sentence iterator, so the
// captions never go through a temporary text file). Same settings as the committed test
// tokenizer (models/test-tiny/README.md): identity normalisation (the NFKC table alone is
// 237 KB), full character coverage, one thread (deterministic).
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
};

// Trains on `captions` and writes the model to `out_path` atomically (temporary + rename).
// Empty captions are left out; no caption at all, or a vocab_size the text encoder cannot hold,
// is ARTV_ERR_INVALID_ARGUMENT; a sentencepiece failure is ARTV_ERR_FORMAT with its message;
// the file cannot be written: ARTV_ERR_IO. Returns the vocabulary size of the written model.
int64_t train_tokenizer(const std::vector<std::string> &captions, const TokenizerTrainOptions &options,
                        const std::string &out_path);

}  // namespace artv
