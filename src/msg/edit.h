// Pending changes to a message's bytes (Kamailio's "lumps"). Functions such as append_hf(),
// remove_hf() or subst() record edits against the message as received; reads of the message
// ($hdr, $rb, search()) keep seeing the original bytes until the edits are applied
// (msg_apply_changes()), which builds a new message from the original and its edits.
// Edits live in the worker's arena: recording one does no heap allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/arena.h"
#include "msg/message.h"

namespace siphon::msg {

// Removes `del` bytes at `off` (an offset into Message::raw) and writes `text` there.
struct Edit {
    uint32_t off = 0;
    uint32_t del = 0;
    std::string_view text;
    Edit* next = nullptr;
};

// Edits ordered by offset; edits at the same offset keep the order they were added in.
struct EditList {
    Edit* head = nullptr;
    Edit* tail = nullptr;
    uint32_t count = 0;

    bool empty() const { return count == 0; }
    void clear() { *this = EditList{}; }
    // Adds an edit; `text` must stay valid until the list is applied or cleared (arena).
    Edit* add(Arena& arena, size_t off, size_t del, std::string_view text);
    // True if [off, off+len) is already removed entirely by one edit.
    bool deleted(size_t off, size_t len) const;
};

// Offset of a view into m.raw (the view must point into it).
inline size_t offset_in(const Message& m, std::string_view part) {
    return static_cast<size_t>(part.data() - m.raw.data());
}

// Builds the bytes of `m` with the edits applied, in the arena. When the body changed size,
// the value of the first Content-Length header is rewritten to the new size. Returns the new
// message (start line through body).
std::string_view apply_edits(const Message& m, const EditList& edits, Arena& arena);

// Applies the edits and re-parses the result into `m` (views then point into the arena).
// False (m unchanged) if the new bytes do not parse as a message.
bool rebuild_message(Message& m, const EditList& edits, Arena& arena);

}  // namespace siphon::msg
