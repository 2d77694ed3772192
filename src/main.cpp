// siphon: command line (Kamailio-compatible flags), config loading, start and stop.
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cfg/parser.h"
#include "cfg/script.h"
#include "core/log.h"
#include "modules/app.h"
#include "modules/kemi/kemi.h"
#include "modules/registry.h"
#include "modules/rpc/runtime.h"
#include "net/server.h"

namespace siphon {
extern const std::string_view kDefaultConfig;
}

namespace {

using namespace siphon;

struct Options {
    std::string cfg_file;
    bool check_only = false;
    int foreground = 0;
    bool log_stderr = false;
    std::vector<std::string> extra_listens;
    int children = 0;
    std::string pid_file;
    std::vector<std::pair<std::string, std::string>> defines;
    int debug = -100;
    std::string run_dir;   // -Y: where relative RPC FIFO/socket names go
    std::string user;      // -u: switch to this user (name or number) once the sockets are bound
    std::string group;     // -g: and to this group (default: the user's primary group)
};

void usage(FILE* f) {
    std::fprintf(f,
                 "usage: siphon [options]\n"
                 "  -f FILE     configuration file (default: the embedded configuration)\n"
                 "  -c          check the configuration and exit (0: valid, 1: errors)\n"
                 "  -D          do not fork into the background (-DD: same, kept for compatibility)\n"
                 "  -E          log to stderr\n"
                 "  -l ADDR     listen on ADDR too ([proto:]addr[:port]); may be repeated\n"
                 "  -n N        number of worker threads (children)\n"
                 "  -P FILE     write the process id to FILE\n"
                 "  -A NAME[=VALUE]  define NAME for #!ifdef in the configuration\n"
                 "  -d          raise the log level by one (repeatable)\n"
                 "  -L DIR      module directory (accepted; modules are built in)\n"
                 "  -Y DIR      runtime directory for RPC FIFO/socket files (default /run/siphon)\n"
                 "  -u USER     run as USER (name or number) once the sockets are bound\n"
                 "  -g GROUP    run as GROUP (name or number; default: the primary group of -u)\n"
                 "  -M N, -m N  memory sizes (accepted; memory is not preallocated)\n"
                 "  -V, -v      print version and exit\n"
                 "  -h          this help\n"
                 "built-in modules:");
    for (auto* m : modules::builtin())
        if (m->name != "core") std::fprintf(f, " %.*s", static_cast<int>(m->name.size()), m->name.data());
    std::fprintf(f, "\n");
}

bool parse_args(int argc, char** argv, Options& o, int& exit_code) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (a.size() > 2) {
                out = a.substr(2);
                return true;
            }
            if (i + 1 >= argc) {
                std::fprintf(stderr, "siphon: option %s needs a value\n", a.c_str());
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (a.size() < 2 || a[0] != '-') {
            std::fprintf(stderr, "siphon: unexpected argument '%s'\n", a.c_str());
            exit_code = 2;
            return false;
        }
        std::string v;
        switch (a[1]) {
            case 'f': if (!value(o.cfg_file)) return exit_code = 2, false; break;
            case 'c': o.check_only = true; break;
            case 'D': o.foreground += static_cast<int>(a.size() - 1); break;
            case 'E': o.log_stderr = true; break;
            case 'l':
                if (!value(v)) return exit_code = 2, false;
                o.extra_listens.push_back(v);
                break;
            case 'n':
                if (!value(v)) return exit_code = 2, false;
                o.children = std::atoi(v.c_str());
                if (o.children < 1 || o.children > 1024) {
                    std::fprintf(stderr, "siphon: bad -n value '%s'\n", v.c_str());
                    return exit_code = 2, false;
                }
                break;
            case 'P': if (!value(o.pid_file)) return exit_code = 2, false; break;
            case 'A': {
                if (!value(v)) return exit_code = 2, false;
                size_t eq = v.find('=');
                if (eq == std::string::npos) o.defines.emplace_back(v, "");
                else o.defines.emplace_back(v.substr(0, eq), v.substr(eq + 1));
                break;
            }
            case 'd': o.debug = (o.debug == -100 ? 0 : o.debug) + static_cast<int>(a.size() - 1); break;
            case 'Y': if (!value(o.run_dir)) return exit_code = 2, false; break;
            case 'u': if (!value(o.user)) return exit_code = 2, false; break;
            case 'g': if (!value(o.group)) return exit_code = 2, false; break;
            case 'L': case 'M': case 'm': case 'w':
                if (!value(v)) return exit_code = 2, false;
                break;
            case 'V': case 'v':
                std::printf("version: siphon %s (x86_64/linux)\n", SIPHON_VERSION);
                exit_code = 0;
                return false;
            case 'h':
                usage(stdout);
                exit_code = 0;
                return false;
            default:
                std::fprintf(stderr, "siphon: unknown option '%s'\n", a.c_str());
                usage(stderr);
                exit_code = 2;
                return false;
        }
    }
    return true;
}

// Expands config listens into sockets: a listen without protocol gives one UDP and one TCP
// socket (TCP unless disable_tcp), as Kamailio does.
std::vector<net::ListenAddr> expand_listens(const cfg::CoreConfig& core, std::string& err) {
    std::vector<net::ListenAddr> out;
    auto add = [&](const cfg::Listen& l) {
        std::vector<pv::Proto> protos;
        if (l.proto == pv::Proto::None) {
            protos.push_back(pv::Proto::Udp);
            if (!core.disable_tcp) protos.push_back(pv::Proto::Tcp);
        } else if (l.proto == pv::Proto::Udp || l.proto == pv::Proto::Tcp) {
            protos.push_back(l.proto);
        } else {
            // Refused by the config parser already; kept for listeners given on the command line.
            err = "listen on " + std::string(pv::proto_name(l.proto)) +
                  " is not supported: siphon serves udp and tcp";
            return;
        }
        for (auto p : protos) {
            net::ListenAddr a;
            a.proto = p;
            a.host = l.host == "*" ? "0.0.0.0" : l.host;
            a.port = l.port ? l.port : static_cast<uint16_t>(core.port);
            a.advertise_host = l.advertise_host;
            a.advertise_port = l.advertise_port;
            out.push_back(a);
        }
    };
    for (auto& l : core.listens) add(l);
    if (core.listens.empty()) {
        cfg::Listen any;
        any.host = "0.0.0.0";
        add(any);
    }
    return out;
}

// -u/-g: the identity the server drops to once its sockets are bound (Kamailio's do_suid).
struct Identity {
    bool set_user = false;
    bool set_group = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string user_name;   // for the supplementary groups; empty for a number without passwd entry
    bool has_primary = false;
    gid_t primary_gid = 0;
};

bool all_digits(const std::string& s) {
    if (s.empty() || s.size() > 10) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// Resolves -u/-g (names or numbers). Returns an error text for an unknown user or group.
std::string resolve_identity(const Options& o, Identity& id) {
    if (!o.user.empty()) {
        struct passwd* pw = nullptr;
        if (all_digits(o.user)) {
            unsigned long n = std::strtoul(o.user.c_str(), nullptr, 10);
            if (n > 0xfffffffeUL) return "bad user id '" + o.user + "'";
            id.uid = static_cast<uid_t>(n);
            pw = getpwuid(id.uid);
        } else {
            pw = getpwnam(o.user.c_str());
            if (!pw) return "unknown user '" + o.user + "'";
            id.uid = pw->pw_uid;
        }
        if (pw) {
            id.user_name = pw->pw_name;
            id.has_primary = true;
            id.primary_gid = pw->pw_gid;
        }
        id.set_user = true;
    }
    if (!o.group.empty()) {
        if (all_digits(o.group)) {
            unsigned long n = std::strtoul(o.group.c_str(), nullptr, 10);
            if (n > 0xfffffffeUL) return "bad group id '" + o.group + "'";
            id.gid = static_cast<gid_t>(n);
        } else {
            struct group* gr = getgrnam(o.group.c_str());
            if (!gr) return "unknown group '" + o.group + "'";
            id.gid = gr->gr_gid;
        }
        id.set_group = true;
    } else if (id.has_primary) {
        id.gid = id.primary_gid;
        id.set_group = true;
    } else if (id.set_user) {
        // Keeping the starting group (root's) would leave a privilege behind.
        return "user id " + o.user + " has no passwd entry: give the group with -g";
    }
    return "";
}

// True when the process is root and -u/-g ask for another identity: only then are files
// handed over and ids switched. A non-root process started with -u naming itself does nothing.
bool switching(const Identity& id) {
    if (!id.set_user && !id.set_group) return false;
    if (geteuid() != 0) {
        bool user_same = !id.set_user || (id.uid == getuid() && id.uid == geteuid());
        // -g given explicitly for another group is still attempted (and fails with EPERM
        // unless it is the real or saved group).
        return !user_same || (id.set_group && id.gid != getegid());
    }
    return (id.set_user && id.uid != 0) || (id.set_group && id.gid != getegid());
}

// The topmost missing component of a directory path ("" when it exists): what creating
// the directory with its parents would add.
std::string first_missing(std::string path) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    std::string top;
    struct stat st;
    while (!path.empty() && ::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
        top = path;
        size_t slash = path.rfind('/');
        if (slash == std::string::npos || slash == 0) break;
        path.resize(slash);
    }
    return top;
}

uid_t g_chown_uid;
gid_t g_chown_gid;

int chown_entry(const char* path, const struct stat* st, int, struct FTW*) {
    // Only what this process created (still owned by it) changes hands; an owner set
    // explicitly (jsonrpcs fifo_user/fifo_group) stays.
    uid_t u = st->st_uid == geteuid() ? g_chown_uid : static_cast<uid_t>(-1);
    gid_t g = st->st_gid == getegid() ? g_chown_gid : static_cast<gid_t>(-1);
    if (u != static_cast<uid_t>(-1) || g != static_cast<gid_t>(-1)) {
        if (::lchown(path, u, g) != 0)
            log_printf(kLogWarn, "core", "chown %s: %s", path, std::strerror(errno));
    }
    return 0;
}

// Hands a runtime directory that this start created (and the RPC FIFO/socket files in it)
// to the identity the server switches to, so that it can remove and recreate them later.
void hand_over_tree(const std::string& top, const Identity& id) {
    struct stat st;
    if (top.empty() || ::lstat(top.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    g_chown_uid = id.set_user ? id.uid : static_cast<uid_t>(-1);
    g_chown_gid = id.set_group ? id.gid : static_cast<gid_t>(-1);
    ::nftw(top.c_str(), chown_entry, 16, FTW_PHYS);
}

// setgroups/setgid/setuid, in that order. Returns an error text on failure.
std::string drop_privileges(const Identity& id) {
    bool root = geteuid() == 0;
    gid_t gid = id.set_group ? id.gid : getegid();
    if (root) {
        int rc = id.set_user && !id.user_name.empty() ? ::initgroups(id.user_name.c_str(), gid)
                                                      : ::setgroups(1, &gid);
        if (rc != 0) return std::string("cannot set the supplementary groups: ") + std::strerror(errno);
    }
    if (id.set_group && (gid != getgid() || gid != getegid()) && ::setgid(gid) != 0)
        return "cannot switch to group id " + std::to_string(gid) + ": " + std::strerror(errno);
    bool user_same = !id.set_user || (id.uid == getuid() && id.uid == geteuid());
    if (!user_same && ::setuid(id.uid) != 0)
        return "cannot switch to user id " + std::to_string(id.uid) + ": " + std::strerror(errno);
    if (id.set_user && id.uid != 0 && (::setuid(0) == 0 || geteuid() == 0))
        return "still able to regain root after switching to user id " + std::to_string(id.uid);
    if (id.set_group && getegid() != gid) return "group id did not change to " + std::to_string(gid);
    return "";
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    int code = 0;
    if (!parse_args(argc, argv, o, code)) return code;

    cfg::LoadOptions lo;
    std::string embedded;
    if (o.cfg_file.empty()) {
        embedded = std::string(kDefaultConfig);
        lo.path = "<embedded siphon.cfg>";
        lo.text = &embedded;
    } else {
        lo.path = o.cfg_file;
    }
    lo.defines = o.defines;
    lo.modules = modules::builtin();
    cfg::Diagnostics diag;
    auto script = cfg::load_script(lo, diag);

    // Command-line listens are checked with the config so that -c reports them too.
    for (auto& l : o.extra_listens) {
        cfg::Listen x;
        std::string err = cfg::parse_listen(l, x);
        if (!err.empty()) diag.error({}, "-l " + l + ": " + err);
        else script->core.listens.push_back(x);
    }
    std::string engine_err;   // cfgengine names an engine that is not loaded
    if (diag.error_count() == 0 && !kemi::routing_engine(*script, &engine_err) && !engine_err.empty())
        diag.error({}, engine_err);
    if (!diag.list().empty()) std::fputs(diag.format(script->sources).c_str(), stderr);
    if (diag.error_count()) {
        std::fprintf(stderr, "%s: %zu error%s in the configuration\n", lo.path.c_str(), diag.error_count(),
                     diag.error_count() == 1 ? "" : "s");
        return 1;
    }
    if (o.check_only) {
        std::fprintf(stderr, "%s: configuration is valid\n", lo.path.c_str());
        return 0;
    }

    Identity ident;
    std::string id_err = resolve_identity(o, ident);
    if (!id_err.empty()) {
        std::fprintf(stderr, "siphon: %s\n", id_err.c_str());
        return 1;
    }
    bool switch_ids = switching(ident);

    cfg::CoreConfig& core = script->core;
    LogConfig& lc = log_config();
    lc.level.store(o.debug != -100 ? o.debug : core.debug);
    lc.to_stderr = o.log_stderr || core.log_stderror;
    parse_log_facility(core.log_facility, lc.facility);
    if (!lc.to_stderr) openlog("siphon", LOG_PID | LOG_NDELAY, lc.facility);

    std::string err;
    net::NetConfig nc;
    nc.listens = expand_listens(core, err);
    if (!err.empty()) {
        std::fprintf(stderr, "siphon: %s\n", err.c_str());
        return 1;
    }
    int children = o.children ? o.children : core.children;
    nc.workers = std::max(children, core.tcp_children);
    nc.limits.max_start_line = static_cast<size_t>(core.max_request_line);
    nc.limits.max_headers = static_cast<size_t>(core.max_headers);
    nc.limits.max_header_bytes = static_cast<size_t>(core.max_header_bytes);
    nc.limits.max_body = static_cast<size_t>(core.max_body);
    nc.stream.accept_no_cl = core.tcp_accept_no_cl;
    nc.tcp_max_connections = core.tcp_max_connections;
    nc.tcp_connection_lifetime = core.tcp_connection_lifetime;
    nc.tcp_header_timeout = core.tcp_header_timeout;
    nc.tcp_send_queue_max = static_cast<size_t>(core.tcp_send_queue_max);
    nc.io_coalesce_us = core.io_coalesce_us;

    // Signals are handled by the main thread only (sigwait); workers inherit the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    signal(SIGPIPE, SIG_IGN);

    rpc::Runtime runtime(*script, nc.workers);
    if (!o.run_dir.empty()) runtime.set_run_dir(o.run_dir);
    runtime.set_argv(std::vector<std::string>(argv, argv + argc));
    modules::App app(*script, nc.workers);
    app.set_runtime(&runtime);
    net::Server server(nc, app);
    err = server.bind_all();
    if (!err.empty()) {
        std::fprintf(stderr, "siphon: %s\n", err.c_str());
        return 1;
    }
    runtime.attach_server(&server);
    // RPC FIFO/socket files are created now, with the privileges of the start; a runtime
    // directory created for them is handed to the -u/-g identity so that it can remove them.
    std::string created_run_dir = switch_ids && geteuid() == 0 ? first_missing(runtime.run_dir()) : "";
    err = runtime.open_services();
    if (!err.empty()) {
        std::fprintf(stderr, "siphon: %s\n", err.c_str());
        return 1;
    }
    if (!created_run_dir.empty()) hand_over_tree(created_run_dir, ident);
    std::string listeners;
    for (auto& b : server.bound()) listeners += (listeners.empty() ? "" : " ") + b;
    app.shared().listeners = listeners;

    if (!o.foreground) {
        // Daemonize: the parent returns once the child is running.
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("fork");
            return 1;
        }
        if (pid > 0) return 0;
        setsid();
        int fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            if (!lc.to_stderr) dup2(fd, 2);
            if (fd > 2) close(fd);
        }
    }
    if (!o.pid_file.empty()) {
        FILE* f = std::fopen(o.pid_file.c_str(), "w");
        if (!f) {
            std::fprintf(stderr, "siphon: cannot write pid file %s: %s\n", o.pid_file.c_str(), std::strerror(errno));
            return 1;
        }
        std::fprintf(f, "%d\n", static_cast<int>(getpid()));
        std::fclose(f);
    }
    // Every socket is bound and every file written: drop root before any worker starts.
    if (switch_ids) {
        err = drop_privileges(ident);
        if (!err.empty()) {
            std::fprintf(stderr, "siphon: %s\n", err.c_str());
            if (!lc.to_stderr) log_printf(kLogCrit, "core", "%s", err.c_str());
            if (!o.pid_file.empty()) unlink(o.pid_file.c_str());
            return 1;
        }
        log_printf(kLogNotice, "core", "running as uid %u, gid %u", static_cast<unsigned>(geteuid()),
                   static_cast<unsigned>(getegid()));
    }
    log_printf(kLogNotice, "core", "siphon %s started, %d workers, listening on %s", SIPHON_VERSION,
               nc.workers, listeners.c_str());
    if (lc.to_stderr) {
        std::fprintf(stderr, "Listening on\n");
        for (auto& b : server.bound()) std::fprintf(stderr, "             %s\n", b.c_str());
    }
    // Services first: an RPC that arrives as soon as the workers run sees them (core.psx).
    runtime.start_services();
    server.start();
    int sig = 0;
    for (;;) {
        sigwait(&sigs, &sig);
        if (sig == SIGINT || sig == SIGTERM) break;
        // SIGHUP: reload the KEMI (Lua) scripts; the native config is never reloaded.
        if (sig == SIGHUP) app.reload_scripts();
    }
    log_printf(kLogNotice, "core", "signal %d: stopping", sig);
    runtime.stop_services();
    server.stop();
    if (!o.pid_file.empty() && unlink(o.pid_file.c_str()) != 0 && errno != ENOENT)
        log_printf(kLogWarn, "core", "cannot remove pid file %s: %s", o.pid_file.c_str(), std::strerror(errno));
    return 0;
}
