#include "context.h"

#include <iostream>

#include "client.h"
#include "format.h"

namespace fouledger::cli {

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kCorruption:
      return kExitIntegrity;
    case Status::Code::kRefused:
    case Status::Code::kInvalidArgument:
    case Status::Code::kNotFound:
      return kExitRefused;
    case Status::Code::kIOError:
      return kExitInternal;
  }
  return kExitInternal;
}

int Fail(const Status& s) {
  std::cerr << s.ToString() << "\n";
  return ExitCodeFor(s);
}

Status RequireLocalLedger(const Context& ctx) {
  if (!ctx.server_url.empty()) {
    // Silently working on a local ledger when the user named a server would be worse.
    return Status::InvalidArgument(
        "this command works on a local ledger only; --server is for writing and query commands");
  }
  if (ctx.ledger_path.empty()) {
    return Status::InvalidArgument("no ledger given: use --ledger DIR or set FOULEDGER_LEDGER");
  }
  return Status::Ok();
}

Result<OpenLedger> Open(const Context& ctx) {
  FOULEDGER_RETURN_IF_ERROR(RequireLocalLedger(ctx));
  OpenLedger out;
  out.rules = MakeDomainRules();
  LedgerOptions options;
  options.path = ctx.ledger_path;
  options.clock = ctx.clock;
  options.validator = out.rules.get();
  auto ledger = Ledger::Open(options);
  if (!ledger.ok()) return ledger.status();
  out.ledger = std::move(ledger).value();
  if (const std::string& cut = out.ledger->write_cut_short_at_open(); !cut.empty()) {
    std::cerr << "note: dropped a write a crash had cut short at the end of the write-ahead log ("
              << cut << "); it was never acknowledged\n";
  }
  return out;
}

Result<SigningKey> LoadSigner(const Context& ctx) {
  if (ctx.signer_path.empty()) {
    return Status::InvalidArgument(
        "no signing key given: use --signer KEYFILE or set FOULEDGER_KEY");
  }
  return SigningKey::LoadPem(ctx.signer_path);
}

Result<Money> ParseAmount(const std::string& option, const std::string& text) {
  auto m = Money::Parse(text);
  if (!m.ok()) return m.status().WithContext(option);
  return m;
}

Result<Date> ParseDate(const std::string& option, const std::string& text) {
  auto d = Date::Parse(text);
  if (!d.ok()) return d.status().WithContext(option);
  return d;
}

Result<Date> ParseDateOrToday(const Context& ctx, const std::string& option,
                              const std::string& text) {
  if (text.empty()) return ctx.clock().ToDate();
  return ParseDate(option, text);
}

int SignAndAppend(const Context& ctx, EventBuilder& event) {
  auto key = LoadSigner(ctx);
  if (!key.ok()) return Fail(key.status());
  auto signed_event = event.Sign(*key);
  if (!signed_event.ok()) return Fail(signed_event.status());
  if (!ctx.server_url.empty()) return RemoteAppend(ctx, *signed_event);
  auto opened = Open(ctx);
  if (!opened.ok()) return Fail(opened.status());
  auto outcome = opened->ledger->Append(*signed_event);
  if (!outcome.ok()) return Fail(outcome.status());
  auto entry = opened->ledger->ReadEntry(outcome->seq);
  if (!entry.ok()) return Fail(entry.status());
  std::cout << (outcome->duplicate ? "already in the ledger as " : "") << "entry " << outcome->seq
            << ": " << SummarizeEvent(entry->reader()) << "\n";
  return kExitOk;
}

}  // namespace fouledger::cli
