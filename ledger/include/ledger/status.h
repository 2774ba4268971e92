// Status and Result<T>: how every fallible call in fouledger reports failure.
//
// Expected failures are returned, never thrown across a library boundary. A Status carries a
// code and one human-readable line that names the rule and the figures, e.g.
//   Status::Refused("2021 LUM cap is 500 000 kr; application asks 600 000 kr").
// The CLI maps codes to exit codes: Corruption -> 1, Refused/InvalidArgument -> 2, others -> 3.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace fouledger {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // the thing asked for does not exist
    kCorruption,       // stored or received bytes fail an integrity check
    kInvalidArgument,  // malformed input (a caller's mistake)
    kRefused,          // well-formed input that breaks a rule; nothing was written
    kIOError,          // the disk or the network failed
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Refused(std::string m) { return Status(Code::kRefused, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsRefused() const { return code_ == Code::kRefused; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsIOError() const { return code_ == Code::kIOError; }

  // "refused: ...", "corruption: ..." and so on: the one line a user sees.
  std::string ToString() const;

  // The same status with `context` put in front of the message ("entry 17: ...").
  Status WithContext(const std::string& context) const {
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "a Result built from a Status must carry a failure");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace fouledger

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define FOULEDGER_RETURN_IF_ERROR(expr) \
  do {                                  \
    ::fouledger::Status _st = (expr);   \
    if (!_st.ok()) return _st;          \
  } while (0)
