// pg_bench: the ledger's storage work done in PostgreSQL instead, for benchmark 2 (bench/run
// starts a throwaway cluster and passes its socket). Each row is an entry: seq, a unique client
// event id, the previous hash, its own hash (a client-side SHA-256 chain over the body) and a
// body of the size of a stored entry. Synchronous commit, fsync on (PostgreSQL's defaults).
//
//   pg_bench CONNINFO N single     one row per transaction
//   pg_bench CONNINFO N batch      1000 rows per transaction, one round trip per row
//   pg_bench CONNINFO N pipeline   1000 rows per transaction, libpq pipeline mode
// Output: "rows_per_s X".
#include <libpq-fe.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr size_t kBatchRows = 1000;
constexpr size_t kBodyBytes = 300;  // about a stored entry

[[noreturn]] void Die(const std::string& what, PGconn* conn) {
  std::fprintf(stderr, "pg_bench: %s: %s\n", what.c_str(), conn ? PQerrorMessage(conn) : "");
  std::exit(3);
}

void Exec(PGconn* conn, const char* sql) {
  PGresult* r = PQexec(conn, sql);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) Die(sql, conn);
  PQclear(r);
}

struct Row {
  std::string seq;  // text
  unsigned char client_id[16];
  unsigned char previous[32];
  unsigned char hash[32];
  std::string body;
};

const char* kInsert =
    "INSERT INTO entries (seq, client_id, previous_hash, hash, body) VALUES ($1, $2, $3, $4, $5)";

void Params(const Row& row, const char* values[5], int lengths[5], int formats[5]) {
  values[0] = row.seq.c_str();
  lengths[0] = 0;
  formats[0] = 0;
  values[1] = reinterpret_cast<const char*>(row.client_id);
  lengths[1] = 16;
  values[2] = reinterpret_cast<const char*>(row.previous);
  lengths[2] = 32;
  values[3] = reinterpret_cast<const char*>(row.hash);
  lengths[3] = 32;
  values[4] = row.body.data();
  lengths[4] = static_cast<int>(row.body.size());
  for (int i = 1; i < 5; ++i) formats[i] = 1;  // binary bytea
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: pg_bench CONNINFO N single|batch|pipeline\n");
    return 2;
  }
  const size_t n = std::strtoull(argv[2], nullptr, 10);
  const std::string mode = argv[3];
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) Die("connect", conn);
  Exec(conn, "DROP TABLE IF EXISTS entries");
  Exec(conn,
       "CREATE TABLE entries (seq bigint PRIMARY KEY, client_id bytea NOT NULL UNIQUE, "
       "previous_hash bytea NOT NULL, hash bytea NOT NULL, body bytea NOT NULL)");
  Exec(conn, "SET synchronous_commit = on");

  std::mt19937_64 random(1);
  std::vector<Row> rows(n);
  for (size_t i = 0; i < n; ++i) {
    rows[i].seq = std::to_string(i);
    for (auto& b : rows[i].client_id) b = static_cast<unsigned char>(random());
    rows[i].body.resize(kBodyBytes);
    for (auto& c : rows[i].body) c = static_cast<char>(random());
  }
  const auto start = std::chrono::steady_clock::now();
  unsigned char previous[32] = {};
  auto chain = [&](Row& row) {  // client-side SHA-256 chain, computed as the rows are sent
    std::memcpy(row.previous, previous, 32);
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, previous, 32);
    SHA256_Update(&ctx, row.body.data(), row.body.size());
    SHA256_Final(row.hash, &ctx);
    std::memcpy(previous, row.hash, 32);
  };
  const char* values[5];
  int lengths[5];
  int formats[5];
  if (mode == "single" || mode == "batch") {
    for (size_t i = 0; i < n; ++i) {
      if (mode == "batch" && i % kBatchRows == 0) Exec(conn, "BEGIN");
      chain(rows[i]);
      Params(rows[i], values, lengths, formats);
      PGresult* r = PQexecParams(conn, kInsert, 5, nullptr, values, lengths, formats, 0);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) Die("insert", conn);
      PQclear(r);
      if (mode == "batch" && (i % kBatchRows == kBatchRows - 1 || i + 1 == n)) Exec(conn, "COMMIT");
    }
  } else if (mode == "pipeline") {
    if (PQenterPipelineMode(conn) != 1) Die("pipeline mode", conn);
    for (size_t first = 0; first < n; first += kBatchRows) {
      const size_t last = std::min(n, first + kBatchRows);
      if (!PQsendQueryParams(conn, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0))
        Die("send", conn);
      for (size_t i = first; i < last; ++i) {
        chain(rows[i]);
        Params(rows[i], values, lengths, formats);
        if (!PQsendQueryParams(conn, kInsert, 5, nullptr, values, lengths, formats, 0)) {
          Die("send", conn);
        }
      }
      if (!PQsendQueryParams(conn, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0))
        Die("send", conn);
      if (!PQpipelineSync(conn)) Die("sync", conn);
      // Read every result up to the sync: the COMMIT's success is the acknowledgement.
      for (;;) {
        PGresult* r = PQgetResult(conn);
        if (r == nullptr) continue;  // end of one query's results
        const ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC) break;
        if (st != PGRES_COMMAND_OK) Die("pipelined statement", conn);
      }
    }
    PQexitPipelineMode(conn);
  } else {
    Die("unknown mode " + mode, nullptr);
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("rows_per_s %.6g\n", static_cast<double>(n) / s);
  PQfinish(conn);
  return 0;
}
