#include "server/storage/document_bases.hpp"

namespace vigia::server {

DocumentBases::DocumentBases(std::size_t max_bytes) : max_bytes_(max_bytes) {}

std::shared_ptr<const DocumentBases::Base> DocumentBases::baseFor(const std::string& ip) {
  std::lock_guard lock(mutex_);
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  const auto& base = it->second->base;
  return base->depth + 1 < kChainLength ? base : nullptr;
}

void DocumentBases::stored(const std::string& ip, std::shared_ptr<const Base> base) {
  std::lock_guard lock(mutex_);
  if (auto it = by_ip_.find(ip); it != by_ip_.end()) {
    // An older report arriving late is not its host's base: the next report is like the newest.
    if (it->second->base->collected_us > base->collected_us) return;
    bytes_ -= it->second->base->document.size();
    lru_.erase(it->second);
    by_ip_.erase(it);
  }
  bytes_ += base->document.size();
  lru_.push_front({ip, std::move(base)});
  by_ip_[ip] = lru_.begin();
  while (bytes_ > max_bytes_ && lru_.size() > 1) {
    bytes_ -= lru_.back().base->document.size();
    by_ip_.erase(lru_.back().ip);
    lru_.pop_back();
  }
}

void DocumentBases::forget(const std::string& ip) {
  std::lock_guard lock(mutex_);
  auto it = by_ip_.find(ip);
  if (it == by_ip_.end()) return;
  bytes_ -= it->second->base->document.size();
  lru_.erase(it->second);
  by_ip_.erase(it);
}

}  // namespace vigia::server
