#include "modules/rpc/rpc.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace siphon::rpc {

Node Node::integer(int64_t v) {
    Node n;
    n.type_ = Type::Int;
    n.i_ = v;
    return n;
}

Node Node::real(double v) {
    Node n;
    n.type_ = Type::Double;
    n.d_ = v;
    return n;
}

Node Node::boolean(bool v) {
    Node n;
    n.type_ = Type::Bool;
    n.i_ = v ? 1 : 0;
    return n;
}

Node Node::str(std::string_view v) {
    Node n;
    n.type_ = Type::Str;
    n.s_.assign(v);
    return n;
}

Node Node::structure() {
    Node n;
    n.type_ = Type::Struct;
    return n;
}

Node Node::array() {
    Node n;
    n.type_ = Type::Array;
    return n;
}

Node& Node::set(std::string_view name, Node v) {
    if (type_ != Type::Struct) {
        // Kamailio's struct_add on an array wraps the member in a one-member struct.
        if (type_ == Type::Array) {
            Node& w = push(structure());
            return w.set(name, std::move(v));
        }
        *this = structure();
    }
    members_.emplace_back(std::string(name), std::make_unique<Node>(std::move(v)));
    return *members_.back().second;
}

Node& Node::push(Node v) {
    if (type_ != Type::Array) *this = array();
    items_.push_back(std::make_unique<Node>(std::move(v)));
    return *items_.back();
}

const Node* Node::find(std::string_view name) const {
    for (auto& m : members_)
        if (m.first == name) return m.second.get();
    return nullptr;
}

Node Node::clone() const {
    Node n;
    n.type_ = type_;
    n.i_ = i_;
    n.d_ = d_;
    n.s_ = s_;
    for (auto& m : members_)
        n.members_.emplace_back(m.first, std::make_unique<Node>(m.second->clone()));
    for (auto& it : items_)
        n.items_.push_back(std::make_unique<Node>(it->clone()));
    return n;
}

namespace {

bool parse_i64(std::string_view s, int64_t& out) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string print_number(const Node& n) {
    if (n.type() == Node::Type::Int) return std::to_string(n.as_int());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", n.as_double());
    return buf;
}

}   // namespace

Scan Call::scan_str(std::string& out) {
    if (next_ >= params_.size()) return Scan::Missing;
    const Node& p = params_[next_];
    switch (p.type()) {
        case Node::Type::Str: out = p.as_str(); break;
        case Node::Type::Int:
        case Node::Type::Double: out = print_number(p); break;
        case Node::Type::Bool: out = p.as_bool() ? "1" : "0"; break;
        default: fault(kInvalidParams, "Invalid Parameters"); return Scan::Bad;
    }
    ++next_;
    return Scan::Ok;
}

Scan Call::scan_int(int64_t& out) {
    if (next_ >= params_.size()) return Scan::Missing;
    const Node& p = params_[next_];
    switch (p.type()) {
        case Node::Type::Int:
        case Node::Type::Bool: out = p.as_int(); break;
        case Node::Type::Double:
            if (!std::isfinite(p.as_double())) {
                fault(kInvalidParams, "Invalid Parameters");
                return Scan::Bad;
            }
            out = static_cast<int64_t>(p.as_double());
            break;
        case Node::Type::Str:
            if (!parse_i64(p.as_str(), out)) {
                fault(kInvalidParams, "Invalid Parameters");
                return Scan::Bad;
            }
            break;
        default: fault(kInvalidParams, "Invalid Parameters"); return Scan::Bad;
    }
    ++next_;
    return Scan::Ok;
}

Scan Call::scan_double(double& out) {
    if (next_ >= params_.size()) return Scan::Missing;
    const Node& p = params_[next_];
    switch (p.type()) {
        case Node::Type::Int:
        case Node::Type::Double: out = p.as_double(); break;
        case Node::Type::Str: {
            const std::string& s = p.as_str();
            char* end = nullptr;
            errno = 0;
            out = std::strtod(s.c_str(), &end);
            if (s.empty() || *end != '\0' || errno == ERANGE) {
                fault(kInvalidParams, "Invalid Parameters");
                return Scan::Bad;
            }
            break;
        }
        default: fault(kInvalidParams, "Invalid Parameters"); return Scan::Bad;
    }
    ++next_;
    return Scan::Ok;
}

Scan Call::scan_any(Node& out) {
    if (next_ >= params_.size()) return Scan::Missing;
    out = params_[next_++];
    return Scan::Ok;
}

std::vector<std::string> Call::rest_str() {
    std::vector<std::string> v;
    std::string s;
    while (next_ < params_.size()) {
        if (scan_str(s) != Scan::Ok) break;
        v.push_back(s);
    }
    return v;
}

Node& Call::add(Node v) {
    if (ret_array()) {
        if (!has_result_) result_ = Node::array();
        has_result_ = true;
        return result_.push(std::move(v));
    }
    has_result_ = true;
    result_ = std::move(v);
    return result_;
}

void Call::printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, fmt, ap);
    va_end(ap);
    std::string s(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(s.data(), s.size() + 1, fmt, ap2);
    va_end(ap2);
    add(Node::str(s));
}

void Call::fault(int code, std::string message) {
    // The first fault wins: later ones come from code that ran on after the error.
    if (fault_code_ != 0) return;
    fault_code_ = code ? code : 500;
    fault_msg_ = std::move(message);
}

Node Call::take_result() {
    if (!has_result_) return ret_array() ? Node::array() : Node::structure();
    has_result_ = false;
    return std::move(result_);
}

}   // namespace siphon::rpc
