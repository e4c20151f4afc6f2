#include "agent/collectors/host.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <charconv>
#include <limits>

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

std::optional<std::string> parseDefaultRouteInterface(std::string_view table) {
  // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask …; hex, host byte order.
  std::optional<std::string> best;
  long best_metric = std::numeric_limits<long>::max();
  bool header = true;
  while (!table.empty()) {
    const std::size_t eol = table.find('\n');
    const std::string_view line = table.substr(0, eol);
    table = eol == std::string_view::npos ? std::string_view() : table.substr(eol + 1);
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string_view> cols;
    std::size_t pos = 0;
    while (pos < line.size()) {
      const std::size_t start = line.find_first_not_of(" \t", pos);
      if (start == std::string_view::npos) break;
      const std::size_t end = std::min(line.find_first_of(" \t", start), line.size());
      cols.push_back(line.substr(start, end - start));
      pos = end;
    }
    if (cols.size() < 8 || cols[1] != "00000000" || cols[7] != "00000000") continue;
    unsigned flags = 0;
    std::from_chars(cols[3].data(), cols[3].data() + cols[3].size(), flags, 16);
    if ((flags & 0x1) == 0) continue;  // RTF_UP
    long metric = 0;
    std::from_chars(cols[6].data(), cols[6].data() + cols[6].size(), metric);
    if (metric < best_metric) {
      best_metric = metric;
      best = std::string(cols[0]);
    }
  }
  return best;
}

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

std::string choosePrimaryIp(const std::optional<std::string>& default_interface,
                            const std::vector<InterfaceAddress>& addresses) {
  if (default_interface) {
    for (const auto& a : addresses) {
      if (a.interface == *default_interface && !a.ipv6) return a.address;
    }
  }
  for (bool want_v6 : {false, true}) {
    for (const auto& a : addresses) {
      if (!a.loopback && a.ipv6 == want_v6) return a.address;
    }
  }
  return "127.0.0.1";
}

std::optional<std::string> sourceAddressTowards(const std::string& server_host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  // Port 9 (discard) is arbitrary: connect() on a UDP socket only asks the routing table.
  if (::getaddrinfo(server_host.c_str(), "9", &hints, &found) != 0 || !found) return std::nullopt;
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

common::HostInfo readHostInfo(const CollectContext& context) {
  common::HostInfo host;
  utsname u{};
  if (::uname(&u) == 0) host.hostname = common::sanitizeUtf8(u.nodename);
  if (host.hostname.empty()) host.hostname = "localhost";

  std::optional<std::string> ip;
  if (context.server_host) ip = sourceAddressTowards(*context.server_host);
  if (!ip) {
    auto routes = readFile(context.paths.proc / "net/route", 1 << 20);
    ip = choosePrimaryIp(routes ? parseDefaultRouteInterface(*routes) : std::nullopt,
                         listInterfaceAddresses());
  }
  host.ip = *ip;

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
