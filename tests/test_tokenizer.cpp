// The sentencepiece tokenizer (core/io/tokenizer.h): BOS + pieces + EOS, padded to the context
// length, truncated with EOS last; ids taken from the model file; the pieces' ids equal those
// of sentencepiece's own `spm_encode` (a separate process: libsentencepiece cannot share one
// with LibTorch, see tokenizer.h). Uses the committed tiny model (tests/data/tiny-tokenizer.model,
// see models/test-tiny/README.md) and models trained here with `spm_train`.
#include <cstdio>
#include <cstring>
#include <limits>
#include <filesystem>
#include <sstream>

#include <torch/torch.h>

#include "io/tokenizer.h"
#include "model/artv_networks.h"
#include "model_testutil.h"
// Check defines a macro named `fail`: include it after every C++ and LibTorch header.
#include "tempdir.h"
#include "testutil.h"

using namespace artv;
using artv::test::expect_error;
using artv::test::TempDir;

START_TEST(test_encode_layout) {
    Tokenizer tok = Tokenizer::load(artv::test::tiny_tokenizer_path(), 16);
    ck_assert_int_eq(tok.vocab_size(), 64);
    ck_assert_int_ge(tok.bos_id(), 0);
    ck_assert_int_ge(tok.eos_id(), 0);

    auto pieces = tok.pieces("a red square moves left");
    ck_assert_uint_gt(pieces.size(), 0);
    auto ids = tok.encode("a red square moves left");
    ck_assert_uint_eq(ids.size(), 16);
    ck_assert_int_eq(ids[0], tok.bos_id());
    if (pieces.size() + 2 <= 16) {
        for (size_t i = 0; i < pieces.size(); ++i) ck_assert_int_eq(ids[1 + i], pieces[i]);
        ck_assert_int_eq(ids[1 + pieces.size()], tok.eos_id());
        for (size_t i = pieces.size() + 2; i < 16; ++i) ck_assert_int_eq(ids[i], tok.pad_id());
    }
    const std::string decoded = tok.decode(ids);
    ck_assert_str_eq(decoded.c_str(), "a red square moves left");

    // The empty prompt (the unconditional text): BOS, EOS, padding.
    auto empty = tok.encode("");
    ck_assert_int_eq(empty[0], tok.bos_id());
    ck_assert_int_eq(empty[1], tok.eos_id());
    for (size_t i = 2; i < 16; ++i) ck_assert_int_eq(empty[i], tok.pad_id());

    // Too long: truncated, EOS last, the kept pieces are the first ones.
    std::string long_text;
    for (int i = 0; i < 20; ++i) long_text += "a blue circle ";
    auto all = tok.pieces(long_text);
    ck_assert_uint_gt(all.size(), 14);
    auto cut = tok.encode(long_text);
    ck_assert_uint_eq(cut.size(), 16);
    ck_assert_int_eq(cut[15], tok.eos_id());
    for (size_t i = 0; i < 14; ++i) ck_assert_int_eq(cut[1 + i], all[i]);
}
END_TEST

namespace {

bool have_tool(const char *name) {
    return std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Runs spm_train with `options` into dir/prefix.model; false if spm_train is not installed.
bool spm_train(const TempDir &dir, const std::string &prefix, const std::string &options) {
    if (!have_tool("spm_train")) {
        printf("spm_train not installed (Debian package sentencepiece): part of the test skipped\n");
        return false;
    }
    std::string cmd = "spm_train --input=" + artv::test::srcdir() + "/tests/data/captions.txt --model_prefix=" +
                      dir.file(prefix) + " --character_coverage=1.0 --num_threads=1 --minloglevel=2 " + options +
                      " >/dev/null 2>&1";
    ck_assert_msg(std::system(cmd.c_str()) == 0, "spm_train failed: %s", cmd.c_str());
    return true;
}

// spm_encode's ids for each line of `lines`.
std::vector<std::vector<int>> spm_encode(const std::string &model, const TempDir &dir,
                                         const std::vector<std::string> &lines) {
    std::string in_path = dir.file("lines.txt"), out_path = dir.file("ids.txt");
    std::string text;
    for (const auto &l : lines) text += l + "\n";
    artv::test::write_file(in_path, text);
    std::string cmd = "spm_encode --model=" + model + " --output_format=id < " + in_path + " > " + out_path;
    ck_assert_msg(std::system(cmd.c_str()) == 0, "spm_encode failed");
    std::vector<std::vector<int>> out;
    std::istringstream all(artv::test::read_file(out_path));
    std::string line;
    while (std::getline(all, line)) {
        std::istringstream ls(line);
        std::vector<int> ids;
        int id;
        while (ls >> id) ids.push_back(id);
        out.push_back(ids);
    }
    return out;
}

// Our ids against spm_encode's for every caption plus awkward inputs.
void expect_same_as_spm_encode(const std::string &model, const TempDir &dir) {
    std::vector<std::string> lines;
    std::istringstream captions(artv::test::read_file(artv::test::srcdir() + "/tests/data/captions.txt"));
    for (std::string l; std::getline(captions, l);) lines.push_back(l);
    for (const char *extra : {"  leading and   inner   spaces  ", "UPPER case Words", "zebra quokka xylophone <x> quiet",
                              "caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac 42", "\xe6\x97\xa5\xe6\x9c\xac unknown", "a", "x  y"})
        lines.push_back(extra);
    auto expected = spm_encode(model, dir, lines);
    ck_assert_uint_eq(expected.size(), lines.size());
    Tokenizer tok = Tokenizer::load(model, 16);
    for (size_t i = 0; i < lines.size(); ++i) {
        auto ours = tok.pieces(lines[i]);
        std::string a, b;
        for (int v : ours) a += std::to_string(v) + " ";
        for (int v : expected[i]) b += std::to_string(v) + " ";
        ck_assert_msg(ours == expected[i], "'%s': ours [%s] vs spm_encode [%s]", lines[i].c_str(), a.c_str(), b.c_str());
    }
}

} // namespace

// The committed model (identity normalization) and models with the default NFKC rules, byte
// fallback and user-defined symbols give spm_encode's ids.
START_TEST(test_parity_with_spm_encode) {
    TempDir dir;
    if (!have_tool("spm_encode")) {
        printf("spm_encode not installed (Debian package sentencepiece): parity not checked\n");
        return;
    }
    expect_same_as_spm_encode(artv::test::tiny_tokenizer_path(), dir);
    if (spm_train(dir, "nfkc", "--vocab_size=80 --model_type=unigram"))
        expect_same_as_spm_encode(dir.file("nfkc.model"), dir);
    if (spm_train(dir, "bytes", "--vocab_size=300 --model_type=unigram --byte_fallback=true"))
        expect_same_as_spm_encode(dir.file("bytes.model"), dir);
    if (spm_train(dir, "user", "--vocab_size=70 --user_defined_symbols='<x>,qu' --normalization_rule_name=identity"))
        expect_same_as_spm_encode(dir.file("user.model"), dir);
}
END_TEST

// A model with an explicit pad piece: padding uses it; the bytes round-trip.
START_TEST(test_model_with_pad) {
    TempDir dir;
    if (!spm_train(dir, "spm", "--vocab_size=48 --normalization_rule_name=identity --pad_id=0 --unk_id=1 "
                               "--bos_id=2 --eos_id=3"))
        return;
    Tokenizer tok = Tokenizer::load(dir.file("spm.model"), 8);
    ck_assert_int_eq(tok.pad_id(), 0);
    ck_assert_int_eq(tok.bos_id(), 2);
    ck_assert_int_eq(tok.eos_id(), 3);
    auto ids = tok.encode("red");
    ck_assert_int_eq(ids[0], 2);
    ck_assert_int_eq(ids.back(), 0);

    tok.save(dir.file("copy.model"));
    Tokenizer again = Tokenizer::load(dir.file("copy.model"), 8);
    ck_assert(again.encode("a green square") == tok.encode("a green square"));
}
END_TEST

START_TEST(test_load_errors) {
    TempDir dir;
    expect_error([&] { Tokenizer::load(dir.file("none.model"), 16); }, ARTV_ERR_IO, {"none.model"});
    artv::test::write_file(dir.file("bad.model"), "this is no protobuf \xff\xfe\x01");
    expect_error([&] { Tokenizer::load(dir.file("bad.model"), 16); }, ARTV_ERR_FORMAT, {"bad.model", "sentencepiece"});
    // Truncated: the committed model cut in the middle of a piece.
    auto bytes = artv::test::read_file(artv::test::tiny_tokenizer_path());
    artv::test::write_file(dir.file("cut.model"), bytes.substr(0, bytes.size() / 2));
    expect_error([&] { Tokenizer::load(dir.file("cut.model"), 16); }, ARTV_ERR_FORMAT, {"cut.model"});
    // A normal piece with score -inf (it would make <unk>'s score -inf and segmentation emit id
    // -1): the committed model with the last piece's score set to -inf (protobuf: ModelProto
    // field 1 = a piece message, whose field 2 (tag 0x15) is the fixed32 score).
    {
        std::string m = bytes;
        size_t at = 0, last_score = std::string::npos;
        auto varint = [&](size_t &i) {
            uint64_t v = 0;
            for (int shift = 0; i < m.size(); shift += 7) {
                const uint8_t b = static_cast<uint8_t>(m[i++]);
                v |= uint64_t(b & 0x7f) << shift;
                if (!(b & 0x80)) break;
            }
            return v;
        };
        while (at < m.size() && static_cast<uint8_t>(m[at]) == 0x0a) { // field 1, length-delimited
            size_t i = at + 1;
            const size_t len = varint(i), end = i + len;
            i += 1; // the piece's field 1 (0x0a): its text
            i += varint(i);
            if (static_cast<uint8_t>(m[i]) == 0x15) last_score = i + 1;
            at = end;
        }
        ck_assert_msg(last_score != std::string::npos, "no piece score found in the tiny model");
        const float minus_inf = -std::numeric_limits<float>::infinity();
        std::memcpy(&m[last_score], &minus_inf, 4);
        artv::test::write_file(dir.file("inf.model"), m);
        expect_error([&] { Tokenizer::load(dir.file("inf.model"), 16); }, ARTV_ERR_FORMAT,
                     {"inf.model", "not finite"});
    }
    // A model without BOS/EOS cannot frame a prompt; a BPE model is not read.
    if (spm_train(dir, "nobos", "--vocab_size=40 --bos_id=-1 --eos_id=-1 --normalization_rule_name=identity"))
        expect_error([&] { Tokenizer::load(dir.file("nobos.model"), 16); }, ARTV_ERR_FORMAT, {"nobos.model", "BOS"});
    if (spm_train(dir, "bpe", "--vocab_size=60 --model_type=bpe --normalization_rule_name=identity"))
        expect_error([&] { Tokenizer::load(dir.file("bpe.model"), 16); }, ARTV_ERR_FORMAT, {"bpe.model", "unigram"});
}
END_TEST

// Through the bundle: encode_text gives [B, L, D]; the empty prompt is a valid row.
START_TEST(test_encode_text) {
    auto nets = ArtvNetworks::create_random(artv::test::test_tiny_config(), 2, torch::kCPU, torch::kFloat32,
                                            artv::test::tiny_tokenizer_path());
    torch::NoGradGuard no_grad;
    auto ids = nets->tokenize({"a red square", ""});
    ck_assert(ids.scalar_type() == torch::kLong);
    auto text = nets->encode_text({"a red square", ""});
    const auto &c = nets->config();
    ck_assert(text.sizes() == torch::IntArrayRef({2, c.text.context_length, c.text.width}));
    ck_assert(torch::isfinite(text).all().item<bool>());
    ck_assert(artv::test::max_abs_diff(text[0], text[1]) > 1e-4);
    ck_assert(torch::equal(nets->encode_tokens(ids), text));
}
END_TEST

static Suite *tokenizer_suite(void) {
    Suite *s = suite_create("tokenizer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_encode_layout);
    tcase_add_test(tc, test_parity_with_spm_encode);
    tcase_add_test(tc, test_model_with_pad);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_encode_text);
    suite_add_tcase(s, tc);
    return s;
}

ARTV_TEST_MAIN(tokenizer_suite)
