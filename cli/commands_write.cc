// Commands that append one signed event each. They parse, build the event and hand it to the
// ledger; every rule is checked by the ledger and the domain rules, not here.
#include <fstream>
#include <iostream>

#include "context.h"

namespace fouledger::cli {
namespace {

using schema::Programme;

// Options every writing command shares.
struct CommonWrite {
  std::string date;                  // effective (business) date
  std::optional<uint64_t> corrects;  // replace this entry
  std::string correction_reason;
};

// Adds --date, --corrects and the correction's reason. Commands that have a --reason of their
// own (decide, report review) take the correction's reason as --correction-reason and fall back
// to --reason.
void AddCommon(CLI::App* cmd, CommonWrite* c, bool date_required, bool has_own_reason) {
  auto* date = cmd->add_option("--date", c->date, "Effective (business) date, YYYY-MM-DD");
  if (date_required) date->required();
  cmd->add_option("--corrects", c->corrects, "Replace entry SEQ with this one (a new entry)");
  cmd->add_option(has_own_reason ? "--correction-reason" : "--reason", c->correction_reason,
                  "Why the corrected entry is replaced");
}

// Builds the EventBuilder with the date and correction set, or the Status saying why not.
Result<std::unique_ptr<EventBuilder>> Start(const Context& ctx, const CommonWrite& c,
                                            const std::string& own_reason = "") {
  auto date = ParseDateOrToday(ctx, "--date", c.date);
  if (!date.ok()) return date.status();
  auto b = std::make_unique<EventBuilder>(*date);
  if (c.corrects) {
    const std::string reason = c.correction_reason.empty() ? own_reason : c.correction_reason;
    if (reason.empty()) return Status::InvalidArgument("--corrects needs a reason (--reason)");
    b->Corrects(*c.corrects, reason);
  }
  return b;
}

std::vector<std::string> SplitCommas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& item : in) {
    size_t start = 0;
    while (start <= item.size()) {
      const size_t comma = item.find(',', start);
      const std::string part =
          item.substr(start, comma == std::string::npos ? comma : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

void SetList(capnp::List<capnp::Text>::Builder list, const std::vector<std::string>& items) {
  for (size_t i = 0; i < items.size(); ++i) list.set(static_cast<unsigned>(i), items[i]);
}

// Registers a writing subcommand whose body builds the event into an EventBuilder.
template <typename Options>
void AddWriter(CLI::App* parent, Context& ctx, Action* action, const std::string& name,
               const std::string& help, bool date_required, bool has_own_reason,
               const std::function<void(CLI::App*, Options*)>& declare,
               const std::function<Status(const Options&, EventBuilder&)>& build,
               const std::function<std::string(const Options&)>& own_reason = {}) {
  auto* cmd = parent->add_subcommand(name, help);
  auto opts = std::make_shared<Options>();
  auto common = std::make_shared<CommonWrite>();
  declare(cmd, opts.get());
  AddCommon(cmd, common.get(), date_required, has_own_reason);
  cmd->callback([=, &ctx] {
    *action = [=, &ctx]() -> int {
      auto b = Start(ctx, *common, own_reason ? own_reason(*opts) : "");
      if (!b.ok()) return Fail(b.status());
      if (Status s = build(*opts, **b); !s.ok()) return Fail(s);
      return SignAndAppend(ctx, **b);
    };
  });
}

struct KeyEnrollOptions {
  std::string key, role, holder;
  std::vector<std::string> units;
};
struct KeyRevokeOptions {
  std::string key, reason;
};
struct UnitOptions {
  std::string id, name, from;
  std::vector<std::string> succeeds;
};
struct YearOptions {
  int year = 0;
  std::string programme, cap, window, notice_by, criteria, reports_by;
  int max_per_unit = 0, max_years = 0, reports_for_year = 0;
};
struct AppropriateOptions {
  int year = 0;
  std::string programme, amount, case_number;
};
struct ApplyOptions {
  std::string id, programme, project, title, amount, purpose;
  int year = 0;
  std::vector<std::string> units;
};
struct DecideOptions {
  std::string application, granted, reason, case_number, override_text;
};
struct MoneyOptions {
  std::string grant, amount, voucher;
};
struct ReportSubmitOptions {
  std::string grant, spent, document;
};
struct ReportReviewOptions {
  std::string grant, reason;
  bool approve = false, return_it = false;
};
struct VoidOptions {
  uint64_t seq = 0;
  std::string reason;
};

Status ParseWindow(const std::string& text, uint32_t* from, uint32_t* to) {
  const size_t dots = text.find("..");
  if (dots == std::string::npos) {
    return Status::InvalidArgument("--window '" + text +
                                   "' is not FROM..TO (2020-05-04..2020-09-21)");
  }
  auto a = ParseDate("--window", text.substr(0, dots));
  if (!a.ok()) return a.status();
  auto b = ParseDate("--window", text.substr(dots + 2));
  if (!b.ok()) return b.status();
  *from = a->packed();
  *to = b->packed();
  return Status::Ok();
}

Result<Programme> Prog(const std::string& text) { return ParseProgramme(text); }

}  // namespace

void RegisterWriteCommands(CLI::App& app, Context& ctx, Action* action) {
  CLI::App* key = app.get_subcommand("key");
  AddWriter<KeyEnrollOptions>(
      key, ctx, action, "enroll", "Enroll a public key for a role", false, false,
      [](CLI::App* c, KeyEnrollOptions* o) {
        c->add_option("--key", o->key, "Public key file (PEM)")->required();
        c->add_option("--role", o->role, "admin|board|office|unit|controller|auditor")->required();
        c->add_option("--unit", o->units, "Unit id(s) a unit key acts for (repeat or comma list)");
        c->add_option("--holder", o->holder, "Who holds the key");
      },
      [](const KeyEnrollOptions& o, EventBuilder& b) -> Status {
        auto pk = LoadPublicKeyPem(o.key);
        if (!pk.ok()) return pk.status();
        auto role = ParseRole(o.role);
        if (!role.ok()) return role.status();
        auto k = b.body().initKeyEnroll();
        k.setPublicKey(kj::arrayPtr(pk->data(), pk->size()));
        k.setRole(*role);
        const auto units = SplitCommas(o.units);
        SetList(k.initUnits(static_cast<unsigned>(units.size())), units);
        k.setHolder(o.holder);
        return Status::Ok();
      });
  {
    // key revoke has its own --reason; it cannot be corrected, so it takes no --corrects.
    auto* cmd = key->add_subcommand("revoke", "Revoke an enrolled key");
    auto o = std::make_shared<KeyRevokeOptions>();
    auto date = std::make_shared<std::string>();
    cmd->add_option("--key", o->key, "Public key file (PEM)")->required();
    cmd->add_option("--reason", o->reason, "Why")->required();
    cmd->add_option("--date", *date, "Effective date (default today)");
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto pk = LoadPublicKeyPem(o->key);
        if (!pk.ok()) return Fail(pk.status());
        auto d = ParseDateOrToday(ctx, "--date", *date);
        if (!d.ok()) return Fail(d.status());
        EventBuilder b(*d);
        auto r = b.body().initKeyRevoke();
        const Hash256 id = KeyIdOf(*pk);
        r.setKeyId(kj::arrayPtr(id.data(), id.size()));
        r.setReason(o->reason);
        return SignAndAppend(ctx, b);
      };
    });
  }

  auto* unit =
      app.add_subcommand("unit", "District administrations and the office")->require_subcommand(1);
  AddWriter<UnitOptions>(
      unit, ctx, action, "add", "Add a unit (or a renamed/merged successor)", false, false,
      [](CLI::App* c, UnitOptions* o) {
        c->add_option("--id", o->id, "Stable unit id, e.g. hagersten-alvsjo")->required();
        c->add_option("--name", o->name, "Name, e.g. Hägersten-Älvsjö")->required();
        c->add_option("--from", o->from, "Date the unit exists from");
        c->add_option("--succeeds", o->succeeds, "Unit id(s) it renames or merges");
      },
      [](const UnitOptions& o, EventBuilder& b) -> Status {
        auto u = b.body().initUnitAdd();
        u.setUnitId(o.id);
        u.setName(o.name);
        if (!o.from.empty()) {
          auto d = ParseDate("--from", o.from);
          if (!d.ok()) return d.status();
          u.setValidFrom(d->packed());
        }
        const auto succeeds = SplitCommas(o.succeeds);
        SetList(u.initSucceeds(static_cast<unsigned>(succeeds.size())), succeeds);
        return Status::Ok();
      });

  auto* year = app.add_subcommand("year", "A funding year's rules")->require_subcommand(1);
  AddWriter<YearOptions>(
      year, ctx, action, "open", "Open a funding year for a programme with its rules", false, false,
      [](CLI::App* c, YearOptions* o) {
        c->add_option("--year", o->year, "Funding year")->required();
        c->add_option("--programme", o->programme, "LUM or MUL")->required();
        c->add_option("--cap", o->cap, "Cap per project-year (LUM) or trip (MUL), kronor")
            ->required();
        c->add_option("--max-per-unit", o->max_per_unit, "Grants per unit this year")->required();
        c->add_option("--window", o->window, "Application window FROM..TO")->required();
        c->add_option("--notice-by", o->notice_by, "Repayment notice deadline");
        c->add_option("--max-years", o->max_years, "Years in a row a project may be funded");
        c->add_option("--criteria", o->criteria, "The year's priorities (inriktning)");
        c->add_option("--reports-for-year", o->reports_for_year,
                      "Grants of this year need an approved report (default: year - 1)");
        c->add_option("--reports-by", o->reports_by,
                      "... by this date (default: the decision date)");
      },
      [](const YearOptions& o, EventBuilder& b) -> Status {
        auto p = Prog(o.programme);
        if (!p.ok()) return p.status();
        auto cap = ParseAmount("--cap", o.cap);
        if (!cap.ok()) return cap.status();
        auto y = b.body().initYearOpen();
        y.setYear(static_cast<uint16_t>(o.year));
        y.setProgramme(*p);
        y.setCapOre(cap->ore());
        y.setMaxPerUnit(static_cast<uint16_t>(o.max_per_unit));
        uint32_t from = 0, to = 0;
        FOULEDGER_RETURN_IF_ERROR(ParseWindow(o.window, &from, &to));
        y.setWindowFrom(from);
        y.setWindowTo(to);
        if (!o.notice_by.empty()) {
          auto d = ParseDate("--notice-by", o.notice_by);
          if (!d.ok()) return d.status();
          y.setNoticeBy(d->packed());
        }
        if (!o.reports_by.empty()) {
          auto d = ParseDate("--reports-by", o.reports_by);
          if (!d.ok()) return d.status();
          y.setReportsBy(d->packed());
        }
        y.setMaxYearsInRow(static_cast<uint16_t>(o.max_years));
        y.setReportsForYear(static_cast<uint16_t>(o.reports_for_year));
        y.setCriteria(o.criteria);
        return Status::Ok();
      });

  AddWriter<AppropriateOptions>(
      &app, ctx, action, "appropriate", "Set aside funds for a year and programme", true, false,
      [](CLI::App* c, AppropriateOptions* o) {
        c->add_option("--year", o->year, "Funding year")->required();
        c->add_option("--programme", o->programme, "LUM or MUL")->required();
        c->add_option("--amount", o->amount, "Kronor")->required();
        c->add_option("--case", o->case_number, "Dnr");
      },
      [](const AppropriateOptions& o, EventBuilder& b) -> Status {
        auto p = Prog(o.programme);
        if (!p.ok()) return p.status();
        auto amount = ParseAmount("--amount", o.amount);
        if (!amount.ok()) return amount.status();
        auto a = b.body().initAppropriate();
        a.setYear(static_cast<uint16_t>(o.year));
        a.setProgramme(*p);
        a.setAmountOre(amount->ore());
        a.setCaseNumber(o.case_number);
        return Status::Ok();
      });

  AddWriter<ApplyOptions>(
      &app, ctx, action, "apply", "A unit applies for funds", true, false,
      [](CLI::App* c, ApplyOptions* o) {
        c->add_option("--id", o->id, "Application id, e.g. 2021-LUM-01")->required();
        c->add_option("--year", o->year, "Funding year")->required();
        c->add_option("--programme", o->programme, "LUM or MUL")->required();
        c->add_option("--unit", o->units, "Owner unit id(s): ID[,ID2]")->required();
        c->add_option("--project", o->project, "Project id, stable across years")->required();
        c->add_option("--title", o->title, "Title")->required();
        c->add_option("--amount", o->amount, "Kronor asked")->required();
        c->add_option("--purpose", o->purpose, "Purpose or destination");
      },
      [](const ApplyOptions& o, EventBuilder& b) -> Status {
        auto p = Prog(o.programme);
        if (!p.ok()) return p.status();
        auto amount = ParseAmount("--amount", o.amount);
        if (!amount.ok()) return amount.status();
        auto a = b.body().initApply();
        a.setApplicationId(o.id);
        a.setYear(static_cast<uint16_t>(o.year));
        a.setProgramme(*p);
        const auto units = SplitCommas(o.units);
        SetList(a.initUnits(static_cast<unsigned>(units.size())), units);
        a.setProjectId(o.project);
        a.setTitle(o.title);
        a.setAmountOre(amount->ore());
        a.setPurpose(o.purpose);
        return Status::Ok();
      });

  AddWriter<DecideOptions>(
      &app, ctx, action, "decide", "The board decides an application (0 rejects)", true, true,
      [](CLI::App* c, DecideOptions* o) {
        c->add_option("--application", o->application, "Application id")->required();
        c->add_option("--granted", o->granted, "Kronor granted; 0 rejects")->required();
        c->add_option("--reason", o->reason, "The written reason")->required();
        c->add_option("--case", o->case_number, "Dnr");
        c->add_option("--override", o->override_text,
                      "Override a policy rule, saying which and why (kept and shown)");
      },
      [](const DecideOptions& o, EventBuilder& b) -> Status {
        auto granted = ParseAmount("--granted", o.granted);
        if (!granted.ok()) return granted.status();
        auto d = b.body().initDecide();
        d.setApplicationId(o.application);
        d.setGrantedOre(granted->ore());
        d.setReason(o.reason);
        d.setCaseNumber(o.case_number);
        d.setOverride(o.override_text);
        return Status::Ok();
      },
      [](const DecideOptions& o) { return o.reason; });

  AddWriter<MoneyOptions>(
      &app, ctx, action, "pay", "The office pays out (part of) a grant", true, false,
      [](CLI::App* c, MoneyOptions* o) {
        c->add_option("--grant", o->grant, "Application id of the grant")->required();
        c->add_option("--amount", o->amount, "Kronor")->required();
        c->add_option("--voucher", o->voucher, "Voucher reference");
      },
      [](const MoneyOptions& o, EventBuilder& b) -> Status {
        auto amount = ParseAmount("--amount", o.amount);
        if (!amount.ok()) return amount.status();
        auto p = b.body().initPay();
        p.setApplicationId(o.grant);
        p.setAmountOre(amount->ore());
        p.setVoucher(o.voucher);
        return Status::Ok();
      });

  auto* report =
      app.add_subcommand("report", "Reports on finances and execution")->require_subcommand(1);
  AddWriter<ReportSubmitOptions>(
      report, ctx, action, "submit", "A unit submits its report", true, false,
      [](CLI::App* c, ReportSubmitOptions* o) {
        c->add_option("--grant", o->grant, "Application id of the grant")->required();
        c->add_option("--spent", o->spent, "Kronor spent")->required();
        c->add_option("--document", o->document, "Report file: its SHA-256 is recorded");
      },
      [](const ReportSubmitOptions& o, EventBuilder& b) -> Status {
        auto spent = ParseAmount("--spent", o.spent);
        if (!spent.ok()) return spent.status();
        auto r = b.body().initReportSubmit();
        r.setApplicationId(o.grant);
        r.setSpentOre(spent->ore());
        if (!o.document.empty()) {
          std::ifstream in(o.document, std::ios::binary);
          if (!in) return Status::InvalidArgument("cannot read --document " + o.document);
          std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
          const Hash256 h = Sha256(content);
          r.setDocumentSha256(kj::arrayPtr(h.data(), h.size()));
          const size_t slash = o.document.find_last_of('/');
          r.setDocumentName(slash == std::string::npos ? o.document : o.document.substr(slash + 1));
        }
        return Status::Ok();
      });
  AddWriter<ReportReviewOptions>(
      report, ctx, action, "review", "The office approves or returns a report", true, true,
      [](CLI::App* c, ReportReviewOptions* o) {
        c->add_option("--grant", o->grant, "Application id of the grant")->required();
        auto* approve = c->add_flag("--approve", o->approve, "Approve the report");
        auto* ret = c->add_flag("--return", o->return_it, "Return it for completion");
        approve->excludes(ret);
        c->add_option("--reason", o->reason, "Why (required when returning)");
      },
      [](const ReportReviewOptions& o, EventBuilder& b) -> Status {
        if (o.approve == o.return_it) {
          return Status::InvalidArgument("say --approve or --return");
        }
        auto r = b.body().initReportReview();
        r.setApplicationId(o.grant);
        r.setApproved(o.approve);
        r.setReason(o.reason);
        return Status::Ok();
      },
      [](const ReportReviewOptions& o) { return o.reason; });

  auto* repay = app.add_subcommand("repay", "Repayments of unused funds")->require_subcommand(1);
  AddWriter<MoneyOptions>(
      repay, ctx, action, "notice", "A unit gives notice of a repayment", true, false,
      [](CLI::App* c, MoneyOptions* o) {
        c->add_option("--grant", o->grant, "Application id of the grant")->required();
        c->add_option("--amount", o->amount, "Kronor to repay")->required();
      },
      [](const MoneyOptions& o, EventBuilder& b) -> Status {
        auto amount = ParseAmount("--amount", o.amount);
        if (!amount.ok()) return amount.status();
        auto r = b.body().initRepayNotice();
        r.setApplicationId(o.grant);
        r.setAmountOre(amount->ore());
        return Status::Ok();
      });
  AddWriter<MoneyOptions>(
      repay, ctx, action, "receive", "The office records money repaid", true, false,
      [](CLI::App* c, MoneyOptions* o) {
        c->add_option("--grant", o->grant, "Application id of the grant")->required();
        c->add_option("--amount", o->amount, "Kronor received")->required();
        c->add_option("--voucher", o->voucher, "Voucher reference");
      },
      [](const MoneyOptions& o, EventBuilder& b) -> Status {
        auto amount = ParseAmount("--amount", o.amount);
        if (!amount.ok()) return amount.status();
        auto r = b.body().initRepayReceive();
        r.setApplicationId(o.grant);
        r.setAmountOre(amount->ore());
        r.setVoucher(o.voucher);
        return Status::Ok();
      });

  {
    auto* cmd = app.add_subcommand("void", "Cancel an entry (a new entry; nothing is deleted)");
    auto o = std::make_shared<VoidOptions>();
    auto date = std::make_shared<std::string>();
    cmd->add_option("--seq", o->seq, "The entry to cancel")->required();
    cmd->add_option("--reason", o->reason, "Why")->required();
    cmd->add_option("--date", *date, "Effective date (default today)");
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        auto d = ParseDateOrToday(ctx, "--date", *date);
        if (!d.ok()) return Fail(d.status());
        EventBuilder b(*d);
        auto v = b.body().initVoidEntry();
        v.setSeq(o->seq);
        v.setReason(o->reason);
        return SignAndAppend(ctx, b);
      };
    });
  }
}

}  // namespace fouledger::cli
