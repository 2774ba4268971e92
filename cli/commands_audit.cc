// The auditor's and controller's commands: trace, export, audit since, anomalies. The views come
// from projections/audit.h and the proofs from ledger/; this file only reads, proves and formats.
// docs/audit.md walks through them.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "context.h"
#include "export.h"
#include "format.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "projections/audit.h"

namespace fouledger::cli {
namespace {

using nlohmann::json;

constexpr size_t kCheckpointFileBytesMax = 64 * 1024;  // a signed note is a few hundred bytes

projections::Records AllRecords(const OpenLedger& opened) {
  projections::Records records;
  const uint64_t n = opened.ledger->size();
  records.reserve(n);
  for (uint64_t seq = 0; seq < n; ++seq) {
    if (const auto* r = opened.rules->FindRecord(seq)) records.push_back(r);
  }
  return records;
}

capnp::Data::Reader DataOf(const Hash256& h) { return capnp::Data::Reader(h.data(), h.size()); }

json BalancesJson(const projections::Balances& b) {
  return {{"granted", b.granted.ToDecimal()},
          {"paid", b.paid.ToDecimal()},
          {"spent", b.spent.ToDecimal()},
          {"noticed", b.noticed.ToDecimal()},
          {"repaid", b.repaid.ToDecimal()}};
}

std::string BalancesText(const projections::Balances& b) {
  return "granted " + b.granted.ToSwedish() + " · paid " + b.paid.ToSwedish() + " · spent " +
         b.spent.ToSwedish() + " · noticed " + b.noticed.ToSwedish() + " · repaid " +
         b.repaid.ToSwedish();
}

// --- trace ---------------------------------------------------------------------------------

int Trace(const Context& ctx, const std::string& id, bool as_json) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const Ledger& ledger = *opened->ledger;
  const auto records = AllRecords(*opened);
  auto cp = ledger.LatestCheckpoint();
  if (!cp.ok()) return Fail(cp.status());

  std::vector<std::string> apps;
  if (projections::TraceApplication(records, id).ok()) {
    apps.push_back(id);
  } else {
    apps = projections::ApplicationsOfProject(records, id);
  }
  if (apps.empty()) {
    return Fail(Status::NotFound("no application or project '" + id + "' in the ledger"));
  }

  json out = {
      {"checkpoint", {{"size", cp->size}, {"root", Base64Encode(cp->root)}, {"note", cp->note}}},
      {"traces", json::array()}};
  bool all_proofs_hold = true;
  if (!as_json) {
    std::cout << "Against the signed checkpoint of size " << cp->size << ", root "
              << Base64Encode(cp->root) << "\n";
  }
  for (const auto& app : apps) {
    auto trace = projections::TraceApplication(records, app);
    if (!trace.ok()) return Fail(trace.status());
    json t = {{"application", trace->application_id},
              {"year", trace->year},
              {"programme", projections::ProgrammeName(trace->programme)},
              {"project", trace->project_id},
              {"title", trace->title},
              {"steps", json::array()}};
    if (!as_json) {
      std::cout << "\n"
                << trace->application_id << "  " << projections::ProgrammeName(trace->programme)
                << " " << trace->year << "  project " << trace->project_id << ": " << trace->title
                << "\n";
    }
    for (const auto& step : trace->steps) {
      const projections::Record& r = step.record;
      auto bytes = ledger.ReadEntryBytes(r.seq);
      if (!bytes.ok()) return Fail(bytes.status());
      const Hash256 leaf = LeafHash(*bytes);
      auto proof = ledger.InclusionProof(r.seq, cp->size);
      if (!proof.ok()) return Fail(proof.status());
      const Status holds = VerifyInclusion(leaf, r.seq, cp->size, *proof, cp->root);
      all_proofs_hold &= holds.ok();
      const std::string role = DescribeAuthor(ledger.authority(), DataOf(r.author_key_id));
      if (as_json) {
        json s = {{"seq", r.seq},
                  {"kind", projections::KindName(r.kind())},
                  {"effectiveDate", r.effective.ToString()},
                  {"recordedAt", r.recorded_at.ToString()},
                  {"author", ToHex(r.author_key_id)},
                  {"authorRole", role},
                  {"amount", r.amount().ToDecimal()},
                  {"summary", projections::SummarizeRecord(r)},
                  {"balances", BalancesJson(step.after)},
                  {"proof", json::parse(InclusionProofToJson(
                                {r.seq, cp->size, cp->root, leaf, *proof}, std::string()))},
                  {"entry", Base64Encode(*bytes)},  // leafHash = SHA-256(0x00 || entry)
                  {"proofOk", holds.ok()}};
        if (r.corrects) {
          s["corrects"] = *r.corrects;
          s["correctionReason"] = r.correction_reason;
        }
        if (step.superseded_by) {
          s["supersededBy"] = *step.superseded_by;
          s["voided"] = step.voided;
        }
        if (!holds.ok()) s["proofProblem"] = holds.message();
        t["steps"].push_back(std::move(s));
        continue;
      }
      std::cout << "  #" << r.seq << "  " << r.effective.ToString() << "  recorded "
                << r.recorded_at.ToString().substr(0, 19) << "Z  by " << role << " "
                << ShortKeyId(r.author_key_id) << "\n"
                << "      " << projections::SummarizeRecord(r);
      if (r.corrects)
        std::cout << " [corrects #" << *r.corrects << ": " << r.correction_reason << "]";
      if (step.superseded_by) {
        std::cout << (step.voided ? " [VOIDED by #" : " [REPLACED by #") << *step.superseded_by
                  << "]";
      }
      std::cout << "\n      " << BalancesText(step.after) << "\n      "
                << (holds.ok() ? "proof ok" : "PROOF DOES NOT HOLD: " + holds.message()) << " ("
                << proof->size() << " hashes to the root of " << cp->size << ")\n";
    }
    t["balances"] = BalancesJson(trace->balances);
    if (!as_json) std::cout << "  now: " << BalancesText(trace->balances) << "\n";
    out["traces"].push_back(std::move(t));
  }
  if (as_json) std::cout << out.dump(2) << "\n";
  if (!all_proofs_hold) {
    std::cerr << "integrity failure: an inclusion proof does not hold against the checkpoint\n";
    return kExitIntegrity;
  }
  return kExitOk;
}

// --- export --------------------------------------------------------------------------------

int Export(const Context& ctx, const std::string& out, std::optional<int> year) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto summary = ExportBundle(*opened->ledger, *opened->rules, {out, year});
  if (!summary.ok()) return Fail(summary.status());
  std::cout << "wrote " << summary->entries << " entries"
            << (year ? " about funding year " + std::to_string(*year) : std::string()) << ", "
            << summary->keys << " public keys and inclusion proofs against the checkpoint of size "
            << summary->tree_size << " to " << out << "\n"
            << "check it anywhere with: sh " << out << "/verify.sh\n";
  return kExitOk;
}

// --- audit since ---------------------------------------------------------------------------

int AuditSince(const Context& ctx, const std::string& file, bool as_json) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(Status::InvalidArgument("cannot read " + file));
  std::string note(kCheckpointFileBytesMax + 1, '\0');
  in.read(note.data(), static_cast<std::streamsize>(note.size()));
  note.resize(static_cast<size_t>(in.gcount()));
  if (note.size() > kCheckpointFileBytesMax) {
    return Fail(Status::InvalidArgument(file + " is larger than 64 KiB; not a checkpoint"));
  }
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  const Ledger& ledger = *opened->ledger;
  const Authority& authority = ledger.authority();
  auto saved = ParseCheckpoint(note, authority.checkpoint_public_key(), authority.ledger_name());
  if (!saved.ok()) {
    std::cerr << "integrity failure: " << file << " is not a checkpoint signed by this ledger's "
              << "checkpoint key " << ShortKeyId(KeyIdOf(authority.checkpoint_public_key()))
              << " for '" << authority.ledger_name() << "': " << saved.status().message() << "\n";
    return kExitIntegrity;
  }
  auto now = ledger.LatestCheckpoint();
  if (!now.ok()) return Fail(now.status());
  if (saved->size > now->size) {
    std::cerr << "integrity failure: the saved checkpoint covers " << saved->size
              << " entries but the ledger now has " << now->size
              << ": entries were removed, or this is another ledger\n";
    return kExitIntegrity;
  }
  auto proof = ledger.ConsistencyProof(saved->size, now->size);
  if (!proof.ok()) return Fail(proof.status());
  const Status holds = VerifyConsistency(saved->size, now->size, *proof, saved->root, now->root);
  if (!holds.ok()) {
    auto then_root = ledger.RootAt(saved->size);
    std::cerr << "integrity failure: the ledger does not extend the saved checkpoint of size "
              << saved->size << " (root " << Base64Encode(saved->root) << "): " << holds.message();
    if (then_root.ok() && *then_root != saved->root) {
      std::cerr << "; its first " << saved->size << " entries now have root "
                << Base64Encode(*then_root) << ", so at least one of them was changed";
    }
    std::cerr << "\n";
    return kExitIntegrity;
  }
  json appended = json::array();
  std::ostringstream lines;
  Status s = ledger.ForEachEntry(saved->size, now->size, [&](const DecodedEntry& e) {
    const std::string role = DescribeAuthor(authority, e.reader().getAuthorKeyId());
    if (as_json) {
      appended.push_back({{"seq", e.seq()},
                          {"recordedAt", e.recorded_at().ToString()},
                          {"effectiveDate", e.effective_date().ToString()},
                          {"kind", EventKindName(e.kind())},
                          {"author", ToHex(e.reader().getAuthorKeyId().begin(),
                                           e.reader().getAuthorKeyId().size())},
                          {"authorRole", role},
                          {"summary", SummarizeEvent(e.reader())}});
    } else {
      lines << "  #" << e.seq() << "  " << e.recorded_at().ToString().substr(0, 19) << "Z  "
            << e.effective_date().ToString() << "  " << role << " "
            << ShortKeyId(e.reader().getAuthorKeyId()) << "  " << SummarizeEvent(e.reader())
            << "\n";
    }
    return Status::Ok();
  });
  if (!s.ok()) return Fail(s);
  if (as_json) {
    json j = json::parse(
        ConsistencyProofToJson({saved->size, now->size, saved->root, now->root, *proof}));
    j["consistent"] = true;
    j["checkpoint"] = now->note;
    j["appended"] = std::move(appended);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "consistent: the ledger only grew. The saved checkpoint (size " << saved->size
            << ", root " << Base64Encode(saved->root) << ") is a prefix of the ledger now (size "
            << now->size << ", root " << Base64Encode(now->root) << "); consistency proof of "
            << proof->size() << " hashes verified.\n"
            << (now->size - saved->size) << (now->size - saved->size == 1 ? " entry" : " entries")
            << " appended since" << (now->size == saved->size ? "." : ":") << "\n"
            << lines.str();
  return kExitOk;
}

// --- anomalies -----------------------------------------------------------------------------

const char* Heading(const std::string& kind) {
  if (kind == "override") return "Board overrides of rules";
  if (kind == "reason-vs-amount") return "Decision reasons that contradict the amount granted";
  if (kind == "no-report") return "Paid, funding year ended, no report";
  if (kind == "report-returned") return "Reports returned and never resubmitted";
  if (kind == "notice-late") return "Repayment notices after the year's deadline";
  if (kind == "noticed-not-received") return "Repayments noticed but not received";
  if (kind == "correction") return "Corrections: which entry replaced which";
  if (kind == "void") return "Voided entries";
  if (kind == "revoked-key-used") {
    return "Keys used after revocation (refusals.log: a lead, not tamper-evident)";
  }
  if (kind == "refused") return "Other refused appends (refusals.log: a lead, not tamper-evident)";
  if (kind == "fold") return "Entries the projections could not apply";
  return "Other";
}

int Anomalies(const Context& ctx, int year, bool as_json) {
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto refusals = ReadRefusalLog(ctx.ledger_path);
  if (!refusals.ok()) return Fail(refusals.status());
  const Instant now = ctx.clock();
  const projections::State state = opened->rules->At({now.ToDate(), now});
  const auto findings = projections::FindAnomalies(state, AllRecords(*opened), *refusals, year);
  if (as_json) {
    json out = json::array();
    for (const auto& f : findings) {
      out.push_back({{"kind", f.kind},
                     {"application", f.application_id},
                     {"year", f.year},
                     {"entries", f.seqs},
                     {"message", f.message}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "What an auditor should look at"
            << (year ? " in funding year " + std::to_string(year) : std::string()) << ", as of "
            << now.ToDate().ToString() << ": " << findings.size() << " finding(s)\n";
  static const char* kKinds[] = {"override",
                                 "reason-vs-amount",
                                 "no-report",
                                 "report-returned",
                                 "notice-late",
                                 "noticed-not-received",
                                 "correction",
                                 "void",
                                 "revoked-key-used",
                                 "refused",
                                 "fold"};
  for (const char* kind : kKinds) {
    size_t n = 0;
    for (const auto& f : findings) n += f.kind == kind;
    std::cout << "\n== " << Heading(kind) << " (" << n << ")\n";
    for (const auto& f : findings) {
      if (f.kind != kind) continue;
      std::cout << "  " << f.message;
      if (!f.seqs.empty()) {
        std::cout << "  [entr" << (f.seqs.size() == 1 ? "y" : "ies");
        for (size_t i = 0; i < f.seqs.size(); ++i) std::cout << (i ? ", #" : " #") << f.seqs[i];
        std::cout << "]";
      }
      std::cout << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, Context& ctx, Action* action) {
  {
    auto* cmd = app.add_subcommand(
        "trace", "Every entry of a grant (or of a project's grants) with balances and proofs");
    auto id = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("APP", *id, "Application id, or a project id for all its years")->required();
    cmd->add_flag("--json", *as_json, "JSON, with each step's inclusion proof");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Trace(ctx, *id, *as_json); }; });
  }
  {
    auto* cmd = app.add_subcommand(
        "export", "An audit bundle anyone can verify with sh and openssl (docs/audit.md)");
    auto out = std::make_shared<std::string>();
    auto year = std::make_shared<std::optional<int>>();
    cmd->add_option("--out", *out, "Directory to create (must not exist or be empty)")->required();
    cmd->add_option("--year", *year, "Only one funding year's entries, with inclusion proofs");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Export(ctx, *out, *year); }; });
  }
  auto* audit = app.add_subcommand("audit", "Compare the ledger with what you saw before")
                    ->require_subcommand(1);
  {
    auto* cmd = audit->add_subcommand(
        "since",
        "Prove the ledger only grew since a saved checkpoint (exit 0), or show it did not");
    auto file = std::make_shared<std::string>();
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("FILE", *file, "A checkpoint saved with `fouledger checkpoint --out FILE`")
        ->required();
    cmd->add_flag("--json", *as_json, "JSON: the consistency proof and the entries appended");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return AuditSince(ctx, *file, *as_json); }; });
  }
  {
    auto* cmd = app.add_subcommand("anomalies", "What an auditor should look at");
    auto year = std::make_shared<int>(0);
    auto as_json = std::make_shared<bool>(false);
    cmd->add_option("--year", *year, "Only this funding year (refusals are always listed)");
    cmd->add_flag("--json", *as_json, "JSON: one object per finding");
    cmd->callback([=, &ctx] { *action = [=, &ctx] { return Anomalies(ctx, *year, *as_json); }; });
  }
}

}  // namespace fouledger::cli
