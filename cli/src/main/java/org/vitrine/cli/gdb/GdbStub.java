package org.vitrine.cli.gdb;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.vitrine.emulator.cpu.Cpu;
import org.vitrine.emulator.debug.DebugEngine;
import org.vitrine.emulator.debug.Debugger;
import org.vitrine.emulator.debug.StopEvent;

/**
 * A GDB Remote Serial Protocol server for one {@link Debugger}, so gdb-multiarch can debug the
 * guest ({@code target remote 127.0.0.1:PORT}). It listens on the loopback interface only: the
 * protocol has no authentication and can read and write all guest memory.
 *
 * <p>Threads: {@link #serve} runs on the emulation thread and does all the work, including
 * running the machine on {@code c}/{@code s}; a reader thread turns the socket's bytes into events,
 * acknowledges packets, and forwards Ctrl-C (0x03) to {@link Debugger#interrupt()} while the
 * machine runs. The machine is all-stop with one CPU: thread 1 without a {@link DebugEngine}; with
 * one, rost's processes are the threads (see {@link EngineCommands}).
 */
public final class GdbStub implements AutoCloseable {
    /** How a debugging session ended. */
    public enum End {
        /** gdb killed the target ({@code k}): the run is over. */
        KILLED,
        /** gdb detached or went away: the machine should go on running without a debugger. */
        DETACHED,
        /** The machine powered off, reset or reached its time limit: {@link Outcome#exit} says which. */
        EXITED,
        /** {@link #close()} from another thread (e.g. the window was closed). */
        CLOSED
    }

    public record Outcome(End end, Cpu.Exit exit) { }

    private final Debugger debugger;
    private final ServerSocket server;
    private final BlockingQueue<PacketReader.Event> events = new LinkedBlockingQueue<>();
    private final Object writeLock = new Object();
    private final CommandHandler commands;
    private volatile Socket client;
    private volatile boolean noAck;
    private volatile boolean closed;
    private OutputStream out;
    private byte[] lastSent = new byte[0];

    private GdbStub(Debugger debugger, DebugEngine engine, ServerSocket server) {
        this.debugger = debugger;
        this.server = server;
        this.commands = new CommandHandler(debugger, engine, this);
    }

    /** Listens on 127.0.0.1:port (0: any free port, see {@link #port()}). */
    public static GdbStub listen(Debugger debugger, int port) throws IOException {
        return listen(debugger, null, port);
    }

    /**
     * As {@link #listen(Debugger, int)}, with an engine (may be null): watchpoints, reverse
     * execution ({@code bs}, {@code bc}) and rost's processes as threads.
     */
    public static GdbStub listen(Debugger debugger, DebugEngine engine, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        return new GdbStub(debugger, engine, s);
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * Waits for gdb to connect, then serves it until the session ends. The machine stays halted
     * until gdb resumes it.
     */
    public Outcome serve() throws IOException {
        Socket s;
        try {
            s = server.accept();
        } catch (IOException e) {
            if (closed) return new Outcome(End.CLOSED, null);
            throw e;
        }
        s.setTcpNoDelay(true);
        client = s;
        if (closed) {
            s.close();
            return new Outcome(End.CLOSED, null);
        }
        out = s.getOutputStream();
        Thread reader = Thread.ofPlatform().daemon().name("vitrine-gdb-reader").start(this::readLoop);
        try {
            while (true) {
                PacketReader.Event e;
                try {
                    e = events.take();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new Outcome(End.CLOSED, null);
                }
                if (e instanceof PacketReader.End) return new Outcome(closed ? End.CLOSED : End.DETACHED, null);
                if (e instanceof PacketReader.Packet p) {
                    Outcome o = commands.handle(p);
                    if (o != null) return o;
                }
                // an interrupt while halted has nothing to stop
            }
        } finally {
            closeQuietly(s);
            reader.interrupt();
        }
    }

    private void readLoop() {
        try {
            PacketReader r = new PacketReader(client.getInputStream());
            while (true) {
                PacketReader.Event e = r.next();
                switch (e) {
                    case PacketReader.Packet p -> {
                        if (!noAck) sendRaw(new byte[] {'+'});
                        events.add(p);
                    }
                    case PacketReader.BadPacket b -> {
                        if (!noAck) sendRaw(new byte[] {'-'});
                    }
                    case PacketReader.Interrupt i -> {
                        debugger.interrupt();
                        events.add(i);
                    }
                    case PacketReader.Nack n -> {
                        if (!noAck) resend();
                    }
                    case PacketReader.Ack a -> { }
                    case PacketReader.End end -> {
                        disconnected();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            disconnected();
        }
    }

    /** gdb went away: stop a running machine so the session can end (and the machine run on, detached). */
    private void disconnected() {
        debugger.interrupt();
        events.add(new PacketReader.End());
    }

    /** Sends one reply packet. A connection gone is not an error here: the reader reports its end. */
    void reply(String payload) {
        reply(payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    void reply(byte[] payload) {
        byte[] framed = Rsp.frame(payload);
        synchronized (writeLock) {
            lastSent = framed;
        }
        sendRaw(framed);
    }

    /** After the reply to QStartNoAckMode: neither side acknowledges any more. */
    void stopAcknowledging() {
        noAck = true;
    }

    private void resend() {
        byte[] again;
        synchronized (writeLock) {
            again = lastSent;
        }
        if (again.length > 0) sendRaw(again);
    }

    private void sendRaw(byte[] bytes) {
        synchronized (writeLock) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                // gdb went away; the reader sees the end of the stream
            }
        }
    }

    /** Ends the session from any thread: stops a running machine and closes the connection. */
    @Override
    public void close() {
        closed = true;
        debugger.interrupt();
        closeQuietly(server);
        Socket s = client;
        if (s != null) closeQuietly(s);
        events.add(new PacketReader.End());
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    /** Stop-reply for gdb. */
    static String stopReply(StopEvent e) {
        return switch (e.reason()) {
            case BREAKPOINT, STEP -> "T05thread:1;";
            case INTERRUPTED -> "T02thread:1;";
            case EXITED -> switch (e.exit().kind()) {
                case POWER_OFF -> String.format("W%02x", e.exit().status() & 0xff);
                case RESET, TIME_LIMIT, STOPPED -> "W00";
                case HANG -> "T05thread:1;";
                case ABORT_LOOP -> "T0athread:1;";  // gdb's SIGBUS
                case EMULATION_ERROR -> "T04thread:1;"; // SIGILL
            };
        };
    }
}
