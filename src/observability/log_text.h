#pragma once

// Escaping of text that goes into a log line. Parts of log lines are bytes a
// client sent (methods, paths, header values, credentials' claims); escaped,
// they can never end a line early, fake a field or a second line, or write
// invalid UTF-8 or terminal controls into the log.
//
//   control bytes      \n \r \t, others (and DEL) as \xNN
//   C1 controls, U+2028, U+2029   each UTF-8 byte as \xNN
//   invalid UTF-8      each offending byte as \xNN (so 0xFF reads "\xff")
//   backslash          \\   (kMessage, kQuoted: an escape is never ambiguous)
//   double quote       \"   (kQuoted only: the text stands between quotes)
//
// Everything else (printable ASCII, valid UTF-8) is copied as is.
//
// Example:
//   AppendLogEscaped("a\"b\n\xff", LogEscape::kQuoted, out);  // a\"b\n\xff
//
// Thread-safety: pure functions.

#include <string>

#include "absl/strings/string_view.h"

namespace protogate::observability {

enum class LogEscape {
  kLine,     // controls and invalid UTF-8 only: for text already escaped
  kMessage,  // plus backslash: free text
  kQuoted,   // plus backslash and double quote: a quoted field's value
};

void AppendLogEscaped(absl::string_view text, LogEscape mode, std::string& out);
std::string EscapeLogText(absl::string_view text, LogEscape mode);

}  // namespace protogate::observability
