#include "modules/rpc/counters.h"

#include <strings.h>

#include <string>

#include "modules/rpc/stats.h"
#include "msg/char_class.h"

namespace siphon::rpc {

namespace {

// Kamailio's core:rcv_requests_<method> list (core/counters of parse_fline method ids).
constexpr std::string_view kReqMethods[14] = {
    "ack",     "bye",   "cancel",  "info",  "invite",   "message",   "notify",
    "options", "prack", "publish", "refer", "register", "subscribe", "update",
};
// core:rcv_replies_<class>_<method>: the CSeq methods Kamailio tracks ("reg" = REGISTER).
constexpr std::string_view kRplMethods[8] = {
    "bye", "cancel", "invite", "message", "prack", "refer", "reg", "update",
};
constexpr std::string_view kRplMethodsSip[8] = {
    "BYE", "CANCEL", "INVITE", "MESSAGE", "PRACK", "REFER", "REGISTER", "UPDATE",
};
constexpr int kRplCodes[5] = {401, 404, 407, 480, 486};
// sl module: codes with a statistic of their own (sl_stats.c).
constexpr int kSlCodes[13] = {200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500};

bool ieq(std::string_view a, std::string_view b) { return msg::chars::iequals(a, b); }

int status_of(std::string_view bytes) {
    // "SIP/2.0 200 OK" / "HTTP/1.1 404 Not Found"
    size_t sp = bytes.find(' ');
    if (sp == std::string_view::npos || sp > 16 || bytes.size() < sp + 4) return 0;
    int code = 0;
    for (size_t i = sp + 1; i < sp + 4; ++i) {
        char c = bytes[i];
        if (c < '0' || c > '9') return 0;
        code = code * 10 + (c - '0');
    }
    return code;
}

std::string_view cseq_method(const msg::Message& m) {
    const msg::Header* h = m.find(msg::Hdr::CSeq);
    if (!h) return {};
    std::string_view v = h->value;
    size_t i = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9')
        ++i;
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t'))
        ++i;
    size_t j = i;
    while (j < v.size() && v[j] != ' ' && v[j] != '\t' && v[j] != '\r' && v[j] != '\n')
        ++j;
    return v.substr(i, j - i);
}

}   // namespace

void CoreCounters::init(Stats& st, bool sl) {
    // Kamailio registers these whether or not they ever move; keep the same names so that
    // dashboards built for Kamailio work.
    for (auto n : {"bad_URIs_rcvd", "err_replies", "err_requests", "fwd_replies", "fwd_requests"})
        st.add("core", n);
    rcv_requests_ = st.add("core", "rcv_requests");
    rcv_replies_ = st.add("core", "rcv_replies");
    drop_requests_ = st.add("core", "drop_requests");
    drop_replies_ = st.add("core", "drop_replies");
    unsupported_ = st.add("core", "unsupported_methods");
    for (size_t i = 0; i < req_method_.size(); ++i)
        req_method_[i] = st.add("core", "rcv_requests_" + std::string(kReqMethods[i]));
    for (size_t c = 0; c < 6; ++c) {
        std::string cls = std::to_string(c + 1) + "xx";
        rpl_class_[c] = st.add("core", "rcv_replies_" + cls);
        for (size_t m = 0; m < 8; ++m)
            rpl_class_method_[c][m] =
                st.add("core", "rcv_replies_" + cls + "_" + std::string(kRplMethods[m]));
    }
    rpl_18x_ = st.add("core", "rcv_replies_18x");
    for (size_t i = 0; i < rpl_code_.size(); ++i)
        rpl_code_[i] = st.add("core", "rcv_replies_" + std::to_string(kRplCodes[i]));
    st.add("dns", "failed_dns_request");
    st.add("dns", "slow_dns_request");
    if (sl) {
        sl_sent_ = st.add("sl", "sent_replies");
        sl_xxx_ = st.add("sl", "xxx_replies");
        st.add("sl", "sent_err_replies");
        st.add("sl", "failures");
        st.add("sl", "received_ACKs");
        for (size_t c = 0; c < 6; ++c)
            sl_class_[c] = st.add("sl", std::to_string(c + 1) + "xx_replies");
        for (size_t i = 0; i < sl_code_.size(); ++i)
            sl_code_[i] = st.add("sl", std::to_string(kSlCodes[i]) + "_replies");
    }
    http_requests_ = st.add("http", "requests");
    for (size_t c = 0; c < 5; ++c)
        http_class_[c] = st.add("http", "replies_" + std::to_string(c + 1) + "xx");
    ready_ = true;
}

void CoreCounters::received(size_t w, const msg::Message& m) {
    if (!ready_) return;
    if (m.kind == msg::Kind::SipReply) {
        rcv_replies_->inc(w);
        int code = m.status;
        if (code < 100 || code > 699) return;
        size_t cls = static_cast<size_t>(code / 100 - 1);
        rpl_class_[cls]->inc(w);
        if (code / 10 == 18) rpl_18x_->inc(w);
        for (size_t i = 0; i < rpl_code_.size(); ++i)
            if (kRplCodes[i] == code) rpl_code_[i]->inc(w);
        std::string_view meth = cseq_method(m);
        for (size_t i = 0; i < 8; ++i)
            if (ieq(meth, kRplMethodsSip[i])) rpl_class_method_[cls][i]->inc(w);
        return;
    }
    // HTTP requests count as requests too, as in Kamailio (they are parsed as SIP
    // requests with an unknown method, but are not "unsupported").
    rcv_requests_->inc(w);
    if (m.is_http()) {
        http_requests_->inc(w);
        return;
    }
    for (size_t i = 0; i < req_method_.size(); ++i)
        if (ieq(m.method, kReqMethods[i])) {
            req_method_[i]->inc(w);
            return;
        }
    unsupported_->inc(w);
}

void CoreCounters::dropped(size_t w, bool request) {
    if (!ready_) return;
    (request ? drop_requests_ : drop_replies_)->inc(w);
}

void CoreCounters::sent(size_t w, std::string_view bytes, bool http) {
    if (!ready_) return;
    int code = status_of(bytes);
    if (code == 0) return;
    if (http && code >= 100 && code <= 599)
        http_class_[static_cast<size_t>(code / 100 - 1)]->inc(w);
    if (!sl_sent_) return;
    // sl_stats.c: update_sl_stats() — specific codes, else the class, else xxx.
    sl_sent_->inc(w);
    for (size_t i = 0; i < sl_code_.size(); ++i)
        if (kSlCodes[i] == code) {
            sl_code_[i]->inc(w);
            return;
        }
    if (code >= 100 && code <= 699)
        sl_class_[static_cast<size_t>(code / 100 - 1)]->inc(w);
    else
        sl_xxx_->inc(w);
}

}   // namespace siphon::rpc
