// Per-worker bump allocator. Everything a message needs while it is processed (decoded
// bodies, rendered format strings, transformation results) is carved from the worker's arena,
// which is reset after each message. Not thread-safe: one arena belongs to one worker thread.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace siphon {

class Arena {
public:
    explicit Arena(size_t block_size = 64 * 1024) : block_size_(block_size) { add_block(block_size_); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    // Returns n bytes, valid until reset(). Never fails (aborts on out-of-memory like new).
    char* alloc(size_t n) {
        if (n > blocks_[cur_].size - used_) return alloc_slow(n);
        char* p = blocks_[cur_].data.get() + used_;
        used_ += n;
        return p;
    }
    // Copies s into the arena; the view stays valid until reset().
    std::string_view copy(std::string_view s) {
        if (s.empty()) return {};
        char* p = alloc(s.size());
        std::memcpy(p, s.data(), s.size());
        return {p, s.size()};
    }
    // Frees everything at once. Keeps the first block (and grows it if the message needed more)
    // so that steady-state traffic allocates nothing.
    void reset() {
        if (blocks_.size() > 1) {
            size_t total = 0;
            for (auto& b : blocks_) total += b.size;
            blocks_.clear();
            block_size_ = total > block_size_ * 4 ? block_size_ * 4 : total;
            add_block(block_size_);
        }
        cur_ = 0;
        used_ = 0;
    }
    size_t capacity() const {
        size_t t = 0;
        for (auto& b : blocks_) t += b.size;
        return t;
    }

    // Appends text piece by piece to one contiguous arena string; used by format rendering.
    class Builder;

private:
    struct Block {
        std::unique_ptr<char[]> data;
        size_t size;
    };
    void add_block(size_t n) { blocks_.push_back({std::unique_ptr<char[]>(new char[n]), n}); }
    char* alloc_slow(size_t n) {
        add_block(n > block_size_ ? n : block_size_);
        cur_ = blocks_.size() - 1;
        used_ = n;
        return blocks_[cur_].data.get();
    }

    std::vector<Block> blocks_;
    size_t cur_ = 0;
    size_t used_ = 0;
    size_t block_size_;
};

// Grows a string inside a caller-provided buffer (normally a worker's scratch buffer), then
// copies the finished text into the arena. Appends past `cap` are truncated and flagged.
class StrBuilder {
public:
    StrBuilder(char* buf, size_t cap) : buf_(buf), cap_(cap) {}
    void append(std::string_view s) {
        size_t n = s.size();
        if (n > cap_ - len_) {
            n = cap_ - len_;
            overflow_ = true;
        }
        std::memcpy(buf_ + len_, s.data(), n);
        len_ += n;
    }
    void append(char c) {
        if (len_ < cap_) buf_[len_++] = c;
        else overflow_ = true;
    }
    void append_int(long long v) {
        char tmp[24];
        int n = 0;
        unsigned long long u = v < 0 ? 0ULL - static_cast<unsigned long long>(v) : v;
        do { tmp[n++] = char('0' + u % 10); u /= 10; } while (u);
        if (v < 0) tmp[n++] = '-';
        while (n) append(tmp[--n]);
    }
    std::string_view view() const { return {buf_, len_}; }
    size_t size() const { return len_; }
    bool overflow() const { return overflow_; }
    void clear() { len_ = 0; overflow_ = false; }

private:
    char* buf_;
    size_t cap_;
    size_t len_ = 0;
    bool overflow_ = false;
};

}  // namespace siphon
