// StateWriter / StateReader: the byte form of in-memory state saved in a snapshot (docs/storage.md,
// "Snapshot"). Little-endian fixed-width integers and length-prefixed (u64) strings. The reader
// takes untrusted bytes: every read is bounds-checked, and the first failure makes it (and every
// later read) fail without reading past the end; status() then names what could not be read.
//
//   StateWriter w;  w.U64(n);  w.String(name);
//   StateReader r(bytes);  uint64_t n;  std::string name;
//   if (!r.U64(&n) || !r.String(&name)) return r.status();
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace fouledger {

class StateWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void I64(int64_t v) { Fixed(static_cast<uint64_t>(v), 8); }
  void Raw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
  void String(std::string_view s) {
    U64(s.size());
    out_.append(s.data(), s.size());
  }
  // A count, then each string.
  void Strings(const std::vector<std::string>& v) {
    U64(v.size());
    for (const auto& s : v) String(s);
  }
  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view bytes, std::string what = "state")
      : in_(bytes), what_(std::move(what)) {}

  bool U8(uint8_t* v) {
    if (!Need(1, "a byte")) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool U32(uint32_t* v) {
    uint64_t x = 0;
    if (!Fixed(&x, 4)) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool U64(uint64_t* v) { return Fixed(v, 8); }
  bool I64(int64_t* v) {
    uint64_t x = 0;
    if (!Fixed(&x, 8)) return false;
    *v = static_cast<int64_t>(x);
    return true;
  }
  bool Raw(void* data, size_t size) {
    if (!Need(size, "raw bytes")) return false;
    std::memcpy(data, in_.data() + pos_, size);
    pos_ += size;
    return true;
  }
  bool String(std::string* s) {
    std::string_view v;
    if (!StringView(&v)) return false;
    s->assign(v.data(), v.size());
    return true;
  }
  // What StateWriter::Strings wrote.
  bool Strings(std::vector<std::string>* v) {
    uint64_t n = 0;
    if (!Count(&n, 8)) return false;  // each string has at least its 8-byte length
    v->resize(static_cast<size_t>(n));
    for (auto& s : *v) {
      if (!String(&s)) return false;
    }
    return true;
  }
  // A view into the reader's bytes (valid as long as they are).
  bool StringView(std::string_view* s) {
    uint64_t n = 0;
    if (!U64(&n)) return false;
    if (!Need(n, "a string")) return false;
    *s = in_.substr(pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return true;
  }
  // A count of elements that each take at least `min_bytes` bytes: fails if the rest cannot hold
  // them, so a forged count never makes the caller reserve or loop beyond the input.
  bool Count(uint64_t* n, size_t min_bytes) {
    if (!U64(n)) return false;
    if (min_bytes > 0 && *n > remaining() / min_bytes) {
      return Fail("a count of " + std::to_string(*n) + " that the remaining " +
                  std::to_string(remaining()) + " bytes cannot hold");
    }
    return true;
  }
  // Marks the input bad (a value out of range); returns false.
  bool Fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at byte " + std::to_string(pos_);
    pos_ = in_.size();
    return false;
  }

  size_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return error_.empty(); }
  // Ok if every read succeeded and the input is used up; otherwise Corruption naming the first
  // problem.
  Status Finish() {
    if (ok() && remaining() != 0) Fail(std::to_string(remaining()) + " bytes left over");
    return status();
  }
  Status status() const {
    return ok() ? Status::Ok() : Status::Corruption(what_ + ": cannot read " + error_);
  }

 private:
  // Inline and cheap on the way that succeeds; the failure, which builds a message, is out of
  // line so that the compiler inlines this into every read (it did not while it held the message:
  // 4 % of loading a snapshot went to calls of Need).
  bool Need(uint64_t n, const char* what) {
    if (n <= remaining() && ok()) [[likely]] {
      return true;
    }
    return NotEnough(n, what);
  }
  [[gnu::noinline, gnu::cold]] bool NotEnough(uint64_t n, const char* what) {
    if (!ok()) return false;
    return Fail(std::string(what) + " of " + std::to_string(n) + " bytes (only " +
                std::to_string(remaining()) + " left)");
  }
  bool Fixed(uint64_t* v, int n) {
    if (!Need(static_cast<uint64_t>(n), "an integer")) return false;
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; --i) {
      x = x << 8 | static_cast<uint8_t>(in_[pos_ + static_cast<size_t>(i)]);
    }
    pos_ += static_cast<size_t>(n);
    *v = x;
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
  std::string what_;
};

}  // namespace fouledger
