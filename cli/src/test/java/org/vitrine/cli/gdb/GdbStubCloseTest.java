package org.vitrine.cli.gdb;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.machine.Machine;
import org.vitrine.emulator.time.TimingModel;
import org.vitrine.emulator.unicorn.Unicorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing the stub from another thread (what closing the window does) ends the session both while
 * it waits for gdb and while the machine runs for gdb, and gdb going away detaches. Each test waits
 * until the stub is in the state it is about (not for a fixed time); deadlines are failure guards.
 */
class GdbStubCloseTest {
    static final long GUARD_NANOS = 60_000_000_000L;

    Machine machine;
    Debugger debugger;
    GdbStub stub;
    Thread server;

    @BeforeEach
    void spinningMachine() throws Exception {
        machine = new Machine(0x4000_0000L, 1 << 20, TimingModel.fixedCpi(1_000_000_000L, 1), Unicorn.CpuModel.A72);
        machine.ram().write32(0x4008_0000L, 0x14000000);   // b .
        machine.reset(0x4008_0000L, 0);
        debugger = new Debugger(machine);
        stub = GdbStub.listen(debugger, 0);
    }

    @AfterEach
    void close() {
        stub.close();
        debugger.close();
        machine.close();
    }

    CompletableFuture<GdbStub.Outcome> serve() {
        CompletableFuture<GdbStub.Outcome> f = new CompletableFuture<>();
        server = Thread.ofPlatform().name("gdb-stub-test-server").start(() -> {
            try {
                f.complete(stub.serve());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Waits until the serving thread is blocked accepting gdb's connection. */
    void awaitWaitingForGdb() throws InterruptedException {
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (Arrays.stream(server.getStackTrace()).noneMatch(f -> f.getClassName().equals(ServerSocket.class.getName())
                && f.getMethodName().equals("accept"))) {
            assertTrue(System.nanoTime() < deadline, "the stub never waited for gdb");
            Thread.sleep(1);
        }
    }

    /** Waits until the machine runs for gdb (its retired-instruction count, read racily, moves). */
    void awaitRunning() throws InterruptedException {
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (machine.cpu().instructionsRetired() == 0) {
            assertTrue(System.nanoTime() < deadline, "the machine never ran for gdb");
            Thread.sleep(1);
        }
    }

    @Test
    void closeWhileWaitingForGdb() throws Exception {
        CompletableFuture<GdbStub.Outcome> outcome = serve();
        awaitWaitingForGdb();
        stub.close();
        assertEquals(GdbStub.End.CLOSED, outcome.get(60, TimeUnit.SECONDS).end());
    }

    @Test
    void closeWhileTheMachineRunsForGdb() throws Exception {
        CompletableFuture<GdbStub.Outcome> outcome = serve();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("$c#63".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals('+', in.read());
            awaitRunning();
            stub.close();
            assertEquals(GdbStub.End.CLOSED, outcome.get(60, TimeUnit.SECONDS).end());
        }
    }

    @Test
    void gdbGoingAwayWhileRunningDetaches() throws Exception {
        CompletableFuture<GdbStub.Outcome> outcome = serve();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), stub.port())) {
            s.getOutputStream().write("$c#63".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals('+', s.getInputStream().read());
            awaitRunning();
        }
        assertEquals(GdbStub.End.DETACHED, outcome.get(60, TimeUnit.SECONDS).end());
    }
}
