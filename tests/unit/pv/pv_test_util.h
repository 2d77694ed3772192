// Helpers for the pseudo-variable and transformation tests: a registry with the core PVs and
// transformations, a worker and a context, optionally with a parsed SIP message, and
// eval("$(var(x){uri.user})") returning the result as text for comparison:
// "<null>", "int 5" or the string itself.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "msg/message.h"
#include "pv/pv.h"

namespace siphon::pv::test {

class PvEnv {
public:
    PvEnv() : ctx_{w_} {
        register_core(reg_);
        w_.scratch.resize(8192);
        w_.msg_id = 1;
    }
    // Uses `raw` (a SIP request or reply) as the current message.
    bool set_message(std::string raw) {
        raw_ = std::move(raw);
        msg_ = std::make_unique<msg::Message>();
        msg::ParseResult pr = msg::parse_head(raw_, msg::Limits{}, *msg_);
        if (pr.status != msg::ParseStatus::Done) return false;
        msg_->raw = raw_;
        msg_->body = std::string_view(raw_).substr(pr.consumed);
        ctx_.msg = msg_.get();
        return true;
    }
    // Starts a new message: what is per message is forgotten, the worker's state stays.
    void next_message() {
        w_.arena.reset();
        ++w_.msg_id;
        ctx_.new_uri = {};
        ctx_.dst_uri = {};
    }
    // The value of a PV expression as text; "<parse error: ...>" if it does not parse.
    std::string eval(const std::string& text) {
        std::string err;
        auto s = parse_pv_exact(text, reg_, err);
        if (!s) return "<parse error: " + err + ">";
        Value v;
        if (!get_pv(ctx_, *s, v)) return "<null>";
        std::string out = v.is_int() ? "int " + std::to_string(v.i) : std::string(v.s);
        kept_.push_back(std::move(s));  // constant strings of the spec may be referenced
        return out;
    }
    bool set(const std::string& text, const Value& v) {
        std::string err;
        auto s = parse_pv_exact(text, reg_, err);
        if (!s) {
            ADD_FAILURE() << text << ": " << err;
            return false;
        }
        bool ok = set_pv(ctx_, *s, v);
        kept_.push_back(std::move(s));  // xavp names point into the spec
        return ok;
    }
    bool set_str(const std::string& text, std::string_view s) {
        return set(text, Value::of_str(w_.arena.copy(s)));
    }
    std::string parse_error(const std::string& text) {
        std::string err;
        auto s = parse_pv_exact(text, reg_, err);
        return s ? "" : err;
    }
    Ctx& ctx() { return ctx_; }
    Registry& reg() { return reg_; }

private:
    Registry reg_;
    WorkerState w_;
    Ctx ctx_;
    std::string raw_;
    std::unique_ptr<msg::Message> msg_;
    std::vector<std::unique_ptr<PvSpec>> kept_;
};

}  // namespace siphon::pv::test
