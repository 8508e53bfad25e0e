package dev.skirmish.session.channel;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link ChannelLatencyReport} briefly and checks the shape of its report.
 */
class ChannelLatencyReportTest
{
    static final int MESSAGES = 600;

    @Test
    void shouldReportPercentilesAndInflationForEveryLossLevel()
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Histogram[] histograms;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            histograms = ChannelLatencyReport.report(MESSAGES, ChannelLatencyReport.SEED_DEFAULT, out);
        }
        final String report = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(report);

        final List<String> rows = Arrays.stream(report.split("\n"))
            .filter(line -> !line.startsWith("#"))
            .collect(Collectors.toList());
        assertEquals(1 + ChannelLatencyReport.LOSS_LEVELS.length, rows.size(), report);
        assertEquals(List.of("loss", "count", "p50_us", "p99_us", "p99.9_us", "max_us",
            "x_p50", "x_p99", "x_p99.9", "x_max"), List.of(rows.get(0).trim().split("\\s+")), report);
        final String[] labels = {"0%", "2%", "5%", "10%"};
        for (int i = 0; i < labels.length; i++)
        {
            final String[] cells = rows.get(i + 1).trim().split("\\s+");
            assertEquals(10, cells.length, rows.get(i + 1));
            assertEquals(labels[i], cells[0]);
            assertEquals(MESSAGES, Long.parseLong(cells[1]));
            final long p50 = Long.parseLong(cells[2]);
            final long p99 = Long.parseLong(cells[3]);
            final long p999 = Long.parseLong(cells[4]);
            final long max = Long.parseLong(cells[5]);
            // 10 ms one-way delay is the floor of every delivery
            assertTrue(p50 >= 9_000 && p50 <= p99 && p99 <= p999 && p999 <= max, rows.get(i + 1));
            for (int c = 6; c < 10; c++)
            {
                assertTrue(Double.parseDouble(cells[c]) >= 0.99, rows.get(i + 1));
            }
            assertEquals(MESSAGES, histograms[i].getTotalCount());
        }
        assertTrue(rows.get(1).trim().split("\\s+")[6].equals("1.00"), rows.get(1));
        assertTrue(histograms[3].getMaxValue() > histograms[0].getMaxValue(), "10% loss did not raise the max");
    }
}
