#include "projections/swedish.h"

#include <cstdint>

namespace fouledger::projections {
namespace {

// Decodes one UTF-8 code point at `i` (advancing it). Invalid bytes come back as 0x110000 + byte,
// above every real code point, one byte at a time.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len = 0;
  uint32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return 0x110000u + b0;
  }
  if (i + len > s.size()) {
    ++i;
    return 0x110000u + b0;
  }
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0x110000u + b0;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += len;
  return cp;
}

// The primary weight of a code point: what decides the order before case and accents.
//   0x000..0x07F  spaces and punctuation, by code
//   0x100..0x109  digits
//   0x200..0x21C  a..z, then å (0x21A), ä (0x21B), ö (0x21C)
//   above         anything else, by code point
uint32_t Primary(uint32_t cp) {
  if (cp >= '0' && cp <= '9') return 0x100 + (cp - '0');
  if (cp >= 'a' && cp <= 'z') return 0x200 + (cp - 'a');
  if (cp >= 'A' && cp <= 'Z') return 0x200 + (cp - 'A');
  switch (cp) {
    case 0xE5:
    case 0xC5:
      return 0x21A;  // å Å
    case 0xE4:
    case 0xC4:
    case 0xE6:
    case 0xC6:  // ä Ä æ Æ
      return 0x21B;
    case 0xF6:
    case 0xD6:
    case 0xF8:
    case 0xD8:  // ö Ö ø Ø
      return 0x21C;
    case 0xE9:
    case 0xC9:
    case 0xE8:
    case 0xC8:
    case 0xEA:
    case 0xCA:
    case 0xEB:
    case 0xCB:
      return 0x200 + ('e' - 'a');  // é è ê ë
    case 0xFC:
    case 0xDC:
      return 0x200 + ('y' - 'a');  // ü sorts as y in Swedish
    case 0xE1:
    case 0xC1:
    case 0xE0:
    case 0xC0:
    case 0xE2:
    case 0xC2:
      return 0x200;  // á à â
    case 0xED:
    case 0xCD:
      return 0x200 + ('i' - 'a');  // í
    case 0xF3:
    case 0xD3:
      return 0x200 + ('o' - 'a');  // ó
    case 0x2013:
    case 0x2014:
      return '-';  // en and em dash sort as a hyphen
    case 0xA0:
    case 0x202F:
      return ' ';
    default:
      break;
  }
  if (cp < 0x80) return cp;  // punctuation and spaces
  return 0x1000 + cp;
}

// -1, 0 or 1 comparing the strings on one level.
template <typename Weight>
int Compare(std::string_view a, std::string_view b, Weight weight) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const uint32_t wa = weight(NextCodePoint(a, i));
    const uint32_t wb = weight(NextCodePoint(b, j));
    if (wa != wb) return wa < wb ? -1 : 1;
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

}  // namespace

bool SwedishLess(std::string_view a, std::string_view b) {
  if (int c = Compare(a, b, Primary); c != 0) return c < 0;
  // Same letters: lower case before upper case, then plain before accented (by code point).
  const auto secondary = [](uint32_t cp) -> uint32_t {
    const bool upper = (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE);
    return (upper ? 0x80000000u : 0) | cp;
  };
  if (int c = Compare(a, b, secondary); c != 0) return c < 0;
  return a < b;
}

}  // namespace fouledger::projections
