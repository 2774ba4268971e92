// Browser sessions of `fouledger serve`'s pages (server/src/web.h, docs/web.md): sign-in by a
// signed one-time challenge, the one-time link, the cookie's attributes, reads with the cookie,
// and refusal of keys never enrolled, wrong signatures, replays and revoked keys.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "ledger/event.h"
#include "server_fixture.h"
#include "web.h"  // server/src: the session logic itself, for what HTTP hides

namespace fouledger::testing {
namespace {

using nlohmann::json;

cli::HttpReply PostJson(cli::HttpClient& client, const std::string& path, const json& body) {
  auto r = client.Request("POST", path, body.dump(), {{"Content-Type", "application/json"}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : cli::HttpReply{};
}

// Challenge, signed by `key` (or by `signer` when given, to forge): the reply to POST /v1/session.
cli::HttpReply SignIn(cli::HttpClient& client, const SigningKey& key,
                      const SigningKey* signer = nullptr, std::string* challenge_out = nullptr) {
  const cli::HttpReply c = PostJson(client, "/v1/session/challenge", json::object());
  EXPECT_EQ(c.status, 200) << c.body;
  const std::string challenge = Json(c)["challenge"];
  if (challenge_out) *challenge_out = challenge;
  const SignatureBytes sig = (signer ? *signer : key).Sign(server::LoginMessage(challenge));
  return PostJson(
      client, "/v1/session",
      {{"keyId", ToHex(key.key_id())}, {"challenge", challenge}, {"signature", Base64Encode(sig)}});
}

// Opens the link's token on a raw connection (the test's HTTP client hides response headers);
// returns the whole raw response.
std::string Open(uint16_t port, const std::string& token, const std::string& origin = "") {
  const std::string body = json{{"token", token}}.dump();
  return RawExchange(
      port, "POST /v1/session/open HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" +
                (origin.empty() ? "" : "Origin: " + origin + "\r\n") +
                "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\nConnection: close\r\n\r\n" + body);
}

std::string SetCookie(const std::string& raw) {
  const size_t at = raw.find("Set-Cookie: ");
  if (at == std::string::npos) return {};
  return raw.substr(at + 12, raw.find("\r\n", at) - at - 12);
}

TEST(WebSessionTest, SignedChallengeGivesOneTimeLinkThenCookieReadsUntilRevoked) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  SigningKey auditor = SigningKey::Generate().value();
  ASSERT_EQ(Post(*client, s.f.Enroll(s.f.admin, auditor, schema::Role::AUDITOR)).status, 201);

  std::string challenge;
  const cli::HttpReply signed_in = SignIn(*client, auditor, nullptr, &challenge);
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string link = Json(signed_in)["link"];
  ASSERT_EQ(link.rfind("/ui/login#", 0), 0u) << link;
  const std::string token = link.substr(link.find('#') + 1);
  EXPECT_EQ(token.size(), 64u);
  // The token rides in the fragment: it is never in a request line, so never in the log.
  {
    std::lock_guard lock(s.log_mutex);
    for (const auto& line : s.log) EXPECT_EQ(line.find(token), std::string::npos) << line;
  }
  // A challenge is spent by its first use.
  const cli::HttpReply replay =
      PostJson(*client, "/v1/session",
               {{"keyId", ToHex(auditor.key_id())},
                {"challenge", challenge},
                {"signature", Base64Encode(auditor.Sign(server::LoginMessage(challenge)))}});
  EXPECT_EQ(replay.status, 401) << replay.body;

  // Another site's page cannot open the session.
  EXPECT_EQ(StatusOf(Open(s.server->port(), token, "https://evil.example")), 403);
  const std::string opened = Open(s.server->port(), token);
  ASSERT_EQ(StatusOf(opened), 200) << opened;
  const std::string cookie = SetCookie(opened);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "plain HTTP on loopback: " << cookie;
  const std::string pair = cookie.substr(0, cookie.find(';'));
  ASSERT_EQ(pair.rfind("fouledger_session=", 0), 0u) << cookie;
  // The link works once.
  EXPECT_EQ(StatusOf(Open(s.server->port(), token)), 401);

  // Reads with the cookie answer what signed reads answer.
  auto get = [&](const std::string& target, const std::string& cookie_pair) {
    auto r = client->Request("GET", target, "", {{"Cookie", "theme=dark; " + cookie_pair}});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : cli::HttpReply{};
  };
  const cli::HttpReply budget = get("/v1/budget?year=2021", pair);
  EXPECT_EQ(budget.status, 200) << budget.body;
  EXPECT_EQ(budget.body, s.SignedGet(auditor, "/v1/budget?year=2021").body);
  EXPECT_EQ(get("/v1/status", pair).status, 200);
  EXPECT_EQ(get("/v1/grants?year=2021", pair).status, 200);
  EXPECT_EQ(get("/v1/budget?year=2021", "fouledger_session=" + std::string(64, '0')).status, 401);
  EXPECT_EQ(client->Request("GET", "/v1/budget?year=2021", "", {})->status, 401);

  // Revoked: the very next read is refused, and the session is gone for good.
  {
    EventBuilder b(Date::Parse("2021-01-02").value());
    auto r = b.body().initKeyRevoke();
    r.setKeyId(kj::arrayPtr(auditor.key_id().data(), auditor.key_id().size()));
    r.setReason("lämnat");
    ASSERT_EQ(Post(*client, b.Sign(s.f.admin).value()).status, 201);
  }
  const cli::HttpReply after = get("/v1/budget?year=2021", pair);
  EXPECT_EQ(after.status, 403) << after.body;
  EXPECT_NE(after.body.find("revoked"), std::string::npos);
  // A revoked key cannot sign in again.
  EXPECT_EQ(SignIn(*client, auditor).status, 403);
}

TEST(WebSessionTest, StrangersAndForgedSignaturesAreRefused) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  SigningKey stranger = SigningKey::Generate().value();
  cli::HttpReply r = SignIn(*client, stranger);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("not enrolled"), std::string::npos);
  // The controller's key id with someone else's signature.
  r = SignIn(*client, s.f.controller, &stranger);
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_NE(r.body.find("does not verify"), std::string::npos);
  // A challenge the server never gave.
  r = PostJson(*client, "/v1/session",
               {{"keyId", ToHex(s.f.controller.key_id())},
                {"challenge", std::string(64, 'a')},
                {"signature",
                 Base64Encode(s.f.controller.Sign(server::LoginMessage(std::string(64, 'a'))))}});
  EXPECT_EQ(r.status, 401) << r.body;
  // The right key signs in.
  EXPECT_EQ(SignIn(*client, s.f.controller).status, 200);
}

TEST(WebSessionTest, PagesAndAssetsAreServedFromTheBinary) {
  ServedLedger s;
  s.Start();
  auto client = s.Client();
  auto page = client->Request("GET", "/ui/year?year=2021", "", {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("/ui/assets/app.js"), std::string::npos);
  auto script = client->Request("GET", "/ui/assets/app.js", "", {});
  ASSERT_TRUE(script.ok());
  EXPECT_EQ(script->status, 200);
  EXPECT_NE(script->body.find("rootFromInclusion"), std::string::npos);
  EXPECT_EQ(client->Request("GET", "/ui/assets/nothing.js", "", {})->status, 404);
  EXPECT_EQ(client->Request("GET", "/", "", {})->status, 303);
  // Nothing from elsewhere may load, run or frame the pages.
  const std::string raw = RawExchange(
      s.server->port(), "GET /ui/grants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(raw.find("Content-Security-Policy: default-src 'none'"), std::string::npos) << raw;
}

TEST(WebSessionTest, CookieIsSecureUnderTls) {
  LedgerFixture f;
  projections::Engine engine;
  f.SetUp(&engine);
  SigningKey auditor = SigningKey::Generate().value();
  f.MustAppend(f.Enroll(f.admin, auditor, schema::Role::AUDITOR));
  server::internal::Web web(
      f.ledger.get(),
      [&](const Hash256& id) -> std::optional<KeyRecord> {
        const KeyRecord* k = f.ledger->authority().FindKey(id);
        return k ? std::optional<KeyRecord>(*k) : std::nullopt;
      },
      [&](const projections::QueryTime& when) { return engine.At(when); }, SystemClock(),
      /*tls=*/true);
  auto call = [&](const std::string& path, const std::string& body) {
    server::internal::HttpRequest request;
    request.method = "POST";
    request.target = path;
    request.body = body;
    server::internal::HttpResponse response;
    EXPECT_TRUE(web.Handle(request, path,
                           [&](server::internal::HttpResponse r) { response = std::move(r); }));
    return response;
  };
  const std::string challenge = json::parse(call("/v1/session/challenge", "").body)["challenge"];
  const auto signed_in =
      call("/v1/session",
           json{{"keyId", ToHex(auditor.key_id())},
                {"challenge", challenge},
                {"signature", Base64Encode(auditor.Sign(server::LoginMessage(challenge)))}}
               .dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  const std::string link = json::parse(signed_in.body)["link"];
  const auto opened =
      call("/v1/session/open", json{{"token", link.substr(link.find('#') + 1)}}.dump());
  ASSERT_EQ(opened.status, 200) << opened.body;
  std::string cookie;
  for (const auto& [name, value] : opened.headers) {
    if (name == "Set-Cookie") cookie = value;
  }
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
}

}  // namespace
}  // namespace fouledger::testing
