// Secrets never reach an output: registered values and DSN passwords are masked.
#include <catch2/catch.hpp>

#include "harness/redactor.h"

using namespace greenlight;

TEST_CASE("registered secrets are replaced everywhere", "[secrets]") {
  Redactor r;
  r.add("tok-123456");
  CHECK(r.redact("Authorization: Bearer tok-123456, again tok-123456") ==
        "Authorization: Bearer [redacted], again [redacted]");
  CHECK(r.redact("nothing secret here") == "nothing secret here");
}

TEST_CASE("very short values are not treated as secrets", "[secrets]") {
  Redactor r;
  r.add("1");
  CHECK(r.redact("HTTP 201") == "HTTP 201");
}

TEST_CASE("DSN passwords are found and masked", "[secrets]") {
  CHECK(dsn_password("postgresql://app:pw%40x@127.0.0.1:5432/app") == "pw%40x");
  CHECK(dsn_password("postgresql://app@127.0.0.1/app") == "");
  CHECK(dsn_password("sqlite:///var/lib/app.db") == "");
  CHECK(redact_dsn("postgresql://app:hunter22@db/app") == "postgresql://app:***@db/app");
  CHECK(redact_dsn("postgresql://app:app@db/app") == "postgresql://app:***@db/app");  // only the password
  CHECK(dsn_password("postgresql://app@127.0.0.1:5432/app") == "");
}

TEST_CASE("DSN passwords in a URI's query and in libpq's keyword form are masked too", "[secrets]") {
  CHECK(dsn_password("postgresql://app@db/app?sslmode=disable&password=s3cret-q") == "s3cret-q");
  CHECK(redact_dsn("postgresql://app@db/app?password=s3cret-q&sslmode=disable") ==
        "postgresql://app@db/app?password=***&sslmode=disable");
  CHECK(dsn_password("postgresql://db/app?application_name=nopassword=x") == "");  // not a key of its own
  CHECK(dsn_password("host=db user=app password=kw-secret dbname=app") == "kw-secret");
  CHECK(redact_dsn("host=db password=kw-secret dbname=app") == "host=db password=*** dbname=app");
  CHECK(dsn_password("password='two words' host=db") == "two words");
  CHECK(redact_dsn("host=db password='it\\'s' dbname=app") == "host=db password='***' dbname=app");
  CHECK(dsn_password("host=db user=app dbname=app") == "");
}

TEST_CASE("a secret containing another is redacted whole", "[secrets]") {
  Redactor r;
  r.add("wxyz");    // sorts after the longer one: order by length, not by text
  r.add("awxyzb");
  CHECK(r.redact("token awxyzb and wxyz") == "token [redacted] and [redacted]");
}
