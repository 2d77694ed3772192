// Message digests used by the {s.md5}, {s.sha256}, {s.sha384} and {s.sha512} transformations
// (and available to anything else that needs them): MD5 (RFC 1321), SHA-1 (FIPS 180-4),
// SHA-256, SHA-384 and SHA-512 (FIPS 180-4). Self-contained, no allocation. Each hasher can be
// fed incrementally with update() and finished once with finish(); the one-shot helpers below
// cover the common case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace siphon::pv {

class Md5 {
public:
    static constexpr size_t kDigestSize = 16;
    Md5();
    void update(std::string_view data);
    void finish(uint8_t out[kDigestSize]);

private:
    void block(const uint8_t* p);
    uint32_t h_[4];
    uint8_t buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

class Sha1 {
public:
    static constexpr size_t kDigestSize = 20;
    Sha1();
    void update(std::string_view data);
    void finish(uint8_t out[kDigestSize]);

private:
    void block(const uint8_t* p);
    uint32_t h_[5];
    uint8_t buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

class Sha256 {
public:
    static constexpr size_t kDigestSize = 32;
    Sha256();
    void update(std::string_view data);
    void finish(uint8_t out[kDigestSize]);

private:
    void block(const uint8_t* p);
    uint32_t h_[8];
    uint8_t buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

// SHA-512 and, with `truncated384` set, SHA-384 (different initial values, 48-byte output).
class Sha512 {
public:
    static constexpr size_t kDigestSize = 64;
    explicit Sha512(bool truncated384 = false);
    void update(std::string_view data);
    // Writes 64 bytes, or 48 for SHA-384.
    void finish(uint8_t* out);
    size_t digest_size() const { return sha384_ ? 48 : 64; }

private:
    void block(const uint8_t* p);
    uint64_t h_[8];
    uint8_t buf_[128];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
    bool sha384_;
};

// One-shot digests.
void md5(std::string_view data, uint8_t out[16]);
void sha1(std::string_view data, uint8_t out[20]);
void sha256(std::string_view data, uint8_t out[32]);
void sha384(std::string_view data, uint8_t out[48]);
void sha512(std::string_view data, uint8_t out[64]);

// Lowercase hex of `n` bytes into `out` (2 * n chars, not NUL-terminated).
void hex_lower(const uint8_t* in, size_t n, char* out);

}  // namespace siphon::pv
