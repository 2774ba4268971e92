#include "web.h"

#include <openssl/rand.h>

#include <cassert>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "format.h"  // SummarizeEvent
#include "ledger/event.h"
#include "projections/views.h"
#include "reports.h"  // ParseQueryTime, ParseOutputFormat: the same parameters as the reports
#include "table.h"

namespace fouledger::server::internal {

// The files of server/web/, embedded by server/web/embed.cmake into web_assets.cc.
struct WebAsset {
  const char* name;  // "app.js"
  const char* content_type;
  const unsigned char* data;
  size_t size;
};
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

namespace {

using nlohmann::json;

constexpr size_t kTokenBytes = 32;

std::string RandomHex() {
  unsigned char random[kTokenBytes];
  const int ok = RAND_bytes(random, sizeof random);
  assert(ok == 1 && "OpenSSL's RNG failed");
  (void)ok;
  return ToHex(random, sizeof random);
}

int64_t Micros(std::chrono::seconds s) {
  return std::chrono::duration_cast<std::chrono::microseconds>(s).count();
}

// Bytes that are not UTF-8 (from the request, quoted in a message) become U+FFFD instead of an
// exception that would end the server (service.cc, JsonText).
std::string JsonText(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

HttpResponse Json(int status, const json& j) {
  HttpResponse r;
  r.status = status;
  r.body = JsonText(j);
  return r;
}

HttpResponse Refuse(int status, const std::string& why) {
  return ErrorResponse(status, status == 503 ? Status::IOError(why) : Status::Refused(why));
}

// The headers every page and asset carries: nothing from elsewhere may run, frame or be fetched
// (the pages must work with no network beyond the server, and must not leak where they were).
void PageHeaders(HttpResponse* r) {
  r->headers.emplace_back("Content-Security-Policy",
                          "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                          "base-uri 'none'; frame-ancestors 'none'");
  r->headers.emplace_back("X-Content-Type-Options", "nosniff");
  r->headers.emplace_back("Referrer-Policy", "no-referrer");
}

const WebAsset* FindAsset(std::string_view name) {
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (name == kWebAssets[i].name) return &kWebAssets[i];
  }
  return nullptr;
}

HttpResponse AssetResponse(const WebAsset& a) {
  HttpResponse r;
  r.content_type = a.content_type;
  r.body.assign(reinterpret_cast<const char*>(a.data), a.size);
  PageHeaders(&r);
  return r;
}

std::string Get(const std::map<std::string, std::string>& q, const char* name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

Status OnlyParameters(const std::string& path, const std::map<std::string, std::string>& q,
                      std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : q) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return Status::InvalidArgument("unknown query parameter '" + name + "' for " + path);
    }
  }
  return Status::Ok();
}

Result<int> Year(const std::map<std::string, std::string>& q) {
  const std::string s = Get(q, "year");
  int y = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), y);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || y < 1900 || y > 2999) {
    return Status::InvalidArgument("year must be within 1900..2999, not '" + s + "'");
  }
  return y;
}

std::string UnitNamesAt(const projections::State& state, const std::vector<std::string>& units) {
  std::string out;
  for (const auto& u : units) {
    if (!out.empty()) out += ", ";
    out += projections::UnitNameAt(state, u, state.at.as_of);
  }
  return out;
}

}  // namespace

Web::Web(Ledger* ledger, FindKey find_key, StateAt state_at, Clock clock, bool tls)
    : ledger_(ledger),
      find_key_(std::move(find_key)),
      state_at_(std::move(state_at)),
      clock_(std::move(clock)),
      tls_(tls) {
  assert(ledger_ != nullptr && find_key_ && state_at_ && clock_);
}

bool Web::Handle(const HttpRequest& request, const std::string& path, const Respond& respond) {
  const bool page = path == "/" || path == "/ui" || path.rfind("/ui/", 0) == 0;
  const bool session = path == "/v1/session" || path.rfind("/v1/session/", 0) == 0;
  if (!page && !session) return false;
  if (page) {
    if (request.method != "GET") {
      respond(ErrorResponse(405, Status::InvalidArgument("use GET for " + path)));
      return true;
    }
    if (path == "/" || path == "/ui") {
      HttpResponse r;
      r.status = 303;
      r.content_type = "text/plain; charset=utf-8";
      r.headers.emplace_back("Location", "/ui/year");
      respond(std::move(r));
      return true;
    }
    if (path.rfind("/ui/assets/", 0) == 0) {
      const WebAsset* a =
          FindAsset(std::string_view(path).substr(std::string("/ui/assets/").size()));
      if (a == nullptr) {
        respond(ErrorResponse(404, Status::NotFound("no asset " + path.substr(0, 128))));
      } else {
        respond(AssetResponse(*a));
      }
      return true;
    }
    // Every page is the same shell; app.js draws the one the path names.
    const WebAsset* shell = FindAsset("index.html");
    assert(shell != nullptr && "server/web/index.html is embedded");
    respond(AssetResponse(*shell));
    return true;
  }
  if (request.method != "POST") {
    respond(ErrorResponse(405, Status::InvalidArgument("use POST for " + path)));
    return true;
  }
  if (path == "/v1/session/challenge") {
    respond(Challenge());
  } else if (path == "/v1/session") {
    respond(SignIn(request));
  } else if (path == "/v1/session/open") {
    respond(Open(request));
  } else if (path == "/v1/session/close") {
    respond(SignOut(request));
  } else {
    respond(ErrorResponse(404, Status::NotFound("no endpoint " + path.substr(0, 128))));
  }
  return true;
}

void Web::Expire(Instant now) {
  for (auto* m : {&challenges_, &links_, &sessions_}) {
    for (auto it = m->begin(); it != m->end();) {
      it = it->second.expires.micros <= now.micros ? m->erase(it) : std::next(it);
    }
  }
}

HttpResponse Web::Challenge() {
  const Instant now = clock_();
  const std::string challenge = RandomHex();
  {
    std::lock_guard lock(mutex_);
    Expire(now);
    if (challenges_.size() >= kChallengesMax) {
      return Refuse(503, "too many sign-ins under way (" + std::to_string(kChallengesMax) +
                             "); retry shortly");
    }
    challenges_[challenge] = {Instant{now.micros + Micros(kChallengeLifetime)}, {}};
  }
  return Json(200, {{"challenge", challenge},
                    {"expiresIn", kChallengeLifetime.count()},
                    {"message", LoginMessage(challenge)}});
}

HttpResponse Web::SignIn(const HttpRequest& request) {
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("keyId") ||
      !body.contains("challenge") || !body.contains("signature") || !body["keyId"].is_string() ||
      !body["challenge"].is_string() || !body["signature"].is_string() || body.size() != 3) {
    return ErrorResponse(
        400, Status::InvalidArgument("the body must be {\"keyId\": hex, \"challenge\": hex, "
                                     "\"signature\": base64}"));
  }
  const std::string key_hex = body["keyId"];
  const std::string challenge = body["challenge"];
  auto key_bytes = FromHex(key_hex);
  auto signature = Base64Decode(body["signature"].get<std::string>());
  if (!key_bytes.ok() || key_bytes->size() != 32 || !signature.ok() ||
      signature->size() != kSignatureBytes) {
    return Refuse(401, "keyId must be 64 hex digits and signature a base64 Ed25519 signature");
  }
  Hash256 id{};
  std::copy(key_bytes->begin(), key_bytes->end(), id.begin());
  const Instant now = clock_();
  {
    // The challenge is spent by any attempt: one guess per challenge.
    std::lock_guard lock(mutex_);
    Expire(now);
    if (challenges_.erase(challenge) == 0) {
      return Refuse(401, "the challenge is unknown, used or older than " +
                             std::to_string(kChallengeLifetime.count()) + " s; ask for a new one");
    }
  }
  const std::optional<KeyRecord> key = find_key_(id);
  const std::string short_id = ToHex(id.data(), 8);
  if (!key) return Refuse(401, "key " + short_id + " is not enrolled in this ledger");
  if (key->revoked_seq) {
    return Refuse(403,
                  "key " + short_id + " was revoked at entry " + std::to_string(*key->revoked_seq));
  }
  const std::string message = LoginMessage(challenge);
  if (!VerifySignature(key->public_key, reinterpret_cast<const uint8_t*>(message.data()),
                       message.size(), signature->data(), signature->size())) {
    return Refuse(401, "the challenge's signature does not verify with key " + short_id);
  }
  const std::string token = RandomHex();
  {
    std::lock_guard lock(mutex_);
    if (links_.size() >= kSessionsMax) return Refuse(503, "too many unopened links; retry shortly");
    links_[token] = {Instant{now.micros + Micros(kLinkLifetime)}, id};
  }
  HttpResponse r = Json(200, {{"link", "/ui/login#" + token},
                              {"expiresIn", kLinkLifetime.count()},
                              {"holder", key->holder},
                              {"role", RoleName(key->role)}});
  r.key_id = short_id;
  return r;
}

HttpResponse Web::Open(const HttpRequest& request) {
  // Only the page itself may open a session: a browser sends Origin on every POST, and a page of
  // another site must not log a victim into a session of the attacker's choosing.
  const std::string origin = request.Header("origin");
  const std::string host = request.Header("host");
  if (!origin.empty() && origin != "http://" + host && origin != "https://" + host) {
    return Refuse(403, "a session is opened only from this server's own login page");
  }
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("token") ||
      !body["token"].is_string()) {
    return ErrorResponse(400, Status::InvalidArgument("the body must be {\"token\": hex}"));
  }
  const std::string link = body["token"];
  const Instant now = clock_();
  Hash256 id{};
  const std::string session = RandomHex();
  {
    std::lock_guard lock(mutex_);
    Expire(now);
    auto it = links_.find(link);
    if (it == links_.end()) {
      return Refuse(401, "this login link is unknown, used or older than " +
                             std::to_string(kLinkLifetime.count()) +
                             " s; run `fouledger login` again");
    }
    id = it->second.key_id;
    links_.erase(it);
    if (sessions_.size() >= kSessionsMax) return Refuse(503, "too many sessions; retry shortly");
    sessions_[session] = {Instant{now.micros + Micros(kSessionLifetime)}, id};
  }
  const std::optional<KeyRecord> key = find_key_(id);
  HttpResponse r = Json(200, {{"holder", key ? key->holder : ""},
                              {"role", key ? RoleName(key->role) : ""},
                              {"expiresIn", kSessionLifetime.count()}});
  r.headers.emplace_back("Set-Cookie", Cookie(session, kSessionLifetime.count()));
  r.key_id = ToHex(id.data(), 8);
  return r;
}

HttpResponse Web::SignOut(const HttpRequest& request) {
  const std::string token = CookieToken(request);
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(token);
  }
  HttpResponse r = Json(200, {{"status", "signed out"}});
  r.headers.emplace_back("Set-Cookie", Cookie("", 0));
  return r;
}

std::string Web::Cookie(const std::string& token, int64_t max_age_s) const {
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; Max-Age=" + std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict" +
         (tls_ ? "; Secure" : "");
}

std::string Web::CookieToken(const HttpRequest& request) const {
  const std::string cookies = request.Header("cookie");
  const std::string prefix = std::string(kSessionCookie) + "=";
  size_t pos = 0;
  while (pos < cookies.size()) {
    while (pos < cookies.size() && (cookies[pos] == ' ' || cookies[pos] == ';')) ++pos;
    const size_t end = std::min(cookies.find(';', pos), cookies.size());
    if (cookies.compare(pos, prefix.size(), prefix) == 0) {
      return cookies.substr(pos + prefix.size(), end - pos - prefix.size());
    }
    pos = end;
  }
  return {};
}

bool Web::Authenticate(const HttpRequest& request, HttpResponse* refusal, std::string* key_id) {
  const std::string token = CookieToken(request);
  auto refuse = [&](int http, const std::string& why) {
    *refusal = Refuse(http, why);
    return false;
  };
  if (token.empty()) {
    return refuse(401, "reads need a session (fouledger login) or a signed request (docs/api.md)");
  }
  Hash256 id{};
  {
    std::lock_guard lock(mutex_);
    Expire(clock_());
    auto it = sessions_.find(token);
    if (it == sessions_.end()) {
      return refuse(401, "the session has ended (after " +
                             std::to_string(kSessionLifetime.count()) +
                             " s at most); run `fouledger login` again");
    }
    id = it->second.key_id;
  }
  *key_id = ToHex(id.data(), 8);
  const std::optional<KeyRecord> key = find_key_(id);
  if (!key) return refuse(401, "key " + *key_id + " is no longer enrolled");
  if (key->revoked_seq) {
    std::lock_guard lock(mutex_);
    sessions_.erase(token);  // revoked: the session ends now, not at its expiry
    return refuse(403,
                  "key " + *key_id + " was revoked at entry " + std::to_string(*key->revoked_seq));
  }
  return true;
}

bool Web::HandleRead(const std::string& path, const std::map<std::string, std::string>& q,
                     const std::string& key_id, const Respond& respond) {
  const bool is_trail = path.rfind("/v1/trail/", 0) == 0;
  if (path != "/v1/grants" && path != "/v1/anomalies" && path != "/v1/status" && !is_trail) {
    return false;
  }
  auto fail = [&](const Status& s) {
    HttpResponse r = ErrorResponse(s.IsNotFound() ? 404 : 400, s);
    r.key_id = key_id;
    respond(std::move(r));
    return true;
  };
  if (path == "/v1/status") {
    if (Status s = OnlyParameters(path, q, {}); !s.ok()) return fail(s);
    json j = {{"size", ledger_->size()}, {"serverTime", clock_().ToString()}};
    auto cp = ledger_->LatestCheckpoint();
    if (cp.ok()) {
      j["checkpoint"] = {{"origin", cp->origin},
                         {"size", cp->size},
                         {"root", Base64Encode(cp->root)},
                         {"note", cp->note}};
    }
    HttpResponse r = Json(200, j);
    r.key_id = key_id;
    respond(std::move(r));
    return true;
  }
  if (Status s = is_trail ? OnlyParameters(path, q, {"as_of", "known_at"})
                          : OnlyParameters(path, q, {"year", "as_of", "known_at", "format"});
      !s.ok()) {
    return fail(s);
  }
  auto format = cli::ParseOutputFormat(q.count("format") ? Get(q, "format") : "json");
  if (!format.ok()) return fail(format.status());
  auto when = cli::ParseQueryTime(clock_(), Get(q, "as_of"), Get(q, "known_at"));
  if (!when.ok()) return fail(when.status());
  int year = 0;
  if (path == "/v1/grants") {
    auto y = Year(q);
    if (!y.ok()) return fail(y.status());
    year = *y;
  }
  const projections::State state = state_at_(*when);
  HttpResponse r;
  r.key_id = key_id;
  r.content_type = cli::MediaTypeOf(*format);
  std::ostringstream out;
  if (path == "/v1/grants") {
    cli::Table table({{"application", "Application"},
                      {"programme", "Programme"},
                      {"units", "Units"},
                      {"title", "Title"},
                      {"asked", "Asked", true},
                      {"granted", "Granted", true},
                      {"paid", "Paid", true},
                      {"outcome", "Outcome"},
                      {"state", "State"},
                      {"applied_on", "Applied on"},
                      {"decided_on", "Decided on"}});
    for (const auto& g : state.grants) {
      if (g.year != year) continue;
      table.AddRow({g.application_id, std::string(projections::ProgrammeName(g.programme)),
                    UnitNamesAt(state, g.units), g.title, g.asked, g.granted, g.paid,
                    std::string(projections::OutcomeName(g.outcome)),
                    std::string(projections::GrantStateName(g.state)), g.applied_on.ToString(),
                    g.decided_on.ToString()});
    }
    table.Write(out, *format);
  } else if (path == "/v1/anomalies") {
    cli::Table table({{"seq", "Entry", true}, {"message", "Anomaly"}});
    for (const auto& a : state.anomalies) table.AddRow({static_cast<int64_t>(a.seq), a.message});
    table.Write(out, *format);
  } else {
    const std::string app = path.substr(std::string("/v1/trail/").size());
    const projections::Grant* g = state.FindGrant(app);
    if (g == nullptr) {
      return fail(Status::NotFound("no application " + app.substr(0, 64) + " as of " +
                                   state.at.as_of.ToString()));
    }
    json entries = json::array();
    for (uint64_t seq : g->seqs) {
      auto e = ledger_->ReadEntry(seq);
      if (!e.ok()) return fail(e.status());
      Hash256 author{};
      auto a = e->reader().getAuthorKeyId();
      if (a.size() == author.size()) std::copy(a.begin(), a.end(), author.begin());
      const std::optional<KeyRecord> key = find_key_(author);
      entries.push_back({{"seq", seq},
                         {"recordedAt", e->recorded_at().ToString()},
                         {"effectiveDate", e->effective_date().ToString()},
                         {"kind", EventKindName(e->kind())},
                         {"summary", cli::SummarizeEvent(e->reader())},
                         {"author", ToHex(author.data(), 8)},
                         {"holder", key ? key->holder : ""},
                         {"role", key ? RoleName(key->role) : ""}});
    }
    out << JsonText(json{{"application", app},
                         {"units", UnitNamesAt(state, g->units)},
                         {"title", g->title},
                         {"reason", g->decision_reason},
                         {"override", g->override_text},
                         {"state", projections::GrantStateName(g->state)},
                         {"entries", entries}});
    r.content_type = "application/json";
  }
  r.body = std::move(out).str();
  respond(std::move(r));
  return true;
}

}  // namespace fouledger::server::internal
