#include "fixture.h"

#include <algorithm>

namespace fouledger::projections::testing {

Date D(const std::string& text) {
  auto d = Date::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Date();
}

Instant T(const std::string& text) {
  auto t = Instant::Parse(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : Instant();
}

Money Kr(int64_t kronor) { return Money::FromKronor(kronor); }

static Date OptionalD(const std::string& text) { return text.empty() ? Date() : D(text); }

YearRules Rules(int year, Programme p, int64_t cap_kr, int max_per_unit, const std::string& from,
                const std::string& to, const std::string& notice_by, int max_years) {
  YearRules r;
  r.year = year;
  r.programme = p;
  r.cap = Kr(cap_kr);
  r.max_per_unit = max_per_unit;
  r.window_from = OptionalD(from);
  r.window_to = OptionalD(to);
  r.notice_by = OptionalD(notice_by);
  r.max_years_in_row = max_years;
  return r;
}

Appropriation Appropriate(int year, Programme p, int64_t kr) {
  return Appropriation{year, p, Kr(kr), ""};
}

Application Apply(const std::string& id, int year, Programme p, std::vector<std::string> units,
                  const std::string& project, int64_t kr, const std::string& title) {
  return Application{id,     year, p, std::move(units), project, title.empty() ? id : title,
                     Kr(kr), ""};
}

Decision Decide(const std::string& id, int64_t kr, const std::string& override_text) {
  return Decision{id, Kr(kr), kr == 0 ? "avslag" : "beviljas", "", override_text};
}

Payout Pay(const std::string& id, int64_t kr) { return Payout{id, Kr(kr), ""}; }
ReportSubmission Report(const std::string& id, int64_t spent_kr) {
  return ReportSubmission{id, Kr(spent_kr), "", ""};
}
ReportReview Review(const std::string& id, bool approved) {
  return ReportReview{id, approved, approved ? "godkänd" : "komplettera"};
}
RepaymentNotice Notice(const std::string& id, int64_t kr) { return RepaymentNotice{id, Kr(kr)}; }
RepaymentReceipt Receive(const std::string& id, int64_t kr) {
  return RepaymentReceipt{id, Kr(kr), ""};
}
UnitAdded Unit(const std::string& id, const std::string& name, const std::string& from,
               std::vector<std::string> succeeds) {
  return UnitAdded{id, name, OptionalD(from), std::move(succeeds)};
}

Record Book::Make(const std::string& effective, Body body, const std::string& recorded) {
  Record r;
  r.seq = next_seq_;
  r.effective = D(effective);
  Instant at = recorded.empty()
                   ? Instant{Instant::StartOf(r.effective).micros + 12LL * 3600 * 1'000'000}
                   : T(recorded);
  at.micros = std::max(at.micros, last_recorded_.micros + 1);
  r.recorded_at = at;
  r.body = std::move(body);
  return r;
}

Status Book::Push(Record r) {
  Status st = engine_.CheckRecord(r);
  if (!st.ok()) return st;
  // Only accepted records consume a seq and move the clock, as in the ledger.
  ++next_seq_;
  last_recorded_ = r.recorded_at;
  records_.push_back(r);
  engine_.ApplyRecord(std::move(r));
  return Status::Ok();
}

Status Book::Add(const std::string& effective, Body body, const std::string& recorded) {
  return Push(Make(effective, std::move(body), recorded));
}

Status Book::Correct(uint64_t target, const std::string& effective, Body body,
                     const std::string& recorded) {
  Record r = Make(effective, std::move(body), recorded);
  r.corrects = target;
  r.correction_reason = "rättelse";
  return Push(std::move(r));
}

Status Book::VoidEntry(uint64_t target, const std::string& effective, const std::string& recorded) {
  return Push(Make(effective, Void{target, "makulerad"}, recorded));
}

uint64_t Book::Must(const std::string& effective, Body body, const std::string& recorded) {
  Status st = Add(effective, std::move(body), recorded);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return last_seq();
}

uint64_t Book::MustCorrect(uint64_t target, const std::string& effective, Body body,
                           const std::string& recorded) {
  Status st = Correct(target, effective, std::move(body), recorded);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return last_seq();
}

uint64_t Book::MustVoid(uint64_t target, const std::string& effective,
                        const std::string& recorded) {
  Status st = VoidEntry(target, effective, recorded);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return last_seq();
}

void Book::Standard2021() {
  const char* kDay = "2020-01-01";
  for (const auto& [id, name] : std::vector<std::pair<std::string, std::string>>{
           {"farsta", "Farsta stadsdelsförvaltning"},
           {"skarpnack", "Skarpnäcks stadsdelsförvaltning"},
           {"rinkeby-kista", "Rinkeby-Kista stadsdelsförvaltning"},
           {"spanga-tensta", "Spånga-Tensta stadsdelsförvaltning"},
           {"hasselby-vallingby", "Hässelby-Vällingby stadsdelsförvaltning"},
           {"sof", "Socialförvaltningen"}}) {
    Must(kDay, Unit(id, name, kDay));
  }
  Must("2020-04-01",
       Rules(2021, Programme::kLum, 500'000, 2, "2020-05-04", "2020-09-21", "2021-06-07", 3));
  Must("2020-04-01",
       Rules(2021, Programme::kMul, 25'000, 2, "2020-05-04", "2020-09-21", "2021-06-07", 0));
  Must("2020-12-16", Appropriate(2021, Programme::kLum, 3'000'000));
  Must("2020-12-16", Appropriate(2021, Programme::kMul, 110'000));
}

}  // namespace fouledger::projections::testing
