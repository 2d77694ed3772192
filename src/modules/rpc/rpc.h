// The RPC framework: Kamailio's RPC interface (rpc_t) in C++. A command is a cfg::RpcDef in
// a module's export table; its handler reads typed parameters from a Call and adds typed
// values (ints, doubles, strings, structs, arrays) to the reply, which a transport renders
// as JSON-RPC 2.0 (jsonrpcs), XML-RPC (xmlrpc) or HTML (xhttp_rpc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cfg/module.h"

namespace siphon::rpc {

class Runtime;

// One typed value: a reply item or a request parameter.
class Node {
public:
    enum class Type : uint8_t { Null, Int, Double, Bool, Str, Struct, Array };

    Node() = default;
    Node(Node&&) noexcept = default;
    Node& operator=(Node&&) noexcept = default;
    Node(const Node& o) { *this = o.clone(); }
    Node& operator=(const Node& o) {
        if (this != &o) *this = o.clone();
        return *this;
    }

    static Node integer(int64_t v);
    static Node real(double v);
    static Node boolean(bool v);
    static Node str(std::string_view v);
    static Node structure();
    static Node array();

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_container() const { return type_ == Type::Struct || type_ == Type::Array; }
    int64_t as_int() const { return i_; }
    double as_double() const { return type_ == Type::Double ? d_ : static_cast<double>(i_); }
    bool as_bool() const { return i_ != 0; }
    const std::string& as_str() const { return s_; }

    // Struct: appends a member (names may repeat, as with Kamailio's struct_add) and returns
    // it; the reference stays valid while the node lives.
    Node& set(std::string_view name, Node v);
    Node& set(std::string_view name, int64_t v) { return set(name, integer(v)); }
    Node& set(std::string_view name, int v) { return set(name, integer(v)); }
    Node& set(std::string_view name, std::string_view v) { return set(name, str(v)); }
    Node& set(std::string_view name, const char* v) { return set(name, str(v)); }
    // Array: appends an item and returns it.
    Node& push(Node v);

    size_t size() const { return type_ == Type::Struct ? members_.size() : items_.size(); }
    // Struct members in order.
    const std::string& key(size_t i) const { return members_[i].first; }
    const Node& member(size_t i) const { return *members_[i].second; }
    const Node* find(std::string_view name) const;
    // Array items.
    const Node& item(size_t i) const { return *items_[i]; }

    Node clone() const;

private:
    Type type_ = Type::Null;
    int64_t i_ = 0;
    double d_ = 0;
    std::string s_;
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> members_;
    std::vector<std::unique_ptr<Node>> items_;
};

// Result of reading one parameter.
enum class Scan : uint8_t {
    Ok,
    Missing,   // no more parameters
    Bad,   // present but of the wrong type: the call already holds an "Invalid Parameters" fault
};

// A registered command.
struct Method {
    std::string name;
    void (*fn)(Call& c) = nullptr;
    std::string help;
    uint32_t flags = 0;
    cfg::ModuleData* mod = nullptr;   // the exporting module's data (null for core commands)
};

// Standard JSON-RPC 2.0 error codes, used where Kamailio has no answer of its own.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;

// One RPC invocation: the parameters of the request and the reply being built.
class Call {
public:
    Call(Runtime& rt, std::string method, std::vector<Node> params)
        : rt_(rt), method_(std::move(method)), params_(std::move(params)) {}

    Runtime& runtime() const { return rt_; }
    const std::string& method() const { return method_; }
    // The data of the module that exported the running command (null for core commands).
    cfg::ModuleData* module() const { return mod_; }
    template <class T>
    T& module_as() const {
        return *static_cast<T*>(mod_);
    }

    // Parameters, read in order (Kamailio's rpc->scan). A string parameter accepts numbers
    // (printed), an int accepts a string holding an integer (kamcmd sends strings).
    size_t param_count() const { return params_.size(); }
    size_t remaining() const { return params_.size() - next_; }
    const Node* peek() const { return next_ < params_.size() ? &params_[next_] : nullptr; }
    Scan scan_str(std::string& out);
    Scan scan_int(int64_t& out);
    Scan scan_double(double& out);
    // Any value, as given.
    Scan scan_any(Node& out);
    // The remaining parameters as strings (for commands taking a list, e.g. stats names).
    std::vector<std::string> rest_str();

    // Reply (Kamailio's rpc->add): for a command flagged kRpcRetArray every value goes into
    // the result array; otherwise each value replaces the previous one. Returns the stored
    // node so that structs and arrays can be filled.
    Node& add(Node v);
    Node& add_struct() { return add(Node::structure()); }
    Node& add_array() { return add(Node::array()); }
    // Kamailio's rpc->rpl_printf.
    void printf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void fault(int code, std::string message);

    bool failed() const { return fault_code_ != 0; }
    int fault_code() const { return fault_code_; }
    const std::string& fault_message() const { return fault_msg_; }
    // The result as Kamailio's jsonrpcs sends it: the value(s) added, or an empty
    // array/struct when nothing was added.
    Node take_result();
    bool has_result() const { return has_result_; }
    bool ret_array() const { return flags_ & cfg::kRpcRetArray; }

private:
    friend class Runtime;
    Runtime& rt_;
    std::string method_;
    std::vector<Node> params_;
    size_t next_ = 0;
    cfg::ModuleData* mod_ = nullptr;
    uint32_t flags_ = 0;
    bool has_result_ = false;
    Node result_;
    int fault_code_ = 0;
    std::string fault_msg_;
};

}   // namespace siphon::rpc
