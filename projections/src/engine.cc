#include "projections/engine.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstdint>
#include <map>
#include <type_traits>
#include <variant>

#include "fold.h"
#include "ledger/event.h"
#include "ledger/interner.h"
#include "ledger/state_bytes.h"
#include "policy.h"

namespace fouledger::projections {
namespace {

// 2: application ids saved once, in interned order, and named by their index in each record.
// 3: no count of unit ids (it sized a hash table the Interner does not need).
constexpr const char* kEngineStateTag = "fouledger-projections-3";

// Writes (Out) or reads and checks (In) the fields of a Record's body, in one list per type
// (Fields below), so the two directions cannot drift apart.
struct Out {
  StateWriter& w;
  uint32_t app = internal::kNone;  // the interned index of the record's application (its subject)
  bool Int(const int& v) {
    w.I64(v);
    return true;
  }
  bool U64(const uint64_t& v) {
    w.U64(v);
    return true;
  }
  bool Bool(const bool& v) {
    w.U8(v ? 1 : 0);
    return true;
  }
  bool Str(const std::string& v) {
    w.String(v);
    return true;
  }
  bool Strs(const std::vector<std::string>& v) {
    w.Strings(v);
    return true;
  }
  // An application id, by its index in the saved table of ids (SaveState writes it first).
  bool AppId(const std::string&) {
    assert(app != internal::kNone && "ApplyRecord interned every record's application");
    w.U32(app);
    return true;
  }
  bool Amount(const Money& v) {
    w.I64(v.ore());
    return true;
  }
  bool Day(const Date& v) {
    w.U32(v.packed());
    return true;
  }
  bool Prog(const Programme& v) {
    w.U8(static_cast<uint8_t>(v));
    return true;
  }
};

struct In {
  StateReader& r;
  const std::vector<std::string>& app_table;  // the saved application ids, by interned index
  uint32_t app = internal::kNone;             // the index AppId read last
  // Every int of a Record comes from a UInt16 field of the event schema (years, limits).
  bool Int(int& v) {
    int64_t x = 0;
    if (!r.I64(&x)) return false;
    if (x < 0 || x > UINT16_MAX) {
      return r.Fail("an integer " + std::to_string(x) + " outside 0..65535");
    }
    v = static_cast<int>(x);
    return true;
  }
  bool U64(uint64_t& v) { return r.U64(&v); }
  bool Bool(bool& v) {
    uint8_t x = 0;
    if (!r.U8(&x)) return false;
    if (x > 1) return r.Fail("a flag that is not 0 or 1");
    v = x == 1;
    return true;
  }
  bool Str(std::string& v) { return r.String(&v); }
  bool Strs(std::vector<std::string>& v) { return r.Strings(&v); }
  bool AppId(std::string& v) {
    uint32_t x = 0;
    if (!r.U32(&x)) return false;
    if (x >= app_table.size()) {
      return r.Fail("an application index " + std::to_string(x) + " outside the " +
                    std::to_string(app_table.size()) + " saved ids");
    }
    v = app_table[x];
    app = x;
    return true;
  }
  // The range every event's amount was checked against at append: the folds' sums rely on it.
  bool Amount(Money& v) {
    int64_t x = 0;
    if (!r.I64(&x)) return false;
    if (x < 0 || x > Money::kOreMax) {
      return r.Fail("an amount of " + std::to_string(x) + " öre outside 0.." +
                    std::to_string(Money::kOreMax));
    }
    v = Money::FromOre(x);
    return true;
  }
  bool Day(Date& v) {
    uint32_t x = 0;
    if (!r.U32(&x)) return false;
    if (x == 0) {
      v = Date();
      return true;
    }
    auto d = Date::FromPacked(x);
    if (!d.ok()) return r.Fail("a date " + std::to_string(x) + " that is not a calendar date");
    v = *d;
    return true;
  }
  bool Prog(Programme& v) {
    uint8_t x = 0;
    if (!r.U8(&x)) return false;
    if (x > static_cast<uint8_t>(Programme::kMul)) return r.Fail("an unknown programme");
    v = static_cast<Programme>(x);
    return true;
  }
};

// T is the body type, const when writing.
template <typename IO, typename T>
bool Fields(IO& io, T& b) {
  using B = std::remove_const_t<T>;
  if constexpr (std::is_same_v<B, OtherEvent>) {
    return io.Str(b.kind);
  } else if constexpr (std::is_same_v<B, YearRules>) {
    return io.Int(b.year) && io.Prog(b.programme) && io.Amount(b.cap) && io.Int(b.max_per_unit) &&
           io.Day(b.window_from) && io.Day(b.window_to) && io.Day(b.notice_by) &&
           io.Int(b.max_years_in_row) && io.Str(b.criteria) && io.Int(b.reports_for_year) &&
           io.Day(b.reports_by);
  } else if constexpr (std::is_same_v<B, Appropriation>) {
    return io.Int(b.year) && io.Prog(b.programme) && io.Amount(b.amount) && io.Str(b.case_number);
  } else if constexpr (std::is_same_v<B, Application>) {
    return io.AppId(b.application_id) && io.Int(b.year) && io.Prog(b.programme) &&
           io.Strs(b.units) && io.Str(b.project_id) && io.Str(b.title) && io.Amount(b.asked) &&
           io.Str(b.purpose);
  } else if constexpr (std::is_same_v<B, Decision>) {
    return io.AppId(b.application_id) && io.Amount(b.granted) && io.Str(b.reason) &&
           io.Str(b.case_number) && io.Str(b.override_text);
  } else if constexpr (std::is_same_v<B, Payout>) {
    return io.AppId(b.application_id) && io.Amount(b.amount) && io.Str(b.voucher);
  } else if constexpr (std::is_same_v<B, ReportSubmission>) {
    return io.AppId(b.application_id) && io.Amount(b.spent) && io.Str(b.document_sha256) &&
           io.Str(b.document_name);
  } else if constexpr (std::is_same_v<B, ReportReview>) {
    return io.AppId(b.application_id) && io.Bool(b.approved) && io.Str(b.reason);
  } else if constexpr (std::is_same_v<B, RepaymentNotice>) {
    return io.AppId(b.application_id) && io.Amount(b.amount);
  } else if constexpr (std::is_same_v<B, RepaymentReceipt>) {
    return io.AppId(b.application_id) && io.Amount(b.amount) && io.Str(b.voucher);
  } else if constexpr (std::is_same_v<B, UnitAdded>) {
    return io.Str(b.unit_id) && io.Str(b.name) && io.Day(b.valid_from) && io.Strs(b.succeeds);
  } else {
    static_assert(std::is_same_v<B, Void>);
    return io.U64(b.target) && io.Str(b.reason);
  }
}

// A body of the variant's alternative `index`, read from `in`.
template <size_t I = 0>
bool ReadBody(In& in, size_t index, Body* body) {
  if constexpr (I < std::variant_size_v<Body>) {
    if (index == I) return Fields(in, body->emplace<I>());
    return ReadBody<I + 1>(in, index, body);
  } else {
    return in.r.Fail("an unknown record kind " + std::to_string(index));
  }
}

}  // namespace

using internal::Compact;
using internal::FoldState;
using internal::kNever;
using internal::kNone;
using internal::Kr;
using internal::YearName;

struct Engine::Impl {
  internal::RecordStore records;   // Records never move, so the fold may point at them
  internal::CompactArray compact;  // same index as `records`
  Interner app_ids;
  Interner unit_ids;

  // Indices of the foldable records (not voids, not key events), in fold order once sorted.
  mutable std::vector<uint32_t, internal::PopulatedAllocator<uint32_t>> order;
  mutable bool order_sorted = true;

  // Per funding year and programme, the records that can change its budget (BudgetAt): its year
  // rules and appropriations, and every record of each application that was ever filed under it
  // (an application corrected into another year is listed under both; the fold decides). Each
  // member carries its application's index local to the year, so a fold sizes its grants to the
  // year, not the ledger.
  struct YearIndex {
    struct Member {
      uint32_t index;  // into records/compact
      uint32_t local;  // the application's index among this year's; kNone for year entries
    };
    mutable std::vector<Member> members;  // the first `sorted` in fold order
    mutable size_t sorted = 0;
    uint32_t applications = 0;
    // What the fold reads of each member, in member order, so that BudgetAt's scan reads one array
    // front to back instead of jumping into `compact` and `records` at every member (a cache miss
    // each on a large ledger). Extended by the members that arrived in order since the last query;
    // rebuilt after the members were re-sorted or a record was replaced or voided.
    struct Folded {
      Compact c;  // subject: the application's local index
      const Record* record;
      uint32_t index;
    };
    mutable std::vector<Folded> folded;
    mutable bool folded_stale = false;
    // The fold's own arrays, kept between queries: allocated afresh they were 5 MB of grants on a
    // 1 000 000-entry ledger, and after something else had freed memory (a whole State) their
    // page faults made a 2 ms query take 20.
    mutable FoldState scratch;
  };
  std::map<std::pair<int, Programme>, YearIndex> years;
  // By interned application id: its record indices in seq order, and (year, local index) for each
  // year it is listed under.
  std::vector<std::vector<uint32_t>> app_records;
  std::vector<std::vector<std::pair<YearIndex*, uint32_t>>> app_years;

  // The state with everything known at every date, kept current while entries arrive in date
  // order; rebuilt by one full fold after a correction, a void or an entry dated in the past.
  FoldState live;
  bool live_valid = true;

  // The interned subject of `r`; with `insert` false, an id not seen yet gets the next free index.
  uint32_t SubjectOf(const Record& r, bool insert) {
    if (const auto* u = std::get_if<UnitAdded>(&r.body)) {
      if (insert) return unit_ids.Intern(u->unit_id);
      const uint32_t found = unit_ids.Find(u->unit_id);
      return found != Interner::kNotFound ? found : static_cast<uint32_t>(unit_ids.size());
    }
    const std::string& app = r.application_id();
    if (app.empty()) return kNone;
    if (insert) return app_ids.Intern(app);
    const uint32_t found = app_ids.Find(app);
    return found != Interner::kNotFound ? found : static_cast<uint32_t>(app_ids.size());
  }

  std::optional<uint32_t> IndexOfSeq(uint64_t seq) const {
    auto it = std::lower_bound(compact.begin(), compact.end(), seq,
                               [](const Compact& c, uint64_t s) { return c.seq < s; });
    if (it == compact.end() || it->seq != seq) return std::nullopt;
    return static_cast<uint32_t>(it - compact.begin());
  }

  void EnsureSorted() const {
    if (order_sorted) return;
    std::sort(order.begin(), order.end(),
              [this](uint32_t a, uint32_t b) { return compact[a].OrderedBefore(compact[b]); });
    order_sorted = true;
  }

  FoldState Fresh() const {
    FoldState s;
    s.grants.resize(app_ids.size() + 1);  // + 1: room for a candidate's new application
    s.units.resize(unit_ids.size() + 1, nullptr);
    s.folded.reserve(order.size() + 1);
    return s;
  }

  void EnsureLive() {
    if (live_valid) return;
    EnsureSorted();
    live = Fresh();
    for (uint32_t index : order) {
      const Compact& c = compact[index];
      if (c.superseded_at != kNever) continue;
      internal::Step(live, records[index], c, index);
    }
    live_valid = true;
  }

  std::string UnitName(const FoldState& s, const std::string& unit_id) const {
    const uint32_t u = unit_ids.Find(unit_id);
    if (u != Interner::kNotFound && u < s.units.size() && s.units[u]) {
      return std::get<UnitAdded>(s.units[u]->body).name;
    }
    return unit_id;
  }

  // The year's rules as known now, whatever their effective date: they describe a funding year, and
  // the board may set (or correct) them after the first applications are dated. `live` is current
  // whenever a check runs (CheckRecord calls EnsureLive first).
  const YearRules* KnownRules(int year, Programme p) const {
    const internal::YearSlot* slot = live.FindYear(year, p);
    return slot && slot->rules ? &std::get<YearRules>(slot->rules->body) : nullptr;
  }

  void AddMember(YearIndex& y, uint32_t index, uint32_t local) {
    const bool in_order =
        y.members.empty() || !compact[index].OrderedBefore(compact[y.members.back().index]);
    if (in_order && y.sorted == y.members.size()) ++y.sorted;
    y.members.push_back(YearIndex::Member{index, local});
  }

  // Lists record `index` (already in `compact`) under the years whose budget it can change.
  void IndexByYear(uint32_t index) {
    const Compact& c = compact[index];
    switch (c.kind) {
      case Kind::kOther:
      case Kind::kVoid:  // acts through its target's superseded_at
      case Kind::kUnitAdded:
        return;
      case Kind::kYearRules:
      case Kind::kAppropriation:
        AddMember(years[{c.year, c.programme}], index, kNone);
        return;
      default:
        break;
    }
    if (c.subject == kNone) return;
    if (c.subject >= app_records.size()) {
      app_records.resize(c.subject + 1);
      app_years.resize(c.subject + 1);
    }
    // Most applications have a handful of records; room for six costs what room for one does
    // (malloc's smallest chunk), and saves the reallocations of growing 1, 2, 4.
    if (app_records[c.subject].empty()) app_records[c.subject].reserve(6);
    app_records[c.subject].push_back(index);
    if (c.kind == Kind::kApplication) {
      YearIndex& y = years[{c.year, c.programme}];
      auto& listed = app_years[c.subject];
      const bool known =
          std::any_of(listed.begin(), listed.end(), [&](const auto& l) { return l.first == &y; });
      if (!known) {
        // Newly filed under this year: the application's records so far (this one included)
        // join it; the years it was filed under before get this one, as any other record.
        for (const auto& [other, local] : listed) AddMember(*other, index, local);
        const uint32_t local = y.applications++;
        listed.emplace_back(&y, local);
        for (uint32_t earlier : app_records[c.subject]) AddMember(y, earlier, local);
        return;
      }
    }
    for (const auto& [y, local] : app_years[c.subject]) AddMember(*y, index, local);
  }

  std::optional<Budget> BudgetAt(int year, Programme p, const QueryTime& t) const;

  Status CheckTarget(const Record& r) const;
  Status CheckCandidate(const FoldState& s, const Record& r, const Compact& c) const;
  Status CheckDecisionPolicy(const FoldState& s, const Record& r, const Compact& c) const;
  Status CheckRecord(const Record& r);
  // `known_subject`: the record's application's interned index when the caller knows it
  // (LoadState); kNone: look it up.
  void ApplyRecord(Record r, uint32_t known_subject = kNone);
  State At(const QueryTime& t) const;
};

Status Engine::Impl::CheckTarget(const Record& r) const {
  const auto target = r.target();
  if (!target) return Status::Ok();
  const char* what = r.kind() == Kind::kVoid ? "void" : "correction";
  const auto index = IndexOfSeq(*target);
  if (!index) {
    return Status::Refused(std::string(what) + " names entry " + std::to_string(*target) +
                           ", which does not exist");
  }
  const Record& t = records[*index];
  if (compact[*index].superseded_at != kNever) {
    return Status::Refused("entry " + std::to_string(*target) +
                           " was already replaced or voided; a " + what +
                           " must name the current entry");
  }
  if (t.kind() == Kind::kOther || t.kind() == Kind::kVoid) {
    return Status::Refused("entry " + std::to_string(*target) + " (" + KindName(t.kind()) +
                           ") cannot be corrected or voided");
  }
  if (r.kind() != Kind::kVoid) {
    if (r.kind() != t.kind()) {
      return Status::Refused("a correction must be of the same kind as entry " +
                             std::to_string(*target) + " (" + KindName(t.kind()) + "), not " +
                             KindName(r.kind()));
    }
    if (r.application_id() != t.application_id()) {
      return Status::Refused("a correction of entry " + std::to_string(*target) +
                             " must be about the same application " + t.application_id());
    }
    const auto* ua = std::get_if<UnitAdded>(&r.body);
    const auto* ub = std::get_if<UnitAdded>(&t.body);
    if (ua && ub && ua->unit_id != ub->unit_id) {
      return Status::Refused("a correction of entry " + std::to_string(*target) +
                             " must be about the same unit " + ub->unit_id);
    }
  }
  return Status::Ok();
}

Status Engine::Impl::CheckDecisionPolicy(const FoldState& s, const Record& r,
                                         const Compact& c) const {
  const auto& d = std::get<Decision>(r.body);
  const internal::GrantFold* g = s.FindGrant(c.subject);
  assert(g && "Precheck found the application");
  const auto& a = std::get<Application>(g->apply->body);
  const YearRules* known = KnownRules(a.year, a.programme);
  if (!known) {
    return Status::Refused(YearName(a.year, a.programme) + " is not open: no year rules for it");
  }
  const YearRules& rules = *known;
  if (c.amount == 0) return Status::Ok();  // a rejection breaks no policy

  std::vector<std::string> broken;
  if (rules.cap.ore() > 0 && d.granted > rules.cap) {
    broken.push_back(YearName(a.year, a.programme) + " cap is " + rules.cap.ToSwedish() +
                     "; decision grants " + d.granted.ToSwedish());
  }
  const auto facts = internal::FactsOf(s);
  if (rules.max_per_unit > 0) {
    for (const auto& unit : a.units) {
      auto held = internal::UnitGrants(facts, a.year, a.programme, unit);
      std::erase_if(held, [&](const auto* f) { return f->application_id == a.application_id; });
      if (static_cast<int>(held.size()) >= rules.max_per_unit) {
        broken.push_back(internal::PerUnitLine(rules, UnitName(s, unit), held));
      }
    }
  }
  const int report_year = internal::ReportYear(rules);
  const Date deadline = rules.reports_by.valid() ? rules.reports_by : r.effective;
  for (const auto& unit : a.units) {
    const auto missing = internal::MissingReports(facts, unit, report_year, deadline);
    if (!missing.empty()) {
      broken.push_back(internal::ReportsLine(report_year, deadline, UnitName(s, unit), missing));
    }
  }
  if (rules.max_years_in_row > 0 && !a.project_id.empty()) {
    const auto run = internal::YearsInRow(facts, a.project_id, a.year - 1);
    if (run.years >= rules.max_years_in_row) {
      broken.push_back(internal::YearsInRowLine(rules, a.project_id, run));
    }
  }
  if (broken.empty() || !d.override_text.empty()) return Status::Ok();
  std::string line;
  for (const auto& b : broken) line += (line.empty() ? "" : "; ") + b;
  return Status::Refused(line + " (the board may override this with a written reason)");
}

Status Engine::Impl::CheckCandidate(const FoldState& s, const Record& r, const Compact& c) const {
  if (auto why = internal::Precheck(s, r, c)) return Status::Refused(*why);
  switch (r.kind()) {
    case Kind::kYearRules: {
      const auto& y = std::get<YearRules>(r.body);
      const internal::YearSlot* slot = live.FindYear(y.year, y.programme);
      if (!r.corrects && slot && slot->rules) {
        return Status::Refused(YearName(y.year, y.programme) + " is already open (entry " +
                               std::to_string(slot->rules->seq) + "); correct that entry instead");
      }
      if (y.window_from.valid() && y.window_to.valid() && y.window_to < y.window_from) {
        return Status::Refused(YearName(y.year, y.programme) + " application window ends (" +
                               y.window_to.ToString() + ") before it starts (" +
                               y.window_from.ToString() + ")");
      }
      return Status::Ok();
    }
    case Kind::kApplication: {
      const auto& a = std::get<Application>(r.body);
      const YearRules* known = KnownRules(a.year, a.programme);
      if (!known) {
        return Status::Refused(YearName(a.year, a.programme) +
                               " is not open: no year rules for it");
      }
      const YearRules& rules = *known;
      if ((rules.window_from.valid() && r.effective < rules.window_from) ||
          (rules.window_to.valid() && r.effective > rules.window_to)) {
        return Status::Refused(YearName(a.year, a.programme) + " application window is " +
                               rules.window_from.ToString() + " – " + rules.window_to.ToString() +
                               "; application is dated " + r.effective.ToString());
      }
      if (rules.cap.ore() > 0 && a.asked > rules.cap) {
        return Status::Refused(YearName(a.year, a.programme) + " cap is " + rules.cap.ToSwedish() +
                               "; application asks " + a.asked.ToSwedish());
      }
      return Status::Ok();
    }
    case Kind::kDecision:
      return CheckDecisionPolicy(s, r, c);
    default:
      return Status::Ok();
  }
}

Status Engine::Impl::CheckRecord(const Record& r) {
  if (!compact.empty() && r.seq <= compact.back().seq) {
    return Status::Refused("entry " + std::to_string(r.seq) + " is out of sequence; the last is " +
                           std::to_string(compact.back().seq));
  }
  if (r.kind() == Kind::kOther) return Status::Ok();
  if (!r.effective.valid()) return Status::Refused("entry has no effective date");
  FOULEDGER_RETURN_IF_ERROR(CheckTarget(r));

  const auto target = r.target();
  EnsureLive();
  // Fast path: an entry dated on or after everything else, correcting nothing, is checked against
  // the current state, which is exactly the state at its date.
  if (!target && r.effective.packed() >= live.last_effective) {
    const Compact c = internal::MakeCompact(r, SubjectOf(r, /*insert=*/false));
    return CheckCandidate(live, r, c);
  }

  // Slow path: replay the timeline with the candidate in its place (and its target gone), check
  // the candidate at its date, then make sure no later entry loses its footing.
  EnsureSorted();
  std::optional<uint32_t> target_index;
  Compact c = internal::MakeCompact(r, SubjectOf(r, /*insert=*/false));
  if (target) {
    target_index = IndexOfSeq(*target);
    if (target_index) c.order_seq = compact[*target_index].order_seq;
  }
  std::vector<uint32_t> known_anomalies;
  for (const auto& [index, why] : live.anomalies) known_anomalies.push_back(index);
  std::sort(known_anomalies.begin(), known_anomalies.end());

  const bool is_void = r.kind() == Kind::kVoid;
  const std::string what = is_void  ? "voiding entry " + std::to_string(*target)
                           : target ? "correcting entry " + std::to_string(*target)
                                    : "an entry dated " + r.effective.ToString();
  FoldState s = Fresh();
  bool placed = is_void;  // a void only takes its target away
  const uint32_t candidate_index = static_cast<uint32_t>(records.size());
  for (uint32_t index : order) {
    const Compact& e = compact[index];
    if (e.superseded_at != kNever || (target_index && index == *target_index)) continue;
    if (!placed && c.OrderedBefore(e)) {
      FOULEDGER_RETURN_IF_ERROR(CheckCandidate(s, r, c));
      internal::Fold(s, r, c, candidate_index);
      placed = true;
    }
    const Record& rec = records[index];
    if (auto why = internal::Precheck(s, rec, e)) {
      if (std::binary_search(known_anomalies.begin(), known_anomalies.end(), index)) {
        s.anomalies.emplace_back(index, std::move(*why));
        continue;  // it was already out of place before this candidate
      }
      return Status::Refused(what + " would break " + internal::Describe(rec) + ": " + *why);
    }
    internal::Fold(s, rec, e, index);
  }
  if (!placed) return CheckCandidate(s, r, c);
  return Status::Ok();
}

void Engine::Impl::ApplyRecord(Record r, uint32_t known_subject) {
  assert((compact.empty() || r.seq > compact.back().seq) && "records arrive in seq order");
  const auto index = static_cast<uint32_t>(records.size());
  const uint32_t subject = known_subject != kNone ? known_subject : SubjectOf(r, /*insert=*/true);
  assert((known_subject == kNone || known_subject == SubjectOf(r, /*insert=*/false)) &&
         "a known subject is the interned one");
  const Record& rec = records.Add(std::move(r));
  Compact c = internal::MakeCompact(rec, subject);
  bool replaces = false;
  if (const auto target = rec.target()) {
    replaces = true;
    if (const auto t = IndexOfSeq(*target)) {
      Compact& tc = compact[*t];
      c.order_seq = tc.order_seq;
      if (tc.superseded_at == kNever) tc.superseded_at = c.recorded_at;
    }
  }
  compact.push_back(c);
  IndexByYear(index);
  if (replaces) {
    live_valid = false;
    for (auto& [year, y] : years) y.folded_stale = true;  // a superseded_at changed
  }
  if (c.kind == Kind::kOther || c.kind == Kind::kVoid) return;

  const bool in_order = order.empty() || !c.OrderedBefore(compact[order.back()]);
  order.push_back(index);
  if (!in_order) {
    order_sorted = false;
    live_valid = false;
  }
  if (live_valid) internal::Step(live, rec, c, index);
}

State Engine::Impl::At(const QueryTime& t) const {
  EnsureSorted();
  FoldState s = Fresh();
  const uint32_t as_of = t.as_of.packed();
  const int64_t known_at = t.known_at.micros;
  for (uint32_t index : order) {
    const Compact& c = compact[index];
    if (c.effective > as_of) break;  // `order` is by effective date
    if (!c.KnownAndCurrentAt(known_at)) continue;
    internal::Step(s, records[index], c, index);
  }
  return internal::Materialize(s, t, records, compact);
}

std::optional<Budget> Engine::Impl::BudgetAt(int year, Programme p, const QueryTime& t) const {
  auto it = years.find({year, p});
  if (it == years.end()) return std::nullopt;
  const YearIndex& y = it->second;
  if (y.sorted < y.members.size()) {
    // Sort what arrived out of date order since the last query and merge it in: a query after a
    // few back-dated appends costs their number and one pass, not a sort of the whole year.
    auto before = [this](const YearIndex::Member& a, const YearIndex::Member& b) {
      return compact[a.index].OrderedBefore(compact[b.index]);
    };
    const auto tail = y.members.begin() + static_cast<std::ptrdiff_t>(y.sorted);
    std::sort(tail, y.members.end(), before);
    std::inplace_merge(y.members.begin(), tail, y.members.end(), before);
    y.sorted = y.members.size();
    y.folded_stale = true;
  }
  if (y.folded_stale) {
    y.folded.clear();
    y.folded_stale = false;
  }
  y.folded.reserve(y.members.size());
  for (size_t i = y.folded.size(); i < y.members.size(); ++i) {
    const YearIndex::Member& m = y.members[i];
    YearIndex::Folded f{compact[m.index], &records[m.index], m.index};
    if (m.local != kNone) f.c.subject = m.local;
    y.folded.push_back(f);
  }
  // The loop of At() over this year's members, applications renumbered locally. Entries of an
  // application filed under another year at `t` fold into that application only, which this
  // budget does not count; everything this budget counts sees exactly what At() would show it.
  FoldState& s = y.scratch;
  s.Clear(y.applications);
  s.folded.reserve(y.members.size());
  const uint32_t as_of = t.as_of.packed();
  const int64_t known_at = t.known_at.micros;
  for (const YearIndex::Folded& f : y.folded) {
    if (f.c.effective > as_of) break;  // members are by effective date
    if (!f.c.KnownAndCurrentAt(known_at)) continue;
    if (internal::PrecheckCode(s, f.c) != internal::Refusal::kNone) continue;  // an anomaly
    internal::Fold(s, *f.record, f.c, f.index);
  }
  const internal::YearSlot* slot = s.FindYear(year, p);
  if (slot == nullptr) return std::nullopt;  // nothing of this year at `t`
  Budget b;
  b.year = year;
  b.programme = p;
  b.appropriated = Money::FromOre(slot->appropriated);
  for (const internal::GrantFold& g : s.grants) {
    if (g.apply && g.year == year && g.programme == p) internal::AddToBudget(b, g);
  }
  return b;
}

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

Status Engine::Check(const DecodedEntry& candidate) {
  auto record = RecordFromEntry(candidate);
  if (!record.ok()) return record.status();
  return impl_->CheckRecord(*record);
}

void Engine::Apply(const DecodedEntry& entry) {
  auto record = RecordFromEntry(entry);
  if (record.ok()) {
    impl_->ApplyRecord(std::move(record).value());
    return;
  }
  // Stored entries were shape-checked at append, so this is not expected; keep the seq in
  // place with a record the fold ignores rather than stopping the replay.
  Record placeholder;
  placeholder.seq = entry.seq();
  placeholder.recorded_at = entry.recorded_at();
  placeholder.effective = entry.effective_date();
  placeholder.body = OtherEvent{"undecodable"};
  impl_->ApplyRecord(std::move(placeholder));
}

bool Engine::Reset() {
  impl_ = std::make_unique<Impl>();
  return true;
}

bool Engine::SaveState(std::string* out) const {
  StateWriter w;
  Out o{w};
  w.String(kEngineStateTag);
  // The application ids in interned order: each record names its application by index, so that
  // a load fills the table once instead of looking an id up at every record (a cache miss each).
  w.Strings(impl_->app_ids.ids());
  // Authors interned: a few keys write a million entries.
  std::map<Hash256, uint32_t> author_index;
  std::vector<const Hash256*> authors;
  for (size_t i = 0; i < impl_->records.size(); ++i) {
    const Record& r = impl_->records[i];
    if (author_index.try_emplace(r.author_key_id, static_cast<uint32_t>(authors.size())).second) {
      authors.push_back(&r.author_key_id);
    }
  }
  w.U64(authors.size());
  for (const Hash256* a : authors) w.Raw(a->data(), a->size());
  w.U64(impl_->records.size());
  for (size_t i = 0; i < impl_->records.size(); ++i) {
    const Record& r = impl_->records[i];
    o.app = impl_->compact[i].subject;  // the index AppId writes, kept since ApplyRecord
    w.U64(r.seq);
    w.I64(r.recorded_at.micros);
    w.U32(r.effective.packed());
    w.U32(author_index[r.author_key_id]);
    w.U8(r.corrects ? 1 : 0);
    if (r.corrects) w.U64(*r.corrects);
    w.String(r.correction_reason);
    w.U8(static_cast<uint8_t>(r.body.index()));
    std::visit([&](const auto& b) { Fields(o, b); }, r.body);
  }
  *out = w.Take();
  return true;
}

Status Engine::LoadState(std::string_view bytes, uint64_t entries) {
  StateReader r(bytes, "the projections' saved state");
  std::string tag;
  if (!r.String(&tag)) return r.status();
  if (tag != kEngineStateTag) {
    return Status::Corruption("the projections' saved state is tagged '" + tag.substr(0, 64) +
                              "', not '" + kEngineStateTag + "'");
  }
  auto fresh = std::make_unique<Impl>();
  std::vector<std::string> app_table;
  if (!r.Strings(&app_table)) return r.status();
  if (!fresh->app_ids.Assign(std::move(app_table))) {
    r.Fail("an application id saved twice");
    return r.status();
  }
  In in{r, fresh->app_ids.ids()};  // stays valid across the swap below: the Impl does not move
  uint64_t n = 0;
  if (!r.Count(&n, 32)) return r.status();
  std::vector<Hash256> authors(static_cast<size_t>(n));
  for (Hash256& a : authors) {
    if (!r.Raw(a.data(), a.size())) return r.status();
  }
  // Each record takes at least 35 bytes (seq, time, date, author, flag, reason, kind, body).
  if (!r.Count(&n, 35)) return r.status();
  if (n != entries) {
    return Status::Corruption("the projections' saved state holds " + std::to_string(n) +
                              " records, not " + std::to_string(entries));
  }
  fresh->compact.reserve(static_cast<size_t>(n));
  fresh->app_records.reserve(fresh->app_ids.size());
  fresh->app_years.reserve(fresh->app_ids.size());
  fresh->order.reserve(static_cast<size_t>(n));
  std::swap(impl_, fresh);  // ApplyRecord works on impl_; `fresh` keeps the old state meanwhile
  const auto fail = [&]() {
    std::swap(impl_, fresh);
    return r.status();
  };
  int64_t last_recorded = INT64_MIN;
  for (uint64_t i = 0; i < n; ++i) {
    Record rec;
    uint32_t author = 0;
    uint8_t corrects = 0;
    uint8_t kind = 0;
    if (!r.U64(&rec.seq) || !r.I64(&rec.recorded_at.micros) || !in.Day(rec.effective) ||
        !r.U32(&author) || !r.U8(&corrects)) {
      return fail();
    }
    // The ledger's seqs: 0..entries-1, in order; recorded-at never decreases.
    if (rec.seq != i || rec.recorded_at.micros < last_recorded || author >= authors.size() ||
        corrects > 1) {
      r.Fail("record " + std::to_string(i) + " out of order or out of range");
      return fail();
    }
    last_recorded = rec.recorded_at.micros;
    rec.author_key_id = authors[author];
    if (corrects) {
      uint64_t target = 0;
      if (!r.U64(&target)) return fail();
      if (target >= rec.seq) {
        r.Fail("record " + std::to_string(i) + " corrects a later entry");
        return fail();
      }
      rec.corrects = target;
    }
    in.app = kNone;
    if (!r.String(&rec.correction_reason) || !r.U8(&kind) || !ReadBody(in, kind, &rec.body)) {
      return fail();
    }
    if (const auto* v = std::get_if<Void>(&rec.body); v && v->target >= rec.seq) {
      r.Fail("record " + std::to_string(i) + " voids a later entry");
      return fail();
    }
    // The application's interned index is the one the record names: no lookup.
    impl_->ApplyRecord(std::move(rec), in.app);
  }
  if (!r.Finish().ok()) return fail();
  return Status::Ok();
}

Status Engine::CheckRecord(const Record& candidate) { return impl_->CheckRecord(candidate); }
void Engine::ApplyRecord(Record record) { impl_->ApplyRecord(std::move(record)); }

Status Engine::Append(Record record) {
  FOULEDGER_RETURN_IF_ERROR(impl_->CheckRecord(record));
  impl_->ApplyRecord(std::move(record));
  return Status::Ok();
}

State Engine::At(const QueryTime& t) const { return impl_->At(t); }

std::optional<Budget> Engine::BudgetAt(int year, Programme p, const QueryTime& t) const {
  return impl_->BudgetAt(year, p, t);
}

size_t Engine::size() const { return impl_->records.size(); }

const Record* Engine::FindRecord(uint64_t seq) const {
  const auto index = impl_->IndexOfSeq(seq);
  return index ? &impl_->records[*index] : nullptr;
}

}  // namespace fouledger::projections
