// A sentencepiece unigram tokenizer without libsentencepiece (see tokenizer.h for why).
//
// Three steps, as sentencepiece does them:
//  1. read the ModelProto (sentencepiece_model.proto: pieces = 1 {piece = 1, score = 2,
//     type = 3}, trainer_spec = 2, normalizer_spec = 3) from the protobuf wire format;
//  2. normalize (normalizer.cc Normalizer::Normalize): the precompiled character map (a
//     darts-clone double-array trie of replacement rules, longest match wins), leading,
//     trailing and repeated spaces removed, a dummy "▁" prefix, spaces escaped to "▁";
//  3. segment (unigram_model.cc): Viterbi over all pieces that match at each position, with the
//     piece scores as log-probabilities; a character no piece covers becomes <unk> with score
//     min_score - 10 (kUnkPenalty), consecutive unknowns fuse into one <unk>, or with
//     byte_fallback become their UTF-8 bytes' <0xXX> pieces.
#include "io/tokenizer.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "util/error.h"

namespace artv {

namespace {

const std::string kSpaceSymbol = "\xe2\x96\x81"; // U+2581, sentencepiece's escaped space

enum PieceType { NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6 };

// The protobuf wire format, just enough for ModelProto.
class WireReader {
public:
    WireReader(std::string_view bytes, const std::string &origin)
        : p_(reinterpret_cast<const uint8_t *>(bytes.data())), end_(p_ + bytes.size()), origin_(origin) {}
    bool done() const { return p_ >= end_; }
    // Next field: number and wire type.
    std::pair<uint32_t, int> key() {
        uint64_t k = varint();
        return {static_cast<uint32_t>(k >> 3), static_cast<int>(k & 7)};
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ >= end_) broken("truncated number");
            uint8_t b = *p_++;
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        broken("overlong number");
    }
    std::string_view bytes() {
        uint64_t n = varint();
        if (n > static_cast<uint64_t>(end_ - p_)) broken("truncated field");
        std::string_view s(reinterpret_cast<const char *>(p_), n);
        p_ += n;
        return s;
    }
    float fixed32_float() {
        if (end_ - p_ < 4) broken("truncated field");
        uint32_t u = uint32_t(p_[0]) | uint32_t(p_[1]) << 8 | uint32_t(p_[2]) << 16 | uint32_t(p_[3]) << 24;
        p_ += 4;
        float f;
        std::memcpy(&f, &u, 4);
        return f;
    }
    void skip(int wire) {
        switch (wire) {
        case 0: varint(); break;
        case 1: advance(8); break;
        case 2: bytes(); break;
        case 5: advance(4); break;
        default: broken("unsupported protobuf wire type " + std::to_string(wire));
        }
    }
    int32_t int32() { return static_cast<int32_t>(static_cast<int64_t>(varint())); }
    void expect(int wire, int want, const char *field) {
        if (wire != want) broken(std::string("field ") + field + " has the wrong wire type");
    }
    [[noreturn]] void broken(const std::string &what) const {
        throw_format("tokenizer " + origin_ + " is not a valid sentencepiece model (" + what + ")");
    }

private:
    void advance(size_t n) {
        if (static_cast<size_t>(end_ - p_) < n) broken("truncated field");
        p_ += n;
    }
    const uint8_t *p_, *end_;
    const std::string &origin_;
};

// Length of the UTF-8 character at s[0] (1 for a malformed byte, as sentencepiece consumes it).
size_t utf8_length(std::string_view s, bool *valid) {
    const auto c = static_cast<unsigned char>(s[0]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n != 0 && n <= s.size();
    for (size_t i = 1; ok && i < n; ++i) ok = (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80;
    if (valid) *valid = ok;
    return ok ? n : 1;
}

} // namespace

struct Tokenizer::Model {
    struct Piece {
        std::string text;
        float score = 0;
        int type = NORMAL;
    };
    std::vector<Piece> pieces;
    int model_type = 1; // UNIGRAM
    int unk_id = 0, bos_id = 1, eos_id = 2, pad_id = -1;
    bool byte_fallback = false, whitespace_as_suffix = false;
    std::string unk_surface = " \xE2\x81\x87 ";
    // Normalizer.
    std::string charsmap;
    bool add_dummy_prefix = true, remove_extra_whitespaces = true, escape_whitespaces = true;
    std::vector<uint32_t> trie;  // double-array units of the character map
    std::string replacements;    // '\0'-terminated replacement strings the trie points into
    // Segmentation.
    std::unordered_map<std::string, int> candidates; // NORMAL and USER_DEFINED pieces -> id
    std::vector<std::string> user_defined;           // matched verbatim by the normalizer
    size_t max_piece_bytes = 0;
    float min_score = 0, max_score = 0;
    int byte_piece[256];

    void parse(std::string_view proto, const std::string &origin);
    void index(const std::string &origin);
    std::pair<std::string_view, size_t> normalize_prefix(std::string_view in) const;
    std::string normalize(std::string_view text) const;
    std::vector<int> segment(const std::string &normalized) const;
};

void Tokenizer::Model::parse(std::string_view proto, const std::string &origin) {
    WireReader r(proto, origin);
    while (!r.done()) {
        auto [field, wire] = r.key();
        if (field == 1) { // pieces
            r.expect(wire, 2, "pieces");
            WireReader pr(r.bytes(), origin);
            Piece p;
            while (!pr.done()) {
                auto [f, w] = pr.key();
                if (f == 1 && w == 2) p.text = std::string(pr.bytes());
                else if (f == 2 && w == 5) p.score = pr.fixed32_float();
                else if (f == 3 && w == 0) p.type = pr.int32();
                else pr.skip(w);
            }
            pieces.push_back(std::move(p));
        } else if (field == 2) { // trainer_spec
            r.expect(wire, 2, "trainer_spec");
            WireReader tr(r.bytes(), origin);
            while (!tr.done()) {
                auto [f, w] = tr.key();
                if (w == 0 && f == 3) model_type = tr.int32();
                else if (w == 0 && f == 24) whitespace_as_suffix = tr.varint() != 0;
                else if (w == 0 && f == 35) byte_fallback = tr.varint() != 0;
                else if (w == 0 && f == 40) unk_id = tr.int32();
                else if (w == 0 && f == 41) bos_id = tr.int32();
                else if (w == 0 && f == 42) eos_id = tr.int32();
                else if (w == 0 && f == 43) pad_id = tr.int32();
                else if (w == 2 && f == 44) unk_surface = std::string(tr.bytes());
                else tr.skip(w);
            }
        } else if (field == 3) { // normalizer_spec
            r.expect(wire, 2, "normalizer_spec");
            WireReader nr(r.bytes(), origin);
            while (!nr.done()) {
                auto [f, w] = nr.key();
                if (w == 2 && f == 2) charsmap = std::string(nr.bytes());
                else if (w == 0 && f == 3) add_dummy_prefix = nr.varint() != 0;
                else if (w == 0 && f == 4) remove_extra_whitespaces = nr.varint() != 0;
                else if (w == 0 && f == 5) escape_whitespaces = nr.varint() != 0;
                else nr.skip(w);
            }
        } else {
            r.skip(wire);
        }
    }
}

void Tokenizer::Model::index(const std::string &origin) {
    auto bad = [&](const std::string &what) { throw_format("tokenizer " + origin + ": " + what); };
    if (pieces.empty()) bad("the model has no pieces (not a sentencepiece model?)");
    if (model_type != 1)
        bad("model type " + std::to_string(model_type) + " is not supported; ARTV reads unigram models " +
            "(spm_train --model_type=unigram)");
    const int n = static_cast<int>(pieces.size());
    for (int id : {unk_id, bos_id, eos_id, pad_id})
        if (id >= n) bad("special id " + std::to_string(id) + " is outside the " + std::to_string(n) + " pieces");
    if (unk_id < 0 || pieces[unk_id].type != UNKNOWN) bad("<unk> is not defined");

    std::fill(std::begin(byte_piece), std::end(byte_piece), -1);
    min_score = std::numeric_limits<float>::max();
    max_score = std::numeric_limits<float>::lowest();
    for (int id = 0; id < n; ++id) {
        const Piece &p = pieces[id];
        if (p.text.empty()) bad("piece " + std::to_string(id) + " is empty");
        if (p.type == NORMAL || p.type == USER_DEFINED) {
            if (!candidates.emplace(p.text, id).second) bad("piece '" + p.text + "' occurs twice");
            max_piece_bytes = std::max(max_piece_bytes, p.text.size());
            if (p.type == USER_DEFINED) user_defined.push_back(p.text);
        }
        if (p.type == NORMAL) {
            // A -inf score makes <unk>'s score -inf too, and segmentation could then emit id -1.
            if (!std::isfinite(p.score)) bad("piece '" + p.text + "' has a score that is not finite");
            min_score = std::min(min_score, p.score);
            max_score = std::max(max_score, p.score);
        }
        if (p.type == BYTE) {
            unsigned v = 0;
            if (p.text.size() != 6 || std::sscanf(p.text.c_str(), "<0x%2X>", &v) != 1 || v > 255)
                bad("byte piece '" + p.text + "' is malformed");
            byte_piece[v] = id;
        }
    }
    if (candidates.empty()) bad("the model has no normal pieces");
    if (byte_fallback)
        for (int v = 0; v < 256; ++v)
            if (byte_piece[v] < 0) bad("byte_fallback is on but byte piece " + std::to_string(v) + " is missing");

    // Precompiled character map: <uint32 trie size in bytes><trie units><replacement strings>.
    if (!charsmap.empty()) {
        uint32_t trie_bytes = 0;
        if (charsmap.size() <= 4) bad("the normalization rules are broken");
        std::memcpy(&trie_bytes, charsmap.data(), 4);
        if (trie_bytes % 4 != 0 || trie_bytes >= charsmap.size() - 4 || trie_bytes == 0)
            bad("the normalization rules are broken");
        trie.resize(trie_bytes / 4);
        std::memcpy(trie.data(), charsmap.data() + 4, trie_bytes);
        replacements = charsmap.substr(4 + trie_bytes);
        if (replacements.empty() || replacements.back() != '\0') replacements.push_back('\0');
    }
}

// Normalizer::NormalizePrefix: the replacement of the longest rule matching a prefix of `in`
// (darts-clone commonPrefixSearch), else the first UTF-8 character as it is (U+FFFD for a
// malformed byte). User-defined pieces pass through unchanged. Returns (text, bytes consumed).
std::pair<std::string_view, size_t> Tokenizer::Model::normalize_prefix(std::string_view in) const {
    size_t user_len = 0;
    for (const auto &u : user_defined)
        if (u.size() > user_len && in.substr(0, u.size()) == u) user_len = u.size();
    if (user_len) return {in.substr(0, user_len), user_len};

    size_t best_len = 0;
    uint32_t best_value = 0;
    if (!trie.empty()) {
        // Unit layout (darts-clone DoubleArrayUnit): bit 8 has_leaf, bits 0-7 (+31) label,
        // value = low 31 bits, offset = (unit >> 10) << ((unit & 512) >> 6).
        auto offset = [](uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); };
        size_t id = 0;
        uint32_t unit = trie[0];
        id ^= offset(unit);
        for (size_t i = 0; i < in.size(); ++i) {
            const auto c = static_cast<unsigned char>(in[i]);
            id ^= c;
            if (id >= trie.size()) break;
            unit = trie[id];
            if ((unit & ((1u << 31) | 0xff)) != c) break;
            id ^= offset(unit);
            if (id >= trie.size()) break;
            if ((unit >> 8) & 1) {
                best_len = i + 1; // later matches are longer
                best_value = trie[id] & ((1u << 31) - 1);
            }
        }
    }
    if (best_len && best_value < replacements.size())
        return {std::string_view(replacements.c_str() + best_value), best_len};
    bool valid = false;
    size_t n = utf8_length(in, &valid);
    if (!valid) return {"\xEF\xBF\xBD", 1};
    return {in.substr(0, n), n};
}

// Normalizer::Normalize (without the offsets map).
std::string Tokenizer::Model::normalize(std::string_view in) const {
    std::string out;
    if (remove_extra_whitespaces)
        while (!in.empty()) {
            auto [sp, n] = normalize_prefix(in);
            if (sp != " ") break;
            in.remove_prefix(n);
        }
    if (in.empty()) return out;
    const std::string space = escape_whitespaces ? kSpaceSymbol : " ";
    if (!whitespace_as_suffix && add_dummy_prefix) out += space;
    bool prev_space = remove_extra_whitespaces;
    while (!in.empty()) {
        auto [sp, n] = normalize_prefix(in);
        while (prev_space && !sp.empty() && sp[0] == ' ') sp.remove_prefix(1);
        if (!sp.empty()) {
            for (char c : sp) {
                if (c == ' ' && escape_whitespaces) out += kSpaceSymbol;
                else out += c;
            }
            prev_space = sp.back() == ' ';
        }
        in.remove_prefix(n);
        if (!remove_extra_whitespaces) prev_space = false;
    }
    if (remove_extra_whitespaces)
        while (out.size() >= space.size() && out.compare(out.size() - space.size(), space.size(), space) == 0)
            out.resize(out.size() - space.size());
    if (whitespace_as_suffix && add_dummy_prefix) out += space;
    return out;
}

// unigram_model.cc: Viterbi over the lattice of matching pieces (best total score; on ties the
// first candidate found, shortest first), unknown characters as above.
std::vector<int> Tokenizer::Model::segment(const std::string &s) const {
    const size_t n = s.size();
    const float unk_score = min_score - 10.0f;
    struct Best {
        double score = -std::numeric_limits<double>::infinity();
        size_t start = 0;
        int id = -1;
    };
    std::vector<Best> best(n + 1);
    best[0].score = 0;
    for (size_t pos = 0; pos < n; ++pos) {
        if (best[pos].score == -std::numeric_limits<double>::infinity()) continue;
        const size_t char_len = utf8_length(std::string_view(s).substr(pos), nullptr);
        bool has_single = false;
        for (size_t len = 1; len <= max_piece_bytes && pos + len <= n; ++len) {
            auto it = candidates.find(s.substr(pos, len));
            if (it == candidates.end()) continue;
            const Piece &p = pieces[it->second];
            double score = p.score;
            if (p.type == USER_DEFINED) { // always preferred (length in characters)
                size_t chars = 0;
                for (size_t i = 0; i < len; i += utf8_length(std::string_view(p.text).substr(i), nullptr)) ++chars;
                score = static_cast<double>(chars) * max_score - 0.1;
            }
            if (len == char_len) has_single = true;
            double total = best[pos].score + score;
            if (total > best[pos + len].score) best[pos + len] = {total, pos, it->second};
        }
        if (!has_single) {
            double total = best[pos].score + unk_score;
            if (total > best[pos + char_len].score) best[pos + char_len] = {total, pos, unk_id};
        }
    }
    std::vector<std::pair<size_t, int>> path; // (start, id), back to front
    for (size_t pos = n; pos > 0; pos = best[pos].start) path.emplace_back(best[pos].start, best[pos].id);
    std::vector<int> ids;
    bool prev_unk = false;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
        const size_t start = it->first;
        const size_t end = (it + 1 != path.rend()) ? (it + 1)->first : n;
        if (it->second == unk_id && byte_fallback) {
            for (size_t i = start; i < end; ++i) ids.push_back(byte_piece[static_cast<unsigned char>(s[i])]);
        } else if (it->second == unk_id) {
            if (!prev_unk) ids.push_back(unk_id); // consecutive unknowns fuse
        } else {
            ids.push_back(it->second);
        }
        prev_unk = it->second == unk_id;
    }
    return ids;
}

Tokenizer::Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer &&) noexcept = default;
Tokenizer &Tokenizer::operator=(Tokenizer &&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::string &path, int context_length) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_io("cannot open tokenizer " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw_io("cannot read tokenizer " + path);
    return from_bytes(ss.str(), context_length, path);
}

Tokenizer Tokenizer::from_bytes(const std::string &model_proto, int context_length,
                                const std::string &origin) {
    if (context_length < 3) throw_invalid("tokenizer context length must be at least 3");
    if (model_proto.empty()) throw_format("tokenizer " + origin + " is empty");
    Tokenizer t;
    t.model_ = std::make_unique<Model>();
    t.model_->parse(model_proto, origin);
    t.model_->index(origin);
    t.proto_ = model_proto;
    t.context_length_ = context_length;
    t.bos_ = t.model_->bos_id;
    t.eos_ = t.model_->eos_id;
    t.pad_ = t.model_->pad_id;
    if (t.bos_ < 0 || t.eos_ < 0)
        throw_format("tokenizer " + origin + " defines no BOS/EOS pieces (train it with " +
                     "--bos_id and --eos_id >= 0)");
    if (t.pad_ < 0) t.pad_ = t.eos_;
    return t;
}

std::vector<int> Tokenizer::pieces(const std::string &text) const {
    return model_->segment(model_->normalize(text));
}

std::vector<int64_t> Tokenizer::encode(const std::string &text) const {
    std::vector<int> ids = pieces(text);
    std::vector<int64_t> out;
    out.reserve(context_length_);
    out.push_back(bos_);
    for (int id : ids) {
        if (static_cast<int>(out.size()) == context_length_ - 1) break;
        out.push_back(id);
    }
    out.push_back(eos_);
    while (static_cast<int>(out.size()) < context_length_) out.push_back(pad_);
    return out;
}

std::string Tokenizer::decode(const std::vector<int64_t> &ids) const {
    std::string text;
    for (int64_t id : ids) {
        if (id < 0 || id >= vocab_size()) continue;
        const Model::Piece &p = model_->pieces[id];
        if (p.type == CONTROL || p.type == UNUSED) continue;
        if (p.type == UNKNOWN) text += model_->unk_surface;
        else if (p.type == BYTE) text += static_cast<char>(std::stoi(p.text.substr(3, 2), nullptr, 16));
        else text += p.text;
    }
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text.compare(i, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
            out += ' ';
            i += kSpaceSymbol.size();
        } else {
            out += text[i++];
        }
    }
    if (model_->add_dummy_prefix && !out.empty() && out[0] == ' ') out.erase(0, 1);
    return out;
}

int Tokenizer::vocab_size() const { return static_cast<int>(model_->pieces.size()); }

void Tokenizer::save(const std::string &path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(proto_.data(), static_cast<std::streamsize>(proto_.size()));
    out.close();
    if (!out) throw_io("cannot write tokenizer " + path);
}

} // namespace artv
