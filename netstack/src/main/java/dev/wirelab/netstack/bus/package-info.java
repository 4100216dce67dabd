/**
 * The lab's L2 bus: one learning switch per segment (VNI), impairments, capture, VXLAN ports.
 *
 * <ul>
 *   <li>{@link dev.wirelab.netstack.bus.Bus}: segments, {@code connect(segment, "node:eth0")} for
 *       in-memory nodes, {@code listenVxlan} + {@code addExternalPort} for remote VTEPs.</li>
 *   <li>{@link dev.wirelab.netstack.bus.Segment}: forwarding (802.1Q learning, ageing, flooding,
 *       filtering), the capture point (ingress, before impairments), per-port
 *       {@link dev.wirelab.netstack.bus.PortCounters} and the MAC table.</li>
 *   <li>{@link dev.wirelab.netstack.bus.Impairments}: loss, delay, jitter, duplication, reordering,
 *       corruption, rate limit; exact semantics on the record.</li>
 *   <li>{@link dev.wirelab.netstack.bus.VxlanEndpoint}: the bus side of VXLAN (RFC 7348).</li>
 * </ul>
 */
package dev.wirelab.netstack.bus;
