// Web: the read-only pages of `fouledger serve` (docs/web.md) and the browser sessions behind
// them. The pages are static files embedded in the binary (server/web/, turned into a generated
// .cc at build time) that fetch the same /v1 reports the CLI prints, with a session cookie instead
// of a signed request.
//
// Sign-in never moves a private key: `fouledger login` asks for a one-time challenge
// (POST /v1/session/challenge), signs "fouledger-login-v1\n<challenge>\n" with the user's key and
// sends it (POST /v1/session); the answer is a one-time link /ui/login#<token> whose token sits in
// the fragment, so it reaches neither the server's log nor a Referer. The login page posts the
// token (POST /v1/session/open) and gets the session cookie: HttpOnly, SameSite=Strict, Secure
// under TLS. Every request made with the cookie checks again that the key is enrolled and not
// revoked, so a revocation shuts its sessions at once.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ledger/authority.h"
#include "ledger/date.h"
#include "ledger/ledger.h"
#include "projections/state.h"
#include "server/request_auth.h"  // LoginMessage
#include "service.h"

namespace fouledger::server::internal {

// A challenge must be signed and sent back within this time.
inline constexpr std::chrono::seconds kChallengeLifetime{120};
// A login link must be opened within this time, once.
inline constexpr std::chrono::seconds kLinkLifetime{120};
// A session ends this long after it started, whatever happens meanwhile.
inline constexpr std::chrono::seconds kSessionLifetime{3600};
// Open challenges, unopened links and sessions at once (each a few hundred bytes); when full of
// unexpired ones, new ones are refused with 503 rather than an old one forgotten early.
inline constexpr size_t kChallengesMax = 4096;
inline constexpr size_t kSessionsMax = 4096;
inline constexpr std::string_view kSessionCookie = "fouledger_session";

class Web {
 public:
  // A copy of the key's record (under whatever lock guards the Authority), or nullopt.
  using FindKey = std::function<std::optional<KeyRecord>(const Hash256&)>;
  // The projections' state at a point in time (under the engine's lock).
  using StateAt = std::function<projections::State(const projections::QueryTime&)>;

  Web(Ledger* ledger, FindKey find_key, StateAt state_at, Clock clock, bool tls);

  // Pages and assets (GET / and /ui/...) and the session endpoints (/v1/session...): true if
  // `path` is one of them, and then `respond` has been called.
  bool Handle(const HttpRequest& request, const std::string& path, const Respond& respond);

  // For a read without signed headers: true if the request carries a live session cookie of an
  // enrolled, unrevoked key (and sets the key's short id); false with the refusal otherwise.
  bool Authenticate(const HttpRequest& request, HttpResponse* refusal, std::string* key_id);

  // Reads only the pages need (grant list, trail, anomalies, status): true if handled.
  bool HandleRead(const std::string& path, const std::map<std::string, std::string>& query,
                  const std::string& key_id, const Respond& respond);

 private:
  struct Pending {
    Instant expires;
    Hash256 key_id{};  // for links and sessions
  };
  HttpResponse Challenge();
  HttpResponse SignIn(const HttpRequest& request);
  HttpResponse Open(const HttpRequest& request);
  HttpResponse SignOut(const HttpRequest& request);
  // Drops what has expired; caller holds mutex_.
  void Expire(Instant now);
  std::string CookieToken(const HttpRequest& request) const;
  std::string Cookie(const std::string& token, int64_t max_age_s) const;

  Ledger* const ledger_;
  const FindKey find_key_;
  const StateAt state_at_;
  const Clock clock_;
  const bool tls_;

  std::mutex mutex_;
  std::map<std::string, Pending> challenges_;  // hex challenge ->
  std::map<std::string, Pending> links_;       // hex token -> key
  std::map<std::string, Pending> sessions_;    // hex token -> key
};

}  // namespace fouledger::server::internal
