#include "msg/edit.h"

#include <cstring>
#include <cstdio>
#include <new>

namespace siphon::msg {

Edit* EditList::add(Arena& arena, size_t off, size_t del, std::string_view text) {
    char* p = arena.alloc(sizeof(Edit) + alignof(Edit));
    auto addr = reinterpret_cast<uintptr_t>(p);
    addr = (addr + alignof(Edit) - 1) & ~(static_cast<uintptr_t>(alignof(Edit)) - 1);
    Edit* e = new (reinterpret_cast<void*>(addr)) Edit{static_cast<uint32_t>(off),
                                                       static_cast<uint32_t>(del), text, nullptr};
    ++count;
    if (!head) {
        head = tail = e;
        return e;
    }
    if (tail->off <= e->off) {
        tail->next = e;
        tail = e;
        return e;
    }
    // Keep the list sorted by offset, after every edit at the same offset.
    Edit** link = &head;
    while (*link && (*link)->off <= e->off) link = &(*link)->next;
    e->next = *link;
    *link = e;
    return e;
}

bool EditList::deleted(size_t off, size_t len) const {
    for (const Edit* e = head; e; e = e->next)
        if (e->del && e->off <= off && off + len <= size_t(e->off) + e->del) return true;
    return false;
}

std::string_view apply_edits(const Message& m, const EditList& edits, Arena& arena) {
    const std::string_view raw = m.raw;
    const size_t body_off = m.head.size();
    size_t extra = 0;
    long body_delta = 0;
    for (const Edit* e = edits.head; e; e = e->next) {
        extra += e->text.size();
        if (e->off >= body_off) body_delta += long(e->text.size()) - long(e->del);
    }
    // A changed body size is written into the first Content-Length header.
    Edit cl;
    bool fix_cl = false;
    char digits[24];
    if (body_delta != 0) {
        const Header* h = m.find(Hdr::ContentLength);
        if (h && !edits.deleted(offset_in(m, h->line), h->line.size())) {
            long n = long(raw.size() - body_off) + body_delta;
            if (n < 0) n = 0;
            int len = std::snprintf(digits, sizeof digits, "%ld", n);
            std::string_view v = h->value;
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
            cl.off = static_cast<uint32_t>(offset_in(m, v));
            cl.del = static_cast<uint32_t>(v.size());
            cl.text = std::string_view(digits, static_cast<size_t>(len));
            fix_cl = true;
            extra += cl.text.size();
        }
    }
    char* out = arena.alloc(raw.size() + extra + 1);
    size_t o = 0;
    size_t cur = 0;
    auto put = [&](const Edit& e) {
        size_t off = e.off > raw.size() ? raw.size() : e.off;
        if (off > cur) {
            std::memcpy(out + o, raw.data() + cur, off - cur);
            o += off - cur;
            cur = off;
        }
        if (!e.text.empty()) {
            std::memcpy(out + o, e.text.data(), e.text.size());
            o += e.text.size();
        }
        size_t end = off + e.del;
        if (end > raw.size()) end = raw.size();
        if (end > cur) cur = end;
    };
    const Edit* e = edits.head;
    while (e || fix_cl) {
        if (fix_cl && (!e || cl.off < e->off)) {
            put(cl);
            fix_cl = false;
            continue;
        }
        put(*e);
        e = e->next;
    }
    if (cur < raw.size()) {
        std::memcpy(out + o, raw.data() + cur, raw.size() - cur);
        o += raw.size() - cur;
    }
    return {out, o};
}

bool rebuild_message(Message& m, const EditList& edits, Arena& arena) {
    std::string_view bytes = apply_edits(m, edits, arena);
    Limits lim;
    lim.max_start_line = bytes.size() + 1;
    lim.max_headers = kMaxHeadersCap;
    lim.max_header_bytes = bytes.size() + 1;
    lim.max_body = bytes.size() + 1;
    // Parsed aside first (on the stack, no allocation) so a failure leaves m untouched.
    Message fresh;
    ParseResult pr = parse_head(bytes, lim, fresh);
    if (pr.status != ParseStatus::Done) return false;
    fresh.raw = bytes;
    fresh.body = bytes.substr(pr.consumed);
    fresh.http_minor = m.http_minor;
    m = fresh;
    return true;
}

}  // namespace siphon::msg
