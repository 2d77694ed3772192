#include "pv/digest.h"

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

namespace siphon::pv {

namespace {

const uint8_t* bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

}  // namespace

void md5(std::string_view data, uint8_t out[16]) {
    md5_ctx c;
    md5_init(&c);
    md5_update(&c, data.size(), bytes(data));
    md5_digest(&c, MD5_DIGEST_SIZE, out);
}

void sha1(std::string_view data, uint8_t out[20]) {
    sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, data.size(), bytes(data));
    sha1_digest(&c, SHA1_DIGEST_SIZE, out);
}

void sha256(std::string_view data, uint8_t out[32]) {
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, data.size(), bytes(data));
    sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void sha384(std::string_view data, uint8_t out[48]) {
    sha384_ctx c;
    sha384_init(&c);
    sha384_update(&c, data.size(), bytes(data));
    sha384_digest(&c, SHA384_DIGEST_SIZE, out);
}

void sha512(std::string_view data, uint8_t out[64]) {
    sha512_ctx c;
    sha512_init(&c);
    sha512_update(&c, data.size(), bytes(data));
    sha512_digest(&c, SHA512_DIGEST_SIZE, out);
}

void hex_lower(const uint8_t* in, size_t n, char* out) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        out[2 * i] = kHex[in[i] >> 4];
        out[2 * i + 1] = kHex[in[i] & 0x0f];
    }
}

}  // namespace siphon::pv
