// Kamailio's core and sl statistics, counted by the dispatcher: requests and replies
// received (core:rcv_requests, core:rcv_replies_4xx_invite ...), dropped by the script, and
// replies sent (sl:200_replies ..., and siphon's http: group by status class). Every counter
// is sharded per worker.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "msg/message.h"
#include "pv/context.h"

namespace siphon::rpc {

class Stat;
class Stats;

class CoreCounters {
public:
    // Registers the statistics. sl: the sl group exists (the sl module is loaded).
    void init(Stats& st, bool sl);
    // A message arrived (SIP request, SIP reply or HTTP request).
    void received(size_t worker, const msg::Message& m);
    // The script dropped it (drop in request_route / reply_route).
    void dropped(size_t worker, bool request);
    // A reply left through the reply sink: bytes start with the status line.
    void sent(size_t worker, std::string_view bytes, bool http);

private:
    bool ready_ = false;
    Stat* rcv_requests_ = nullptr;
    Stat* rcv_replies_ = nullptr;
    Stat* drop_requests_ = nullptr;
    Stat* drop_replies_ = nullptr;
    Stat* unsupported_ = nullptr;
    std::array<Stat*, 14> req_method_{};   // ack .. update
    std::array<Stat*, 6> rpl_class_{};     // 1xx .. 6xx
    Stat* rpl_18x_ = nullptr;
    std::array<Stat*, 5> rpl_code_{};                          // 401 404 407 480 486
    std::array<std::array<Stat*, 8>, 6> rpl_class_method_{};   // [class][bye..update]
    // sl
    Stat* sl_sent_ = nullptr;
    Stat* sl_xxx_ = nullptr;
    std::array<Stat*, 6> sl_class_{};
    std::array<Stat*, 13> sl_code_{};
    // http (siphon)
    Stat* http_requests_ = nullptr;
    std::array<Stat*, 5> http_class_{};
};

// Wraps the transport's reply sink to count the replies that go through it.
class CountingSink final : public pv::ReplySink {
public:
    CountingSink(CoreCounters& c, size_t worker, pv::ReplySink& inner, bool http)
        : c_(c), worker_(worker), inner_(inner), http_(http) {}
    bool send(std::string_view bytes) override {
        c_.sent(worker_, bytes, http_);
        return inner_.send(bytes);
    }
    bool send_to(const sockaddr* addr, socklen_t len, std::string_view bytes) override {
        c_.sent(worker_, bytes, http_);
        return inner_.send_to(addr, len, bytes);
    }
    bool is_stream() const override { return inner_.is_stream(); }

private:
    CoreCounters& c_;
    size_t worker_;
    pv::ReplySink& inner_;
    bool http_;
};

}   // namespace siphon::rpc
