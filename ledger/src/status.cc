#include "ledger/status.h"

namespace fouledger {

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "ok";
    case Code::kNotFound:
      return "not found: " + message_;
    case Code::kCorruption:
      return "integrity failure: " + message_;
    case Code::kInvalidArgument:
      return "invalid: " + message_;
    case Code::kRefused:
      return "refused: " + message_;
    case Code::kIOError:
      return "i/o error: " + message_;
  }
  return message_;
}

}  // namespace fouledger
