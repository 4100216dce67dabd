package dev.wirelab.netstack.node;

import dev.wirelab.netstack.arp.Neighbor;
import dev.wirelab.netstack.arp.NeighborCache;
import dev.wirelab.netstack.arp.NeighborTiming;
import dev.wirelab.netstack.ip.Counters;
import dev.wirelab.netstack.link.Link;
import dev.wirelab.netstack.time.Cancellable;
import dev.wirelab.netstack.wire.Ipv4Address;
import dev.wirelab.netstack.wire.Ipv4Packet;
import dev.wirelab.netstack.wire.MacAddress;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A node's NIC: name, MAC, MTU, the link it is plugged into, its IPv4 addresses and its ARP cache.
 * State belongs to the node's loop; the getters are safe to call from any thread for display.
 */
public final class NetworkInterface {

    private final String name;
    private final int index;
    private final MacAddress mac;
    private final int mtu;
    private final Link link;
    private final List<InterfaceAddress> addresses = new CopyOnWriteArrayList<>();
    final NeighborCache<Ipv4Packet> neighbors;
    Cancellable neighborTimer = Cancellable.NONE;
    long neighborTimerAt = Long.MAX_VALUE;
    // Written by the node's loop only (see Counters.Counter).
    /** Node.tapFrames's taps of this interface (the node's loop only). */
    final java.util.List<Node.FrameTap> taps = new java.util.ArrayList<>();
    final Counters.Counter rxFrames = new Counters.Counter();
    final Counters.Counter rxBytes = new Counters.Counter();
    final Counters.Counter txFrames = new Counters.Counter();
    final Counters.Counter txBytes = new Counters.Counter();
    private volatile List<Neighbor> neighborView = List.of();
    private volatile boolean tso;

    NetworkInterface(String name, int index, MacAddress mac, int mtu, Link link, NeighborTiming timing) {
        this.name = name;
        this.index = index;
        this.mac = mac;
        this.mtu = mtu;
        this.link = link;
        this.neighbors = new NeighborCache<>(timing);
    }

    public String name() {
        return name;
    }

    /** 1-based position, as {@code ip link} numbers interfaces. */
    public int index() {
        return index;
    }

    public MacAddress mac() {
        return mac;
    }

    public int mtu() {
        return mtu;
    }

    public Link link() {
        return link;
    }

    /**
     * TCP segmentation offload ({@code ethtool -K eth0 tso on}): TCP may hand this interface
     * super-packets of up to about 64 KB, which cross the bus whole as on a Linux veth. Off by
     * default, so the wire shows MSS-sized segments.
     */
    public boolean tso() {
        return tso;
    }

    void setTso(boolean on) {
        tso = on;
    }

    public List<InterfaceAddress> addresses() {
        return List.copyOf(addresses);
    }

    List<InterfaceAddress> addressList() {
        return addresses;
    }

    /** The first address, or null when the interface has none. */
    public Ipv4Address primaryAddress() {
        return addresses.isEmpty() ? null : addresses.get(0).address();
    }

    /** The address whose subnet holds {@code peer}, else the primary address, else null. */
    public Ipv4Address addressFor(Ipv4Address peer) {
        for (InterfaceAddress a : addresses) {
            if (a.contains(peer)) {
                return a.address();
            }
        }
        return primaryAddress();
    }

    public boolean hasAddress(Ipv4Address address) {
        for (InterfaceAddress a : addresses) {
            if (a.address().equals(address)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code address} is the directed broadcast of one of this interface's subnets. */
    public boolean isSubnetBroadcast(Ipv4Address address) {
        for (InterfaceAddress a : addresses) {
            if (address.equals(a.broadcast())) {
                return true;
            }
        }
        return false;
    }

    /** The ARP cache as last published by the node's loop. */
    public List<Neighbor> neighbors() {
        return neighborView;
    }

    void publishNeighbors() {
        neighborView = List.copyOf(new ArrayList<>(neighbors.entries()));
    }

    public long rxFrames() {
        return rxFrames.sum();
    }

    public long rxBytes() {
        return rxBytes.sum();
    }

    public long txFrames() {
        return txFrames.sum();
    }

    public long txBytes() {
        return txBytes.sum();
    }

    @Override
    public String toString() {
        return name + " " + mac + " mtu " + mtu + " " + addresses;
    }
}
