// The HTTP rows of the bad-input catalogue (docs/reliability.md): every request the server
// refuses, each checked for its status, its error code and its one exact message, and that nothing
// was appended. Messages are compared with key ids and other runs of 16 or more hex digits as
// <hex>; an expected message ending in "..." is a prefix (the rest holds the time of day).
#include <regex>

#include "server_fixture.h"

namespace fouledger::testing {
namespace {

using nlohmann::json;

struct HttpCase {
  std::string what;
  std::string method;  // empty: send `body` as raw bytes on a fresh connection
  std::string target;
  std::string body;
  cli::HeaderList headers;
  int status;
  std::string error;  // the Status code name in the body
  std::string message;
};

std::string Normalize(const std::string& text) {
  return std::regex_replace(text, std::regex("[0-9a-f]{16,}"), "<hex>");
}

TEST(BadRequestTest, EveryHttpRefusalHasItsStatusAndOneLine) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  // A key enrolled and then revoked.
  SigningKey gone = SigningKey::Generate().value();
  s.f.MustAppend(s.f.Enroll(s.f.admin, gone, schema::Role::ADMIN));
  uint64_t revoked_at = 0;
  {
    EventBuilder b(D("2021-01-02"));
    auto r = b.body().initKeyRevoke();
    r.setKeyId(kj::arrayPtr(gone.key_id().data(), gone.key_id().size()));
    r.setReason("lämnat");
    revoked_at = s.f.MustAppend(b.Sign(s.f.admin).value());
  }
  const std::string revoked = std::to_string(revoked_at);
  const SignedEvent good = UnitAdd(s.f.admin, "ok");
  const uint64_t good_seq = s.f.MustAppend(good);
  const std::string event_b64 = Base64Encode(good.event);
  const std::string signature_b64 = Base64Encode(good.signature);
  auto body = [](const SignedEvent& e) { return cli::AppendBody(e); };
  SignedEvent forged = UnitAdd(s.f.admin, "forged");
  forged.signature = s.f.office.Sign(forged.event.data(), forged.event.size());
  SigningKey stranger = SigningKey::Generate().value();
  // The same client event id as `good`, on other content.
  SignedEvent conflict;
  {
    EventBuilder b(D("2021-01-01"));
    auto u = b.body().initUnitAdd();
    u.setUnitId("other");
    u.setName("Annan");
    const auto decoded = DecodedEvent::Decode(good.event.data(), good.event.size());
    ASSERT_TRUE(decoded.ok());
    auto id = decoded->reader().getClientEventId();
    b.SetClientEventId(Bytes(id.begin(), id.end()));
    conflict = b.Sign(s.f.admin).value();
  }
  // Signed-read headers, and variants with one header spoilt.
  auto signed_by = [](const SigningKey& key, const std::string& target,
                      const std::string& method = "GET") {
    return server::SignRequest(key, SystemClock()(), method, target, "");
  };
  auto with = [](cli::HeaderList h, std::string_view name, const std::string& value) {
    for (auto& [n, v] : h) {
      if (n == name) v = value;
    }
    return h;
  };
  const std::string budget = "/v1/budget?year=2021";
  const auto ok_headers = signed_by(s.f.controller, budget);
  const auto replayed = signed_by(s.f.controller, budget);
  ASSERT_EQ(client->Request("GET", budget, "", replayed)->status, 200);
  const auto stale = server::SignRequest(
      s.f.controller, Instant{SystemClock()().micros - 600'000'000}, "GET", budget, "");
  auto get = [&](const std::string& what, const std::string& target, int status,
                 const std::string& error, const std::string& message) {
    return HttpCase{what,   "GET", target, "", signed_by(s.f.controller, target),
                    status, error, message};
  };
  const std::string long_id(65, 'x');

  const std::vector<HttpCase> cases = {
      // Appends: POST /v1/entries {"event": base64, "signature": base64}.
      {"append body not JSON",
       "POST",
       "/v1/entries",
       "{not json",
       {},
       400,
       "invalid_argument",
       "the body must be a JSON object {\"event\": base64, \"signature\": base64}"},
      {"append body with an unknown field",
       "POST",
       "/v1/entries",
       json{{"event", event_b64}, {"signature", signature_b64}, {"extra", 1}}.dump(),
       {},
       400,
       "invalid_argument",
       "unknown field 'extra' in the append body"},
      {"append body without event",
       "POST",
       "/v1/entries",
       json{{"signature", signature_b64}}.dump(),
       {},
       400,
       "invalid_argument",
       "the append body has no \"event\" (base64 canonical event bytes)"},
      {"append without signature",
       "POST",
       "/v1/entries",
       json{{"event", event_b64}}.dump(),
       {},
       401,
       "refused",
       "the event is unsigned: the append body has no \"signature\""},
      {"event not base64",
       "POST",
       "/v1/entries",
       json{{"event", "!!!!"}, {"signature", signature_b64}}.dump(),
       {},
       400,
       "invalid_argument",
       "event: not valid base64"},
      {"signature not base64",
       "POST",
       "/v1/entries",
       json{{"event", event_b64}, {"signature", "!!!!"}}.dump(),
       {},
       400,
       "invalid_argument",
       "signature: not valid base64"},
      {"event over 64 KiB",
       "POST",
       "/v1/entries",
       json{{"event", Base64Encode(Bytes(kEventBytesMax + 8, 0))}, {"signature", signature_b64}}
           .dump(),
       {},
       413,
       "invalid_argument",
       "event is " + std::to_string(kEventBytesMax + 8) + " bytes; the limit is " +
           std::to_string(kEventBytesMax)},
      {"signature not 64 bytes",
       "POST",
       "/v1/entries",
       json{{"event", event_b64}, {"signature", Base64Encode(Bytes(48, 1))}}.dump(),
       {},
       401,
       "refused",
       "signature is 48 bytes; an Ed25519 signature is 64"},
      {"bytes that are no event",
       "POST",
       "/v1/entries",
       json{{"event", Base64Encode(Bytes(64, 7))}, {"signature", signature_b64}}.dump(),
       {},
       400,
       "invalid_argument",
       "event: event is not a canonical Cap'n Proto message: ..."},
      {"signature by another key",
       "POST",
       "/v1/entries",
       body(forged),
       {},
       401,
       "refused",
       "signature does not verify with author key <hex>"},
      {"author never enrolled",
       "POST",
       "/v1/entries",
       body(UnitAdd(stranger, "x")),
       {},
       401,
       "refused",
       "author key <hex> is not enrolled"},
      {"author revoked",
       "POST",
       "/v1/entries",
       body(UnitAdd(gone, "y")),
       {},
       403,
       "refused",
       "author key <hex> was revoked at entry " + revoked},
      {"role may not write the kind",
       "POST",
       "/v1/entries",
       body(UnitAdd(s.f.farsta, "z")),
       {},
       403,
       "refused",
       "a unit key may not write unit-add entries"},
      {"a domain rule",
       "POST",
       "/v1/entries",
       body(s.f.Apply(s.f.farsta, "2021-LUM-01", "farsta", Kr(100000))),
       {},
       422,
       "refused",
       "2021 LUM is not open: no year rules for it"},
      {"client event id of another event",
       "POST",
       "/v1/entries",
       body(conflict),
       {},
       409,
       "refused",
       "client event id was already used by entry " + std::to_string(good_seq) +
           " for a different event"},
      // What is not a readable HTTP request (raw bytes).
      {"body over 128 KiB",
       "",
       "",
       "POST /v1/entries HTTP/1.1\r\nHost: x\r\nContent-Length: " +
           std::to_string(server::kRequestBodyBytesMax + 1) + "\r\n\r\n",
       {},
       413,
       "invalid_argument",
       "the request body exceeds " + std::to_string(server::kRequestBodyBytesMax) + " bytes"},
      {"headers over 8 KiB",
       "",
       "",
       "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(server::kHeaderBytesMax, 'a') +
           "\r\n\r\n",
       {},
       431,
       "invalid_argument",
       "the request line and headers exceed " + std::to_string(server::kHeaderBytesMax) + " bytes"},
      {"not HTTP",
       "",
       "",
       "HELLO THERE\r\n\r\n",
       {},
       400,
       "invalid_argument",
       "malformed HTTP request: ..."},
      // Methods and endpoints.
      {"PUT on entries",
       "PUT",
       "/v1/entries",
       "",
       {},
       405,
       "invalid_argument",
       "use GET for /v1/entries (or POST to append)"},
      {"POST on health",
       "POST",
       "/v1/health",
       "",
       {},
       405,
       "invalid_argument",
       "use GET for /v1/health"},
      {"POST on a page",
       "POST",
       "/ui/year",
       "",
       {},
       405,
       "invalid_argument",
       "use GET for /ui/year"},
      {"GET on sign-in",
       "GET",
       "/v1/session",
       "",
       {},
       405,
       "invalid_argument",
       "use POST for /v1/session"},
      {"no such asset",
       "GET",
       "/ui/assets/nope.js",
       "",
       {},
       404,
       "not_found",
       "no asset /ui/assets/nope.js"},
      {"no such session endpoint",
       "POST",
       "/v1/session/nope",
       "",
       {},
       404,
       "not_found",
       "no endpoint /v1/session/nope"},
      get("no such endpoint", "/v1/nothing", 404, "not_found",
          "no endpoint /v1/nothing (see docs/api.md)"),
      get("no such application", "/v1/grants/2099-LUM-01", 404, "not_found",
          "no application 2099-LUM-01 as of ..."),
      // Signed reads.
      {"read unsigned",
       "GET",
       budget,
       "",
       {},
       401,
       "refused",
       "reads must be signed by an enrolled key (headers X-Fouledger-Key-Id, -Timestamp, -Nonce, "
       "-Signature; see docs/api.md)"},
      {"key id not hex", "GET", budget, "", with(ok_headers, server::kKeyIdHeader, "xyz"), 401,
       "refused", "X-Fouledger-Key-Id must be 64 hex digits"},
      {"nonce too short", "GET", budget, "", with(ok_headers, server::kNonceHeader, "abc"), 401,
       "refused", "X-Fouledger-Nonce must be 32 to 64 lower-case hex digits"},
      {"timestamp not RFC 3339", "GET", budget, "",
       with(ok_headers, server::kTimestampHeader, "yesterday"), 401, "refused",
       "X-Fouledger-Timestamp must be an RFC 3339 time (2026-11-23T10:15:00Z)"},
      {"timestamp ten minutes old", "GET", budget, "", stale, 401, "refused",
       "request timestamp ..."},
      {"signature header not base64", "GET", budget, "",
       with(ok_headers, server::kSignatureHeader, "!!!!"), 401, "refused",
       "X-Fouledger-Signature must be a base64 Ed25519 signature"},
      {"reader never enrolled", "GET", budget, "", signed_by(stranger, budget), 401, "refused",
       "key <hex> is not enrolled in this ledger"},
      {"reader revoked", "GET", budget, "", signed_by(gone, budget), 403, "refused",
       "key <hex> was revoked at entry " + revoked},
      {"signature for another request", "GET", "/v1/budget?year=2022", "", ok_headers, 401,
       "refused", "request signature does not verify with key <hex>"},
      {"replayed request", "GET", budget, "", replayed, 401, "refused",
       "request nonce <hex>.. was already used: a replayed request is refused"},
      {"session cookie unknown",
       "GET",
       budget,
       "",
       {{"Cookie", "fouledger_session=abc"}},
       401,
       "refused",
       "the session has ended (after 3600 s at most); run `fouledger login` again"},
      // Query parameters (signed reads).
      get("malformed percent-encoding", "/v1/budget%zz?year=2021", 400, "invalid_argument",
          "malformed percent-encoding in the request target"),
      get("parameter given twice", "/v1/budget?year=2021&year=2022", 400, "invalid_argument",
          "query parameter 'year' is given twice"),
      get("parameter value over 256 bytes", "/v1/budget?year=" + std::string(300, '1'), 400,
          "invalid_argument", "query parameters are limited to 16 of 256 bytes each"),
      get("misspelt parameter", "/v1/budget?year=2021&asof=2021-01-01", 400, "invalid_argument",
          "unknown query parameter 'asof' for /v1/budget"),
      get("required parameter missing", "/v1/budget", 400, "invalid_argument",
          "query parameter 'year' is required"),
      get("parameter not a number", "/v1/budget?year=tjugo", 400, "invalid_argument",
          "query parameter 'year' must be a whole number, not 'tjugo'"),
      get("year out of range", "/v1/budget?year=3000", 400, "invalid_argument",
          "year must be within 1900..2999, not 3000"),
      get("boolean parameter", "/v1/repayments?year=2021&overdue=maybe", 400, "invalid_argument",
          "query parameter 'overdue' is true or false, not 'maybe'"),
      get("unknown format", "/v1/budget?year=2021&format=xml", 400, "invalid_argument",
          "format is text, json, csv or rfc4180, not 'xml'"),
      get("as_of not a date", "/v1/budget?year=2021&as_of=2021-02-30", 400, "invalid_argument",
          "as_of: date 2021-02-30 is not a calendar date"),
      get("known_at not a time", "/v1/budget?year=2021&known_at=igår", 400, "invalid_argument",
          "known_at: time 'igår' is neither a date (2021-07-01) nor an RFC 3339 time "
          "(2021-07-01T12:00:00Z)"),
      get("inclusion beyond the tree", "/v1/proofs/inclusion?seq=999", 400, "invalid_argument",
          "entry 999 is not in a tree of size " + std::to_string(s.f.ledger->size())),
      get("consistency from 0", "/v1/proofs/consistency?size1=0", 400, "invalid_argument",
          "consistency needs 0 < size1 <= size2"),
      get("application id over 64 bytes", "/v1/grants/" + long_id, 400, "invalid_argument",
          "an application id is 1 to 64 bytes"),
      get("pages' grants without a year", "/v1/grants", 400, "invalid_argument",
          "year must be within 1900..2999, not ''"),
      // Sign-in for the pages (docs/web.md).
      {"sign-in body",
       "POST",
       "/v1/session",
       "{}",
       {},
       400,
       "invalid_argument",
       "the body must be {\"keyId\": hex, \"challenge\": hex, \"signature\": base64}"},
      {"sign-in key id not hex",
       "POST",
       "/v1/session",
       json{{"keyId", "xyz"}, {"challenge", "00"}, {"signature", signature_b64}}.dump(),
       {},
       401,
       "refused",
       "keyId must be 64 hex digits and signature a base64 Ed25519 signature"},
      {"sign-in with an unknown challenge",
       "POST",
       "/v1/session",
       json{{"keyId", ToHex(s.f.controller.key_id())},
            {"challenge", "00"},
            {"signature", signature_b64}}
           .dump(),
       {},
       401,
       "refused",
       "the challenge is unknown, used or older than 120 s; ask for a new one"},
      {"session opened from another site",
       "POST",
       "/v1/session/open",
       "{\"token\": \"00\"}",
       {{"Origin", "https://evil.example"}},
       403,
       "refused",
       "a session is opened only from this server's own login page"},
      {"session open body",
       "POST",
       "/v1/session/open",
       "[]",
       {},
       400,
       "invalid_argument",
       "the body must be {\"token\": hex}"},
      {"unknown login link",
       "POST",
       "/v1/session/open",
       "{\"token\": \"00\"}",
       {},
       401,
       "refused",
       "this login link is unknown, used or older than 120 s; run `fouledger login` again"},
  };

  const uint64_t size = s.f.ledger->size();
  for (const HttpCase& c : cases) {
    SCOPED_TRACE(c.what);
    int status = 0;
    std::string reply_body;
    if (c.method.empty()) {
      const std::string raw = RawExchange(s.server->port(), c.body);
      status = StatusOf(raw);
      const size_t at = raw.find("\r\n\r\n");
      reply_body = at == std::string::npos ? "" : raw.substr(at + 4);
    } else {
      auto r = client->Request(c.method, c.target, c.body, c.headers);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      status = r->status;
      reply_body = r->body;
    }
    EXPECT_EQ(status, c.status) << reply_body;
    const json j = json::parse(reply_body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("message") && j["message"].is_string()) << reply_body;
    EXPECT_EQ(j.value("error", ""), c.error);
    const std::string message = Normalize(j["message"].get<std::string>());
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    if (c.message.size() > 3 && c.message.substr(c.message.size() - 3) == "...") {
      EXPECT_EQ(message.rfind(c.message.substr(0, c.message.size() - 3), 0), 0u) << message;
    } else {
      EXPECT_EQ(message, c.message);
    }
    EXPECT_EQ(s.f.ledger->size(), size) << "nothing may be appended";
  }
  EXPECT_EQ(cases.size(), 58u);
}

}  // namespace
}  // namespace fouledger::testing
