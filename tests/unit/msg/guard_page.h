// Test helper: puts input bytes flush against a PROT_NONE page, so that a parser reading
// even one byte past the end faults at once (the technique of h2o/picohttpparser test.c).
// The bytes are writable, for the framer's in-place chunked decoding.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace siphon::msg::testing {

class GuardedBuffer {
public:
    explicit GuardedBuffer(std::string_view bytes) : size_(bytes.size()) {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        const size_t pages = (bytes.size() + page - 1) / page;
        map_len_ = (pages + 1) * page;
        void* m = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        if (m == MAP_FAILED) std::abort();
        map_ = static_cast<char*>(m);
        char* guard = map_ + pages * page;
        if (mprotect(guard, page, PROT_NONE) != 0) std::abort();
        data_ = guard - bytes.size();
        if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
    }
    GuardedBuffer(const GuardedBuffer&) = delete;
    GuardedBuffer& operator=(const GuardedBuffer&) = delete;
    ~GuardedBuffer() { munmap(map_, map_len_); }

    char* data() { return data_; }
    size_t size() const { return size_; }
    std::string_view view() const { return {data_, size_}; }

private:
    char* map_ = nullptr;
    size_t map_len_ = 0;
    char* data_ = nullptr;
    size_t size_ = 0;
};

// gtest parameter names allow only [A-Za-z0-9_].
inline std::string param_name(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        out += ok ? c : '_';
    }
    return out;
}

}  // namespace siphon::msg::testing
