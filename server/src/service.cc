#include "service.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "format.h"  // SummarizeEvent: the same one-line summary `log` prints
#include "ledger/authority.h"
#include "ledger/merkle.h"
#include "ledger/proof_json.h"
#include "reports.h"  // the same reports the CLI prints
#include "server/request_auth.h"
#include "server/server.h"
#include "web.h"

namespace fouledger::server::internal {
namespace {

using nlohmann::json;

// One GET /v1/entries answer stops growing past this many bytes (a page may be shorter than asked).
constexpr size_t kEntriesResponseBytesMax = 8 * 1024 * 1024;
static_assert(kEntriesResponseBytesMax >= 4 * kEntryBytesMax, "a page holds the largest entries");
constexpr size_t kQueryParametersMax = 16;
constexpr size_t kQueryValueBytesMax = 256;

const char* CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kNotFound:
      return "not_found";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kInvalidArgument:
      return "invalid_argument";
    case Status::Code::kRefused:
      return "refused";
    case Status::Code::kIOError:
      return "io_error";
  }
  return "io_error";
}

// The HTTP status for a Status from the libraries (docs/api.md, "Errors"). Refusals of appends
// are refined by Service::RefusalHttpStatus.
int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk:
      return 200;
    case Status::Code::kInvalidArgument:
      return 400;
    case Status::Code::kRefused:
      return 422;
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kCorruption:
      return 500;
    case Status::Code::kIOError:
      return 503;
  }
  return 500;
}

// Messages quote the request (a path, a query parameter, a field name cut to a length, what the
// event decoder said of the bytes), which need not be UTF-8: such bytes become U+FFFD. The
// default, an exception, would escape the I/O thread and end the server (fuzz_http_request and
// fuzz_api_json found it; docs/reliability.md).
std::string JsonText(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

HttpResponse JsonResponse(int http_status, const json& j, const std::string& key_id = {}) {
  HttpResponse r;
  r.status = http_status;
  r.body = JsonText(j);
  r.key_id = key_id;
  return r;
}

std::string ShortId(const Hash256& id) { return ToHex(id.data(), 8); }

int PercentDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      const int hi = i + 2 < text.size() ? PercentDigit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? PercentDigit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status::InvalidArgument("malformed percent-encoding in the request target");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
};

Result<Target> ParseTarget(const std::string& target) {
  Target t;
  const size_t q = target.find('?');
  auto path = PercentDecode(std::string_view(target).substr(0, q));
  if (!path.ok()) return path.status();
  t.path = *path;
  if (q == std::string::npos) return t;
  std::string_view rest = std::string_view(target).substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name.ok()) return name.status();
    if (!value.ok()) return value.status();
    if (value->size() > kQueryValueBytesMax || t.query.size() >= kQueryParametersMax) {
      return Status::InvalidArgument("query parameters are limited to " +
                                     std::to_string(kQueryParametersMax) + " of " +
                                     std::to_string(kQueryValueBytesMax) + " bytes each");
    }
    if (!t.query.emplace(*name, *value).second) {
      return Status::InvalidArgument("query parameter '" + *name + "' is given twice");
    }
  }
  return t;
}

// Refuses parameters the endpoint does not know: a misspelt "asof" must not silently mean "now".
Status OnlyParameters(const Target& t, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : t.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Status::InvalidArgument("unknown query parameter '" + name + "' for " + t.path);
    }
  }
  return Status::Ok();
}

Result<uint64_t> U64Parameter(const Target& t, const std::string& name,
                              std::optional<uint64_t> fallback) {
  auto it = t.query.find(name);
  if (it == t.query.end()) {
    if (fallback) return *fallback;
    return Status::InvalidArgument("query parameter '" + name + "' is required");
  }
  uint64_t v = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    return Status::InvalidArgument("query parameter '" + name + "' must be a whole number, not '" +
                                   s + "'");
  }
  return v;
}

Result<int> YearParameter(const Target& t) {
  auto y = U64Parameter(t, "year", std::nullopt);
  if (!y.ok()) return y.status();
  if (*y < 1900 || *y > 2999) {
    return Status::InvalidArgument("year must be within 1900..2999, not " + std::to_string(*y));
  }
  return static_cast<int>(*y);
}

Result<bool> BoolParameter(const Target& t, const std::string& name) {
  auto it = t.query.find(name);
  if (it == t.query.end() || it->second == "false" || it->second == "0") return false;
  if (it->second == "true" || it->second == "1" || it->second.empty()) return true;
  return Status::InvalidArgument("query parameter '" + name + "' is true or false, not '" +
                                 it->second + "'");
}

// The CLI's entry JSON (no role: that needs the Authority, which is read only under the writer
// lock), plus the stored canonical bytes: a replica or an auditor recomputes the leaf hash from
// these (leafHash = SHA-256(0x00 || entry)) rather than trusting the fields.
json EntryWithBytesJson(const DecodedEntry& e) {
  json j = cli::EntryJson(e, nullptr);
  j["entry"] = Base64Encode(e.bytes());
  return j;
}

}  // namespace

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse ErrorResponse(int http_status, const Status& status) {
  assert(!status.ok());
  return JsonResponse(http_status,
                      json{{"error", CodeName(status.code())}, {"message", status.message()}});
}

Service::Service(Ledger* ledger, projections::Engine* engine, Clock clock, bool tls)
    : ledger_(ledger), engine_(engine), clock_(std::move(clock)) {
  assert(ledger_ != nullptr && engine_ != nullptr && clock_);
  web_ = std::make_unique<Web>(
      ledger_,
      [this](const Hash256& id) -> std::optional<KeyRecord> {
        std::lock_guard lock(engine_mutex_);  // the Authority changes during appends
        const KeyRecord* key = ledger_->authority().FindKey(id);
        return key ? std::optional<KeyRecord>(*key) : std::nullopt;
      },
      [this](const projections::QueryTime& when) {
        std::lock_guard lock(engine_mutex_);
        return engine_->At(when);
      },
      clock_, tls);
  writer_ = std::thread([this] { WriterLoop(); });
}

Service::~Service() { Drain(); }

void Service::Drain() {
  {
    std::lock_guard lock(queue_mutex_);
    draining_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Service::Handle(const HttpRequest& request, Respond respond) {
  auto target = ParseTarget(request.target);
  if (!target.ok()) return respond(ErrorResponse(400, target.status()));
  const std::string& path = target->path;
  if (web_->Handle(request, path, respond)) return;  // pages and sign-in (docs/web.md)
  if (path == "/v1/health") {
    if (request.method != "GET") {
      return respond(ErrorResponse(405, Status::InvalidArgument("use GET for " + path)));
    }
    bool draining;
    {
      std::lock_guard lock(queue_mutex_);
      draining = draining_;
    }
    return respond(JsonResponse(draining ? 503 : 200, {{"status", draining ? "stopping" : "ok"},
                                                       {"size", ledger_->size()}}));
  }
  if (path == "/v1/entries" && request.method == "POST") {
    return HandleAppend(request, std::move(respond));
  }
  if (request.method != "GET") {
    return respond(ErrorResponse(
        405, Status::InvalidArgument("use GET for " + path +
                                     (path == "/v1/entries" ? " (or POST to append)" : ""))));
  }
  HttpResponse refusal;
  std::string key_id;
  // The pages read with a session cookie instead of signed headers (web.h).
  const bool signed_read =
      !request.Header("x-fouledger-signature").empty() || request.Header("cookie").empty();
  if (!(signed_read ? Authenticate(request, &refusal, &key_id)
                    : web_->Authenticate(request, &refusal, &key_id))) {
    return respond(std::move(refusal));
  }
  HandleRead(request, key_id, respond);
}

// --- Appends ---------------------------------------------------------------------------------

void Service::HandleAppend(const HttpRequest& request, Respond respond) {
  // Everything that needs no ledger state is checked here, on the I/O thread, so the writer
  // spends its time on events that can be written.
  auto bad = [&](const std::string& why) {
    respond(ErrorResponse(400, Status::InvalidArgument(why)));
  };
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return bad("the body must be a JSON object {\"event\": base64, \"signature\": base64}");
  }
  for (const auto& [name, value] : body.items()) {
    if (name != "event" && name != "signature") {
      return bad("unknown field '" + name.substr(0, 64) + "' in the append body");
    }
  }
  if (!body.contains("event") || !body["event"].is_string()) {
    return bad("the append body has no \"event\" (base64 canonical event bytes)");
  }
  if (!body.contains("signature") || !body["signature"].is_string()) {
    return respond(ErrorResponse(
        401, Status::Refused("the event is unsigned: the append body has no \"signature\"")));
  }
  auto event = Base64Decode(body["event"].get_ref<const std::string&>());
  if (!event.ok()) return bad("event: " + event.status().message());
  auto signature = Base64Decode(body["signature"].get_ref<const std::string&>());
  if (!signature.ok()) return bad("signature: " + signature.status().message());
  if (event->size() > kEventBytesMax) {
    return respond(ErrorResponse(
        413, Status::InvalidArgument("event is " + std::to_string(event->size()) +
                                     " bytes; the limit is " + std::to_string(kEventBytesMax))));
  }
  if (signature->size() != kSignatureBytes) {
    return respond(ErrorResponse(
        401,
        Status::Refused("signature is " + std::to_string(signature->size()) +
                        " bytes; an Ed25519 signature is " + std::to_string(kSignatureBytes))));
  }
  auto decoded = DecodedEvent::Decode(event->data(), event->size());
  if (!decoded.ok()) return bad("event: " + decoded.status().message());
  if (Status s = CheckEventShape(decoded->reader()); !s.ok()) return bad(s.message());

  SignedEvent signed_event;
  signed_event.event = std::move(event).value();
  std::copy(signature->begin(), signature->end(), signed_event.signature.begin());
  auto author = decoded->reader().getAuthorKeyId();
  // The signature check, an append's largest cost, runs here too: on the I/O threads, side by
  // side, while the writer admits and writes the events before (docs/api.md).
  Pending p{ledger_->CheckSignature(std::move(signed_event)),
            ToHex(author.begin(), std::min<size_t>(author.size(), 8)), std::move(respond)};
  const bool checked_ahead = p.event.signature_good();
  {
    std::unique_lock lock(queue_mutex_);
    if (draining_ || queue_.size() >= kPendingAppendsMax) {
      const bool stopping = draining_;
      lock.unlock();
      HttpResponse r = ErrorResponse(
          503,
          Status::IOError(stopping ? "the server is stopping; retry on another or later"
                                   : "too many appends waiting (" +
                                         std::to_string(kPendingAppendsMax) + "); retry shortly"));
      r.headers.emplace_back("Retry-After", "1");
      r.key_id = p.key_id;
      return p.respond(std::move(r));
    }
    queue_.push_back(std::move(p));
  }
  if (checked_ahead) checked_ahead_.fetch_add(1);
  queue_cv_.notify_one();
}

void Service::WriterLoop() {
  std::vector<Pending> batch;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return draining_ || !queue_.empty(); });
      if (queue_.empty()) return;  // draining and nothing left: every acknowledged append is done
      // Group commit: everything that arrived while the previous batch was being synced.
      const size_t n = std::min(queue_.size(), kBatchEventsMax);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    Commit(&batch);
    batch.clear();
  }
}

void Service::Commit(std::vector<Pending>* batch) {
  // A client that retried while its first attempt was still queued sends the very same bytes
  // twice in one batch: write it once and answer the later copies as duplicates of it.
  std::vector<CheckedEvent> unique;
  std::vector<size_t> slot(batch->size());
  std::map<std::pair<Bytes, SignatureBytes>, size_t> seen;
  for (size_t i = 0; i < batch->size(); ++i) {
    const SignedEvent& e = (*batch)[i].event.event();
    auto [it, inserted] = seen.try_emplace({e.event, e.signature}, unique.size());
    if (inserted) unique.push_back(std::move((*batch)[i].event));  // only answered from here on
    slot[i] = it->second;
  }

  std::vector<Result<AppendOutcome>> outcomes;
  std::vector<int> refusal_status(unique.size(), 0);
  {
    std::lock_guard lock(engine_mutex_);
    outcomes = ledger_->AppendBatch(unique);
    assert(outcomes.size() == unique.size());
    for (size_t i = 0; i < unique.size(); ++i) {
      if (!outcomes[i].ok() && outcomes[i].status().IsRefused()) {
        refusal_status[i] = RefusalHttpStatus(unique[i].event());
      }
    }
  }

  uint64_t written = 0;
  for (const auto& o : outcomes) written += o.ok() && !o->duplicate;
  appends_written_.fetch_add(written);
  if (written > 0) batches_.fetch_add(1);
  if (batch->size() > largest_batch_.load()) largest_batch_.store(batch->size());  // one writer

  std::vector<bool> answered(unique.size(), false);
  for (size_t i = 0; i < batch->size(); ++i) {
    Pending& p = (*batch)[i];
    const size_t u = slot[i];
    const Result<AppendOutcome>& o = outcomes[u];
    HttpResponse r;
    if (o.ok()) {
      const bool duplicate = o->duplicate || answered[u];
      r = JsonResponse(duplicate ? 200 : 201, {{"seq", o->seq},
                                               {"recordedAt", o->recorded_at.ToString()},
                                               {"leafHash", ToHex(o->leaf_hash)},
                                               {"duplicate", duplicate}});
    } else {
      const int http = refusal_status[u] != 0 ? refusal_status[u] : HttpStatusOf(o.status());
      r = ErrorResponse(http, o.status());
    }
    answered[u] = true;
    r.key_id = p.key_id;
    p.respond(std::move(r));
  }
}

int Service::RefusalHttpStatus(const SignedEvent& e) const {
  auto decoded = DecodedEvent::Decode(e.event.data(), e.event.size());
  if (!decoded.ok()) return 400;
  auto reader = decoded->reader();
  auto client_id = reader.getClientEventId();
  if (ledger_->FindClientEventId(Bytes(client_id.begin(), client_id.end()))) {
    return 409;  // the id names another event already written: a conflict, not a retry
  }
  Hash256 author{};
  auto a = reader.getAuthorKeyId();
  if (a.size() != author.size()) return 401;
  std::copy(a.begin(), a.end(), author.begin());
  const KeyRecord* key = ledger_->authority().FindKey(author);
  if (key == nullptr) return 401;  // not enrolled: the signature authenticates nobody
  if (!key->verifier.Verify(e.event.data(), e.event.size(), e.signature.data(),
                            e.signature.size())) {
    return 401;
  }
  if (key->revoked_seq) return 403;
  const EventKind kind = reader.getBody().which();
  if (kind != schema::Event::Body::VOID_ENTRY && !RoleMayWrite(key->role, kind)) return 403;
  return 422;  // a well-formed, authentic event that breaks a rule
}

// --- Reads -----------------------------------------------------------------------------------

bool Service::Authenticate(const HttpRequest& request, HttpResponse* refusal, std::string* key_id) {
  auto refuse = [&](int http, const std::string& why) {
    *refusal = ErrorResponse(http, Status::Refused(why));
    if (http == 401) refusal->headers.emplace_back("WWW-Authenticate", "Fouledger-Ed25519");
    return false;
  };
  const std::string key_hex = request.Header("x-fouledger-key-id");
  const std::string timestamp = request.Header("x-fouledger-timestamp");
  const std::string nonce = request.Header("x-fouledger-nonce");
  const std::string signature_b64 = request.Header("x-fouledger-signature");
  if (key_hex.empty() || timestamp.empty() || nonce.empty() || signature_b64.empty()) {
    return refuse(401,
                  "reads must be signed by an enrolled key (headers X-Fouledger-Key-Id, "
                  "-Timestamp, -Nonce, -Signature; see docs/api.md)");
  }
  auto key_bytes = FromHex(key_hex);
  if (!key_bytes.ok() || key_bytes->size() != 32) {
    return refuse(401, "X-Fouledger-Key-Id must be 64 hex digits");
  }
  Hash256 id{};
  std::copy(key_bytes->begin(), key_bytes->end(), id.begin());
  *key_id = ShortId(id);
  if (nonce.size() < kNonceHexMin || nonce.size() > kNonceHexMax ||
      nonce.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return refuse(401, "X-Fouledger-Nonce must be " + std::to_string(kNonceHexMin) + " to " +
                           std::to_string(kNonceHexMax) + " lower-case hex digits");
  }
  auto when = Instant::Parse(timestamp);
  if (timestamp.find('T') == std::string::npos || !when.ok()) {
    return refuse(401, "X-Fouledger-Timestamp must be an RFC 3339 time (2026-11-23T10:15:00Z)");
  }
  const Instant now = clock_();
  const int64_t skew_us =
      std::chrono::duration_cast<std::chrono::microseconds>(kClockSkewMax).count();
  if (when->micros < now.micros - skew_us || when->micros > now.micros + skew_us) {
    return refuse(401, "request timestamp " + timestamp + " is more than " +
                           std::to_string(kClockSkewMax.count()) + " s from the server's clock (" +
                           RequestTimestamp(now) + ")");
  }
  auto signature = Base64Decode(signature_b64);
  if (!signature.ok() || signature->size() != kSignatureBytes) {
    return refuse(401, "X-Fouledger-Signature must be a base64 Ed25519 signature");
  }
  PublicKeyBytes public_key{};
  {
    std::lock_guard lock(engine_mutex_);  // the Authority changes during appends
    const KeyRecord* key = ledger_->authority().FindKey(id);
    if (key == nullptr) return refuse(401, "key " + *key_id + " is not enrolled in this ledger");
    if (key->revoked_seq) {
      return refuse(
          403, "key " + *key_id + " was revoked at entry " + std::to_string(*key->revoked_seq));
    }
    public_key = key->public_key;
  }
  const std::string canonical =
      CanonicalRequest(request.method, request.target, timestamp, nonce, request.body);
  if (!VerifySignature(public_key, reinterpret_cast<const uint8_t*>(canonical.data()),
                       canonical.size(), signature->data(), signature->size())) {
    return refuse(401, "request signature does not verify with key " + *key_id);
  }
  // Only a verified request spends a nonce, so nobody can use up another key's nonces.
  switch (RememberNonce(key_hex + "/" + nonce, now)) {
    case NonceOutcome::kNew:
      return true;
    case NonceOutcome::kReplayed:
      return refuse(401, "request nonce " + nonce.substr(0, 16) +
                             ".. was already used: a replayed request is refused");
    case NonceOutcome::kFull:
      break;
  }
  *refusal = ErrorResponse(
      503, Status::IOError("too many signed requests within the replay window; retry shortly"));
  refusal->headers.emplace_back("Retry-After", "5");
  return false;
}

Service::NonceOutcome Service::RememberNonce(const std::string& key_and_nonce, Instant now) {
  std::lock_guard lock(nonce_mutex_);
  // Forget nonces whose timestamps can no longer pass the window check.
  while (!nonce_by_expiry_.empty() && nonce_by_expiry_.begin()->first < now) {
    nonce_expiry_.erase(nonce_by_expiry_.begin()->second);
    nonce_by_expiry_.erase(nonce_by_expiry_.begin());
  }
  if (nonce_expiry_.count(key_and_nonce) != 0) return NonceOutcome::kReplayed;
  if (nonce_expiry_.size() >= kNoncesRememberedMax) return NonceOutcome::kFull;
  // A request dated up to kClockSkewMax ahead stays acceptable until 2 × kClockSkewMax from now.
  const Instant expiry{
      now.micros +
      2 * std::chrono::duration_cast<std::chrono::microseconds>(kClockSkewMax).count()};
  nonce_expiry_.emplace(key_and_nonce, expiry);
  nonce_by_expiry_.emplace(expiry, key_and_nonce);
  return NonceOutcome::kNew;
}

void Service::HandleRead(const HttpRequest& request, const std::string& key_id,
                         const Respond& respond) {
  auto target = ParseTarget(request.target);
  assert(target.ok() && "Handle parsed it already");
  const Target& t = *target;
  auto fail = [&](const Status& s) {
    HttpResponse r = ErrorResponse(HttpStatusOf(s), s);
    r.key_id = key_id;
    respond(std::move(r));
  };
  auto send = [&](const json& j) { respond(JsonResponse(200, j, key_id)); };
#define FOULEDGER_OR_FAIL(expr)      \
  do {                               \
    Status _st = (expr);             \
    if (!_st.ok()) return fail(_st); \
  } while (0)

  if (t.path == "/v1/entries") {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"from", "limit"}));
    auto from = U64Parameter(t, "from", 0);
    auto limit = U64Parameter(t, "limit", 100);
    if (!from.ok()) return fail(from.status());
    if (!limit.ok()) return fail(limit.status());
    const uint64_t size = ledger_->size();
    const uint64_t count = std::min<uint64_t>(*limit, kEntriesPerPageMax);
    const uint64_t to = std::min(size, *from + count);
    json entries = json::array();
    size_t bytes = 0;
    uint64_t next = std::min(*from, size);
    Status s = ledger_->ForEachEntry(*from, to, [&](const DecodedEntry& e) {
      if (bytes >= kEntriesResponseBytesMax) return Status::NotFound("page full");
      entries.push_back(EntryWithBytesJson(e));
      bytes += e.bytes().size() * 3;  // hex, base64 and JSON of the same bytes, roughly
      next = e.seq() + 1;
      return Status::Ok();
    });
    if (!s.ok() && !s.IsNotFound()) return fail(s);
    return send({{"size", size}, {"from", *from}, {"next", next}, {"entries", entries}});
  }
  if (t.path == "/v1/checkpoint") {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {}));
    auto cp = ledger_->LatestCheckpoint();
    if (!cp.ok()) return fail(cp.status());
    return send({{"origin", cp->origin},
                 {"size", cp->size},
                 {"root", Base64Encode(cp->root)},
                 {"note", cp->note}});
  }
  if (t.path == "/v1/proofs/inclusion") {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"seq", "size"}));
    auto cp = ledger_->LatestCheckpoint();
    if (!cp.ok()) return fail(cp.status());
    auto seq = U64Parameter(t, "seq", std::nullopt);
    auto size = U64Parameter(t, "size", cp->size);
    if (!seq.ok()) return fail(seq.status());
    if (!size.ok()) return fail(size.status());
    if (*seq >= *size) {
      return fail(Status::InvalidArgument("entry " + std::to_string(*seq) +
                                          " is not in a tree of size " + std::to_string(*size)));
    }
    auto j = cli::InclusionProofJson(*ledger_, *seq, *size, *cp);
    if (!j.ok()) return fail(j.status());
    return send(*j);
  }
  if (t.path == "/v1/proofs/consistency") {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"size1", "size2"}));
    auto size1 = U64Parameter(t, "size1", std::nullopt);
    auto size2 = U64Parameter(t, "size2", ledger_->size());
    if (!size1.ok()) return fail(size1.status());
    if (!size2.ok()) return fail(size2.status());
    if (*size1 == 0 || *size1 > *size2) {
      return fail(Status::InvalidArgument("consistency needs 0 < size1 <= size2"));
    }
    auto proof = ledger_->ConsistencyProof(*size1, *size2);
    if (!proof.ok()) return fail(proof.status());
    auto r1 = ledger_->RootAt(*size1);
    auto r2 = ledger_->RootAt(*size2);
    if (!r1.ok()) return fail(r1.status());
    if (!r2.ok()) return fail(r2.status());
    return send(json::parse(ConsistencyProofToJson({*size1, *size2, *r1, *r2, *proof})));
  }

  if (web_->HandleRead(t.path, t.query, key_id, respond)) return;

  // Projection queries: the same reports the CLI prints, in the format asked for.
  const bool is_grant = t.path.rfind("/v1/grants/", 0) == 0;
  if (t.path != "/v1/budget" && t.path != "/v1/eligibility" && t.path != "/v1/repayments" &&
      !is_grant) {
    return fail(Status::NotFound("no endpoint " + t.path.substr(0, 128) + " (see docs/api.md)"));
  }
  if (t.path == "/v1/repayments") {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"year", "as_of", "known_at", "format", "overdue"}));
  } else if (is_grant) {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"as_of", "known_at", "format"}));
  } else {
    FOULEDGER_OR_FAIL(OnlyParameters(t, {"year", "as_of", "known_at", "format"}));
  }
  auto get = [&](const char* name) {
    auto it = t.query.find(name);
    return it == t.query.end() ? std::string() : it->second;
  };
  auto format = cli::ParseOutputFormat(t.query.count("format") ? get("format") : "json");
  if (!format.ok()) return fail(format.status());
  auto when = cli::ParseQueryTime(clock_(), get("as_of"), get("known_at"));
  if (!when.ok()) return fail(when.status());
  int year = 0;
  if (!is_grant) {
    auto y = YearParameter(t);
    if (!y.ok()) return fail(y.status());
    year = *y;
  }
  auto overdue = BoolParameter(t, "overdue");
  if (!overdue.ok()) return fail(overdue.status());
  const std::string application = is_grant ? t.path.substr(std::string("/v1/grants/").size()) : "";
  if (is_grant && (application.empty() || application.size() > kIdBytesMax)) {
    return fail(Status::InvalidArgument("an application id is 1 to " + std::to_string(kIdBytesMax) +
                                        " bytes"));
  }

  std::ostringstream out;
  if (t.path == "/v1/budget") {
    std::vector<projections::Budget> budgets;
    {
      // The engine is not thread-safe and appends fold into it: hold the lock for the fold only.
      std::lock_guard lock(engine_mutex_);
      budgets = cli::YearBudgets(*engine_, year, *when);
    }
    cli::WriteBudget(budgets, *when, year, *format, out);
  } else {
    projections::State state;
    {
      std::lock_guard lock(engine_mutex_);
      state = engine_->At(*when);
    }
    if (t.path == "/v1/eligibility") {
      cli::WriteEligibility(state, year, *format, out);
    } else if (t.path == "/v1/repayments") {
      cli::WriteRepayments(state, year, *overdue, *format, out);
    } else {
      FOULEDGER_OR_FAIL(cli::WriteGrant(state, *ledger_, application, *format, out));
    }
  }
#undef FOULEDGER_OR_FAIL
  HttpResponse r;
  r.status = 200;
  r.content_type = cli::MediaTypeOf(*format);
  r.body = std::move(out).str();
  r.key_id = key_id;
  respond(std::move(r));
}

}  // namespace fouledger::server::internal
