// The per-message execution context shared by pseudo-variables, the interpreter and module
// functions, and the per-worker state it points to. A Ctx lives on the worker's stack while
// one message is processed; everything it references is owned by the worker or the runtime.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/value.h"
#include "msg/edit.h"
#include "msg/message.h"
#include "msg/sip_parse.h"

namespace siphon::pv {

enum class Proto : uint8_t { None = 0, Udp = 1, Tcp = 2, Tls = 3, Sctp = 4, Ws = 5, Wss = 6 };
std::string_view proto_name(Proto p);  // "udp", "tcp" ...

// Where a message came from and where it arrived. Text forms are filled by the transport.
struct RecvInfo {
    Proto proto = Proto::Udp;
    sockaddr_storage src{};
    socklen_t src_len = 0;
    char src_ip[48] = {};
    uint16_t src_port = 0;
    char dst_ip[48] = {};
    uint16_t dst_port = 0;
    bool ipv6 = false;
    std::string_view advertised_ip;    // "" if none
    uint16_t advertised_port = 0;
    bool proto_is_stream() const { return proto != Proto::Udp; }
};

// Route kinds, as bit flags so module functions can declare where they may be used.
enum RouteType : uint32_t {
    kRequestRoute = 1,
    kFailureRoute = 2,
    kOnReplyRoute = 4,
    kBranchRoute = 8,
    kOnSendRoute = 16,
    kEventRoute = 32,
    kReplyRoute = 64,
    kAnyRoute = 0xffff,
};

// A script variable's own storage ($var, $shv): the string bytes live in the slot.
struct VarSlot {
    Value::Type type = Value::Type::Int;
    int32_t i = 0;
    std::string s;
    Value get() const { return type == Value::Type::Str ? Value::of_str(s) : Value::of_int(i); }
    void set(const Value& v) {
        if (v.type == Value::Type::Str) {
            type = Value::Type::Str;
            s.assign(v.s);
        } else {
            type = Value::Type::Int;
            i = v.type == Value::Type::Int ? v.i : 0;
            s.clear();
        }
    }
};

// Values shared by all workers ($shv); each slot has its own lock.
struct SharedVars {
    struct Slot {
        std::mutex mu;
        VarSlot v;
    };
    std::vector<std::unique_ptr<Slot>> slots;
    int64_t start_time = 0;  // epoch seconds the server started ($Tb)
    std::string listeners;   // bound sockets, space separated ($listeners); set before start
};

// One AVP value; per message, stacked newest first (Kamailio's add semantics).
struct Avp {
    uint32_t name_id;
    Value v;  // strings live in the arena
};

// $xavp / $xavu storage: nodes in one vector (its capacity is kept, so steady traffic does
// not allocate), names and string values in the worker's arena. A root node is either a
// plain value or a structure whose fields are a list of nodes; lists are linked newest
// first. Emptied lazily when a new message starts (see pv/xavp.h).
struct XavpNode {
    std::string_view name;
    Value v;
    bool is_struct = false;
    int32_t fields = -1;  // first (newest) field node
    int32_t next = -1;    // next (older) node of the same list
};
struct XavpList {
    std::vector<XavpNode> nodes;
    int32_t head = -1;
    uint32_t msg_id = 0;  // WorkerState::msg_id the contents belong to
};

// State of one worker thread that scripts can see.
struct WorkerState {
    int id = 0;
    Arena arena;
    std::vector<VarSlot> vars;        // $var, indexed by the slot resolved at load time
    std::vector<uint8_t> var_set;     // $vn: 1 when the slot holds a value (else $null)
    XavpList xavp, xavu;              // per message
    std::vector<Avp> avps;            // cleared per message
    std::vector<char> scratch;        // pv_buffer_size bytes for format rendering
    std::vector<std::string_view> reply_hdrs;  // append_to_reply() lines, per message
    uint32_t msg_id = 0;
};

// Where replies to the current message go. Implemented by the transport: a stream sink
// appends to the connection's send queue; a datagram sink sends at once.
class ReplySink {
public:
    virtual ~ReplySink() = default;
    // Sends bytes back on the transport the message came from (TCP: the same connection;
    // UDP: to the source address).
    virtual bool send(std::string_view bytes) = 0;
    // UDP only: sends to another address (SIP replies go to the Via sent-by without rport).
    virtual bool send_to(const sockaddr* addr, socklen_t len, std::string_view bytes) = 0;
    virtual bool is_stream() const = 0;
};

// URIs parsed once per message: $rU, $rd, $fU, $td ... read the parts of the R-URI, From and
// To without parsing again. `src` identifies the text by address and size; within a message
// every rewrite ($ru, msg_apply_changes) puts new bytes in the arena, at a new address. Made in
// the arena on the first read (Ctx::uri_cache), so messages that read no URI pay nothing.
struct ParsedUri {
    std::string_view src;
    bool valid = false;  // src was parsed
    bool ok = false;     // ... successfully
    msg::SipUri uri;
};
struct ParsedNameAddr {
    std::string_view src;
    bool valid = false;      // src was parsed
    bool ok = false;         // ... successfully
    bool uri_valid = false;  // na's URI was parsed (on the first read of a URI part)
    bool uri_ok = false;     // ... successfully
    msg::NameAddr na;
    msg::SipUri uri;
};
struct UriCache {
    ParsedUri ruri;
    ParsedNameAddr from, to;
};

// Per-message context.
struct Ctx {
    WorkerState& w;
    SharedVars* shv = nullptr;
    msg::Message* msg = nullptr;
    RecvInfo* rcv = nullptr;
    uint32_t route_type = kRequestRoute;
    int32_t last_rc = 1;      // $rc / $retcode / $?
    uint32_t msg_flags = 0;   // setflag/isflagset
    uint32_t sflags = 0;      // script flags (setsflag)
    uint32_t bflags = 0;      // branch 0 flags (setbflag)
    uint64_t xflags = 0;      // extended flags (corex setxflag)
    std::string_view dst_uri; // $du; bytes in the arena, empty when not set
    std::string_view new_uri; // R-URI rewritten by $ru/$rU/$rd/$rp (arena); empty: unchanged
    std::string_view new_uri_base;  // msg->uri when new_uri was set (see pv::request_uri)
    UriCache* uri_cache = nullptr;  // see UriCache; in the arena, made on first use
    uint32_t route_depth = 0; // nested route() calls, across interpreter entries
    uint32_t while_loops = 0;
    int64_t recv_time = 0;    // epoch seconds of the message ($Ts)
    int64_t recv_time_us = 0;

    // Reply side. Headers added by append_to_reply() ("Name: value\r\n" each, in the arena).
    std::vector<std::string_view>* reply_hdrs = nullptr;
    ReplySink* sink = nullptr;
    bool replied = false;         // a final reply was sent for this message
    bool close_after = false;     // set_reply_close() / negative result
    bool no_connect = false;      // set_reply_no_connect()
    bool force_rport = false;     // force_rport(): reply to the source port
    // HTTP: the request asked to keep the connection (version and Connection header).
    bool http_keep_alive = true;
    // set_reply_body(): the body of the next reply (in the arena); its Content-Type line is
    // one of reply_hdrs.
    bool has_reply_body = false;
    std::string_view reply_body;

    // Pending edits of the message (append_hf, remove_hf, subst ...), in the arena; reads
    // see them only after msg_apply_changes().
    msg::EditList edits;
};

}  // namespace siphon::pv
