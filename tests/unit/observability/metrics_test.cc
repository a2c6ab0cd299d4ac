#include "observability/metrics.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace protogate::observability {
namespace {

TEST(MetricsTest, CounterRendersWithHelpTypeAndLabels) {
  Registry registry;
  Family<Counter>& requests =
      registry.AddCounter("app_requests_total", "Requests served.", {"method", "code"});
  requests.WithLabels({"GET", "200"}).Increment();
  requests.WithLabels({"GET", "200"}).Increment(2);
  EXPECT_EQ(registry.Render(),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{method=\"GET\",code=\"200\"} 3\n");
}

TEST(MetricsTest, SameLabelsGiveTheSameSeries) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("c_total", "C.", {"a"});
  EXPECT_EQ(&family.WithLabels({"x"}), &family.WithLabels({"x"}));
  EXPECT_NE(&family.WithLabels({"x"}), &family.WithLabels({"y"}));
  EXPECT_EQ(&registry.AddCounter("c_total", "C.", {"a"}), &family);
}

TEST(MetricsTest, SeriesWithoutLabelsHaveNoBraces) {
  Registry registry;
  registry.AddGauge("app_generation", "Generation.", {}).WithLabels({}).Set(3);
  EXPECT_EQ(registry.Render(),
            "# HELP app_generation Generation.\n"
            "# TYPE app_generation gauge\n"
            "app_generation 3\n");
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"
                             "\nd"),
            R"(a\\b\"c\nd)");
  Registry registry;
  registry.AddCounter("c_total", "Help with \\ and\nnewline.", {"path"})
      .WithLabels({"/x\"y\n"})
      .Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP c_total Help with \\\\ and\\nnewline.\n"
            "# TYPE c_total counter\n"
            "c_total{path=\"/x\\\"y\\n\"} 1\n");
}

TEST(MetricsTest, FamiliesSortByNameAndSeriesByLabels) {
  Registry registry;
  Family<Counter>& b = registry.AddCounter("b_total", "B.", {"k"});
  Family<Counter>& a = registry.AddCounter("a_total", "A.", {"k", "j"});
  b.WithLabels({"z"}).Increment();
  b.WithLabels({"m"}).Increment();
  a.WithLabels({"y", "2"}).Increment();
  a.WithLabels({"y", "1"}).Increment();
  a.WithLabels({"x", "9"}).Increment();
  EXPECT_EQ(registry.Render(),
            "# HELP a_total A.\n"
            "# TYPE a_total counter\n"
            "a_total{k=\"x\",j=\"9\"} 1\n"
            "a_total{k=\"y\",j=\"1\"} 1\n"
            "a_total{k=\"y\",j=\"2\"} 1\n"
            "# HELP b_total B.\n"
            "# TYPE b_total counter\n"
            "b_total{k=\"m\"} 1\n"
            "b_total{k=\"z\"} 1\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumCountAndInf) {
  Registry registry;
  Family<Histogram>& family =
      registry.AddHistogram("latency_seconds", "Latency.", {"route"}, {0.5, 0.1, 1});
  Histogram& h = family.WithLabels({"r"});
  h.Observe(0.05);  // 0.1
  h.Observe(0.1);   // 0.1: a bound is inclusive
  h.Observe(0.3);   // 0.5
  h.Observe(2);     // +Inf
  EXPECT_EQ(h.CumulativeCounts(), (std::vector<uint64_t>{2, 3, 3, 4}));
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 2.45);
  EXPECT_EQ(registry.Render(),
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"r\",le=\"0.1\"} 2\n"
            "latency_seconds_bucket{route=\"r\",le=\"0.5\"} 3\n"
            "latency_seconds_bucket{route=\"r\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"r\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"r\"} 2.45\n"
            "latency_seconds_count{route=\"r\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsPutsOnlyLeInBraces) {
  Registry registry;
  registry.AddHistogram("h_seconds", "H.", {}, {1}).WithLabels({}).Observe(0.5);
  EXPECT_EQ(registry.Render(),
            "# HELP h_seconds H.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"1\"} 1\n"
            "h_seconds_bucket{le=\"+Inf\"} 1\n"
            "h_seconds_sum 0.5\n"
            "h_seconds_count 1\n");
}

TEST(MetricsTest, LatencyBucketsPrintAsWritten) {
  Registry registry;
  registry.AddHistogram("h_seconds", "H.", {}, LatencyBuckets()).WithLabels({});
  const std::string page = registry.Render();
  for (const char* le : {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
                         "1", "2.5", "5", "10", "+Inf"}) {
    EXPECT_NE(page.find(std::string("h_seconds_bucket{le=\"") + le + "\"} 0\n"), std::string::npos)
        << le << " in\n"
        << page;
  }
  EXPECT_EQ(LatencyBuckets().size(), 13u);
}

TEST(MetricsTest, EmptyFamilyStillHasHelpAndType) {
  Registry registry;
  registry.AddCounter("c_total", "C.", {"a"});
  EXPECT_EQ(registry.Render(), "# HELP c_total C.\n# TYPE c_total counter\n");
}

TEST(MetricsTest, CodeCountersShareSeriesWithTheFamily) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("r_total", "R.", {"route", "code"});
  CodeCounters codes(&family, {"r"}, 599, [](int code) { return std::to_string(code); });
  codes.For(200).Increment();
  codes.For(200).Increment();
  codes.For(404).Increment();
  codes.For(1000).Increment();  // outside the table: still counted
  EXPECT_EQ(&codes.For(200), &family.WithLabels({"r", "200"}));
  EXPECT_EQ(family.WithLabels({"r", "200"}).value(), 2u);
  EXPECT_EQ(family.WithLabels({"r", "404"}).value(), 1u);
  EXPECT_EQ(family.WithLabels({"r", "1000"}).value(), 1u);
}

TEST(MetricsTest, ConcurrentUpdatesGiveExactTotals) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  Registry registry;
  Family<Counter>& counters = registry.AddCounter("c_total", "C.", {"code"});
  Family<Histogram>& histograms = registry.AddHistogram("h_seconds", "H.", {}, {0.5});
  CodeCounters codes(&counters, {}, 16, [](int code) { return std::to_string(code); });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        codes.For(i % 2).Increment();  // first use races between threads
        counters.WithLabels({"shared"}).Increment();
        histograms.WithLabels({}).Observe(t % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counters.WithLabels({"0"}).value(), uint64_t{kThreads * kPerThread / 2});
  EXPECT_EQ(counters.WithLabels({"1"}).value(), uint64_t{kThreads * kPerThread / 2});
  EXPECT_EQ(counters.WithLabels({"shared"}).value(), uint64_t{kThreads * kPerThread});
  Histogram& h = histograms.WithLabels({});
  EXPECT_EQ(h.CumulativeCounts(),
            (std::vector<uint64_t>{kThreads / 2 * kPerThread, kThreads * kPerThread}));
  // Quarters and wholes add exactly in binary floating point.
  EXPECT_EQ(h.sum(), kThreads / 2 * kPerThread * 1.25);
}

TEST(MetricsTest, FamilyPastItsCapFoldsNewLabelSetsIntoOneOtherSeries) {
  Registry registry(/*max_series_per_family=*/3);
  Family<Counter>& family = registry.AddCounter("c_total", "C.", {"a", "b"});
  for (int i = 0; i < 3; ++i) family.WithLabels({std::to_string(i), "x"}).Increment();
  for (int i = 3; i < 50; ++i) family.WithLabels({std::to_string(i), "x"}).Increment();
  // Label sets seen before the cap keep their own series.
  family.WithLabels({"0", "x"}).Increment();
  EXPECT_EQ(family.WithLabels({"0", "x"}).value(), 2u);
  Counter& overflow = family.WithLabels({"OTHER", "OTHER"});
  EXPECT_EQ(overflow.value(), 47u);
  EXPECT_EQ(&family.WithLabels({"new", "y"}), &overflow);
  const std::string page = registry.Render();
  EXPECT_NE(page.find("c_total{a=\"OTHER\",b=\"OTHER\"} 47\n"), std::string::npos) << page;
  EXPECT_EQ(page.find("a=\"3\""), std::string::npos) << page;
  // 47 folds, plus the lookup of {"new","y"} above.
  EXPECT_NE(page.find("protogate_metric_series_dropped_total{family=\"c_total\"} 48\n"),
            std::string::npos)
      << page;
}

TEST(MetricsTest, HistogramFamiliesAreCappedToo) {
  Registry registry(/*max_series_per_family=*/1);
  Family<Histogram>& family = registry.AddHistogram("h_seconds", "H.", {"route"}, {1});
  family.WithLabels({"a"}).Observe(0.5);
  family.WithLabels({"b"}).Observe(0.5);
  family.WithLabels({"c"}).Observe(0.5);
  EXPECT_EQ(family.WithLabels({"OTHER"}).count(), 2u);
  EXPECT_EQ(family.WithLabels({"a"}).count(), 1u);
}

TEST(MetricsTest, DefaultCapIsTenThousandAndNoFoldsRenderNothingExtra) {
  Registry registry;
  Family<Counter>& family = registry.AddCounter("c_total", "C.", {"k"});
  for (int i = 0; i < 10000; ++i) family.WithLabels({std::to_string(i)});
  EXPECT_EQ(registry.Render().find("protogate_metric_series_dropped_total"), std::string::npos);
  family.WithLabels({"one too many"}).Increment();
  EXPECT_EQ(family.WithLabels({"OTHER"}).value(), 1u);
  EXPECT_NE(registry.Render().find("protogate_metric_series_dropped_total{family=\"c_total\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace protogate::observability
