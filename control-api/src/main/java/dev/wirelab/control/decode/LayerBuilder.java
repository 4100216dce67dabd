package dev.wirelab.control.decode;

import java.util.ArrayList;
import java.util.List;

/** Collects one layer's fields and sub-layers while a {@link LayerDecoder} reads it. */
public final class LayerBuilder {

    private final String protocol;
    private final int offset;
    private int length;
    private final boolean withFields;
    private final List<Field> fields = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();
    private String summary;
    private String error;

    LayerBuilder(String protocol, int offset, int length, boolean withFields) {
        this.protocol = protocol;
        this.offset = offset;
        this.length = length;
        this.withFields = withFields;
        this.summary = protocol;
    }

    /** A field of whole bytes. */
    public LayerBuilder field(String name, String label, Object value, int off, int len) {
        if (withFields) {
            fields.add(new Field(name, label, String.valueOf(value), off, len, 0));
        }
        return this;
    }

    /** A bit field: {@code mask} selects its bits within the {@code len} bytes at {@code off}. */
    public LayerBuilder bits(String name, String label, Object value, int off, int len, long mask) {
        if (withFields) {
            fields.add(new Field(name, label, String.valueOf(value), off, len, mask));
        }
        return this;
    }

    public LayerBuilder summary(String text) {
        this.summary = text;
        return this;
    }

    public LayerBuilder length(int len) {
        this.length = len;
        return this;
    }

    public LayerBuilder child(Layer layer) {
        if (layer != null) {
            layers.add(layer);
        }
        return this;
    }

    public LayerBuilder error(String message) {
        this.error = message;
        return this;
    }

    public Layer build() {
        return new Layer(protocol, summary, offset, length, fields, layers, error);
    }
}
