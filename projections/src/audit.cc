#include "projections/audit.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <set>

#include "projections/views.h"

namespace fouledger::projections {
namespace {

// Lowercases ASCII and the Swedish capitals Å, Ä, Ö, É (UTF-8), so phrases match however the
// board's secretary capitalised them.
std::string Lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto d = static_cast<unsigned char>(text[i + 1]);
      out += static_cast<char>(c);
      // Å 0x85 -> å 0xA5, Ä 0x84 -> ä 0xA4, Ö 0x96 -> ö 0xB6, É 0x89 -> é 0xA9.
      out += static_cast<char>((d == 0x85 || d == 0x84 || d == 0x96 || d == 0x89) ? d + 0x20 : d);
      ++i;
      continue;
    }
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

// A byte that continues a word: ASCII letters and digits, and any byte of a multi-byte UTF-8
// character (å, ä, ö, é, ...).
bool WordByte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// True if `phrase` occurs in `text` as whole words ("del av" in "en del av", not in "medel av").
bool HasPhrase(const std::string& text, std::string_view phrase) {
  for (size_t at = text.find(phrase); at != std::string::npos; at = text.find(phrase, at + 1)) {
    const size_t end = at + phrase.size();
    const bool starts = at == 0 || !WordByte(text[at - 1]);
    const bool ends = end == text.size() || !WordByte(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

// The phrases, as documented in docs/audit.md.
constexpr std::string_view kPartlyPhrases[] = {
    "till viss del",     "viss del",         "till en del",  "delvis",         "del av",
    "delar av",          "inte hela",        "ej hela",      "inte fullt",     "ej fullt",
    "inte i sin helhet", "reducerat belopp", "lägre belopp", "minskat belopp",
};
constexpr std::string_view kInFullPhrases[] = {
    "i sin helhet", "hela beloppet", "hela det sökta", "hela den sökta", "hela summan",
    "fullt ut",     "fullt belopp",  "full summa",     "fullt beviljad", "fullt beviljas",
};

std::string Kr(Money m) { return m.ToSwedish(); }

// The seq of the entry that replaced or voided each superseded entry.
std::map<uint64_t, const Record*> SupersededBy(const Records& records) {
  std::map<uint64_t, const Record*> out;
  for (const Record* r : records) {
    if (const auto target = r->target()) out.emplace(*target, r);  // the first one counts
  }
  return out;
}

Balances Step(Balances b, const Record& r) {
  switch (r.kind()) {
    case Kind::kDecision:
      b.granted = r.amount();
      break;
    case Kind::kPayout:
      b.paid += r.amount();
      break;
    case Kind::kReportSubmission:
      b.spent = r.amount();
      break;
    case Kind::kRepaymentNotice:
      b.noticed += r.amount();
      break;
    case Kind::kRepaymentReceipt:
      b.repaid += r.amount();
      break;
    default:
      break;
  }
  return b;
}

// A quoted text on one line, cut at `bytes_max` (a whole UTF-8 character) with "…".
std::string Quote(std::string_view text, size_t bytes_max = 160) {
  std::string s(text.substr(0, bytes_max));
  if (text.size() > bytes_max) {
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    s += "…";
  }
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return "\"" + s + "\"";
}

std::string UnitsText(const State& state, const Grant& g) {
  std::string out;
  for (const auto& u : g.units) {
    out += (out.empty() ? "" : " + ") +
           UnitNameAt(state, u, g.decided_on.valid() ? g.decided_on : g.applied_on);
  }
  return out;
}

// "2021-LUM-08 (Skarpnäcks stadsdelsförvaltning: Familjeorienterat arbetsätt)"
std::string GrantName(const State& state, const Grant& g) {
  return g.application_id + " (" + UnitsText(state, g) + ": " + g.title + ")";
}

// The current records of `kind` about `app`.
std::vector<const Record*> CurrentOf(const Records& records,
                                     const std::map<uint64_t, const Record*>& superseded,
                                     const std::string& app, Kind kind) {
  std::vector<const Record*> out;
  for (const Record* r : records) {
    if (r->kind() == kind && r->application_id() == app && !superseded.count(r->seq)) {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<uint64_t> Seqs(const std::vector<const Record*>& rs) {
  std::vector<uint64_t> out;
  for (const Record* r : rs) out.push_back(r->seq);
  return out;
}

// The funding year an entry is about (0: none), given each application's year.
int YearOf(const Record& r, const std::map<std::string, int>& app_year) {
  if (const auto* y = std::get_if<YearRules>(&r.body)) return y->year;
  if (const auto* a = std::get_if<Appropriation>(&r.body)) return a->year;
  if (const auto* a = std::get_if<Application>(&r.body)) return a->year;
  const auto it = app_year.find(r.application_id());
  return it == app_year.end() ? 0 : it->second;
}

}  // namespace

ReasonSays ClassifyReason(std::string_view reason, std::string* phrase) {
  const std::string text = Lower(reason);
  for (auto p : kPartlyPhrases) {
    if (HasPhrase(text, p)) {
      if (phrase) *phrase = p;
      return ReasonSays::kPartly;
    }
  }
  for (auto p : kInFullPhrases) {
    if (HasPhrase(text, p)) {
      if (phrase) *phrase = p;
      return ReasonSays::kInFull;
    }
  }
  return ReasonSays::kNothing;
}

std::string SummarizeRecord(const Record& r) {
  std::string s = KindName(r.kind());
  if (const auto* y = std::get_if<YearRules>(&r.body)) {
    s += " " + std::to_string(y->year) + " " + ProgrammeName(y->programme) + " (cap " + Kr(y->cap) +
         ")";
  } else if (const auto* a = std::get_if<Appropriation>(&r.body)) {
    s += " " + std::to_string(a->year) + " " + ProgrammeName(a->programme) + " " + Kr(a->amount);
  } else if (const auto* v = std::get_if<Void>(&r.body)) {
    s += " of entry " + std::to_string(v->target);
  } else if (const auto* u = std::get_if<UnitAdded>(&r.body)) {
    s += " " + u->unit_id;
  } else if (const auto* o = std::get_if<OtherEvent>(&r.body)) {
    s = o->kind;
  } else {
    s += " " + r.application_id();
    if (const auto* d = std::get_if<Decision>(&r.body)) {
      s += d->granted.ore() == 0 ? std::string(" rejected") : " granted " + Kr(d->granted);
    } else if (const auto* v = std::get_if<ReportReview>(&r.body)) {
      s += v->approved ? " approved" : " returned";
    } else if (r.kind() == Kind::kApplication) {
      s += " asks " + Kr(r.amount());
    } else if (r.kind() == Kind::kReportSubmission) {
      s += " spent " + Kr(r.amount());
    } else {
      s += " " + Kr(r.amount());
    }
  }
  if (r.effective.valid()) s += ", " + r.effective.ToString();
  return s;
}

Result<Trace> TraceApplication(const Records& records, const std::string& application_id) {
  const auto superseded = SupersededBy(records);
  Trace trace;
  trace.application_id = application_id;
  std::set<uint64_t> touched;
  bool found = false;
  for (const Record* r : records) {
    const bool about = !application_id.empty() && r->application_id() == application_id;
    const bool voids_one = r->kind() == Kind::kVoid && touched.count(*r->target());
    if (!about && !voids_one) continue;
    touched.insert(r->seq);
    if (const auto* a = std::get_if<Application>(&r->body)) {
      if (!superseded.count(r->seq) || !found) {  // the current version names the grant
        trace.year = a->year;
        trace.programme = a->programme;
        trace.project_id = a->project_id;
        trace.title = a->title;
      }
      found = true;
    }
    TraceStep step;
    step.record = *r;
    if (auto it = superseded.find(r->seq); it != superseded.end()) {
      step.superseded_by = it->second->seq;
      step.voided = it->second->kind() == Kind::kVoid;
    }
    trace.steps.push_back(std::move(step));
  }
  if (!found) return Status::NotFound("no application " + application_id + " in the ledger");
  std::stable_sort(trace.steps.begin(), trace.steps.end(),
                   [](const TraceStep& a, const TraceStep& b) {
                     return std::pair(a.record.effective, a.record.seq) <
                            std::pair(b.record.effective, b.record.seq);
                   });
  Balances b;
  for (auto& step : trace.steps) {
    if (!step.superseded_by) b = Step(b, step.record);
    step.after = b;
  }
  trace.balances = b;
  return trace;
}

std::vector<std::string> ApplicationsOfProject(const Records& records,
                                               const std::string& project_id) {
  std::set<std::pair<int, std::string>> found;
  for (const Record* r : records) {
    const auto* a = std::get_if<Application>(&r->body);
    if (a && !project_id.empty() && a->project_id == project_id) {
      found.emplace(a->year, a->application_id);
    }
  }
  std::vector<std::string> out;
  for (const auto& [year, id] : found) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

std::vector<uint64_t> EntriesAboutYear(const Records& records, int year) {
  // An application belongs to every year any version of it names (a correction may move it).
  std::map<std::string, std::set<int>> app_years;
  for (const Record* r : records) {
    if (const auto* a = std::get_if<Application>(&r->body)) {
      app_years[a->application_id].insert(a->year);
    }
  }
  std::set<uint64_t> in;
  for (const Record* r : records) {  // seq order: a target always comes before what names it
    bool about = false;
    if (const auto* y = std::get_if<YearRules>(&r->body)) {
      about = y->year == year;
    } else if (const auto* a = std::get_if<Appropriation>(&r->body)) {
      about = a->year == year;
    } else if (!r->application_id().empty()) {
      auto it = app_years.find(r->application_id());
      about = it != app_years.end() && it->second.count(year);
    }
    if (const auto target = r->target(); target && in.count(*target)) about = true;
    if (about) in.insert(r->seq);
  }
  return std::vector<uint64_t>(in.begin(), in.end());
}

std::vector<Finding> FindAnomalies(const State& state, const Records& records,
                                   const RefusalLog& refusals, int year) {
  const auto superseded = SupersededBy(records);
  std::map<uint64_t, const Record*> by_seq;
  std::map<std::string, int> app_year;
  for (const Record* r : records) {
    by_seq[r->seq] = r;
    if (const auto* a = std::get_if<Application>(&r->body)) {
      if (!superseded.count(r->seq)) app_year[a->application_id] = a->year;
    }
  }
  const auto wanted = [&](int finding_year) {
    return year == 0 || finding_year == 0 || finding_year == year;
  };

  std::vector<Finding> overrides, reasons, no_report, returned, late, unreceived;
  for (const Grant& g : state.grants) {
    if (year != 0 && g.year != year) continue;
    const std::string name = GrantName(state, g);
    const auto decisions = CurrentOf(records, superseded, g.application_id, Kind::kDecision);
    if (!g.override_text.empty()) {
      overrides.push_back({"override", g.application_id, g.year, Seqs(decisions),
                           name + ": the board overrode a rule when granting " + Kr(g.granted) +
                               " on " + g.decided_on.ToString() + ": " + Quote(g.override_text)});
    }
    if (g.outcome != Outcome::kUndecided) {
      std::string phrase;
      const ReasonSays says = ClassifyReason(g.decision_reason, &phrase);
      std::string why;
      if (says == ReasonSays::kPartly && g.granted == g.asked) {
        why = "the reason says partly (\"" + phrase + "\"), yet the full " + Kr(g.asked) +
              " asked was granted";
      } else if (says == ReasonSays::kPartly && g.granted.ore() == 0) {
        why = "the reason says partly (\"" + phrase + "\"), yet nothing was granted (" +
              Kr(g.asked) + " asked)";
      } else if (says == ReasonSays::kInFull && g.granted < g.asked) {
        why = "the reason says in full (\"" + phrase + "\"), yet " + Kr(g.granted) + " of " +
              Kr(g.asked) + " asked was granted";
      }
      if (!why.empty()) {
        constexpr size_t kReasonBytesMax = 2048;  // the whole reason: it is the evidence
        reasons.push_back({"reason-vs-amount", g.application_id, g.year, Seqs(decisions),
                           name + ": " + why + ": " + Quote(g.decision_reason, kReasonBytesMax)});
      }
    }
    const auto end_of_year = Date::FromYmd(g.year, 12, 31);
    // A grant whose money was all noticed back (a cancelled trip) owes no report.
    if (g.paid.ore() > 0 && g.report == ReportStatus::kNone &&
        std::max(g.noticed, g.repaid) < g.paid && end_of_year.ok() &&
        state.at.as_of > *end_of_year) {
      no_report.push_back({"no-report", g.application_id, g.year,
                           Seqs(CurrentOf(records, superseded, g.application_id, Kind::kPayout)),
                           name + ": " + Kr(g.paid) + " paid and no report, though funding year " +
                               std::to_string(g.year) + " ended on " + end_of_year->ToString()});
    }
    if (g.report == ReportStatus::kReturned) {
      returned.push_back(
          {"report-returned", g.application_id, g.year,
           Seqs(CurrentOf(records, superseded, g.application_id, Kind::kReportReview)),
           name + ": the report was returned on " + g.report_reviewed_on.ToString() +
               " and has not been resubmitted" +
               (g.review_reason.empty() ? std::string() : ": " + Quote(g.review_reason))});
    }
    if (g.noticed_late.ore() > 0) {
      const YearRules* rules = state.FindRules(g.year, g.programme);
      std::vector<const Record*> notices;
      for (const Record* r :
           CurrentOf(records, superseded, g.application_id, Kind::kRepaymentNotice)) {
        if (rules && rules->notice_by.valid() && r->effective > rules->notice_by) {
          notices.push_back(r);
        }
      }
      std::string dates;
      for (const Record* r : notices)
        dates += (dates.empty() ? "" : ", ") + r->effective.ToString();
      late.push_back({"notice-late", g.application_id, g.year, Seqs(notices),
                      name + ": " + Kr(g.noticed_late) + " noticed for repayment on " + dates +
                          ", after the year's deadline " +
                          (rules ? rules->notice_by.ToString() : std::string("?"))});
    }
    if (g.noticed > g.repaid) {
      unreceived.push_back(
          {"noticed-not-received", g.application_id, g.year,
           Seqs(CurrentOf(records, superseded, g.application_id, Kind::kRepaymentNotice)),
           name + ": " + Kr(g.noticed) + " noticed for repayment (first on " +
               g.first_notice_on.ToString() + "), " + Kr(g.repaid) + " received, " +
               Kr(g.noticed - g.repaid) + " still to come back"});
    }
  }

  std::vector<Finding> corrections, voids;
  for (const Record* r : records) {
    const auto target = r->target();
    if (!target) continue;
    const auto it = by_seq.find(*target);
    const Record* old = it == by_seq.end() ? nullptr : it->second;
    const int y = old ? YearOf(*old, app_year) : YearOf(*r, app_year);
    if (!wanted(y)) continue;
    const std::string old_text =
        "entry " + std::to_string(*target) + (old ? " (" + SummarizeRecord(*old) + ")" : "");
    const std::string app = old ? old->application_id() : r->application_id();
    if (r->kind() == Kind::kVoid) {
      voids.push_back({"void",
                       app,
                       y,
                       {*target, r->seq},
                       "entry " + std::to_string(r->seq) + " voided " + old_text + ": " +
                           Quote(std::get<Void>(r->body).reason)});
    } else {
      corrections.push_back({"correction",
                             app,
                             y,
                             {*target, r->seq},
                             "entry " + std::to_string(r->seq) + " (" + SummarizeRecord(*r) +
                                 ") replaced " + old_text + ": " + Quote(r->correction_reason)});
    }
  }

  // Refusals, one finding per key: those by revoked keys apart, as the issue's "keys used after
  // revocation attempts".
  struct KeyRefusals {
    std::string role;
    std::optional<uint64_t> revoked_at;
    size_t count = 0;
    Instant first, last;
    std::map<std::string, size_t> kinds;
    std::string last_message;
  };
  std::map<std::pair<bool, std::string>, KeyRefusals> by_key;  // (revoked, key) -> summary
  for (const auto& l : refusals.lines) {
    KeyRefusals& k = by_key[{l.revoked_at.has_value(), l.author_key_id}];
    if (k.count == 0) k.first = l.at;
    ++k.count;
    k.last = l.at;
    k.role = l.role;
    if (l.revoked_at) k.revoked_at = l.revoked_at;
    ++k.kinds[l.kind.empty() ? "undecodable" : l.kind];
    k.last_message = l.message;
  }
  std::vector<Finding> revoked, refused;
  for (const auto& [id, k] : by_key) {
    const std::string key = id.second.empty()
                                ? std::string("an undecodable event")
                                : "key " + id.second.substr(0, 16) + " (" + k.role + ")";
    std::string kinds;
    for (const auto& [kind, n] : k.kinds) {
      kinds += (kinds.empty() ? "" : ", ") + kind + " ×" + std::to_string(n);
    }
    const std::string when = k.first.ToString().substr(0, 19) + "Z" +
                             (k.count > 1 ? " to " + k.last.ToString().substr(0, 19) + "Z" : "");
    if (id.first) {
      revoked.push_back({"revoked-key-used",
                         "",
                         0,
                         {*k.revoked_at},
                         key + ", revoked at entry " + std::to_string(*k.revoked_at) +
                             ", was used " + std::to_string(k.count) +
                             " time(s) after revocation (" + when + "): " + kinds});
    } else {
      refused.push_back({"refused",
                         "",
                         0,
                         {},
                         key + ": " + std::to_string(k.count) + " append(s) refused (" + when +
                             "): " + kinds + "; last: " + k.last_message});
    }
  }
  if (refusals.malformed > 0) {
    refused.push_back({"refused",
                       "",
                       0,
                       {},
                       std::to_string(refusals.malformed) +
                           " line(s) of the refusal log do not parse: it may have been edited"});
  }

  std::vector<Finding> fold;
  for (const auto& a : state.anomalies) {
    const auto it = by_seq.find(a.seq);
    const int y = it == by_seq.end() ? 0 : YearOf(*it->second, app_year);
    if (!wanted(y)) continue;
    fold.push_back({"fold",
                    it == by_seq.end() ? "" : it->second->application_id(),
                    y,
                    {a.seq},
                    "entry " + std::to_string(a.seq) + " could not be applied: " + a.message});
  }

  std::vector<Finding> out;
  for (auto* group : {&overrides, &reasons, &no_report, &returned, &late, &unreceived, &corrections,
                      &voids, &revoked, &refused, &fold}) {
    for (auto& f : *group) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace fouledger::projections
