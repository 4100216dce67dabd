package dev.wirelab.netstack.lab.topology;

import java.util.regex.Pattern;

/** Builds problem paths: {@code nodes.r1.interfaces.eth0}, {@code routes[2]}, {@code nodes["a.b"]}. */
public final class Paths {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

    private Paths() {
    }

    /** Path of field or map key {@code key} under {@code parent} ("" is the document root). */
    public static String child(String parent, String key) {
        if (PLAIN.matcher(key).matches()) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        // Keys with dots or odd characters are quoted so the path stays unambiguous.
        String quoted = "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
        return parent.isEmpty() ? quoted : parent + quoted;
    }

    /** Path of list item {@code index} under {@code parent}. */
    public static String item(String parent, int index) {
        return (parent.isEmpty() ? "" : parent) + "[" + index + "]";
    }
}
