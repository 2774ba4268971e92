// `fouledger import` (applications and decisions from a table) and `fouledger demo` (a fresh
// ledger built from the seeds' real 2021 and 2022 decisions, then a clearly labelled illustrative
// follow-up, then the views people ask for).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "context.h"
#include "import.h"
#include "queries.h"

#ifndef FOULEDGER_DATA_DIR
#define FOULEDGER_DATA_DIR "data/seeds"
#endif

namespace fouledger::cli {
namespace {

namespace fs = std::filesystem;

// Unit keys as DIR/<unit-id>.key, loaded on first use.
class UnitKeyDirectory {
 public:
  explicit UnitKeyDirectory(std::string dir) : dir_(std::move(dir)) {}
  const SigningKey* Find(const std::string& unit) {
    auto it = keys_.find(unit);
    if (it != keys_.end()) return &it->second;
    auto key = SigningKey::LoadPem((fs::path(dir_) / (unit + ".key")).string());
    if (!key.ok()) return nullptr;
    return &keys_.emplace(unit, std::move(key).value()).first->second;
  }

 private:
  std::string dir_;
  std::map<std::string, SigningKey> keys_;
};

int Import(const Context& ctx, const std::string& file, const std::string& unit_key_dir) {
  auto board = LoadSigner(ctx);
  if (!board.ok()) return Fail(board.status());
  const std::string dir =
      unit_key_dir.empty() ? fs::path(ctx.signer_path).parent_path().string() : unit_key_dir;
  UnitKeyDirectory unit_keys(dir.empty() ? "." : dir);
  auto events =
      ReadApplications(file, *board, [&](const std::string& u) { return unit_keys.Find(u); });
  if (!events.ok()) return Fail(events.status());
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const uint64_t first = opened->ledger->size();
  if (Status s = AppendAllOrNothing(*opened->ledger, *events); !s.ok()) return Fail(s);
  size_t applications = 0;
  for (const auto& e : *events) applications += e.what.rfind("apply ", 0) == 0;
  std::cout << "imported " << applications << " applications and " << events->size() - applications
            << " decisions from " << file << " as entries " << first << ".."
            << opened->ledger->size() - 1 << "\n";
  return kExitOk;
}

// ---- The demo --------------------------------------------------------------------------------

class Demo {
 public:
  Demo(const Context& ctx, std::string data) : ctx_(ctx), data_(std::move(data)) {}

  int Run() {
    const auto started = std::chrono::steady_clock::now();
    if (Status s = Build(); !s.ok()) return Fail(s.WithContext("demo"));
    ledger_.reset();  // the views below open the ledger afresh, as any user would
    rules_.reset();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "\nThe demo ledger holds " << entries_ << " signed entries (built in "
              << static_cast<int>(seconds * 1000) << " ms).\n";
    return Show();
  }

 private:
  void Step(const std::string& what) { std::cout << "  " << what << std::flush; }
  void Done(size_t n) { std::cout << " ... " << n << " entries\n"; }

  Status Append(const std::vector<ImportedEvent>& events) {
    FOULEDGER_RETURN_IF_ERROR(AppendAllOrNothing(*ledger_, events));
    entries_ = ledger_->size();
    Done(events.size());
    return Status::Ok();
  }

  // One illustrative event, signed by `key`.
  template <typename Fill>
  Status One(std::vector<ImportedEvent>* out, const SigningKey& key, const char* date,
             const std::string& what, Fill fill) {
    EventBuilder b(Date::Parse(date).value());
    fill(b);
    auto e = b.Sign(key);
    if (!e.ok()) return e.status().WithContext(what);
    out->push_back({std::move(e).value(), 0, what});
    return Status::Ok();
  }
  Status Pay(std::vector<ImportedEvent>* out, const std::string& app, int64_t kronor,
             const char* date) {
    return One(out, Key("office"), date, "pay " + app, [&](EventBuilder& b) {
      auto p = b.body().initPay();
      p.setApplicationId(app);
      p.setAmountOre(Money::FromKronor(kronor).ore());
      p.setVoucher("DEMO-" + app);
    });
  }
  Status Report(std::vector<ImportedEvent>* out, const std::string& app, const std::string& unit,
                int64_t spent, const char* date) {
    return One(out, Key(unit), date, "report " + app, [&](EventBuilder& b) {
      auto r = b.body().initReportSubmit();
      r.setApplicationId(app);
      r.setSpentOre(Money::FromKronor(spent).ore());
      const Hash256 doc = Sha256("Demo: slutrapport för " + app);
      r.setDocumentSha256(kj::arrayPtr(doc.data(), doc.size()));
      r.setDocumentName("slutrapport-" + app + ".pdf");
    });
  }
  Status Review(std::vector<ImportedEvent>* out, const std::string& app, bool approve,
                const char* date, const std::string& reason = "") {
    return One(out, Key("office"), date, "review " + app, [&](EventBuilder& b) {
      auto r = b.body().initReportReview();
      r.setApplicationId(app);
      r.setApproved(approve);
      r.setReason(reason);
    });
  }
  Status Notice(std::vector<ImportedEvent>* out, const std::string& app, const std::string& unit,
                int64_t kronor, const char* date) {
    return One(out, Key(unit), date, "notice " + app, [&](EventBuilder& b) {
      auto r = b.body().initRepayNotice();
      r.setApplicationId(app);
      r.setAmountOre(Money::FromKronor(kronor).ore());
    });
  }
  Status Receive(std::vector<ImportedEvent>* out, const std::string& app, int64_t kronor,
                 const char* date) {
    return One(out, Key("office"), date, "receive " + app, [&](EventBuilder& b) {
      auto r = b.body().initRepayReceive();
      r.setApplicationId(app);
      r.setAmountOre(Money::FromKronor(kronor).ore());
      r.setVoucher("DEMO-RETUR-" + app);
    });
  }

  const SigningKey& Key(const std::string& name) { return keys_.at(name); }

  Status MakeKey(const std::string& name) {
    auto key = SigningKey::Generate();
    if (!key.ok()) return key.status();
    FOULEDGER_RETURN_IF_ERROR(key->SavePem((fs::path(key_dir_) / (name + ".key")).string()));
    FOULEDGER_RETURN_IF_ERROR(
        SavePublicKeyPem(key->public_key(), (fs::path(key_dir_) / (name + ".key.pub")).string()));
    keys_.emplace(name, std::move(key).value());
    return Status::Ok();
  }

  std::string Data(const char* file) const { return (fs::path(data_) / file).string(); }

  Status Build() {
    if (fs::exists(fs::path(ctx_.ledger_path) / "db")) {
      return Status::Refused("a ledger already exists in " + ctx_.ledger_path +
                             "; the demo builds a fresh one (remove it or name another --ledger)");
    }
    std::cout << "fouledger demo: Stockholm's FoU grant funds (LUM and MUL), from the case "
                 "documents\n\n1. A fresh ledger in "
              << ctx_.ledger_path << "\n";
    key_dir_ = (fs::path(ctx_.ledger_path) / "keys").string();
    fs::create_directories(key_dir_);
    fs::permissions(key_dir_, fs::perms::owner_all);
    for (const char* k : {"admin", "board", "office", "controller", "auditor"}) {
      FOULEDGER_RETURN_IF_ERROR(MakeKey(k));
    }
    rules_ = MakeDomainRules();
    LedgerOptions options;
    options.path = ctx_.ledger_path;
    options.clock = ctx_.clock;
    options.validator = rules_.get();
    auto ledger =
        Ledger::Create(options, "demo.fouledger/stockholm-sof", Key("admin").public_key());
    if (!ledger.ok()) return ledger.status();
    ledger_ = std::move(ledger).value();

    Step("units from data/seeds/units.csv");
    auto units = ReadUnits(Data("units.csv"), Key("admin"));
    if (!units.ok()) return units.status();
    FOULEDGER_RETURN_IF_ERROR(Append(*units));

    Step("keys: board, office, controller, auditor and one per unit");
    std::vector<ImportedEvent> enrolments;
    auto enroll = [&](const std::string& name, schema::Role role, const std::string& unit) {
      return One(&enrolments, Key("admin"), "2020-01-01", "enroll " + name, [&](EventBuilder& b) {
        auto k = b.body().initKeyEnroll();
        const auto& pk = Key(name).public_key();
        k.setPublicKey(kj::arrayPtr(pk.data(), pk.size()));
        k.setRole(role);
        if (!unit.empty()) k.initUnits(1).set(0, unit);
        k.setHolder("demo key: " + name);
      });
    };
    FOULEDGER_RETURN_IF_ERROR(enroll("board", schema::Role::BOARD, ""));
    FOULEDGER_RETURN_IF_ERROR(enroll("office", schema::Role::OFFICE, ""));
    FOULEDGER_RETURN_IF_ERROR(enroll("controller", schema::Role::CONTROLLER, ""));
    FOULEDGER_RETURN_IF_ERROR(enroll("auditor", schema::Role::AUDITOR, ""));
    for (const auto& u : *units) {
      const std::string id = u.what.substr(5);  // "unit <id>"
      FOULEDGER_RETURN_IF_ERROR(MakeKey(id));
      FOULEDGER_RETURN_IF_ERROR(enroll(id, schema::Role::UNIT, id));
    }
    FOULEDGER_RETURN_IF_ERROR(Append(enrolments));

    Step("year rules 2020-2022 from data/seeds/rules.csv");
    auto rules = ReadRules(Data("rules.csv"), Key("board"));
    if (!rules.ok()) return rules.status();
    FOULEDGER_RETURN_IF_ERROR(Append(*rules));

    std::cout << "\n2. ILLUSTRATIVE 2020: seed 000 names Hässelby-Vällingby's project as funded in "
                 "2020 and reported in 2021, but gives no amounts; 500 000 kr is made up\n";
    Step("2020 appropriation, application, grant, payout, approved report");
    {
      std::vector<ImportedEvent> e;
      const std::string app = "2020-LUM-01";
      FOULEDGER_RETURN_IF_ERROR(
          One(&e, Key("board"), "2019-12-17", "appropriate 2020", [](EventBuilder& b) {
            auto a = b.body().initAppropriate();
            a.setYear(2020);
            a.setProgramme(schema::Programme::LUM);
            a.setAmountOre(Money::FromKronor(500000).ore());
            a.setCaseNumber("ILLUSTRATIVE");
          }));
      FOULEDGER_RETURN_IF_ERROR(
          One(&e, Key("hasselby-vallingby"), "2019-09-20", "apply " + app, [&](EventBuilder& b) {
            auto a = b.body().initApply();
            a.setApplicationId(app);
            a.setYear(2020);
            a.setProgramme(schema::Programme::LUM);
            a.initUnits(1).set(0, "hasselby-vallingby");
            a.setProjectId("hasselby-vallingby-systematiskt-forandringsarbete");
            a.setTitle(
                "Ett systematiskt, skyndsamt och tryggt förändringsarbete för en modern och "
                "hållbar "
                "socialtjänst");
            a.setAmountOre(Money::FromKronor(500000).ore());
          }));
      FOULEDGER_RETURN_IF_ERROR(
          One(&e, Key("board"), "2019-12-17", "decide " + app, [&](EventBuilder& b) {
            auto d = b.body().initDecide();
            d.setApplicationId(app);
            d.setGrantedOre(Money::FromKronor(500000).ore());
            d.setReason(
                "Illustrativt: beviljas (beloppet finns inte i "
                "underlaget).");
          }));
      FOULEDGER_RETURN_IF_ERROR(Pay(&e, app, 500000, "2020-02-14"));
      FOULEDGER_RETURN_IF_ERROR(Report(&e, app, "hasselby-vallingby", 500000, "2021-03-31"));
      FOULEDGER_RETURN_IF_ERROR(Review(&e, app, true, "2021-05-20"));
      FOULEDGER_RETURN_IF_ERROR(Append(e));
    }

    std::cout << "\n3. REAL 2021 and 2022 decisions (seeds 002 and 001)\n";
    Step("appropriations from data/seeds/appropriations.csv");
    auto appropriations = ReadAppropriations(Data("appropriations.csv"), Key("board"));
    if (!appropriations.ok()) return appropriations.status();
    FOULEDGER_RETURN_IF_ERROR(Append(*appropriations));
    UnitKeyDirectory unit_keys(key_dir_);
    auto finder = [&](const std::string& u) { return unit_keys.Find(u); };
    Step("2021: every application in bilaga 1 and 2, and the board's decisions");
    auto y2021 = ReadApplications(Data("applications-2021.csv"), Key("board"), finder);
    if (!y2021.ok()) return y2021.status();
    FOULEDGER_RETURN_IF_ERROR(Append(*y2021));

    std::cout << "\n4. ILLUSTRATIVE 2021 follow-up (made up to show the ledger at work)\n";
    Step("payouts of every 2021 grant (one typed wrong)");
    {
      std::vector<ImportedEvent> e;
      // Every 2021 grant paid in full on 15 February, except one typed wrong and corrected below.
      auto state = rules_->At({Date::Parse("2021-12-31").value(), ctx_.clock()});
      std::vector<std::pair<std::string, int64_t>> grants;
      for (const auto& g : state.grants) {
        if (g.year == 2021 && g.granted.ore() > 0)
          grants.emplace_back(g.application_id, g.granted.ore() / 100);
      }
      for (const auto& [app, kronor] : grants) {
        FOULEDGER_RETURN_IF_ERROR(
            Pay(&e, app, app == "2021-LUM-02" ? kronor / 10 : kronor, "2021-02-15"));
      }
      FOULEDGER_RETURN_IF_ERROR(Append(e));
    }
    Step(
        "its correction, covid-cancelled trips repaid (one notice late, one not received), "
        "reports (one returned)");
    {
      // The office typed 50 000 for Farsta's 500 000: a correction replaces that entry (it is not
      // edited; both stay in the ledger).
      uint64_t wrong_seq = 0;
      Status found = ledger_->ForEachEntry(0, ledger_->size(), [&](const DecodedEntry& entry) {
        if (entry.kind() == schema::Event::Body::PAY &&
            ApplicationIdOf(entry.reader()) == "2021-LUM-02") {
          wrong_seq = entry.seq();
        }
        return Status::Ok();
      });
      FOULEDGER_RETURN_IF_ERROR(found);
      std::vector<ImportedEvent> e;
      FOULEDGER_RETURN_IF_ERROR(
          One(&e, Key("office"), "2021-02-15", "correct pay 2021-LUM-02", [&](EventBuilder& b) {
            auto p = b.body().initPay();
            p.setApplicationId("2021-LUM-02");
            p.setAmountOre(Money::FromKronor(500000).ore());
            p.setVoucher("DEMO-2021-LUM-02");
            b.Corrects(wrong_seq,
                       "Fel belopp inskrivet: 50 000 i stället "
                       "för 500 000 kr.");
          }));
      // Study trips cancelled by covid-19: notices and repayments.
      FOULEDGER_RETURN_IF_ERROR(Notice(&e, "2021-MUL-02", "farsta", 25000, "2021-05-20"));
      FOULEDGER_RETURN_IF_ERROR(Receive(&e, "2021-MUL-02", 25000, "2021-06-15"));
      FOULEDGER_RETURN_IF_ERROR(
          Notice(&e, "2021-MUL-05", "enskede-arsta-vantor", 25000, "2021-08-30"));
      FOULEDGER_RETURN_IF_ERROR(Receive(&e, "2021-MUL-05", 25000, "2021-09-20"));
      FOULEDGER_RETURN_IF_ERROR(Notice(&e, "2021-MUL-06", "sof", 25000, "2021-06-01"));
      // RådRum will not use 50 000 kr; notice on time, money back in October.
      FOULEDGER_RETURN_IF_ERROR(
          Notice(&e, "2021-LUM-04", "hasselby-vallingby", 50000, "2021-06-04"));
      FOULEDGER_RETURN_IF_ERROR(Receive(&e, "2021-LUM-04", 50000, "2021-10-01"));
      // Reports on the 2021 projects and trips that went ahead.
      auto state = rules_->At({Date::Parse("2021-12-31").value(), ctx_.clock()});
      for (const auto& g : state.grants) {
        if (g.year != 2021 || g.granted.ore() == 0) continue;
        if (g.application_id == "2021-MUL-02" || g.application_id == "2021-MUL-05" ||
            g.application_id == "2021-MUL-06") {
          continue;  // cancelled trips: repaid, nothing to report
        }
        const int64_t spent =
            g.granted.ore() / 100 - (g.application_id == "2021-LUM-04" ? 50000 : 0);
        FOULEDGER_RETURN_IF_ERROR(
            Report(&e, g.application_id, g.units.front(), spent, "2022-02-28"));
        const bool returned = g.project_id == "spanga-tensta-djarva-initiativ";
        FOULEDGER_RETURN_IF_ERROR(
            Review(&e, g.application_id, !returned, "2022-03-15",
                   returned ? "Ekonomisk redovisning saknas; komplettera." : ""));
      }
      FOULEDGER_RETURN_IF_ERROR(Append(e));
    }

    Step("2022: the board's grants (seed 001)");
    auto y2022 = ReadApplications(Data("applications-2022.csv"), Key("board"), finder);
    if (!y2022.ok()) return y2022.status();
    FOULEDGER_RETURN_IF_ERROR(Append(*y2022));

    std::cout << "\n5. ILLUSTRATIVE 2022 follow-up\n";
    Step("payouts; one trip cancelled with notice after the 2022-06-06 deadline, not yet repaid");
    {
      std::vector<ImportedEvent> e;
      auto state = rules_->At({Date::Parse("2022-12-31").value(), ctx_.clock()});
      for (const auto& g : state.grants) {
        if (g.year == 2022 && g.granted.ore() > 0) {
          FOULEDGER_RETURN_IF_ERROR(Pay(&e, g.application_id, g.granted.ore() / 100, "2022-02-15"));
        }
      }
      // The first 2022 trip is cancelled; its unit gives notice after the deadline.
      for (const auto& g : state.grants) {
        if (g.year == 2022 && g.programme == projections::Programme::kMul && g.granted.ore() > 0) {
          FOULEDGER_RETURN_IF_ERROR(
              Notice(&e, g.application_id, g.units.front(), g.granted.ore() / 100, "2022-08-15"));
          break;
        }
      }
      FOULEDGER_RETURN_IF_ERROR(Append(e));
    }
    return Status::Ok();
  }

  int Show() {
    QueryOptions q;
    const auto text = OutputFormat::kText;
    auto section = [](const std::string& title) { std::cout << "\n=== " << title << " ===\n"; };
    int rc = kExitOk;
    section("The 2021 budget today (seed 002: LUM 3 000 000 kr and MUL 110 000 kr granted)");
    rc = std::max(rc, PrintBudget(ctx_, q, text, 2021));
    section("The 2021 budget on 2021-06-07, the repayment notice deadline");
    QueryOptions june = q;
    june.as_of = "2021-06-07";
    rc = std::max(rc, PrintBudget(ctx_, june, text, 2021));
    section("The 2022 budget today (seed 001: LUM 3 705 000 kr and MUL 298 030 kr granted)");
    rc = std::max(rc, PrintBudget(ctx_, q, text, 2022));
    section("Eligibility for funding year 2022");
    rc = std::max(rc, PrintEligibility(ctx_, q, text, 2022));
    section("Repayments of 2021 funds");
    rc = std::max(rc, PrintRepayments(ctx_, q, text, 2021, false));
    section(
        "Skarpnäck's 'Familjeorienterat arbetssätt': the reason says partly, the figure says in "
        "full");
    rc = std::max(rc, PrintGrant(ctx_, q, text, "2021-LUM-08"));
    std::cout << "\nTry next (FOULEDGER_LEDGER=" << ctx_.ledger_path << "):\n"
              << "  build/bin/fouledger --ledger " << ctx_.ledger_path << " verify\n"
              << "  build/bin/fouledger --ledger " << ctx_.ledger_path
              << " budget --year 2021 --as-of 2021-06-07 --csv > budget.csv\n"
              << "  build/bin/fouledger --ledger " << ctx_.ledger_path
              << " repayments --year 2021 --overdue\n"
              << "  build/bin/fouledger --ledger " << ctx_.ledger_path << " log | less\n"
              << "Keys for every role are in " << key_dir_ << "/.\n";
    return rc;
  }

  const Context& ctx_;
  std::string data_;
  std::string key_dir_;
  std::map<std::string, SigningKey> keys_;
  std::unique_ptr<projections::Engine> rules_;
  std::unique_ptr<Ledger> ledger_;
  uint64_t entries_ = 0;
};

}  // namespace

void RegisterImportCommands(CLI::App& app, Context& ctx, Action* action) {
  {
    auto* cmd = app.add_subcommand(
        "import", "Applications and decisions from a table (all or nothing; docs/cli.md)");
    auto file = std::make_shared<std::string>();
    auto unit_keys = std::make_shared<std::string>();
    cmd->add_option("FILE", *file, "Semicolon CSV as in data/seeds/applications-2021.csv")
        ->required();
    cmd->add_option("--unit-keys", *unit_keys,
                    "Directory of unit keys <unit-id>.key that sign the applications "
                    "(default: the --signer key's directory)");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Import(ctx, *file, *unit_keys); }; });
  }
  {
    auto* cmd = app.add_subcommand("demo", "Build a demo ledger from the seeds' real data");
    auto data = std::make_shared<std::string>(FOULEDGER_DATA_DIR);
    cmd->add_option("--data", *data, "Directory of the seed tables");
    cmd->callback([=, &ctx] {
      *action = [=, &ctx]() -> int {
        Context demo_ctx = ctx;
        if (demo_ctx.ledger_path.empty()) demo_ctx.ledger_path = "demo-ledger";
        return Demo(demo_ctx, *data).Run();
      };
    });
  }
}

}  // namespace fouledger::cli
