// libFuzzer target: a whole safetensors file in memory (core/io/safetensors.h,
// parse_safetensors, which SafeTensorsFile::open runs on its mapping). What it accepts must be
// views that tile the data buffer exactly and agree with their shapes.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    artv::SafeTensorsContents c;
    if (!artv::fuzz::accepts([&] { c = artv::parse_safetensors(data, size, "fuzz input"); }))
        return 0;
    const uint8_t *end = data + size;
    // The data buffer ends the file: walking the tensors backwards from the end must land on
    // the byte after the header.
    const uint8_t *next = end;
    for (size_t i = c.tensors.size(); i-- > 0;) {
        const artv::TensorView &t = c.tensors[i];
        ARTV_FUZZ_REQUIRE(t.data + t.nbytes == next);
        next = t.data;
        ARTV_FUZZ_REQUIRE(t.numel() >= 0);
        ARTV_FUZZ_REQUIRE(static_cast<uint64_t>(t.numel()) * artv::dtype_size(t.dtype) == t.nbytes);
        // Read the first and last byte, so AddressSanitizer sees a view outside the input.
        if (t.nbytes > 0) {
            volatile uint8_t first = t.data[0], last = t.data[t.nbytes - 1];
            (void)first;
            (void)last;
        }
    }
    ARTV_FUZZ_REQUIRE(size >= 8 && next >= data + 8 && next <= end);
    uint64_t header_size = 0;
    for (int i = 7; i >= 0; i--) header_size = (header_size << 8) | data[i];
    ARTV_FUZZ_REQUIRE(next == data + 8 + header_size);
    return 0;
}
