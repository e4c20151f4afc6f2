#pragma once

// Result<T>: the return type of every operation that can fail for expected reasons (a vanished
// /proc entry, a bad request, a busy database). Exceptions stay at the program's boundaries.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace vigia::common {

enum class ErrorCode {
  kInvalidArgument,  // the input is wrong; retrying the same input fails again
  kNotFound,
  kPermissionDenied,
  kIo,           // the OS refused or failed an I/O operation
  kUnavailable,  // a dependency is down or full; retrying later may work
  kTooLarge,
  kInternal,
};

const char* toString(ErrorCode code);

// Whether retrying may help is the code's to say (kUnavailable), not a second field's.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error makeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void> counterpart: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

}  // namespace vigia::common
