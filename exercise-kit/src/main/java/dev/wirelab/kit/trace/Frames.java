package dev.wirelab.kit.trace;

import dev.wirelab.netstack.wire.ArpPacket;

import java.util.Locale;
import java.util.function.Predicate;

/** Frame matches by protocol and field; narrow them with {@link FrameMatch}'s methods. */
public final class Frames {

    private Frames() {
    }

    private static FrameMatch family(String words, Predicate<TracedFrame> test) {
        FrameMatch all = new FrameMatch(words, test, null);
        return new FrameMatch(words, test, all);
    }

    private static FrameMatch within(FrameMatch family, String words, Predicate<TracedFrame> test) {
        return new FrameMatch(words, f -> family.testFrame(f) && test.test(f), family);
    }

    public static FrameMatch any() {
        return family("a frame", f -> true);
    }

    /** A DHCP message of this type: DISCOVER, OFFER, REQUEST, ACK, NAK, DECLINE, RELEASE, INFORM. */
    public static FrameMatch dhcp(String type) {
        String t = type.toUpperCase(Locale.ROOT).replaceFirst("^DHCP", "");
        return within(dhcp(), "a DHCP " + t, f -> t.equals(f.dhcpType()));
    }

    /** Any DHCP message. */
    public static FrameMatch dhcp() {
        return family("a DHCP message", f -> f.dhcp() != null);
    }

    /** Any DNS message. */
    public static FrameMatch dns() {
        return family("a DNS message", f -> f.dns() != null);
    }

    /** A DNS query for this name (no final dot needed). */
    public static FrameMatch dnsQuery(String name) {
        String n = trimDot(name);
        return within(dns(), "a DNS query for " + n, f -> !f.dns().isResponse() && n.equalsIgnoreCase(f.dnsName()));
    }

    /** A DNS response about this name. */
    public static FrameMatch dnsResponse(String name) {
        String n = trimDot(name);
        return within(dns(), "a DNS response for " + n, f -> f.dns().isResponse() && n.equalsIgnoreCase(f.dnsName()));
    }

    /** An ARP request for this address (who-has). */
    public static FrameMatch arpRequest(String targetIp) {
        return within(arp(), "an ARP request for " + targetIp, f -> f.arp().operation() == ArpPacket.REQUEST
                && targetIp.equals(f.arp().targetIp().toString()));
    }

    /** An ARP reply from the owner of this address (is-at). */
    public static FrameMatch arpReply(String senderIp) {
        return within(arp(), "an ARP reply for " + senderIp, f -> f.arp().operation() == ArpPacket.REPLY
                && senderIp.equals(f.arp().senderIp().toString()));
    }

    public static FrameMatch arp() {
        return family("an ARP packet", f -> f.arp() != null);
    }

    /** Any TCP segment. */
    public static FrameMatch tcp() {
        return family("a TCP segment", f -> f.tcp() != null);
    }

    /**
     * A TCP segment whose flags are exactly these, as letters in any order: {@code "S"} a SYN,
     * {@code "SA"} a SYN-ACK, {@code "A"} a bare ACK, {@code "FA"} a FIN with ACK, {@code "R"} a reset
     * (PSH, {@code P}, counts too).
     */
    public static FrameMatch tcpFlags(String letters) {
        String want = sortedLetters(letters);
        return within(tcp(), "a TCP [" + letters + "]", f -> want.equals(sortedLetters(flagLetters(f))));
    }

    /** A TCP segment that carries data. */
    public static FrameMatch tcpData() {
        return within(tcp(), "a TCP segment with data", f -> f.tcp().payloadLength() > 0);
    }

    /** Any ICMP message. */
    public static FrameMatch icmp() {
        return family("an ICMP message", f -> f.icmp() != null);
    }

    /** An ICMP message of this type (0 echo reply, 3 unreachable, 8 echo request, 11 time exceeded). */
    public static FrameMatch icmp(int type) {
        return within(icmp(), "an ICMP type " + type, f -> f.icmp().type() == type);
    }

    /** An HTTP request or response whose first line starts with this ({@code "GET /"}, {@code "HTTP/1.1 200"}). */
    public static FrameMatch http(String startLine) {
        return within(family("an HTTP message", f -> f.httpStartLine() != null), "HTTP \"" + startLine + "\"",
                f -> f.httpStartLine().startsWith(startLine));
    }

    static String flagLetters(TracedFrame f) {
        StringBuilder sb = new StringBuilder();
        if (f.tcp().syn()) {
            sb.append('S');
        }
        if (f.tcp().ack()) {
            sb.append('A');
        }
        if (f.tcp().fin()) {
            sb.append('F');
        }
        if (f.tcp().rst()) {
            sb.append('R');
        }
        if (f.tcp().has(dev.wirelab.netstack.wire.TcpSegment.PSH)) {
            sb.append('P');
        }
        return sb.toString();
    }

    private static String sortedLetters(String s) {
        return s.toUpperCase(Locale.ROOT).chars().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
    }

    private static String trimDot(String name) {
        return name.endsWith(".") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
    }
}
