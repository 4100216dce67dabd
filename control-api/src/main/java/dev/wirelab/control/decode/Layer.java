package dev.wirelab.control.decode;

import java.util.List;

/**
 * One protocol layer of a frame and the layers it carries, like one line of Wireshark's packet
 * details that opens into its fields.
 *
 * @param protocol short name: {@code ethernet}, {@code arp}, {@code ipv4}, {@code icmp}, {@code udp},
 *                 {@code vxlan}, {@code data}, {@code malformed}...
 * @param summary  one line, e.g. "Internet Protocol Version 4, Src: 10.0.1.10, Dst: 10.0.2.10"
 * @param offset   first byte of the layer in the frame
 * @param length   bytes of the layer, header and everything it carries
 * @param fields   header fields in wire order (empty in summary-only decoding)
 * @param layers   what this layer carries (usually one; an ICMP error carries the quoted datagram)
 * @param error    why decoding stopped at this layer (a decoder's WireFormatException), or null
 */
public record Layer(String protocol, String summary, int offset, int length, List<Field> fields, List<Layer> layers,
                    String error) {

    public Layer {
        fields = List.copyOf(fields);
        layers = List.copyOf(layers);
    }
}
