#pragma once

// Metrics in the Prometheus text exposition format (0.0.4): counters, gauges
// and histograms grouped in labelled families, held by a Registry that
// renders them all.
//
// A series (one family, one set of label values) is created once, under the
// family's mutex, and then lives as long as the registry: callers on a hot
// path look it up once and keep the reference. Updating it is a few relaxed
// atomic operations, never a lock.
//
// Example:
//   Registry registry;
//   Family<Counter>& requests = registry.AddCounter("app_requests_total", "Requests.", {"code"});
//   Counter& ok = requests.WithLabels({"200"});   // once; keep the reference
//   ok.Increment();                                 // per request
//   std::string page = registry.Render();
//
// Output is deterministic: families sorted by name, series by label values
// (in the order of the family's label names).
//
// Bounded: a family holds at most `max_series` series (the registry's, 10000
// by default). Past it, a new set of label values folds into one overflow
// series whose every label value is "OTHER", and the registry counts the
// fold in protogate_metric_series_dropped_total{family="<name>"} (a family
// that appears on the first fold). Label values a client can choose must
// still be bounded by the caller (unknown → "OTHER"): the cap is the last
// line of defence, not the design.
//
// Thread-safety: everything may be called from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace protogate::observability {

using LabelValues = std::vector<std::string>;

// The Content-Type of Registry::Render's output.
inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Latency buckets in seconds, from 1ms to 10s.
const std::vector<double>& LatencyBuckets();

// The label value of every label of a family's overflow series, and what a
// caller writes for a value it does not recognise.
inline constexpr char kOtherLabelValue[] = "OTHER";

// Series per family unless the Registry is told otherwise.
inline constexpr size_t kDefaultMaxSeriesPerFamily = 10000;

// The counter of folds into overflow series, labelled by family name.
inline constexpr char kSeriesDroppedMetric[] = "protogate_metric_series_dropped_total";

class Counter {
 public:
  static constexpr char kType[] = "counter";

  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

  void AppendSamples(absl::string_view name, absl::string_view labels, std::string& out) const;

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  static constexpr char kType[] = "gauge";

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

  void AppendSamples(absl::string_view name, absl::string_view labels, std::string& out) const;

 private:
  std::atomic<double> value_{0};
};

// Counts observations per bucket (each one once, in the first bucket whose
// upper bound is >= the value) and sums them; the cumulative counts and
// _count are derived when rendering, so they always agree with each other.
class Histogram {
 public:
  static constexpr char kType[] = "histogram";

  // `bounds`: sorted upper bounds without +Inf; must outlive the histogram.
  explicit Histogram(const std::vector<double>* bounds);

  void Observe(double value);

  // Per bucket, cumulative; the last is +Inf and equals count().
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t count() const { return CumulativeCounts().back(); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

  void AppendSamples(absl::string_view name, absl::string_view labels, std::string& out) const;

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_->size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// What every family shares: name, help, label names; renders itself.
class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  const std::string& name() const { return name_; }
  // HELP and TYPE lines, then every series' samples.
  virtual void Render(std::string& out) const = 0;

 protected:
  MetricFamily(std::string name, std::string help, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}
  void RenderHeader(absl::string_view type, std::string& out) const;
  // `a="x",b="y"`, escaped; empty without labels.
  std::string LabelText(const LabelValues& values) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
};

template <typename Series>
class Family final : public MetricFamily {
 public:
  // `on_fold` (may be empty) is called, without the family's mutex, each
  // time a lookup folds into the overflow series.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {}, size_t max_series = kDefaultMaxSeriesPerFamily,
         std::function<void()> on_fold = nullptr)
      : MetricFamily(std::move(name), std::move(help), std::move(label_names)),
        bounds_(std::move(bounds)),
        max_series_(max_series),
        on_fold_(std::move(on_fold)) {}

  // The series for `values` (one per label name, in order), created on first
  // use; once the family holds max_series series, a new `values` gets the
  // overflow series instead (see the file comment). Takes the family's
  // mutex: keep the reference rather than calling this per event. The series
  // lives as long as the registry.
  Series& WithLabels(const LabelValues& values) {
    Series* found = nullptr;
    {
      absl::MutexLock lock(&mu_);
      auto it = series_.find(values);
      if (it != series_.end()) return *it->second;
      if (series_.size() < max_series_) {
        std::unique_ptr<Series>& series = series_[values];
        series = MakeSeries();
        return *series;
      }
      std::unique_ptr<Series>& overflow =
          series_[LabelValues(label_names_.size(), kOtherLabelValue)];
      if (overflow == nullptr) overflow = MakeSeries();
      found = overflow.get();
    }
    if (on_fold_) on_fold_();
    return *found;
  }

  void Render(std::string& out) const override {
    RenderHeader(Series::kType, out);
    absl::MutexLock lock(&mu_);
    for (const auto& [values, series] : series_)
      series->AppendSamples(name_, LabelText(values), out);
  }

 private:
  std::unique_ptr<Series> MakeSeries() const {
    if constexpr (std::is_same_v<Series, Histogram>) {
      return std::make_unique<Histogram>(&bounds_);
    } else {
      return std::make_unique<Series>();
    }
  }

  const std::vector<double> bounds_;  // histograms only
  const size_t max_series_;
  const std::function<void()> on_fold_;
  mutable absl::Mutex mu_;
  std::map<LabelValues, std::unique_ptr<Series>> series_ ABSL_GUARDED_BY(mu_);
};

// Owns the families. Each name is added once (a second Add with the same
// name returns the family already there; it must be of the same kind).
class Registry {
 public:
  // `max_series_per_family` bounds every family added (see the file comment).
  explicit Registry(size_t max_series_per_family = kDefaultMaxSeriesPerFamily)
      : max_series_(max_series_per_family) {}

  Family<Counter>& AddCounter(std::string name, std::string help,
                              std::vector<std::string> label_names);
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<std::string> label_names);
  Family<Histogram>& AddHistogram(std::string name, std::string help,
                                  std::vector<std::string> label_names, std::vector<double> bounds);

  // Every family, sorted by name, in the text exposition format.
  std::string Render() const;

 private:
  template <typename Series>
  Family<Series>& Add(std::string name, std::string help, std::vector<std::string> label_names,
                      std::vector<double> bounds);
  // One more fold into `family`'s overflow series.
  void CountFold(const std::string& family);

  const size_t max_series_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_ ABSL_GUARDED_BY(mu_);
};

// The counters of one family that differ only in their last label, a small
// integer code (an HTTP status, a gRPC code): each is looked up under the
// family's mutex the first time its code is seen, and without a lock after
// that. Codes outside [0, max_code] still count, through the locked path.
//
// Example:
//   CodeCounters requests(&family, {"GET"}, 599, [](int c) { return absl::StrCat(c); });
//   requests.For(404).Increment();
class CodeCounters {
 public:
  using CodeName = std::string (*)(int code);

  CodeCounters(Family<Counter>* family, LabelValues fixed, int max_code, CodeName name);

  Counter& For(int code);

 private:
  Counter& Lookup(int code);

  Family<Counter>* family_;
  const LabelValues fixed_;
  const CodeName name_;
  const int max_code_;
  std::unique_ptr<std::atomic<Counter*>[]> slots_;  // max_code_ + 1
};

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(absl::string_view value);

}  // namespace protogate::observability
