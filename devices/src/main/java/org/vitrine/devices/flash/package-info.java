/**
 * Flash memory: {@link org.vitrine.devices.flash.PflashCfi01}, the Intel/Sharp command-set CFI NOR
 * flash of QEMU's virt board (two 64 MiB banks: firmware, then variables).
 */
package org.vitrine.devices.flash;
