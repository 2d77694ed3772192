// jsonrpcs transports other than HTTP: a FIFO file (jsonrpcs_fifo.c: the request names the
// reply FIFO in "reply_name", created by the client in fifo_reply_dir), a datagram socket
// (jsonrpcs_sock.c: UNIX or UDP, the reply goes back to the sender's address) and a stream
// socket (TCP, or UNIX as a siphon extension: one reply per request document, the
// connection stays open). All run on one service thread with poll().
#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>

#include "core/log.h"
#include "modules/jsonrpcs/jsonrpcs.h"
#include "modules/rpc/jsonrpc.h"

namespace siphon::modules {

namespace {

constexpr size_t kMaxDoc = 1 << 20;      // bytes buffered for one request document
constexpr int64_t kIdleMs = 60 * 1000;   // stream connections idle this long are closed

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string errstr() {
    return std::strerror(errno);
}

// Creates the parent directory of a path (mkdir -p), for files in the runtime directory.
void make_parent_dirs(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return;
    std::string dir = path.substr(0, slash);
    for (size_t i = 1; i <= dir.size(); ++i)
        if (i == dir.size() || dir[i] == '/') {
            std::string part = dir.substr(0, i);
            ::mkdir(part.c_str(), 0755);
        }
}

std::string apply_owner(const std::string& path, const std::string& user,
                        const std::string& group) {
    if (user.empty() && group.empty()) return "";
    uid_t uid = static_cast<uid_t>(-1);
    gid_t gid = static_cast<gid_t>(-1);
    auto numeric = [](const std::string& s, long& v) {
        char* end = nullptr;
        v = std::strtol(s.c_str(), &end, 10);
        return !s.empty() && *end == '\0';
    };
    long n;
    if (!user.empty()) {
        if (numeric(user, n))
            uid = static_cast<uid_t>(n);
        else if (struct passwd* pw = getpwnam(user.c_str()))
            uid = pw->pw_uid;
        else
            return "unknown user " + user;
    }
    if (!group.empty()) {
        if (numeric(group, n))
            gid = static_cast<gid_t>(n);
        else if (struct group* gr = getgrnam(group.c_str()))
            gid = gr->gr_gid;
        else
            return "unknown group " + group;
    }
    if (::chown(path.c_str(), uid, gid) != 0) return "chown " + path + ": " + errstr();
    return "";
}

// "udp:1.2.3.4:8090" / "tcp:[::1]:5042" -> address. False if it is not of that form.
bool parse_inet(const std::string& spec, const char* proto, sockaddr_storage& ss, socklen_t& len,
                std::string& err) {
    std::string p = std::string(proto) + ":";
    if (spec.compare(0, p.size(), p) != 0) return false;
    std::string rest = spec.substr(p.size());
    std::string host, port;
    if (!rest.empty() && rest[0] == '[') {
        size_t e = rest.find(']');
        if (e == std::string::npos || e + 1 >= rest.size() || rest[e + 1] != ':') {
            err = "bad address " + spec;
            return true;
        }
        host = rest.substr(1, e - 1);
        port = rest.substr(e + 2);
    } else {
        size_t c = rest.rfind(':');
        if (c == std::string::npos) {
            err = "bad address " + spec + " (proto:host:port)";
            return true;
        }
        host = rest.substr(0, c);
        port = rest.substr(c + 1);
    }
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICSERV;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = std::strcmp(proto, "udp") == 0 ? SOCK_DGRAM : SOCK_STREAM;
    addrinfo* res = nullptr;
    int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || !res) {
        err = "cannot resolve " + spec + ": " + gai_strerror(rc);
        return true;
    }
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

int unix_socket(const std::string& path, int type, int mode, std::string& err) {
    sockaddr_un sun{};
    if (path.size() >= sizeof sun.sun_path) {
        err = "socket path too long: " + path;
        return -1;
    }
    make_parent_dirs(path);
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            err = path + " exists and is not a socket";
            return -1;
        }
        ::unlink(path.c_str());
    }
    int fd = ::socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = "socket: " + errstr();
        return -1;
    }
    sun.sun_family = AF_UNIX;
    std::memcpy(sun.sun_path, path.c_str(), path.size());
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) {
        err = "bind " + path + ": " + errstr();
        ::close(fd);
        return -1;
    }
    ::chmod(path.c_str(), static_cast<mode_t>(mode));
    return fd;
}

int inet_socket(const sockaddr_storage& ss, socklen_t len, int type, const std::string& spec,
                std::string& err) {
    int fd = ::socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err = "socket: " + errstr();
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
        err = "bind " + spec + ": " + errstr();
        ::close(fd);
        return -1;
    }
    return fd;
}

// Writes all of data to a non-blocking fd, waiting at most timeout_ms in total.
bool write_all(int fd, std::string_view data, int timeout_ms) {
    int64_t deadline = now_ms() + timeout_ms;
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(left));
    }
    return true;
}

}   // namespace

JsonrpcsData::~JsonrpcsData() {
    stop();
}

std::string JsonrpcsData::open(rpc::Runtime& r) {
    rt = &r;
    // An explicitly enabled transport that cannot start is an error; with transport=0
    // ("all that can be enabled") it is skipped, as in jsonrpcs mod_init().
    bool strict = transport != 0;
    auto fail = [&](const std::string& what) -> std::string {
        if (strict) return "jsonrpcs: " + what;
        SLOG_WARN("jsonrpcs", "%s (transport skipped)", what.c_str());
        return "";
    };
    if (enabled(kJsonrpcFifo) && !fifo_name.empty()) {
        fifo_path = r.resolve_path(fifo_name);
        make_parent_dirs(fifo_path);
        struct stat st;
        if (::lstat(fifo_path.c_str(), &st) == 0) {
            if (!S_ISFIFO(st.st_mode)) {
                if (auto e = fail(fifo_path + " exists and is not a FIFO"); !e.empty()) return e;
                fifo_path.clear();
            } else {
                ::unlink(fifo_path.c_str());
            }
        }
        if (!fifo_path.empty()) {
            if (::mkfifo(fifo_path.c_str(), static_cast<mode_t>(fifo_mode)) != 0) {
                std::string e = fail("cannot create FIFO " + fifo_path + ": " + errstr());
                fifo_path.clear();
                if (!e.empty()) return e;
            } else {
                ::chmod(fifo_path.c_str(), static_cast<mode_t>(fifo_mode));
                std::string e = apply_owner(fifo_path, fifo_user, fifo_group);
                if (!e.empty()) SLOG_WARN("jsonrpcs", "%s", e.c_str());
                // Opened read-write so that the FIFO never reports end of file when the
                // last writer goes away.
                fifo_fd = ::open(fifo_path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
                if (fifo_fd < 0) {
                    std::string e2 = fail("cannot open FIFO " + fifo_path + ": " + errstr());
                    if (!e2.empty()) return e2;
                }
            }
        }
    }
    if (enabled(kJsonrpcDgram) && !dgram_socket.empty()) {
        std::string err;
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (parse_inet(dgram_socket, "udp", ss, len, err)) {
            if (err.empty()) dgram_fd = inet_socket(ss, len, SOCK_DGRAM, dgram_socket, err);
        } else {
            std::string path = dgram_socket;
            if (path.compare(0, 5, "unix:") == 0) path = path.substr(5);
            dgram_path = r.resolve_path(path);
            dgram_fd = unix_socket(dgram_path, SOCK_DGRAM, dgram_mode, err);
            if (dgram_fd >= 0) {
                std::string e = apply_owner(dgram_path, dgram_user, dgram_group);
                if (!e.empty()) SLOG_WARN("jsonrpcs", "%s", e.c_str());
            } else {
                dgram_path.clear();
            }
        }
        if (dgram_fd >= 0) {
            int sz = 1 << 20;
            ::setsockopt(dgram_fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
        } else if (auto e = fail(err.empty() ? "cannot open " + dgram_socket : err); !e.empty()) {
            return e;
        }
    }
    if (enabled(kJsonrpcTcp) && !tcp_socket.empty()) {
        std::string err;
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (parse_inet(tcp_socket, "tcp", ss, len, err)) {
            if (err.empty()) tcp_fd = inet_socket(ss, len, SOCK_STREAM, tcp_socket, err);
        } else {
            std::string path = tcp_socket;
            if (path.compare(0, 5, "unix:") == 0) path = path.substr(5);
            tcp_path = r.resolve_path(path);
            tcp_fd = unix_socket(tcp_path, SOCK_STREAM, dgram_mode, err);
            if (tcp_fd < 0) tcp_path.clear();
        }
        if (tcp_fd >= 0 && ::listen(tcp_fd, 64) != 0) {
            err = "listen " + tcp_socket + ": " + errstr();
            ::close(tcp_fd);
            tcp_fd = -1;
        }
        if (tcp_fd < 0)
            if (auto e = fail(err.empty() ? "cannot open " + tcp_socket : err); !e.empty())
                return e;
    }
    return "";
}

void JsonrpcsData::start(rpc::Runtime& r) {
    if (running.load() || (fifo_fd < 0 && dgram_fd < 0 && tcp_fd < 0)) return;
    stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (stop_fd < 0) {
        SLOG_ERR("jsonrpcs", "eventfd: %s", std::strerror(errno));
        return;
    }
    running = true;
    // The thread is listed (core.psx) before start() returns, so the first RPC after
    // startup already sees it.
    std::promise<void> listed;
    std::future<void> ready = listed.get_future();
    thread = std::thread([this, &r, &listed] {
        std::string desc = "JSONRPCS";
        if (fifo_fd >= 0) desc += " FIFO";
        if (dgram_fd >= 0) desc += " DATAGRAM";
        if (tcp_fd >= 0) desc += " STREAM";
        r.register_thread(desc);
        listed.set_value();
        loop();
    });
    ready.wait();
}

void JsonrpcsData::stop() {
    if (running.exchange(false)) {
        uint64_t one = 1;
        if (::write(stop_fd, &one, sizeof one) < 0) {
        }
        if (thread.joinable()) thread.join();
    }
    close_all();
}

void JsonrpcsData::close_all() {
    for (auto& c : conns)
        ::close(c.fd);
    conns.clear();
    for (int* fd : {&stop_fd, &fifo_fd, &dgram_fd, &tcp_fd})
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    if (!fifo_path.empty()) ::unlink(fifo_path.c_str());
    if (!dgram_path.empty()) ::unlink(dgram_path.c_str());
    if (!tcp_path.empty()) ::unlink(tcp_path.c_str());
    fifo_path.clear();
    dgram_path.clear();
    tcp_path.clear();
}

void JsonrpcsData::loop() {
    std::vector<pollfd> fds;
    while (running.load()) {
        fds.clear();
        fds.push_back({stop_fd, POLLIN, 0});
        if (fifo_fd >= 0) fds.push_back({fifo_fd, POLLIN, 0});
        if (dgram_fd >= 0) fds.push_back({dgram_fd, POLLIN, 0});
        if (tcp_fd >= 0) fds.push_back({tcp_fd, POLLIN, 0});
        size_t first_conn = fds.size();
        for (auto& c : conns)
            fds.push_back({c.fd, POLLIN, 0});
        int n = ::poll(fds.data(), fds.size(), 1000);
        if (n < 0 && errno != EINTR) {
            SLOG_ERR("jsonrpcs", "poll: %s", std::strerror(errno));
            return;
        }
        if (fds[0].revents) return;
        for (size_t i = 1; i < first_conn; ++i) {
            if (!fds[i].revents) continue;
            if (fds[i].fd == fifo_fd)
                on_fifo();
            else if (fds[i].fd == dgram_fd)
                on_dgram();
            else if (fds[i].fd == tcp_fd)
                on_accept();
        }
        // Connections: handle readable ones, drop idle ones.
        int64_t now = now_ms();
        std::vector<Conn> keep;
        for (size_t i = 0; i < conns.size(); ++i) {
            Conn& c = conns[i];
            bool ok = true;
            if (first_conn + i < fds.size() && fds[first_conn + i].revents)
                ok = on_conn(c);
            else if (now - c.last > kIdleMs)
                ok = false;
            if (ok)
                keep.push_back(std::move(c));
            else
                ::close(c.fd);
        }
        conns = std::move(keep);
    }
}

void JsonrpcsData::on_fifo() {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fifo_fd, buf, sizeof buf);
        if (n <= 0) break;
        fifo_buf.append(buf, static_cast<size_t>(n));
    }
    for (;;) {
        size_t len = rpc::json_doc_length(fifo_buf);
        if (len == 0) {
            if (fifo_buf.size() > kMaxDoc) fifo_buf.clear();
            if (fifo_buf.find_first_not_of(" \t\r\n") == std::string::npos) fifo_buf.clear();
            return;
        }
        if (len == std::string::npos) {
            // Not a JSON document: skip the line.
            size_t nl = fifo_buf.find('\n');
            SLOG_ERR("jsonrpcs", "FIFO: invalid JSON document dropped");
            fifo_buf.erase(0, nl == std::string::npos ? fifo_buf.size() : nl + 1);
            continue;
        }
        std::string doc = fifo_buf.substr(0, len);
        fifo_buf.erase(0, len);
        rpc::JsonrpcReply r = rpc::jsonrpc_process(*rt, doc, pretty);
        if (r.reply_name.empty()) {
            SLOG_ERR("jsonrpcs", "FIFO: missing reply_name field in request");
            continue;
        }
        // The reply FIFO is a plain name inside fifo_reply_dir.
        if (r.reply_name.find('/') != std::string::npos || r.reply_name == "." ||
            r.reply_name == "..") {
            SLOG_ERR("jsonrpcs", "FIFO: bad reply_name");
            continue;
        }
        std::string path = fifo_reply_dir;
        if (!path.empty() && path.back() != '/') path += '/';
        path += r.reply_name;
        // The client may still be creating or opening its FIFO: retry for dgram_timeout.
        int fd = -1;
        int64_t deadline = now_ms() + dgram_timeout;
        while ((fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 &&
               now_ms() < deadline && (errno == ENXIO || errno == ENOENT || errno == EINTR))
            ::usleep(10000);
        if (fd < 0) {
            SLOG_ERR("jsonrpcs", "FIFO: cannot open reply FIFO %s: %s", path.c_str(),
                     std::strerror(errno));
            continue;
        }
        struct stat st;
        if (::fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
            SLOG_ERR("jsonrpcs", "FIFO: reply path %s is not a FIFO", path.c_str());
            ::close(fd);
            continue;
        }
        if (!write_all(fd, r.body + "\n", dgram_timeout))
            SLOG_ERR("jsonrpcs", "FIFO: reply to %s not delivered", path.c_str());
        ::close(fd);
    }
}

void JsonrpcsData::on_dgram() {
    static thread_local std::string buf(65536, '\0');
    for (;;) {
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        ssize_t n = ::recvfrom(dgram_fd, buf.data(), buf.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) return;
        rpc::JsonrpcReply r =
            rpc::jsonrpc_process(*rt, std::string_view(buf.data(), static_cast<size_t>(n)), pretty);
        if (r.body.empty()) continue;
        // An unbound UNIX client has no address to answer to.
        if (flen <= sizeof(sa_family_t)) continue;
        if (::sendto(dgram_fd, r.body.data(), r.body.size(), 0, reinterpret_cast<sockaddr*>(&from),
                     flen) < 0)
            SLOG_ERR("jsonrpcs", "datagram reply not sent: %s", std::strerror(errno));
    }
}

void JsonrpcsData::on_accept() {
    for (;;) {
        int fd = ::accept4(tcp_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        if (conns.size() >= 64) {
            ::close(fd);
            continue;
        }
        conns.push_back({fd, "", now_ms()});
    }
}

bool JsonrpcsData::on_conn(Conn& c) {
    char buf[65536];
    bool eof = false;
    for (;;) {
        ssize_t n = ::read(c.fd, buf, sizeof buf);
        if (n > 0) {
            c.buf.append(buf, static_cast<size_t>(n));
            if (c.buf.size() > kMaxDoc) return false;
            continue;
        }
        if (n == 0)
            eof = true;
        else if (errno == EINTR)
            continue;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            return false;
        break;
    }
    c.last = now_ms();
    for (;;) {
        size_t len = rpc::json_doc_length(c.buf);
        if (len == 0) break;
        std::string doc;
        if (len == std::string::npos) {
            // Garbage: answered with a parse error, then the connection is closed.
            doc.swap(c.buf);
        } else {
            doc = c.buf.substr(0, len);
            c.buf.erase(0, len);
        }
        rpc::JsonrpcReply r = rpc::jsonrpc_process(*rt, doc, pretty);
        if (!r.body.empty() && !write_all(c.fd, r.body + "\n", dgram_timeout)) return false;
        if (len == std::string::npos) return false;
    }
    if (eof) {
        // A request cut short by the client's end of stream is a parse error.
        if (c.buf.find_first_not_of(" \t\r\n") != std::string::npos) {
            rpc::JsonrpcReply r = rpc::jsonrpc_process(*rt, c.buf, pretty);
            write_all(c.fd, r.body + "\n", dgram_timeout);
        }
        return false;
    }
    return true;
}

}   // namespace siphon::modules
