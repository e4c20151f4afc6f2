#include "server/storage/runs/run_key.hpp"

#include <xxhash.h>

#include <random>

namespace vigia::server {
namespace {

// Each field as a tag and its length, then its bytes: no two different entries encode alike.
void field(std::string& out, const std::optional<std::string>& v) {
  if (!v) {
    out.push_back('\0');
    return;
  }
  out.push_back('\1');
  const auto n = static_cast<std::uint32_t>(v->size());
  out.append(reinterpret_cast<const char*>(&n), sizeof n).append(*v);
}
void field(std::string& out, const std::string& v) { field(out, std::optional<std::string>(v)); }
void field(std::string& out, std::optional<std::int64_t> v) {
  out.push_back(v ? '\1' : '\0');
  if (v) out.append(reinterpret_cast<const char*>(&*v), sizeof *v);
}

}  // namespace

RunKeyHasher::RunKeyHasher() {
  std::random_device random;
  seed_ = (std::uint64_t{random()} << 32) ^ random();
}

RunKey RunKeyHasher::hash(std::string_view bytes) const {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed_);
}

RunKey RunKeyHasher::operator()(const common::Process& p) const {
  thread_local std::string buffer;
  buffer.clear();
  field(buffer, p.pid);
  field(buffer, p.ppid);
  field(buffer, p.name);
  field(buffer, p.user);
  field(buffer, p.uid);
  field(buffer, p.command);
  field(buffer, p.started_at);
  return hash(buffer);
}

RunKey RunKeyHasher::operator()(const common::Session& s) const {
  thread_local std::string buffer;
  buffer.clear();
  field(buffer, s.user);
  field(buffer, s.tty);
  field(buffer, s.remote_host);
  field(buffer, s.login_time);
  field(buffer, s.pid);
  return hash(buffer);
}

RunKey RunKeyHasher::operator()(const VerdictEntry& v) const {
  const std::uint64_t parts[2] = {static_cast<std::uint64_t>(v.rule_id),
                                  static_cast<std::uint64_t>(v.status)};
  return XXH3_64bits_withSeed(parts, sizeof parts, seed_);
}

RunKey RunKeyHasher::withCopy(RunKey key, int copy) const {
  if (copy == 0) return key;
  const std::uint64_t parts[2] = {key, static_cast<std::uint64_t>(copy)};
  return XXH3_64bits_withSeed(parts, sizeof parts, seed_);
}

}  // namespace vigia::server
