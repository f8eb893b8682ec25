package org.vitrine.emulator.cpu;

/**
 * What a profiler sees of the guest changing context, from hooks that change nothing the guest
 * can observe, nor its timing:
 * <ul>
 *   <li>{@link #exceptionTaken}: the synchronous exceptions the CPU takes (SVC, aborts, undefined
 *       instructions), from the interrupt hook the run loop has anyway. Interrupts (IRQ) are taken
 *       inside libunicorn and reach no hook.</li>
 *   <li>{@link #stateSaved} and {@link #stateRestored}: the kernel reading SPSR_EL1 on its way in
 *       and writing it on its way out. Every exception, interrupts included, passes there: a kernel
 *       saves the interrupted PSTATE first thing (rost's {@code trap_save}, Linux's
 *       {@code kernel_entry}) and restores it a few instructions before its ERET ({@code
 *       trap_restore}, {@code kernel_exit}); ERET itself reaches no hook in Unicorn. The restored
 *       value says where the CPU goes next (SPSR.M: EL0 for a process, EL1 for rost's idle
 *       context).</li>
 * </ul>
 * The SPSR_EL1 accesses cross into Java only while an observer is installed (one upcall each way
 * per exception).
 */
public interface ContextObserver {
    /** The CPU took synchronous exception {@code intno} (Unicorn's EXCP_* number); PC is at the vector, ESR_EL1 says why. */
    void exceptionTaken(int intno);

    /** The guest reads SPSR_EL1: its kernel, entered for an exception or interrupt, saves the interrupted state. */
    void stateSaved();

    /** The guest writes {@code spsr} to SPSR_EL1: its kernel is about to return into that state. */
    void stateRestored(long spsr);
}
