#include "pv/xavp.h"

#include <memory>

#include "core/log.h"

namespace siphon::pv {

namespace {

struct XName {
    std::string root, field;
    bool has_field = false;
    bool rset = false, rall = false;  // an index was given for the root / it is [*]
    bool fset = false, fall = false;
    int32_t ridx = 0, fidx = 0;
};

// "name", "name[3]", "name[-1]", "name[*]".
bool parse_part(std::string_view t, std::string& name, bool& set, bool& all, int32_t& idx,
                std::string& err) {
    size_t lb = t.find('[');
    name = std::string(t.substr(0, lb));
    if (name.empty()) {
        err = "empty name";
        return false;
    }
    for (char c : name)
        if (c == '[' || c == ']' || c == '=' || c == '>' || c == ' ') {
            err = "invalid name '" + name + "'";
            return false;
        }
    if (lb == std::string_view::npos) return true;
    if (t.back() != ']') {
        err = "invalid index in '" + std::string(t) + "'";
        return false;
    }
    std::string_view in = t.substr(lb + 1, t.size() - lb - 2);
    set = true;
    if (in == "*") {
        all = true;
        return true;
    }
    if (!str_to_int(in, idx)) {
        err = "invalid index in '" + std::string(t) + "'";
        return false;
    }
    return true;
}

std::string fix_x(PvSpec& s, std::string_view inner, Registry&, bool unique) {
    auto x = std::make_shared<XName>();
    std::string err;
    size_t arrow = inner.find("=>");
    std::string_view r = inner.substr(0, arrow);
    if (!parse_part(r, x->root, x->rset, x->rall, x->ridx, err)) return err;
    if (arrow != std::string_view::npos) {
        x->has_field = true;
        if (!parse_part(inner.substr(arrow + 2), x->field, x->fset, x->fall, x->fidx, err))
            return err;
    }
    if (unique && (x->rset || x->fset)) return "$xavu takes no index";
    s.data = x;
    return "";
}
std::string fix_xavp(PvSpec& s, std::string_view in, Registry& r) { return fix_x(s, in, r, false); }
std::string fix_xavu(PvSpec& s, std::string_view in, Registry& r) { return fix_x(s, in, r, true); }

const XName& xname(const PvSpec& s) { return *static_cast<const XName*>(s.data.get()); }

// Index of the idx-th node named `name` in the list starting at `head` (negative: from the
// oldest); -1 if none. prev receives the node before it (-1 if it is the head).
int32_t find(const XavpList& l, int32_t head, std::string_view name, int32_t idx,
             int32_t* prev = nullptr) {
    if (idx < 0) {
        int32_t n = 0;
        for (int32_t i = head; i >= 0; i = l.nodes[i].next)
            if (l.nodes[i].name == name) ++n;
        idx += n;
        if (idx < 0) return -1;
    }
    int32_t p = -1;
    for (int32_t i = head; i >= 0; p = i, i = l.nodes[i].next)
        if (l.nodes[i].name == name && idx-- == 0) {
            if (prev) *prev = p;
            return i;
        }
    return -1;
}

Value stored(Ctx& c, const Value& v) {
    Value out = v;
    if (out.is_str()) out.s = c.w.arena.copy(out.s);
    return out;
}

int32_t push(XavpList& l, int32_t& head, XavpNode n) {
    n.next = head;
    l.nodes.push_back(n);
    head = static_cast<int32_t>(l.nodes.size() - 1);
    return head;
}

// Removes the idx-th node called name (all of them when all) from the list at head.
void remove(XavpList& l, int32_t& head, std::string_view name, int32_t idx, bool all) {
    if (!all) {
        int32_t prev = -1;
        int32_t i = find(l, head, name, idx, &prev);
        if (i < 0) return;
        (prev < 0 ? head : l.nodes[prev].next) = l.nodes[i].next;
        return;
    }
    int32_t* link = &head;
    while (*link >= 0) {
        XavpNode& n = l.nodes[*link];
        if (n.name == name) *link = n.next;
        else link = &n.next;
    }
}

bool out_node(const XavpNode& n, Value& o) {
    if (n.is_struct) o = Value::of_str("<<xavp>>");
    else o = n.v;
    return !o.is_null();
}

bool get_x(Ctx& c, const PvSpec& s, Value& o, bool unique) {
    const XName& x = xname(s);
    XavpList& l = xavp_list(c, unique);
    if (x.rall) return false;
    int32_t r = find(l, l.head, x.root, x.ridx);
    if (r < 0) return false;
    if (!x.has_field) return out_node(l.nodes[r], o);
    if (!l.nodes[r].is_struct || x.fall) return false;
    int32_t f = find(l, l.nodes[r].fields, x.field, x.fidx);
    return f >= 0 && out_node(l.nodes[f], o);
}
bool get_xavp(Ctx& c, const PvSpec& s, Value& o) { return get_x(c, s, o, false); }
bool get_xavu(Ctx& c, const PvSpec& s, Value& o) { return get_x(c, s, o, true); }

bool set_xavp(Ctx& c, const PvSpec& s, const Value& v) {
    const XName& x = xname(s);
    XavpList& l = xavp_list(c, false);
    if (!x.has_field) {
        if (v.is_null()) {
            remove(l, l.head, x.root, x.ridx, x.rall);
            return true;
        }
        if (x.rset && !x.rall) {
            int32_t r = find(l, l.head, x.root, x.ridx);
            if (r >= 0) {
                l.nodes[r].v = stored(c, v);
                l.nodes[r].is_struct = false;
                l.nodes[r].fields = -1;
                return true;
            }
        }
        push(l, l.head, XavpNode{x.root, stored(c, v)});
        return true;
    }
    int32_t r = x.rall ? -1 : find(l, l.head, x.root, x.ridx);
    if (v.is_null()) {
        if (r >= 0 && l.nodes[r].is_struct)
            remove(l, l.nodes[r].fields, x.field, x.fidx, x.fall);
        return true;
    }
    if (!x.rset || r < 0) {
        XavpNode root{x.root};
        root.is_struct = true;
        int32_t ri = push(l, l.head, root);
        int32_t fields = -1;
        push(l, fields, XavpNode{x.field, stored(c, v)});
        l.nodes[ri].fields = fields;
        return true;
    }
    if (!l.nodes[r].is_struct) {
        SLOG_ERR("pv", "%s: the item is not a structure", s.text.c_str());
        return false;
    }
    if (x.fset && !x.fall) {
        int32_t f = find(l, l.nodes[r].fields, x.field, x.fidx);
        if (f >= 0) {
            l.nodes[f].v = stored(c, v);
            return true;
        }
    }
    int32_t fields = l.nodes[r].fields;
    push(l, fields, XavpNode{x.field, stored(c, v)});
    l.nodes[r].fields = fields;
    return true;
}

bool set_xavu(Ctx& c, const PvSpec& s, const Value& v) {
    const XName& x = xname(s);
    XavpList& l = xavp_list(c, true);
    int32_t r = find(l, l.head, x.root, 0);
    if (!x.has_field) {
        if (v.is_null()) remove(l, l.head, x.root, 0, true);
        else if (r >= 0) l.nodes[r] = XavpNode{x.root, stored(c, v), false, -1, l.nodes[r].next};
        else push(l, l.head, XavpNode{x.root, stored(c, v)});
        return true;
    }
    if (v.is_null()) {
        if (r >= 0 && l.nodes[r].is_struct) remove(l, l.nodes[r].fields, x.field, 0, true);
        return true;
    }
    if (r < 0 || !l.nodes[r].is_struct) {
        if (r >= 0) remove(l, l.head, x.root, 0, true);
        XavpNode root{x.root};
        root.is_struct = true;
        r = push(l, l.head, root);
    }
    int32_t f = find(l, l.nodes[r].fields, x.field, 0);
    if (f >= 0) {
        l.nodes[f].v = stored(c, v);
        return true;
    }
    int32_t fields = l.nodes[r].fields;
    push(l, fields, XavpNode{x.field, stored(c, v)});
    l.nodes[r].fields = fields;
    return true;
}

}  // namespace

XavpList& xavp_list(Ctx& ctx, bool unique) {
    XavpList& l = unique ? ctx.w.xavu : ctx.w.xavp;
    if (l.msg_id != ctx.w.msg_id) {
        l.nodes.clear();
        l.head = -1;
        l.msg_id = ctx.w.msg_id;
    }
    return l;
}

int32_t xavp_add_struct(Ctx& ctx, std::string_view root) {
    XavpList& l = xavp_list(ctx, false);
    XavpNode n{ctx.w.arena.copy(root)};
    n.is_struct = true;
    return push(l, l.head, n);
}

void xavp_add_field(Ctx& ctx, int32_t node, std::string_view name, const Value& v) {
    XavpList& l = xavp_list(ctx, false);
    int32_t fields = l.nodes[node].fields;
    push(l, fields, XavpNode{ctx.w.arena.copy(name), stored(ctx, v)});
    l.nodes[node].fields = fields;
}

int32_t xavp_count(Ctx& ctx, const PvSpec& spec) {
    const XName& x = xname(spec);
    bool unique = spec.def->name == "xavu";
    XavpList& l = xavp_list(ctx, unique);
    int32_t n = 0;
    for (int32_t r = l.head; r >= 0; r = l.nodes[r].next) {
        if (l.nodes[r].name != x.root) continue;
        if (!x.has_field) {
            ++n;
            continue;
        }
        if (!l.nodes[r].is_struct) continue;
        for (int32_t f = l.nodes[r].fields; f >= 0; f = l.nodes[f].next)
            if (l.nodes[f].name == x.field) ++n;
    }
    if (!x.has_field && x.rset && !x.rall) {
        // $cnt($xavp(r[n])): 1 when that item exists.
        return find(l, l.head, x.root, x.ridx) >= 0 ? 1 : 0;
    }
    return n;
}

void register_xavp(Registry& reg) {
    reg.add_pv(PvDef{"xavp", get_xavp, set_xavp, fix_xavp, true});
    reg.add_pv(PvDef{"xavu", get_xavu, set_xavu, fix_xavu, true});
}

}  // namespace siphon::pv
