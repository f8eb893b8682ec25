package org.vitrine.emulator.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A device tree node under construction: a name, properties in insertion order and child nodes.
 * Property setters encode values the way the devicetree specification says (big-endian cells,
 * NUL-terminated strings) and return this node, so a board can describe a device in one chain:
 *
 * <pre>{@code
 * FdtNode uart = root.child("pl011@9000000")
 *         .strings("compatible", "arm,pl011", "arm,primecell")
 *         .u64s("reg", 0x0900_0000L, 0x1000)
 *         .reference("clocks", apbClock);
 * }</pre>
 *
 * Setting a property again replaces its value (keeping its place). Names are checked against the
 * specification's character sets so a typo fails here rather than in the guest's parser.
 */
public final class FdtNode {
    /** Node names: {@code name[@unit-address]} (spec 2.2.1). */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9,._+-]{1,31}(@[A-Za-z0-9,._+-]+)?");
    /** Property names (spec 2.2.4). */
    private static final Pattern PROPERTY_NAME = Pattern.compile("[A-Za-z0-9,._+?#-]{1,31}");

    private final FdtBuilder owner;
    private final String name;
    private final Map<String, byte[]> properties = new LinkedHashMap<>();
    private final Map<String, FdtNode> children = new LinkedHashMap<>();
    private int phandle;

    FdtNode(FdtBuilder owner, String name) {
        this.owner = owner;
        this.name = name;
    }

    /** The node's name with its unit address; {@code ""} for the root. */
    public String name() {
        return name;
    }

    /**
     * The child called {@code name}, created (after the existing children) if there is none yet —
     * so several parts of a board can add to, say, {@code /chosen}.
     */
    public FdtNode child(String name) {
        Objects.requireNonNull(name, "name");
        if (!NODE_NAME.matcher(name).matches()) throw new IllegalArgumentException("invalid node name: '" + name + "'");
        return children.computeIfAbsent(name, n -> new FdtNode(owner, n));
    }

    public List<FdtNode> children() {
        return Collections.unmodifiableList(new ArrayList<>(children.values()));
    }

    /** The raw value of property {@code name}, or null. */
    public byte[] property(String name) {
        byte[] v = properties.get(name);
        return v == null ? null : v.clone();
    }

    /** A property with no value, a flag such as {@code interrupt-controller}. */
    public FdtNode empty(String name) {
        return put(name, new byte[0]);
    }

    public FdtNode u32(String name, int value) {
        return u32s(name, value);
    }

    /** A cell list, e.g. {@code interrupts = <0 1 4>}. */
    public FdtNode u32s(String name, int... values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4));
        for (int v : values) b.putInt(v);
        return put(name, b.array());
    }

    /** A 64-bit value as two cells, high first. */
    public FdtNode u64(String name, long value) {
        return u64s(name, value);
    }

    /** 64-bit values as cell pairs; with {@code #address-cells = #size-cells = 2} this is a {@code reg}. */
    public FdtNode u64s(String name, long... values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 8));
        for (long v : values) b.putLong(v);
        return put(name, b.array());
    }

    public FdtNode string(String name, String value) {
        return strings(name, value);
    }

    /** A string list, e.g. {@code compatible = "arm,pl011", "arm,primecell"}. */
    public FdtNode strings(String name, String... values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String v : values) {
            if (v.indexOf('\0') >= 0) throw new IllegalArgumentException("property " + name + ": string contains NUL");
            out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return put(name, out.toByteArray());
    }

    /** Raw bytes, e.g. a MAC address. */
    public FdtNode bytes(String name, byte[] value) {
        return put(name, value.clone());
    }

    /**
     * This node's phandle, allocated (and stored as its {@code phandle} property) on first use.
     */
    public int phandle() {
        if (phandle == 0) {
            phandle = owner.allocatePhandle();
            u32("phandle", phandle);
        }
        return phandle;
    }

    /** A property holding {@code target}'s phandle, e.g. {@code interrupt-parent} or {@code clocks}. */
    public FdtNode reference(String name, FdtNode target) {
        if (target.owner != owner) throw new IllegalArgumentException("node " + target.name + " belongs to another tree");
        return u32(name, target.phandle());
    }

    private FdtNode put(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        if (!PROPERTY_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid property name: '" + name + "'");
        }
        properties.put(name, value);
        return this;
    }

    Map<String, byte[]> properties() {
        return properties;
    }

    Iterable<FdtNode> childNodes() {
        return children.values();
    }
}
