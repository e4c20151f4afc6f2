#include "agent/collectors/host.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "agent/collectors/file_io.hpp"
#include "agent/collectors/proc_stat.hpp"
#include "common/identifiers.hpp"
#include "common/time_util.hpp"
#include "common/utf8.hpp"

namespace vigia::agent {
namespace {

// Closes a socket on every path out.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::optional<std::string> addressText(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN];
  const void* raw = nullptr;
  if (sa->sa_family == AF_INET)
    raw = &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr;
  else if (sa->sa_family == AF_INET6)
    raw = &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
  else
    return std::nullopt;
  if (!inet_ntop(sa->sa_family, raw, buf, sizeof buf)) return std::nullopt;
  auto canonical = common::canonicalIp(buf);  // folds ::ffff:a.b.c.d to a.b.c.d
  if (!canonical) return std::nullopt;
  return *canonical;
}

}  // namespace

std::vector<InterfaceAddress> listInterfaceAddresses() {
  std::vector<InterfaceAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || !(it->ifa_flags & IFF_UP)) continue;
    auto text = addressText(it->ifa_addr);
    if (!text) continue;
    if (it->ifa_addr->sa_family == AF_INET6) {
      const auto* a6 = reinterpret_cast<const sockaddr_in6*>(it->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;  // not reachable without a zone
    }
    out.push_back({it->ifa_name, *text, (it->ifa_flags & IFF_LOOPBACK) != 0,
                   it->ifa_addr->sa_family == AF_INET6});
  }
  ::freeifaddrs(list);
  return out;
}

std::string firstNonLoopbackAddress(const std::vector<InterfaceAddress>& addresses) {
  for (bool want_v6 : {false, true}) {
    for (const auto& a : addresses) {
      if (!a.loopback && a.ipv6 == want_v6) return a.address;
    }
  }
  return "127.0.0.1";
}

std::optional<std::string> sourceAddressTowards(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  // Port 9 (discard) is arbitrary: connect() on a UDP socket only asks the routing table.
  if (::getaddrinfo(host.c_str(), "9", &hints, &found) != 0 || !found) return std::nullopt;
  std::optional<std::string> result;
  for (const addrinfo* ai = found; ai && !result; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (s.get() < 0 || ::connect(s.get(), ai->ai_addr, ai->ai_addrlen) != 0) continue;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    result = addressText(reinterpret_cast<const sockaddr*>(&local));
  }
  ::freeaddrinfo(found);
  return result;
}

std::string hostIp(const std::optional<std::string>& server_host) {
  if (server_host) {
    if (auto ip = sourceAddressTowards(*server_host); ip && !common::isLoopbackAddress(*ip)) {
      return *ip;
    }
  }
  // Documentation addresses (RFC 5737, RFC 3849): never on a real network, so the only route
  // to them is the default one.
  for (const char* nowhere : {"192.0.2.1", "2001:db8::1"}) {
    if (auto ip = sourceAddressTowards(nowhere); ip && !common::isLoopbackAddress(*ip)) return *ip;
  }
  return firstNonLoopbackAddress(listInterfaceAddresses());
}

namespace {

std::string readHostname(const SystemPaths& paths) {
  if (paths.hostname_file) {
    // hostname(5): one name; lines starting with # are comments.
    if (auto text = readFile(*paths.hostname_file, 4096)) {
      std::string_view rest = *text;
      while (!rest.empty()) {
        const std::size_t eol = rest.find('\n');
        const std::string_view line = trim(rest.substr(0, eol));
        rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
        if (!line.empty() && line.front() != '#') return common::sanitizeUtf8(line);
      }
    }
  }
  utsname u{};
  if (::uname(&u) == 0) return common::sanitizeUtf8(u.nodename);
  return {};
}

}  // namespace

common::HostInfo readHostInfo(const CollectContext& context) {
  common::HostInfo host;
  host.hostname = readHostname(context.paths);
  if (host.hostname.empty()) host.hostname = "localhost";
  host.ip = hostIp(context.server_host);

  if (auto id = readFile(context.paths.etc / "machine-id", 256)) {
    const std::string_view trimmed = trim(*id);
    if (!trimmed.empty()) host.machine_id = common::sanitizeUtf8(trimmed);
  }
  if (auto boot = readBootTime(context.paths)) {
    host.boot_time = common::formatRfc3339Utc(common::Timestamp{std::chrono::seconds{*boot}});
  }
  return host;
}

common::Status HostCollector::collect(const CollectContext& context, common::Report& report) {
  report.host = readHostInfo(context);
  return common::Ok{};
}

}  // namespace vigia::agent
