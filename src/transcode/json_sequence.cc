#include "transcode/json_sequence.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace protogate::transcode {
namespace {

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

void JsonSequenceReader::Push(absl::string_view piece) {
  if (!failed_.ok()) return;
  Compact();
  pending_.append(piece.data(), piece.size());
}

void JsonSequenceReader::Compact() {
  if (consumed_ == 0) return;
  pending_.erase(0, consumed_);
  base_ += static_cast<int64_t>(consumed_);
  scan_ -= consumed_;
  object_start_ -= in_object_ ? consumed_ : object_start_;
  consumed_ = 0;
}

absl::Status JsonSequenceReader::Fail(absl::Status status) {
  failed_ = status;
  return status;
}

absl::Status JsonSequenceReader::Problem(absl::string_view what) const {
  return absl::InvalidArgumentError(absl::StrCat("request stream: message ", count_ + 1,
                                                 " at byte ", base_ + static_cast<int64_t>(scan_),
                                                 ": ", what));
}

absl::Status JsonSequenceReader::Between(char c) {
  if (IsJsonWhitespace(c)) return absl::OkStatus();
  if (shape_ == Shape::kUnknown) {
    shape_ = c == '[' ? Shape::kArray : Shape::kLines;
    if (shape_ == Shape::kArray) return absl::OkStatus();
  }
  if (shape_ == Shape::kArray) {
    switch (array_) {
      case ArrayState::kClosed:
        return Problem("bytes after the array's closing ]");
      case ArrayState::kAfterObject:
        if (c == ',') {
          array_ = ArrayState::kAfterComma;
          return absl::OkStatus();
        }
        if (c == ']') {
          array_ = ArrayState::kClosed;
          return absl::OkStatus();
        }
        return Problem("expected , or ] after a message");
      case ArrayState::kFirst:
        if (c == ']') {
          array_ = ArrayState::kClosed;
          return absl::OkStatus();
        }
        break;
      case ArrayState::kAfterComma:
        break;
    }
  }
  if (c != '{') return Problem("each message must be a JSON object");
  in_object_ = true;
  object_start_ = scan_;
  // Not `closers_ = "}"`: GCC 12 at -O2 misreads that assignment as an
  // overlapping copy (-Wrestrict).
  closers_.assign(1, '}');
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> JsonSequenceReader::Next() {
  if (!failed_.ok()) return failed_;
  for (; scan_ < pending_.size(); ++scan_) {
    const char c = pending_[scan_];
    if (!in_object_) {
      if (absl::Status between = Between(c); !between.ok()) return Fail(between);
      if (!in_object_) consumed_ = scan_ + 1;
      continue;
    }
    if (scan_ - object_start_ >= max_object_bytes_) {
      return Fail(absl::OutOfRangeError(absl::StrCat("request stream: message ", count_ + 1,
                                                     " exceeds ", max_object_bytes_, " bytes")));
    }
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      closers_.push_back(c == '{' ? '}' : ']');
    } else if (c == '}' || c == ']') {
      if (c != closers_.back()) {
        return Fail(Problem(absl::StrCat("`", std::string(1, c), "` where `",
                                         std::string(1, closers_.back()), "` closes")));
      }
      closers_.pop_back();
      if (!closers_.empty()) continue;
      std::string object = pending_.substr(object_start_, scan_ + 1 - object_start_);
      in_object_ = false;
      consumed_ = ++scan_;
      ++count_;
      if (shape_ == Shape::kArray) array_ = ArrayState::kAfterObject;
      return std::optional<std::string>(std::move(object));
    }
  }
  return std::optional<std::string>();
}

absl::Status JsonSequenceReader::Finish() {
  if (!failed_.ok()) return failed_;
  if (in_object_) return Fail(Problem("the body ended inside the message"));
  if (shape_ == Shape::kArray && array_ != ArrayState::kClosed) {
    return Fail(Problem("the body ended before the array's closing ]"));
  }
  return absl::OkStatus();
}

}  // namespace protogate::transcode
