// Whether a migration runs inside one transaction, decided the way the tool
// that owns the files would run it, so that greenlight's rehearsal fails
// exactly where the real deploy would (e.g. golang-migrate sends a whole file
// as one multi-statement query, which PostgreSQL wraps in one implicit
// transaction, so CREATE INDEX CONCURRENTLY in it fails).
#pragma once

#include "harness/database.h"
#include "suites/migration/sources.h"

namespace greenlight {

// false when: the part opts out (dbmate transaction:false); the SQL manages
// transactions itself (BEGIN/COMMIT/START TRANSACTION at statement level); or,
// on PostgreSQL, it holds a statement that cannot run in a transaction
// (CREATE/DROP/REINDEX ... CONCURRENTLY, VACUUM, CREATE DATABASE, ALTER SYSTEM)
// and the tool runs such files outside one (Flyway detects them; greenlight
// runs plain files statement by statement). golang-migrate (more than one
// statement) and dbmate keep the transaction, and the statement fails.
bool runs_in_transaction(const SqlPart& part, Convention convention, Dialect dialect);

}  // namespace greenlight
