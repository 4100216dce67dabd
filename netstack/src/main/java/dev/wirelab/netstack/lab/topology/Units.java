package dev.wirelab.netstack.lab.topology;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations ({@code 2ms}, {@code 1.5s}, {@code 250us}), rates ({@code 10mbit}) and probabilities
 * ({@code 0.01} or {@code 1%}) as written in topology files and impairment updates. Every parse
 * error is an {@link IllegalArgumentException} whose message a user can act on.
 */
public final class Units {

    /** Longest delay or jitter: one hour. */
    public static final long MAX_DURATION_NANOS = 3_600_000_000_000L;

    /** Highest rate: one terabit per second. */
    public static final long MAX_RATE_BITS = 1_000_000_000_000L;

    private static final Pattern QUANTITY = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Zµ%]*)");

    private Units() {
    }

    /** Parses a duration into nanoseconds. Units: ns, us (or µs), ms, s; "0" needs none. */
    public static long parseDurationNanos(String text) {
        String s = text.strip();
        Matcher m = QUANTITY.matcher(s);
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("'" + text + "' is negative: a duration must be 0 or more");
        }
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write a number and a "
                    + "unit, e.g. 2ms, 1.5s, 250us (units: ns, us, ms, s)");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        long scale = switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "" -> {
                if (value.signum() == 0) {
                    yield 1L;
                }
                throw new IllegalArgumentException("'" + text + "' has no unit: write e.g. " + m.group(1)
                        + "ms (units: ns, us, ms, s)");
            }
            default -> throw new IllegalArgumentException("'" + text + "': unknown duration unit '"
                    + m.group(2) + "' (units: ns, us, ms, s)");
        };
        BigDecimal nanos = value.multiply(BigDecimal.valueOf(scale));
        if (nanos.compareTo(BigDecimal.valueOf(MAX_DURATION_NANOS)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long (at most 3600s)");
        }
        try {
            return nanos.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is finer than one nanosecond");
        }
    }

    /** Shortest exact text for a duration: 2000000 -> "2ms", 1500000000 -> "1500ms". */
    public static String formatDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    /** Parses a rate into bits per second. Units (decimal, as tc): bit, kbit, mbit, gbit, tbit. */
    public static long parseRateBitsPerSecond(String text) {
        String s = text.strip();
        Matcher m = QUANTITY.matcher(s);
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("'" + text + "' is negative: a rate must be more than 0");
        }
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate: write a number and a unit, "
                    + "e.g. 10mbit, 1gbit, 500kbit (units: bit, kbit, mbit, gbit, tbit)");
        }
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        long scale = switch (unit) {
            case "bit" -> 1L;
            case "kbit" -> 1_000L;
            case "mbit" -> 1_000_000L;
            case "gbit" -> 1_000_000_000L;
            case "tbit" -> 1_000_000_000_000L;
            case "" -> throw new IllegalArgumentException("'" + text + "' has no unit: write e.g. " + m.group(1)
                    + "mbit (units: bit, kbit, mbit, gbit, tbit)");
            default -> {
                if (unit.endsWith("bps") || unit.endsWith("b") || unit.endsWith("bit/s")) {
                    // tc(8) reads "bps" as bytes per second, most people as bits: refuse to guess.
                    throw new IllegalArgumentException("'" + text + "' is ambiguous ('bps' means bytes per "
                            + "second to tc, bits to most people): write it in bits, e.g. " + m.group(1) + "mbit");
                }
                throw new IllegalArgumentException("'" + text + "': unknown rate unit '" + m.group(2)
                        + "' (units: bit, kbit, mbit, gbit, tbit)");
            }
        };
        BigDecimal bits = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale));
        if (bits.signum() == 0) {
            throw new IllegalArgumentException("'" + text + "' is zero: a rate must be more than 0 "
                    + "(leave 'rate' out for no limit)");
        }
        if (bits.compareTo(BigDecimal.valueOf(MAX_RATE_BITS)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too high (at most 1tbit)");
        }
        try {
            return bits.longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number of bits per second");
        }
    }

    /** Shortest exact text for a rate: 10000000 -> "10mbit". */
    public static String formatRate(long bitsPerSecond) {
        String[] units = {"tbit", "gbit", "mbit", "kbit"};
        long[] scales = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (bitsPerSecond % scales[i] == 0) {
                return bitsPerSecond / scales[i] + units[i];
            }
        }
        return bitsPerSecond + "bit";
    }

    /** Parses "0.05" or "5%" into a probability 0..1. */
    public static double parseProbability(String text) {
        String s = text.strip();
        boolean percent = s.endsWith("%");
        String number = percent ? s.substring(0, s.length() - 1).strip() : s;
        double v;
        try {
            if (!number.matches("[+-]?[0-9]+(\\.[0-9]+)?")) {
                throw new NumberFormatException();
            }
            v = Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a probability: write a number from 0 "
                    + "to 1 (e.g. 0.01) or a percentage (e.g. 1%)");
        }
        return checkProbability(percent ? v / 100.0 : v, text);
    }

    /** {@code v} if it is in 0..1, else an error naming what was written. */
    public static double checkProbability(double v, String written) {
        if (Double.isNaN(v) || v < 0 || v > 1) {
            throw new IllegalArgumentException(written + " is not a probability: it must be from 0 to 1 "
                    + "(or 0% to 100%)");
        }
        return v;
    }
}
