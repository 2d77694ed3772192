// The core RPC commands, with Kamailio's names and reply shapes (core/core_cmd.c, kex,
// corex.debug, cfg_rpc for the log level). Memory figures come from the process heap.
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <sstream>

#include "core/log.h"
#include "modules/rpc/runtime.h"
#include "net/server.h"

namespace siphon::rpc {

namespace {

using cfg::kRpcRetArray;

const char* kVersionFull = "siphon " SIPHON_VERSION " (x86_64/linux)";

std::string ctime_str(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    char buf[64];
    struct tm tmv;
    localtime_r(&tt, &tmv);
    // ctime() without its trailing newline, as Kamailio prints it.
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tmv);
    return buf;
}

void system_list_methods(Call& c) {
    for (auto& m : c.runtime().methods())
        c.add(Node::str(m.name));
}

void system_method_help(Call& c) {
    std::string name;
    if (c.scan_str(name) != Scan::Ok) {
        if (!c.failed()) c.fault(400, "Method Name Expected");
        return;
    }
    const Method* m = c.runtime().find(name);
    if (!m) {
        c.fault(400, "command not found");
        return;
    }
    if (m->help.empty()) {
        c.fault(500, "No documentation available");
        return;
    }
    c.add(Node::str(m->help));
}

// Kamailio 5.6's core answers system.methodSignature with exactly this fault (core_cmd.c):
// RPC commands carry no signatures there either. Kept for clients that test for it.
void system_method_signature(Call& c) {
    c.fault(500, "Not Implemented Yet");
}

void core_version(Call& c) {
    c.add(Node::str(kVersionFull));
}

void core_flags(Call& c) {
    c.add(Node::str("USE_TCP, USE_THREADS, RE2_REGEX"));
}

void core_info(Call& c) {
    Node& s = c.add_struct();
    s.set("version", "siphon " SIPHON_VERSION);
    s.set("id", "unknown");
#if defined(__clang__)
    s.set("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
    s.set("compiler", "gcc " __VERSION__);
#else
    s.set("compiler", "unknown");
#endif
    s.set("compiled", "");
    s.set("flags", "USE_TCP, USE_THREADS, RE2_REGEX");
}

void core_uptime(Call& c) {
    int64_t now = std::time(nullptr), up = c.runtime().start_time();
    Node& s = c.add_struct();
    s.set("now", ctime_str(now));
    s.set("up_since", ctime_str(up));
    s.set("uptime", now - up);
}

void core_runinfo(Call& c) {
    int64_t now = std::time(nullptr), up = c.runtime().start_time();
    int64_t secs = now - up;
    char days[64];
    std::snprintf(days, sizeof days, "%lldd %lldh %lldm %llds",
                  static_cast<long long>(secs / 86400), static_cast<long long>(secs % 86400 / 3600),
                  static_cast<long long>(secs % 3600 / 60), static_cast<long long>(secs % 60));
    Node& s = c.add_struct();
    s.set("name", "siphon");
    s.set("version", SIPHON_VERSION);
    s.set("sourceid", "unknown");
    s.set("compiler", "");
    s.set("compiled", "");
    s.set("time_now", ctime_str(now));
    s.set("time_started", ctime_str(up));
    s.set("uptime_secs", secs);
    s.set("utime_days", days);
}

void core_ps(Call& c) {
    for (auto& p : c.runtime().processes()) {
        c.add(Node::integer(p.pid));
        c.add(Node::str(p.desc));
    }
}

void core_psx(Call& c) {
    int idx = 0;
    for (auto& p : c.runtime().processes()) {
        Node& s = c.add_struct();
        s.set("IDX", idx++);
        s.set("PID", p.pid);
        s.set("DSC", p.desc);
    }
}

struct SockDesc {
    std::string proto, host, port;
};
std::vector<SockDesc> sockets(const Runtime& rt) {
    std::vector<SockDesc> v;
    if (!rt.server()) return v;
    for (auto& b : rt.server()->bound()) {
        // "udp:127.0.0.1:5060" / "tcp:[::1]:5060"
        size_t c1 = b.find(':'), c2 = b.rfind(':');
        if (c1 == std::string::npos || c2 == c1) continue;
        std::string host = b.substr(c1 + 1, c2 - c1 - 1);
        if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
        v.push_back({b.substr(0, c1), host, b.substr(c2 + 1)});
    }
    return v;
}

void core_sockets_list(Call& c) {
    for (auto& s : sockets(c.runtime())) {
        Node& h = c.add_struct();
        Node& k = h.set("socket", Node::structure());
        k.set("proto", s.proto);
        k.set("address", s.host);
        k.set("port", s.port);
        k.set("mcast", "no");
        k.set("mhomed", "no");
        k.set("virtual", "no");
    }
}

void corex_list_sockets(Call& c) {
    for (auto& s : sockets(c.runtime())) {
        Node& h = c.add_struct();
        h.set("PROTO", s.proto);
        h.set("NAME", s.host);
        h.set("ADDRLIST", Node::structure()).set("ADDR", s.host);
        h.set("PORT", s.port);
        h.set("MCAST", "no");
        h.set("MHOMED", "no");
        h.set("VIRTUAL", "no");
        h.set("SOCKNAME", "-");
        h.set("ADVERTISE", "-");
    }
}

void core_aliases_list(Call& c) {
    Node& s = c.add_struct();
    s.set("myself_callbacks", "no");
    Node& a = s.set("aliases", Node::array());
    for (auto& al : c.runtime().script().core.aliases) {
        Node& w = a.push(Node::structure());
        Node& x = w.set("alias", Node::structure());
        std::string host = al, proto = "*";
        int64_t port = 0;
        size_t p = host.find(':');
        if (p != std::string::npos &&
            (host.compare(0, p, "udp") == 0 || host.compare(0, p, "tcp") == 0)) {
            proto = host.substr(0, p);
            host = host.substr(p + 1);
        }
        p = host.rfind(':');
        if (p != std::string::npos && host.find(']') == std::string::npos) {
            port = std::atoll(host.c_str() + p + 1);
            host = host.substr(0, p);
        }
        x.set("proto", proto);
        x.set("address", host);
        x.set("port", port);
    }
}

void core_echo(Call& c) {
    Node n;
    while (c.scan_any(n) == Scan::Ok) {
        switch (n.type()) {
            case Node::Type::Str: c.add(Node::str(n.as_str())); break;
            case Node::Type::Int: c.add(Node::str(std::to_string(n.as_int()))); break;
            case Node::Type::Double: {
                char b[64];
                std::snprintf(b, sizeof b, "%g", n.as_double());
                c.add(Node::str(b));
                break;
            }
            case Node::Type::Bool: c.add(Node::str(n.as_bool() ? "1" : "0")); break;
            default: c.add(std::move(n)); break;
        }
    }
}

void core_printi(Call& c) {
    int64_t v;
    Scan s;
    while ((s = c.scan_int(v)) == Scan::Ok)
        c.add(Node::integer(v));
}

void core_prints(Call& c) {
    std::string v;
    while (c.scan_str(v) == Scan::Ok)
        c.add(Node::str(v));
}

void core_pwd(Call& c) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) {
        c.fault(500, "getcwd failed");
        return;
    }
    c.add(Node::str(buf));
}

void core_arg(Call& c) {
    for (auto& a : c.runtime().argv())
        c.add(Node::str(a));
}

void core_modules(Call& c) {
    auto& mods = c.runtime().script().modules;
    // Kamailio lists the most recently loaded module first.
    for (auto it = mods.rbegin(); it != mods.rend(); ++it)
        if (it->def->name != "core") c.add(Node::str(it->def->name));
}

void core_shmmem(Call& c) {
    std::string unit;
    int64_t div = 1;
    if (c.scan_str(unit) == Scan::Ok) {
        // "b" (default), "k"/"kb", "m"/"mb", "g"/"gb"; values are truncated.
        char u = unit.empty()
                     ? 'b'
                     : static_cast<char>(std::tolower(static_cast<unsigned char>(unit[0])));
        div = u == 'k' ? 1024 : u == 'm' ? 1024 * 1024 : u == 'g' ? 1024LL * 1024 * 1024 : 1;
    } else if (c.failed()) {
        return;
    }
    Stats& st = c.runtime().stats();
    auto get = [&](const char* n) {
        Stat* s = st.find(std::string("shmem:") + n);
        return s ? s->get() / div : 0;
    };
    Node& s = c.add_struct();
    s.set("total", get("total_size"));
    s.set("free", get("free_size"));
    s.set("used", get("used_size"));
    s.set("real_used", get("real_used_size"));
    s.set("max_used", get("max_used_size"));
    s.set("fragments", get("fragments"));
}

void core_tcp_info(Call& c) {
    Runtime& rt = c.runtime();
    const cfg::CoreConfig& core = rt.script().core;
    if (core.disable_tcp) {
        c.fault(500, "tcp support disabled");
        return;
    }
    Node& s = c.add_struct();
    s.set("readers", rt.workers());
    s.set("max_connections", core.tcp_max_connections);
    s.set("max_tls_connections", 0);
    s.set("opened_connections",
          rt.server() ? static_cast<int64_t>(rt.server()->stats().tcp_current.load()) : 0);
    s.set("opened_tls_connections", 0);
    s.set("write_queued_bytes", 0);
}

void core_tcp_options(Call& c) {
    const cfg::CoreConfig& core = c.runtime().script().core;
    Node& s = c.add_struct();
    s.set("connection_lifetime", core.tcp_connection_lifetime);
    s.set("max_connections(soft)", core.tcp_max_connections);
    s.set("max_tls_connections(soft)", 0);
    s.set("header_timeout", core.tcp_header_timeout);
    s.set("wq_max", core.tcp_send_queue_max);
    s.set("accept_no_cl", core.tcp_accept_no_cl ? 1 : 0);
}

// The process's TCP connections to its listening ports, read from /proc: the sockets this
// process holds (/proc/self/fd) matched against the kernel's table (/proc/net/tcp{,6}).
struct TcpConn {
    int fd;
    std::string lip, rip;
    int lport, rport;
};

std::string hex_to_ip(const std::string& h) {
    char out[64] = {};
    if (h.size() == 8) {
        unsigned v = static_cast<unsigned>(std::stoul(h, nullptr, 16));
        std::snprintf(out, sizeof out, "%u.%u.%u.%u", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
                      v >> 24);
        return out;
    }
    if (h.size() == 32) {
        // Four host-order 32-bit words.
        unsigned char b[16];
        for (int w = 0; w < 4; ++w) {
            unsigned v = static_cast<unsigned>(
                std::stoul(h.substr(static_cast<size_t>(w) * 8, 8), nullptr, 16));
            for (int k = 0; k < 4; ++k)
                b[w * 4 + k] = static_cast<unsigned char>((v >> (8 * k)) & 0xff);
        }
        static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(b, v4mapped, 12) == 0) {
            std::snprintf(out, sizeof out, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
            return out;
        }
        std::string s;
        for (int i = 0; i < 16; i += 2) {
            char p[8];
            std::snprintf(p, sizeof p, "%s%x", i ? ":" : "", (b[i] << 8) | b[i + 1]);
            s += p;
        }
        return s;
    }
    return h;
}

std::vector<TcpConn> tcp_connections(const std::set<int>& ports) {
    std::map<unsigned long, int> inode_fd;
    if (DIR* d = opendir("/proc/self/fd")) {
        while (dirent* e = readdir(d)) {
            char path[300], link[128];
            std::snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
            ssize_t n = readlink(path, link, sizeof link - 1);
            if (n <= 0) continue;
            link[n] = 0;
            unsigned long ino;
            if (std::sscanf(link, "socket:[%lu]", &ino) == 1) inode_fd[ino] = std::atoi(e->d_name);
        }
        closedir(d);
    }
    std::vector<TcpConn> out;
    for (const char* f : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(f);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream ss(line);
            std::string sl, local, remote, st, txrx, tr, retr, uid, timeout;
            unsigned long inode = 0;
            ss >> sl >> local >> remote >> st >> txrx >> tr >> retr >> uid >> timeout >> inode;
            if (st != "01") continue;   // ESTABLISHED
            auto it = inode_fd.find(inode);
            if (it == inode_fd.end()) continue;
            size_t lc = local.find(':'), rc = remote.find(':');
            if (lc == std::string::npos || rc == std::string::npos) continue;
            int lport = static_cast<int>(std::stoul(local.substr(lc + 1), nullptr, 16));
            if (!ports.count(lport)) continue;
            out.push_back({it->second, hex_to_ip(local.substr(0, lc)),
                           hex_to_ip(remote.substr(0, rc)), lport,
                           static_cast<int>(std::stoul(remote.substr(rc + 1), nullptr, 16))});
        }
    }
    return out;
}

void core_tcp_list(Call& c) {
    Runtime& rt = c.runtime();
    if (rt.script().core.disable_tcp) {
        c.fault(500, "tcp support disabled");
        return;
    }
    std::set<int> ports;
    for (auto& s : sockets(rt))
        if (s.proto == "tcp") ports.insert(std::atoi(s.port.c_str()));
    int lifetime = rt.script().core.tcp_connection_lifetime;
    for (auto& t : tcp_connections(ports)) {
        Node& s = c.add_struct();
        s.set("id", t.fd);
        s.set("type", "TCP");
        s.set("state", "CONN_OK");
        s.set("timeout", lifetime);
        s.set("lifetime", lifetime);
        s.set("ref_count", 1);
        s.set("src_ip", t.rip);
        s.set("src_port", t.rport);
        s.set("dst_ip", t.lip);
        s.set("dst_port", t.lport);
    }
}

// corex.debug [level]: {debug: N} to read, {old: N, new: M} to set.
void corex_debug(Call& c) {
    int64_t lvl;
    Scan s = c.scan_int(lvl);
    if (s == Scan::Bad) return;
    auto& level = log_config().level;
    Node& r = c.add_struct();
    if (s == Scan::Missing) {
        r.set("debug", level.load());
        return;
    }
    int old = level.exchange(static_cast<int>(lvl));
    r.set("old", old);
    r.set("new", lvl);
}

// cfg_rpc: cfg.get/cfg.set/cfg.seti/cfg.set_now_int for "core" "debug".
bool cfg_target(Call& c) {
    std::string group, name;
    if (c.scan_str(group) != Scan::Ok || c.scan_str(name) != Scan::Ok) {
        if (!c.failed()) c.fault(500, "Invalid parameters");
        return false;
    }
    if (group != "core" || name != "debug") {
        c.fault(400, "Failed to get the variable");
        return false;
    }
    return true;
}

void cfg_get(Call& c) {
    if (!cfg_target(c)) return;
    c.add(Node::integer(log_config().level.load()));
}

void cfg_set(Call& c) {
    if (!cfg_target(c)) return;
    int64_t v;
    Scan s = c.scan_int(v);
    if (s != Scan::Ok) {
        if (!c.failed()) c.fault(500, "Invalid parameters");
        return;
    }
    log_config().level.store(static_cast<int>(v));
}

// stats.*: kex/core_stats.c.
std::string stat_line(const Stat* s) {
    return s->full_name() + " = " + std::to_string(s->get());
}

void stats_get(Call& c) {
    auto names = c.rest_str();
    if (names.empty()) {
        if (!c.failed()) c.fault(400, "Please provide which stats to retrieve");
        return;
    }
    for (auto& n : names)
        for (Stat* s : c.runtime().stats().select(n))
            c.add(Node::str(stat_line(s)));
}

void stats_reset(Call& c) {
    auto names = c.rest_str();
    if (names.empty()) {
        if (!c.failed()) c.fault(400, "Please provide stats name");
        return;
    }
    for (auto& n : names)
        for (Stat* s : c.runtime().stats().select(n))
            s->reset();
}

void stats_clear(Call& c) {
    auto names = c.rest_str();
    if (names.empty()) {
        if (!c.failed()) c.fault(400, "Please provide which stats to retrieve");
        return;
    }
    for (auto& n : names)
        for (Stat* s : c.runtime().stats().select(n)) {
            c.add(Node::str(stat_line(s)));
            s->reset();
        }
}

void stats_fetch_impl(Call& c, bool numbers) {
    auto names = c.rest_str();
    if (names.empty()) {
        if (!c.failed()) c.fault(400, "Please provide which stats to retrieve");
        return;
    }
    Node& r = c.add_struct();
    for (auto& n : names)
        for (Stat* s : c.runtime().stats().select_ex(n)) {
            std::string key = s->group() + "." + s->name();
            if (numbers)
                r.set(key, s->get());
            else
                r.set(key, std::to_string(s->get()));
        }
}
void stats_fetch(Call& c) {
    stats_fetch_impl(c, false);
}
void stats_fetchn(Call& c) {
    stats_fetch_impl(c, true);
}

const cfg::RpcDef kCoreRpcs[] = {
    {"system.listMethods", system_list_methods, "Lists all RPC methods supported by the server.",
     kRpcRetArray},
    {"system.methodHelp", system_method_help, "Print the help string for given method."},
    {"system.methodSignature", system_method_signature, "Returns signature of given method."},
    {"core.version", core_version, "Returns the version string of the server."},
    {"core.flags", core_flags, "Returns the compile flags."},
    {"core.info", core_info, "Verbose info, including version number, compile flags, compiler."},
    {"core.runinfo", core_runinfo, "Runtime info, including version number, uptime, ..."},
    {"core.uptime", core_uptime, "Returns uptime of SIP server."},
    {"core.ps", core_ps, "Returns the description of running processes.", kRpcRetArray},
    {"core.psx", core_psx, "Returns the detailed description of running processes.", kRpcRetArray},
    {"core.sockets_list", core_sockets_list, "Returns the list of local SIP server listen sockets.",
     kRpcRetArray},
    {"core.aliases_list", core_aliases_list, "Returns the list of local SIP server host aliases."},
    {"core.echo", core_echo, "Returns back its parameters.", kRpcRetArray},
    {"core.printi", core_printi, "Returns the integers given as parameters.", kRpcRetArray},
    {"core.prints", core_prints, "Returns the strings given as parameters.", kRpcRetArray},
    {"core.pwd", core_pwd, "Returns the working directory of the server.", kRpcRetArray},
    {"core.arg", core_arg, "Returns the list of command line arguments used on startup.",
     kRpcRetArray},
    {"core.modules", core_modules, "List loaded modules", kRpcRetArray},
    {"core.shmmem", core_shmmem,
     "Returns shared memory info. It has an optional parameter that "
     "specifies the measuring unit: b - bytes (default), k or kb, m or "
     "mb, g or gb. Note: when using something different from bytes, the "
     "value is truncated."},
    {"core.tcp_info", core_tcp_info, "Returns tcp related info."},
    {"core.tcp_options", core_tcp_options, "Returns active tcp options."},
    {"core.tcp_list", core_tcp_list, "Returns tcp connections details.", kRpcRetArray},
    {"corex.debug", corex_debug, "Control debug log level"},
    {"corex.list_sockets", corex_list_sockets, "List listening sockets", kRpcRetArray},
    {"cfg.get", cfg_get, "Get the value of a configuration variable (core debug)."},
    {"cfg.set", cfg_set, "Set the value of a configuration variable (core debug)."},
    {"cfg.seti", cfg_set, "Set the value of an integer configuration variable (core debug)."},
    {"cfg.set_now_int", cfg_set,
     "Set the value of an integer configuration variable (core debug)."},
    {"stats.get_statistics", stats_get, "prints the statistics (all, group or one) as strings",
     kRpcRetArray},
    {"stats.reset_statistics", stats_reset, "resets the value of a statistic (all, group or one)"},
    {"stats.clear_statistics", stats_clear, "prints and resets the statistics (all, group or one)"},
    {"stats.fetch", stats_fetch, "fetch core and modules stats as string values"},
    {"stats.fetchn", stats_fetchn, "fetch core and modules stats as number values"},
};

}   // namespace

std::span<const cfg::RpcDef> core_rpcs() {
    return kCoreRpcs;
}

}   // namespace siphon::rpc
