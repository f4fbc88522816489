// The reference side of hdr_log_test's interoperability check, run with the
// single-file source launcher against Debian's libhdrhistogram-java:
//
//   java -cp /usr/share/java/hdrhistogram.jar HdrLogCheck.java OURS.hlog [THEIRS.hlog]
//
// Reads OURS.hlog with org.HdrHistogram.HistogramLogReader and prints one line
// per interval:
//   <tag or -> <start ms> <end ms> <count> <p50> <p99> <p99.9> <min> <max> <mean>
// With THEIRS.hlog, also writes a log with HistogramLogWriter from values the
// C++ test regenerates (keep the two generators in step), so both directions
// of the format are checked.
import java.io.PrintStream;
import java.util.Locale;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

public class HdrLogCheck {
  public static void main(String[] args) throws Exception {
    HistogramLogReader reader = new HistogramLogReader(args[0]);
    EncodableHistogram encodable;
    while ((encodable = reader.nextIntervalHistogram()) != null) {
      Histogram h = (Histogram) encodable;
      System.out.printf(Locale.US, "%s %d %d %d %d %d %d %d %d %.6f%n",
          h.getTag() == null ? "-" : h.getTag(), h.getStartTimeStamp(), h.getEndTimeStamp(),
          h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
          h.getValueAtPercentile(99.9), h.getMinValue(), h.getMaxValue(), h.getMean());
    }
    if (args.length > 1) writeLog(args[1]);
  }

  // Interval 1, tagged "java": (i * i * 7919) % 100000000 + 1 for i in 1..20000.
  // Interval 2: HdrHistogram_c's coordinated-omission example, 10000 values of
  // 1000 and one of 100000000 recorded with an expected interval of 10000.
  static void writeLog(String path) throws Exception {
    try (PrintStream out = new PrintStream(path, "US-ASCII")) {
      HistogramLogWriter writer = new HistogramLogWriter(out);
      long startMs = 1700000000000L;
      writer.outputLogFormatVersion();
      writer.outputStartTime(startMs);
      writer.setBaseTime(startMs);
      writer.outputBaseTime(startMs);
      writer.outputLegend();

      Histogram first = new Histogram(3600000000L, 3);
      for (long i = 1; i <= 20000; i++) first.recordValue((i * i * 7919) % 100000000L + 1);
      first.setTag("java");
      // This overload writes its start as given: seconds after BaseTime.
      writer.outputIntervalHistogram(0.0, 1.0, first, 1000.0);

      Histogram second = new Histogram(3600000000L, 3);
      for (int i = 0; i < 10000; i++) second.recordValueWithExpectedInterval(1000, 10000);
      second.recordValueWithExpectedInterval(100000000, 10000);
      writer.outputIntervalHistogram(1.0, 2.0, second, 1000.0);
    }
  }
}
