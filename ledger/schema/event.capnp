@0x9967b3908c40e837;
# fouledger's event schema. Every field is documented in docs/events.md.
#
# Two layers:
#  - Event: what an author writes and signs. The signature covers the canonical
#    Cap'n Proto bytes of the Event (capnp::canonicalize: one segment, no segment table).
#  - Entry: what the ledger stores. It wraps the Event's exact signed bytes and the
#    signature, and adds the sequence number, the recorded-at time and the previous
#    entry's hash. The Entry's canonical bytes are the Merkle leaf.
#
# Rules for changing this file: never renumber or retype a field; add new fields
# and new union members at the end. Old entries must keep verifying forever.

using Cxx = import "/capnp/c++.capnp";
using Json = import "/capnp/compat/json.capnp";
$Cxx.namespace("fouledger::schema");

enum Programme {
  unspecified @0;  # never valid in an event; catches a missing field
  lum @1;          # lokala utvecklingsmedel: local development project funds
  mul @2;          # medel för utveckling och lärande: study visits and trips
}

enum Role {
  unspecified @0;
  admin @1;        # keys and units
  board @2;        # socialnämnden: year rules, appropriations, decisions
  office @3;       # socialförvaltningen's FoU staff: payouts, reviews, repayments received
  unit @4;         # a district administration: applications, reports, repayment notices
  controller @5;   # reads only
  auditor @6;      # reads only
}

# Money is integer öre (1 kr = 100 öre), never floating point.
# Dates are calendar dates packed as YYYYMMDD (20210607); 0 means "not given".

struct Genesis {
  ledgerName @0 :Text;            # the checkpoint origin line, e.g. "fouledger/stockholm-sof"
  adminPublicKey @1 :Data $Json.hex;        # 32-byte raw Ed25519 public key of the first admin
  checkpointPublicKey @2 :Data $Json.hex;   # 32-byte raw Ed25519 public key that signs checkpoints
}

struct KeyEnroll {
  publicKey @0 :Data $Json.hex;             # 32-byte raw Ed25519 public key
  role @1 :Role;
  units @2 :List(Text);           # for role unit: the unit ids this key may act for
  holder @3 :Text;                # who holds the key (free text, optional)
}

struct KeyRevoke {
  keyId @0 :Data $Json.hex;                 # SHA-256 of the raw public key
  reason @1 :Text;
}

struct UnitAdd {
  unitId @0 :Text;                # short stable id, e.g. "hagersten-alvsjo"
  name @1 :Text;                  # display name, e.g. "Hägersten-Älvsjö"
  validFrom @2 :UInt32;           # YYYYMMDD the unit exists from (0: always)
  succeeds @3 :List(Text);        # unit ids it renames or merges
}

struct YearOpen {
  year @0 :UInt16;                # the funding year the rules apply to
  programme @1 :Programme;
  capOre @2 :Int64;               # LUM: per project-year; MUL: per trip
  maxPerUnit @3 :UInt16;          # grants of this programme one unit may have this year
  windowFrom @4 :UInt32;          # application window, inclusive
  windowTo @5 :UInt32;
  noticeBy @6 :UInt32;            # repayment notice deadline (0: none)
  maxYearsInRow @7 :UInt16;       # a project may be funded at most this many years in a row (0: no limit)
  criteria @8 :Text;              # the year's inriktning
  reportsForYear @9 :UInt16;      # approved-report rule: grants of this funding year need an approved report (0: year - 1)
  reportsBy @10 :UInt32;          # ... by this date (0: the decision date)
}

struct Appropriate {
  year @0 :UInt16;
  programme @1 :Programme;
  amountOre @2 :Int64;
  caseNumber @3 :Text;            # Dnr
}

struct Apply {
  applicationId @0 :Text;         # e.g. "2021-LUM-01"
  year @1 :UInt16;
  programme @2 :Programme;
  units @3 :List(Text);           # owner units; a joint project has several
  projectId @4 :Text;             # stable across years and title changes
  title @5 :Text;
  amountOre @6 :Int64;            # asked
  purpose @7 :Text;
}

struct Decide {
  applicationId @0 :Text;
  grantedOre @1 :Int64;           # 0 rejects; less than asked is a partial grant
  reason @2 :Text;
  caseNumber @3 :Text;
  override @4 :Text;              # non-empty: the board overrides a policy rule, and says why
}

struct Pay {
  applicationId @0 :Text;
  amountOre @1 :Int64;
  voucher @2 :Text;
}

struct ReportSubmit {
  applicationId @0 :Text;
  spentOre @1 :Int64;
  documentSha256 @2 :Data $Json.hex;        # SHA-256 of the report document (empty: none attached)
  documentName @3 :Text;
}

struct ReportReview {
  applicationId @0 :Text;
  approved @1 :Bool;              # false: returned for completion
  reason @2 :Text;
}

struct RepayNotice {
  applicationId @0 :Text;
  amountOre @1 :Int64;
}

struct RepayReceive {
  applicationId @0 :Text;
  amountOre @1 :Int64;
  voucher @2 :Text;
}

struct VoidEntry {
  seq @0 :UInt64;                 # the entry cancelled
  reason @1 :Text;
}

struct Correction {
  seq @0 :UInt64;                 # the entry this event replaces (same body kind)
  reason @1 :Text;
}

struct Event {
  clientEventId @0 :Data $Json.hex;         # 16 random bytes chosen by the author: a retry is recognised by it
  effectiveDate @1 :UInt32;       # business (valid) date, YYYYMMDD
  authorKeyId @2 :Data $Json.hex;           # SHA-256 of the author's raw public key
  correction :union {
    none @3 :Void;
    replaces @4 :Correction;
  }
  body :union {
    genesis @5 :Genesis;
    keyEnroll @6 :KeyEnroll;
    keyRevoke @7 :KeyRevoke;
    unitAdd @8 :UnitAdd;
    yearOpen @9 :YearOpen;
    appropriate @10 :Appropriate;
    apply @11 :Apply;
    decide @12 :Decide;
    pay @13 :Pay;
    reportSubmit @14 :ReportSubmit;
    reportReview @15 :ReportReview;
    repayNotice @16 :RepayNotice;
    repayReceive @17 :RepayReceive;
    voidEntry @18 :VoidEntry;
  }
}

struct Entry {
  seq @0 :UInt64;                 # 0-based, contiguous; equals the Merkle leaf index
  recordedAtMicros @1 :Int64;     # ledger clock, microseconds since the Unix epoch, never decreasing
  previousHash @2 :Data $Json.hex;          # leaf hash of entry seq-1 (32 zero bytes for seq 0)
  event @3 :Data $Json.hex;                 # the Event's canonical bytes exactly as signed
  signature @4 :Data $Json.hex;             # 64-byte Ed25519 signature over `event` by authorKeyId
}
