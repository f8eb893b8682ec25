/**
 * Kernel image formats other than ELF: {@link org.vitrine.emulator.image.Arm64LinuxImage}, the header of
 * an arm64 Linux {@code Image} (Documentation/arch/arm64/booting.rst).
 */
package org.vitrine.emulator.image;
