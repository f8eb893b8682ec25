package org.vitrine.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.ElfSection;
import org.vitrine.emulator.elf.ElfSymbol;

/**
 * Two places in rost's kernel image that a lockstep differential stops at (found in the built
 * ELF, so that a rebuilt kernel moves them along):
 * <ul>
 *   <li>{@code idle} — the WFI of {@code idle_loop}, where the idle context waits: the n-th time
 *       the CPU is about to execute it is "idle entry n", the same instant on every machine that
 *       runs the same instructions.</li>
 *   <li>{@code deviceWait} — in {@code virtio::Transport::roundtrip}, the first CNTVCT_EL0 read,
 *       right after the doorbell write: from there the kernel polls the used ring until the device
 *       answers. Vitrine's devices answer at the doorbell; QEMU's GPU and disk answer later, in its
 *       main loop, so the number of polls (and thus the instruction count) would depend on the
 *       host. Holding QEMU there until the device has answered makes its first poll succeed, as on
 *       Vitrine.</li>
 * </ul>
 */
record KernelPoints(long idle, long deviceWait) {
    /** MRS Xt, CNTVCT_EL0, any Xt. */
    private static final int MRS_CNTVCT = 0xD53BE040, MRS_RT_MASK = 0xFFFFFFE0;

    static KernelPoints of(Path kernel) throws Exception {
        byte[] image = Files.readAllBytes(kernel);
        ElfFile elf = ElfFile.parse(image);
        long idle = elf.symbols().byName("idle_loop").orElseThrow(() -> new AssertionError("no idle_loop in " + kernel)).value();
        ElfSymbol roundtrip = elf.symbols().symbols().stream().filter(s -> s.name().contains("9Transport9roundtrip")).findFirst()
                .orElseThrow(() -> new AssertionError("no virtio::Transport::roundtrip in " + kernel + " (inlined?)"));
        ByteBuffer code = code(elf, image, roundtrip);
        for (int at = 0; at + 4 <= code.limit(); at += 4) {
            if ((code.getInt(at) & MRS_RT_MASK) == MRS_CNTVCT) return new KernelPoints(idle, roundtrip.value() + at);
        }
        throw new AssertionError("no CNTVCT_EL0 read in " + roundtrip.name());
    }

    /** The bytes of a function, from the section that holds it. */
    private static ByteBuffer code(ElfFile elf, byte[] image, ElfSymbol f) {
        for (ElfSection s : elf.sections()) {
            if (f.value() >= s.addr() && f.value() + f.size() <= s.addr() + s.size()) {
                return ByteBuffer.wrap(image, (int) (s.offset() + f.value() - s.addr()), (int) f.size()).slice().order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        throw new AssertionError("no section holds " + f.name());
    }
}
