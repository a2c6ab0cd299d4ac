#include "observability/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace protogate::observability {
namespace {

// Shortest text that reads back as the same double (0.0025, not
// 0.0025000000000000001), with Prometheus' spellings of the infinities.
std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

void AppendSample(absl::string_view name, absl::string_view labels, absl::string_view value,
                  std::string& out) {
  absl::StrAppend(&out, name);
  if (!labels.empty()) absl::StrAppend(&out, "{", labels, "}");
  absl::StrAppend(&out, " ", value, "\n");
}

std::string EscapeHelp(absl::string_view help) {
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

const std::vector<double>& LatencyBuckets() {
  static const auto* const kBuckets = new std::vector<double>{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *kBuckets;
}

std::string EscapeLabelValue(absl::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

void Counter::AppendSamples(absl::string_view name, absl::string_view labels,
                            std::string& out) const {
  AppendSample(name, labels, absl::StrCat(value()), out);
}

void Gauge::AppendSamples(absl::string_view name, absl::string_view labels,
                          std::string& out) const {
  AppendSample(name, labels, FormatDouble(value()), out);
}

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // Bucket i holds values in (bound[i-1], bound[i]]; the last one is +Inf.
  const auto bucket = std::lower_bound(bounds_->begin(), bounds_->end(), value) - bounds_->begin();
  buckets_[static_cast<size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> counts(bounds_->size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    counts[i] = running;
  }
  return counts;
}

void Histogram::AppendSamples(absl::string_view name, absl::string_view labels,
                              std::string& out) const {
  const std::vector<uint64_t> counts = CumulativeCounts();
  const std::string bucket_name = absl::StrCat(name, "_bucket");
  const absl::string_view comma = labels.empty() ? "" : ",";
  for (size_t i = 0; i < counts.size(); ++i) {
    const std::string le = i < bounds_->size() ? FormatDouble((*bounds_)[i]) : "+Inf";
    AppendSample(bucket_name, absl::StrCat(labels, comma, "le=\"", le, "\""),
                 absl::StrCat(counts[i]), out);
  }
  AppendSample(absl::StrCat(name, "_sum"), labels, FormatDouble(sum()), out);
  AppendSample(absl::StrCat(name, "_count"), labels, absl::StrCat(counts.back()), out);
}

void MetricFamily::RenderHeader(absl::string_view type, std::string& out) const {
  absl::StrAppend(&out, "# HELP ", name_, " ", EscapeHelp(help_), "\n");
  absl::StrAppend(&out, "# TYPE ", name_, " ", type, "\n");
}

std::string MetricFamily::LabelText(const LabelValues& values) const {
  std::string text;
  for (size_t i = 0; i < label_names_.size() && i < values.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "" : ",", label_names_[i], "=\"", EscapeLabelValue(values[i]),
                    "\"");
  }
  return text;
}

template <typename Series>
Family<Series>& Registry::Add(std::string name, std::string help,
                              std::vector<std::string> label_names, std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<MetricFamily>& family = families_[name];
  if (family == nullptr) {
    // Called without the family's mutex, so the lock order stays registry →
    // family, as in Render().
    auto on_fold = [this, family_name = name] { CountFold(family_name); };
    family =
        std::make_unique<Family<Series>>(std::move(name), std::move(help), std::move(label_names),
                                         std::move(bounds), max_series_, std::move(on_fold));
  }
  return dynamic_cast<Family<Series>&>(*family);
}

void Registry::CountFold(const std::string& family) {
  if (family == kSeriesDroppedMetric) return;  // its own overflow: no recursion
  Family<Counter>& dropped = AddCounter(
      kSeriesDroppedMetric,
      "Lookups of a new label set folded into the family's overflow series (all labels OTHER) "
      "because the family was at its series cap.",
      {"family"});
  dropped.WithLabels({family}).Increment();
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<std::string> label_names) {
  return Add<Counter>(std::move(name), std::move(help), std::move(label_names), {});
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  return Add<Gauge>(std::move(name), std::move(help), std::move(label_names), {});
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds) {
  std::sort(bounds.begin(), bounds.end());
  return Add<Histogram>(std::move(name), std::move(help), std::move(label_names),
                        std::move(bounds));
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(out);
  return out;
}

CodeCounters::CodeCounters(Family<Counter>* family, LabelValues fixed, int max_code, CodeName name)
    : family_(family),
      fixed_(std::move(fixed)),
      name_(name),
      max_code_(max_code),
      slots_(new std::atomic<Counter*>[static_cast<size_t>(max_code) + 1]) {
  for (int i = 0; i <= max_code_; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

Counter& CodeCounters::For(int code) {
  if (code < 0 || code > max_code_) return Lookup(code);
  std::atomic<Counter*>& slot = slots_[static_cast<size_t>(code)];
  // Acquire pairs with the release below: a counter created on another
  // thread is seen whole. Two threads may both look it up; both get the same.
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &Lookup(code);
    slot.store(counter, std::memory_order_release);
  }
  return *counter;
}

Counter& CodeCounters::Lookup(int code) {
  LabelValues values = fixed_;
  values.push_back(name_(code));
  return family_->WithLabels(values);
}

}  // namespace protogate::observability
