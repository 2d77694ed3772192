// Message digests used by the {s.md5}, {s.sha256}, {s.sha384} and {s.sha512} transformations
// (and available to anything else that needs them): MD5, SHA-1, SHA-256, SHA-384 and SHA-512,
// computed by GNU Nettle (Debian nettle-dev). No allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphon::pv {

void md5(std::string_view data, uint8_t out[16]);
void sha1(std::string_view data, uint8_t out[20]);
void sha256(std::string_view data, uint8_t out[32]);
void sha384(std::string_view data, uint8_t out[48]);
void sha512(std::string_view data, uint8_t out[64]);

// Lowercase hex of `n` bytes into `out` (2 * n chars, not NUL-terminated).
void hex_lower(const uint8_t* in, size_t n, char* out);

}  // namespace siphon::pv
