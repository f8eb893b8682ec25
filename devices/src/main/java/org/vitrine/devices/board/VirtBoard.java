package org.vitrine.devices.board;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

import org.vitrine.devices.arm.GicV2;
import org.vitrine.devices.arm.GicV2m;
import org.vitrine.devices.arm.Pl011;
import org.vitrine.devices.arm.Pl031;
import org.vitrine.devices.arm.Pl061;
import org.vitrine.devices.flash.PflashCfi01;
import org.vitrine.devices.pci.PciHostEcam;
import org.vitrine.devices.qemu.FwCfgMmio;
import org.vitrine.devices.qemu.GpioKey;
import org.vitrine.devices.virtio.VirtioBlk;
import org.vitrine.devices.virtio.VirtioDevice;
import org.vitrine.devices.virtio.VirtioInput;
import org.vitrine.devices.virtio.VirtioMmio;
import org.vitrine.devices.virtio.gpu.VirtioGpu;
import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.display.Frame;
import org.vitrine.emulator.display.FrameExchange;
import org.vitrine.emulator.display.HostInput;
import org.vitrine.emulator.elf.ElfFile;
import org.vitrine.emulator.elf.ElfFormatException;
import org.vitrine.emulator.elf.ElfSegment;
import org.vitrine.emulator.elf.SegmentSink;
import org.vitrine.emulator.fdt.FdtBuilder;
import org.vitrine.emulator.fdt.FdtNode;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.image.Arm64LinuxImage;
import org.vitrine.emulator.memory.HostMemory;
import org.vitrine.emulator.memory.IdentityDmaPort;
import org.vitrine.emulator.memory.PhysicalMemory;
import org.vitrine.emulator.spi.DmaPort;
import org.vitrine.emulator.spi.GuestLog;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

/**
 * The {@code virt} board: a subset of QEMU's {@code -M virt} (see design/platform.md), assembled
 * from the machine core and the device models, with a device tree describing it.
 *
 * <pre>
 *   0x0800_0000  GICv2 distributor          0x0801_0000  GICv2 CPU interface
 *   0x0802_0000  GICv2m MSI frame (INTIDs 80..143)
 *   0x0900_0000  PL011 UART (INTID 33)      0x0901_0000  PL031 RTC (INTID 34)
 *   0x0902_0000  fw_cfg (QEMU's firmware configuration; DMA)
 *   0x0903_0000  PL061 GPIO (INTID 39); pin 3 is the power button (gpio-keys, KEY_POWER)
 *   0x0c00_0000  QEMU's platform bus (32 MiB, for dynamic sysbus devices): described, empty
 *   0x40_1000_0000  PCIe ECAM (buses 0..255): only the host bridge 00:00.0; the windows at
 *                0x1000_0000 (memory), 0x3eff_0000 (I/O), 0x80_0000_0000 (64-bit memory) stay empty
 *   0x0000_0000  CFI flash bank 0 (64 MiB, --bios)   0x0400_0000  CFI flash bank 1 (64 MiB, --flash1)
 *   0x4000_0000  RAM; the DTB at its start, as QEMU places it for a bare-metal ELF and for firmware;
 *                a Linux Image, initrd and DTB where QEMU puts them (LinuxPlacement)
 *   0x0a00_0000  32 virtio-mmio transports, 0x200 apart (INTID 48 + slot): GPU, keyboard, tablet,
 *                disk from slot 31 down when configured, the rest present but empty
 *   timer PPIs: physical INTID 30, virtual INTID 27; PMU overflow PPI: INTID 23
 *   with --iommu: an SMMUv3, VT-d or AMD-Vi in front of every virtio device (see {@link BoardIommu})
 * </pre>
 */
public final class VirtBoard implements AutoCloseable {
    public static final long GIC_DIST = 0x0800_0000L, GIC_CPU = 0x0801_0000L, UART = 0x0900_0000L,
            RTC = 0x0901_0000L, RAM_BASE = 0x4000_0000L;
    public static final int INTID_UART = 33, INTID_RTC = 34, INTID_TIMER_VIRT = 27, INTID_TIMER_PHYS = 30,
            INTID_TIMER_SEC = 29, INTID_TIMER_HYP = 26, INTID_PMU = 23, INTID_GPIO = 39;
    /** The GICv2m MSI frame and its SPI range (QEMU virt: 64 SPIs from SPI 48). */
    public static final long GIC_V2M = 0x0802_0000L;
    public static final int V2M_FIRST_INTID = 80, V2M_COUNT = 64;
    public static final long GPIO = 0x0903_0000L, FW_CFG = 0x0902_0000L, PLATFORM_BUS = 0x0c00_0000L,
            PLATFORM_BUS_SIZE = 0x0200_0000L;
    /** The PL061 pin the power button (QEMU's gpio-key) drives. */
    public static final int GPIO_POWER_PIN = 3;
    /** The PCIe host bridge: ECAM, and the windows of its bus (QEMU virt's high ECAM layout). */
    public static final long PCIE_ECAM = 0x40_1000_0000L, PCIE_MMIO = 0x1000_0000L, PCIE_MMIO_SIZE = 0x2eff_0000L,
            PCIE_PIO = 0x3eff_0000L, PCIE_PIO_SIZE = 0x1_0000L, PCIE_MMIO_HIGH = 0x80_0000_0000L,
            PCIE_MMIO_HIGH_SIZE = 0x80_0000_0000L;
    /** INTID of PCI INTA for device 0; INTB..INTD and further devices rotate over the next three (QEMU's swizzle). */
    public static final int INTID_PCIE_INTA = 35;
    /** The two CFI flash banks: firmware at 0, variables at 0x0400_0000 (QEMU's virt). */
    public static final long FLASH0 = 0, FLASH1 = 0x0400_0000L;
    /** Room kept for the device tree at the start of RAM; images must be linked above it. */
    public static final long DTB_RESERVED = 0x8_0000L;
    /**
     * The size of the tree handed to Linux and to firmware: QEMU 7.2 gives them its 1 MiB blob (the
     * tree and free space), and Linux reserves all of it; an ELF gets the tree without the free space,
     * which fits below images linked from {@link #DTB_RESERVED}.
     */
    public static final int DTB_FIRMWARE_SIZE = 1 << 20;

    // ---- The virtio-mmio slots (QEMU hw/arm/virt.c) ---------------------------------------------
    /** Base of slot 0; slot n is {@link VirtioMmio#SIZE} bytes further per slot. */
    public static final long VIRTIO_BASE = 0x0A00_0000L;
    public static final int VIRTIO_SLOTS = 32;
    /** INTID of slot 0: SPI 16; slot n has SPI 16 + n. */
    public static final int INTID_VIRTIO_FIRST = 48;

    /**
     * What a board is built from. Like QEMU's virt, the board has no display or input device unless
     * asked for; {@code display} null means no GPU, {@code disk} null no block device.
     * {@code guestLog} is where the machine's {@link GuestLog} sends the text of guest errors and
     * unimplemented-feature notes (standard error by default; the command line chooses).
     */
    public record Options(long ramSize, TimingModel timing, long rtcEpochSeconds, String bootArgs,
                          Display display, boolean keyboard, boolean tablet, Path disk, boolean diskReadOnly,
                          GuestLog.Sink guestLog, Firmware firmware, IommuChoice iommu) {
        /**
         * {@code --iommu}: which IOMMU the virtio devices sit behind ({@link BoardIommu}), how long each
         * queued invalidation command takes ({@code commandNanos}; negative: the model's default), and
         * whether the stale-IOTLB detector runs ({@code --iommu-check}).
         */
        public record IommuChoice(Model model, long commandNanos, boolean check) {
            public enum Model { NONE, SMMUV3, VTD, AMDVI }

            public static final IommuChoice NONE = new IommuChoice(Model.NONE, -1, false);

            public IommuChoice {
                Objects.requireNonNull(model, "model");
                if (check && model == Model.NONE) throw new IllegalArgumentException("--iommu-check needs an IOMMU (--iommu smmuv3|vtd|amdvi)");
            }
        }

        /**
         * What boots besides the kernel: {@code initrd} placed in RAM for Linux, {@code bios} loaded into
         * flash bank 0 and started there instead of a kernel, {@code flash1} the file backing flash bank 1
         * (64 MiB, written through), {@code seed} the source of /chosen's rng-seed and kaslr-seed.
         */
        public record Firmware(Path initrd, Path bios, Path flash1, long seed) {
            public static final Firmware NONE = new Firmware(null, null, null, 0);
        }

        /** The GPU's scanout size. */
        public record Display(int width, int height) {
            public Display {
                if (width < 16 || height < 16 || width > 8192 || height > 8192) {
                    throw new IllegalArgumentException("display size " + width + "x" + height + " (16..8192 each way)");
                }
            }
        }

        public Options {
            Objects.requireNonNull(guestLog, "guestLog");
            Objects.requireNonNull(iommu, "iommu");
        }

        public static Options defaults() {
            return new Options(512L << 20, TimingModel.fixedCpi(1_000_000_000L, 1), 1_767_225_600L, null, // 2026-01-01
                    null, false, false, null, false, GuestLog.Sink.STANDARD_ERROR, Firmware.NONE, IommuChoice.NONE);
        }

        public Options withFirmware(Firmware f) {
            return new Options(ramSize, timing, rtcEpochSeconds, bootArgs, display, keyboard, tablet, disk, diskReadOnly, guestLog, f, iommu);
        }

        public Options withRam(long bytes) {
            return new Options(bytes, timing, rtcEpochSeconds, bootArgs, display, keyboard, tablet, disk, diskReadOnly, guestLog, firmware, iommu);
        }

        /** The kernel command line for /chosen/bootargs (null: none, as QEMU without -append). */
        public Options withBootArgs(String args) {
            return new Options(ramSize, timing, rtcEpochSeconds, args, display, keyboard, tablet, disk, diskReadOnly, guestLog, firmware, iommu);
        }

        /** A GPU with this scanout size, plus a keyboard and a tablet: what a desktop needs. */
        public Options withDesktop(Display d) {
            return new Options(ramSize, timing, rtcEpochSeconds, bootArgs, d, true, true, disk, diskReadOnly, guestLog, firmware, iommu);
        }

        public Options withDisk(Path image, boolean readOnly) {
            return new Options(ramSize, timing, rtcEpochSeconds, bootArgs, display, keyboard, tablet, image, readOnly, guestLog, firmware, iommu);
        }

        /** The CPU's timing model ({@code --timing}). */
        public Options withTiming(TimingModel t) {
            return new Options(ramSize, t, rtcEpochSeconds, bootArgs, display, keyboard, tablet, disk, diskReadOnly, guestLog, firmware, iommu);
        }

        /** The IOMMU the virtio devices sit behind. */
        public Options withIommu(IommuChoice choice) {
            return new Options(ramSize, timing, rtcEpochSeconds, bootArgs, display, keyboard, tablet, disk, diskReadOnly, guestLog, firmware, choice);
        }

        /** Where the text of guest errors and unimplemented-feature notes goes (each machine still counts them). */
        public Options withGuestLog(GuestLog.Sink sink) {
            return new Options(ramSize, timing, rtcEpochSeconds, bootArgs, display, keyboard, tablet, disk, diskReadOnly, sink, firmware, iommu);
        }
    }

    /** A bad image: the CLI prints the message, nothing else happens. */
    public static final class ImageException extends Exception {
        public ImageException(String message) {
            super(message);
        }

        public ImageException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Options options;
    private final Machine machine;
    private final GicV2 gic;
    private final Pl011 uart;
    private final Pl031 rtc;
    private final Pl061 gpio;
    private final GpioKey powerButton;
    private final PciHostEcam pcie;
    private final FwCfgMmio fwCfg;
    private final FrameExchange frames;
    private final HostInput input;
    private final List<VirtioInput> inputDevices = new ArrayList<>();
    private final List<VirtioMmio> transports = new ArrayList<>();
    /**
     * SHA-256 of what was booted (kernel, or firmware), for snapshots; null before boot. Computed
     * beside the boot on another thread: hashing Debian's 33 MB Image took ~3 % of its boot's host
     * time, and only a snapshot asks for it.
     */
    private CompletableFuture<String> bootImageHash = CompletableFuture.completedFuture(null);
    private final PflashCfi01 flash0, flash1;
    private final BoardIommu iommu;
    private LinuxPlacement linux;
    private VirtioGpu gpu;
    private VirtioBlk disk;
    private ElfFile image;

    /**
     * @throws IOException when the disk image cannot be opened
     */
    public VirtBoard(Options options, IntConsumer console) throws IOException {
        this(options, console, new FrameExchange(), new HostInput());
    }

    /**
     * A board whose GPU publishes to {@code frames} and whose input devices take {@code input}:
     * given by the caller when they must outlive the board (a window stays open across guest resets).
     */
    public VirtBoard(Options options, IntConsumer console, FrameExchange frames, HostInput input) throws IOException {
        this.options = options;
        this.frames = frames;
        this.input = input;
        this.machine = new Machine(RAM_BASE, options.ramSize(), options.timing(), Unicorn.CpuModel.A72,
                new GuestLog(options.guestLog()));
        try {
            Cpu cpu = machine.cpu();
            this.gic = new GicV2(cpu.irqInput(), machine.guestLog());
            machine.map(GIC_DIST, gic.distributor());
            machine.map(GIC_CPU, gic.cpuInterface());
            cpu.attachTimer(gic.line(INTID_TIMER_PHYS), gic.line(INTID_TIMER_VIRT));
            cpu.attachPmu(gic.line(INTID_PMU));
            this.uart = new Pl011(console, gic.line(INTID_UART), machine.guestLog());
            machine.map(UART, uart);
            this.rtc = new Pl031(machine.clock(), options.rtcEpochSeconds(), gic.line(INTID_RTC), machine.guestLog());
            machine.map(RTC, rtc);
            machine.map(GIC_V2M, new GicV2m(gic, V2M_FIRST_INTID, V2M_COUNT, machine.guestLog()));
            this.gpio = new Pl061(gic.line(INTID_GPIO), machine.guestLog());
            machine.map(GPIO, gpio);
            this.powerButton = new GpioKey("power-button", machine.clock(), gpio::setInput, GPIO_POWER_PIN);
            this.pcie = new PciHostEcam(machine.guestLog());
            machine.map(PCIE_ECAM, pcie);
            this.fwCfg = new FwCfgMmio(new IdentityDmaPort(machine.ram(), "fw-cfg"), machine.guestLog());
            machine.map(FW_CFG, fwCfg);
            this.flash0 = new PflashCfi01("flash0", HostMemory.allocate(PflashCfi01.BANK_SIZE, machine.unicorn().arena()), true,
                    machine.guestLog());
            this.flash1 = new PflashCfi01("flash1", flashBacking(options.firmware().flash1()), options.firmware().flash1() == null,
                    machine.guestLog());
            machine.mapArrayDevice(FLASH0, flash0);
            machine.mapArrayDevice(FLASH1, flash1);
            this.iommu = new BoardIommu(options.iommu(), machine, gic);
            addVirtioDevices();
        } catch (RuntimeException | IOException e) {
            machine.close();
            throw e;
        }
    }

    /** Bank 1's contents: zeros as QEMU without a drive, or {@code file} mapped so writes persist. */
    private MemorySegment flashBacking(Path file) throws IOException {
        if (file == null) return HostMemory.allocate(PflashCfi01.BANK_SIZE, machine.unicorn().arena());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() != PflashCfi01.BANK_SIZE) {
                throw new IOException("flash image " + file + " is " + ch.size() + " bytes; a bank is exactly "
                        + PflashCfi01.BANK_SIZE + " (truncate -s 64M " + file + ")");
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, PflashCfi01.BANK_SIZE, machine.unicorn().arena());
        }
    }

    /**
     * Fills the 32 virtio-mmio slots the way QEMU does for
     * {@code -device virtio-gpu-device -device virtio-keyboard-device -device virtio-tablet-device
     * -device virtio-blk-device}: from the highest slot down, in that order; the other slots are
     * present with no device, so a driver probing every slot finds them empty.
     */
    private void addVirtioDevices() throws IOException {
        List<VirtioDevice> devices = new ArrayList<>();
        if (options.display() != null) {
            gpu = new VirtioGpu(frames, options.display().width(), options.display().height());
            devices.add(gpu);
        }
        if (options.keyboard()) devices.add(new VirtioInput(VirtioInput.Kind.KEYBOARD));
        if (options.tablet()) devices.add(new VirtioInput(VirtioInput.Kind.TABLET));
        if (options.disk() != null) {
            disk = new VirtioBlk(options.disk(), options.diskReadOnly(), "");
            devices.add(disk);
        }
        int slot = VIRTIO_SLOTS - 1;
        for (VirtioDevice d : devices) {
            if (d instanceof VirtioInput in) inputDevices.add(in);
            DmaPort dma = iommu.port(slot, d.name());
            VirtioMmio transport = new VirtioMmio(d, dma, gic.line(virtioSlotIntid(slot)), machine.guestLog(), iommu.model() != null);
            transport.setSnapshotName(String.format("virtio-mmio@0x%08x", virtioSlotBase(slot)));
            transports.add(transport);
            machine.map(virtioSlotBase(slot), transport);
            slot--;
        }
        for (; slot >= 0; slot--) {
            // named by address, as QEMU's device tree and `info qtree` name the transports
            String name = String.format("virtio-mmio@0x%08x", virtioSlotBase(slot));
            machine.map(virtioSlotBase(slot), VirtioMmio.withoutDevice(name, machine.guestLog()));
        }
        // Host input reaches the devices on the emulation thread, stamped with the cycle it arrives at.
        input.connect(events -> {
            for (VirtioInput in : inputDevices) in.deliver(events);
        }, machine.cpu()::cycles);
        input.setOnPost(() -> machine.cpu().post(input::deliver));
    }

    /** Base address of virtio-mmio slot {@code slot} (0..31). */
    public static long virtioSlotBase(int slot) {
        checkVirtioSlot(slot);
        return VIRTIO_BASE + VirtioMmio.SIZE * slot;
    }

    /** GIC INTID of virtio-mmio slot {@code slot}: SPI 16 + slot. */
    public static int virtioSlotIntid(int slot) {
        checkVirtioSlot(slot);
        return INTID_VIRTIO_FIRST + slot;
    }

    private static void checkVirtioSlot(int slot) {
        if (slot < 0 || slot >= VIRTIO_SLOTS) {
            throw new IllegalArgumentException("virtio-mmio slot " + slot + " (0.." + (VIRTIO_SLOTS - 1) + ")");
        }
    }

    /**
     * Adds under {@code parent} (the root, with {@code #address-cells = #size-cells = 2}) the node
     * QEMU's virt board creates for virtio-mmio slot {@code slot}, e.g. for slot 0:
     * <pre>
     *   virtio_mmio@a000000 {
     *       compatible = "virtio,mmio";
     *       reg = &lt;0x0 0xa000000 0x0 0x200&gt;;
     *       interrupts = &lt;0 16 1&gt;;      // SPI, number, edge rising
     *       dma-coherent;
     *   };
     * </pre>
     * The transport drives a level (high while InterruptStatus is non-zero); QEMU describes it as
     * edge-triggered nevertheless, and so do we, so the GIC latches each rising edge. QEMU emits
     * the nodes of all 32 slots, lowest address first, whether a device is plugged in or not; an
     * empty one reads DeviceID 0.
     */
    static FdtNode addVirtioNode(FdtNode parent, int slot) {
        long base = virtioSlotBase(slot);
        return parent.child(String.format("virtio_mmio@%x", base))
                .string("compatible", "virtio,mmio")
                .u64s("reg", base, VirtioMmio.SIZE)
                .u32s("interrupts", 0, virtioSlotIntid(slot) - 32, 1)
                .empty("dma-coherent");
    }

    /**
     * The PCIe host bridge node as QEMU's virt writes it: ECAM, the bus's I/O, 32-bit and 64-bit
     * memory windows, MSIs through the GICv2m frame, and INTA..INTD of devices 0..3 on four SPIs,
     * rotated by device number (the standard swizzle; other devices repeat through the mask).
     */
    private static void addPcieNode(FdtNode root, FdtNode gic, FdtNode v2m) {
        FdtNode pcie = root.child(String.format("pcie@%x", PCIE_MMIO));
        pcie.string("compatible", "pci-host-ecam-generic").string("device_type", "pci").u32("#address-cells", 3)
                .u32("#size-cells", 2).u32("linux,pci-domain", 0).u32s("bus-range", 0, 0xff).empty("dma-coherent")
                .u64s("reg", PCIE_ECAM, PciHostEcam.SIZE);
        pcie.u32s("msi-map", 0, v2m.phandle(), 0, 0x1_0000);
        // ranges: (space code, PCI address, CPU address, size) for I/O, 32-bit memory, 64-bit memory.
        pcie.u32s("ranges",
                0x0100_0000, 0, 0, hi(PCIE_PIO), lo(PCIE_PIO), hi(PCIE_PIO_SIZE), lo(PCIE_PIO_SIZE),
                0x0200_0000, hi(PCIE_MMIO), lo(PCIE_MMIO), hi(PCIE_MMIO), lo(PCIE_MMIO), hi(PCIE_MMIO_SIZE), lo(PCIE_MMIO_SIZE),
                0x0300_0000, hi(PCIE_MMIO_HIGH), lo(PCIE_MMIO_HIGH), hi(PCIE_MMIO_HIGH), lo(PCIE_MMIO_HIGH),
                hi(PCIE_MMIO_HIGH_SIZE), lo(PCIE_MMIO_HIGH_SIZE));
        pcie.u32("#interrupt-cells", 1);
        int[] map = new int[4 * 4 * 10];
        int k = 0;
        for (int dev = 0; dev < 4; dev++) {
            for (int pin = 1; pin <= 4; pin++) {
                int spi = INTID_PCIE_INTA - 32 + (dev + pin - 1) % 4;
                int[] entry = {dev << 11, 0, 0, pin, gic.phandle(), 0, 0, 0, spi, 4};
                System.arraycopy(entry, 0, map, k, entry.length);
                k += entry.length;
            }
        }
        pcie.u32s("interrupt-map", map).u32s("interrupt-map-mask", 3 << 11, 0, 0, 7);
    }

    private static int hi(long v) {
        return (int) (v >>> 32);
    }

    private static int lo(long v) {
        return (int) v;
    }

    /** Frames the GPU publishes (the window shows them; screenshots read them). */
    public FrameExchange frames() {
        return frames;
    }

    /** Where host input for the keyboard and tablet goes; any thread may post. */
    public HostInput input() {
        return input;
    }

    /** The GPU's current picture, or null when the board has no GPU or nothing was shown yet. */
    public Frame currentFrame() {
        return gpu == null ? null : gpu.currentFrame();
    }

    public boolean hasDisplay() {
        return gpu != null;
    }

    public Machine machine() {
        return machine;
    }

    public Pl011 uart() {
        return uart;
    }

    /**
     * Presses the power button: PL061 pin 3 high for {@link GpioKey#PRESS_NS} of virtual time, then
     * low, as QEMU's gpio-key does on {@code system_powerdown}. Call on the emulation thread
     * (e.g. through {@code machine().cpu().post}).
     */
    public void pressPowerButton() {
        powerButton.press();
    }

    public Pl061 gpio() {
        return gpio;
    }

    public GicV2 gic() {
        return gic;
    }

    /** The IOMMU in front of the virtio devices, or null with {@code --iommu none}. */
    public org.vitrine.devices.iommu.Iommu iommu() {
        return iommu.model();
    }

    public ElfFile image() {
        return image;
    }

    public void traceExceptions(Consumer<String> sink) {
        machine.cpu().traceExceptions(sink);
    }

    /**
     * Starts what the options ask for: the firmware in flash bank 0 when there is one (then
     * {@code kernel} must be null: handing a kernel to firmware needs fw_cfg, not modelled), else
     * {@code kernel}.
     */
    public void boot(Path kernel) throws ImageException {
        Path bios = options.firmware().bios();
        Path booted = bios != null ? bios : kernel;
        bootImageHash = CompletableFuture.supplyAsync(() -> BoardSnapshot.sha256(booted));
        if (bios == null) {
            loadKernel(kernel);
            return;
        }
        if (kernel != null) throw new ImageException("--bios with --kernel needs fw_cfg to pass the kernel to the firmware; not modelled yet");
        if (options.firmware().initrd() != null) throw new ImageException("--initrd goes with --kernel, not with --bios");
        byte[] fw = readAll(bios, "firmware", PflashCfi01.BANK_SIZE);
        MemorySegment.copy(MemorySegment.ofArray(fw), 0, flash0.array(), 0, fw.length);
        // As QEMU: the firmware finds the device tree at the start of RAM; the CPU starts at 0, at EL1.
        writeDeviceTree(RAM_BASE, DTB_FIRMWARE_SIZE);
        machine.reset(FLASH0, 0);
    }

    /**
     * Loads a kernel, an AArch64 ELF or an arm64 Linux Image (plain or gzip): an ELF gets the DTB at
     * the start of RAM; an Image is placed as QEMU places it ({@link LinuxPlacement}), with the initrd.
     * The CPU starts at the entry point at EL1 with x0 = DTB address and x1-x3 = 0.
     */
    public void loadKernel(Path file) throws ImageException {
        byte[] head = readHead(file);
        if (Arm64LinuxImage.looksLikeImage(head)) {
            loadLinuxImage(file);
            return;
        }
        if (options.firmware().initrd() != null) throw new ImageException("--initrd needs an arm64 Linux Image as the kernel, not an ELF");
        loadElf(file);
    }

    private static byte[] readHead(Path file) throws ImageException {
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(Arm64LinuxImage.HEADER_SIZE);
        } catch (IOException e) {
            throw new ImageException("cannot read kernel image " + file + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(Path file, String what, long max) throws ImageException {
        try {
            long size = Files.size(file);
            if (size > max) throw new ImageException(String.format("%s %s is %d bytes; at most %d fit", what, file, size, max));
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private void loadLinuxImage(Path file) throws ImageException {
        Arm64LinuxImage img;
        try {
            img = Arm64LinuxImage.parse(readAll(file, "kernel image", Integer.MAX_VALUE - 16));
        } catch (Arm64LinuxImage.FormatException e) {
            throw new ImageException("kernel image " + file + ": " + e.getMessage(), e);
        }
        Path initrdFile = options.firmware().initrd();
        byte[] initrd = initrdFile == null ? new byte[0] : readAll(initrdFile, "initrd", options.ramSize());
        byte[] dtbProbe = deviceTree(0, 0, DTB_FIRMWARE_SIZE);
        LinuxPlacement p = LinuxPlacement.compute(RAM_BASE, options.ramSize(), img, initrd.length, dtbProbe.length);
        this.linux = p;
        PhysicalMemory ram = machine.ram();
        try {
            ram.write(p.kernel(), img.bytes(), 0, img.bytes().length);
            if (initrd.length > 0) ram.write(p.initrd(), initrd, 0, initrd.length);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new IllegalStateException(e.getMessage(), e); // placement checked the ranges
        }
        writeDeviceTree(p.dtb(), DTB_FIRMWARE_SIZE);
        machine.reset(p.kernel(), p.dtb());
    }

    private void writeDeviceTree(long at, int totalSize) throws ImageException {
        byte[] dtb = linux != null && linux.initrdSize() > 0
                ? deviceTree(linux.initrd(), linux.initrd() + linux.initrdSize(), totalSize) : deviceTree(0, 0, totalSize);
        try {
            machine.ram().write(at, dtb, 0, dtb.length);
        } catch (PhysicalMemory.BadAddressException e) {
            throw new ImageException("RAM too small for the device tree", e);
        }
    }

    /** Loads a kernel ELF, writes the DTB at the start of RAM and sets the CPU at the entry point. */
    private void loadElf(Path elf) throws ImageException {
        ElfFile f;
        try {
            f = ElfFile.read(elf);
        } catch (IOException e) {
            throw new ImageException("cannot read kernel image " + elf + ": " + e.getMessage(), e);
        } catch (ElfFormatException e) {
            throw new ImageException("kernel image " + elf + " is neither an arm64 Linux Image (no \"ARM\\x64\" magic at 0x38) nor a valid AArch64 ELF: " + e.getMessage(), e);
        }
        PhysicalMemory ram = machine.ram();
        long dtbEnd = RAM_BASE + DTB_RESERVED;
        boolean anyLoad = false;
        for (ElfSegment s : f.loadSegments()) {
            if (s.memSize() == 0) continue;
            anyLoad = true;
            if (!ram.contains(s.paddr(), s.memSize())) {
                throw new ImageException(String.format("kernel segment at 0x%x (+0x%x bytes) lies outside RAM [0x%x, 0x%x)",
                        s.paddr(), s.memSize(), ram.base(), ram.end()));
            }
            if (s.paddr() < dtbEnd) {
                throw new ImageException(String.format("kernel segment at 0x%x overlaps the device tree at the start of RAM;"
                        + " link the kernel at or above 0x%x", s.paddr(), dtbEnd));
            }
        }
        if (!anyLoad) throw new ImageException("kernel image " + elf + " has no loadable segment");
        f.load(new SegmentSink() {
            @Override
            public void write(long physAddr, byte[] data, int off, int len) {
                try {
                    ram.write(physAddr, data, off, len);
                } catch (PhysicalMemory.BadAddressException e) {
                    throw new IllegalStateException(e.getMessage(), e); // ranges were checked above
                }
            }

            @Override
            public void zero(long physAddr, long len) {
                try {
                    ram.fill(physAddr, len, (byte) 0);
                } catch (PhysicalMemory.BadAddressException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            }
        });
        writeDeviceTree(RAM_BASE, 0);
        this.image = f;
        machine.cpu().setSymbolizer(a -> f.symbols().lookup(a).map(Object::toString));
        machine.reset(f.physicalEntry(), RAM_BASE);
    }

    /** The device tree for this board, modelled on the one QEMU 7.2 generates for -M virt. */
    public byte[] deviceTree() {
        return deviceTree(0, 0, 0);
    }

    /**
     * The device tree, with /chosen's linux,initrd-start/end when {@code initrdEnd > initrdStart},
     * in a blob of at least {@code totalSize} bytes.
     */
    public byte[] deviceTree(long initrdStart, long initrdEnd, int totalSize) {
        FdtBuilder fdt = new FdtBuilder();
        FdtNode root = fdt.root();
        root.u32("#address-cells", 2).u32("#size-cells", 2)
                .string("compatible", "linux,dummy-virt").string("model", "linux,dummy-virt");

        FdtNode apb = root.child("apb-pclk");
        apb.string("compatible", "fixed-clock").u32("#clock-cells", 0).u32("clock-frequency", 24_000_000)
                .string("clock-output-names", "clk24mhz");

        FdtNode gicNode = root.child("intc@8000000");
        gicNode.strings("compatible", "arm,cortex-a15-gic").u32("#interrupt-cells", 3).u32("#address-cells", 2)
                .u32("#size-cells", 2).empty("interrupt-controller").empty("ranges")
                .u64s("reg", GIC_DIST, 0x1_0000L, GIC_CPU, 0x1_0000L);
        root.reference("interrupt-parent", gicNode);
        FdtNode v2m = gicNode.child(String.format("v2m@%x", GIC_V2M)).string("compatible", "arm,gic-v2m-frame")
                .empty("msi-controller").u64s("reg", GIC_V2M, GicV2m.SIZE);

        FdtNode cpus = root.child("cpus");
        cpus.u32("#address-cells", 1).u32("#size-cells", 0);
        cpus.child("cpu@0").string("device_type", "cpu").string("compatible", "arm,cortex-a72").u32("reg", 0)
                .string("enable-method", "psci");

        root.child("psci").strings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci")
                .string("method", "hvc").u32("cpu_off", 0x8400_0002).u32("cpu_on", 0xC400_0003)
                .u32("migrate", 0xC400_0005).u32("cpu_suspend", 0xC400_0001);

        // Flags 0x104 / 0xf04: level-high, routed to CPU 0.
        root.child("timer").strings("compatible", "arm,armv8-timer", "arm,armv7-timer").empty("always-on")
                .u32s("interrupts", 1, INTID_TIMER_SEC - 16, 0x104, 1, INTID_TIMER_PHYS - 16, 0x104,
                        1, INTID_TIMER_VIRT - 16, 0x104, 1, INTID_TIMER_HYP - 16, 0x104);

        root.child("memory@40000000").string("device_type", "memory").u64s("reg", RAM_BASE, options.ramSize());

        FdtNode pl011 = root.child("pl011@9000000");
        pl011.strings("compatible", "arm,pl011", "arm,primecell").u64s("reg", UART, 0x1000L)
                .u32s("interrupts", 0, INTID_UART - 32, 4).strings("clock-names", "uartclk", "apb_pclk");
        pl011.u32s("clocks", apb.phandle(), apb.phandle());

        FdtNode pl031 = root.child("pl031@9010000");
        pl031.strings("compatible", "arm,pl031", "arm,primecell").u64s("reg", RTC, 0x1000L)
                .u32s("interrupts", 0, INTID_RTC - 32, 4).string("clock-names", "apb_pclk");
        pl031.u32s("clocks", apb.phandle());

        root.child("pmu").string("compatible", "arm,armv8-pmuv3").u32s("interrupts", 1, INTID_PMU - 16, 0x104);

        FdtNode pl061 = root.child(String.format("pl061@%x", GPIO));
        pl061.strings("compatible", "arm,pl061", "arm,primecell").u64s("reg", GPIO, Pl061.SIZE)
                .u32("#gpio-cells", 2).empty("gpio-controller").u32s("interrupts", 0, INTID_GPIO - 32, 4)
                .string("clock-names", "apb_pclk");
        pl061.u32s("clocks", apb.phandle());
        root.child("gpio-keys").string("compatible", "gpio-keys").child("poweroff")
                .string("label", "GPIO Key Poweroff").u32("linux,code", 116 /* KEY_POWER */)
                .u32s("gpios", pl061.phandle(), GPIO_POWER_PIN, 0);

        addPcieNode(root, gicNode, v2m);

        root.child(String.format("fw-cfg@%x", FW_CFG)).string("compatible", "qemu,fw-cfg-mmio").u64s("reg", FW_CFG, FwCfgMmio.SIZE);
        FdtNode platformBus = root.child(String.format("platform-bus@%x", PLATFORM_BUS));
        platformBus.strings("compatible", "qemu,platform", "simple-bus").u32("#size-cells", 1).u32("#address-cells", 1)
                .u32s("ranges", 0, 0, (int) PLATFORM_BUS, (int) PLATFORM_BUS_SIZE); // child address, parent (two cells), size
        platformBus.reference("interrupt-parent", gicNode);

        FdtNode iommuNode = iommu.describe(root, apb);
        for (int slot = 0; slot < VIRTIO_SLOTS; slot++) BoardIommu.attach(addVirtioNode(root, slot), iommuNode, slot);

        // Both banks in one node, as QEMU's virt describes them.
        root.child("flash@0").u32("bank-width", PflashCfi01.BANK_WIDTH)
                .u64s("reg", FLASH0, PflashCfi01.BANK_SIZE, FLASH1, PflashCfi01.BANK_SIZE).string("compatible", "cfi-flash");

        FdtNode chosen = root.child("chosen").string("stdout-path", "/pl011@9000000");
        if (options.bootArgs() != null) chosen.string("bootargs", options.bootArgs());
        if (initrdEnd > initrdStart) chosen.u64("linux,initrd-start", initrdStart).u64("linux,initrd-end", initrdEnd);
        // QEMU draws these from the host's entropy; a seed keeps runs reproducible.
        SplittableRandom seeds = new SplittableRandom(options.firmware().seed());
        byte[] rng = new byte[32];
        seeds.nextBytes(rng);
        chosen.bytes("rng-seed", rng).u64("kaslr-seed", seeds.nextLong());
        return fdt.build(totalSize);
    }

    public Cpu.Exit run(long untilCycle) {
        return machine.run(untilCycle);
    }

    /** The options the board was built from. */
    public Options options() {
        return options;
    }

    /** SHA-256 (hex) of the kernel or firmware booted, null when the board was not booted (a restore). */
    public String bootImageHash() {
        return bootImageHash.join();
    }

    /** Records the image a restored snapshot had booted (the board itself was not booted). */
    void bootImageHash(String hash) {
        bootImageHash = CompletableFuture.completedFuture(hash);
    }

    /**
     * Every part of the machine a snapshot holds, in restore order: the machine's own (clock, CPU,
     * generic timer, PMU, RAM), then each device: the GIC, the UART, the RTC, the GPIO and its power
     * button, the PCIe host bridge, fw_cfg, the flash banks, and each
     * virtio-mmio transport that has a device (with the device's state nested in it). The empty
     * virtio slots have no state. See {@link BoardSnapshot}.
     */
    public List<org.vitrine.emulator.snapshot.Snapshottable> snapshotParts() {
        List<org.vitrine.emulator.snapshot.Snapshottable> parts = new ArrayList<>(machine.snapshotParts());
        parts.add(gic);
        parts.add(uart);
        parts.add(rtc);
        parts.add(gpio);
        parts.add(powerButton);
        parts.add(pcie);
        parts.add(fwCfg);
        parts.add(flash0);
        parts.add(flash1);
        parts.addAll(transports);
        if (iommu.model() != null) parts.add(iommu.model());
        // last: its restore posts the delivery of the input it brings back to the restored CPU
        parts.add(input.snapshotPart(() -> machine.cpu().post(input::deliver)));
        return parts;
    }

    @Override
    public void close() {
        machine.close();
        if (disk != null) {
            try {
                disk.close();
            } catch (IOException e) {
                System.err.println("[vitrine] closing the disk image failed: " + e.getMessage());
            }
        }
    }
}
