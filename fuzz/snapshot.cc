// Fuzz target: the state bytes of a snapshot (DIR/snapshot), which open loads after a checksum
// anyone can recompute. Any bytes must be refused (a non-ok Status, the state left as it was) or
// loaded into a state that queries without crashing; never an overread. The first input byte
// picks the reader: the snapshot file itself, the Authority's state as raw bytes, or the Engine's
// state as a list of (position, xor) edits of a valid state of every record kind (so the fuzzer
// reaches past the first checks).
#include "ledger/snapshot.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/authority.h"
#include "projections/engine.h"

namespace {

using namespace fouledger;
using namespace fouledger::projections;

Date Day(uint32_t packed) { return Date::FromPacked(packed).value(); }

// An Engine state with one record of every kind, a correction and a void.
const std::string& ValidEngineState() {
  static const std::string state = [] {
    Engine e;
    uint64_t seq = 0;
    int64_t at = 1'600'000'000'000'000;
    auto add = [&](Body body, uint32_t date, std::optional<uint64_t> corrects = std::nullopt) {
      Record r;
      r.seq = seq++;
      r.recorded_at = Instant{at += 1'000'000};
      r.effective = Day(date);
      r.author_key_id[0] = static_cast<uint8_t>(seq % 3);
      r.corrects = corrects;
      if (corrects) r.correction_reason = "rättelse";
      r.body = std::move(body);
      e.ApplyRecord(std::move(r));
    };
    add(OtherEvent{"genesis"}, 20200101);
    add(UnitAdded{"farsta", "Farsta", Date(), {}}, 20200101);
    add(UnitAdded{"f2", "Farsta 2", Day(20210101), {"farsta"}}, 20200102);
    add(YearRules{2021, Programme::kLum, Money::FromOre(50'000'000), 2, Day(20200504),
                  Day(20200921), Day(20210607), 3, "kriterier", 0, Date()},
        20200401);
    add(Appropriation{2021, Programme::kLum, Money::FromOre(300'000'000), "3.2"}, 20201216);
    add(Application{"A",
                    2021,
                    Programme::kLum,
                    {"farsta"},
                    "p",
                    "Titel",
                    Money::FromOre(40'000'000),
                    "syfte"},
        20200901);
    add(Decision{"A", Money::FromOre(30'000'000), "delvis", "3.2.2", ""}, 20201216);
    add(Decision{"A", Money::FromOre(35'000'000), "rättad", "3.2.2", ""}, 20201216, 6);
    add(Payout{"A", Money::FromOre(10'000'000), "V1"}, 20210201);
    add(ReportSubmission{"A", Money::FromOre(9'000'000), "ab", "rapport.pdf"}, 20220101);
    add(ReportReview{"A", true, "ok"}, 20220201);
    add(RepaymentNotice{"A", Money::FromOre(1'000'000)}, 20220301);
    add(RepaymentReceipt{"A", Money::FromOre(1'000'000), "V2"}, 20220401);
    add(Application{"B", 2021, Programme::kLum, {"farsta"}, "q", "Annan", Money::FromOre(1), ""},
        20200601);
    add(Void{13, "fel"}, 20220501);
    std::string out;
    e.SaveState(&out);
    return out;
  }();
  return state;
}

constexpr uint64_t kValidEntries = 15;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0:
      (void)DecodeSnapshot(rest);
      break;
    case 1: {
      Authority a;
      (void)a.LoadState(rest, rest.empty() ? 0 : static_cast<uint8_t>(rest[0]));
      break;
    }
    default: {
      std::string state = ValidEngineState();
      for (size_t i = 0; i + 2 < rest.size(); i += 3) {
        const size_t at =
            (static_cast<uint8_t>(rest[i]) << 8 | static_cast<uint8_t>(rest[i + 1])) % state.size();
        if (rest[i + 2] == 0) {
          state.resize(at);  // a cut
          if (state.empty()) break;
        } else {
          state[at] = static_cast<char>(state[at] ^ rest[i + 2]);
        }
      }
      Engine e;
      if (e.LoadState(state, kValidEntries).ok()) {
        (void)e.At(QueryTime::Latest());
        (void)e.BudgetAt(2021, Programme::kLum, QueryTime::Latest());
        std::string again;
        e.SaveState(&again);
      } else if (e.size() != 0) {
        __builtin_trap();  // a refused load must leave the Engine as it was
      }
      break;
    }
  }
  return 0;
}
