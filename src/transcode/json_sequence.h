#pragma once

// Splits a request body that arrives in pieces into the JSON objects it
// carries, each handed out as soon as its last byte is in, for a
// client-streaming call: one object is one request message.
//
// Two shapes, told apart by the body's first byte that is not whitespace:
// - newline-delimited JSON (NDJSON, JSON Lines): objects one after another,
//   separated by newlines (any JSON whitespace is accepted between them);
// - one JSON array of objects: `[{...}, {...}]`, `[]` for none.
// Only the framing is checked here (strings and their escapes, the nesting
// of braces and brackets that finds an object's end, the array's commas);
// each object's own syntax is the transcoder's, which parses it strictly.
//
// Memory: the unread rest of the pieces pushed so far plus the object being
// read; an object over max_object_bytes is an error, so a client cannot make
// the reader hold more than one piece and one object.
//
// Example:
//   JsonSequenceReader reader(4 << 20);
//   reader.Push(piece);
//   while (true) {
//     ASSIGN_OR_RETURN(std::optional<std::string> object, reader.Next());
//     if (!object) break;     // needs the next piece
//     Send(*object);
//   }
//   RETURN_IF_ERROR(reader.Finish());   // after the last piece
//
// Errors are INVALID_ARGUMENT (OUT_OF_RANGE for an object over the limit)
// and name the message ("message 3 at byte 120: ..."); after one, the reader
// stays failed. Not thread-safe: one request's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace protogate::transcode {

class JsonSequenceReader {
 public:
  explicit JsonSequenceReader(size_t max_object_bytes) : max_object_bytes_(max_object_bytes) {}

  // Appends the next piece of the body.
  void Push(absl::string_view piece);
  // The next whole object, or nullopt when the bytes pushed so far end
  // before one does.
  absl::StatusOr<std::optional<std::string>> Next();
  // The body has ended: fine unless an object or the array is still open.
  // Call once Next() has returned nullopt.
  absl::Status Finish();

  // Objects handed out so far.
  int64_t count() const { return count_; }
  // Bytes held: the unread rest as of the last Push, and that piece.
  size_t buffered_bytes() const { return pending_.size(); }

 private:
  enum class Shape { kUnknown, kLines, kArray };
  // Where an array stands between its objects.
  enum class ArrayState { kFirst, kAfterComma, kAfterObject, kClosed };

  absl::Status Fail(absl::Status status);
  absl::Status Problem(absl::string_view what) const;
  // Outside an object: whitespace, the array's punctuation, or the start of
  // the next object.
  absl::Status Between(char c);
  // Drops what has been handed out, so pending_ holds the unread rest only.
  void Compact();

  const size_t max_object_bytes_;
  std::string pending_;
  size_t consumed_ = 0;  // pending_[0, consumed_) is handed out or skipped
  size_t scan_ = 0;      // the next byte to look at
  int64_t base_ = 0;     // body offset of pending_[0]
  size_t object_start_ = 0;
  bool in_object_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  std::string closers_;  // what closes each brace or bracket open in the object
  Shape shape_ = Shape::kUnknown;
  ArrayState array_ = ArrayState::kFirst;
  int64_t count_ = 0;
  absl::Status failed_;
};

}  // namespace protogate::transcode
