#include "import.h"

#include <fstream>

#include "ledger/money.h"
#include "projections/csv.h"

namespace fouledger::cli {
namespace {

using projections::CsvTable;

// Reading one table row: each getter names the line and column when the value is bad.
class Row {
 public:
  Row(const CsvTable& t, size_t i) : t_(t), i_(i) {}
  size_t line() const { return t_.line_of(i_); }
  const std::string& Text(const char* column) const { return t_.field(i_, column); }
  Status Bad(const char* column, const std::string& why) const {
    return Status::InvalidArgument("line " + std::to_string(line()) + ", column " + column + ": " +
                                   why);
  }
  Result<Money> Amount(const char* column) const {
    auto m = Money::Parse(Text(column));
    if (!m.ok()) return Bad(column, m.status().message());
    return m;
  }
  Result<Date> DateAt(const char* column, bool required) const {
    if (Text(column).empty()) {
      if (required) return Bad(column, "a date is required");
      return Date();
    }
    auto d = Date::Parse(Text(column));
    if (!d.ok()) return Bad(column, d.status().message());
    return d;
  }
  Result<int> Int(const char* column, bool required) const {
    const std::string& s = Text(column);
    if (s.empty()) {
      if (required) return Bad(column, "a number is required");
      return 0;
    }
    int v = 0;
    for (char c : s) {
      if (c < '0' || c > '9' || v > 100000) return Bad(column, "'" + s + "' is not a whole number");
      v = v * 10 + (c - '0');
    }
    return v;
  }
  Result<schema::Programme> Prog() const {
    auto p = ParseProgramme(Text("programme"));
    if (!p.ok()) return Bad("programme", p.status().message());
    return p;
  }

 private:
  const CsvTable& t_;
  size_t i_;
};

Result<CsvTable> Load(const std::string& path, const std::vector<std::string>& required) {
  // A file that is not there is the user's mistake (exit 2), as for every other input file.
  if (!std::ifstream(path)) return Status::InvalidArgument("cannot read " + path);
  auto table = CsvTable::ReadFile(path);  // its errors already name the file
  if (!table.ok()) return table.status();
  for (const auto& c : required) {
    if (table->column(c) < 0) {
      return Status::InvalidArgument(path + ": the header has no column '" + c + "'");
    }
  }
  return table;
}

Status Sign(EventBuilder& b, const SigningKey& key, size_t line, const std::string& what,
            std::vector<ImportedEvent>* out) {
  auto e = b.Sign(key);
  if (!e.ok()) return e.status().WithContext("line " + std::to_string(line) + " (" + what + ")");
  out->push_back({std::move(e).value(), line, what});
  return Status::Ok();
}

#define ASSIGN_OR_RETURN(var, expr)                     \
  auto var##_result = (expr);                           \
  if (!var##_result.ok()) return var##_result.status(); \
  auto var = std::move(var##_result).value()

}  // namespace

Result<std::vector<ImportedEvent>> ReadApplications(const std::string& path,
                                                    const SigningKey& board,
                                                    const UnitKeyFinder& unit_key) {
  ASSIGN_OR_RETURN(table, Load(path, {"id", "year", "programme", "units", "project", "title",
                                      "asked", "granted", "reason", "applied", "decided"}));
  std::vector<ImportedEvent> applies, decisions;
  for (size_t i = 0; i < table.size(); ++i) {
    const Row row(table, i);
    const std::string id = row.Text("id");
    ASSIGN_OR_RETURN(year, row.Int("year", true));
    ASSIGN_OR_RETURN(programme, row.Prog());
    ASSIGN_OR_RETURN(asked, row.Amount("asked"));
    ASSIGN_OR_RETURN(applied, row.DateAt("applied", true));
    const auto units = projections::SplitList(row.Text("units"));
    if (units.empty()) return row.Bad("units", "no owner unit");
    const SigningKey* signer = nullptr;
    for (const auto& u : units) {
      if ((signer = unit_key(u)) != nullptr) break;
    }
    if (signer == nullptr) return row.Bad("units", "no key for unit " + units.front());

    EventBuilder apply(applied);
    auto a = apply.body().initApply();
    a.setApplicationId(id);
    a.setYear(static_cast<uint16_t>(year));
    a.setProgramme(programme);
    auto list = a.initUnits(static_cast<unsigned>(units.size()));
    for (size_t u = 0; u < units.size(); ++u) list.set(static_cast<unsigned>(u), units[u]);
    a.setProjectId(row.Text("project"));
    a.setTitle(row.Text("title"));
    a.setAmountOre(asked.ore());
    a.setPurpose(row.Text("purpose"));
    FOULEDGER_RETURN_IF_ERROR(Sign(apply, *signer, row.line(), "apply " + id, &applies));

    if (row.Text("granted").empty()) continue;  // not decided yet
    ASSIGN_OR_RETURN(granted, row.Amount("granted"));
    ASSIGN_OR_RETURN(decided, row.DateAt("decided", true));
    EventBuilder decide(decided);
    auto d = decide.body().initDecide();
    d.setApplicationId(id);
    d.setGrantedOre(granted.ore());
    d.setReason(row.Text("reason"));
    d.setCaseNumber(row.Text("case"));
    if (row.Text("reason").empty()) return row.Bad("reason", "a decision needs its written reason");
    FOULEDGER_RETURN_IF_ERROR(Sign(decide, board, row.line(), "decide " + id, &decisions));
  }
  applies.insert(applies.end(), std::make_move_iterator(decisions.begin()),
                 std::make_move_iterator(decisions.end()));
  return applies;
}

Status AppendAllOrNothing(Ledger& ledger, const std::vector<ImportedEvent>& events) {
  std::vector<SignedEvent> signed_events;
  for (const auto& e : events) signed_events.push_back(e.event);
  auto outcome = ledger.AppendAll(signed_events);
  if (outcome.ok()) return Status::Ok();
  // "event 3 of 20: ..." → name the line and the event instead.
  const std::string& msg = outcome.status().message();
  size_t index = 0;
  if (msg.rfind("event ", 0) == 0) index = std::stoul(msg.substr(6));
  const std::string rest = msg.substr(msg.find(": ") == std::string::npos ? 0 : msg.find(": ") + 2);
  if (index >= 1 && index <= events.size()) {
    const ImportedEvent& bad = events[index - 1];
    const std::string where =
        "line " + std::to_string(bad.line) + " (" + bad.what + "); nothing was imported";
    if (outcome.status().IsRefused()) return Status::Refused(rest + " [" + where + "]");
    return Status::InvalidArgument(rest + " [" + where + "]");
  }
  return outcome.status();
}

Result<std::vector<ImportedEvent>> ReadUnits(const std::string& path, const SigningKey& admin) {
  ASSIGN_OR_RETURN(table, Load(path, {"id", "name", "from", "succeeds"}));
  std::vector<ImportedEvent> out;
  for (size_t i = 0; i < table.size(); ++i) {
    const Row row(table, i);
    ASSIGN_OR_RETURN(from, row.DateAt("from", false));
    EventBuilder b(from.valid() ? from : Date::FromYmd(2020, 1, 1).value());
    auto u = b.body().initUnitAdd();
    u.setUnitId(row.Text("id"));
    u.setName(row.Text("name"));
    u.setValidFrom(from.packed());
    const auto succeeds = projections::SplitList(row.Text("succeeds"));
    auto list = u.initSucceeds(static_cast<unsigned>(succeeds.size()));
    for (size_t s = 0; s < succeeds.size(); ++s) list.set(static_cast<unsigned>(s), succeeds[s]);
    FOULEDGER_RETURN_IF_ERROR(Sign(b, admin, row.line(), "unit " + row.Text("id"), &out));
  }
  return out;
}

Result<std::vector<ImportedEvent>> ReadRules(const std::string& path, const SigningKey& board) {
  ASSIGN_OR_RETURN(table, Load(path, {"year", "programme", "cap", "max_per_unit", "window_from",
                                      "window_to", "notice_by", "max_years", "decided"}));
  std::vector<ImportedEvent> out;
  for (size_t i = 0; i < table.size(); ++i) {
    const Row row(table, i);
    ASSIGN_OR_RETURN(year, row.Int("year", true));
    ASSIGN_OR_RETURN(programme, row.Prog());
    ASSIGN_OR_RETURN(cap, row.Amount("cap"));
    ASSIGN_OR_RETURN(max_per_unit, row.Int("max_per_unit", true));
    ASSIGN_OR_RETURN(from, row.DateAt("window_from", true));
    ASSIGN_OR_RETURN(to, row.DateAt("window_to", true));
    ASSIGN_OR_RETURN(notice_by, row.DateAt("notice_by", false));
    ASSIGN_OR_RETURN(max_years, row.Int("max_years", false));
    ASSIGN_OR_RETURN(decided, row.DateAt("decided", false));
    ASSIGN_OR_RETURN(reports_for_year, row.Int("reports_for_year", false));
    // The rules are in force from the board's decision; the seeds give no date for some years,
    // and then the rules are dated at the window's opening, when they were at the latest known.
    EventBuilder b(decided.valid() ? decided : from);
    auto y = b.body().initYearOpen();
    y.setYear(static_cast<uint16_t>(year));
    y.setProgramme(programme);
    y.setCapOre(cap.ore());
    y.setMaxPerUnit(static_cast<uint16_t>(max_per_unit));
    y.setWindowFrom(from.packed());
    y.setWindowTo(to.packed());
    y.setNoticeBy(notice_by.packed());
    y.setMaxYearsInRow(static_cast<uint16_t>(max_years));
    y.setCriteria(row.Text("criteria"));
    y.setReportsForYear(static_cast<uint16_t>(reports_for_year));
    FOULEDGER_RETURN_IF_ERROR(Sign(
        b, board, row.line(), "year " + std::to_string(year) + " " + row.Text("programme"), &out));
  }
  return out;
}

Result<std::vector<ImportedEvent>> ReadAppropriations(const std::string& path,
                                                      const SigningKey& board) {
  ASSIGN_OR_RETURN(table, Load(path, {"year", "programme", "amount", "date", "case"}));
  std::vector<ImportedEvent> out;
  for (size_t i = 0; i < table.size(); ++i) {
    const Row row(table, i);
    ASSIGN_OR_RETURN(year, row.Int("year", true));
    ASSIGN_OR_RETURN(programme, row.Prog());
    ASSIGN_OR_RETURN(amount, row.Amount("amount"));
    ASSIGN_OR_RETURN(date, row.DateAt("date", true));
    EventBuilder b(date);
    auto a = b.body().initAppropriate();
    a.setYear(static_cast<uint16_t>(year));
    a.setProgramme(programme);
    a.setAmountOre(amount.ore());
    a.setCaseNumber(row.Text("case"));
    FOULEDGER_RETURN_IF_ERROR(
        Sign(b, board, row.line(),
             "appropriation " + std::to_string(year) + " " + row.Text("programme"), &out));
  }
  return out;
}

}  // namespace fouledger::cli
