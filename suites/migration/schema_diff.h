// The readable difference between two schema snapshots: what a person needs
// to see to know what a down forgot or what someone changed by hand.
#pragma once

#include <string>
#include <vector>

#include "suites/migration/schema_snapshot.h"

namespace greenlight {

struct SchemaChange {
  enum Kind { added, removed, changed } kind;
  std::string object;  // "index users_email_idx", "column users.nickname"
  std::string detail;  // for changed: "type: integer -> bigint; nullable: yes -> no"
};

// Changes that turn `from` into `to`, ordered by object kind then name.
std::vector<SchemaChange> diff_schema(const SchemaSnapshot& from, const SchemaSnapshot& to);

// One line per change: "+ index users_email_idx (CREATE INDEX ...)",
// "- column users.nickname (text, nullable)", "~ column users.email: type: text -> varchar(100)".
// `from_label`/`to_label` name the sides in a header line ("before up", "after down").
std::string format_diff(const std::vector<SchemaChange>& changes, const std::string& from_label,
                        const std::string& to_label);

}  // namespace greenlight
