package dev.wirelab.netstack.ip;

/** Where protocol layers report trace events; the node stamps them with its name and the loop's time. */
@FunctionalInterface
public interface StackEvents {

    void event(String layer, String kind, Object... keyValues);

    StackEvents NONE = (layer, kind, keyValues) -> { };
}
